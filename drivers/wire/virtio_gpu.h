/* SPDX-License-Identifier: MIT */
/*
 * virtio_gpu.h - the GPU device (§5.7), 2D part: feature bits, the
 * configuration layout, the control and cursor queue commands and their
 * responses. Every field is little-endian. Freestanding, shared by
 * drivers/ and devices/.
 */
#ifndef VIRTSIM_WIRE_VIRTIO_GPU_H
#define VIRTSIM_WIRE_VIRTIO_GPU_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/wire/wire_assert.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Feature bits (§5.7.3). */
#define VIRTIO_GPU_F_VIRGL 0
#define VIRTIO_GPU_F_EDID 1
#define VIRTIO_GPU_F_RESOURCE_UUID 2
#define VIRTIO_GPU_F_RESOURCE_BLOB 3
#define VIRTIO_GPU_F_CONTEXT_INIT 4

/* Queues (§5.7.2). */
#define VIRTIO_GPU_CONTROL_QUEUE 0
#define VIRTIO_GPU_CURSOR_QUEUE 1

/* Config events (§5.7.4). */
#define VIRTIO_GPU_EVENT_DISPLAY 1u

#define VIRTIO_GPU_MAX_SCANOUTS 16u /* GPU-N-01 */

struct virtio_gpu_config {
	uint32_t events_read;  /* device -> driver; never written (GPU-D-01) */
	uint32_t events_clear; /* driver writes 1s to clear events_read */
	uint32_t num_scanouts; /* 1..16 */
	uint32_t num_capsets;
};
WIRE_STATIC_ASSERT(sizeof(struct virtio_gpu_config) == 16, "gpu config");
WIRE_STATIC_ASSERT(offsetof(struct virtio_gpu_config, events_clear) == 4,
		   "events_clear");
WIRE_STATIC_ASSERT(offsetof(struct virtio_gpu_config, num_scanouts) == 8,
		   "num_scanouts");

/* Command and response types (§5.7.6.7). */
enum virtio_gpu_ctrl_type {
	/* 2D commands */
	VIRTIO_GPU_CMD_GET_DISPLAY_INFO = 0x0100,
	VIRTIO_GPU_CMD_RESOURCE_CREATE_2D,
	VIRTIO_GPU_CMD_RESOURCE_UNREF,
	VIRTIO_GPU_CMD_SET_SCANOUT,
	VIRTIO_GPU_CMD_RESOURCE_FLUSH,
	VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D,
	VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING,
	VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING,
	VIRTIO_GPU_CMD_GET_CAPSET_INFO,
	VIRTIO_GPU_CMD_GET_CAPSET,
	VIRTIO_GPU_CMD_GET_EDID,
	VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID,
	VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB,
	VIRTIO_GPU_CMD_SET_SCANOUT_BLOB,

	/* cursor commands */
	VIRTIO_GPU_CMD_UPDATE_CURSOR = 0x0300,
	VIRTIO_GPU_CMD_MOVE_CURSOR,

	/* success responses */
	VIRTIO_GPU_RESP_OK_NODATA = 0x1100,
	VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
	VIRTIO_GPU_RESP_OK_CAPSET_INFO,
	VIRTIO_GPU_RESP_OK_CAPSET,
	VIRTIO_GPU_RESP_OK_EDID,
	VIRTIO_GPU_RESP_OK_RESOURCE_UUID,
	VIRTIO_GPU_RESP_OK_MAP_INFO,

	/* error responses */
	VIRTIO_GPU_RESP_ERR_UNSPEC = 0x1200,
	VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY,
	VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID,
	VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID,
	VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID,
	VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
};

#define VIRTIO_GPU_FLAG_FENCE 1u
#define VIRTIO_GPU_FLAG_INFO_RING_IDX 2u

/* Every command and response starts with this header. */
struct virtio_gpu_ctrl_hdr {
	uint32_t type;
	uint32_t flags;
	uint64_t fence_id;
	uint32_t ctx_id;
	uint8_t ring_idx;
	uint8_t padding[3];
};
WIRE_STATIC_ASSERT(sizeof(struct virtio_gpu_ctrl_hdr) == 24, "ctrl hdr");
WIRE_STATIC_ASSERT(offsetof(struct virtio_gpu_ctrl_hdr, fence_id) == 8,
		   "fence_id");
WIRE_STATIC_ASSERT(offsetof(struct virtio_gpu_ctrl_hdr, ring_idx) == 20,
		   "ring_idx");

struct virtio_gpu_rect {
	uint32_t x;
	uint32_t y;
	uint32_t width;
	uint32_t height;
};
WIRE_STATIC_ASSERT(sizeof(struct virtio_gpu_rect) == 16, "rect");

