/* SPDX-License-Identifier: MIT */
#include "tests/test_ring.h"

#include "drivers/wire/virtio_types.h"
#include "sim/guest_mem.h"
#include "tests/testutil.h"

void *test_gpa(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	void *p = guest_mem_span(mem, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

void test_desc_at(const struct guest_mem *mem, uint64_t table, unsigned i,
		  uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = test_gpa(mem, table + 16ull * i, 16);

	virtio_st_le64(d, addr);
	virtio_st_le32(d + 8, len);
	virtio_st_le16(d + 12, flags);
	virtio_st_le16(d + 14, next);
}

/* flags, idx, then the entries: all of it must be RAM, not just one field. */
static uint8_t *avail_ring(const struct test_ring *r)
{
	return test_gpa(r->mem, r->avail, 4 + 2ull * r->size);
}

static uint8_t *used_ring(const struct test_ring *r)
{
	return test_gpa(r->mem, r->used, 4 + 8ull * r->size);
}

uint16_t test_ring_avail_idx(const struct test_ring *r)
{
	return virtio_ld_le16(avail_ring(r) + 2);
}

void test_ring_set_avail_idx(const struct test_ring *r, uint16_t idx)
{
	virtio_st_le16(avail_ring(r) + 2, idx);
}

void test_ring_avail_put(const struct test_ring *r, uint16_t pos, uint16_t head)
{
	virtio_st_le16(avail_ring(r) + 4 + 2 * (pos % r->size), head);
}

void test_ring_avail_add(const struct test_ring *r, uint16_t head)
{
	uint16_t idx = test_ring_avail_idx(r);

	test_ring_avail_put(r, idx, head);
	test_ring_set_avail_idx(r, (uint16_t)(idx + 1));
}

uint16_t test_ring_used_idx(const struct test_ring *r)
{
	return virtio_ld_le16(used_ring(r) + 2);
}

uint32_t test_ring_used_id(const struct test_ring *r, unsigned i)
{
	return virtio_ld_le32(used_ring(r) + 4 + 8 * (i % r->size));
}

uint32_t test_ring_used_len(const struct test_ring *r, unsigned i)
{
	return virtio_ld_le32(used_ring(r) + 8 + 8 * (i % r->size));
}
