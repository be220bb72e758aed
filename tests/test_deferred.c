/* SPDX-License-Identifier: MIT */
/*
 * The execution modes end to end: the blk driver's token API against the
 * blk model, in sync mode (device work inside the notify, in order) and
 * in deferred mode (on the virtual clock, completions out of order and
 * interrupts late, as the seed says).
 *
 * - A run is a function of its seed: 20 runs give one trace hash, in each
 *   mode; two seeds give two completion orders, both byte-exact.
 * - Consumers that assume in-order completion, or an interrupt at once,
 *   pass in sync mode and are caught in deferred mode.
 * - A token names one request from submit to complete, with a queue of
 *   4 and more requests than that in flight (the bug where a finished
 *   request's head was reused while it waited to be completed), in
 *   deferred and in thread mode.
 * - Thread mode (the device on a host thread) reads byte-exact, and
 *   never leaves a waiting driver idle with a request in flight.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "drivers/virtio/virtio_blk.h"
#include "tests/testutil.h"
#include "tools/vm/blk_class.h"
#include "tools/vm/vm.h"

#define DISK_SECTORS 2048u
#define DEPTH 16u
#define READS 256u

static struct vm vm;
static char path[4096];

static void start(enum sim_mode mode, uint64_t seed, bool poll,
		  uint16_t queue_size)
{
	struct blk_options bo = {.path = path, .queue_size = queue_size};
	struct vm_device_config dc = {.cls = &blk_class, .options = &bo};
	struct vm_config cfg = {.mem_size = 8u << 20,
				.mode = mode,
				.seed = seed,
				.devices = &dc,
				.device_count = 1,
				.poll = poll};
	char err[256];

	ck_assert_msg(vm_create(&vm, &cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(vm_probe(&vm, err, sizeof(err)) == 0, "%s", err);
}

static uint64_t stop(void)
{
	uint64_t hash;

	machine_lock(&vm.machine); /* thread mode: the devices' too */
	hash = vm.machine.trace.hash;
	machine_unlock(&vm.machine);

	ck_assert_uint_eq(vm_destroy(&vm, true), 0);
	return hash;
}

static void setup(void)
{
	test_make_file(path, sizeof(path), "sched", DISK_SECTORS * 512ull, 1);
}

static void teardown(void)
{
	unlink(path);
}

static struct virtio_blk *blk(void)
{
	return vm_virtio_blk(&vm, 0);
}

static const struct hal *hal(void)
{
	return machine_hal(&vm.machine);
}

static void expect_image(const uint8_t *buf, uint64_t sector)
{
	test_expect_pattern(buf, 512, sector * 512);
}

/* The in-flight request @token names; there must be exactly one. */
static unsigned owner(const struct virtio_blk_req *req, unsigned n,
		      uint16_t token)
{
	unsigned found = n, count = 0;

	for (unsigned i = 0; i < n; i++) {
		if (req[i].in_flight && req[i].token == token) {
			found = i;
			count++;
		}
	}
	ck_assert_msg(count == 1, "token %u names %u requests", token, count);
	return found;
}

/*
 * READS single-sector reads, DEPTH in flight through the token API, each
 * completed by the token poll returns and checked against the image.
 * @order gets the sectors in completion order.
 */
static void token_reads(uint64_t *order)
{
	static uint8_t buf[DEPTH][512];
	struct virtio_blk_req req[DEPTH];
	uint64_t sector_of[DEPTH];
	unsigned next = 0, done = 0;

	memset(req, 0, sizeof(req));
	while (done < READS) {
		uint16_t token;
		unsigned i;

		for (i = 0; i < DEPTH && next < READS; i++) {
			if (req[i].in_flight)
				continue;
			sector_of[i] = (next * 37u) % DISK_SECTORS;
			ck_assert_int_eq(
			    virtio_blk_submit(blk(), &req[i], VIRTIO_BLK_T_IN,
					      sector_of[i], buf[i], 512),
			    0);
			next++;
		}
		while (virtio_blk_poll(blk(), &token) == 0)
			ck_assert_int_eq(hal_wait(hal()), 0);
		i = owner(req, DEPTH, token);
		ck_assert_int_eq(virtio_blk_complete(blk(), token, &req[i]), 0);
		expect_image(buf[i], sector_of[i]);
		order[done++] = sector_of[i];
	}
}

/* The same seed, the same run: one hash over 20 runs, in each mode. */
START_TEST(same_seed_same_hash)
{
	enum sim_mode mode = _i ? SIM_MODE_DEFERRED : SIM_MODE_SYNC;
	static uint64_t first[READS], order[READS];
	uint64_t hash = 0;

	for (unsigned run = 0; run < 20; run++) {
		start(mode, 7, false, 0);
		token_reads(run ? order : first);
		if (run == 0) {
			hash = stop();
			continue;
		}
		ck_assert_uint_eq(stop(), hash);
		ck_assert_mem_eq(order, first, sizeof(order));
	}
}
END_TEST

