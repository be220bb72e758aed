/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the event loop (virtual clock, timers, run queue, fd
 * watches) and the deterministic random streams it picks work with.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/evloop.h"
#include "sim/rng.h"
#include "tests/testutil.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_EVENTS 2048

static struct evloop loop;

/* What ran, in order, and what the clock read when it did. */
static struct {
	unsigned n;
	int id[MAX_EVENTS];
	uint64_t at[MAX_EVENTS];
	uint64_t seq[MAX_EVENTS];
} log_;

struct item {
	int id;
	struct ev_timer t;
	struct ev_work w;
	unsigned left; /* self re-arms or re-posts still to do */
};

static void log_event(int id, uint64_t seq)
{
	ck_assert_uint_lt(log_.n, MAX_EVENTS);
	log_.id[log_.n] = id;
	log_.at[log_.n] = evloop_now(&loop);
	log_.seq[log_.n] = seq;
	log_.n++;
}

static void timer_log(void *opaque)
{
	struct item *it = opaque;

	/* Disarmed before its callback, so it may re-arm itself. */
	ck_assert(!ev_timer_armed(&it->t));
	log_event(it->id, it->t.seq);
}

static void work_log(void *opaque)
{
	struct item *it = opaque;

	ck_assert(!ev_work_queued(&it->w));
	log_event(it->id, 0);
}

static void items_init(struct item *items, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		items[i] = (struct item){.id = (int)i};
		ev_timer_init(&items[i].t, timer_log, &items[i]);
		ev_work_init(&items[i].w, work_log, &items[i]);
	}
}

/* Step until nothing is left to run; only for loops without fd watches. */
static unsigned run_until_idle(void)
{
	unsigned steps = 0;
	enum evloop_result res;

	while ((res = evloop_step(&loop, 0)) == EVLOOP_RAN)
		steps++;
	ck_assert_int_eq(res, EVLOOP_IDLE);
	return steps;
}

static void assert_log_ids(const int *ids, unsigned n)
{
	ck_assert_uint_eq(log_.n, n);
	for (unsigned i = 0; i < n; i++)
		ck_assert_int_eq(log_.id[i], ids[i]);
}

static void loop_setup(void)
{
	evloop_init(&loop);
	memset(&log_, 0, sizeof(log_));
}

static void loop_teardown(void)
{
	evloop_destroy(&loop);
}

/* ---- rng ---- */

START_TEST(rng_matches_reference_outputs)
{
	/* Hand-checked against the published xoshiro256** and splitmix64. */
	struct rng r = {{1, 2, 3, 4}};

	ck_assert_uint_eq(rng_next(&r), 11520);
	ck_assert_uint_eq(rng_next(&r), 0);
	ck_assert_uint_eq(rng_next(&r), 1509978240);
	rng_seed(&r, 0);
	ck_assert_uint_eq(r.s[0], 0xe220a8397b1dcdafull);
}
END_TEST

START_TEST(rng_same_seed_same_sequence)
{
	struct rng a, b, c;
	unsigned same = 0;

	rng_seed(&a, 42);
	rng_seed(&b, 42);
	rng_seed(&c, 43);
	for (unsigned i = 0; i < 1000; i++) {
		uint64_t x = rng_next(&a);

		ck_assert_uint_eq(x, rng_next(&b));
		same += x == rng_next(&c);
	}
	ck_assert_uint_eq(same, 0);
}
END_TEST

START_TEST(rng_streams_are_distinct_and_reproducible)
{
	uint64_t first[64][4];
	struct rng r;

	for (unsigned id = 0; id < ARRAY_SIZE(first); id++) {
		rng_init_stream(&r, 7, id);
		for (unsigned k = 0; k < 4; k++)
			first[id][k] = rng_next(&r);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(first); i++) {
		for (unsigned j = i + 1; j < ARRAY_SIZE(first); j++)
			for (unsigned k = 0; k < 4; k++)
				ck_assert_uint_ne(first[i][k], first[j][k]);
	}
	rng_init_stream(&r, 7, 5);
	for (unsigned k = 0; k < 4; k++)
		ck_assert_uint_eq(rng_next(&r), first[5][k]);
	/* Another root moves every stream, and (root, id) is not symmetric. */
	rng_init_stream(&r, 8, 5);
	ck_assert_uint_ne(rng_next(&r), first[5][0]);
	rng_init_stream(&r, 5, 7);
	ck_assert_uint_ne(rng_next(&r), first[5][0]);
}
END_TEST

