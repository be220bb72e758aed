/* SPDX-License-Identifier: MIT */
/*
 * Decoders for trace lines: register, status and feature names.
 */
#include "sim/trace_decode.h"

#include <stdio.h>
#include <string.h>

#include "drivers/wire/pci_regs.h"
#include "drivers/wire/virtio_blk.h"
#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_gpu.h"
#include "drivers/wire/virtio_mmio.h"
#include "drivers/wire/virtio_net.h"
#include "drivers/wire/virtio_pci.h"

struct trace_name {
	unsigned value;
	const char *name;
};

static const char *find_name(const struct trace_name *t, size_t n,
			     unsigned value)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return NULL;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct trace_name mmio_regs[] = {
    {VIRTIO_MMIO_MAGIC_VALUE, "MagicValue"},
    {VIRTIO_MMIO_VERSION, "Version"},
    {VIRTIO_MMIO_DEVICE_ID, "DeviceID"},
    {VIRTIO_MMIO_VENDOR_ID, "VendorID"},
    {VIRTIO_MMIO_DEVICE_FEATURES, "DeviceFeatures"},
    {VIRTIO_MMIO_DEVICE_FEATURES_SEL, "DeviceFeaturesSel"},
    {VIRTIO_MMIO_DRIVER_FEATURES, "DriverFeatures"},
    {VIRTIO_MMIO_DRIVER_FEATURES_SEL, "DriverFeaturesSel"},
    {VIRTIO_MMIO_GUEST_PAGE_SIZE, "GuestPageSize"},
    {VIRTIO_MMIO_QUEUE_SEL, "QueueSel"},
    {VIRTIO_MMIO_QUEUE_NUM_MAX, "QueueNumMax"},
    {VIRTIO_MMIO_QUEUE_NUM, "QueueNum"},
    {VIRTIO_MMIO_QUEUE_ALIGN, "QueueAlign"},
    {VIRTIO_MMIO_QUEUE_PFN, "QueuePFN"},
    {VIRTIO_MMIO_QUEUE_READY, "QueueReady"},
    {VIRTIO_MMIO_QUEUE_NOTIFY, "QueueNotify"},
    {VIRTIO_MMIO_INTERRUPT_STATUS, "InterruptStatus"},
    {VIRTIO_MMIO_INTERRUPT_ACK, "InterruptACK"},
    {VIRTIO_MMIO_STATUS, "Status"},
    {VIRTIO_MMIO_QUEUE_DESC_LOW, "QueueDescLow"},
    {VIRTIO_MMIO_QUEUE_DESC_HIGH, "QueueDescHigh"},
    {VIRTIO_MMIO_QUEUE_AVAIL_LOW, "QueueDriverLow"},
    {VIRTIO_MMIO_QUEUE_AVAIL_HIGH, "QueueDriverHigh"},
    {VIRTIO_MMIO_QUEUE_USED_LOW, "QueueDeviceLow"},
    {VIRTIO_MMIO_QUEUE_USED_HIGH, "QueueDeviceHigh"},
    {VIRTIO_MMIO_SHM_SEL, "SHMSel"},
    {VIRTIO_MMIO_SHM_LEN_LOW, "SHMLenLow"},
    {VIRTIO_MMIO_SHM_LEN_HIGH, "SHMLenHigh"},
    {VIRTIO_MMIO_SHM_BASE_LOW, "SHMBaseLow"},
    {VIRTIO_MMIO_SHM_BASE_HIGH, "SHMBaseHigh"},
    {VIRTIO_MMIO_QUEUE_RESET, "QueueReset"},
    {VIRTIO_MMIO_CONFIG_GENERATION, "ConfigGeneration"},
};

const char *trace_mmio_reg_name(uint64_t off)
{
	if (off >= VIRTIO_MMIO_CONFIG)
		return off < VIRTIO_MMIO_WINDOW_SIZE ? "Config" : NULL;
	return find_name(mmio_regs, COUNT(mmio_regs), (unsigned)off);
}

#define COMMON(field)                                                 \
	{                                                             \
		offsetof(struct virtio_pci_common_cfg, field), #field \
	}
static const struct trace_name pci_common[] = {
    COMMON(device_feature_select),
    COMMON(device_feature),
    COMMON(driver_feature_select),
    COMMON(driver_feature),
    COMMON(config_msix_vector),
    COMMON(num_queues),
    COMMON(device_status),
    COMMON(config_generation),
    COMMON(queue_select),
    COMMON(queue_size),
    COMMON(queue_msix_vector),
    COMMON(queue_enable),
    COMMON(queue_notify_off),
    COMMON(queue_desc),
    {offsetof(struct virtio_pci_common_cfg, queue_desc) + 4, "queue_desc_hi"},
    COMMON(queue_driver),
    {offsetof(struct virtio_pci_common_cfg, queue_driver) + 4,
     "queue_driver_hi"},
    COMMON(queue_device),
    {offsetof(struct virtio_pci_common_cfg, queue_device) + 4,
     "queue_device_hi"},
    COMMON(queue_notif_config_data),
    COMMON(queue_reset),
    COMMON(admin_queue_index),
    COMMON(admin_queue_num),
};
#undef COMMON

