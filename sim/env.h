/* SPDX-License-Identifier: MIT */
/*
 * env.h - what every device model gets from its machine when it is
 * created: guest memory, the event loop (virtual clock, timers, run
 * queue, fd watches), the trace, the execution mode, the RNG streams
 * derived from the run's one root seed, the fault injector and the
 * strict checker.
 */
#ifndef VIRTSIM_SIM_ENV_H
#define VIRTSIM_SIM_ENV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/evloop.h"
#include "sim/fault.h"
#include "sim/guest_mem.h"
#include "sim/rng.h"
#include "sim/strict.h"
#include "sim/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * How device work is executed. The device core decides, never a model:
 * sync runs it inside the notify and completes in order; deferred posts
 * it to the event loop and lets the scheduler pick among completions and
 * interrupts, each after a virtual delay drawn from the seed; thread
 * runs each device on a host thread of its own, woken by the notify.
 */
enum sim_mode {
	SIM_MODE_SYNC,
	SIM_MODE_DEFERRED,
	SIM_MODE_THREAD,
};

/* Separate streams: one consumer's draws never shift another's. */
enum sim_rng_stream {
	SIM_RNG_DATA,  /* data patterns of workloads */
	SIM_RNG_SCHED, /* deferred-mode delays and picks */
	SIM_RNG_FAULT, /* fault injection */
	SIM_RNG_STREAMS,
};

/*
 * Thread mode: the machine lock (QEMU's big lock). Device workers hold
 * it while they run a model; the driver's thread holds it for each bus
 * access and while it looks for interrupts. The driver's own work (its
 * rings in guest memory, its buffers) runs outside it, concurrently
 * with the devices: the ring's fences order what crosses.
 */
struct sim_threads {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* the CPU's wait: a device went idle */
	/* Devices with work queued or running; written under the lock,
	 * read by the CPU's spin without it. */
	unsigned busy;
	uint64_t turns;	 /* times a device went idle */
	int64_t t0;	 /* CLOCK_MONOTONIC ns at machine start */
	int64_t spin_ns; /* sim_threads_spin's bound; 0 on one CPU */
};

struct sim_env {
	struct guest_mem *mem;
	struct evloop *loop;
	struct trace *trace;
	enum sim_mode mode;
	uint64_t seed; /* the root seed every stream derives from */
	struct rng rng[SIM_RNG_STREAMS];
	struct fault_injector *faults; /* the machine's; fault_fire() asks */
	struct strict *strict;	 /* the machine's with --strict; NULL: off */
	unsigned next_device_id; /* instance numbers, in creation order */
	struct sim_threads *threads; /* thread mode only, else NULL */
};

/* "sync" / "deferred" / "thread"; NULL for an unknown mode. */
const char *sim_mode_name(enum sim_mode mode);
/* Parse a mode name; -1 if it is none. */
int sim_mode_parse(const char *name, enum sim_mode *mode);

int sim_threads_init(struct sim_threads *st);
void sim_threads_destroy(struct sim_threads *st);
/* Real nanoseconds since sim_threads_init. */
uint64_t sim_threads_now(const struct sim_threads *st);

/*
 * How long a thread out of work spins before it sleeps, as QEMU polls
 * its event loop (poll-max-ns) and vhost busy-polls: a sleep and wakeup
 * through the kernel cost several microseconds here, many requests'
 * worth, and work that comes within the spin costs none of it.
 */
#define SIM_THREADS_SPIN_NS 30000

/*
 * Spin, without the machine lock, until @ready(@arg) or st->spin_ns
 * pass (at once on a machine with one CPU, where the other side cannot
 * run meanwhile); returns what @ready said last.
 */
bool sim_threads_spin(const struct sim_threads *st,
		      bool (*ready)(const void *arg), const void *arg);

/*
 * The machine's clock, in nanoseconds: the loop's virtual one, or in
 * thread mode real time since the machine started (devices there run
 * in real time, and the driver's bounded waits must see it move).
 */
static inline uint64_t sim_env_now(const struct sim_env *env)
{
	if (__builtin_expect(env->threads != NULL, 0))
		return sim_threads_now(env->threads);
	return evloop_now(env->loop);
}

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_SIM_ENV_H */