START_TEST(rng_below_bounds_and_coverage)
{
	unsigned hits[7] = {0};
	struct rng r;

	rng_seed(&r, 1);
	ck_assert_uint_eq(rng_below(&r, 0), 0);
	ck_assert_uint_eq(rng_below(&r, 1), 0);
	for (unsigned i = 0; i < 70000; i++) {
		uint64_t v = rng_below(&r, ARRAY_SIZE(hits));

		ck_assert_uint_lt(v, ARRAY_SIZE(hits));
		hits[v]++;
	}
	/* 10000 expected each; sigma is about 90. */
	for (unsigned v = 0; v < ARRAY_SIZE(hits); v++)
		ck_assert_uint_gt(hits[v], 9000);
	/* A bound just over 2^63 rejects about half the raw draws. */
	for (unsigned i = 0; i < 1000; i++)
		ck_assert_uint_lt(rng_below(&r, (1ull << 63) + 1),
				  (1ull << 63) + 1);
}
END_TEST

START_TEST(rng_range_bounds)
{
	bool lo_seen = false, hi_seen = false, top_set = false,
	     top_clear = false;
	uint64_t prev = 0;
	bool varies = false;
	struct rng r;

	rng_seed(&r, 2);
	ck_assert_uint_eq(rng_range(&r, 5, 5), 5);
	ck_assert_uint_eq(rng_range(&r, UINT64_MAX, UINT64_MAX), UINT64_MAX);
	for (unsigned i = 0; i < 1000; i++) {
		uint64_t v = rng_range(&r, 10, 13);

		ck_assert(v >= 10 && v <= 13);
		lo_seen |= v == 10;
		hi_seen |= v == 13;
	}
	ck_assert(lo_seen && hi_seen);
	lo_seen = hi_seen = false;
	for (unsigned i = 0; i < 1000; i++) {
		uint64_t v = rng_range(&r, UINT64_MAX - 1, UINT64_MAX);

		ck_assert_uint_ge(v, UINT64_MAX - 1);
		lo_seen |= v == UINT64_MAX - 1;
		hi_seen |= v == UINT64_MAX;
	}
	ck_assert(lo_seen && hi_seen);
	/* The full range must not collapse to lo (hi - lo + 1 wraps to 0). */
	for (unsigned i = 0; i < 1000; i++) {
		uint64_t v = rng_range(&r, 0, UINT64_MAX);

		top_set |= v >> 63;
		top_clear |= !(v >> 63);
		varies |= i && v != prev;
		prev = v;
	}
	ck_assert(top_set && top_clear && varies);
}
END_TEST

START_TEST(rng_chance_probability)
{
	struct rng r, untouched;
	unsigned yes = 0;

	rng_seed(&r, 3);
	untouched = r;
	for (unsigned i = 0; i < 1000; i++) {
		ck_assert(!rng_chance(&r, 0));
		ck_assert(!rng_chance(&r, -1));
		ck_assert(rng_chance(&r, 1));
		ck_assert(rng_chance(&r, 2));
	}
	/* Certain outcomes draw nothing. */
	ck_assert_mem_eq(&r, &untouched, sizeof(r));
	for (unsigned i = 0; i < 100000; i++)
		yes += rng_chance(&r, 0.25);
	/* 25000 expected; sigma is about 137. */
	ck_assert_uint_gt(yes, 23500);
	ck_assert_uint_lt(yes, 26500);
}
END_TEST

/* ---- timers ---- */

START_TEST(timers_fire_in_deadline_order)
{
	static const uint64_t deadline[] = {50, 10, 30, 20, 40};
	static const int order[] = {1, 3, 2, 4, 0};
	struct item it[ARRAY_SIZE(deadline)];

	items_init(it, ARRAY_SIZE(it));
	for (unsigned i = 0; i < ARRAY_SIZE(it); i++)
		ck_assert_int_eq(evloop_timer_arm(&loop, &it[i].t, deadline[i]),
				 0);
	ck_assert_uint_eq(evloop_now(&loop), 0);
	ck_assert_uint_eq(run_until_idle(), ARRAY_SIZE(it));
	assert_log_ids(order, ARRAY_SIZE(order));
	for (unsigned i = 0; i < log_.n; i++)
		ck_assert_uint_eq(log_.at[i], deadline[order[i]]);
	ck_assert_uint_eq(evloop_now(&loop), 50);
	ck_assert_uint_eq(loop.timers_fired, ARRAY_SIZE(it));
}
END_TEST

START_TEST(timer_in_the_past_fires_without_moving_clock_back)
{
	static const int order[] = {0, 1, 2, 3};
	struct item it[4];

	items_init(it, ARRAY_SIZE(it));
	evloop_timer_arm(&loop, &it[0].t, 100);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_RAN);
	ck_assert_uint_eq(evloop_now(&loop), 100);
	evloop_timer_arm(&loop, &it[1].t, 30);
	evloop_timer_arm(&loop, &it[2].t, 100);
	evloop_timer_arm(&loop, &it[3].t, 150);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_RAN);
	ck_assert_uint_eq(evloop_now(&loop), 100);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_RAN);
	ck_assert_uint_eq(evloop_now(&loop), 100);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_RAN);
	ck_assert_uint_eq(evloop_now(&loop), 150);
	assert_log_ids(order, ARRAY_SIZE(order));
	ck_assert_uint_eq(log_.at[1], 100);
}
END_TEST

