/* SPDX-License-Identifier: MIT */
/*
 * The device core's strict checks that need more than a line at their
 * call site, and the one way a device reports a violation: a trace line
 * and the machine's strict checker.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "devices/virtio/virtio_dev.h"
#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_ring.h"
#include "sim/trace.h"

void virtio_dev_violation(struct virtio_dev *dev, enum strict_rule rule,
			  const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	trace_dev_strict(dev->env->trace, dev->name, dev->id,
			 strict_rule_id(rule), what);
	strict_report(dev->env->strict, dev->name, rule, "%s", what);
}

/* §2.1.1 and §3.1.1: each bit only after the one before it. */
void virtio_dev_strict_status(struct virtio_dev *dev, uint8_t old,
			      uint8_t status)
{
	const uint8_t driver_bits =
	    VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
	    VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK |
	    VIRTIO_CONFIG_S_FAILED;
	uint8_t cleared = old & driver_bits & ~status;
	uint8_t all = (uint8_t)(old | status), set = status & ~old;

	if (cleared)
		virtio_dev_violation(dev, STRICT_INIT_D_02,
				     "status 0x%02x written over 0x%02x "
				     "clears 0x%02x",
				     status, old, cleared);
	else if ((set & VIRTIO_CONFIG_S_DRIVER) &&
		 !(all & VIRTIO_CONFIG_S_ACKNOWLEDGE))
		virtio_dev_violation(dev, STRICT_INIT_D_01,
				     "DRIVER set without ACKNOWLEDGE "
				     "(status 0x%02x)",
				     status);
	else if ((set &
		  (VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK)) &&
		 !(all & VIRTIO_CONFIG_S_DRIVER))
		virtio_dev_violation(dev, STRICT_INIT_D_01,
				     "%s set without DRIVER (status 0x%02x)",
				     set & VIRTIO_CONFIG_S_FEATURES_OK
					 ? "FEATURES_OK"
					 : "DRIVER_OK",
				     status);
	else if ((set & VIRTIO_CONFIG_S_DRIVER_OK) && !dev->legacy &&
		 !(old & VIRTIO_CONFIG_S_FEATURES_OK))
		/* Also when the device refused FEATURES_OK and the driver
		 * did not re-read it. */
		virtio_dev_violation(dev, STRICT_INIT_D_07,
				     "DRIVER_OK set before FEATURES_OK "
				     "(status 0x%02x over 0x%02x)",
				     status, old);
}

void virtio_dev_strict_rings(struct virtio_dev *dev, unsigned q)
{
	const struct vq_dev *vq = &dev->vq[q];

	if (vq->desc_gpa % VIRTQ_DESC_ALIGN ||
	    vq->avail_gpa % VIRTQ_AVAIL_ALIGN ||
	    vq->used_gpa % VIRTQ_USED_ALIGN)
		virtio_dev_violation(dev, STRICT_VQ_D_01,
				     "queue %u: desc 0x%" PRIx64
				     " avail 0x%" PRIx64 " used 0x%" PRIx64,
				     q, vq->desc_gpa, vq->avail_gpa,
				     vq->used_gpa);
}
