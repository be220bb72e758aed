/* SPDX-License-Identifier: MIT */
/*
 * The network buffer pool (drivers/base/net_buf.h) on a machine's DMA
 * memory: parameters, alloc until empty, free, double and foreign frees
 * refused without damage, every buffer's device address, and the DMA
 * given back (machine_destroy's HAL books).
 */
#include <string.h>

#include "drivers/base/net_buf.h"
#include "sim/machine.h"
#include "tests/testutil.h"

static struct machine m;
static bool m_live;
static struct net_buf_pool pool;
static const struct net_buf_pool zero_pool;

static void setup(void)
{
	struct machine_options o = {.mem_size = 4u << 20};

	ck_assert_int_eq(machine_init(&m, &o), 0);
	m_live = true;
	memset(&pool, 0, sizeof(pool));
}

static void teardown(void)
{
	if (m_live)
		machine_destroy(&m, false);
	m_live = false;
}

/* The HAL's books: nothing leaked, nothing freed twice or unknown. */
static void finish(void)
{
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
	m_live = false;
}

/* All of RAM but what the HAL keeps can be taken again: nothing leaked. */
static void assert_dma_all_back(size_t pages)
{
	uint64_t pa;
	void *va;

	ck_assert_int_eq(hal_dma_alloc(machine_hal(&m), pages, &pa, &va), 0);
	ck_assert_int_eq(hal_dma_free(machine_hal(&m), pa, va, pages), 0);
}

START_TEST(bad_parameters_refused)
{
	const struct hal *hal = machine_hal(&m);

	ck_assert_int_eq(net_buf_pool_init(&pool, hal, 0, 1526),
			 -DEV_ERR_INVALID_PARAM);
	ck_assert_mem_eq(&pool, &zero_pool, sizeof(pool));
	ck_assert_int_eq(net_buf_pool_init(&pool, hal, 4, 1525),
			 -DEV_ERR_INVALID_PARAM);
	ck_assert_int_eq(net_buf_pool_init(&pool, hal, 4, 65536),
			 -DEV_ERR_INVALID_PARAM);
	ck_assert_int_eq(net_buf_pool_init(&pool, hal, 4, 0),
			 -DEV_ERR_INVALID_PARAM);
	ck_assert_int_eq(net_buf_pool_init(&pool, hal, SIZE_MAX, 1526),
			 -DEV_ERR_INVALID_PARAM);
	ck_assert_int_eq(net_buf_pool_init(&pool, NULL, 4, 1526),
			 -DEV_ERR_INVALID_PARAM);
	ck_assert_int_eq(net_buf_pool_init(NULL, hal, 4, 1526),
			 -DEV_ERR_INVALID_PARAM);
	ck_assert_mem_eq(&pool, &zero_pool, sizeof(pool));
	/* The bounds themselves are fine. */
	ck_assert_int_eq(net_buf_pool_init(&pool, hal, 1, 1526), 0);
	ck_assert_uint_eq(net_buf_pool_destroy(&pool), 0);
	ck_assert_int_eq(net_buf_pool_init(&pool, hal, 2, 65535), 0);
	ck_assert_uint_eq(net_buf_pool_capacity(&pool), 2);
	ck_assert_uint_eq(net_buf_pool_buf_len(&pool), 65535);
	ck_assert_uint_eq(net_buf_pool_destroy(&pool), 0);
	ck_assert_mem_eq(&pool, &zero_pool, sizeof(pool));
	/* A pool never set up: nothing to do, nothing to hand out. */
	ck_assert_ptr_null(net_buf_pool_alloc(&pool));
	ck_assert_uint_eq(net_buf_pool_destroy(&pool), 0);
	finish();
}
END_TEST

