/* SPDX-License-Identifier: MIT */
/*
 * fdt.c - a flattened device tree walk (devicetree specification v0.4,
 * chapter 5): big-endian words read byte by byte, so the same code works
 * in both builds; every offset is checked against the blob's size.
 */
#include "hal/aarch64-virt/fdt.h"

#include <string.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u
#define FDT_MAX_SIZE (1u << 20) /* QEMU's virt tree is 1 MiB at most */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint32_t hdr(const void *fdt, unsigned word)
{
	return be32((const uint8_t *)fdt + 4 * word);
}

const void *fdt_at(uintptr_t p)
{
	const void *fdt = (const void *)p;
	uint32_t size;

	if (hdr(fdt, 0) != FDT_MAGIC || hdr(fdt, 5) < 17)
		return NULL;
	size = hdr(fdt, 1);
	if (size > FDT_MAX_SIZE || hdr(fdt, 2) >= size || hdr(fdt, 3) >= size ||
	    hdr(fdt, 2) + hdr(fdt, 9) > size)
		return NULL;
	return fdt;
}

bool fdt_root_child_reg(const void *fdt, const char *prefix, unsigned index,
			uint64_t *addr, uint64_t *size)
{
	const uint8_t *base = fdt;
	uint32_t off = hdr(fdt, 2), end = off + hdr(fdt, 9);
	uint32_t strings = hdr(fdt, 3), total = hdr(fdt, 1);
	size_t plen = strlen(prefix);
	int depth = 0;
	bool match = false; /* the depth-2 node we are in is the one */

	while (off + 4 <= end) {
		uint32_t tok = be32(base + off);

		off += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)base + off;
			uint32_t n = 0;

			while (off + n < end && name[n])
				n++;
			depth++;
			if (depth == 2)
				match =
				    n >= plen && !memcmp(name, prefix, plen);
			off += (n + 4) & ~3u; /* name, NUL, padding */
		} else if (tok == FDT_END_NODE) {
			if (depth == 2 && match)
				return false; /* the node had no such reg */
			depth--;
		} else if (tok == FDT_PROP) {
			uint32_t len, nameoff;

			if (off + 8 > end)
				return false;
			len = be32(base + off);
			nameoff = be32(base + off + 4);
			off += 8;
			if (len > end - off || strings + nameoff >= total)
				return false;
			if (depth == 2 && match &&
			    total - (strings + nameoff) >= 4 &&
			    !memcmp(base + strings + nameoff, "reg", 4) &&
			    len >= 16 * (index + 1)) {
				const uint8_t *c = base + off + 16 * index;

				*addr = (uint64_t)be32(c) << 32 | be32(c + 4);
				*size =
				    (uint64_t)be32(c + 8) << 32 | be32(c + 12);
				return true;
			}
			off += (len + 3) & ~3u;
		} else if (tok == FDT_END) {
			break;
		} else if (tok != FDT_NOP) {
			return false;
		}
	}
	return false;
}
