/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the device-side split virtqueue walker (devices/virtio/
 * vq_dev.c): queues laid out by hand in guest RAM, one test per rejection
 * class, good chains, the used ring and notification suppression.
 */
#include <stdint.h>
#include <string.h>

#include "devices/virtio/vq_dev.h"
#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_ring.h"
#include "sim/guest_mem.h"
#include "tests/test_ring.h"
#include "tests/testutil.h"

#define BASE 0x40000000ull
#define RAM (32ull << 20) /* lazily mapped; big enough for TOTAL_LEN */
#define QSZ 8
#define DESC (BASE + 0x1000)
#define AVAIL (BASE + 0x2000)
#define USED (BASE + 0x3000)
#define ITABLE (BASE + 0x4000) /* indirect tables */
#define BUF (BASE + 0x10000)

static struct guest_mem mem;
static struct vq_dev vq;
static struct trace trace; /* nothing enabled */
static struct vq_elem elem;

static const struct test_ring ring = {&mem, DESC, AVAIL, USED, QSZ};

static void *gp(uint64_t gpa)
{
	return test_gpa(&mem, gpa, 1);
}

/* A descriptor of the queue's own table. */
static void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		 uint16_t next)
{
	test_desc_at(&mem, DESC, i, addr, len, flags, next);
}

static void setup(void)
{
	ck_assert_int_eq(guest_mem_init(&mem, BASE, RAM), 0);
	vq_dev_reset(&vq, &mem, &trace);
	vq.size = QSZ;
	vq.desc_gpa = DESC;
	vq.avail_gpa = AVAIL;
	vq.used_gpa = USED;
	vq.indirect = true;
	ck_assert(vq_dev_start(&vq));
	memset(&elem, 0, sizeof(elem));
}

static void teardown(void)
{
	guest_mem_destroy(&mem);
}

/* Pop expecting rejection @err; the ring does not advance. */
static void expect_reject(int err)
{
	uint16_t last = vq.last_avail_idx;
	int ret = vq_dev_pop(&vq, &elem);

	ck_assert_msg(ret == -err, "pop returned %d (%s), wanted -%d (%s)", ret,
		      ret < 0 ? vq_dev_error_name(ret) : "ok", err,
		      vq_dev_error_name(err));
	ck_assert_ptr_nonnull(vq.err_detail);
	ck_assert(strlen(vq.err_detail) > 0);
	ck_assert_uint_eq(vq.last_avail_idx, last);
	ck_assert_uint_eq(vq.popped, 0);
}

/* Good chains --------------------------------------------------------- */

