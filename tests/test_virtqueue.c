/* SPDX-License-Identifier: MIT */
/*
 * The driver-side split virtqueue (§2.7) on a machine's DMA memory, with
 * a fake transport that records what the queue hands to the device. The
 * test plays the device: it reads descriptors and the available ring and
 * writes the used ring through guest-physical addresses, as a device
 * would.
 *
 * The "device" case runs the driver bring-up helper (virtio_device.h) on
 * the same fake transport, which then also plays status, features, queue
 * limits and the interrupt cause.
 */
#include <string.h>

#include "drivers/virtio/virtio_device.h"
#include "drivers/virtio/virtqueue.h"
#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_ring.h"
#include "sim/machine.h"
#include "tests/test_transport.h"
#include "tests/testutil.h"

struct fake_transport {
	struct test_transport tt; /* first: the ops cast from its base */
	uint16_t q, size;
	uint64_t desc, avail, used;
	unsigned sets, unsets, notifies;
	int set_err;
	bool in_use; /* queue_used says so */
	/* The device side of virtio_device's calls, beyond tt's. */
	bool refuse_features;
	uint8_t status_log[32], status_before[32];
	unsigned nstatus;
};

static struct machine m;
static bool m_live;
static struct fake_transport ft;
static struct virtqueue vq;

static struct fake_transport *to_fake(struct virtio_transport *t)
{
	return (struct fake_transport *)t;
}

static int fake_queue_set(struct virtio_transport *t, uint16_t q, uint16_t size,
			  uint64_t desc, uint64_t avail, uint64_t used)
{
	struct fake_transport *f = to_fake(t);

	if (f->set_err)
		return f->set_err;
	f->q = q;
	f->size = size;
	f->desc = desc;
	f->avail = avail;
	f->used = used;
	f->sets++;
	return 0;
}

static bool fake_queue_used(struct virtio_transport *t, uint16_t q)
{
	return to_fake(t)->in_use;
}

static void fake_queue_unset(struct virtio_transport *t, uint16_t q)
{
	to_fake(t)->unsets++;
}

static void fake_notify(struct virtio_transport *t, uint16_t q)
{
	to_fake(t)->notifies++;
}

/* Keeps NEEDS_RESET until a reset, refuses FEATURES_OK when told to. */
static void fake_set_status(struct virtio_transport *t, uint8_t v)
{
	struct fake_transport *f = to_fake(t);

	if (f->nstatus < sizeof(f->status_log)) {
		f->status_before[f->nstatus] = f->tt.status;
		f->status_log[f->nstatus++] = v;
	}
	if (f->refuse_features)
		v &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
	f->tt.status =
	    v ? (uint8_t)(v | (f->tt.status & VIRTIO_CONFIG_S_NEEDS_RESET)) : 0;
}

static const struct virtio_transport_ops fake_ops = {
    TEST_TRANSPORT_OPS,
    .set_status = fake_set_status,
    .queue_used = fake_queue_used,
    .queue_set = fake_queue_set,
    .queue_unset = fake_queue_unset,
    .notify = fake_notify,
};

static void setup(void)
{
	struct machine_options o = {.mem_size = 4u << 20};

	ck_assert_int_eq(machine_init(&m, &o), 0);
	m_live = true;
	memset(&ft, 0, sizeof(ft));
	test_transport_init(&ft.tt, &fake_ops, &m);
	memset(&vq, 0, sizeof(vq));
}

static void teardown(void)
{
	if (m_live)
		machine_destroy(&m, false);
	m_live = false;
}

static void vq_start(uint16_t size, unsigned flags)
{
	ck_assert_int_eq(
	    virtqueue_init(&vq, machine_hal(&m), &ft.tt.base, 0, size, flags),
	    0);
	ck_assert_uint_eq(ft.sets, 1);
}

/* Tear down and check the HAL's books: no DMA leaked, nothing freed twice. */
static void vq_finish(void)
{
	virtqueue_destroy(&vq);
	ck_assert_uint_eq(ft.unsets, 1);
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
	m_live = false;
}

/* ---- the device's view, through guest-physical addresses ---- */