/* Every buffer: its own bytes, its device address, the pool's length. */
START_TEST(alloc_until_empty)
{
	enum { N = 16 };
	struct net_buf *b[N];

	ck_assert_int_eq(net_buf_pool_init(&pool, machine_hal(&m), N, 1526), 0);
	ck_assert_uint_eq(net_buf_pool_free_count(&pool), N);
	for (unsigned i = 0; i < N; i++) {
		b[i] = net_buf_pool_alloc(&pool);
		ck_assert_ptr_nonnull(b[i]);
		ck_assert_uint_eq(net_buf_pool_free_count(&pool), N - 1 - i);
		ck_assert(!b[i]->in_pool);
		ck_assert_ptr_null(b[i]->next);
		ck_assert_uint_eq(b[i]->capacity, 1526);
		ck_assert_uint_eq(b[i]->header_len, 0);
		ck_assert_uint_eq(b[i]->packet_len, 0);
		ck_assert_uint_eq(b[i]->index, i); /* 0 goes out first */
		ck_assert(net_buf_pool_owns(&pool, b[i]));
		ck_assert(!net_buf_pool_is_free(&pool, b[i]));
		/* paddr is where the device sees buf: no bounce needed. */
		ck_assert_ptr_eq(guest_mem_span(&m.mem, b[i]->paddr, 1526),
				 b[i]->buf);
		ck_assert_ptr_eq(net_buf_pool_find(&pool, b[i]->buf), b[i]);
		ck_assert_ptr_eq(net_buf_packet(b[i]), b[i]->buf);
		/* Writable end to end, and no two overlap. */
		memset(b[i]->buf, (int)i, 1526);
		for (unsigned j = 0; j < i; j++)
			ck_assert(b[j]->buf + 1526 <= b[i]->buf ||
				  b[i]->buf + 1526 <= b[j]->buf);
	}
	ck_assert_ptr_null(net_buf_pool_alloc(&pool));
	ck_assert_uint_eq(net_buf_pool_free_count(&pool), 0);
	for (unsigned i = 0; i < N; i++)
		ck_assert_uint_eq(b[i]->buf[1525], i);

	/* Free one, get it back: last freed, first out, fields reset. */
	b[3]->header_len = 12;
	b[3]->packet_len = 100;
	ck_assert_int_eq(net_buf_pool_free(&pool, b[3]), 0);
	ck_assert(b[3]->in_pool);
	ck_assert(net_buf_pool_is_free(&pool, b[3]));
	ck_assert_uint_eq(net_buf_pool_free_count(&pool), 1);
	ck_assert_ptr_eq(net_buf_pool_alloc(&pool), b[3]);
	ck_assert_uint_eq(b[3]->header_len, 0);
	ck_assert_uint_eq(b[3]->packet_len, 0);

	/* Destroy says how many were still out. */
	for (unsigned i = 0; i < N / 2; i++)
		ck_assert_int_eq(net_buf_pool_free(&pool, b[i]), 0);
	ck_assert_uint_eq(net_buf_pool_destroy(&pool), N - N / 2);
	finish();
}
END_TEST

/* A double free and a foreign buffer are refused and change nothing. */
START_TEST(bad_frees_change_nothing)
{
	struct net_buf_pool other;
	struct net_buf *a, *b, *c, *o, copy;
	size_t before;

	ck_assert_int_eq(net_buf_pool_init(&pool, machine_hal(&m), 4, 2048), 0);
	ck_assert_int_eq(net_buf_pool_init(&other, machine_hal(&m), 2, 2048),
			 0);
	a = net_buf_pool_alloc(&pool);
	b = net_buf_pool_alloc(&pool);
	c = net_buf_pool_alloc(&pool);
	ck_assert_int_eq(net_buf_pool_free(&pool, b), 0);
	before = net_buf_pool_free_count(&pool);
	ck_assert_uint_eq(before, 2);

	/* Twice, even with its in_pool mirror scribbled over. */
	ck_assert_int_eq(net_buf_pool_free(&pool, b), -DEV_ERR_INVALID_PARAM);
	b->in_pool = false;
	ck_assert_int_eq(net_buf_pool_free(&pool, b), -DEV_ERR_INVALID_PARAM);
	ck_assert_uint_eq(net_buf_pool_free_count(&pool), before);

	/* Foreign: another pool's, a copy, a pointer inside a descriptor. */
	o = net_buf_pool_alloc(&other);
	ck_assert_ptr_nonnull(o);
	ck_assert(!net_buf_pool_owns(&pool, o));
	ck_assert_int_eq(net_buf_pool_free(&pool, o), -DEV_ERR_INVALID_PARAM);
	copy = *a;
	ck_assert_int_eq(net_buf_pool_free(&pool, &copy),
			 -DEV_ERR_INVALID_PARAM);
	ck_assert_int_eq(
	    net_buf_pool_free(&pool, (struct net_buf *)(void *)((char *)a + 1)),
	    -DEV_ERR_INVALID_PARAM);
	ck_assert_int_eq(net_buf_pool_free(&pool, a + 4),
			 -DEV_ERR_INVALID_PARAM); /* one past the end */
	ck_assert_int_eq(net_buf_pool_free(&pool, NULL),
			 -DEV_ERR_INVALID_PARAM);
	ck_assert_ptr_null(net_buf_pool_find(&pool, a->buf + 1));
	ck_assert_ptr_null(net_buf_pool_find(&pool, a->buf - 1));
	ck_assert_ptr_null(net_buf_pool_find(&pool, a->buf + pool.stride / 2));
	ck_assert_ptr_null(net_buf_pool_find(&pool, a->buf + 64));
	ck_assert_ptr_null(net_buf_pool_find(
	    &pool, pool.data + pool.capacity * pool.stride));
	ck_assert_ptr_null(net_buf_pool_find(&pool, o->buf));
	ck_assert_uint_eq(net_buf_pool_free_count(&pool), before);
	ck_assert_uint_eq(net_buf_pool_free_count(&other), 1);

	/* The pool still hands out exactly its free buffers, then none. */
	{
		struct net_buf *x = net_buf_pool_alloc(&pool);
		struct net_buf *y = net_buf_pool_alloc(&pool);

		ck_assert_ptr_nonnull(x);
		ck_assert_ptr_nonnull(y);
		ck_assert_ptr_ne(x, y);
		ck_assert(x != a && x != c && y != a && y != c);
		ck_assert_ptr_null(net_buf_pool_alloc(&pool));
		ck_assert_int_eq(net_buf_pool_free(&pool, x), 0);
		ck_assert_int_eq(net_buf_pool_free(&pool, y), 0);
	}

	/* Fields a holder scribbled over are rewritten by free. */
	a->buf = NULL;
	a->paddr = 0;
	a->capacity = 1;
	a->index = 99;
	ck_assert_int_eq(net_buf_pool_free(&pool, a), 0);
	ck_assert_ptr_nonnull(a->buf);
	ck_assert_ptr_eq(guest_mem_span(&m.mem, a->paddr, 2048), a->buf);
	ck_assert_uint_eq(a->capacity, 2048);
	ck_assert_uint_eq(a->index, 0);
	ck_assert_int_eq(net_buf_pool_free(&pool, c), 0);
	ck_assert_int_eq(net_buf_pool_free(&other, o), 0);
	ck_assert_uint_eq(net_buf_pool_destroy(&pool), 0);
	ck_assert_uint_eq(net_buf_pool_destroy(&other), 0);
	finish();
}
END_TEST