/* VIRTIO_GPU_CMD_GET_DISPLAY_INFO: the header alone, answered by: */
struct virtio_gpu_display_one {
	struct virtio_gpu_rect r;
	uint32_t enabled;
	uint32_t flags;
};
struct virtio_gpu_resp_display_info {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_display_one pmodes[VIRTIO_GPU_MAX_SCANOUTS];
};
WIRE_STATIC_ASSERT(sizeof(struct virtio_gpu_resp_display_info) == 24 + 16 * 24,
		   "display info");

/* VIRTIO_GPU_CMD_GET_EDID */
struct virtio_gpu_get_edid {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t scanout;
	uint32_t padding;
};
WIRE_STATIC_ASSERT(sizeof(struct virtio_gpu_get_edid) == 32, "get edid");

#define VIRTIO_GPU_EDID_MAX 1024u
struct virtio_gpu_resp_edid {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t size;
	uint32_t padding;
	uint8_t edid[VIRTIO_GPU_EDID_MAX];
};
WIRE_STATIC_ASSERT(sizeof(struct virtio_gpu_resp_edid) == 32 + 1024,
		   "resp edid");

/* Pixel formats (§5.7.6.8): byte order in memory, 4 bytes per pixel. */
enum virtio_gpu_formats {
	VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM = 1,
	VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM = 2,
	VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM = 3,
	VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM = 4,
	VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM = 67,
	VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM = 68,
	VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM = 121,
	VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM = 134,
};
#define VIRTIO_GPU_BYTES_PER_PIXEL 4u

/* VIRTIO_GPU_CMD_RESOURCE_CREATE_2D */
struct virtio_gpu_resource_create_2d {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t format;
	uint32_t width;
	uint32_t height;
};
WIRE_STATIC_ASSERT(sizeof(struct virtio_gpu_resource_create_2d) == 40,
		   "create");

/* VIRTIO_GPU_CMD_RESOURCE_UNREF */
struct virtio_gpu_resource_unref {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t padding;
};
WIRE_STATIC_ASSERT(sizeof(struct virtio_gpu_resource_unref) == 32, "unref");

/* VIRTIO_GPU_CMD_SET_SCANOUT */
struct virtio_gpu_set_scanout {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_rect r;
	uint32_t scanout_id;
	uint32_t resource_id;
};
WIRE_STATIC_ASSERT(sizeof(struct virtio_gpu_set_scanout) == 48, "set scanout");

/* VIRTIO_GPU_CMD_RESOURCE_FLUSH */
struct virtio_gpu_resource_flush {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_rect r;
	uint32_t resource_id;
	uint32_t padding;
};
WIRE_STATIC_ASSERT(sizeof(struct virtio_gpu_resource_flush) == 48, "flush");

/* VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D */
struct virtio_gpu_transfer_to_host_2d {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_rect r;
	uint64_t offset; /* into the backing, of the rectangle's first byte */
	uint32_t resource_id;
	uint32_t padding;
};
WIRE_STATIC_ASSERT(sizeof(struct virtio_gpu_transfer_to_host_2d) == 56,
		   "transfer");
WIRE_STATIC_ASSERT(offsetof(struct virtio_gpu_transfer_to_host_2d, offset) ==
		       40,
		   "transfer offset");

/*
 * VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING: the command, then nr_entries
 * entries (in the same or following readable descriptors).
 */
struct virtio_gpu_resource_attach_backing {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t nr_entries;
};
WIRE_STATIC_ASSERT(sizeof(struct virtio_gpu_resource_attach_backing) == 32,
		   "attach");

struct virtio_gpu_mem_entry {
	uint64_t addr;
	uint32_t length;
	uint32_t padding;
};
WIRE_STATIC_ASSERT(sizeof(struct virtio_gpu_mem_entry) == 16, "mem entry");

/* VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING */
struct virtio_gpu_resource_detach_backing {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t padding;
};
WIRE_STATIC_ASSERT(sizeof(struct virtio_gpu_resource_detach_backing) == 32,
		   "detach");

/* VIRTIO_GPU_CMD_UPDATE_CURSOR and MOVE_CURSOR (§5.7.6.10). */
#define VIRTIO_GPU_CURSOR_SIZE 64u /* the image is 64x64 (GPU-D-02) */
struct virtio_gpu_cursor_pos {
	uint32_t scanout_id;
	uint32_t x;
	uint32_t y;
	uint32_t padding;
};
struct virtio_gpu_update_cursor {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_cursor_pos pos;
	uint32_t resource_id; /* 0: hide the cursor */
	uint32_t hot_x;
	uint32_t hot_y;
	uint32_t padding;
};
WIRE_STATIC_ASSERT(sizeof(struct virtio_gpu_update_cursor) == 56, "cursor");
WIRE_STATIC_ASSERT(offsetof(struct virtio_gpu_update_cursor, resource_id) == 40,
		   "cursor resource_id");

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_WIRE_VIRTIO_GPU_H */