static void *gpa(uint64_t a, size_t len)
{
	void *p = guest_mem_span(&m.mem, a, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

static struct virtq_desc dev_desc_at(uint64_t table, uint16_t i)
{
	struct virtq_desc d;

	memcpy(&d, gpa(table + 16u * i, 16), 16);
	d.addr = virtio_le64(d.addr);
	d.len = virtio_le32(d.len);
	d.flags = virtio_le16(d.flags);
	d.next = virtio_le16(d.next);
	return d;
}

static struct virtq_desc dev_desc(uint16_t i)
{
	return dev_desc_at(ft.desc, i);
}

static uint16_t dev_avail_idx(void)
{
	return virtio_ld_le16(gpa(ft.avail + 2, 2));
}

static uint16_t dev_avail_flags(void)
{
	return virtio_ld_le16(gpa(ft.avail, 2));
}

static uint16_t dev_avail_ring(uint16_t i)
{
	return virtio_ld_le16(gpa(ft.avail + 4 + 2u * (i % ft.size), 2));
}

static uint16_t dev_used_event(void)
{
	return virtio_ld_le16(gpa(ft.avail + 4 + 2u * ft.size, 2));
}

static void dev_set_used_flags(uint16_t f)
{
	virtio_st_le16(gpa(ft.used, 2), f);
}

static void dev_set_avail_event(uint16_t v)
{
	virtio_st_le16(gpa(ft.used + 4 + 8u * ft.size, 2), v);
}

static uint16_t dev_used_idx(void)
{
	return virtio_ld_le16(gpa(ft.used + 2, 2));
}

static void dev_push_used(uint32_t id, uint32_t len)
{
	uint16_t idx = dev_used_idx();
	uint8_t *e = gpa(ft.used + 4 + 8u * (idx % ft.size), 8);

	virtio_st_le32(e, id);
	virtio_st_le32(e + 4, len);
	virtio_st_le16(gpa(ft.used + 2, 2), (uint16_t)(idx + 1));
}

static struct virtqueue_buf out_buf(uint64_t pa, uint32_t len)
{
	return (struct virtqueue_buf){pa, len, false};
}

static struct virtqueue_buf in_buf(uint64_t pa, uint32_t len)
{
	return (struct virtqueue_buf){pa, len, true};
}

/* A chain of @n_out readable and @n_in writable made-up buffers. */
static int add_chain(unsigned n_out, unsigned n_in, uint16_t *token)
{
	struct virtqueue_buf b[80];

	for (unsigned i = 0; i < n_out + n_in; i++)
		b[i] = (struct virtqueue_buf){0x40000000ull + 0x1000u * i,
					      100 + i, i >= n_out};
	return virtqueue_add(&vq, b, n_out, n_in, token);
}

/* ---- layout ---- */

/* VQ-D-01, VQ-D-15 */
START_TEST(modern_layout_aligned_and_zeroed)
{
	const uint16_t n = 256;

	vq_start(n, 0);
	ck_assert_uint_eq(ft.size, n);
	ck_assert_uint_eq(ft.desc % 16, 0);
	ck_assert_uint_eq(ft.avail % 2, 0);
	ck_assert_uint_eq(ft.used % 4, 0);
	/* The parts do not overlap and hold 16n, 6+2n, 6+8n bytes. */
	ck_assert_uint_ge(ft.avail, ft.desc + virtq_desc_size(n));
	ck_assert_uint_ge(ft.used, ft.avail + virtq_avail_size(n));
	gpa(ft.used, virtq_used_size(n));
	ck_assert_uint_eq(virtio_ld_le16(gpa(ft.used, 2)), 0);
	ck_assert_uint_eq(dev_used_idx(), 0);
	ck_assert_uint_eq(dev_avail_idx(), 0);
	ck_assert_uint_eq(virtqueue_num_free(&vq), n);
	ck_assert_uint_eq(virtqueue_num_in_flight(&vq), 0);
	vq_finish();
}
END_TEST

/* Legacy (§2.7.2): one area, used ring on the next 4096 boundary. */
START_TEST(legacy_layout_offsets)
{
	const uint16_t n = 128;

	vq_start(n, VIRTQUEUE_F_LEGACY | VIRTQUEUE_F_EVENT_IDX);
	ck_assert_uint_eq(ft.desc % VIRTQ_LEGACY_ALIGN, 0);
	ck_assert_uint_eq(ft.avail, ft.desc + virtq_desc_size(n));
	ck_assert_uint_eq(ft.used, ft.desc + virtq_legacy_used_offset(n, 4096));
	ck_assert_uint_eq(ft.used % VIRTQ_LEGACY_ALIGN, 0);
	gpa(ft.desc, virtq_legacy_size(n, 4096));
	ck_assert_uint_eq(virtio_ld_le16(gpa(ft.used, 2)), 0); /* VQ-D-15 */
	vq_finish();
}
END_TEST

START_TEST(bad_sizes_rejected_without_leak)
{
	const uint16_t bad[] = {0, 3, 100, 65535};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(virtqueue_init(&vq, machine_hal(&m),
						&ft.tt.base, 0, bad[i], 0),
				 -VIRTIO_ERR_INVALID_PARAM);
	ft.set_err = -VIRTIO_ERR_NOT_READY;
	ck_assert_int_eq(virtqueue_init(&vq, machine_hal(&m), &ft.tt.base, 0,
					16, VIRTQUEUE_F_INDIRECT),
			 -VIRTIO_ERR_NOT_READY);
	ck_assert_uint_eq(ft.sets, 0);
	virtqueue_destroy(&vq); /* harmless after a failed init */
	ck_assert_uint_eq(ft.unsets, 0);
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
	m_live = false;
}
END_TEST

/* A queue set up already (re-init without reset) is not taken over. */
START_TEST(queue_in_use_is_already_used_without_leak)
{
	ft.in_use = true;
	ck_assert_int_eq(virtqueue_init(&vq, machine_hal(&m), &ft.tt.base, 0,
					16, VIRTQUEUE_F_INDIRECT),
			 -VIRTIO_ERR_ALREADY_USED);
	ck_assert_uint_eq(ft.sets, 0);
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
	m_live = false;
}
END_TEST

START_TEST(dma_exhaustion_is_dma_error)
{
	uint64_t pa;
	void *va;

	/* Take all of RAM but one page: the rings cannot be allocated. */
	ck_assert_int_eq(hal_dma_alloc(machine_hal(&m), 1023, &pa, &va), 0);
	ck_assert_int_eq(
	    virtqueue_init(&vq, machine_hal(&m), &ft.tt.base, 0, 256, 0),
	    -VIRTIO_ERR_DMA_ERROR);
	ck_assert_int_eq(hal_dma_free(machine_hal(&m), pa, va, 1023), 0);
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
	m_live = false;
}
END_TEST

/* ---- chains ---- */

/* VQ-D-02: readable first, NEXT links, WRITE on the writable tail. */
START_TEST(chain_readable_then_writable)
{
	struct virtqueue_buf b[4] = {
	    out_buf(0x40001000, 16), out_buf(0x40002000, 512),
	    in_buf(0x40003000, 512), in_buf(0x40004000, 1)};
	uint16_t token, i;

	vq_start(8, 0);
	ck_assert_int_eq(virtqueue_add(&vq, b, 2, 2, &token), 0);
	ck_assert_uint_eq(dev_avail_idx(), 1);
	ck_assert_uint_eq(dev_avail_ring(0), token);
	i = token;
	for (unsigned k = 0; k < 4; k++) {
		struct virtq_desc d = dev_desc(i);

		ck_assert_uint_eq(d.addr, b[k].paddr);
		ck_assert_uint_eq(d.len, b[k].len);
		ck_assert_uint_eq(!!(d.flags & VIRTQ_DESC_F_WRITE), k >= 2);
		ck_assert_uint_eq(!!(d.flags & VIRTQ_DESC_F_NEXT), k < 3);
		ck_assert_uint_eq(d.flags & VIRTQ_DESC_F_INDIRECT, 0);
		ck_assert_uint_lt(d.next, 8);
		i = d.next;
	}
	ck_assert_uint_eq(virtqueue_num_free(&vq), 4);
	ck_assert_uint_eq(virtqueue_num_in_flight(&vq), 1);
	vq_finish();
}
END_TEST

/* VQ-D-02 / VQ-D-03: malformed chains never reach the ring. */
START_TEST(malformed_chains_rejected)
{
	struct virtqueue_buf b[3] = {in_buf(0x40001000, 16),
				     out_buf(0x40002000, 16),
				     out_buf(0x40003000, 0)};
	struct virtqueue_buf huge[2] = {out_buf(0x40001000, 0xffffffffu),
					in_buf(0x40002000, 2)};
	uint16_t token;

	vq_start(8, 0);
	/* A writable buffer among the readable ones. */
	ck_assert_int_eq(virtqueue_add(&vq, b, 2, 0, &token),
			 -VIRTIO_ERR_INVALID_PARAM);
	/* A readable buffer counted as writable. */
	ck_assert_int_eq(virtqueue_add(&vq, b + 1, 0, 1, &token),
			 -VIRTIO_ERR_INVALID_PARAM);
	/* Empty buffer, empty chain, more than 2^32 bytes. */
	ck_assert_int_eq(virtqueue_add(&vq, b + 2, 1, 0, &token),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtqueue_add(&vq, b, 0, 0, &token),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtqueue_add(&vq, huge, 1, 1, &token),
			 -VIRTIO_ERR_INVALID_PARAM);
	/* VQ-D-07: longer than the queue. */
	ck_assert_int_eq(add_chain(5, 4, &token), -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_uint_eq(dev_avail_idx(), 0);
	ck_assert_uint_eq(virtqueue_num_free(&vq), 8);
	vq_finish();
}
END_TEST

/* Freed chains go to the back of the free list: every descriptor gets
 * used, and a just-freed head is not handed out again at once. */
START_TEST(free_list_reuse)
{
	uint16_t token, first, seen = 0, t2;
	uint32_t len;

	vq_start(8, 0);
	ck_assert_int_eq(add_chain(1, 2, &first), 0);
	dev_push_used(first, 7);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len), 0);
	ck_assert_uint_eq(token, first);
	ck_assert_uint_eq(virtqueue_num_free(&vq), 8);
	ck_assert_int_eq(add_chain(1, 2, &t2), 0);
	ck_assert_uint_ne(t2, first);
	dev_push_used(t2, 1);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len), 0);

	for (unsigned r = 0; r < 64; r++) {
		uint16_t i;

		ck_assert_int_eq(add_chain(2, 1, &token), 0);
		for (i = token;; i = dev_desc(i).next) {
			seen |= (uint16_t)(1u << i);
			if (!(dev_desc(i).flags & VIRTQ_DESC_F_NEXT))
				break;
		}
		dev_push_used(token, 1);
		ck_assert_int_eq(virtqueue_pop_used(&vq, &t2, &len), 0);
		ck_assert_uint_eq(t2, token);
		ck_assert_uint_eq(virtqueue_num_free(&vq), 8);
	}
	ck_assert_uint_eq(seen, 0xff);
	vq_finish();
}
END_TEST