static bool same_order(const uint64_t *a, const uint64_t *b)
{
	return !memcmp(a, b, READS * sizeof(*a));
}

/*
 * Deferred mode: completions come back out of submission order, and two
 * seeds give two orders and two hashes; every read was byte-exact
 * (token_reads checks each). Sync mode completes in submission order
 * whatever the seed.
 */
START_TEST(seeds_give_different_orders)
{
	static uint64_t a[READS], b[READS], submitted[READS];
	uint64_t ha, hb;

	for (unsigned k = 0; k < READS; k++)
		submitted[k] = (k * 37u) % DISK_SECTORS;
	start(SIM_MODE_DEFERRED, 1, false, 0);
	token_reads(a);
	ha = stop();
	start(SIM_MODE_DEFERRED, 2, false, 0);
	token_reads(b);
	hb = stop();
	ck_assert_msg(!same_order(a, b),
		      "seeds 1 and 2 completed in one order");
	ck_assert_uint_ne(ha, hb);
	ck_assert(!same_order(a, submitted));

	start(SIM_MODE_SYNC, 1, false, 0);
	token_reads(a);
	ha = stop();
	start(SIM_MODE_SYNC, 2, false, 0);
	token_reads(b);
	hb = stop();
	ck_assert(same_order(a, submitted));
	ck_assert(same_order(b, submitted));
	ck_assert_uint_eq(ha, hb); /* the seed draws nothing in sync mode */
}
END_TEST

/*
 * A broken consumer: it submits DEPTH reads and completes them in the
 * order it submitted them, whatever token poll hands back. Returns how
 * many completions the driver refused (WrongToken).
 */
static unsigned in_order_consumer(void)
{
	static uint8_t buf[DEPTH][512];
	struct virtio_blk_req req[DEPTH];
	unsigned refused = 0;

	memset(req, 0, sizeof(req));
	for (unsigned i = 0; i < DEPTH; i++)
		ck_assert_int_eq(virtio_blk_submit(blk(), &req[i],
						   VIRTIO_BLK_T_IN, i, buf[i],
						   512),
				 0);
	for (unsigned i = 0; i < DEPTH; i++) {
		uint16_t token;
		int err;

		while (virtio_blk_poll(blk(), &token) == 0)
			ck_assert_int_eq(hal_wait(hal()), 0);
		/* The bug: "the next one done must be the next I sent". */
		err = virtio_blk_complete(blk(), token, &req[i]);
		if (err) {
			ck_assert_int_eq(err, -VIRTIO_ERR_WRONG_TOKEN);
			refused++;
			/* Tidy up the way a correct consumer would. */
			ck_assert_int_eq(
			    virtio_blk_complete(blk(), token,
						&req[owner(req, DEPTH, token)]),
			    0);
		}
	}
	/* What it wrongly skipped is finished and completed by now. */
	for (unsigned i = 0; i < DEPTH; i++) {
		uint16_t token;

		if (!req[i].in_flight)
			continue;
		while (virtio_blk_poll(blk(), &token) == 0)
			ck_assert_int_eq(hal_wait(hal()), 0);
		ck_assert_int_eq(
		    virtio_blk_complete(blk(), token,
					&req[owner(req, DEPTH, token)]),
		    0);
	}
	return refused;
}

START_TEST(in_order_consumer_is_caught)
{
	start(SIM_MODE_SYNC, 1, false, 0);
	ck_assert_uint_eq(in_order_consumer(), 0);
	stop();
	start(SIM_MODE_DEFERRED, 1, false, 0);
	ck_assert_uint_gt(in_order_consumer(), 0);
	stop();
}
END_TEST

/*
 * Another broken consumer: it takes the interrupt for granted right
 * after submitting, polling once without ever waiting. Returns true if
 * the completion was there.
 */
static bool instant_interrupt_consumer(void)
{
	static uint8_t buf[512];
	struct virtio_blk_req req;
	uint16_t token;
	bool there;

	memset(&req, 0, sizeof(req));
	ck_assert_int_eq(
	    virtio_blk_submit(blk(), &req, VIRTIO_BLK_T_IN, 5, buf, 512), 0);
	there = virtio_blk_poll(blk(), &token) == 1;
	while (!there && virtio_blk_poll(blk(), &token) == 0)
		ck_assert_int_eq(hal_wait(hal()), 0);
	ck_assert_int_eq(virtio_blk_complete(blk(), token, &req), 0);
	expect_image(buf, 5);
	return there;
}