/* DMA runs out: NoMemory, and what was taken is given back. */
START_TEST(dma_exhaustion_is_no_memory)
{
	/* 4 MiB of RAM cannot hold 64 buffers of 64 KiB. */
	ck_assert_int_eq(net_buf_pool_init(&pool, machine_hal(&m), 64, 65535),
			 -DEV_ERR_NO_MEMORY);
	ck_assert_mem_eq(&pool, &zero_pool, sizeof(pool));
	assert_dma_all_back(900);
	ck_assert_int_eq(net_buf_pool_init(&pool, machine_hal(&m), 16, 65535),
			 0);
	ck_assert_uint_eq(net_buf_pool_destroy(&pool), 0);
	assert_dma_all_back(900);
	finish();
}
END_TEST

/* A large pool: every buffer distinct and where its paddr says. */
START_TEST(large_pool_geometry)
{
	enum { N = 512 };
	size_t seen = 0;
	struct net_buf *b;

	ck_assert_int_eq(net_buf_pool_init(&pool, machine_hal(&m), N, 1526), 0);
	while ((b = net_buf_pool_alloc(&pool)) != NULL) {
		ck_assert_uint_eq(b->index, seen);
		ck_assert_ptr_eq(guest_mem_span(&m.mem, b->paddr, b->capacity),
				 b->buf);
		ck_assert_uint_eq((uintptr_t)b->buf % 64, 0);
		seen++;
	}
	ck_assert_uint_eq(seen, N);
	for (size_t i = 0; i < N; i++)
		ck_assert_int_eq(net_buf_pool_free(&pool, &pool.descs[i]), 0);
	ck_assert_uint_eq(net_buf_pool_free_count(&pool), N);
	ck_assert_uint_eq(net_buf_pool_destroy(&pool), 0);
	finish();
}
END_TEST

/*
 * find maps every buffer start back to its descriptor and nothing else,
 * for strides with odd parts of every kind (1536 = 3 << 9, 1600 = 25 <<
 * 6, 9088 = 71 << 7, 65536 = 1 << 16).
 */
START_TEST(find_takes_buffer_starts_only)
{
	static const size_t lens[] = {1526, 1600, 9026, 65535};
	enum { N = 8 };

	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		size_t misses = 0, hits = 0;

		ck_assert_int_eq(
		    net_buf_pool_init(&pool, machine_hal(&m), N, lens[k]), 0);
		for (size_t off = 0; off < N * pool.stride + 64; off++) {
			struct net_buf *b =
			    net_buf_pool_find(&pool, pool.data + off);

			if (off % pool.stride || off / pool.stride >= N) {
				misses += b == NULL;
				continue;
			}
			hits += b == &pool.descs[off / pool.stride];
		}
		ck_assert_uint_eq(hits, N);
		ck_assert_uint_eq(misses, N * pool.stride + 64 - N);
		ck_assert_uint_eq(net_buf_pool_destroy(&pool), 0);
	}
	finish();
}
END_TEST

static Suite *net_buf_suite(void)
{
	Suite *s = suite_create("net_buf");
	TCase *tc = tcase_create("pool");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bad_parameters_refused);
	tcase_add_test(tc, alloc_until_empty);
	tcase_add_test(tc, bad_frees_change_nothing);
	tcase_add_test(tc, dma_exhaustion_is_no_memory);
	tcase_add_test(tc, large_pool_geometry);
	tcase_add_test(tc, find_takes_buffer_starts_only);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(net_buf_suite)
