/* SPDX-License-Identifier: MIT */
/*
 * virtio_mmio.h - the VirtIO MMIO front-end (§4.2): exposes any
 * struct virtio_dev as an MMIO register window, version 2 (modern) or
 * version 1 (legacy, §4.2.4).
 */
#ifndef VIRTSIM_DEVICES_VIRTIO_MMIO_H
#define VIRTSIM_DEVICES_VIRTIO_MMIO_H

#include <stdint.h>

#include "devices/virtio/virtio_dev.h"
#include "sim/bus.h"
#include "sim/irq.h"
#include "sim/machine.h"
#include "sim/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

struct virtio_mmio_queue {
	uint32_t desc_lo, desc_hi, avail_lo, avail_hi, used_lo, used_hi;
	uint32_t num;   /* QueueSize / QueueNum as written */
	uint32_t align; /* v1 QueueAlign */
	uint32_t pfn;   /* v1 QueuePFN */
};

struct virtio_mmio_dev {
	struct virtio_dev *dev; /* NULL: an empty slot, DeviceID reads 0 */
	int version;            /* 1 or 2 */
	struct irq_ctl *irq;
	unsigned irq_line;
	struct trace *trace;
	uint32_t interrupt_status;
	uint32_t device_features_sel, driver_features_sel;
	uint32_t queue_sel;
	uint32_t guest_page_size;
	struct virtio_mmio_queue queue[VIRTIO_DEV_MAX_QUEUES];
};

extern const struct bus_region_ops virtio_mmio_region_ops;

/* Wire @dev (may be NULL) behind @m; bus_map(&virtio_mmio_region_ops, m). */
void virtio_mmio_dev_init(struct virtio_mmio_dev *m, struct virtio_dev *dev,
			  int version, struct irq_ctl *irq, unsigned irq_line,
			  struct trace *trace);

/*
 * Put @dev in @machine's next free MMIO slot as MMIO @version (1 legacy,
 * 2 modern). The front-end is released at machine_destroy; @dev stays
 * the caller's and must outlive the machine's use of it. Returns the
 * slot, or a negative errno.
 */
int virtio_mmio_attach(struct machine *machine, struct virtio_dev *dev,
		       int version);
/* An empty slot whose DeviceID reads 0, as QEMU leaves unused slots. */
int virtio_mmio_attach_empty(struct machine *machine);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DEVICES_VIRTIO_MMIO_H */
