/*
 * virtio_spec.h - constants and guest-visible layouts from the VirtIO 1.2/1.3
 * specification, named as the specification names them.
 *
 * Shared by the driver stack and the device models the way the Linux uapi
 * headers are shared: pure data, no behaviour. Every multi-byte field is
 * little-endian in guest memory; convert with the virtio_le* helpers at the
 * boundary only. Freestanding.
 */
#ifndef VIRTSIM_VIRTIO_SPEC_H
#define VIRTSIM_VIRTIO_SPEC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Device status (§2.1). */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE 1u
#define VIRTIO_CONFIG_S_DRIVER 2u
#define VIRTIO_CONFIG_S_DRIVER_OK 4u
#define VIRTIO_CONFIG_S_FEATURES_OK 8u
#define VIRTIO_CONFIG_S_NEEDS_RESET 64u
#define VIRTIO_CONFIG_S_FAILED 128u

/* Reserved (transport and queue) feature bits (§6). */
#define VIRTIO_F_NOTIFY_ON_EMPTY 24
#define VIRTIO_F_ANY_LAYOUT 27
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED 34
#define VIRTIO_F_IN_ORDER 35
#define VIRTIO_F_ORDER_PLATFORM 36
#define VIRTIO_F_SR_IOV 37
#define VIRTIO_F_NOTIFICATION_DATA 38
#define VIRTIO_F_NOTIF_CONFIG_DATA 39
#define VIRTIO_F_RING_RESET 40
#define VIRTIO_F_ADMIN_VQ 41

#define VIRTIO_BIT(b) (1ull << (b))

/* Device ids (§5). 0 marks an empty MMIO slot. */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG 4
#define VIRTIO_ID_BALLOON 5
#define VIRTIO_ID_SCSI 8
#define VIRTIO_ID_9P 9
#define VIRTIO_ID_GPU 16
#define VIRTIO_ID_INPUT 18
#define VIRTIO_ID_VSOCK 19
#define VIRTIO_ID_FS 26

/* Split virtqueue (§2.7). */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1
#define VIRTQ_MAX_QUEUE_SIZE 32768u

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* then le16 used_event with EVENT_IDX */
};

struct virtq_used_elem {
	uint32_t id; /* le32 by the specification; only 16 bits are used */
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[]; /* then le16 avail_event */
};

_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc is 16 bytes");
_Static_assert(offsetof(struct virtq_desc, len) == 8, "virtq_desc.len");
_Static_assert(offsetof(struct virtq_desc, flags) == 12, "virtq_desc.flags");
_Static_assert(offsetof(struct virtq_desc, next) == 14, "virtq_desc.next");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "used element is 8 bytes");
_Static_assert(offsetof(struct virtq_avail, ring) == 4, "avail.ring");
_Static_assert(offsetof(struct virtq_used, ring) == 4, "used.ring");

/* Alignment of each part (§2.7, VQ-D-01) and their sizes for @n entries. */
#define VIRTQ_DESC_ALIGN 16u
#define VIRTQ_AVAIL_ALIGN 2u
#define VIRTQ_USED_ALIGN 4u
#define VIRTQ_LEGACY_ALIGN 4096u

static inline size_t virtq_desc_size(unsigned n) { return 16u * n; }
static inline size_t virtq_avail_size(unsigned n) { return 6u + 2u * n; }
static inline size_t virtq_used_size(unsigned n) { return 6u + 8u * n; }

/* Legacy contiguous layout (§2.7.2): desc, avail, pad to @align, used. */
static inline size_t virtq_legacy_used_offset(unsigned n, size_t align)
{
	size_t a = virtq_desc_size(n) + virtq_avail_size(n);
	return (a + align - 1) & ~(align - 1);
}

static inline size_t virtq_legacy_size(unsigned n, size_t align)
{
	size_t u = virtq_legacy_used_offset(n, align) + virtq_used_size(n);
	return (u + align - 1) & ~(align - 1);
}

/* EVENT_IDX (§2.7.7): notify if new_idx has just passed event_idx. */
static inline int vring_need_event(uint16_t event_idx, uint16_t new_idx,
				   uint16_t old_idx)
{
	return (uint16_t)(new_idx - event_idx - 1) <
	       (uint16_t)(new_idx - old_idx);
}

/* MMIO transport registers (§4.2.2; v1 legacy names in §4.2.4). */
#define VIRTIO_MMIO_MAGIC_VALUE 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_GUEST_PAGE_SIZE 0x028 /* v1 only */
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_ALIGN 0x03c /* v1 only */
#define VIRTIO_MMIO_QUEUE_PFN 0x040   /* v1 only */
#define VIRTIO_MMIO_QUEUE_READY 0x044 /* v2 only */
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_AVAIL_LOW 0x090
#define VIRTIO_MMIO_QUEUE_AVAIL_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_USED_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_USED_HIGH 0x0a4
#define VIRTIO_MMIO_SHM_SEL 0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW 0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH 0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW 0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH 0x0bc
#define VIRTIO_MMIO_QUEUE_RESET 0x0c0
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100

