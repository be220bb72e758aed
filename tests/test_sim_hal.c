/* SPDX-License-Identifier: MIT */
/*
 * The simulated HAL: DMA pages, buffer sharing and the books it keeps.
 */
#include <string.h>

#include "sim/machine.h"
#include "tests/testutil.h"

static struct machine m;
static const struct hal *hal;

static void setup(void)
{
	struct machine_options o = {.mem_size = 4u << 20};

	ck_assert_int_eq(machine_init(&m, &o), 0);
	hal = machine_hal(&m);
}

static void teardown(void)
{
	if (m.mem.host)
		machine_destroy(&m, false);
}

START_TEST(dma_alloc_is_zeroed_aligned_contiguous)
{
	uint64_t pa, pb;
	uint8_t *va, *vb;

	ck_assert_int_eq(hal_dma_alloc(hal, 3, &pa, (void **)&va), 0);
	ck_assert_uint_eq(pa % HAL_PAGE_SIZE, 0);
	ck_assert(guest_mem_range_ok(&m.mem, pa, 3 * HAL_PAGE_SIZE));
	/* Contiguous: the driver pointer and the device view are one range. */
	ck_assert_ptr_eq(guest_mem_span(&m.mem, pa, 3 * HAL_PAGE_SIZE), va);
	for (unsigned i = 0; i < 3 * HAL_PAGE_SIZE; i++)
		ck_assert_uint_eq(va[i], 0);
	memset(va, 0xee, 3 * HAL_PAGE_SIZE);
	ck_assert_int_eq(hal_dma_free(hal, pa, va, 3), 0);
	/* Reused pages come back zeroed too. */
	ck_assert_int_eq(hal_dma_alloc(hal, 3, &pb, (void **)&vb), 0);
	for (unsigned i = 0; i < 3 * HAL_PAGE_SIZE; i++)
		ck_assert_uint_eq(vb[i], 0);
	ck_assert_int_eq(hal_dma_free(hal, pb, vb, 3), 0);
	ck_assert_uint_eq(machine_destroy(&m, false), 0);
}
END_TEST

START_TEST(dma_exhaustion_fails_cleanly)
{
	uint64_t pa;
	void *va;

	ck_assert_int_eq(hal_dma_alloc(hal, 2048, &pa, &va), -HAL_EINVAL);
	ck_assert_int_eq(hal_dma_alloc(hal, 1024, &pa, &va), 0);
	ck_assert_int_eq(hal_dma_alloc(hal, 1, &pa, &va), -HAL_ENOMEM);
	ck_assert_uint_eq(m.hal.stats.alloc_failures, 1);
}
END_TEST

START_TEST(double_free_is_reported)
{
	uint64_t pa;
	void *va;

	ck_assert_int_eq(hal_dma_alloc(hal, 1, &pa, &va), 0);
	ck_assert_int_eq(hal_dma_free(hal, pa, va, 1), 0);
	ck_assert_int_eq(hal_dma_free(hal, pa, va, 1), -HAL_EINVAL);
	ck_assert_uint_eq(m.hal.stats.double_frees, 1);
	ck_assert_uint_eq(machine_destroy(&m, false), 1);
}
END_TEST

START_TEST(free_with_wrong_size_is_reported)
{
	uint64_t pa;
	void *va;

	ck_assert_int_eq(hal_dma_alloc(hal, 2, &pa, &va), 0);
	ck_assert_int_eq(hal_dma_free(hal, pa, va, 1), -HAL_EINVAL);
	ck_assert_uint_eq(m.hal.stats.bad_frees, 1);
	/* The bad free, and the allocation that is now leaked. */
	ck_assert_uint_eq(machine_destroy(&m, false), 2);
}
END_TEST

START_TEST(leak_at_teardown_is_reported)
{
	uint64_t pa;
	void *va;

	ck_assert_int_eq(hal_dma_alloc(hal, 1, &pa, &va), 0);
	ck_assert_int_eq(hal_dma_alloc(hal, 4, &pa, &va), 0);
	ck_assert_uint_eq(machine_destroy(&m, false), 2);
}
END_TEST