/* VQ-D-05, VQ-D-06, VQ-D-08, VQ-D-09: one descriptor points at a sequential table. */
START_TEST(indirect_table_layout)
{
	struct virtqueue_buf b[3] = {out_buf(0x40001000, 16),
				     in_buf(0x40002000, 4096),
				     in_buf(0x40003000, 1)};
	struct virtq_desc d, e;
	uint16_t token;

	vq_start(64, VIRTQUEUE_F_INDIRECT);
	ck_assert_int_eq(virtqueue_add(&vq, b, 1, 2, &token), 0);
	ck_assert_uint_eq(virtqueue_num_free(&vq), 63);
	d = dev_desc(token);
	ck_assert_uint_eq(d.flags, VIRTQ_DESC_F_INDIRECT);
	ck_assert_uint_eq(d.len, 3 * sizeof(struct virtq_desc));
	for (uint16_t k = 0; k < 3; k++) {
		e = dev_desc_at(d.addr, k);
		ck_assert_uint_eq(e.addr, b[k].paddr);
		ck_assert_uint_eq(e.len, b[k].len);
		ck_assert_uint_eq(e.flags & VIRTQ_DESC_F_INDIRECT, 0);
		ck_assert_uint_eq(!!(e.flags & VIRTQ_DESC_F_WRITE), k >= 1);
		ck_assert_uint_eq(!!(e.flags & VIRTQ_DESC_F_NEXT), k < 2);
		if (k < 2)
			ck_assert_uint_eq(e.next, k + 1);
	}
	/* A single buffer needs no table. */
	ck_assert_int_eq(virtqueue_add(&vq, b, 1, 0, &token), 0);
	ck_assert_uint_eq(dev_desc(token).flags, 0);
	ck_assert_uint_eq(virtqueue_num_free(&vq), 62);
	/* A full table still takes one descriptor. */
	ck_assert_int_eq(add_chain(1, VIRTQUEUE_INDIRECT_MAX - 1, &token), 0);
	ck_assert_uint_eq(dev_desc(token).flags, VIRTQ_DESC_F_INDIRECT);
	ck_assert_uint_eq(virtqueue_num_free(&vq), 61);
	/* Longer than a table: a plain chain (VQ-D-07 still holds). */
	ck_assert_int_eq(add_chain(VIRTQUEUE_INDIRECT_MAX, 1, &token), 0);
	ck_assert_uint_eq(dev_desc(token).flags, VIRTQ_DESC_F_NEXT);
	ck_assert_uint_eq(virtqueue_num_free(&vq),
			  61 - VIRTQUEUE_INDIRECT_MAX - 1);
	ck_assert_int_eq(add_chain(40, 30, &token), -VIRTIO_ERR_INVALID_PARAM);
	vq_finish();
}
END_TEST

/* Without INDIRECT the flag never appears (VQ-D-05). */
START_TEST(no_indirect_unless_negotiated)
{
	uint16_t token;

	vq_start(16, 0);
	ck_assert_int_eq(add_chain(1, 2, &token), 0);
	for (uint16_t i = 0; i < 16; i++)
		ck_assert_uint_eq(dev_desc(i).flags & VIRTQ_DESC_F_INDIRECT, 0);
	vq_finish();
}
END_TEST

START_TEST(queue_full)
{
	uint16_t token;
	uint32_t len;
	uint16_t t[4];

	vq_start(4, 0);
	ck_assert_int_eq(add_chain(1, 2, &t[0]), 0);
	ck_assert_int_eq(add_chain(1, 1, &token), -VIRTIO_ERR_QUEUE_FULL);
	ck_assert_int_eq(add_chain(0, 1, &t[1]), 0);
	ck_assert(virtqueue_is_full(&vq));
	ck_assert_int_eq(add_chain(0, 1, &token), -VIRTIO_ERR_QUEUE_FULL);
	ck_assert_uint_eq(dev_avail_idx(), 2); /* failed adds publish nothing */
	dev_push_used(t[0], 3);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len), 0);
	ck_assert_int_eq(add_chain(1, 1, &token), 0);
	vq_finish();
	/* With indirect tables each chain takes one descriptor. */
	setup();
	vq_start(4, VIRTQUEUE_F_INDIRECT);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(add_chain(1, 2, &t[i]), 0);
	ck_assert_int_eq(add_chain(1, 2, &token), -VIRTIO_ERR_QUEUE_FULL);
	ck_assert_uint_eq(virtqueue_num_in_flight(&vq), 4);
	vq_finish();
}
END_TEST

/* ---- used ring ---- */

/* Tokens come back in the device's order, with lengths and cookies. */
START_TEST(pop_in_completion_order)
{
	struct virtqueue_buf b = in_buf(0x40001000, 64);
	int cookies[3];
	uint16_t t[3], token;
	uint32_t len;

	vq_start(8, VIRTQUEUE_F_INDIRECT);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(
		    virtqueue_add_cookie(&vq, &b, 0, 1, &cookies[i], &t[i]), 0);
	ck_assert(!virtqueue_peek_used(&vq));
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len),
			 -VIRTIO_ERR_NOT_READY);
	dev_push_used(t[2], 30);
	dev_push_used(t[0], 10);
	dev_push_used(t[1], 20);
	ck_assert(virtqueue_peek_used(&vq));
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len), 0);
	ck_assert_uint_eq(token, t[2]);
	ck_assert_uint_eq(len, 30);
	ck_assert_ptr_eq(virtqueue_cookie(&vq, token), &cookies[2]);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len), 0);
	ck_assert_uint_eq(token, t[0]);
	ck_assert_uint_eq(len, 10);
	ck_assert_ptr_eq(virtqueue_cookie(&vq, token), &cookies[0]);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len), 0);
	ck_assert_uint_eq(token, t[1]);
	ck_assert_uint_eq(len, 20);
	ck_assert(!virtqueue_peek_used(&vq));
	ck_assert_uint_eq(virtqueue_num_in_flight(&vq), 0);
	ck_assert_uint_eq(virtqueue_num_free(&vq), 8);
	vq_finish();
}
END_TEST

/* Indices wrap at 2^16; ring slots at the queue size. */
START_TEST(indices_wrap)
{
	uint16_t token = 0, t2 = 0;
	uint32_t len = 0;

	vq_start(4, 0);
	/* One check per round, asserted on the first that fails: 70000
	 * passing ck_asserts cost Check more than the test itself. */
	for (unsigned r = 0; r < 70000; r++) {
		bool ok = add_chain(1, 1, &token) == 0 &&
			  dev_avail_ring((uint16_t)r) == token;

		dev_push_used(token, r & 0xff);
		ok = ok && virtqueue_pop_used(&vq, &t2, &len) == 0 &&
		     t2 == token && len == (r & 0xff);
		if (!ok)
			ck_abort_msg("round %u: token %u, used %u len %u", r,
				     token, t2, len);
	}
	ck_assert_uint_eq(dev_avail_idx(), (uint16_t)70000);
	vq_finish();
}
END_TEST

/*
 * A used->idx further ahead than the ring holds: IoError, counted,
 * nothing consumed (the entries past the ring's worth would be stale).
 */
START_TEST(used_idx_beyond_the_ring_is_io_error)
{
	uint16_t t, token;
	uint32_t len;

	vq_start(8, 0);
	ck_assert_int_eq(add_chain(1, 1, &t), 0);
	dev_push_used(t, 3);
	virtio_st_le16(gpa(ft.used + 2, 2), (uint16_t)(dev_used_idx() + 8));
	ck_assert_int_eq(virtqueue_get_used(&vq, &token, &len),
			 -VIRTIO_ERR_IO_ERROR);
	ck_assert_int_eq(virtqueue_get_used(&vq, &token, &len),
			 -VIRTIO_ERR_IO_ERROR);
	ck_assert_uint_eq(vq.bad_used, 2);
	ck_assert_uint_eq(virtqueue_num_in_flight(&vq), 1);
	/* A ring's worth ahead exactly is still in range. */
	virtio_st_le16(gpa(ft.used + 2, 2), (uint16_t)(dev_used_idx() - 1));
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len), 0);
	ck_assert_uint_eq(token, t);
	ck_assert_uint_eq(len, 3);
	vq_finish();
}
END_TEST