START_TEST(timer_ties_fire_in_arming_order)
{
	static const int arm_order[] = {5, 2, 7, 0, 3, 6, 1, 4};
	struct item it[ARRAY_SIZE(arm_order)];

	for (unsigned round = 0; round < 2; round++) {
		items_init(it, ARRAY_SIZE(it));
		log_.n = 0;
		for (unsigned i = 0; i < ARRAY_SIZE(arm_order); i++)
			evloop_timer_arm(&loop, &it[arm_order[i]].t,
					 evloop_now(&loop) + 10);
		run_until_idle();
		assert_log_ids(arm_order, ARRAY_SIZE(arm_order));
	}
	ck_assert_uint_eq(evloop_now(&loop), 20);
}
END_TEST

START_TEST(timer_rearm_moves_it)
{
	static const int order[] = {1, 2, 0};
	struct item it[3];

	items_init(it, ARRAY_SIZE(it));
	evloop_timer_arm(&loop, &it[0].t, 10);
	evloop_timer_arm(&loop, &it[1].t, 20);
	evloop_timer_arm(&loop, &it[2].t, 10);
	/* Same deadline again: it now counts as armed after timer 2. */
	evloop_timer_arm(&loop, &it[0].t, 10);
	evloop_timer_arm(&loop, &it[1].t, 5);
	ck_assert(ev_timer_armed(&it[0].t));
	ck_assert_uint_eq(loop.heap_len, 3);
	run_until_idle();
	assert_log_ids(order, ARRAY_SIZE(order));
	ck_assert_uint_eq(log_.at[0], 5);
	ck_assert_uint_eq(log_.at[2], 10);
	ck_assert_uint_eq(loop.timers_fired, 3);
}
END_TEST

START_TEST(timer_cancel)
{
	static const int order[] = {1, 3};
	struct item it[5];

	items_init(it, ARRAY_SIZE(it));
	for (unsigned i = 0; i < 4; i++)
		evloop_timer_arm(&loop, &it[i].t, 10 * (i + 1));
	evloop_timer_cancel(&loop, &it[0].t); /* the heap's root */
	evloop_timer_cancel(&loop, &it[2].t);
	ck_assert(!ev_timer_armed(&it[0].t));
	ck_assert(ev_timer_armed(&it[1].t));
	evloop_timer_cancel(&loop, &it[2].t); /* cancelled already */
	evloop_timer_cancel(&loop, &it[4].t); /* never armed */
	ck_assert_uint_eq(loop.heap_len, 2);
	run_until_idle();
	assert_log_ids(order, ARRAY_SIZE(order));
	evloop_timer_cancel(&loop, &it[1].t); /* fired */
	ck_assert_uint_eq(evloop_now(&loop), 40);
}
END_TEST

static void timer_rearm_self(void *opaque)
{
	struct item *it = opaque;

	timer_log(it);
	if (it->left) {
		it->left--;
		ck_assert_int_eq(
		    evloop_timer_arm(&loop, &it->t, evloop_now(&loop) + 10), 0);
	}
}

START_TEST(timer_callback_rearms_itself)
{
	struct item it;

	items_init(&it, 1);
	ev_timer_init(&it.t, timer_rearm_self, &it);
	it.left = 4;
	evloop_timer_arm(&loop, &it.t, 10);
	ck_assert_uint_eq(run_until_idle(), 5);
	ck_assert_uint_eq(log_.n, 5);
	for (unsigned i = 0; i < log_.n; i++)
		ck_assert_uint_eq(log_.at[i], 10 * (i + 1));
	ck_assert(!ev_timer_armed(&it.t));
}
END_TEST

START_TEST(timer_random_thousand_come_out_sorted)
{
	static struct item it[1000];
	unsigned expected = ARRAY_SIZE(it);
	struct rng r;

	rng_seed(&r, 1000);
	items_init(it, ARRAY_SIZE(it));
	/* Few distinct deadlines, so ties are common. */
	for (unsigned i = 0; i < ARRAY_SIZE(it); i++)
		ck_assert_int_eq(
		    evloop_timer_arm(&loop, &it[i].t, rng_below(&r, 300)), 0);
	for (unsigned i = 0; i < 300; i++)
		evloop_timer_arm(&loop, &it[rng_below(&r, ARRAY_SIZE(it))].t,
				 rng_below(&r, 300));
	for (unsigned i = 0; i < 150; i++) {
		struct ev_timer *t = &it[rng_below(&r, ARRAY_SIZE(it))].t;

		expected -= ev_timer_armed(t);
		evloop_timer_cancel(&loop, t);
	}
	ck_assert_uint_eq(loop.heap_len, expected);
	ck_assert_uint_eq(run_until_idle(), expected);
	ck_assert_uint_eq(log_.n, expected);
	for (unsigned i = 1; i < log_.n; i++) {
		ck_assert_uint_ge(log_.at[i], log_.at[i - 1]);
		if (log_.at[i] == log_.at[i - 1])
			ck_assert_uint_gt(log_.seq[i], log_.seq[i - 1]);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(it); i++)
		ck_assert(!ev_timer_armed(&it[i].t));
}
END_TEST

