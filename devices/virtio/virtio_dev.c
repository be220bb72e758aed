/*
 * The transport-independent device core: status (§2.1), features (§2.2),
 * config space (§2.5) and the queues, plus the "guest broke the rules"
 * path that sets DEVICE_NEEDS_RESET (QEMU's virtio_error()).
 */
#include "devices/virtio/virtio_dev.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "drivers/wire/virtio_config.h"
#include "sim/trace.h"

/* Status bits only the driver sets, and only a reset clears. */
#define DRIVER_STATUS_BITS                                         \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |    \
	 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK | \
	 VIRTIO_CONFIG_S_FAILED)

void virtio_dev_init(struct virtio_dev *dev, const struct virtio_dev_ops *ops,
		     const char *name, const struct guest_mem *mem,
		     uint64_t features, uint8_t *config, uint32_t config_len)
{
	memset(dev, 0, sizeof(*dev));
	dev->ops = ops;
	dev->name = name;
	dev->mem = mem;
	/* FEAT-V-04: a modern device always offers VERSION_1. */
	dev->host_features = features | VIRTIO_BIT(VIRTIO_F_VERSION_1);
	dev->config = config;
	dev->config_len = config_len;
	for (unsigned q = 0; q < VIRTIO_DEV_MAX_QUEUES; q++)
		vq_dev_reset(&dev->vq[q], mem);
}

void virtio_dev_reset(struct virtio_dev *dev)
{
	trace(TRACE_DEV, "%s: reset", dev->name);
	if (dev->ops->reset)
		dev->ops->reset(dev);
	dev->status = 0;
	dev->guest_features = 0;
	dev->broken = false;
	dev->broken_reason[0] = '\0';
	for (unsigned q = 0; q < VIRTIO_DEV_MAX_QUEUES; q++)
		vq_dev_reset(&dev->vq[q], dev->mem);
	if (dev->irq.reset)
		dev->irq.reset(dev->irq.opaque);
}

/* Queues follow the negotiated ring features. */
static void virtio_dev_apply_features(struct virtio_dev *dev)
{
	bool event_idx = virtio_dev_has_feature(dev, VIRTIO_F_EVENT_IDX);
	bool indirect = virtio_dev_has_feature(dev, VIRTIO_F_INDIRECT_DESC);

	for (unsigned q = 0; q < VIRTIO_DEV_MAX_QUEUES; q++) {
		dev->vq[q].event_idx = event_idx;
		dev->vq[q].indirect = indirect;
	}
}

static bool virtio_dev_features_acceptable(struct virtio_dev *dev)
{
	uint64_t extra = dev->guest_features & ~dev->host_features;

	if (extra) {
		/* FEAT-V-02: a bit we never offered. */
		trace(TRACE_DEV, "%s: refuse FEATURES_OK: unoffered 0x%" PRIx64,
		      dev->name, extra);
		return false;
	}
	if (!virtio_dev_has_feature(dev, VIRTIO_F_VERSION_1)) {
		/* FEAT-V-04: a modern-only device may insist on VERSION_1. */
		trace(TRACE_DEV, "%s: refuse FEATURES_OK: no VERSION_1",
		      dev->name);
		return false;
	}
	if (dev->ops->features_ok &&
	    !dev->ops->features_ok(dev, dev->guest_features)) {
		trace(TRACE_DEV, "%s: model refuses features 0x%" PRIx64,
		      dev->name, dev->guest_features);
		return false;
	}
	return true;
}