START_TEST(share_in_ram_is_zero_copy)
{
	uint64_t pa, shared;
	uint8_t *va;

	ck_assert_int_eq(hal_dma_alloc(hal, 1, &pa, (void **)&va), 0);
	ck_assert_int_eq(hal_share(hal, va + 100, 64, HAL_DMA_FROM_DEVICE,
				   &shared), 0);
	ck_assert_uint_eq(shared, pa + 100);
	ck_assert_uint_eq(m.hal.stats.bounces, 0);
	ck_assert_int_eq(hal_unshare(hal, shared, va + 100, 64,
				     HAL_DMA_FROM_DEVICE), 0);
	ck_assert_int_eq(hal_dma_free(hal, pa, va, 1), 0);
	ck_assert_uint_eq(machine_destroy(&m, false), 0);
}
END_TEST

START_TEST(share_outside_ram_bounces_both_ways)
{
	char out[] = "to the device", in[32] = "untouched";
	uint64_t pout, pin;
	char *dev_view;

	ck_assert_int_eq(hal_share(hal, out, sizeof(out), HAL_DMA_TO_DEVICE,
				   &pout), 0);
	ck_assert_str_eq(guest_mem_span(&m.mem, pout, sizeof(out)), out);
	ck_assert_int_eq(hal_share(hal, in, sizeof(in), HAL_DMA_FROM_DEVICE,
				   &pin), 0);
	ck_assert_uint_eq(m.hal.stats.bounces, 2);
	dev_view = guest_mem_span(&m.mem, pin, sizeof(in));
	strcpy(dev_view, "from the device");
	/* Not visible to the driver until unshare copies it back. */
	ck_assert_str_eq(in, "untouched");
	ck_assert_int_eq(hal_unshare(hal, pin, in, sizeof(in),
				     HAL_DMA_FROM_DEVICE), 0);
	ck_assert_str_eq(in, "from the device");
	ck_assert_int_eq(hal_unshare(hal, pout, out, sizeof(out),
				     HAL_DMA_TO_DEVICE), 0);
	ck_assert_uint_eq(machine_destroy(&m, false), 0);
}
END_TEST

/*
 * SIM_DMA_MAP: a buffer outside RAM is mapped in place, as an IOMMU maps
 * it: the device reads the buffer itself and its writes land at once; a
 * buffer shared only to the device is not the device's to write; after
 * unshare the address reaches nothing.
 */
START_TEST(share_outside_ram_maps_in_place)
{
	char out[] = "to the device", in[32] = "untouched";
	uint64_t pout, pin;
	char *dev_view;

	m.hal.dma = SIM_DMA_MAP;
	ck_assert_int_eq(
	    hal_share(hal, out, sizeof(out), HAL_DMA_TO_DEVICE, &pout), 0);
	ck_assert_int_eq(
	    hal_share(hal, in, sizeof(in), HAL_DMA_FROM_DEVICE, &pin), 0);
	ck_assert_uint_eq(m.hal.stats.maps, 2);
	ck_assert_uint_eq(m.hal.stats.bounces, 0);
	ck_assert_uint_eq(guest_mem_mapped(&m.mem), 2);
	/* Outside RAM, in the window, one slot each. */
	ck_assert(!guest_mem_range_ok(&m.mem, pout, 1));
	ck_assert_uint_ge(pout, GUEST_MEM_MAP_BASE);
	ck_assert_uint_ne(pout >> GUEST_MEM_MAP_SLOT_SHIFT,
			  pin >> GUEST_MEM_MAP_SLOT_SHIFT);
	ck_assert_ptr_eq(guest_mem_span(&m.mem, pout, sizeof(out)), out);
	ck_assert_ptr_eq(guest_mem_span(&m.mem, pout + 3, sizeof(out) - 3),
			 out + 3);
	/* A slot caught changing (its seqlock odd, as while another thread
	 * maps or unmaps it) is no mapping. */
	m.mem.maps[(pout - GUEST_MEM_MAP_BASE) >> GUEST_MEM_MAP_SLOT_SHIFT]
	    .seq++;
	ck_assert_ptr_null(guest_mem_span(&m.mem, pout, sizeof(out)));
	m.mem.maps[(pout - GUEST_MEM_MAP_BASE) >> GUEST_MEM_MAP_SLOT_SHIFT]
	    .seq++;
	ck_assert_ptr_eq(guest_mem_span(&m.mem, pout, sizeof(out)), out);
	ck_assert_ptr_null(guest_mem_span_w(&m.mem, pout, sizeof(out)));
	/* Past the buffer's end, even by a byte, is nobody's. */
	ck_assert_ptr_null(guest_mem_span(&m.mem, pout, sizeof(out) + 1));
	ck_assert_ptr_null(guest_mem_span(&m.mem, pout + sizeof(out), 1));
	dev_view = guest_mem_span_w(&m.mem, pin, sizeof(in));
	ck_assert_ptr_eq(dev_view, in);
	strcpy(dev_view, "from the device");
	ck_assert_int_eq(
	    hal_unshare(hal, pin, in, sizeof(in), HAL_DMA_FROM_DEVICE), 0);
	ck_assert_str_eq(in, "from the device");
	ck_assert_ptr_null(guest_mem_span(&m.mem, pin, 1));
	ck_assert_int_eq(
	    hal_unshare(hal, pout, out, sizeof(out), HAL_DMA_TO_DEVICE), 0);
	ck_assert_ptr_null(guest_mem_span(&m.mem, pout, 1));
	ck_assert_uint_eq(guest_mem_mapped(&m.mem), 0);
	/* The same unshare again is of an unknown buffer. */
	ck_assert_int_eq(
	    hal_unshare(hal, pout, out, sizeof(out), HAL_DMA_TO_DEVICE),
	    -HAL_EINVAL);
	ck_assert_uint_eq(machine_destroy(&m, false), 1);
}
END_TEST

