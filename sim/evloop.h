/* SPDX-License-Identifier: MIT */
/*
 * evloop.h - the per-machine event loop: a virtual clock, timers, a run
 * queue of work items and file-descriptor watches.
 *
 * The loop is stepped from the simulated CPU's idle (the HAL's wait),
 * never from the guest driver. Its clock is virtual nanoseconds from 0 and
 * moves only when a step advances it to the next timer, never with wall
 * time, so a run with the same inputs and seed replays exactly; fd
 * readiness is the one outside influence. While host fds are watched
 * (fd watches, poll sources), a step waits for them in real time up to
 * the next timer's virtual deadline before moving the clock there, so
 * virtual time never runs ahead of a host peer.
 *
 * Timers, work items and watches are intrusive structs the caller owns
 * and initialises with ev_*_init; their fields belong to the loop. The
 * only allocations are the timer heap and the poll array, which grow by
 * doubling when a timer is armed or a watch added, never per step.
 */
#ifndef VIRTSIM_SIM_EVLOOP_H
#define VIRTSIM_SIM_EVLOOP_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rng;

struct ev_timer {
	uint64_t deadline, seq;
	unsigned heap_pos; /* 0: not armed, else index + 1 */
	void (*fn)(void *opaque);
	void *opaque;
};

struct ev_work {
	struct ev_work *prev, *next;
	bool queued;
	void (*fn)(void *opaque);
	void *opaque;
};

struct ev_fd {
	struct ev_fd *prev, *next;
	int fd;
	short events; /* POLLIN | POLLOUT ... */
	bool added;
	void (*fn)(void *opaque, short revents);
	void *opaque;
};

/*
 * A poll source: an fd set that changes from poll to poll (libslirp's).
 * fill adds this poll's fds with ev_source_add_fd and may shorten the
 * wait (*timeout_ms, -1: no limit); dispatch runs after every poll that
 * filled it, ready or not, and reads ev_source_revents; it returns true
 * if it found anything to do.
 */
struct ev_source {
	struct ev_source *prev, *next;
	bool added;
	void (*fill)(void *opaque, struct ev_source *src, int *timeout_ms);
	bool (*dispatch)(void *opaque, struct ev_source *src);
	void *opaque;
	struct evloop *loop;
	unsigned first, count; /* its entries of the poll array */
};

struct evloop {
	uint64_t now;	   /* virtual nanoseconds */
	uint64_t next_seq; /* arming order, breaks deadline ties */

	struct ev_timer **heap; /* min-heap on (deadline, seq) */
	unsigned heap_len, heap_cap;

	struct ev_work *work_head, *work_tail;
	unsigned work_len;
	struct rng *pick; /* NULL: FIFO */

	struct ev_fd *fd_head, *fd_tail;
	unsigned fd_count, fd_cap;
	struct pollfd *pfds;	  /* fd_cap entries, filled at each poll */
	struct ev_fd **pfd_owner; /* the watch of pfds[i]; NULL once removed
				   * or a source's */
	unsigned dispatching;	  /* entries of a poll being dispatched */
	unsigned poll_len;	  /* entries of the poll being filled */
	struct ev_source *src_head, *src_tail;
	const sigset_t *poll_sigmask; /* during polls only; NULL: as is */
	bool served_fds;	      /* the last step ran fd callbacks */
	/* While fds are watched: virtual anchor_virt was real anchor_real
	 * (CLOCK_MONOTONIC ns); virtual time runs no faster since. */
	bool anchored;
	uint64_t anchor_virt;
	int64_t anchor_real;

	uint64_t timers_fired;	/* timer callbacks run */
	uint64_t works_run;	/* work callbacks run */
	uint64_t fd_dispatches; /* fd callbacks run */
};

/* An empty loop at virtual time 0; allocates nothing. */
void evloop_init(struct evloop *l);
/*
 * Free the loop's arrays. Armed, queued and watched items are forgotten
 * without a callback and without being touched (they may be gone
 * already): ev_*_init them again before using them with another loop.
 */
void evloop_destroy(struct evloop *l);
/* The virtual clock, in nanoseconds. */
static inline uint64_t evloop_now(const struct evloop *l)
{
	return l->now;
}

void ev_timer_init(struct ev_timer *t, void (*fn)(void *opaque), void *opaque);
/*
 * Arm @t for virtual time @deadline, or move it there if armed (it then
 * counts as armed last among equal deadlines). A deadline already past
 * fires at the next step, the clock staying where it is. -ENOMEM if the
 * heap cannot grow; @t is then left unarmed.
 */
int evloop_timer_arm(struct evloop *l, struct ev_timer *t, uint64_t deadline);
/* Disarm @t; nothing happens if it is not armed. */
void evloop_timer_cancel(struct evloop *l, struct ev_timer *t);
static inline bool ev_timer_armed(const struct ev_timer *t)
{
	return t->heap_pos != 0;
}

