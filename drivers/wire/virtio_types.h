/* SPDX-License-Identifier: MIT */
/*
 * virtio_types.h - byte order at the guest boundary: every multi-byte
 * field VirtIO puts in guest memory or config space is little-endian
 * (§1.4); convert with these helpers where it is read or written, nowhere
 * else. A device driven through a legacy interface (MMIO version 1, the
 * PCI I/O BAR) uses the guest's native byte order instead, for rings,
 * request headers and device config alike (the spec's "Legacy Interface:
 * A Note on Virtqueue Endianness" and "... Device Configuration Space"):
 * the virtio16/32/64 helpers take that choice. Freestanding, shared by drivers/
 * and devices/.
 */
#ifndef VIRTSIM_WIRE_VIRTIO_TYPES_H
#define VIRTSIM_WIRE_VIRTIO_TYPES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VIRTIO_BIT(b) (1ull << (b))

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

/*
 * Device order <-> CPU order (both ways: a byte swap or nothing): native
 * for a @legacy device, little-endian otherwise. On a little-endian CPU
 * every one of these is the identity.
 */
static inline uint16_t virtio16(bool legacy, uint16_t v)
{
	return legacy ? v : virtio_le16(v);
}

static inline uint32_t virtio32(bool legacy, uint32_t v)
{
	return legacy ? v : virtio_le32(v);
}

static inline uint64_t virtio64(bool legacy, uint64_t v)
{
	return legacy ? v : virtio_le64(v);
}

/* Unaligned loads and stores in device order, for config bytes. */
static inline uint16_t virtio_ld16(bool legacy, const void *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return virtio16(legacy, v);
}

static inline uint32_t virtio_ld32(bool legacy, const void *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return virtio32(legacy, v);
}

static inline uint64_t virtio_ld64(bool legacy, const void *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return virtio64(legacy, v);
}

static inline void virtio_st16(bool legacy, void *p, uint16_t v)
{
	v = virtio16(legacy, v);
	memcpy(p, &v, sizeof(v));
}

static inline void virtio_st32(bool legacy, void *p, uint32_t v)
{
	v = virtio32(legacy, v);
	memcpy(p, &v, sizeof(v));
}

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_WIRE_VIRTIO_TYPES_H */
