/* SPDX-License-Identifier: MIT */
/*
 * The fault injector (sim/fault.c): the point list, the plan grammar,
 * and that an armed point fires exactly as its plan says (count, after,
 * prob with a fixed seed, dev), and the HAL's two points end to end.
 */
#include <string.h>

#include "hal/hal.h"
#include "sim/fault.h"
#include "sim/machine.h"
#include "sim/rng.h"
#include "tests/testutil.h"

static struct fault_injector fi;
static struct rng stream;

static void setup(void)
{
	rng_init_stream(&stream, 42, 2);
	fault_init(&fi, &stream);
}

/* Arm @spec, then hit point @p @n times in @dev: the hits that fired. */
static uint64_t fires_of(const char *spec, enum fault_point p, unsigned n,
			 uint32_t dev, uint64_t *pattern)
{
	struct fault_arm a;
	char err[256];
	uint64_t bits = 0;

	ck_assert_msg(!fault_arm_parse(spec, &a, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(fault_add(&fi, &a), 0);
	for (unsigned i = 0; i < n; i++)
		if (fault_fire(&fi, p, dev) && i < 64)
			bits |= 1ull << i;
	if (pattern)
		*pattern = bits;
	return fi.fires[p];
}

START_TEST(every_point_has_a_name_help_and_parses_back)
{
	for (unsigned i = 0; i < FAULT_NUM_POINTS; i++) {
		enum fault_point p;

		ck_assert(strlen(fault_point_name(i)) > 0);
		ck_assert(strlen(fault_point_help(i)) > 10);
		ck_assert_int_eq(fault_point_parse(fault_point_name(i), &p), 0);
		ck_assert_uint_eq(p, i);
	}
}
END_TEST

START_TEST(unarmed_points_never_fire_or_count)
{
	for (unsigned i = 0; i < 100; i++)
		ck_assert(!fault_fire(&fi, FAULT_BLK_IOERR, 0));
	ck_assert_uint_eq(fi.hits[FAULT_BLK_IOERR], 0);
	ck_assert(!fault_fire(NULL, FAULT_BLK_IOERR, 0));
}
END_TEST

START_TEST(plain_arm_fires_every_hit)
{
	uint64_t bits;

	ck_assert_uint_eq(fires_of("blk-ioerr", FAULT_BLK_IOERR, 10, 0, &bits),
			  10);
	ck_assert_uint_eq(bits, 0x3ff);
	ck_assert_uint_eq(fi.hits[FAULT_BLK_IOERR], 10);
}
END_TEST

START_TEST(count_and_after_pick_exact_hits)
{
	uint64_t bits;

	/* Hits 0..2 pass, 3 and 4 fire, then the count is spent. */
	ck_assert_uint_eq(fires_of("blk-ioerr,after=3,count=2",
				   FAULT_BLK_IOERR, 20, 0, &bits),
			  2);
	ck_assert_uint_eq(bits, 0x18);
	ck_assert_uint_eq(fi.hits[FAULT_BLK_IOERR], 20);
}
END_TEST

START_TEST(dev_limits_to_one_device)
{
	struct fault_arm a;
	char err[128];

	ck_assert_int_eq(fault_arm_parse("queue-stall,dev=2", &a, err,
					 sizeof(err)),
			 0);
	fault_add(&fi, &a);
	ck_assert(!fault_fire(&fi, FAULT_QUEUE_STALL, 0));
	ck_assert(!fault_fire(&fi, FAULT_QUEUE_STALL, 1));
	ck_assert(fault_fire(&fi, FAULT_QUEUE_STALL, 2));
	ck_assert(!fault_fire(&fi, FAULT_QUEUE_STALL, 3));
	/* after= counts the device's own hits only. */
	fault_init(&fi, &stream);
	ck_assert_int_eq(fault_arm_parse("queue-stall,dev=1,after=1", &a, err,
					 sizeof(err)),
			 0);
	fault_add(&fi, &a);
	ck_assert(!fault_fire(&fi, FAULT_QUEUE_STALL, 0));
	ck_assert(!fault_fire(&fi, FAULT_QUEUE_STALL, 1));
	ck_assert(!fault_fire(&fi, FAULT_QUEUE_STALL, 0));
	ck_assert(fault_fire(&fi, FAULT_QUEUE_STALL, 1));
}
END_TEST

START_TEST(prob_follows_the_seed)
{
	uint64_t a, b, fired;

	fired = fires_of("net-drop-rx,prob=0.25", FAULT_NET_DROP_RX, 64, 0, &a);
	/* 64 draws at 1/4: not none, not all, and the same again. */
	ck_assert_uint_gt(fired, 4);
	ck_assert_uint_lt(fired, 32);
	setup();
	ck_assert_uint_eq(
	    fires_of("net-drop-rx,prob=0.25", FAULT_NET_DROP_RX, 64, 0, &b),
	    fired);
	ck_assert_uint_eq(a, b);
	/* Another seed, another pattern. */
	rng_init_stream(&stream, 43, 2);
	fault_init(&fi, &stream);
	fires_of("net-drop-rx,prob=0.25", FAULT_NET_DROP_RX, 64, 0, &b);
	ck_assert_uint_ne(a, b);
}
END_TEST

START_TEST(prob_one_draws_nothing)
{
	uint64_t before = stream.s[0];

	fires_of("gpu-error,count=3", FAULT_GPU_ERROR, 5, 0, NULL);
	ck_assert_uint_eq(stream.s[0], before);
}
END_TEST

START_TEST(bad_specs_are_refused_by_name)
{
	static const struct {
		const char *spec, *says;
	} bad[] = {
	    {"", "no fault point"},
	    {"nonsense", "unknown fault point 'nonsense'"},
	    {"count=1", "unknown fault point 'count'"},
	    {"blk-ioerr,count=0", "bad 'count=0'"},
	    {"blk-ioerr,count=-1", "bad 'count=-1'"},
	    {"blk-ioerr,count=0x10", "bad 'count=0x10'"},
	    {"blk-ioerr,after=", "bad 'after='"},
	    {"blk-ioerr,prob=0", "bad 'prob=0'"},
	    {"blk-ioerr,prob=1.5", "bad 'prob=1.5'"},
	    {"blk-ioerr,prob=nan", "bad 'prob=nan'"},
	    {"blk-ioerr,dev=x", "bad 'dev=x'"},
	    {"blk-ioerr,colour=red", "bad 'colour=red'"},
	    {"hal-share,dev=0", "the HAL serves every device"},
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fault_arm a;
		char err[256] = "";

		ck_assert_msg(fault_arm_parse(bad[i].spec, &a, err,
					      sizeof(err)) == -1,
			      "'%s' accepted", bad[i].spec);
		ck_assert_msg(strstr(err, bad[i].says), "'%s': %s",
			      bad[i].spec, err);
	}
}
END_TEST

START_TEST(plan_is_bounded)
{
	struct fault_arm a = {.point = FAULT_BLK_IOERR, .prob = 1,
			      .dev = FAULT_ANY_DEV};

	for (unsigned i = 0; i < FAULT_MAX_ARMS; i++)
		ck_assert_int_eq(fault_add(&fi, &a), 0);
	ck_assert_int_eq(fault_add(&fi, &a), -1);
}
END_TEST

/* The HAL's points, on a machine: the call fails as often as planned. */
/*
 * hostile draws each site's kinds and only those, every one of them in
 * enough fires; hostile_only narrows the draw, and a site it leaves no
 * kind is no hit at all.
 */
START_TEST(hostile_draws_the_kinds_of_its_site)
{
	static const enum fault_hostile_site sites[] = {
	    FAULT_HOSTILE_AT_COMPLETION, FAULT_HOSTILE_AT_INTERRUPT,
	    FAULT_HOSTILE_AT_GENERATION};
	uint32_t seen[3] = {0};
	enum fault_hostile_kind k;
	struct fault_arm a;
	char err[256];

	ck_assert_int_eq(fault_arm_parse("hostile", &a, err, sizeof(err)), 0);
	ck_assert_int_eq(fault_add(&fi, &a), 0);
	for (unsigned i = 0; i < 600; i++) {
		ck_assert(fault_hostile(&fi, sites[i % 3], 0, &k));
		ck_assert_uint_lt(k, FAULT_HOSTILE_NUM_KINDS);
		seen[i % 3] |= 1u << k;
	}
	ck_assert_uint_eq(seen[0], (1u << FAULT_HOSTILE_IRQ_NO_USED) - 1);
	ck_assert_uint_eq(seen[1], 1u << FAULT_HOSTILE_IRQ_NO_USED |
				       1u << FAULT_HOSTILE_IRQ_STORM);
	ck_assert_uint_eq(seen[2], 1u << FAULT_HOSTILE_GEN_FLAP);
	ck_assert_uint_eq(fi.fires[FAULT_HOSTILE], 600);

	fi.hostile_only = 1u << FAULT_HOSTILE_IRQ_STORM;
	ck_assert(!fault_hostile(&fi, FAULT_HOSTILE_AT_COMPLETION, 0, &k));
	ck_assert(fault_hostile(&fi, FAULT_HOSTILE_AT_INTERRUPT, 0, &k));
	ck_assert_int_eq(k, FAULT_HOSTILE_IRQ_STORM);
	ck_assert_uint_eq(fi.hits[FAULT_HOSTILE], 601);
	ck_assert_str_eq(fault_hostile_name(FAULT_HOSTILE_GEN_FLAP),
			 "generation-flap");
}
END_TEST

START_TEST(hal_points_fail_the_hal_call)
{
	struct fault_arm arms[2];
	struct machine_options mo = {.faults = arms, .fault_count = 2};
	struct machine m;
	const struct hal *h;
	uint64_t pa[4];
	void *va[4];
	uint8_t buf[64];
	char err[128];
	int fails = 0;

	ck_assert_int_eq(fault_arm_parse("hal-dma-alloc,after=1,count=2",
					 &arms[0], err, sizeof(err)),
			 0);
	ck_assert_int_eq(
	    fault_arm_parse("hal-share,count=1", &arms[1], err, sizeof(err)),
	    0);
	ck_assert_int_eq(machine_init(&m, &mo), 0);
	h = machine_hal(&m);
	for (unsigned i = 0; i < 4; i++) {
		int ret = hal_dma_alloc(h, 1, &pa[i], &va[i]);

		ck_assert_int_eq(ret, i == 1 || i == 2 ? -HAL_ENOMEM : 0);
		fails += ret != 0;
	}
	ck_assert_int_eq(fails, 2);
	hal_dma_free(h, pa[0], va[0], 1);
	hal_dma_free(h, pa[3], va[3], 1);
	ck_assert_int_eq(hal_share(h, buf, sizeof(buf), HAL_DMA_TO_DEVICE,
				   &pa[0]),
			 -HAL_ENOMEM);
	ck_assert_int_eq(hal_share(h, buf, sizeof(buf), HAL_DMA_TO_DEVICE,
				   &pa[0]),
			 0);
	ck_assert_int_eq(hal_unshare(h, pa[0], buf, sizeof(buf),
				     HAL_DMA_TO_DEVICE),
			 0);
	ck_assert_uint_eq(m.faults.hits[FAULT_HAL_DMA_ALLOC], 4);
	ck_assert_uint_eq(m.faults.fires[FAULT_HAL_SHARE], 1);
	/* Nothing leaked: a failed call took nothing. */
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
}
END_TEST

static Suite *fault_suite(void)
{
	Suite *s = suite_create("fault");
	TCase *tc = tcase_create("injector");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, every_point_has_a_name_help_and_parses_back);
	tcase_add_test(tc, unarmed_points_never_fire_or_count);
	tcase_add_test(tc, plain_arm_fires_every_hit);
	tcase_add_test(tc, count_and_after_pick_exact_hits);
	tcase_add_test(tc, dev_limits_to_one_device);
	tcase_add_test(tc, prob_follows_the_seed);
	tcase_add_test(tc, prob_one_draws_nothing);
	tcase_add_test(tc, bad_specs_are_refused_by_name);
	tcase_add_test(tc, plan_is_bounded);
	tcase_add_test(tc, hostile_draws_the_kinds_of_its_site);
	tcase_add_test(tc, hal_points_fail_the_hal_call);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(fault_suite)
