/* SPDX-License-Identifier: MIT */
#include "sim/evloop.h"

#include <errno.h>
#include <signal.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "sim/rng.h"

#define HEAP_INIT_CAP 16u
#define FD_INIT_CAP 8u

void evloop_init(struct evloop *l)
{
	memset(l, 0, sizeof(*l));
}

void evloop_destroy(struct evloop *l)
{
	free(l->heap);
	free(l->pfds);
	free(l->pfd_owner);
	memset(l, 0, sizeof(*l));
}

/* Timers: a binary min-heap on (deadline, seq), heap_pos kept in step. */

static bool timer_before(const struct ev_timer *a, const struct ev_timer *b)
{
	return a->deadline < b->deadline ||
	       (a->deadline == b->deadline && a->seq < b->seq);
}

static void heap_place(struct evloop *l, unsigned i, struct ev_timer *t)
{
	l->heap[i] = t;
	t->heap_pos = i + 1;
}

/* Move the timer at @i up or down to where its key belongs. */
static void heap_fix(struct evloop *l, unsigned i)
{
	struct ev_timer *t = l->heap[i];

	while (i > 0 && timer_before(t, l->heap[(i - 1) / 2])) {
		heap_place(l, i, l->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	for (;;) {
		unsigned c = 2 * i + 1;

		if (c >= l->heap_len)
			break;
		if (c + 1 < l->heap_len &&
		    timer_before(l->heap[c + 1], l->heap[c]))
			c++;
		if (!timer_before(l->heap[c], t))
			break;
		heap_place(l, i, l->heap[c]);
		i = c;
	}
	heap_place(l, i, t);
}

static void heap_remove(struct evloop *l, struct ev_timer *t)
{
	unsigned i = t->heap_pos - 1;
	struct ev_timer *last = l->heap[--l->heap_len];

	t->heap_pos = 0;
	if (last != t) {
		heap_place(l, i, last);
		heap_fix(l, i);
	}
}

static int heap_grow(struct evloop *l)
{
	unsigned cap = l->heap_cap ? 2 * l->heap_cap : HEAP_INIT_CAP;
	struct ev_timer **heap;

	/* heap_pos stores index + 1 in an unsigned. */
	if (cap <= l->heap_cap)
		return -ENOMEM;
	heap = realloc(l->heap, (size_t)cap * sizeof(*heap));
	if (!heap)
		return -ENOMEM;
	l->heap = heap;
	l->heap_cap = cap;
	return 0;
}

void ev_timer_init(struct ev_timer *t, void (*fn)(void *opaque), void *opaque)
{
	*t = (struct ev_timer){.fn = fn, .opaque = opaque};
}

int evloop_timer_arm(struct evloop *l, struct ev_timer *t, uint64_t deadline)
{
	if (!t->heap_pos) {
		if (l->heap_len == l->heap_cap && heap_grow(l) < 0)
			return -ENOMEM;
		heap_place(l, l->heap_len++, t);
	}
	t->deadline = deadline;
	t->seq = l->next_seq++;
	heap_fix(l, t->heap_pos - 1);
	return 0;
}

void evloop_timer_cancel(struct evloop *l, struct ev_timer *t)
{
	if (t->heap_pos)
		heap_remove(l, t);
}

static void timer_fire(struct evloop *l)
{
	struct ev_timer *t = l->heap[0];

	heap_remove(l, t);
	l->timers_fired++;
	t->fn(t->opaque);
}

/* Work items: a doubly linked run queue. */

void ev_work_init(struct ev_work *w, void (*fn)(void *opaque), void *opaque)
{
	*w = (struct ev_work){.fn = fn, .opaque = opaque};
}

void evloop_post(struct evloop *l, struct ev_work *w)
{
	if (w->queued)
		return;
	w->queued = true;
	w->next = NULL;
	w->prev = l->work_tail;
	if (l->work_tail)
		l->work_tail->next = w;
	else
		l->work_head = w;
	l->work_tail = w;
	l->work_len++;
}

void evloop_cancel(struct evloop *l, struct ev_work *w)
{
	if (!w->queued)
		return;
	if (w->prev)
		w->prev->next = w->next;
	else
		l->work_head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		l->work_tail = w->prev;
	w->prev = w->next = NULL;
	w->queued = false;
	l->work_len--;
}

void evloop_set_random_pick(struct evloop *l, struct rng *rng)
{
	l->pick = rng;
}

static struct ev_work *work_pick(struct evloop *l)
{
	struct ev_work *w;
	uint64_t i;

	if (!l->pick)
		return l->work_head;
	/* A walk, from the nearer end: the random order is for tests. */
	i = rng_below(l->pick, l->work_len);
	if (i < l->work_len / 2) {
		for (w = l->work_head; i; i--)
			w = w->next;
	} else {
		for (w = l->work_tail, i = l->work_len - 1 - i; i; i--)
			w = w->prev;
	}
	return w;
}

static void work_run(struct evloop *l)
{
	struct ev_work *w = work_pick(l);

	evloop_cancel(l, w);
	l->works_run++;
	w->fn(w->opaque);
}

/* File-descriptor watches: a list, turned into a pollfd array per poll. */

void ev_fd_init(struct ev_fd *w, int fd, short events,
		void (*fn)(void *opaque, short revents), void *opaque)
{
	*w = (struct ev_fd){
	    .fd = fd, .events = events, .fn = fn, .opaque = opaque};
}

static int fd_grow(struct evloop *l)
{
	unsigned cap = l->fd_cap ? 2 * l->fd_cap : FD_INIT_CAP;
	struct pollfd *pfds;
	struct ev_fd **owner;

	if (cap <= l->fd_cap)
		return -ENOMEM;
	/* realloc keeps the entries of a poll being dispatched. */
	pfds = realloc(l->pfds, (size_t)cap * sizeof(*pfds));
	if (!pfds)
		return -ENOMEM;
	l->pfds = pfds;
	owner = realloc(l->pfd_owner, (size_t)cap * sizeof(*owner));
	if (!owner)
		return -ENOMEM;
	l->pfd_owner = owner;
	l->fd_cap = cap;
	return 0;
}

int evloop_fd_add(struct evloop *l, struct ev_fd *w)
{
	if (w->fd < 0)
		return -EINVAL;
	if (w->added)
		return -EEXIST;
	if (l->fd_count == l->fd_cap && fd_grow(l) < 0)
		return -ENOMEM;
	w->added = true;
	w->next = NULL;
	w->prev = l->fd_tail;
	if (l->fd_tail)
		l->fd_tail->next = w;
	else
		l->fd_head = w;
	l->fd_tail = w;
	l->fd_count++;
	return 0;
}

void evloop_fd_del(struct evloop *l, struct ev_fd *w)
{
	if (!w->added)
		return;
	if (w->prev)
		w->prev->next = w->next;
	else
		l->fd_head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		l->fd_tail = w->prev;
	w->prev = w->next = NULL;
	w->added = false;
	l->fd_count--;
	/* Removed while its poll is dispatched: its callback must not run. */
	for (unsigned i = 0; i < l->dispatching; i++) {
		if (l->pfd_owner[i] == w)
			l->pfd_owner[i] = NULL;
	}
}

void evloop_fd_set_events(struct ev_fd *w, short events)
{
	w->events = events;
}

/* Poll sources: their fds join the poll array after the watches. */

void ev_source_init(struct ev_source *s,
		    void (*fill)(void *opaque, struct ev_source *src,
				 int *timeout_ms),
		    bool (*dispatch)(void *opaque, struct ev_source *src),
		    void *opaque)
{
	*s = (struct ev_source){
	    .fill = fill, .dispatch = dispatch, .opaque = opaque};
}

int evloop_source_add(struct evloop *l, struct ev_source *s)
{
	if (s->added)
		return -EEXIST;
	s->added = true;
	s->loop = l;
	s->next = NULL;
	s->prev = l->src_tail;
	if (l->src_tail)
		l->src_tail->next = s;
	else
		l->src_head = s;
	l->src_tail = s;
	return 0;
}

void evloop_source_del(struct evloop *l, struct ev_source *s)
{
	if (!s->added)
		return;
	if (s->prev)
		s->prev->next = s->next;
	else
		l->src_head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		l->src_tail = s->prev;
	s->prev = s->next = NULL;
	s->added = false;
	s->count = 0;
}

int ev_source_add_fd(struct ev_source *s, int fd, short events)
{
	struct evloop *l = s->loop;

	if (l->poll_len == l->fd_cap && fd_grow(l) < 0)
		return -ENOMEM;
	l->pfds[l->poll_len] = (struct pollfd){.fd = fd, .events = events};
	l->pfd_owner[l->poll_len++] = NULL;
	return (int)s->count++;
}

short ev_source_revents(const struct ev_source *s, int index)
{
	if (index < 0 || (unsigned)index >= s->count)
		return 0;
	return s->loop->pfds[s->first + (unsigned)index].revents;
}

static bool loop_watches_fds(const struct evloop *l)
{
	return l->fd_head || l->src_head;
}

/*
 * Poll every watch and source, for up to @timeout_ns of real time (-1:
 * no limit); returns how many callbacks found something to do.
 */
static unsigned fd_poll(struct evloop *l, int64_t timeout_ns)
{
	unsigned n = 0, ran = 0;
	int timeout_ms = -1, ready;
	struct timespec ts;

	for (struct ev_fd *w = l->fd_head; w; w = w->next) {
		l->pfds[n] = (struct pollfd){.fd = w->fd, .events = w->events};
		l->pfd_owner[n++] = w;
	}
	l->poll_len = n;
	for (struct ev_source *s = l->src_head; s; s = s->next) {
		s->first = l->poll_len;
		s->count = 0;
		s->fill(s->opaque, s, &timeout_ms);
	}
	n = l->poll_len;
	if (timeout_ms >= 0 &&
	    (timeout_ns < 0 || (int64_t)timeout_ms * 1000000 < timeout_ns))
		timeout_ns = (int64_t)timeout_ms * 1000000;
	ts = (struct timespec){(time_t)(timeout_ns / 1000000000),
			       (long)(timeout_ns % 1000000000)};
	/* EINTR counts as nothing ready: a step polls once at most, so the
	 * caller sees the signal's effect before any further wait. */
	ready = ppoll(l->pfds, n, timeout_ns < 0 ? NULL : &ts, l->poll_sigmask);
	if (ready > 0) {
		/* Callbacks may add watches (growing the arrays): index,
		 * don't cache. */
		l->dispatching = n;
		for (unsigned i = 0; i < n; i++) {
			struct ev_fd *w = l->pfd_owner[i];
			short revents = l->pfds[i].revents;

			if (!w || !revents)
				continue;
			l->fd_dispatches++;
			ran++;
			w->fn(w->opaque, revents);
		}
		l->dispatching = 0;
	}
	/* Every filled source hears back, whatever the poll returned. */
	for (struct ev_source *s = l->src_head; s; s = s->next)
		if (s->dispatch(s->opaque, s))
			ran++;
	return ran;
}

void evloop_set_poll_sigmask(struct evloop *l, const sigset_t *mask)
{
	l->poll_sigmask = mask;
}

bool evloop_pending(const struct evloop *l)
{
	return l->heap_len || l->work_head || loop_watches_fds(l);
}

static int64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * With host fds watched, virtual time runs no faster than real time from
 * an anchor (virtual, real) taken when watching began or the clock last
 * ran ahead: the virtual time real time has reached since.
 */
static uint64_t real_reached(struct evloop *l, int64_t real)
{
	int64_t gone = real - l->anchor_real;

	return l->anchor_virt + (gone > 0 ? (uint64_t)gone : 0);
}

static void anchor(struct evloop *l, int64_t real)
{
	l->anchor_virt = l->now;
	l->anchor_real = real;
	l->anchored = true;
}

/* Timer @t's deadline, reached: the clock moves there (never back). */
static void fire_earliest(struct evloop *l)
{
	if (l->heap[0]->deadline > l->now)
		l->now = l->heap[0]->deadline;
	timer_fire(l);
}

enum evloop_result evloop_step(struct evloop *l, int block_ms)
{
	bool fds = loop_watches_fds(l), served_fds = l->served_fds, due;
	int64_t real = 0;

	l->served_fds = false;
	if (fds) {
		real = real_ns();
		if (!l->anchored || l->now > real_reached(l, real))
			anchor(l, real);
	} else {
		l->anchored = false;
		if (l->poll_sigmask) {
			/* No poll to let the stop signals in: a zero one. */
			struct timespec zero = {0, 0};

			ppoll(NULL, 0, &zero, l->poll_sigmask);
		}
	}
	/* Due: by the virtual clock, or by real time while fds are watched
	 * (however busy they keep the loop, timers are not starved). */
	due = l->heap_len && l->heap[0]->deadline <=
				 (fds ? real_reached(l, real) : l->now);
	/* Ready fds go first, but not twice in a row ahead of due work. */
	if (fds && (due || l->work_head) && !served_fds && fd_poll(l, 0)) {
		l->served_fds = true;
		return EVLOOP_RAN;
	}
	if (due) {
		fire_earliest(l);
		return EVLOOP_RAN;
	}
	if (l->work_head) {
		work_run(l);
		return EVLOOP_RAN;
	}
	if (l->heap_len) {
		/* A host peer gets the real time the clock is about to skip:
		 * what is left of it since the anchor. */
		int64_t ahead = fds ? (int64_t)(l->heap[0]->deadline -
						 real_reached(l, real))
				    : 0;

		if (block_ms >= 0 && ahead > (int64_t)block_ms * 1000000)
			ahead = (int64_t)block_ms * 1000000;
		if (fds && fd_poll(l, ahead > 0 ? ahead : 0)) {
			l->served_fds = true;
			return EVLOOP_RAN;
		}
		fire_earliest(l);
		return EVLOOP_RAN;
	}
	if (fds) {
		if (fd_poll(l, block_ms < 0 ? -1 : (int64_t)block_ms * 1000000))
			return EVLOOP_RAN;
		return EVLOOP_BLOCKED;
	}
	return EVLOOP_IDLE;
}