const char *trace_pci_common_name(uint64_t off)
{
	return off < sizeof(struct virtio_pci_common_cfg)
		   ? find_name(pci_common, COUNT(pci_common), (unsigned)off)
		   : NULL;
}

static const struct trace_name pci_cfg[] = {
    {PCI_VENDOR_ID, "VendorID"},
    {PCI_DEVICE_ID, "DeviceID"},
    {PCI_COMMAND, "Command"},
    {PCI_STATUS, "Status"},
    {PCI_REVISION_ID, "RevisionID"},
    {PCI_PROG_IF, "ProgIF"},
    {PCI_SUBCLASS, "Subclass"},
    {PCI_CLASS, "Class"},
    {PCI_HEADER_TYPE, "HeaderType"},
    {PCI_BAR0, "BAR0"},
    {PCI_BAR0 + 4, "BAR1"},
    {PCI_BAR0 + 8, "BAR2"},
    {PCI_BAR0 + 12, "BAR3"},
    {PCI_BAR0 + 16, "BAR4"},
    {PCI_BAR0 + 20, "BAR5"},
    {PCI_SUBSYSTEM_VENDOR_ID, "SubsystemVendorID"},
    {PCI_SUBSYSTEM_ID, "SubsystemID"},
    {PCI_CAPABILITY_LIST, "CapabilitiesPointer"},
    {PCI_INTERRUPT_LINE, "InterruptLine"},
    {PCI_INTERRUPT_PIN, "InterruptPin"},
};

const char *trace_pci_cfg_name(unsigned reg)
{
	return find_name(pci_cfg, COUNT(pci_cfg), reg);
}

/* Append @name to @buf at *@at, with a '|' between names. */
static void put_name(char *buf, size_t len, size_t *at, const char *name)
{
	int n;

	if (*at >= len)
		return;
	n = snprintf(buf + *at, len - *at, "%s%s", *at ? "|" : "", name);
	if (n > 0)
		*at += (size_t)n;
}

static const struct trace_name status_bits[] = {
    {VIRTIO_CONFIG_S_ACKNOWLEDGE, "ACKNOWLEDGE"},
    {VIRTIO_CONFIG_S_DRIVER, "DRIVER"},
    {VIRTIO_CONFIG_S_FEATURES_OK, "FEATURES_OK"},
    {VIRTIO_CONFIG_S_DRIVER_OK, "DRIVER_OK"},
    {VIRTIO_CONFIG_S_NEEDS_RESET, "DEVICE_NEEDS_RESET"},
    {VIRTIO_CONFIG_S_FAILED, "FAILED"},
};

char *trace_decode_status(char *buf, size_t len, unsigned status)
{
	size_t at = 0;
	char other[16];

	if (!len)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < COUNT(status_bits); i++) {
		if (status & status_bits[i].value) {
			put_name(buf, len, &at, status_bits[i].name);
			status &= ~status_bits[i].value;
		}
	}
	if (status) {
		snprintf(other, sizeof(other), "0x%x", status);
		put_name(buf, len, &at, other);
	}
	if (!at)
		snprintf(buf, len, "0");
	return buf;
}

/* Feature bits: the transport's (every device), then per device type. */
static const struct trace_name transport_features[] = {
    {VIRTIO_F_NOTIFY_ON_EMPTY, "NOTIFY_ON_EMPTY"},
    {VIRTIO_F_ANY_LAYOUT, "ANY_LAYOUT"},
    {VIRTIO_F_INDIRECT_DESC, "RING_INDIRECT_DESC"},
    {VIRTIO_F_EVENT_IDX, "RING_EVENT_IDX"},
    {VIRTIO_F_VERSION_1, "VERSION_1"},
    {VIRTIO_F_ACCESS_PLATFORM, "ACCESS_PLATFORM"},
    {VIRTIO_F_RING_PACKED, "RING_PACKED"},
    {VIRTIO_F_IN_ORDER, "IN_ORDER"},
    {VIRTIO_F_ORDER_PLATFORM, "ORDER_PLATFORM"},
    {VIRTIO_F_SR_IOV, "SR_IOV"},
    {VIRTIO_F_NOTIFICATION_DATA, "NOTIFICATION_DATA"},
    {VIRTIO_F_NOTIF_CONFIG_DATA, "NOTIF_CONFIG_DATA"},
    {VIRTIO_F_RING_RESET, "RING_RESET"},
    {VIRTIO_F_ADMIN_VQ, "ADMIN_VQ"},
};

