/* SPDX-License-Identifier: MIT */
/*
 * mmio_transport.h - the VirtIO MMIO transport, driver side (§4.2):
 * legacy version 1 and modern version 2 register windows.
 */
#ifndef VIRTSIM_DRIVERS_VIRTIO_MMIO_TRANSPORT_H
#define VIRTSIM_DRIVERS_VIRTIO_MMIO_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/virtio/virtio.h"
#include "hal/hal.h"

#ifdef __cplusplus
extern "C" {
#endif

struct virtio_mmio_transport {
	struct virtio_transport base; /* what drivers use */
	uintptr_t regs;               /* HAL MMIO handle of the window */
	uint32_t version;             /* 1 (legacy) or 2 (modern) */
	uint32_t device_id;
	uint32_t vendor_id;
	size_t size;                  /* window size: config ends here */
	unsigned irq_line;            /* VIRTIO_NO_IRQ unless the platform says */
};

/*
 * Map the window at @paddr (@size bytes, at least 0x100) and validate the
 * header: magic "virt", version 1 or 2, device id not 0. Returns 0, or
 * -VIRTIO_ERR_INVALID_PARAM for a bad size or a window the HAL cannot map,
 * -VIRTIO_ERR_UNSUPPORTED for a bad magic or version, and
 * -VIRTIO_ERR_NOT_READY for device id 0 (an empty slot).
 */
int virtio_mmio_transport_init(struct virtio_mmio_transport *t,
			       const struct hal *hal, uint64_t paddr,
			       size_t size);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DRIVERS_VIRTIO_MMIO_TRANSPORT_H */
