/* SPDX-License-Identifier: MIT */
/*
 * virtio_blk.h - the block device (§5.2): feature bits, request types and
 * status values, the request header and the configuration layout.
 * Freestanding, shared by drivers/ and devices/.
 */
#ifndef VIRTSIM_WIRE_VIRTIO_BLK_H
#define VIRTSIM_WIRE_VIRTIO_BLK_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/wire/wire_assert.h"

#ifdef __cplusplus
extern "C" {
#endif

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

WIRE_STATIC_ASSERT(sizeof(struct virtio_blk_req_hdr) == 16,
		   "blk request header");
WIRE_STATIC_ASSERT(offsetof(struct virtio_blk_config, blk_size) == 20,
		   "blk_config.blk_size");
WIRE_STATIC_ASSERT(offsetof(struct virtio_blk_config, writeback) == 32,
		   "blk_config.writeback");
WIRE_STATIC_ASSERT(offsetof(struct virtio_blk_config, num_queues) == 34,
		   "blk_config.num_queues");
WIRE_STATIC_ASSERT(offsetof(struct virtio_blk_config,
			    max_secure_erase_sectors) == 60,
		   "blk_config.max_secure_erase_sectors");
WIRE_STATIC_ASSERT(sizeof(struct virtio_blk_config) == 72,
		   "blk_config (no zoned)");

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_WIRE_VIRTIO_BLK_H */