static const struct trace_name blk_features[] = {
    {VIRTIO_BLK_F_SIZE_MAX, "BLK_F_SIZE_MAX"},
    {VIRTIO_BLK_F_SEG_MAX, "BLK_F_SEG_MAX"},
    {VIRTIO_BLK_F_GEOMETRY, "BLK_F_GEOMETRY"},
    {VIRTIO_BLK_F_RO, "BLK_F_RO"},
    {VIRTIO_BLK_F_BLK_SIZE, "BLK_F_BLK_SIZE"},
    {VIRTIO_BLK_F_FLUSH, "BLK_F_FLUSH"},
    {VIRTIO_BLK_F_TOPOLOGY, "BLK_F_TOPOLOGY"},
    {VIRTIO_BLK_F_CONFIG_WCE, "BLK_F_CONFIG_WCE"},
    {VIRTIO_BLK_F_MQ, "BLK_F_MQ"},
    {VIRTIO_BLK_F_DISCARD, "BLK_F_DISCARD"},
    {VIRTIO_BLK_F_WRITE_ZEROES, "BLK_F_WRITE_ZEROES"},
};

static const struct trace_name net_features[] = {
    {VIRTIO_NET_F_CSUM, "NET_F_CSUM"},
    {VIRTIO_NET_F_GUEST_CSUM, "NET_F_GUEST_CSUM"},
    {VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, "NET_F_CTRL_GUEST_OFFLOADS"},
    {VIRTIO_NET_F_MTU, "NET_F_MTU"},
    {VIRTIO_NET_F_MAC, "NET_F_MAC"},
    {VIRTIO_NET_F_GUEST_TSO4, "NET_F_GUEST_TSO4"},
    {VIRTIO_NET_F_GUEST_TSO6, "NET_F_GUEST_TSO6"},
    {VIRTIO_NET_F_GUEST_ECN, "NET_F_GUEST_ECN"},
    {VIRTIO_NET_F_GUEST_UFO, "NET_F_GUEST_UFO"},
    {VIRTIO_NET_F_HOST_TSO4, "NET_F_HOST_TSO4"},
    {VIRTIO_NET_F_HOST_TSO6, "NET_F_HOST_TSO6"},
    {VIRTIO_NET_F_HOST_ECN, "NET_F_HOST_ECN"},
    {VIRTIO_NET_F_HOST_UFO, "NET_F_HOST_UFO"},
    {VIRTIO_NET_F_MRG_RXBUF, "NET_F_MRG_RXBUF"},
    {VIRTIO_NET_F_STATUS, "NET_F_STATUS"},
    {VIRTIO_NET_F_CTRL_VQ, "NET_F_CTRL_VQ"},
    {VIRTIO_NET_F_CTRL_RX, "NET_F_CTRL_RX"},
    {VIRTIO_NET_F_CTRL_VLAN, "NET_F_CTRL_VLAN"},
    {VIRTIO_NET_F_GUEST_ANNOUNCE, "NET_F_GUEST_ANNOUNCE"},
    {VIRTIO_NET_F_MQ, "NET_F_MQ"},
    {VIRTIO_NET_F_CTRL_MAC_ADDR, "NET_F_CTRL_MAC_ADDR"},
    {VIRTIO_NET_F_SPEED_DUPLEX, "NET_F_SPEED_DUPLEX"},
};

static const struct trace_name gpu_features[] = {
    {VIRTIO_GPU_F_VIRGL, "GPU_F_VIRGL"},
    {VIRTIO_GPU_F_EDID, "GPU_F_EDID"},
    {VIRTIO_GPU_F_RESOURCE_UUID, "GPU_F_RESOURCE_UUID"},
    {VIRTIO_GPU_F_RESOURCE_BLOB, "GPU_F_RESOURCE_BLOB"},
    {VIRTIO_GPU_F_CONTEXT_INIT, "GPU_F_CONTEXT_INIT"},
};

char *trace_decode_features(char *buf, size_t len, unsigned device_id,
			    uint64_t features)
{
	const struct trace_name *dev = NULL;
	size_t ndev = 0, at = 0;
	char other[16];

	switch (device_id) {
	case VIRTIO_ID_BLOCK:
		dev = blk_features, ndev = COUNT(blk_features);
		break;
	case VIRTIO_ID_NET:
		dev = net_features, ndev = COUNT(net_features);
		break;
	case VIRTIO_ID_GPU:
		dev = gpu_features, ndev = COUNT(gpu_features);
		break;
	}
	if (!len)
		return buf;
	buf[0] = '\0';
	for (unsigned bit = 0; bit < 64; bit++) {
		const char *name;

		if (!(features >> bit & 1))
			continue;
		name = find_name(transport_features, COUNT(transport_features),
				 bit);
		if (!name && dev)
			name = find_name(dev, ndev, bit);
		if (!name) {
			snprintf(other, sizeof(other), "bit%u", bit);
			name = other;
		}
		put_name(buf, len, &at, name);
	}
	if (!at)
		snprintf(buf, len, "0");
	return buf;
}