/*
 * SIM_DMA_MAP bounces what no slot takes: a buffer larger than a slot,
 * or one more than the window's slots; the books balance either way.
 */
START_TEST(map_falls_back_to_bounce)
{
	struct machine_options o = {.mem_size = 16u << 20, .dma = SIM_DMA_MAP};
	size_t big_len = GUEST_MEM_MAP_SLOT_SIZE + 1;
	uint8_t *big = calloc(1, big_len), small[GUEST_MEM_MAP_SLOTS + 1];
	uint64_t p[GUEST_MEM_MAP_SLOTS + 1], pbig;

	machine_destroy(&m, false);
	ck_assert_int_eq(machine_init(&m, &o), 0);
	hal = machine_hal(&m);
	ck_assert_ptr_nonnull(big);
	big[big_len - 1] = 0x77;
	ck_assert_int_eq(hal_share(hal, big, big_len, HAL_DMA_TO_DEVICE, &pbig),
			 0);
	ck_assert(guest_mem_range_ok(&m.mem, pbig, big_len));
	ck_assert_uint_eq(
	    *(uint8_t *)guest_mem_span(&m.mem, pbig + big_len - 1, 1), 0x77);
	ck_assert_uint_eq(m.hal.stats.bounces, 1);
	for (unsigned i = 0; i <= GUEST_MEM_MAP_SLOTS; i++)
		ck_assert_int_eq(
		    hal_share(hal, &small[i], 1, HAL_DMA_FROM_DEVICE, &p[i]),
		    0);
	ck_assert_uint_eq(m.hal.stats.maps, GUEST_MEM_MAP_SLOTS);
	ck_assert_uint_eq(m.hal.stats.bounces, 2);
	ck_assert(guest_mem_range_ok(&m.mem, p[GUEST_MEM_MAP_SLOTS], 1));
	for (unsigned i = 0; i <= GUEST_MEM_MAP_SLOTS; i++)
		ck_assert_int_eq(
		    hal_unshare(hal, p[i], &small[i], 1, HAL_DMA_FROM_DEVICE),
		    0);
	ck_assert_int_eq(
	    hal_unshare(hal, pbig, big, big_len, HAL_DMA_TO_DEVICE), 0);
	ck_assert_uint_eq(guest_mem_mapped(&m.mem), 0);
	free(big);
	ck_assert_uint_eq(machine_destroy(&m, false), 0);
}
END_TEST

START_TEST(mapped_share_left_at_teardown_is_reported)
{
	char buf[64];
	uint64_t p;

	m.hal.dma = SIM_DMA_MAP;
	ck_assert_int_eq(hal_share(hal, buf, sizeof(buf), HAL_DMA_BOTH, &p), 0);
	ck_assert_uint_eq(m.hal.stats.maps, 1);
	ck_assert_uint_eq(machine_destroy(&m, false), 1);
}
END_TEST

START_TEST(unshare_unknown_is_reported)
{
	char buf[16];
	uint64_t p;

	ck_assert_int_eq(hal_unshare(hal, MACHINE_RAM_BASE, buf, sizeof(buf),
				     HAL_DMA_TO_DEVICE), -HAL_EINVAL);
	ck_assert_int_eq(hal_share(hal, buf, sizeof(buf), HAL_DMA_TO_DEVICE,
				   &p), 0);
	/* Wrong length: unknown too, and the real share stays on the books. */
	ck_assert_int_eq(hal_unshare(hal, p, buf, 8, HAL_DMA_TO_DEVICE),
			 -HAL_EINVAL);
	ck_assert_uint_eq(m.hal.stats.unknown_unshares, 2);
	ck_assert_int_eq(hal_unshare(hal, p, buf, sizeof(buf),
				     HAL_DMA_TO_DEVICE), 0);
	ck_assert_uint_eq(machine_destroy(&m, false), 2);
}
END_TEST