/* ---- run queue ---- */

START_TEST(work_fifo_and_double_post)
{
	static const int order[] = {0, 1, 2, 3, 4};
	struct item it[5];

	items_init(it, ARRAY_SIZE(it));
	for (unsigned i = 0; i < ARRAY_SIZE(it); i++)
		evloop_post(&loop, &it[i].w);
	evloop_post(&loop, &it[2].w);
	evloop_post(&loop, &it[0].w);
	ck_assert_uint_eq(loop.work_len, 5);
	ck_assert_uint_eq(run_until_idle(), 5);
	assert_log_ids(order, ARRAY_SIZE(order));
	ck_assert_uint_eq(loop.works_run, 5);
	/* The clock only moves for timers. */
	ck_assert_uint_eq(evloop_now(&loop), 0);
}
END_TEST

START_TEST(work_cancel)
{
	static const int order[] = {1, 3, 0};
	struct item it[6];

	items_init(it, ARRAY_SIZE(it));
	for (unsigned i = 0; i < 5; i++)
		evloop_post(&loop, &it[i].w);
	evloop_cancel(&loop, &it[0].w); /* head */
	evloop_cancel(&loop, &it[2].w); /* middle */
	evloop_cancel(&loop, &it[4].w); /* tail */
	evloop_cancel(&loop, &it[4].w); /* cancelled already */
	evloop_cancel(&loop, &it[5].w); /* never posted */
	ck_assert(!ev_work_queued(&it[0].w));
	evloop_post(&loop, &it[0].w); /* back in, at the tail */
	ck_assert_uint_eq(loop.work_len, 3);
	run_until_idle();
	assert_log_ids(order, ARRAY_SIZE(order));
}
END_TEST

static struct item *chain;

static void work_post_next(void *opaque)
{
	struct item *it = opaque;

	work_log(it);
	/* Item 0 posts 1 and 2 (twice: once is a no-op), and itself once. */
	if (it->id == 0) {
		evloop_post(&loop, &chain[1].w);
		evloop_post(&loop, &chain[2].w);
		evloop_post(&loop, &chain[1].w);
		if (it->left) {
			it->left--;
			evloop_post(&loop, &it->w);
		}
	}
}

START_TEST(work_callback_posts_more)
{
	static const int order[] = {3, 0, 1, 2, 0, 1, 2};
	struct item it[4];

	items_init(it, ARRAY_SIZE(it));
	chain = it;
	ev_work_init(&it[0].w, work_post_next, &it[0]);
	it[0].left = 1;
	evloop_post(&loop, &it[3].w);
	evloop_post(&loop, &it[0].w);
	/* Its second run finds 1 and 2 run already and posts them again. */
	ck_assert_uint_eq(run_until_idle(), ARRAY_SIZE(order));
	assert_log_ids(order, ARRAY_SIZE(order));
}
END_TEST

#define PICK_ITEMS 64

static void random_order(uint64_t seed, int *order)
{
	struct item it[PICK_ITEMS];
	unsigned ran[PICK_ITEMS] = {0};
	struct rng r;

	rng_init_stream(&r, seed, 1);
	items_init(it, PICK_ITEMS);
	log_.n = 0;
	evloop_set_random_pick(&loop, &r);
	for (unsigned i = 0; i < PICK_ITEMS; i++)
		evloop_post(&loop, &it[i].w);
	ck_assert_uint_eq(run_until_idle(), PICK_ITEMS);
	evloop_set_random_pick(&loop, NULL);
	ck_assert_uint_eq(log_.n, PICK_ITEMS);
	for (unsigned i = 0; i < PICK_ITEMS; i++) {
		order[i] = log_.id[i];
		ran[order[i]]++;
	}
	for (unsigned i = 0; i < PICK_ITEMS; i++)
		ck_assert_uint_eq(ran[i], 1);
}

START_TEST(work_random_pick_is_seeded)
{
	int a[PICK_ITEMS], b[PICK_ITEMS], c[PICK_ITEMS], fifo[PICK_ITEMS];
	struct item it[PICK_ITEMS];
	bool in_order = true;

	random_order(1, a);
	random_order(1, b);
	random_order(2, c);
	ck_assert_mem_eq(a, b, sizeof(a));
	/* Two of 64! orders agreeing by chance: practically impossible. */
	ck_assert(memcmp(a, c, sizeof(a)) != 0);
	for (unsigned i = 0; i < PICK_ITEMS; i++)
		in_order &= a[i] == (int)i;
	ck_assert(!in_order);

	/* NULL went back to FIFO. */
	items_init(it, PICK_ITEMS);
	log_.n = 0;
	for (unsigned i = 0; i < PICK_ITEMS; i++) {
		evloop_post(&loop, &it[i].w);
		fifo[i] = (int)i;
	}
	run_until_idle();
	assert_log_ids(fifo, PICK_ITEMS);
}
END_TEST