START_TEST(instant_interrupt_consumer_is_caught)
{
	start(SIM_MODE_SYNC, 1, false, 0);
	ck_assert(instant_interrupt_consumer());
	stop();
	start(SIM_MODE_DEFERRED, 1, false, 0);
	ck_assert(!instant_interrupt_consumer());
	stop();
}
END_TEST

/* Submit reads from @next on while more than one descriptor is free. */
static void submit_some(struct virtio_blk_req *req, uint8_t **buf,
			uint64_t *sector_of, unsigned n, unsigned *next)
{
	for (unsigned i = 0; i < n && virtqueue_num_free(&blk()->vq) > 1; i++) {
		if (req[i].in_flight)
			continue;
		sector_of[i] = *next % DISK_SECTORS;
		memset(buf[i], 0, 512);
		ck_assert_int_eq(virtio_blk_submit(blk(), &req[i],
						   VIRTIO_BLK_T_IN,
						   sector_of[i], buf[i], 512),
				 0);
		(*next)++;
	}
	/* Every token in flight names one request. */
	for (unsigned i = 0; i < n; i++)
		if (req[i].in_flight)
			owner(req, n, req[i].token);
}

/*
 * The token bug: a device queue of 4 and more token requests than that.
 * Each round leaves one descriptor for a blocking read, which takes the
 * requests finished meanwhile off the ring and leaves them for complete;
 * then more are submitted. A finished request's head must not be handed
 * out again before it is completed (tokens came out 0, 2, 0, 2), every
 * token poll returns names exactly one request, and every bounced read
 * comes back (heap buffers go through the HAL's bounce pages).
 */
START_TEST(tokens_unique_with_a_small_queue)
{
	enum { N = 8 };
	struct virtio_blk_req req[N];
	uint8_t *buf[N], small[512];
	uint64_t sector_of[N];
	unsigned next = 0, done = 0;

	start(_i < 4 ? SIM_MODE_DEFERRED : SIM_MODE_THREAD, (uint64_t)_i + 1,
	      _i % 2, 4);
	ck_assert_uint_eq(blk()->vq.size, 4);
	memset(req, 0, sizeof(req));
	for (unsigned i = 0; i < N; i++)
		buf[i] = malloc(512);
	while (done < 200) {
		uint16_t token;
		unsigned i;

		submit_some(req, buf, sector_of, N, &next);
		ck_assert_int_eq(virtio_blk_read(blk(), 9, small, 512), 0);
		expect_image(small, 9);
		submit_some(req, buf, sector_of, N, &next);
		while (virtio_blk_poll(blk(), &token) == 0)
			ck_assert_int_eq(hal_wait(hal()), 0);
		i = owner(req, N, token);
		ck_assert_int_eq(virtio_blk_complete(blk(), token, &req[i]), 0);
		expect_image(buf[i], sector_of[i]);
		done++;
	}
	/* Complete what is still in flight: its buffers are shared. */
	for (; done < next; done++) {
		uint16_t token;
		unsigned i;

		while (virtio_blk_poll(blk(), &token) == 0)
			ck_assert_int_eq(hal_wait(hal()), 0);
		i = owner(req, N, token);
		ck_assert_int_eq(virtio_blk_complete(blk(), token, &req[i]), 0);
		expect_image(buf[i], sector_of[i]);
	}
	stop();
	for (unsigned i = 0; i < N; i++)
		free(buf[i]);
}
END_TEST

/*
 * Thread mode: the device on a host thread, the driver going on while it
 * works. Every read is byte-exact, every wait that a request in flight
 * makes is answered (a lost kick or wakeup would make hal_wait idle),
 * and the trace hash still counts the run's events.
 */
START_TEST(thread_mode_reads_are_exact)
{
	uint64_t order[READS];

	for (unsigned run = 0; run < 4; run++) {
		start(SIM_MODE_THREAD, run, _i, 0);
		token_reads(order);
		machine_lock(&vm.machine);
		ck_assert_uint_gt(vm.machine.trace.events, READS);
		machine_unlock(&vm.machine);
		stop();
	}
}
END_TEST

static Suite *deferred_suite(void)
{
	Suite *s = suite_create("deferred");
	TCase *tc = tcase_create("modes");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, same_seed_same_hash, 0, 2);
	tcase_add_test(tc, seeds_give_different_orders);
	tcase_add_test(tc, in_order_consumer_is_caught);
	tcase_add_test(tc, instant_interrupt_consumer_is_caught);
	tcase_add_loop_test(tc, tokens_unique_with_a_small_queue, 0, 8);
	tcase_add_loop_test(tc, thread_mode_reads_are_exact, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(deferred_suite)