START_TEST(wrong_token_for_bad_used_id)
{
	uint16_t t, token, inner;
	uint32_t len = 99;

	vq_start(8, 0);
	ck_assert_int_eq(add_chain(1, 2, &t), 0);
	inner = dev_desc(t).next;
	/* Out of range. */
	dev_push_used(8, 1);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len),
			 -VIRTIO_ERR_WRONG_TOKEN);
	ck_assert_uint_eq(len, 0);
	/* Way out of range (only 16 bits of the le32 are an index). */
	dev_push_used(0x10000u + t, 1);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len),
			 -VIRTIO_ERR_WRONG_TOKEN);
	/* Inside the chain, but not its head. */
	dev_push_used(inner, 1);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len),
			 -VIRTIO_ERR_WRONG_TOKEN);
	/* Never made available. */
	dev_push_used(7, 1);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len),
			 -VIRTIO_ERR_WRONG_TOKEN);
	ck_assert_uint_eq(vq.bad_used, 4);
	/* The chain itself is still in flight and completes normally. */
	ck_assert_uint_eq(virtqueue_num_in_flight(&vq), 1);
	dev_push_used(t, 5);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len), 0);
	ck_assert_uint_eq(token, t);
	ck_assert_uint_eq(len, 5);
	vq_finish();
}
END_TEST

START_TEST(already_used_on_duplicate)
{
	uint16_t t, token;
	uint32_t len;

	vq_start(8, VIRTQUEUE_F_INDIRECT);
	ck_assert_int_eq(add_chain(1, 2, &t), 0);
	dev_push_used(t, 1);
	dev_push_used(t, 1);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len), 0);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len),
			 -VIRTIO_ERR_ALREADY_USED);
	ck_assert_uint_eq(token, t);
	ck_assert_uint_eq(virtqueue_num_free(&vq), 8);
	ck_assert_uint_eq(virtqueue_num_in_flight(&vq), 0);
	vq_finish();
}
END_TEST

/*
 * A ring kept full (a NIC's receive queue): the head a chain gave back
 * is the only free one, so it is made available again at once. A
 * duplicate of the first entry, published with it, then names a chain
 * in flight, but it was on the ring before that chain existed: a
 * duplicate still (AlreadyUsed), never that chain's completion, which
 * comes in its turn.
 */
START_TEST(duplicate_names_no_chain_made_available_after_it)
{
	uint16_t t[2], again, token;
	uint32_t len;

	vq_start(2, 0);
	ck_assert_int_eq(add_chain(0, 1, &t[0]), 0);
	ck_assert_int_eq(add_chain(0, 1, &t[1]), 0);
	dev_push_used(t[0], 40);
	dev_push_used(t[0], 40);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len), 0);
	ck_assert_uint_eq(token, t[0]);
	ck_assert_int_eq(add_chain(0, 1, &again), 0);
	ck_assert_uint_eq(again, t[0]);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len),
			 -VIRTIO_ERR_ALREADY_USED);
	ck_assert_uint_eq(vq.bad_used, 1);
	ck_assert_uint_eq(virtqueue_num_in_flight(&vq), 2);
	/* Its own completion, written after it was made available. */
	dev_push_used(again, 7);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len), 0);
	ck_assert_uint_eq(token, again);
	ck_assert_uint_eq(len, 7);
	vq_finish();
}
END_TEST

/* ---- held chains: get_used, then release ---- */

/* The fuzzer's case: 2-descriptor chains on a queue of 4. A held chain
 * keeps its head, so two unreleased requests never share a token. */
START_TEST(held_chain_keeps_its_token)
{
	uint16_t t[2], token, again;
	uint32_t len;

	vq_start(4, 0);
	ck_assert_int_eq(add_chain(1, 1, &t[0]), 0);
	dev_push_used(t[0], 1);
	ck_assert_int_eq(virtqueue_get_used(&vq, &token, &len), 0);
	ck_assert_uint_eq(token, t[0]);
	ck_assert_uint_eq(virtqueue_num_held(&vq), 1);
	ck_assert_uint_eq(virtqueue_num_in_flight(&vq), 0);
	ck_assert_uint_eq(virtqueue_num_free(&vq), 2);
	ck_assert_int_eq(add_chain(1, 1, &t[1]), 0);
	ck_assert_uint_ne(t[1], t[0]);
	dev_push_used(t[1], 1);
	ck_assert_int_eq(virtqueue_get_used(&vq, &token, &len), 0);
	ck_assert_uint_eq(token, t[1]);
	/* Both held: nothing to hand out, where pop_used would have
	 * freed t[0] and handed it out again. */
	ck_assert_int_eq(add_chain(1, 1, &token), -VIRTIO_ERR_QUEUE_FULL);
	ck_assert_uint_eq(virtqueue_num_held(&vq), 2);
	ck_assert_int_eq(virtqueue_release(&vq, t[0]), 0);
	ck_assert_int_eq(add_chain(1, 1, &again), 0);
	ck_assert_uint_eq(again, t[0]);
	ck_assert_uint_eq(virtqueue_num_held(&vq), 1);
	ck_assert_int_eq(virtqueue_release(&vq, t[1]), 0);
	ck_assert_uint_eq(virtqueue_num_free(&vq), 2);
	vq_finish();
}
END_TEST

/* Many adds, uses, gets and releases in a scrambled order on a small
 * queue: add never returns a token that is in flight or held, and every
 * descriptor is accounted for. */
START_TEST(held_tokens_never_handed_out)
{
	enum { N = 4 };
	uint8_t owner[N] = {0}; /* 0 free, 1 in flight, 2 used, 3 held */
	unsigned ndescs[N] = {0}, rng = 12345;
	uint16_t token;
	uint32_t len;

	vq_start(N, 0);
	for (unsigned r = 0; r < 20000; r++) {
		unsigned pick, used = 0;
		bool held;

		rng = rng * 1103515245u + 12345u;
		pick = (rng >> 16) % N;
		switch ((rng >> 8) % 4) {
		case 0: /* add a chain of 1 or 2 descriptors */
			if (add_chain(1, pick & 1, &token) != 0)
				break;
			ck_assert_uint_eq(owner[token], 0);
			owner[token] = 1;
			ndescs[token] = 1 + (pick & 1);
			break;
		case 1: /* the device uses one, in any order */
			if (owner[pick] == 1) {
				dev_push_used(pick, 1);
				owner[pick] = 2;
			}
			break;
		case 2: /* the driver takes the next used one */
			if (virtqueue_get_used(&vq, &token, &len) == 0) {
				ck_assert_uint_eq(owner[token], 2);
				owner[token] = 3;
			}
			break;
		case 3: /* ... and finishes a held one, in any order */
			held = owner[pick] == 3;
			ck_assert_int_eq(virtqueue_release(&vq, pick),
					 held ? 0 : -VIRTIO_ERR_WRONG_TOKEN);
			if (held)
				owner[pick] = 0;
			break;
		}
		for (unsigned i = 0; i < N; i++)
			used += owner[i] ? ndescs[i] : 0;
		ck_assert_uint_eq(virtqueue_num_free(&vq) + used, N);
	}
	ck_assert_uint_eq(vq.bad_used, 0);
	ck_assert_uint_gt(vq.pops, 1000);
	vq_finish();
}
END_TEST