START_TEST(direct_chain)
{
	desc(0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF + 0x100, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	desc(2, BUF + 0x400, 1, VIRTQ_DESC_F_WRITE, 0);
	test_ring_avail_add(&ring, 0);

	ck_assert_int_eq(vq_dev_pop(&vq, &elem), 1);
	ck_assert_uint_eq(elem.head, 0);
	ck_assert_uint_eq(elem.n_out, 1);
	ck_assert_uint_eq(elem.n_in, 2);
	ck_assert_uint_eq(elem.out_bytes, 16);
	ck_assert_uint_eq(elem.in_bytes, 513);
	ck_assert_ptr_eq(elem.seg[0].host, gp(BUF));
	ck_assert_uint_eq(elem.seg[1].len, 512);
	ck_assert_ptr_eq(elem.seg[2].host, gp(BUF + 0x400));
	ck_assert_uint_eq(vq.last_avail_idx, 1);
	/* Empty now. */
	ck_assert_int_eq(vq_dev_pop(&vq, &elem), 0);
}
END_TEST

START_TEST(indirect_chain)
{
	/* VQ-V-04: WRITE on the indirect descriptor itself is ignored. */
	desc(3, ITABLE, 3 * 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	test_desc_at(&mem, ITABLE, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	test_desc_at(&mem, ITABLE, 2, BUF + 0x100, 100, VIRTQ_DESC_F_NEXT, 1);
	test_desc_at(&mem, ITABLE, 1, BUF + 0x400, 1, VIRTQ_DESC_F_WRITE, 0);
	test_ring_avail_add(&ring, 3);

	ck_assert_int_eq(vq_dev_pop(&vq, &elem), 1);
	ck_assert_uint_eq(elem.head, 3);
	ck_assert_uint_eq(elem.n_out, 2);
	ck_assert_uint_eq(elem.n_in, 1);
	ck_assert_uint_eq(elem.out_bytes, 116);
	ck_assert_ptr_eq(elem.seg[1].host, gp(BUF + 0x100));
	ck_assert_ptr_eq(elem.seg[2].host, gp(BUF + 0x400));
}
END_TEST

/* VQ-V-05: direct descriptors followed by one indirect descriptor. */
START_TEST(mixed_chain)
{
	desc(0, BUF, 16, VIRTQ_DESC_F_NEXT, 5);
	desc(5, ITABLE, 2 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	test_desc_at(&mem, ITABLE, 0, BUF + 0x100, 512,
		     VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	test_desc_at(&mem, ITABLE, 1, BUF + 0x400, 1, VIRTQ_DESC_F_WRITE, 0);
	test_ring_avail_add(&ring, 0);

	ck_assert_int_eq(vq_dev_pop(&vq, &elem), 1);
	ck_assert_uint_eq(elem.n_out, 1);
	ck_assert_uint_eq(elem.n_in, 2);
	ck_assert_uint_eq(elem.in_bytes, 513);
}
END_TEST

/* Zero-length buffers carry nothing and are dropped, wherever they point. */
START_TEST(zero_length_buffer_dropped)
{
	desc(0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(1, 0, 0, VIRTQ_DESC_F_NEXT, 2);
	desc(2, BUF + 0x400, 1, VIRTQ_DESC_F_WRITE, 0);
	test_ring_avail_add(&ring, 0);

	ck_assert_int_eq(vq_dev_pop(&vq, &elem), 1);
	ck_assert_uint_eq(elem.n_out, 1);
	ck_assert_uint_eq(elem.n_in, 1);
}
END_TEST

/* VQ-V-03: popping and pushing never write the descriptor table. */
START_TEST(descriptor_table_untouched)
{
	uint8_t before[QSZ * 16];

	desc(0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF + 0x400, 1, VIRTQ_DESC_F_WRITE, 0);
	test_ring_avail_add(&ring, 0);
	memcpy(before, gp(DESC), sizeof(before));
	ck_assert_int_eq(vq_dev_pop(&vq, &elem), 1);
	ck_assert_int_eq(vq_dev_push(&vq, elem.head, 1), 0);
	ck_assert_mem_eq(gp(DESC), before, sizeof(before));
}
END_TEST

/* Used ring ----------------------------------------------------------- */

/* VQ-V-10: used element written, then used->idx. */
START_TEST(push_used_ring)
{
	uint8_t *used = gp(USED);

	for (unsigned i = 0; i < QSZ + 3; i++) {
		ck_assert_int_eq(vq_dev_push(&vq, (uint16_t)(i % QSZ), 100 + i),
				 0);
		ck_assert_uint_eq(test_ring_used_id(&ring, i), i % QSZ);
		ck_assert_uint_eq(test_ring_used_len(&ring, i), 100 + i);
		ck_assert_uint_eq(test_ring_used_idx(&ring), i + 1);
	}
	/* VQ-V-12: flags stay 0 without EVENT_IDX. */
	ck_assert_uint_eq(virtio_ld_le16(used), 0);
	ck_assert_uint_eq(vq.pushed, QSZ + 3);
	/* A head the queue cannot have is a model bug, refused. */
	ck_assert_int_lt(vq_dev_push(&vq, QSZ, 0), 0);
	ck_assert_uint_eq(test_ring_used_idx(&ring), QSZ + 3);
}
END_TEST

START_TEST(pop_not_ready)
{
	desc(0, BUF, 16, 0, 0);
	test_ring_avail_add(&ring, 0);
	vq.ready = false;
	ck_assert_int_eq(vq_dev_pop(&vq, &elem), 0);
	ck_assert_int_lt(vq_dev_push(&vq, 0, 0), 0);
	ck_assert(!vq_dev_should_notify(&vq));
}
END_TEST

/* Rejections ---------------------------------------------------------- */

START_TEST(reject_head_index)
{
	test_ring_avail_add(&ring, QSZ);
	expect_reject(VQ_DEV_E_HEAD_INDEX);
}
END_TEST

START_TEST(reject_desc_next_index)
{
	desc(0, BUF, 16, VIRTQ_DESC_F_NEXT, QSZ);
	test_ring_avail_add(&ring, 0);
	expect_reject(VQ_DEV_E_DESC_INDEX);
}
END_TEST

START_TEST(reject_indirect_next_index)
{
	desc(0, ITABLE, 2 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	test_desc_at(&mem, ITABLE, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	test_ring_avail_add(&ring, 0);
	expect_reject(VQ_DEV_E_DESC_INDEX);
}
END_TEST

START_TEST(reject_loop)
{
	/* Zero-length buffers: the loop, not the segment limit, trips. */
	desc(0, BUF, 0, VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF, 0, VIRTQ_DESC_F_NEXT, 2);
	desc(2, BUF, 0, VIRTQ_DESC_F_NEXT, 0);
	test_ring_avail_add(&ring, 0);
	expect_reject(VQ_DEV_E_LOOP);
}
END_TEST

START_TEST(reject_loop_with_data)
{
	desc(0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF, 16, VIRTQ_DESC_F_NEXT, 0);
	test_ring_avail_add(&ring, 0);
	expect_reject(VQ_DEV_E_LOOP);
}
END_TEST

START_TEST(reject_indirect_loop)
{
	desc(0, ITABLE, 2 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	test_desc_at(&mem, ITABLE, 0, BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	test_desc_at(&mem, ITABLE, 1, BUF, 8, VIRTQ_DESC_F_NEXT, 0);
	test_ring_avail_add(&ring, 0);
	expect_reject(VQ_DEV_E_LOOP);
}
END_TEST

/* VQ-V-01: a reasonable limit on chain length. */
START_TEST(reject_too_long)
{
	unsigned n = VQ_ELEM_MAX_SEGS + 1;

	desc(0, ITABLE, n * 16, VIRTQ_DESC_F_INDIRECT, 0);
	for (unsigned i = 0; i < n; i++)
		test_desc_at(&mem, ITABLE, i, BUF, 1,
			     i + 1 < n ? VIRTQ_DESC_F_NEXT : 0,
			     (uint16_t)(i + 1));
	test_ring_avail_add(&ring, 0);
	expect_reject(VQ_DEV_E_TOO_LONG);

	/* Exactly the limit is fine. */
	desc(0, ITABLE, (n - 1) * 16, VIRTQ_DESC_F_INDIRECT, 0);
	test_desc_at(&mem, ITABLE, n - 2, BUF, 1, 0, 0);
	ck_assert_int_eq(vq_dev_pop(&vq, &elem), 1);
	ck_assert_uint_eq(elem.n_out, VQ_ELEM_MAX_SEGS);
}
END_TEST

/*
 * An indirect table bigger than the device walks is refused up front, even
 * when its first entry ends the chain: a table of empty descriptors must
 * not cost the host a long walk (VQ-D-07 bounds chains by the queue).
 */
START_TEST(reject_huge_indirect_table)
{
	desc(0, ITABLE, (VQ_ELEM_MAX_SEGS + 1) * 16, VIRTQ_DESC_F_INDIRECT, 0);
	test_desc_at(&mem, ITABLE, 0, BUF, 1, 0, 0);
	test_ring_avail_add(&ring, 0);
	expect_reject(VQ_DEV_E_TOO_LONG);
}
END_TEST

START_TEST(reject_buffer_outside_ram)
{
	desc(0, 0x1000, 16, 0, 0);
	test_ring_avail_add(&ring, 0);
	expect_reject(VQ_DEV_E_BUF_ADDR);
}
END_TEST

START_TEST(reject_buffer_past_ram_end)
{
	desc(0, BASE + RAM - 8, 16, 0, 0);
	test_ring_avail_add(&ring, 0);
	expect_reject(VQ_DEV_E_BUF_ADDR);
}
END_TEST

START_TEST(reject_buffer_wrapping)
{
	/* addr + len wraps around 2^64 into RAM. */
	desc(0, UINT64_MAX - 7, (uint32_t)(BASE + 0x100 + 8), 0, 0);
	test_ring_avail_add(&ring, 0);
	expect_reject(VQ_DEV_E_BUF_ADDR);
}
END_TEST

START_TEST(reject_readable_after_writable)
{
	desc(0, BUF, 16, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	desc(1, BUF + 0x100, 16, 0, 0);
	test_ring_avail_add(&ring, 0);
	expect_reject(VQ_DEV_E_ORDER);
}
END_TEST

START_TEST(reject_nested_indirect)
{
	desc(0, ITABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	test_desc_at(&mem, ITABLE, 0, ITABLE + 0x100, 16, VIRTQ_DESC_F_INDIRECT,
		     0);
	test_ring_avail_add(&ring, 0);
	expect_reject(VQ_DEV_E_INDIRECT);
}
END_TEST

START_TEST(reject_indirect_with_next)
{
	desc(0, ITABLE, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	desc(1, BUF, 1, VIRTQ_DESC_F_WRITE, 0);
	test_desc_at(&mem, ITABLE, 0, BUF, 16, 0, 0);
	test_ring_avail_add(&ring, 0);
	expect_reject(VQ_DEV_E_INDIRECT);
}
END_TEST

START_TEST(reject_indirect_not_negotiated)
{
	vq.indirect = false;
	desc(0, ITABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	test_desc_at(&mem, ITABLE, 0, BUF, 16, 0, 0);
	test_ring_avail_add(&ring, 0);
	expect_reject(VQ_DEV_E_INDIRECT);
}
END_TEST

START_TEST(reject_indirect_bad_size)
{
	desc(0, ITABLE, 24, VIRTQ_DESC_F_INDIRECT, 0);
	test_desc_at(&mem, ITABLE, 0, BUF, 16, 0, 0);
	test_ring_avail_add(&ring, 0);
	expect_reject(VQ_DEV_E_INDIRECT);
	desc(0, ITABLE, 0, VIRTQ_DESC_F_INDIRECT, 0);
	expect_reject(VQ_DEV_E_INDIRECT);
}
END_TEST

START_TEST(reject_indirect_table_outside_ram)
{
	desc(0, BASE + RAM - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	test_ring_avail_add(&ring, 0);
	expect_reject(VQ_DEV_E_INDIRECT);
}
END_TEST

START_TEST(reject_avail_idx_jump)
{
	desc(0, BUF, 16, 0, 0);
	virtio_st_le16(gp(AVAIL + 2), QSZ + 1);
	expect_reject(VQ_DEV_E_AVAIL_IDX);
	/* A full ring (exactly QSZ ahead) is legal. */
	for (unsigned i = 0; i < QSZ; i++)
		virtio_st_le16(gp(AVAIL + 4 + 2 * i), 0);
	virtio_st_le16(gp(AVAIL + 2), QSZ);
	ck_assert_int_eq(vq_dev_pop(&vq, &elem), 1);
}
END_TEST

/* A chain must fit the 32-bit used length. */
START_TEST(reject_total_len)
{
	unsigned n = 256;
	uint32_t len = 16u << 20; /* 256 x 16 MiB = 4 GiB */

	desc(0, ITABLE, n * 16, VIRTQ_DESC_F_INDIRECT, 0);
	for (unsigned i = 0; i < n; i++)
		test_desc_at(&mem, ITABLE, i, BASE + RAM - len, len,
			     VIRTQ_DESC_F_WRITE |
				 (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0),
			     (uint16_t)(i + 1));
	test_ring_avail_add(&ring, 0);
	expect_reject(VQ_DEV_E_TOTAL_LEN);
}
END_TEST

START_TEST(ring_outside_ram)
{
	struct vq_dev r = vq;

	r.used_gpa = BASE + RAM - 8;
	ck_assert(!vq_dev_rings_ok(&r));
	r = vq;
	r.desc_gpa = BASE - 0x1000;
	ck_assert(!vq_dev_rings_ok(&r));
	r = vq;
	r.avail_gpa = UINT64_MAX - 3; /* wraps */
	ck_assert(!vq_dev_rings_ok(&r));
	r = vq;
	r.desc_gpa = DESC + 8; /* §2.7: 16-byte aligned */
	ck_assert(!vq_dev_rings_ok(&r));
	r = vq;
	r.size = 0;
	ck_assert(!vq_dev_rings_ok(&r));
	/* Any size works for a modern split ring, not only powers of 2. */
	r = vq;
	r.size = 7;
	ck_assert(vq_dev_rings_ok(&r));
	/* The very end of RAM is still RAM (72: 70 bytes, 4-aligned). */
	r = vq;
	r.used_gpa = BASE + RAM - 72;
	ck_assert(vq_dev_rings_ok(&r));
	r.used_gpa = BASE + RAM - 68;
	ck_assert(!vq_dev_rings_ok(&r));
	r = vq;
	r.avail_gpa = BASE + RAM - virtq_avail_size(QSZ);
	ck_assert(vq_dev_rings_ok(&r));
	/* Rings are checked and mapped once: a start on bad ones fails. */
	r = vq;
	r.avail_gpa = BASE + RAM;
	ck_assert(!vq_dev_start(&r));
	ck_assert(!r.ready);
	ck_assert_int_eq(vq_dev_pop(&r, &elem), 0);
}
END_TEST

START_TEST(error_names)
{
	for (int e = VQ_DEV_E_AVAIL_IDX; e <= VQ_DEV_E_TOTAL_LEN; e++) {
		ck_assert_ptr_nonnull(vq_dev_error_name(e));
		ck_assert_str_eq(vq_dev_error_name(e), vq_dev_error_name(-e));
		for (int o = VQ_DEV_E_AVAIL_IDX; o < e; o++)
			ck_assert_str_ne(vq_dev_error_name(e),
					 vq_dev_error_name(o));
	}
	ck_assert_ptr_nonnull(vq_dev_error_name(0));
	ck_assert_ptr_nonnull(vq_dev_error_name(1000));
}
END_TEST

/* Notification suppression -------------------------------------------- */

/* VQ-V-06, VQ-V-07: avail->flags decides; used_event is ignored. */
START_TEST(no_interrupt_flag)
{
	virtio_st_le16(gp(AVAIL + 4 + 2 * QSZ), 100); /* used_event: ignored */
	ck_assert_int_eq(vq_dev_push(&vq, 0, 1), 0);
	ck_assert(vq_dev_should_notify(&vq));
	virtio_st_le16(gp(AVAIL), VIRTQ_AVAIL_F_NO_INTERRUPT);
	ck_assert_int_eq(vq_dev_push(&vq, 1, 1), 0);
	ck_assert(!vq_dev_should_notify(&vq));
	virtio_st_le16(gp(AVAIL), 0);
	ck_assert(vq_dev_should_notify(&vq));
}
END_TEST

/* VQ-V-08, VQ-V-09: EVENT_IDX ignores the flag and uses vring_need_event. */
START_TEST(event_idx_suppression)
{
	uint8_t *used_event = gp(AVAIL + 4 + 2 * QSZ);
	uint8_t *avail_event = gp(USED + 4 + 8 * QSZ);

	vq.event_idx = true;
	virtio_st_le16(gp(AVAIL), VIRTQ_AVAIL_F_NO_INTERRUPT);
	virtio_st_le16(used_event, 0);
	ck_assert_int_eq(vq_dev_push(&vq, 0, 1), 0); /* used idx 0 -> 1 */
	ck_assert(vq_dev_should_notify(&vq));
	ck_assert_int_eq(vq_dev_push(&vq, 1, 1), 0); /* 1 -> 2: not asked */
	ck_assert(!vq_dev_should_notify(&vq));
	virtio_st_le16(used_event, 3);
	ck_assert_int_eq(vq_dev_push(&vq, 2, 1), 0); /* 2 -> 3 */
	ck_assert(!vq_dev_should_notify(&vq));
	ck_assert_int_eq(vq_dev_push(&vq, 3, 1), 0); /* 3 -> 4: passed 3 */
	ck_assert(vq_dev_should_notify(&vq));
	/* Two pushes then one check: the event index was crossed. */
	virtio_st_le16(used_event, 4);
	ck_assert_int_eq(vq_dev_push(&vq, 4, 1), 0);
	ck_assert_int_eq(vq_dev_push(&vq, 5, 1), 0);
	ck_assert(vq_dev_should_notify(&vq));
	/* VQ-V-13: used->flags stays 0 with EVENT_IDX. */
	ck_assert_uint_eq(virtio_ld_le16(gp(USED)), 0);

	/*
	 * avail_event: a pop that finds the ring empty asks for a notify
	 * at the next entry; while there are entries to pop it is left
	 * alone (a notify would tell a working device nothing): VQ-V-13.
	 */
	virtio_st_le16(avail_event, 7);
	desc(0, BUF, 16, 0, 0);
	test_ring_avail_add(&ring, 0);
	test_ring_avail_add(&ring, 0);
	ck_assert_int_eq(vq_dev_pop(&vq, &elem), 1);
	ck_assert_uint_eq(virtio_ld_le16(avail_event), 7);
	ck_assert_int_eq(vq_dev_pop(&vq, &elem), 1);
	ck_assert_uint_eq(virtio_ld_le16(avail_event), 7);
	ck_assert_int_eq(vq_dev_pop(&vq, &elem), 0);
	ck_assert_uint_eq(virtio_ld_le16(avail_event), 2);
	test_ring_avail_add(&ring, 0);
	ck_assert_int_eq(vq_dev_pop(&vq, &elem), 1);
	ck_assert_uint_eq(virtio_ld_le16(avail_event), 2);
	ck_assert_int_eq(vq_dev_pop(&vq, &elem), 0);
	ck_assert_uint_eq(virtio_ld_le16(avail_event), 3);
}
END_TEST

static Suite *vq_dev_suite(void)
{
	Suite *s = suite_create("vq_dev");
	TCase *tc = tcase_create("good");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, direct_chain);
	tcase_add_test(tc, indirect_chain);
	tcase_add_test(tc, mixed_chain);
	tcase_add_test(tc, zero_length_buffer_dropped);
	tcase_add_test(tc, descriptor_table_untouched);
	tcase_add_test(tc, push_used_ring);
	tcase_add_test(tc, pop_not_ready);
	tcase_add_test(tc, error_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("reject");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, reject_head_index);
	tcase_add_test(tc, reject_desc_next_index);
	tcase_add_test(tc, reject_indirect_next_index);
	tcase_add_test(tc, reject_loop);
	tcase_add_test(tc, reject_loop_with_data);
	tcase_add_test(tc, reject_indirect_loop);
	tcase_add_test(tc, reject_too_long);
	tcase_add_test(tc, reject_buffer_outside_ram);
	tcase_add_test(tc, reject_buffer_past_ram_end);
	tcase_add_test(tc, reject_buffer_wrapping);
	tcase_add_test(tc, reject_readable_after_writable);
	tcase_add_test(tc, reject_nested_indirect);
	tcase_add_test(tc, reject_indirect_with_next);
	tcase_add_test(tc, reject_indirect_not_negotiated);
	tcase_add_test(tc, reject_indirect_bad_size);
	tcase_add_test(tc, reject_huge_indirect_table);
	tcase_add_test(tc, reject_indirect_table_outside_ram);
	tcase_add_test(tc, reject_avail_idx_jump);
	tcase_add_test(tc, reject_total_len);
	tcase_add_test(tc, ring_outside_ram);
	suite_add_tcase(s, tc);

	tc = tcase_create("notify");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, no_interrupt_flag);
	tcase_add_test(tc, event_idx_suppression);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(vq_dev_suite)
