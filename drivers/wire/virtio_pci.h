/* SPDX-License-Identifier: MIT */
/*
 * virtio_pci.h - the modern VirtIO PCI transport (§4.1): ids, vendor
 * capabilities and the common configuration structure. Freestanding,
 * shared by drivers/ and devices/.
 */
#ifndef VIRTSIM_WIRE_VIRTIO_PCI_H
#define VIRTSIM_WIRE_VIRTIO_PCI_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/wire/wire_assert.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIRTIO_PCI_VENDOR_ID 0x1af4
#define VIRTIO_PCI_DEVICE_ID_MODERN_BASE 0x1040
#define VIRTIO_PCI_DEVICE_ID_TRANS_MIN 0x1000
#define VIRTIO_PCI_DEVICE_ID_TRANS_MAX 0x103f
#define VIRTIO_PCI_DEVICE_ID_MODERN_MAX 0x107f

#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG 5
#define VIRTIO_PCI_CAP_SHARED_MEMORY_CFG 8
#define VIRTIO_PCI_CAP_VENDOR_CFG 9

#define VIRTIO_PCI_ISR_QUEUE 1u
#define VIRTIO_PCI_ISR_CONFIG 2u
#define VIRTIO_MSI_NO_VECTOR 0xffff

struct virtio_pci_cap {
	uint8_t cap_vndr; /* PCI_CAP_ID_VNDR */
	uint8_t cap_next;
	uint8_t cap_len;
	uint8_t cfg_type;
	uint8_t bar;
	uint8_t id;
	uint8_t padding[2];
	uint32_t offset;
	uint32_t length;
};

struct virtio_pci_notify_cap {
	struct virtio_pci_cap cap;
	uint32_t notify_off_multiplier;
};

struct virtio_pci_cfg_cap {
	struct virtio_pci_cap cap;
	uint8_t pci_cfg_data[4];
};

struct virtio_pci_common_cfg {
	uint32_t device_feature_select;
	uint32_t device_feature;
	uint32_t driver_feature_select;
	uint32_t driver_feature;
	uint16_t config_msix_vector;
	uint16_t num_queues;
	uint8_t device_status;
	uint8_t config_generation;
	uint16_t queue_select;
	uint16_t queue_size;
	uint16_t queue_msix_vector;
	uint16_t queue_enable;
	uint16_t queue_notify_off;
	uint64_t queue_desc;
	uint64_t queue_driver;
	uint64_t queue_device;
	uint16_t queue_notif_config_data;
	uint16_t queue_reset;
	uint16_t admin_queue_index;
	uint16_t admin_queue_num;
};

WIRE_STATIC_ASSERT(sizeof(struct virtio_pci_cap) == 16, "virtio_pci_cap");
WIRE_STATIC_ASSERT(sizeof(struct virtio_pci_notify_cap) == 20, "notify cap");
WIRE_STATIC_ASSERT(sizeof(struct virtio_pci_cfg_cap) == 20, "pci cfg cap");
WIRE_STATIC_ASSERT(offsetof(struct virtio_pci_common_cfg, device_status) ==
		       0x14,
		   "common_cfg.device_status");
WIRE_STATIC_ASSERT(offsetof(struct virtio_pci_common_cfg, queue_desc) == 0x20,
		   "common_cfg.queue_desc");
WIRE_STATIC_ASSERT(offsetof(struct virtio_pci_common_cfg, queue_reset) == 0x3a,
		   "common_cfg.queue_reset");
WIRE_STATIC_ASSERT(sizeof(struct virtio_pci_common_cfg) == 0x40, "common_cfg");

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_WIRE_VIRTIO_PCI_H */