START_TEST(release_of_unheld_token_is_wrong_token)
{
	uint16_t t, token;
	uint32_t len;

	vq_start(8, 0);
	/* Never added, out of range. */
	ck_assert_int_eq(virtqueue_release(&vq, 0), -VIRTIO_ERR_WRONG_TOKEN);
	ck_assert_int_eq(virtqueue_release(&vq, 8), -VIRTIO_ERR_WRONG_TOKEN);
	ck_assert_int_eq(virtqueue_release(&vq, 0xffff),
			 -VIRTIO_ERR_WRONG_TOKEN);
	/* In flight: the device's, not ours to free. */
	ck_assert_int_eq(add_chain(1, 2, &t), 0);
	ck_assert_int_eq(virtqueue_release(&vq, t), -VIRTIO_ERR_WRONG_TOKEN);
	ck_assert_uint_eq(virtqueue_num_in_flight(&vq), 1);
	/* Not the head of its chain. */
	dev_push_used(t, 1);
	ck_assert_int_eq(virtqueue_get_used(&vq, &token, &len), 0);
	ck_assert_int_eq(virtqueue_release(&vq, dev_desc(t).next),
			 -VIRTIO_ERR_WRONG_TOKEN);
	/* Released already. */
	ck_assert_int_eq(virtqueue_release(&vq, t), 0);
	ck_assert_int_eq(virtqueue_release(&vq, t), -VIRTIO_ERR_WRONG_TOKEN);
	ck_assert_uint_eq(virtqueue_num_free(&vq), 8);
	ck_assert_uint_eq(virtqueue_num_held(&vq), 0);
	vq_finish();
}
END_TEST

START_TEST(duplicate_used_for_held_chain_is_already_used)
{
	uint16_t t, token;
	uint32_t len = 99;

	vq_start(8, VIRTQUEUE_F_INDIRECT);
	ck_assert_int_eq(add_chain(1, 2, &t), 0);
	dev_push_used(t, 3);
	dev_push_used(t, 4);
	ck_assert_int_eq(virtqueue_get_used(&vq, &token, &len), 0);
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(virtqueue_get_used(&vq, &token, &len),
			 -VIRTIO_ERR_ALREADY_USED);
	ck_assert_uint_eq(token, t);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(vq.bad_used, 1);
	/* Still held, and released once. */
	ck_assert_uint_eq(virtqueue_num_held(&vq), 1);
	ck_assert_uint_eq(virtqueue_num_free(&vq), 7);
	ck_assert_int_eq(virtqueue_release(&vq, t), 0);
	ck_assert_uint_eq(virtqueue_num_free(&vq), 8);
	vq_finish();
}
END_TEST

START_TEST(cookie_valid_while_held)
{
	struct virtqueue_buf b = in_buf(0x40000000, 1);
	int c, other;
	uint16_t t, t2, token;
	uint32_t len;

	vq_start(8, 0);
	ck_assert_int_eq(virtqueue_add_cookie(&vq, &b, 0, 1, &c, &t), 0);
	dev_push_used(t, 1);
	ck_assert_int_eq(virtqueue_get_used(&vq, &token, &len), 0);
	ck_assert_ptr_eq(virtqueue_cookie(&vq, t), &c);
	/* Other requests come and go; the held one keeps its cookie. */
	for (int i = 0; i < 20; i++) {
		ck_assert_int_eq(
		    virtqueue_add_cookie(&vq, &b, 0, 1, &other, &t2), 0);
		ck_assert_uint_ne(t2, t);
		dev_push_used(t2, 1);
		ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len), 0);
		ck_assert_ptr_eq(virtqueue_cookie(&vq, t), &c);
	}
	ck_assert_int_eq(virtqueue_release(&vq, t), 0);
	vq_finish();
}
END_TEST

/* pop_used is get_used + release: nothing stays held. */
START_TEST(pop_used_holds_nothing)
{
	uint16_t t, token;
	uint32_t len;

	vq_start(8, 0);
	ck_assert_int_eq(add_chain(1, 2, &t), 0);
	dev_push_used(t, 5);
	ck_assert_int_eq(virtqueue_pop_used(&vq, NULL, &len), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_uint_eq(virtqueue_num_held(&vq), 0);
	ck_assert_uint_eq(virtqueue_num_free(&vq), 8);
	ck_assert_int_eq(virtqueue_release(&vq, t), -VIRTIO_ERR_WRONG_TOKEN);
	/* A second entry for it is still a duplicate. */
	dev_push_used(t, 5);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len),
			 -VIRTIO_ERR_ALREADY_USED);
	vq_finish();
}
END_TEST

/* INIT-D-13: after a reset, chains still in flight are reclaimed. */
START_TEST(detach_unused_reclaims)
{
	uint16_t t[2], token;
	int c;

	vq_start(8, 0);
	ck_assert_int_eq(add_chain(1, 2, &t[0]), 0);
	ck_assert_int_eq(
	    virtqueue_add_cookie(&vq, &(struct virtqueue_buf){0x40000000, 1, 0},
				 1, 0, &c, &t[1]),
	    0);
	ck_assert_int_eq(virtqueue_detach_unused(&vq, &token), 0);
	ck_assert_uint_eq(token, t[0]);
	ck_assert_int_eq(virtqueue_detach_unused(&vq, &token), 0);
	ck_assert_uint_eq(token, t[1]);
	ck_assert_ptr_eq(virtqueue_cookie(&vq, token), &c);
	ck_assert_int_eq(virtqueue_detach_unused(&vq, &token),
			 -VIRTIO_ERR_NOT_READY);
	ck_assert_uint_eq(virtqueue_num_free(&vq), 8);
	vq_finish();
}
END_TEST

/* Held chains are the driver's: detach_unused leaves them to release. */
START_TEST(detach_unused_skips_held)
{
	uint16_t t[2], token;
	uint32_t len;

	vq_start(8, 0);
	ck_assert_int_eq(add_chain(1, 1, &t[0]), 0);
	ck_assert_int_eq(add_chain(1, 1, &t[1]), 0);
	dev_push_used(t[0], 1);
	ck_assert_int_eq(virtqueue_get_used(&vq, &token, &len), 0);
	ck_assert_int_eq(virtqueue_detach_unused(&vq, &token), 0);
	ck_assert_uint_eq(token, t[1]);
	ck_assert_int_eq(virtqueue_detach_unused(&vq, &token),
			 -VIRTIO_ERR_NOT_READY);
	ck_assert_uint_eq(virtqueue_num_held(&vq), 1);
	ck_assert_uint_eq(virtqueue_num_in_flight(&vq), 0);
	ck_assert_int_eq(virtqueue_release(&vq, t[0]), 0);
	ck_assert_uint_eq(virtqueue_num_free(&vq), 8);
	vq_finish();
}
END_TEST

/* ---- notifications ---- */

/* VQ-D-16, VQ-D-17: without EVENT_IDX, used->flags decides; avail_event is
 * ignored. */
START_TEST(notify_suppression_flags)
{
	uint16_t t;

	vq_start(8, 0);
	ck_assert_int_eq(add_chain(1, 1, &t), 0);
	ck_assert(virtqueue_kick(&vq));
	ck_assert_uint_eq(ft.notifies, 1);
	dev_set_used_flags(VIRTQ_USED_F_NO_NOTIFY);
	ck_assert_int_eq(add_chain(1, 1, &t), 0);
	ck_assert(!virtqueue_kick(&vq));
	ck_assert_uint_eq(ft.notifies, 1);
	dev_set_used_flags(0);
	dev_set_avail_event(100); /* means nothing here */
	ck_assert_int_eq(add_chain(1, 1, &t), 0);
	ck_assert(virtqueue_kick(&vq));
	ck_assert_uint_eq(ft.notifies, 2);
	vq_finish();
}
END_TEST

/* VQ-D-18, VQ-D-19: with EVENT_IDX, avail_event decides (batches included);
 * used->flags is ignored. */
