/* SPDX-License-Identifier: MIT */
/*
 * virtio_pci.h - the modern virtio-pci front-end (§4.1): exposes any
 * struct virtio_dev as a PCI function behind a struct pci_host.
 *
 * Layout: one 64-bit prefetchable memory BAR (VIRTIO_PCI_BAR, 16 KiB):
 *   0x0000 common configuration (struct virtio_pci_common_cfg)
 *   0x1000 ISR status (one byte, read to clear)
 *   0x2000 device configuration (dev->config, byte exact)
 *   0x3000 notifications (queue q at q * VIRTIO_PCI_NOTIFY_MULTIPLIER)
 * described by vendor capabilities COMMON_CFG, NOTIFY_CFG, ISR_CFG,
 * DEVICE_CFG and PCI_CFG (in that order). No MSI-X: interrupts are INTA.
 * The core runs device work as the execution mode says, and only while
 * the function is a bus master.
 */
#ifndef VIRTSIM_DEVICES_VIRTIO_PCI_H
#define VIRTSIM_DEVICES_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/virtio_dev.h"
#include "drivers/wire/virtio_pci.h"
#include "sim/machine.h"
#include "sim/pci_host.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIRTIO_PCI_BAR 4
#define VIRTIO_PCI_BAR_SIZE 0x4000u
#define VIRTIO_PCI_COMMON_OFFSET 0x0000u
#define VIRTIO_PCI_ISR_OFFSET 0x1000u
#define VIRTIO_PCI_DEVICE_OFFSET 0x2000u
#define VIRTIO_PCI_NOTIFY_OFFSET 0x3000u
#define VIRTIO_PCI_REGION_SIZE 0x1000u
#define VIRTIO_PCI_NOTIFY_MULTIPLIER 4u /* checklist E6: 0 or 4 */
#define VIRTIO_PCI_SUBSYSTEM_VENDOR 0x1af4
#define VIRTIO_PCI_SUBSYSTEM_ID 0x1100 /* PCI-N-01: >= 0x40 */

/*
 * Deliberately broken functions, for driver tests. Flags combine. Each
 * is also a fault point (sim/fault.h: pci-no-common-cfg, ...,
 * no-device-cfg, config-short for SHORT_DEVICE_CFG), asked as the
 * function is attached, so a plan can break one device (dev=N).
 */
#define VIRTIO_PCI_QUIRK_NO_COMMON_CFG (1u << 0) /* omit COMMON_CFG cap */
#define VIRTIO_PCI_QUIRK_NO_NOTIFY_CFG (1u << 1) /* omit NOTIFY_CFG cap */
#define VIRTIO_PCI_QUIRK_NO_ISR_CFG (1u << 2)	 /* omit ISR_CFG cap */
#define VIRTIO_PCI_QUIRK_NO_DEVICE_CFG (1u << 3) /* omit DEVICE_CFG cap */
#define VIRTIO_PCI_QUIRK_NO_PCI_CFG (1u << 4)	 /* omit PCI_CFG cap */
/* DEVICE_CFG length 4, shorter than the device's config. */
#define VIRTIO_PCI_QUIRK_SHORT_DEVICE_CFG (1u << 5)
/* The last capability's next pointer points back at the first. */
#define VIRTIO_PCI_QUIRK_CAP_LOOP (1u << 6)
/* DEVICE_CFG offset + length runs past the end of the BAR. */
#define VIRTIO_PCI_QUIRK_CAP_OUTSIDE_BAR (1u << 7)
/*
 * Before the real ones: a vendor cap with a reserved cfg_type (PCI-D-05),
 * one naming reserved BAR 7 (PCI-D-07), and the real COMMON_CFG cap with
 * a cap_len larger than needed (PCI-D-06). A correct driver copes.
 */
#define VIRTIO_PCI_QUIRK_ODD_CAPS (1u << 8)
/* No virtio capability at all: looks like a legacy device (PCI-D-26). */
#define VIRTIO_PCI_QUIRK_NO_CAPS                                           \
	(VIRTIO_PCI_QUIRK_NO_COMMON_CFG | VIRTIO_PCI_QUIRK_NO_NOTIFY_CFG | \
	 VIRTIO_PCI_QUIRK_NO_ISR_CFG | VIRTIO_PCI_QUIRK_NO_DEVICE_CFG |    \
	 VIRTIO_PCI_QUIRK_NO_PCI_CFG)

struct virtio_pci_quirks {
	unsigned flags; /* VIRTIO_PCI_QUIRK_* */
};

struct virtio_pci_queue {
	uint16_t size; /* queue_size as the driver left it */
	bool size_set; /* written since reset: it reads size, not the max */
	uint32_t desc_lo, desc_hi, driver_lo, driver_hi, device_lo, device_hi;
};

struct virtio_pci_dev {
	struct pci_function fn; /* first: the host sees this */
	struct virtio_dev *dev;
	unsigned quirks;
	char name[48];
	uint32_t device_feature_select, driver_feature_select;
	uint16_t queue_select;
	struct virtio_pci_queue queue[VIRTIO_DEV_MAX_QUEUES];
	uint8_t isr;
	/* Config offset of the first usable cap of each cfg_type; 0: none. */
	uint8_t cap_offset[VIRTIO_PCI_CAP_PCI_CFG + 1];
	uint64_t notifies, notifies_dropped; /* dropped: bus master off */
};

/*
 * Build the function for @dev (ids, class from the device type, BAR,
 * capabilities as @quirks says; NULL for none) into @vp. The front-end
 * takes over dev->irq. Register it with pci_host_add_function(&vp->fn).
 * Returns 0 or -EINVAL (no room for the capabilities or the config).
 */
int virtio_pci_dev_init(struct virtio_pci_dev *vp, struct virtio_dev *dev,
			const struct virtio_pci_quirks *quirks);
/*
 * Allocate and build a function (into *@out) whose pci_function release
 * hook frees it; the virtio_dev itself is not freed. Returns 0, -ENOMEM,
 * or virtio_pci_dev_init's error.
 */
int virtio_pci_dev_create(struct virtio_dev *dev,
			  const struct virtio_pci_quirks *quirks,
			  struct virtio_pci_dev **out);

/*
 * Put @dev on @machine's PCI bus 0 as a modern virtio-pci function
 * (function 0 of the next free device number), broken as @quirks says
 * (NULL: a correct function). The front-end is released at
 * machine_destroy; @dev stays the caller's. Returns the device number,
 * or a negative errno.
 */
int virtio_pci_attach(struct machine *machine, struct virtio_dev *dev,
		      const struct virtio_pci_quirks *quirks);
/*
 * Put @dev at bus 0, device @slot, function @fn (a multi-function device
 * when @fn is not 0, or joins one: function 0 gets the multi-function
 * bit). Returns 0 or a negative errno (-EEXIST if taken).
 */
int virtio_pci_attach_function(struct machine *machine, unsigned slot,
			       unsigned fn, struct virtio_dev *dev,
			       const struct virtio_pci_quirks *quirks);

/* The front-end around a pci_function built here, or NULL. */
struct virtio_pci_dev *virtio_pci_from_function(struct pci_function *f);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DEVICES_VIRTIO_PCI_H */