/* ---- step order ---- */

START_TEST(step_due_timer_before_work)
{
	static const int order[] = {1, 0};
	struct item it[2];

	items_init(it, ARRAY_SIZE(it));
	evloop_post(&loop, &it[0].w);
	evloop_timer_arm(&loop, &it[1].t, 0);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_RAN);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_RAN);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_IDLE);
	assert_log_ids(order, ARRAY_SIZE(order));
}
END_TEST

static struct item *due_timer;

static void work_arms_due_timer(void *opaque)
{
	work_log(opaque);
	evloop_timer_arm(&loop, &due_timer->t, evloop_now(&loop));
}

START_TEST(step_work_before_advancing_clock)
{
	static const int order[] = {0, 3, 1, 2};
	struct item it[4];

	items_init(it, ARRAY_SIZE(it));
	due_timer = &it[3];
	ev_work_init(&it[0].w, work_arms_due_timer, &it[0]);
	evloop_timer_arm(&loop, &it[2].t, 100);
	evloop_post(&loop, &it[0].w);
	evloop_post(&loop, &it[1].w);
	/* Work runs at 0; the timer it arms for now cuts ahead of work 1. */
	run_until_idle();
	assert_log_ids(order, ARRAY_SIZE(order));
	ck_assert_uint_eq(log_.at[0], 0);
	ck_assert_uint_eq(log_.at[1], 0);
	ck_assert_uint_eq(log_.at[2], 0);
	ck_assert_uint_eq(log_.at[3], 100);
}
END_TEST

/* ---- fd watches ---- */

struct watch {
	struct ev_fd fd;
	int pipe[2];
	unsigned calls;
	short revents;
	struct ev_fd *del; /* a watch the callback removes */
	struct ev_fd *add; /* a watch the callback adds */
	bool drain;
};

static void watch_cb(void *opaque, short revents)
{
	struct watch *w = opaque;
	char buf[16];

	w->calls++;
	w->revents = revents;
	if (w->drain)
		ck_assert_int_gt(read(w->pipe[0], buf, sizeof(buf)), 0);
	if (w->del)
		evloop_fd_del(&loop, w->del);
	if (w->add)
		ck_assert_int_eq(evloop_fd_add(&loop, w->add), 0);
}

/* A watch on the read end of a fresh pipe (or the write end, POLLOUT). */
static void watch_open(struct watch *w, bool write_end)
{
	*w = (struct watch){0};
	ck_assert_int_eq(pipe2(w->pipe, O_NONBLOCK), 0);
	if (write_end)
		ev_fd_init(&w->fd, w->pipe[1], POLLOUT, watch_cb, w);
	else
		ev_fd_init(&w->fd, w->pipe[0], POLLIN, watch_cb, w);
}

static void watch_close(struct watch *w)
{
	evloop_fd_del(&loop, &w->fd);
	close(w->pipe[0]);
	close(w->pipe[1]);
}

static void watch_poke(struct watch *w)
{
	ck_assert_int_eq(write(w->pipe[1], "x", 1), 1);
}

START_TEST(fd_pipe_readable)
{
	struct watch w;
	struct ev_fd bad;

	watch_open(&w, false);
	w.drain = true;
	ck_assert_int_eq(evloop_fd_add(&loop, &w.fd), 0);
	ck_assert_int_eq(evloop_fd_add(&loop, &w.fd), -EEXIST);
	ev_fd_init(&bad, -1, POLLIN, watch_cb, &w);
	ck_assert_int_eq(evloop_fd_add(&loop, &bad), -EINVAL);
	ck_assert(evloop_pending(&loop));

	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_BLOCKED);
	ck_assert_uint_eq(w.calls, 0);
	watch_poke(&w);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_RAN);
	ck_assert_uint_eq(w.calls, 1);
	ck_assert(w.revents & POLLIN);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_BLOCKED);
	ck_assert_uint_eq(loop.fd_dispatches, 1);

	evloop_fd_del(&loop, &w.fd);
	evloop_fd_del(&loop, &w.fd); /* removed already */
	watch_poke(&w);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_IDLE);
	ck_assert_uint_eq(w.calls, 1);
	ck_assert(!evloop_pending(&loop));
	watch_close(&w);
}
END_TEST

START_TEST(fd_block_times_out)
{
	struct watch w;

	watch_open(&w, false);
	evloop_fd_add(&loop, &w.fd);
	ck_assert_int_eq(evloop_step(&loop, 20), EVLOOP_BLOCKED);
	ck_assert_uint_eq(w.calls, 0);
	ck_assert_uint_eq(evloop_now(&loop), 0);
	watch_close(&w);
}
END_TEST