START_TEST(share_left_at_teardown_is_reported)
{
	uint64_t pa, shared;
	uint8_t *va;

	ck_assert_int_eq(hal_dma_alloc(hal, 1, &pa, (void **)&va), 0);
	ck_assert_int_eq(hal_share(hal, va, 8, HAL_DMA_TO_DEVICE, &shared), 0);
	ck_assert_int_eq(hal_dma_free(hal, pa, va, 1), 0);
	ck_assert_uint_eq(machine_destroy(&m, false), 1);
}
END_TEST

/*
 * A buffer the device only writes is not copied in: the device sees
 * zeros, never the buffer nor what an earlier bounce left on the pages;
 * unshare copies what it wrote back.
 */
START_TEST(from_device_bounce_is_not_copied_in)
{
	static char secret[HAL_PAGE_SIZE], in[HAL_PAGE_SIZE];
	uint64_t p1, p2, dma;
	char *dev;
	void *va;

	memset(secret, 's', sizeof(secret));
	memset(in, 'i', sizeof(in));
	/* Another buffer goes through a bounce page first ... */
	ck_assert_int_eq(
	    hal_share(hal, secret, sizeof(secret), HAL_DMA_TO_DEVICE, &p1), 0);
	ck_assert_int_eq(
	    hal_unshare(hal, p1, secret, sizeof(secret), HAL_DMA_TO_DEVICE), 0);
	/* ... then one the device writes lands on the same page. */
	ck_assert_int_eq(
	    hal_share(hal, in, sizeof(in), HAL_DMA_FROM_DEVICE, &p2), 0);
	ck_assert_uint_eq(p2, p1);
	dev = guest_mem_span(&m.mem, p2, sizeof(in));
	for (unsigned i = 0; i < sizeof(in); i++)
		ck_assert_int_eq(dev[i], 0);
	memcpy(dev, "written", 7); /* a short device write */
	ck_assert_int_eq(in[0], 'i');
	ck_assert_int_eq(
	    hal_unshare(hal, p2, in, sizeof(in), HAL_DMA_FROM_DEVICE), 0);
	ck_assert_mem_eq(in, "written", 7);
	for (unsigned i = 7; i < sizeof(in); i++)
		ck_assert_int_eq(in[i], 0); /* no 's' of the other buffer */
	/* The same buffer again on the same page: what is there is its
	 * own, left as it is (no zeroing), and still not copied in. */
	memset(in, 'j', sizeof(in));
	ck_assert_int_eq(
	    hal_share(hal, in, sizeof(in), HAL_DMA_FROM_DEVICE, &p2), 0);
	ck_assert_uint_eq(p2, p1);
	dev = guest_mem_span(&m.mem, p2, sizeof(in));
	ck_assert_mem_eq(dev, "written", 7);
	ck_assert_int_eq(dev[7], 0);
	ck_assert_int_eq(
	    hal_unshare(hal, p2, in, sizeof(in), HAL_DMA_FROM_DEVICE), 0);
	/* DMA memory on that page meanwhile: its bytes are another's. */
	m.hal.next_fit = (p2 - m.mem.base) / HAL_PAGE_SIZE;
	ck_assert_int_eq(hal_dma_alloc(hal, 1, &dma, &va), 0);
	ck_assert_uint_eq(dma, p2);
	memset(va, 'd', HAL_PAGE_SIZE);
	ck_assert_int_eq(hal_dma_free(hal, dma, va, 1), 0);
	m.hal.next_fit = (p2 - m.mem.base) / HAL_PAGE_SIZE;
	ck_assert_int_eq(
	    hal_share(hal, in, sizeof(in), HAL_DMA_FROM_DEVICE, &p2), 0);
	dev = guest_mem_span(&m.mem, p2, sizeof(in));
	for (unsigned i = 0; i < sizeof(in); i++)
		ck_assert_int_eq(dev[i], 0);
	ck_assert_int_eq(
	    hal_unshare(hal, p2, in, sizeof(in), HAL_DMA_FROM_DEVICE), 0);
	/* BOTH is still copied in, and out. */
	ck_assert_int_eq(hal_share(hal, secret, 64, HAL_DMA_BOTH, &p1), 0);
	ck_assert_mem_eq(guest_mem_span(&m.mem, p1, 64), secret, 64);
	ck_assert_int_eq(hal_unshare(hal, p1, secret, 64, HAL_DMA_BOTH), 0);
	ck_assert_uint_eq(m.hal.stats.bounces, 5);
	ck_assert_uint_eq(machine_destroy(&m, false), 0);
}
END_TEST