START_TEST(notify_suppression_event_idx)
{
	uint16_t t;

	vq_start(16, VIRTQUEUE_F_EVENT_IDX);
	/* avail_event 0: notify when idx moves 0 -> 1. */
	ck_assert_int_eq(add_chain(1, 1, &t), 0);
	ck_assert(virtqueue_kick(&vq));
	/* Still 0: the device does not want to hear about 1 -> 2. */
	ck_assert_int_eq(add_chain(1, 1, &t), 0);
	ck_assert(!virtqueue_kick(&vq));
	/* Asks to be told once entry 2 is available: 2 -> 3. */
	dev_set_avail_event(2);
	dev_set_used_flags(VIRTQ_USED_F_NO_NOTIFY);
	ck_assert_int_eq(add_chain(1, 1, &t), 0);
	ck_assert(virtqueue_kick(&vq));
	ck_assert_uint_eq(ft.notifies, 2);
	/* A batch 3 -> 6 that passes avail_event 4 notifies once. */
	dev_set_avail_event(4);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(add_chain(1, 1, &t), 0);
	ck_assert(virtqueue_kick(&vq));
	/* A batch 6 -> 8 that does not reach 9 does not. */
	dev_set_avail_event(9);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(add_chain(1, 1, &t), 0);
	ck_assert(!virtqueue_kick(&vq));
	ck_assert_uint_eq(ft.notifies, 3);
	ck_assert_uint_eq(dev_avail_flags(), 0); /* VQ-D-12 */
	vq_finish();
}
END_TEST

/* VQ-D-11: used-buffer notification hint through avail->flags. */
START_TEST(callbacks_without_event_idx)
{
	uint16_t t, token;
	uint32_t len;

	vq_start(8, 0);
	ck_assert_uint_eq(dev_avail_flags(), 0);
	virtqueue_disable_cb(&vq);
	ck_assert_uint_eq(dev_avail_flags(), VIRTQ_AVAIL_F_NO_INTERRUPT);
	ck_assert(!virtqueue_enable_cb(&vq));
	ck_assert_uint_eq(dev_avail_flags(), 0);
	ck_assert_int_eq(add_chain(1, 1, &t), 0);
	virtqueue_disable_cb(&vq);
	dev_push_used(t, 1);
	/* Something was used meanwhile: poll before sleeping. */
	ck_assert(virtqueue_enable_cb(&vq));
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len), 0);
	vq_finish();
}
END_TEST

/* VQ-D-12: with EVENT_IDX, used_event does the work; flags stay 0. */
START_TEST(callbacks_with_event_idx)
{
	uint16_t t, token;
	uint32_t len;

	vq_start(8, VIRTQUEUE_F_EVENT_IDX);
	ck_assert_int_eq(add_chain(1, 1, &t), 0);
	dev_push_used(t, 1);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len), 0);
	/* Enabled: the next used entry (index 1) should interrupt. */
	ck_assert_uint_eq(dev_used_event(), 1);
	virtqueue_disable_cb(&vq);
	ck_assert_uint_eq(dev_avail_flags(), 0);
	/* One behind: the device's used index will not pass it soon. */
	ck_assert_uint_eq(dev_used_event(), 0);
	ck_assert(!vring_need_event(dev_used_event(), 2, 1));
	ck_assert_int_eq(add_chain(1, 1, &t), 0);
	dev_push_used(t, 1);
	ck_assert_int_eq(virtqueue_pop_used(&vq, &token, &len), 0);
	ck_assert_uint_eq(dev_used_event(), 0); /* untouched while off */
	ck_assert(!virtqueue_enable_cb(&vq));
	ck_assert_uint_eq(dev_used_event(), 2);
	ck_assert(vring_need_event(dev_used_event(), 3, 2));
	vq_finish();
}
END_TEST

START_TEST(dump_one_line)
{
	char buf[256], tiny[8];
	uint16_t t;

	virtqueue_dump(&vq, buf, sizeof(buf));
	ck_assert_str_eq(buf, "vq: not set up");
	vq_start(8, VIRTQUEUE_F_INDIRECT | VIRTQUEUE_F_EVENT_IDX);
	ck_assert_int_eq(add_chain(1, 2, &t), 0);
	virtqueue_dump(&vq, buf, sizeof(buf));
	ck_assert_ptr_null(strchr(buf, '\n'));
	ck_assert_ptr_nonnull(
	    strstr(buf, "vq0: size=8 free=7 in_flight=1 held=0"));
	ck_assert_ptr_nonnull(strstr(buf, "avail_idx=1"));
	ck_assert_ptr_nonnull(strstr(buf, " indirect event_idx"));
	virtqueue_dump(&vq, tiny, sizeof(tiny));
	ck_assert_str_eq(tiny, "vq0: si");
	vq_finish();
}
END_TEST

/* ---- virtio_device: bring-up, interrupts, waiting, teardown ---- */

#define DEV_LINE 5u
#define OTHER_LINE 7u
#define DEV_FEATURE_X 5 /* a device-specific feature bit */

static struct virtio_device vd;
static const struct virtio_device zero_vd;

/* A modern block device offering X, INDIRECT, EVENT_IDX, VERSION_1. */
static void dev_fake(void)
{
	ft.tt.type = VIRTIO_ID_BLOCK;
	ft.tt.dev_features =
	    VIRTIO_BIT(DEV_FEATURE_X) | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |
	    VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_F_VERSION_1);
	for (unsigned i = 0; i < 16; i++)
		ft.tt.qmax[i] = 256;
	ft.tt.line = DEV_LINE;
	memset(&vd, 0, sizeof(vd));
}

static void dev_begin(uint64_t features)
{
	ck_assert_int_eq(
	    virtio_device_begin(&vd, &ft.tt.base, VIRTIO_ID_BLOCK, features),
	    0);
}

/* begin with X and INDIRECT (not EVENT_IDX), one queue of 8, @use_irq. */
static void dev_up(bool use_irq)
{
	uint64_t want =
	    VIRTIO_BIT(DEV_FEATURE_X) | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);

	dev_fake();
	dev_begin(want);
	ck_assert_int_eq(virtio_device_queue_init(&vd, &vq, 0, 8), 0);
	ck_assert_int_eq(virtio_device_irq_init(&vd, use_irq, DEV_LINE), 0);
	virtio_device_ready(&vd);
}

/* Reset, teardown, and the HAL's books. */
static void dev_down(void)
{
	virtio_device_reset(&vd);
	ck_assert_uint_eq(ft.tt.status, 0);
	virtio_device_teardown(&vd);
	ck_assert_mem_eq(&vd, &zero_vd, sizeof(vd));
	ck_assert_ptr_null(m.irq.handlers[DEV_LINE][0].fn);
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
	m_live = false;
}

/* INIT-D-01, INIT-D-02: but for a reset, a status write keeps every bit the
 * device showed, and NEEDS_RESET is never written back. */
static void assert_status_only_grows(void)
{
	for (unsigned i = 0; i < ft.nstatus; i++) {
		uint8_t v = ft.status_log[i];
		uint8_t had =
		    ft.status_before[i] & (uint8_t)~VIRTIO_CONFIG_S_NEEDS_RESET;

		ck_assert_uint_eq(v & VIRTIO_CONFIG_S_NEEDS_RESET, 0);
		if (v)
			ck_assert_uint_eq(v & had, had);
	}
}

/* INIT-D-07: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, then
 * DRIVER_OK; FEAT-D-01: nothing the device did not offer. */
START_TEST(device_begin_negotiates_in_order)
{
	static const uint8_t want[] = {
	    0, VIRTIO_CONFIG_S_ACKNOWLEDGE,
	    VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER,
	    VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		VIRTIO_CONFIG_S_FEATURES_OK,
	    VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK};

	dev_up(false);
	ck_assert_uint_eq(ft.nstatus, sizeof(want));
	ck_assert_mem_eq(ft.status_log, want, sizeof(want));
	ck_assert_uint_eq(vd.features, ft.tt.drv_features);
	ck_assert_uint_eq(vd.features, VIRTIO_BIT(DEV_FEATURE_X) |
					   VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |
					   VIRTIO_BIT(VIRTIO_F_VERSION_1));
	ck_assert(virtio_device_has_feature(&vd, DEV_FEATURE_X));
	ck_assert(!virtio_device_has_feature(&vd, VIRTIO_F_EVENT_IDX));
	ck_assert(!virtio_device_has_feature(&vd, 64));
	ck_assert_uint_eq(vd.id, VIRTIO_ID_BLOCK);
	dev_down();
}
END_TEST