void virtio_dev_set_status(struct virtio_dev *dev, uint8_t status)
{
	uint8_t old = dev->status, set;

	if (status == 0) {
		virtio_dev_reset(dev); /* INIT-V-03 */
		return;
	}
	if (old & DRIVER_STATUS_BITS & ~status)
		trace(TRACE_DEV, "%s: driver tried to clear status 0x%x",
		      dev->name, old & DRIVER_STATUS_BITS & ~status);
	/* Only a reset clears bits; NEEDS_RESET belongs to the device. */
	status = (uint8_t)((status & DRIVER_STATUS_BITS) | old);
	set = status & ~old;

	if ((set & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    (dev->legacy || !virtio_dev_features_acceptable(dev))) {
		/* Legacy has no FEATURES_OK step (§3.1.2): it reads clear. */
		status &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
		set &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
	}
	if (set & VIRTIO_CONFIG_S_FEATURES_OK)
		virtio_dev_apply_features(dev);
	if ((set & VIRTIO_CONFIG_S_DRIVER_OK) && !dev->legacy &&
	    !(status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		/* §3.1.1: DRIVER_OK without negotiated features is refused. */
		trace(TRACE_DEV, "%s: DRIVER_OK without FEATURES_OK refused",
		      dev->name);
		status &= (uint8_t)~VIRTIO_CONFIG_S_DRIVER_OK;
		set &= (uint8_t)~VIRTIO_CONFIG_S_DRIVER_OK;
	}
	dev->status = status;
	if (set)
		trace(TRACE_DEV, "%s: status 0x%02x -> 0x%02x", dev->name, old,
		      status);
	if (set & VIRTIO_CONFIG_S_FEATURES_OK)
		trace(TRACE_DEV, "%s: features 0x%" PRIx64, dev->name,
		      dev->guest_features);
}

uint32_t virtio_dev_device_features(const struct virtio_dev *dev, unsigned sel)
{
	if (sel > 1 || (dev->legacy && sel > 0))
		return 0;
	return (uint32_t)(dev->host_features >> (32 * sel));
}

uint32_t virtio_dev_driver_features(const struct virtio_dev *dev, unsigned sel)
{
	return sel > 1 ? 0 : (uint32_t)(dev->guest_features >> (32 * sel));
}

void virtio_dev_set_driver_features(struct virtio_dev *dev, unsigned sel,
				    uint32_t val)
{
	uint64_t mask;

	if (sel > 1 || (dev->legacy && sel > 0)) {
		trace(TRACE_DEV, "%s: driver features window %u ignored",
		      dev->name, sel);
		return;
	}
	if (dev->status & VIRTIO_CONFIG_S_FEATURES_OK) {
		trace(TRACE_DEV, "%s: features written after FEATURES_OK",
		      dev->name);
		return;
	}
	mask = 0xffffffffull << (32 * sel);
	dev->guest_features =
	    (dev->guest_features & ~mask) | ((uint64_t)val << (32 * sel));
	if (dev->legacy) {
		/* No refusal step for legacy: keep what we offered, now. */
		dev->guest_features &= dev->host_features & 0xffffffffull;
		virtio_dev_apply_features(dev);
	}
}

void virtio_dev_config_read(struct virtio_dev *dev, uint32_t off, void *buf,
			    unsigned len)
{
	uint8_t *out = buf;

	for (unsigned i = 0; i < len; i++) {
		uint64_t o = (uint64_t)off + i;

		out[i] = o < dev->config_len ? dev->config[o] : 0;
	}
}

void virtio_dev_config_write(struct virtio_dev *dev, uint32_t off,
			     const void *buf, unsigned len)
{
	unsigned n;

	if (off >= dev->config_len) {
		trace(TRACE_DEV, "%s: config write at %u out of range",
		      dev->name, off);
		return;
	}
	n = dev->config_len - off < len ? dev->config_len - off : len;
	memcpy(dev->config + off, buf, n);
	if (dev->ops->config_write)
		dev->ops->config_write(dev, off, n);
}

void virtio_dev_config_changed(struct virtio_dev *dev)
{
	dev->config_generation++; /* MMIO-V-05 */
	trace(TRACE_DEV, "%s: config changed, generation %u", dev->name,
	      dev->config_generation);
	if ((dev->status & VIRTIO_CONFIG_S_DRIVER_OK) && dev->irq.notify)
		dev->irq.notify(dev->irq.opaque, 0, true);
}

bool virtio_dev_queue_enable(struct virtio_dev *dev, unsigned q)
{
	struct vq_dev *vq;

	if (q >= dev->ops->num_queues || q >= VIRTIO_DEV_MAX_QUEUES)
		return false;
	vq = &dev->vq[q];
	vq->mem = dev->mem;
	vq->ready = false;
	if (!vq->size || vq->size > dev->ops->queue_size_max ||
	    !vq_dev_rings_ok(vq)) {
		trace(TRACE_DEV,
		      "%s: queue %u size %u desc 0x%" PRIx64 " avail 0x%" PRIx64
		      " used 0x%" PRIx64 " refused: rings not in RAM",
		      dev->name, q, vq->size, vq->desc_gpa, vq->avail_gpa,
		      vq->used_gpa);
		return false;
	}
	vq->last_avail_idx = 0;
	vq->used_idx = 0;
	vq->signalled_used = 0;
	vq->signalled_valid = true;
	vq->err_detail = NULL;
	vq->event_idx = virtio_dev_has_feature(dev, VIRTIO_F_EVENT_IDX);
	vq->indirect = virtio_dev_has_feature(dev, VIRTIO_F_INDIRECT_DESC);
	vq->ready = true;
	trace(TRACE_DEV, "%s: queue %u enabled, size %u", dev->name, q,
	      vq->size);
	return true;
}

/* May the device touch its queues now (INIT-V-01, INIT-V-04)? */
static bool virtio_dev_live(const struct virtio_dev *dev)
{
	if (dev->broken)
		return false;
	/* LEG-V-04: legacy drivers may use queues before DRIVER_OK. */
	if (dev->legacy)
		return dev->status != 0;
	return dev->status & VIRTIO_CONFIG_S_DRIVER_OK;
}

void virtio_dev_queue_notify(struct virtio_dev *dev, unsigned q)
{
	if (q >= dev->ops->num_queues || q >= VIRTIO_DEV_MAX_QUEUES) {
		trace(TRACE_DEV, "%s: notify for missing queue %u ignored",
		      dev->name, q);
		return;
	}
	if (!virtio_dev_live(dev) || !dev->vq[q].ready) {
		trace(TRACE_DEV,
		      "%s: notify queue %u ignored (status 0x%02x%s)",
		      dev->name, q, dev->status,
		      dev->broken ? ", needs reset" : "");
		return;
	}
	if (dev->ops->queue_notify)
		dev->ops->queue_notify(dev, q);
}

int virtio_dev_pop(struct virtio_dev *dev, unsigned q, struct vq_elem *elem)
{
	int ret;

	if (q >= VIRTIO_DEV_MAX_QUEUES || !virtio_dev_live(dev))
		return 0;
	ret = vq_dev_pop(&dev->vq[q], elem);
	if (ret < 0)
		virtio_dev_fail(dev, "queue %u: %s", q,
				dev->vq[q].err_detail ? dev->vq[q].err_detail
						      : vq_dev_error_name(ret));
	return ret;
}

void virtio_dev_push(struct virtio_dev *dev, unsigned q, uint16_t head,
		     uint32_t len)
{
	int ret;

	if (q >= VIRTIO_DEV_MAX_QUEUES || !virtio_dev_live(dev))
		return;
	ret = vq_dev_push(&dev->vq[q], head, len);
	if (ret < 0)
		virtio_dev_fail(dev, "queue %u: cannot complete head %u: %s", q,
				head, vq_dev_error_name(ret));
}

void virtio_dev_notify_used(struct virtio_dev *dev, unsigned q)
{
	if (q >= VIRTIO_DEV_MAX_QUEUES || !virtio_dev_live(dev))
		return;
	if (vq_dev_should_notify(&dev->vq[q]) && dev->irq.notify)
		dev->irq.notify(dev->irq.opaque, q, false);
}

void virtio_dev_fail(struct virtio_dev *dev, const char *fmt, ...)
{
	va_list ap;

	dev->guest_errors++;
	if (dev->broken) {
		trace(TRACE_DEV, "%s: further guest error while broken",
		      dev->name);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(dev->broken_reason, sizeof(dev->broken_reason), fmt, ap);
	va_end(ap);
	dev->broken = true;
	dev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	trace(TRACE_DEV, "%s: needs reset: %s", dev->name, dev->broken_reason);
	/* INIT-V-02: tell a running driver through a config interrupt. */
	if ((dev->status & VIRTIO_CONFIG_S_DRIVER_OK) && dev->irq.notify)
		dev->irq.notify(dev->irq.opaque, 0, true);
}