START_TEST(fd_ready_runs_before_timers_and_work)
{
	struct watch w;
	struct item it[2];

	items_init(it, ARRAY_SIZE(it));
	watch_open(&w, false);
	w.drain = true;
	evloop_fd_add(&loop, &w.fd);
	evloop_timer_arm(&loop, &it[0].t, 0);
	evloop_post(&loop, &it[1].w);
	watch_poke(&w);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_RAN);
	ck_assert_uint_eq(w.calls, 1);
	ck_assert_uint_eq(log_.n, 0);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_RAN);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_RAN);
	ck_assert_uint_eq(log_.n, 2);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_BLOCKED);
	watch_close(&w);
}
END_TEST

START_TEST(fd_callback_removes_watches)
{
	struct watch a, b;

	/* Both writable, so both ready in one poll; a removes b first. */
	watch_open(&a, true);
	watch_open(&b, true);
	a.del = &b.fd;
	evloop_fd_add(&loop, &a.fd);
	evloop_fd_add(&loop, &b.fd);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_RAN);
	ck_assert_uint_eq(a.calls, 1);
	ck_assert_uint_eq(b.calls, 0);

	/* Now a removes itself; b, back in, still runs. */
	a.del = &a.fd;
	evloop_fd_add(&loop, &b.fd);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_RAN);
	ck_assert_uint_eq(a.calls, 2);
	ck_assert_uint_eq(b.calls, 1);
	ck_assert(!a.fd.added);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_RAN);
	ck_assert_uint_eq(a.calls, 2);
	ck_assert_uint_eq(b.calls, 2);

	/* Nothing to wait for: no callback, even on a writable fd. */
	evloop_fd_set_events(&b.fd, 0);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_BLOCKED);
	ck_assert_uint_eq(b.calls, 2);
	evloop_fd_set_events(&b.fd, POLLOUT);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_RAN);
	ck_assert_uint_eq(b.calls, 3);
	watch_close(&a);
	watch_close(&b);
}
END_TEST

START_TEST(fd_many_watches_and_add_during_dispatch)
{
	struct watch w[12];

	/* Fill the first poll array exactly, then grow it mid-dispatch. */
	for (unsigned i = 0; i < ARRAY_SIZE(w); i++)
		watch_open(&w[i], true);
	for (unsigned i = 0; i < 8; i++)
		ck_assert_int_eq(evloop_fd_add(&loop, &w[i].fd), 0);
	w[0].add = &w[8].fd;
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_RAN);
	ck_assert_uint_eq(loop.fd_dispatches, 8);
	ck_assert_uint_eq(w[8].calls, 0); /* not in the poll that added it */
	w[0].add = NULL;
	for (unsigned i = 9; i < ARRAY_SIZE(w); i++)
		ck_assert_int_eq(evloop_fd_add(&loop, &w[i].fd), 0);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_RAN);
	ck_assert_uint_eq(loop.fd_dispatches, 8 + ARRAY_SIZE(w));
	for (unsigned i = 0; i < ARRAY_SIZE(w); i++) {
		ck_assert_uint_eq(w[i].calls, i < 8 ? 2 : 1);
		ck_assert(w[i].revents & POLLOUT);
		watch_close(&w[i]);
	}
}
END_TEST

/* ---- idle ---- */

START_TEST(idle_empty_and_after_everything_ran)
{
	struct item it[2];

	ck_assert(!evloop_pending(&loop));
	ck_assert_int_eq(evloop_step(&loop, -1), EVLOOP_IDLE);
	items_init(it, ARRAY_SIZE(it));
	evloop_timer_arm(&loop, &it[0].t, 5);
	ck_assert(evloop_pending(&loop));
	evloop_post(&loop, &it[1].w);
	ck_assert_uint_eq(run_until_idle(), 2);
	ck_assert(!evloop_pending(&loop));
	/* -1 would block forever if the loop waited on an empty set. */
	ck_assert_int_eq(evloop_step(&loop, -1), EVLOOP_IDLE);
	ck_assert_uint_eq(evloop_now(&loop), 5);
}
END_TEST

START_TEST(destroy_forgets_items)
{
	struct item it[3];
	struct watch w;

	items_init(it, ARRAY_SIZE(it));
	watch_open(&w, true);
	for (unsigned i = 0; i < ARRAY_SIZE(it); i++) {
		evloop_timer_arm(&loop, &it[i].t, 10);
		evloop_post(&loop, &it[i].w);
	}
	evloop_fd_add(&loop, &w.fd);
	evloop_destroy(&loop);
	ck_assert_uint_eq(log_.n, 0);
	ck_assert_uint_eq(w.calls, 0);
	/* Destroyed is empty: nothing left to step. */
	ck_assert(!evloop_pending(&loop));
	ck_assert_int_eq(evloop_step(&loop, -1), EVLOOP_IDLE);

	/* Initialised again, the items work with a fresh loop. */
	evloop_init(&loop);
	items_init(it, ARRAY_SIZE(it));
	evloop_post(&loop, &it[0].w);
	evloop_timer_arm(&loop, &it[1].t, 1);
	run_until_idle();
	ck_assert_uint_eq(log_.n, 2);
	close(w.pipe[0]);
	close(w.pipe[1]);
}
END_TEST