START_TEST(device_begin_refuses_other_type_and_features)
{
	dev_fake();
	ft.tt.type = VIRTIO_ID_NET;
	ck_assert_int_eq(
	    virtio_device_begin(&vd, &ft.tt.base, VIRTIO_ID_BLOCK, 0),
	    -VIRTIO_ERR_UNSUPPORTED);
	ck_assert_uint_eq(ft.nstatus, 0); /* another driver's device */
	ck_assert_mem_eq(&vd, &zero_vd, sizeof(vd));
	/* FEATURES_OK does not stick (INIT-D-07): FAILED (INIT-D-10). */
	ft.tt.type = VIRTIO_ID_BLOCK;
	ft.refuse_features = true;
	ck_assert_int_eq(
	    virtio_device_begin(&vd, &ft.tt.base, VIRTIO_ID_BLOCK, 0),
	    -VIRTIO_ERR_UNSUPPORTED);
	ck_assert(ft.tt.status & VIRTIO_CONFIG_S_FAILED);
	assert_status_only_grows();
	ck_assert_mem_eq(&vd, &zero_vd, sizeof(vd));
	/* Failing what never began changes nothing. */
	ck_assert_int_eq(virtio_device_fail(&vd, -VIRTIO_ERR_IO_ERROR),
			 -VIRTIO_ERR_IO_ERROR);
	ck_assert_int_eq(virtio_device_begin(NULL, &ft.tt.base, 2, 0),
			 -VIRTIO_ERR_INVALID_PARAM);
}
END_TEST

/* MMIO-D-09: the wanted size (or the driver's default) halved until the
 * device takes it; powers of 2 only; no such queue is Unsupported. */
START_TEST(device_queue_size_rules)
{
	uint16_t n = 0;

	dev_fake();
	ck_assert_int_eq(virtio_device_queue_size(&vd, 0, 0, 256, &n),
			 -VIRTIO_ERR_INVALID_PARAM); /* not begun */
	dev_begin(0);
	ft.tt.qmax[0] = 96;
	ft.tt.qmax[1] = 0;
	ft.tt.qmax[2] = 32768;
	ck_assert_int_eq(virtio_device_queue_size(&vd, 0, 0, 256, &n), 0);
	ck_assert_uint_eq(n, 64);
	ck_assert_int_eq(virtio_device_queue_size(&vd, 0, 16, 256, &n), 0);
	ck_assert_uint_eq(n, 16);
	ck_assert_int_eq(virtio_device_queue_size(&vd, 2, 32768, 256, &n), 0);
	ck_assert_uint_eq(n, 32768);
	ck_assert_int_eq(virtio_device_queue_size(&vd, 2, 0, 256, &n), 0);
	ck_assert_uint_eq(n, 256);
	ck_assert_int_eq(virtio_device_queue_size(&vd, 0, 100, 256, &n),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtio_device_queue_size(&vd, 0, 0, 0, &n),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtio_device_queue_size(&vd, 1, 16, 256, &n),
			 -VIRTIO_ERR_UNSUPPORTED);
	ck_assert_int_eq(virtio_device_queue_size(&vd, 15, 0, 256, &n), 0);
	ck_assert_int_eq(virtio_device_queue_size(&vd, 16, 0, 256, &n),
			 -VIRTIO_ERR_UNSUPPORTED);
	dev_down();
}
END_TEST

/* Queue flags follow the negotiation and the transport; queues past the
 * limit are refused; teardown destroys every queue it set up. */
START_TEST(device_queue_init_flags_and_limit)
{
	static struct virtqueue q[VIRTIO_DEVICE_MAX_QUEUES + 1];
	uint64_t all =
	    VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX);

	dev_fake();
	dev_begin(all);
	for (unsigned i = 0; i < VIRTIO_DEVICE_MAX_QUEUES; i++) {
		ck_assert_int_eq(virtio_device_queue_init(&vd, &q[i], i, 4), 0);
		ck_assert_uint_eq(q[i].flags,
				  VIRTQUEUE_F_INDIRECT | VIRTQUEUE_F_EVENT_IDX);
		ck_assert_uint_eq(ft.q, i);
	}
	ck_assert_int_eq(
	    virtio_device_queue_init(&vd, &q[VIRTIO_DEVICE_MAX_QUEUES], 8, 4),
	    -VIRTIO_ERR_UNSUPPORTED);
	ck_assert_uint_eq(ft.sets, VIRTIO_DEVICE_MAX_QUEUES);
	virtio_device_reset(&vd);
	virtio_device_teardown(&vd);
	ck_assert_uint_eq(ft.unsets, VIRTIO_DEVICE_MAX_QUEUES);

	/* A legacy device: the legacy layout, and nothing negotiated. */
	dev_fake();
	ft.tt.legacy = true;
	dev_begin(0);
	ck_assert_int_eq(virtio_device_queue_init(&vd, &vq, 0, 8), 0);
	ck_assert_uint_eq(vq.flags, VIRTQUEUE_F_LEGACY);
	/* A failed virtqueue_init is not remembered. */
	ft.set_err = -VIRTIO_ERR_NOT_READY;
	ck_assert_int_eq(virtio_device_queue_init(&vd, &q[0], 1, 8),
			 -VIRTIO_ERR_NOT_READY);
	ck_assert_uint_eq(vd.nqueues, 1);
	dev_down();
}
END_TEST

/* INIT-D-02 / INIT-D-10: FAILED added, no bit cleared, NEEDS_RESET not
 * written back; irq, queues and struct unwound through one call. */
START_TEST(device_fail_unwinds)
{
	static struct virtqueue q2;
	uint64_t pa;
	void *va;

	dev_fake();
	dev_begin(0);
	ck_assert_int_eq(virtio_device_queue_init(&vd, &vq, 0, 8), 0);
	ck_assert_int_eq(virtio_device_queue_init(&vd, &q2, 1, 16), 0);
	ck_assert_int_eq(virtio_device_irq_init(&vd, true, DEV_LINE), 0);
	ck_assert_ptr_nonnull(m.irq.handlers[DEV_LINE][0].fn);
	ft.tt.status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	ck_assert_int_eq(virtio_device_fail(&vd, -VIRTIO_ERR_DMA_ERROR),
			 -VIRTIO_ERR_DMA_ERROR);
	ck_assert(ft.tt.status & VIRTIO_CONFIG_S_FAILED);
	ck_assert(ft.tt.status & VIRTIO_CONFIG_S_FEATURES_OK);
	ck_assert_uint_eq(ft.tt.status & VIRTIO_CONFIG_S_DRIVER_OK, 0);
	assert_status_only_grows();
	ck_assert_uint_eq(ft.unsets, 2);
	ck_assert_ptr_null(m.irq.handlers[DEV_LINE][0].fn);
	ck_assert_mem_eq(&vd, &zero_vd, sizeof(vd));
	/* Every ring page is back: all of RAM can be taken again. */
	ck_assert_int_eq(hal_dma_alloc(machine_hal(&m), 1024, &pa, &va), 0);
	ck_assert_int_eq(hal_dma_free(machine_hal(&m), pa, va, 1024), 0);
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
	m_live = false;
}
END_TEST