#define VIRTIO_MMIO_MAGIC 0x74726976u /* "virt" */
#define VIRTIO_MMIO_INT_VRING 1u
#define VIRTIO_MMIO_INT_CONFIG 2u
#define VIRTIO_MMIO_WINDOW_SIZE 0x200u

/* PCI transport (§4.1). */
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

_Static_assert(sizeof(struct virtio_pci_cap) == 16, "virtio_pci_cap");
_Static_assert(sizeof(struct virtio_pci_notify_cap) == 20, "notify cap");
_Static_assert(sizeof(struct virtio_pci_cfg_cap) == 20, "pci cfg cap");
_Static_assert(offsetof(struct virtio_pci_common_cfg, device_status) == 0x14,
	       "common_cfg.device_status");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_desc) == 0x20,
	       "common_cfg.queue_desc");
_Static_assert(offsetof(struct virtio_pci_common_cfg, queue_reset) == 0x3a,
	       "common_cfg.queue_reset");
_Static_assert(sizeof(struct virtio_pci_common_cfg) == 0x40, "common_cfg");

/* Block device (§5.2). */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_GEOMETRY 4
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_TOPOLOGY 10
#define VIRTIO_BLK_F_CONFIG_WCE 11
#define VIRTIO_BLK_F_MQ 12
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_FLUSH_OUT 5 /* legacy alias of FLUSH */
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_GET_LIFETIME 10
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_T_SECURE_ERASE 14

#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_SECTOR_SIZE 512u
#define VIRTIO_BLK_ID_BYTES 20u

struct virtio_blk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct virtio_blk_geometry {
	uint16_t cylinders;
	uint8_t heads;
	uint8_t sectors;
};

struct virtio_blk_config {
	uint64_t capacity;
	uint32_t size_max;
	uint32_t seg_max;
	struct virtio_blk_geometry geometry;
	uint32_t blk_size;
	uint8_t physical_block_exp;
	uint8_t alignment_offset;
	uint16_t min_io_size;
	uint32_t opt_io_size;
	uint8_t writeback;
	uint8_t unused0;
	uint16_t num_queues;
	uint32_t max_discard_sectors;
	uint32_t max_discard_seg;
	uint32_t discard_sector_alignment;
	uint32_t max_write_zeroes_sectors;
	uint32_t max_write_zeroes_seg;
	uint8_t write_zeroes_may_unmap;
	uint8_t unused1[3];
	uint32_t max_secure_erase_sectors;
	uint32_t max_secure_erase_seg;
	uint32_t secure_erase_sector_alignment;
};

_Static_assert(sizeof(struct virtio_blk_req_hdr) == 16, "blk request header");
_Static_assert(offsetof(struct virtio_blk_config, blk_size) == 20,
	       "blk_config.blk_size");
_Static_assert(offsetof(struct virtio_blk_config, writeback) == 32,
	       "blk_config.writeback");
_Static_assert(offsetof(struct virtio_blk_config, num_queues) == 34,
	       "blk_config.num_queues");
_Static_assert(offsetof(struct virtio_blk_config, max_secure_erase_sectors) ==
		       60,
	       "blk_config.max_secure_erase_sectors");
_Static_assert(sizeof(struct virtio_blk_config) == 72, "blk_config (no zoned)");

/* Little-endian conversion at the guest boundary. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static inline uint16_t virtio_le16(uint16_t v) { return __builtin_bswap16(v); }
static inline uint32_t virtio_le32(uint32_t v) { return __builtin_bswap32(v); }
static inline uint64_t virtio_le64(uint64_t v) { return __builtin_bswap64(v); }
#else
static inline uint16_t virtio_le16(uint16_t v) { return v; }
static inline uint32_t virtio_le32(uint32_t v) { return v; }
static inline uint64_t virtio_le64(uint64_t v) { return v; }
#endif

/* Unaligned little-endian loads and stores for byte buffers. */
static inline uint16_t virtio_ld_le16(const void *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return virtio_le16(v);
}

static inline uint32_t virtio_ld_le32(const void *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return virtio_le32(v);
}

static inline uint64_t virtio_ld_le64(const void *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return virtio_le64(v);
}

static inline void virtio_st_le16(void *p, uint16_t v)
{
	v = virtio_le16(v);
	memcpy(p, &v, sizeof(v));
}

static inline void virtio_st_le32(void *p, uint32_t v)
{
	v = virtio_le32(v);
	memcpy(p, &v, sizeof(v));
}

static inline void virtio_st_le64(void *p, uint64_t v)
{
	v = virtio_le64(v);
	memcpy(p, &v, sizeof(v));
}

#endif /* VIRTSIM_VIRTIO_SPEC_H */