/* A poll source over one pipe, as libslirp's changing fd set is. */
struct pipe_source {
	struct ev_source src;
	struct watch w; /* its pipe; the watch itself is never added */
	int index;	/* what add_fd returned this poll */
	unsigned fills, dispatches, ready;
	int timeout_ms; /* what fill asks for, -1: nothing */
};

static void pipe_fill(void *opaque, struct ev_source *src, int *timeout_ms)
{
	struct pipe_source *p = opaque;

	p->fills++;
	p->index = ev_source_add_fd(src, p->w.pipe[0], POLLIN);
	ck_assert_int_ge(p->index, 0);
	if (p->timeout_ms >= 0)
		*timeout_ms = p->timeout_ms;
}

static bool pipe_dispatch(void *opaque, struct ev_source *src)
{
	struct pipe_source *p = opaque;
	char buf[16];

	p->dispatches++;
	if (!(ev_source_revents(src, p->index) & POLLIN))
		return false;
	ck_assert_int_gt(read(p->w.pipe[0], buf, sizeof(buf)), 0);
	p->ready++;
	return true;
}

static void pipe_source_open(struct pipe_source *p)
{
	*p = (struct pipe_source){.timeout_ms = -1};
	watch_open(&p->w, false);
	ev_source_init(&p->src, pipe_fill, pipe_dispatch, p);
	ck_assert_int_eq(evloop_source_add(&loop, &p->src), 0);
}

/* Filled before and told after every poll; ready data counts as work. */
START_TEST(source_fill_and_dispatch)
{
	struct pipe_source p;

	pipe_source_open(&p);
	ck_assert_int_eq(evloop_source_add(&loop, &p.src), -EEXIST);
	ck_assert(evloop_pending(&loop));
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_BLOCKED);
	ck_assert_uint_eq(p.fills, 1);
	ck_assert_uint_eq(p.dispatches, 1);
	ck_assert_uint_eq(p.ready, 0);
	watch_poke(&p.w);
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_RAN);
	ck_assert_uint_eq(p.ready, 1);
	ck_assert_int_eq(ev_source_revents(&p.src, 7), 0); /* no such fd */
	/* Its own timeout bounds a blocking poll. */
	p.timeout_ms = 10;
	ck_assert_int_eq(evloop_step(&loop, -1), EVLOOP_BLOCKED);
	evloop_source_del(&loop, &p.src);
	ck_assert(!evloop_pending(&loop));
	ck_assert_int_eq(evloop_step(&loop, 0), EVLOOP_IDLE);
	watch_close(&p.w);
}
END_TEST

/* A host peer: a child that writes to @fd after @ms milliseconds. */
static pid_t poke_later(int fd, unsigned ms)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		usleep(ms * 1000);
		_exit(write(fd, "x", 1) == 1 ? 0 : 1);
	}
	return pid;
}

/*
 * With a host fd watched, the clock does not jump to a timer 10 virtual
 * seconds ahead while the peer answers within real milliseconds: the
 * step waits for the fd first, and the clock stays where it was.
 */
START_TEST(clock_waits_for_host_fds)
{
	struct pipe_source p;
	struct item it[1];
	int status;
	pid_t pid;

	items_init(it, 1);
	pipe_source_open(&p);
	ck_assert_int_eq(evloop_timer_arm(&loop, &it[0].t, 10000000000ull), 0);
	pid = poke_later(p.w.pipe[1], 20);
	ck_assert_int_eq(evloop_step(&loop, -1), EVLOOP_RAN);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_uint_eq(p.ready, 1);
	ck_assert_uint_eq(loop.timers_fired, 0);
	ck_assert_uint_eq(evloop_now(&loop), 0);
	/* With nothing coming, a capped wait ends and the timer fires. */
	ck_assert_int_eq(evloop_step(&loop, 5), EVLOOP_RAN);
	ck_assert_uint_eq(loop.timers_fired, 1);
	ck_assert_uint_eq(evloop_now(&loop), 10000000000ull);
	evloop_source_del(&loop, &p.src);
	watch_close(&p.w);
}
END_TEST

static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
	usr1_seen = 1;
}

/*
 * A stop signal kept blocked outside polls, pending before the step,
 * ends the poll it would otherwise block in forever: the loop unblocks
 * it for the poll alone (the test times out without the poll mask).
 */
START_TEST(poll_sigmask_lets_a_pending_signal_end_the_poll)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	sigset_t block, during_poll;
	struct watch w;

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &block, &during_poll), 0);
	sigdelset(&during_poll, SIGUSR1);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	watch_open(&w, false);
	evloop_fd_add(&loop, &w.fd);
	evloop_set_poll_sigmask(&loop, &during_poll);
	raise(SIGUSR1);
	ck_assert(!usr1_seen); /* blocked: pending */
	ck_assert_int_eq(evloop_step(&loop, -1), EVLOOP_BLOCKED);
	ck_assert(usr1_seen);
	ck_assert_uint_eq(w.calls, 0);
	evloop_fd_del(&loop, &w.fd);
	watch_close(&w);
	ck_assert_int_eq(sigprocmask(SIG_UNBLOCK, &block, NULL), 0);
}
END_TEST