/*
 * A bounce takes the run a bounce of its size freed last (cache-warm),
 * not the next pages of the rotating cursor; a remembered run that a DMA
 * allocation took meanwhile is skipped; the books stay exact.
 */
START_TEST(bounce_reuses_the_run_freed_last)
{
	static uint8_t a[3 * HAL_PAGE_SIZE], b[HAL_PAGE_SIZE];
	uint64_t pa, pb, pc, pd, dma;
	void *va;

	ck_assert_int_eq(hal_share(hal, a, sizeof(a), HAL_DMA_TO_DEVICE, &pa),
			 0);
	ck_assert_int_eq(hal_share(hal, b, sizeof(b), HAL_DMA_TO_DEVICE, &pb),
			 0);
	ck_assert_int_eq(hal_unshare(hal, pa, a, sizeof(a), HAL_DMA_TO_DEVICE),
			 0);
	ck_assert_int_eq(hal_unshare(hal, pb, b, sizeof(b), HAL_DMA_TO_DEVICE),
			 0);
	ck_assert_uint_eq(m.hal.pages_in_use, 0);
	ck_assert_uint_eq(m.hal.stats.bounce_reuses, 0);
	/* The three-page run is found under the one-page one on top. */
	for (unsigned i = 0; i < 100; i++) {
		ck_assert_int_eq(
		    hal_share(hal, a, sizeof(a), HAL_DMA_FROM_DEVICE, &pc), 0);
		ck_assert_uint_eq(pc, pa);
		ck_assert_uint_eq(m.hal.pages_in_use, 3);
		ck_assert_int_eq(
		    hal_unshare(hal, pc, a, sizeof(a), HAL_DMA_FROM_DEVICE), 0);
	}
	ck_assert_uint_eq(m.hal.stats.bounce_reuses, 100);
	/* DMA memory took the one-page run: the next bounce goes elsewhere. */
	m.hal.next_fit = (pb - m.mem.base) / HAL_PAGE_SIZE;
	ck_assert_int_eq(hal_dma_alloc(hal, 1, &dma, &va), 0);
	ck_assert_uint_eq(dma, pb);
	ck_assert_int_eq(hal_share(hal, b, sizeof(b), HAL_DMA_TO_DEVICE, &pd),
			 0);
	ck_assert_uint_ne(pd, pb);
	ck_assert_uint_eq(m.hal.stats.bounce_reuses, 100);
	ck_assert_int_eq(hal_unshare(hal, pd, b, sizeof(b), HAL_DMA_TO_DEVICE),
			 0);
	/* Freed DMA pages are free, remembered or not. */
	ck_assert_int_eq(hal_dma_free(hal, dma, va, 1), 0);
	ck_assert_uint_eq(m.hal.pages_in_use, 0);
	ck_assert_uint_eq(machine_destroy(&m, false), 0);
}
END_TEST

/* More runs freed than remembered: the oldest are forgotten, not lost. */
START_TEST(many_bounces_keep_the_books)
{
	enum { N = 300 };
	static uint8_t buf[N][64];
	static uint64_t p[N];

	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < N; i++)
			ck_assert_int_eq(hal_share(hal, buf[i], 64,
						   HAL_DMA_FROM_DEVICE, &p[i]),
					 0);
		ck_assert_uint_eq(m.hal.pages_in_use, N);
		for (unsigned i = 0; i < N; i++)
			ck_assert_int_eq(hal_unshare(hal, p[i], buf[i], 64,
						     HAL_DMA_FROM_DEVICE),
					 0);
		ck_assert_uint_eq(m.hal.pages_in_use, 0);
	}
	ck_assert_uint_le(m.hal.recent_count, SIM_HAL_RECENT);
	ck_assert_uint_gt(m.hal.stats.bounce_reuses, 0);
	ck_assert_uint_eq(sim_hal_errors(&m.hal), 0);
	ck_assert_uint_eq(machine_destroy(&m, false), 0);
}
END_TEST

static unsigned irq_runs;

static void count_irq(void *arg)
{
	struct machine *mm = arg;

	irq_runs++;
	irq_set_level(&mm->irq, 20, false);
}