void ev_work_init(struct ev_work *w, void (*fn)(void *opaque), void *opaque);
/* Queue @w to run once; nothing happens if it is queued already. */
void evloop_post(struct evloop *l, struct ev_work *w);
/* Take @w off the queue; nothing happens if it is not queued. */
void evloop_cancel(struct evloop *l, struct ev_work *w);
static inline bool ev_work_queued(const struct ev_work *w)
{
	return w->queued;
}

void ev_fd_init(struct ev_fd *w, int fd, short events,
		void (*fn)(void *opaque, short revents), void *opaque);
/*
 * Watch @w->fd for @w->events (POLLERR, POLLHUP and POLLNVAL are always
 * reported): -EINVAL for a negative fd, -EEXIST if @w is added already,
 * -ENOMEM if the poll array cannot grow.
 */
int evloop_fd_add(struct evloop *l, struct ev_fd *w);
/* Stop watching @w, even from inside a callback of the same poll. */
void evloop_fd_del(struct evloop *l, struct ev_fd *w);
/* Change what @w waits for; counts from the next poll. */
void evloop_fd_set_events(struct ev_fd *w, short events);

/*
 * Pick queued work uniformly at random from @rng instead of FIFO (NULL
 * goes back to FIFO). The loop keeps the pointer; @rng must outlive it.
 */
void ev_source_init(struct ev_source *s,
		    void (*fill)(void *opaque, struct ev_source *src,
				 int *timeout_ms),
		    bool (*dispatch)(void *opaque, struct ev_source *src),
		    void *opaque);
int evloop_source_add(struct evloop *l, struct ev_source *s);
void evloop_source_del(struct evloop *l, struct ev_source *s);
/* From fill: watch @fd for @events this poll; its index, or -ENOMEM. */
int ev_source_add_fd(struct ev_source *s, int fd, short events);
/* From dispatch: what happened to the fd of @index (0 for a bad one). */
short ev_source_revents(const struct ev_source *s, int index);

void evloop_set_random_pick(struct evloop *l, struct rng *rng);
/*
 * The signal mask while the loop polls (ppoll's): a program that blocks
 * its stop signals and unblocks them here sees each one end a poll, with
 * no window in which one arrives unseen before the poll starts. NULL:
 * the mask is left as it is. @mask must outlive its use.
 */
void evloop_set_poll_sigmask(struct evloop *l, const sigset_t *mask);
/* True if anything is armed, queued or watched. */
bool evloop_pending(const struct evloop *l);

enum evloop_result {
	/* One piece of work ran: a timer, a work item, or fd callbacks. */
	EVLOOP_RAN,
	/* Only fd watches remain and none became ready in time, or a
	 * signal interrupted the poll. */
	EVLOOP_BLOCKED,
	/* Nothing armed, queued or watched: nothing can ever happen. */
	EVLOOP_IDLE,
};

/*
 * One step, in this order:
 *  1. if fd watches or sources exist and a timer is due or work queued,
 *     poll them without blocking, unless the last step ran fd callbacks;
 *     run the callback of every ready watch and every source's dispatch
 *     -> RAN if anything was ready;
 *  2. the earliest timer (by (deadline, seq)) fires if it is due -> RAN.
 *     Due: its deadline <= now; with fds watched, <= the virtual time
 *     real time has reached since the loop anchored the clock to it
 *     (when watching began, or the clock last ran ahead of real time),
 *     so ready fds never starve timers. The clock moves to the deadline;
 *  3. a work item from the run queue (FIFO or random pick) runs -> RAN;
 *  4. if timers are armed: with fds watched, first poll them for the real
 *     time left until the earliest deadline (capped by @block_ms unless
 *     it is -1) -> RAN if anything became ready; then advance the clock
 *     to that deadline and fire that one timer -> RAN;
 *  5. if fds are watched: poll them, blocking up to @block_ms (-1 forever,
 *     0 not at all); ready ones run -> RAN, else BLOCKED;
 *  6. IDLE.
 * A signal that interrupts a poll ends the waiting (step 4 fires its
 * timer, step 5 is BLOCKED). With a poll signal mask and no fds, each
 * step lets pending signals in with a zero poll.
 * Exactly one timer or one work item runs per step (fd callbacks: every
 * ready one). A timer is disarmed and a work item unqueued before its
 * callback runs; callbacks may arm, cancel, post and add or remove
 * watches, themselves included, but not step the loop. A watch that
 * stays ready (a writable pipe under POLLOUT, a closed fd) is served
 * every other step while there is other work: drop it or clear its
 * events.
 */
enum evloop_result evloop_step(struct evloop *l, int block_ms);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_SIM_EVLOOP_H */