/*
 * A host fd that is always ready (a writable pipe) does not starve a
 * timer 2 virtual ms ahead: once 2 ms of real time have gone by, the
 * timer fires, fd callbacks or not, and the clock reads its deadline.
 */
START_TEST(busy_fds_do_not_starve_timers)
{
	struct watch w;
	struct item it[1];
	unsigned steps = 0;

	items_init(it, 1);
	watch_open(&w, true);
	evloop_fd_add(&loop, &w.fd);
	evloop_timer_arm(&loop, &it[0].t, 2000000);
	while (loop.timers_fired == 0 && steps < 10000000) {
		ck_assert_int_eq(evloop_step(&loop, -1), EVLOOP_RAN);
		steps++;
	}
	ck_assert_uint_eq(loop.timers_fired, 1);
	ck_assert_uint_eq(evloop_now(&loop), 2000000);
	ck_assert_uint_gt(w.calls, 0);
	watch_close(&w);
}
END_TEST

/*
 * With a poll signal mask and nothing watched, a pending stop signal
 * still gets in at the next step (no poll would ever let it).
 */
START_TEST(poll_sigmask_without_fds)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	sigset_t block, during_poll;
	struct item it[1];

	items_init(it, 1);
	usr1_seen = 0;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &block, &during_poll), 0);
	sigdelset(&during_poll, SIGUSR1);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	evloop_set_poll_sigmask(&loop, &during_poll);
	evloop_timer_arm(&loop, &it[0].t, 1000);
	raise(SIGUSR1);
	ck_assert(!usr1_seen);
	ck_assert_int_eq(evloop_step(&loop, -1), EVLOOP_RAN);
	ck_assert(usr1_seen);
	evloop_set_poll_sigmask(&loop, NULL);
	ck_assert_int_eq(sigprocmask(SIG_UNBLOCK, &block, NULL), 0);
}
END_TEST

static Suite *evloop_suite(void)
{
	Suite *s = suite_create("evloop");
	TCase *tc = tcase_create("rng");

	tcase_add_test(tc, rng_matches_reference_outputs);
	tcase_add_test(tc, rng_same_seed_same_sequence);
	tcase_add_test(tc, rng_streams_are_distinct_and_reproducible);
	tcase_add_test(tc, rng_below_bounds_and_coverage);
	tcase_add_test(tc, rng_range_bounds);
	tcase_add_test(tc, rng_chance_probability);
	suite_add_tcase(s, tc);
	tc = tcase_create("timer");
	tcase_add_checked_fixture(tc, loop_setup, loop_teardown);
	tcase_add_test(tc, timers_fire_in_deadline_order);
	tcase_add_test(tc, timer_in_the_past_fires_without_moving_clock_back);
	tcase_add_test(tc, timer_ties_fire_in_arming_order);
	tcase_add_test(tc, timer_rearm_moves_it);
	tcase_add_test(tc, timer_cancel);
	tcase_add_test(tc, timer_callback_rearms_itself);
	tcase_add_test(tc, timer_random_thousand_come_out_sorted);
	suite_add_tcase(s, tc);
	tc = tcase_create("work");
	tcase_add_checked_fixture(tc, loop_setup, loop_teardown);
	tcase_add_test(tc, work_fifo_and_double_post);
	tcase_add_test(tc, work_cancel);
	tcase_add_test(tc, work_callback_posts_more);
	tcase_add_test(tc, work_random_pick_is_seeded);
	suite_add_tcase(s, tc);
	tc = tcase_create("step");
	tcase_add_checked_fixture(tc, loop_setup, loop_teardown);
	tcase_add_test(tc, step_due_timer_before_work);
	tcase_add_test(tc, step_work_before_advancing_clock);
	tcase_add_test(tc, idle_empty_and_after_everything_ran);
	tcase_add_test(tc, destroy_forgets_items);
	suite_add_tcase(s, tc);
	tc = tcase_create("fd");
	tcase_add_checked_fixture(tc, loop_setup, loop_teardown);
	tcase_add_test(tc, fd_pipe_readable);
	tcase_add_test(tc, fd_block_times_out);
	tcase_add_test(tc, fd_ready_runs_before_timers_and_work);
	tcase_add_test(tc, fd_callback_removes_watches);
	tcase_add_test(tc, fd_many_watches_and_add_during_dispatch);
	tcase_add_test(tc, source_fill_and_dispatch);
	tcase_add_test(tc, clock_waits_for_host_fds);
	tcase_add_test(tc, poll_sigmask_lets_a_pending_signal_end_the_poll);
	tcase_add_test(tc, poll_sigmask_without_fds);
	tcase_add_test(tc, busy_fds_do_not_starve_timers);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(evloop_suite)