START_TEST(wait_delivers_interrupts_then_reports_idle)
{
	irq_runs = 0;
	ck_assert_int_eq(hal_irq_register(hal, 20, count_irq, &m), 0);
	ck_assert_int_eq(hal_wait(hal), -HAL_EIDLE);
	irq_set_level(&m.irq, 20, true);
	ck_assert_uint_eq(irq_runs, 0); /* never delivered from set_level */
	ck_assert_int_eq(hal_wait(hal), 0);
	ck_assert_uint_eq(irq_runs, 1);
	ck_assert_int_eq(hal_wait(hal), -HAL_EIDLE);
	hal_irq_unregister(hal, 20, count_irq, &m);
}
END_TEST

START_TEST(mmio_accessors_reach_the_bus)
{
	uintptr_t h = hal_mmio_map(hal, 0x1000, 4);

	ck_assert_uint_eq(hal_mmio_read32(hal, h), 0xffffffffu);
	hal_mmio_write32(hal, h, 1);
	ck_assert_uint_eq(m.bus.unmapped, 2);
}
END_TEST

/*
 * Half the share table live and churning over four times as many
 * addresses as slots, so that they collide (linear probing with
 * back-shifting removal): every unshare finds its share, however the
 * clusters were built and torn.
 */
START_TEST(share_churn_keeps_every_share_findable)
{
	enum { N = 32768, LIVE = 4096, LEN = 8, PAGES = N * LEN / 4096 };
	enum { OPS = 300000 };
	static uint64_t shared[N];
	uint64_t pa, x = 12345;
	unsigned live = 0;
	uint8_t *va;

	memset(shared, 0, sizeof(shared));
	ck_assert_int_eq(hal_dma_alloc(hal, PAGES, &pa, (void **)&va), 0);
	for (unsigned op = 0; op < OPS; op++) {
		unsigned i;
		int err;

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		i = (unsigned)(x >> 33) % N;
		if (shared[i]) {
			err = hal_unshare(hal, shared[i], va + i * LEN, LEN,
					  HAL_DMA_TO_DEVICE);
			shared[i] = 0;
			live--;
		} else if (live < LIVE) {
			err = hal_share(hal, va + i * LEN, LEN,
					HAL_DMA_TO_DEVICE, &shared[i]);
			if (!err && shared[i] != pa + i * LEN)
				err = -1;
			live++;
		} else {
			continue;
		}
		if (err)
			ck_abort_msg("op %u on share %u: %d", op, i, err);
	}
	for (unsigned i = 0; i < N; i++)
		if (shared[i] && hal_unshare(hal, shared[i], va + i * LEN, LEN,
					     HAL_DMA_TO_DEVICE))
			ck_abort_msg("final unshare of %u", i);
	ck_assert_uint_eq(m.hal.stats.unknown_unshares, 0);
	ck_assert_int_eq(hal_dma_free(hal, pa, va, PAGES), 0);
	ck_assert_uint_eq(machine_destroy(&m, false), 0);
}
END_TEST

static Suite *sim_hal_suite(void)
{
	Suite *s = suite_create("sim_hal");
	TCase *tc = tcase_create("dma");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, dma_alloc_is_zeroed_aligned_contiguous);
	tcase_add_test(tc, dma_exhaustion_fails_cleanly);
	tcase_add_test(tc, double_free_is_reported);
	tcase_add_test(tc, free_with_wrong_size_is_reported);
	tcase_add_test(tc, leak_at_teardown_is_reported);
	tcase_add_test(tc, share_in_ram_is_zero_copy);
	tcase_add_test(tc, share_outside_ram_bounces_both_ways);
	tcase_add_test(tc, share_outside_ram_maps_in_place);
	tcase_add_test(tc, map_falls_back_to_bounce);
	tcase_add_test(tc, mapped_share_left_at_teardown_is_reported);
	tcase_add_test(tc, unshare_unknown_is_reported);
	tcase_add_test(tc, share_left_at_teardown_is_reported);
	tcase_add_test(tc, share_churn_keeps_every_share_findable);
	tcase_add_test(tc, from_device_bounce_is_not_copied_in);
	tcase_add_test(tc, bounce_reuses_the_run_freed_last);
	tcase_add_test(tc, many_bounces_keep_the_books);
	tcase_add_test(tc, wait_delivers_interrupts_then_reports_idle);
	tcase_add_test(tc, mmio_accessors_reach_the_bus);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(sim_hal_suite)