START_TEST(device_irq_init_bad_line_and_polling)
{
	dev_fake();
	dev_begin(0);
	ck_assert_int_eq(virtio_device_queue_init(&vd, &vq, 0, 8), 0);
	ck_assert_int_eq(virtio_device_irq_init(&vd, true, VIRTIO_NO_IRQ),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtio_device_irq_init(&vd, true, IRQ_MAX_LINES),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert(!vd.irq_registered);
	/* Polling: VQ-D-11, the queue asks for no interrupts. */
	ck_assert_uint_eq(dev_avail_flags(), 0);
	ck_assert_int_eq(virtio_device_irq_init(&vd, false, VIRTIO_NO_IRQ), 0);
	ck_assert_uint_eq(dev_avail_flags(), VIRTQ_AVAIL_F_NO_INTERRUPT);
	ck_assert(!vd.use_irq);
	dev_down();
}
END_TEST

/* What a wait's poll callback saw. */
struct looks {
	unsigned calls, done_at;
	int err;
};

static int count_looks(void *arg)
{
	struct looks *l = arg;

	l->calls++;
	if (l->err)
		return l->err;
	return l->calls >= l->done_at;
}

/* Another device's line that stays up for @ticks deliveries: hal_wait
 * returns 0 that many times without our handler running. */
static unsigned ticks;

static void ticker(void *arg)
{
	if (--ticks == 0)
		irq_set_level(&m.irq, OTHER_LINE, false);
}

static void start_ticker(unsigned n)
{
	ticks = n;
	ck_assert_int_eq(
	    hal_irq_register(machine_hal(&m), OTHER_LINE, ticker, NULL), 0);
	irq_set_level(&m.irq, OTHER_LINE, true);
}

static void stop_ticker(void)
{
	hal_irq_unregister(machine_hal(&m), OTHER_LINE, ticker, NULL);
}

/* With interrupts, look only once the handler saw a cause (MMIO-D-19);
 * other lines' interrupts and spurious ones cause no look (VQ-D-13). */
START_TEST(device_wait_with_irq_looks_when_told)
{
	struct looks l = {.done_at = 1};

	dev_up(true);
	ft.tt.isr = VIRTIO_INT_VRING;
	irq_set_level(&m.irq, DEV_LINE, true);
	ck_assert_int_eq(virtio_device_wait(&vd, count_looks, &l), 0);
	ck_assert_uint_eq(l.calls, 1);
	ck_assert_uint_eq(vd.irqs, 1);
	ck_assert(!vd.config_changed);
	ck_assert_uint_eq(m.irq.level & (1u << DEV_LINE), 0); /* acked */

	/* Spurious (no cause) and another device's: no look until
	 * nothing can happen any more, then one last look. */
	l = (struct looks){.done_at = 2};
	start_ticker(3);
	ft.tt.isr = 0;
	irq_set_level(&m.irq, DEV_LINE, true);
	ck_assert_int_eq(virtio_device_wait(&vd, count_looks, &l),
			 -VIRTIO_ERR_NOT_READY);
	ck_assert_uint_eq(l.calls, 1);
	ck_assert_uint_eq(vd.irqs, 2);
	ck_assert(!vd.irq_pending);
	stop_ticker();

	/* A config change is a cause too (look at the queues) and is
	 * recorded for the driver. */
	l = (struct looks){.done_at = 1};
	ft.tt.isr = VIRTIO_INT_CONFIG;
	irq_set_level(&m.irq, DEV_LINE, true);
	ck_assert_int_eq(virtio_device_wait(&vd, count_looks, &l), 0);
	ck_assert_uint_eq(l.calls, 1);
	ck_assert(vd.config_changed);
	dev_down();
}
END_TEST

/* Polling: a look every round; the last look at idle still counts. */
START_TEST(device_wait_polling_looks_every_round)
{
	struct looks l = {.done_at = 3};

	dev_up(false);
	start_ticker(5);
	ck_assert_int_eq(virtio_device_wait(&vd, count_looks, &l), 0);
	ck_assert_uint_eq(l.calls, 3);
	stop_ticker();
	irq_set_level(&m.irq, OTHER_LINE, false);
	/* Idle at once: one look, one last look. */
	l = (struct looks){.done_at = 2};
	ck_assert_int_eq(virtio_device_wait(&vd, count_looks, &l), 0);
	ck_assert_uint_eq(l.calls, 2);
	l = (struct looks){.done_at = 3};
	ck_assert_int_eq(virtio_device_wait(&vd, count_looks, &l),
			 -VIRTIO_ERR_NOT_READY);
	ck_assert_uint_eq(vd.irqs, 0);
	dev_down();
}
END_TEST

/* §2.1.2: NEEDS_RESET is an I/O error; poll's errors are returned. */
START_TEST(device_wait_errors)
{
	struct looks l = {.done_at = 100};

	dev_up(false);
	ft.tt.status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	ck_assert_int_eq(virtio_device_wait(&vd, count_looks, &l),
			 -VIRTIO_ERR_IO_ERROR);
	ck_assert_uint_eq(l.calls, 1);
	l = (struct looks){.err = -VIRTIO_ERR_WRONG_TOKEN};
	ck_assert_int_eq(virtio_device_wait(&vd, count_looks, &l),
			 -VIRTIO_ERR_WRONG_TOKEN);
	ck_assert_int_eq(virtio_device_wait(&vd, NULL, NULL),
			 -VIRTIO_ERR_INVALID_PARAM);
	dev_down();
}
END_TEST

static Suite *virtqueue_suite(void)
{
	Suite *s = suite_create("virtqueue");
	TCase *tc = tcase_create("split");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, modern_layout_aligned_and_zeroed);
	tcase_add_test(tc, legacy_layout_offsets);
	tcase_add_test(tc, bad_sizes_rejected_without_leak);
	tcase_add_test(tc, queue_in_use_is_already_used_without_leak);
	tcase_add_test(tc, dma_exhaustion_is_dma_error);
	tcase_add_test(tc, chain_readable_then_writable);
	tcase_add_test(tc, malformed_chains_rejected);
	tcase_add_test(tc, free_list_reuse);
	tcase_add_test(tc, indirect_table_layout);
	tcase_add_test(tc, no_indirect_unless_negotiated);
	tcase_add_test(tc, queue_full);
	tcase_add_test(tc, pop_in_completion_order);
	tcase_add_test(tc, indices_wrap);
	tcase_add_test(tc, used_idx_beyond_the_ring_is_io_error);
	tcase_add_test(tc, wrong_token_for_bad_used_id);
	tcase_add_test(tc, already_used_on_duplicate);
	tcase_add_test(tc, duplicate_names_no_chain_made_available_after_it);
	tcase_add_test(tc, held_chain_keeps_its_token);
	tcase_add_test(tc, held_tokens_never_handed_out);
	tcase_add_test(tc, release_of_unheld_token_is_wrong_token);
	tcase_add_test(tc, duplicate_used_for_held_chain_is_already_used);
	tcase_add_test(tc, cookie_valid_while_held);
	tcase_add_test(tc, pop_used_holds_nothing);
	tcase_add_test(tc, detach_unused_reclaims);
	tcase_add_test(tc, detach_unused_skips_held);
	tcase_add_test(tc, notify_suppression_flags);
	tcase_add_test(tc, notify_suppression_event_idx);
	tcase_add_test(tc, callbacks_without_event_idx);
	tcase_add_test(tc, callbacks_with_event_idx);
	tcase_add_test(tc, dump_one_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("device");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, device_begin_negotiates_in_order);
	tcase_add_test(tc, device_begin_refuses_other_type_and_features);
	tcase_add_test(tc, device_queue_size_rules);
	tcase_add_test(tc, device_queue_init_flags_and_limit);
	tcase_add_test(tc, device_fail_unwinds);
	tcase_add_test(tc, device_irq_init_bad_line_and_polling);
	tcase_add_test(tc, device_wait_with_irq_looks_when_told);
	tcase_add_test(tc, device_wait_polling_looks_every_round);
	tcase_add_test(tc, device_wait_errors);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(virtqueue_suite)
