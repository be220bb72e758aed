/* SPDX-License-Identifier: MIT */
/*
 * pci_transport.h - the VirtIO PCI transport, driver side (§4.1): a modern
 * (VirtIO 1.x) function found through its vendor capabilities.
 *
 * Legacy-only functions (no virtio capabilities, I/O BAR0 register block)
 * are not driven: init fails with -VIRTIO_ERR_UNSUPPORTED (PCI-D-26).
 */
#ifndef VIRTSIM_DRIVERS_VIRTIO_PCI_TRANSPORT_H
#define VIRTSIM_DRIVERS_VIRTIO_PCI_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/pci/pci.h"
#include "drivers/virtio/virtio.h"
#include "hal/hal.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Queues whose notify offset is remembered at queue_set; others re-read. */
#define VIRTIO_PCI_NOTIFY_CACHE 8u

/* One mapped virtio structure: HAL handle and length in bytes. */
struct virtio_pci_region {
	uintptr_t regs; /* 0: absent */
	uint32_t len;
};

struct virtio_pci_transport {
	struct virtio_transport base; /* what drivers use */
	struct pci_root *root;
	uint32_t bdf;
	uint32_t device_id;                /* VirtIO device type */
	struct virtio_pci_region common;   /* struct virtio_pci_common_cfg */
	struct virtio_pci_region notify;   /* queue notify doorbells */
	struct virtio_pci_region isr;      /* 1 byte, read to clear */
	struct virtio_pci_region device;   /* device config; regs 0 if none */
	uint32_t notify_off_multiplier;
	uint64_t driver_features;          /* as last written */
	uint32_t notify_off[VIRTIO_PCI_NOTIFY_CACHE]; /* byte offsets */
	uint8_t notify_cached;                        /* bit per queue */
	/*
	 * The line the platform routed INTx to: PCI_INTERRUPT_LINE as the
	 * firmware wrote it; VIRTIO_NO_IRQ without an interrupt pin, or
	 * when the register reads 0xff (unknown) or 0 (its reset value: no
	 * firmware wrote it). Platform code may overwrite it after init.
	 */
	unsigned irq_line;
};

/*
 * The VirtIO device type of a function: vendor 0x1af4 with a modern id
 * 0x1041..0x107f gives id - 0x1040; a transitional id 0x1000..0x103f
 * gives the subsystem device id (§4.1.2.1), or, when that is no valid
 * type, the fixed transitional table (0x1000 net, 0x1001 blk, 0x1002
 * balloon, 0x1003 console, 0x1004 scsi, 0x1005 rng, 0x1009 9p).
 * 0 for anything that is not a VirtIO function.
 */
uint32_t virtio_pci_device_type(const struct pci_function_info *info);

/*
 * Create the transport for function @bdf of @root, whose BARs must already
 * be assigned (pci_assign_bars). Walks the capability list and takes the
 * first valid vendor capability of each of COMMON, NOTIFY, ISR and DEVICE
 * (§4.1.4): capabilities with an unknown cfg_type, a reserved BAR (> 5),
 * a short cap_len (< 16, < 20 for NOTIFY), a misaligned offset, or a
 * range outside their BAR are ignored. Maps only the needed part of each
 * and turns on memory decoding and bus mastering.
 *
 * Returns 0, or
 *   -VIRTIO_ERR_INVALID_PARAM  bad arguments, or the HAL cannot map a region;
 *   -VIRTIO_ERR_NOT_READY      no function at @bdf;
 *   -VIRTIO_ERR_UNSUPPORTED    not a VirtIO function, a malformed capability
 *                              list, or no usable COMMON, NOTIFY or ISR
 *                              capability (a legacy-only device).
 * A missing DEVICE capability is no error: config_read/config_write then
 * return -VIRTIO_ERR_CONFIG_SPACE_MISSING, and an access past its length
 * -VIRTIO_ERR_CONFIG_SPACE_TOO_SMALL.
 */
int virtio_pci_transport_init(struct virtio_pci_transport *t,
			      struct pci_root *root, uint32_t bdf);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DRIVERS_VIRTIO_PCI_TRANSPORT_H */
