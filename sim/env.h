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
 * interrupts, each after a virtual delay drawn from the seed.
 */
enum sim_mode {
	SIM_MODE_SYNC,
	SIM_MODE_DEFERRED,
};

/* Separate streams: one consumer's draws never shift another's. */
enum sim_rng_stream {
	SIM_RNG_DATA,  /* data patterns of workloads */
	SIM_RNG_SCHED, /* deferred-mode delays and picks */
	SIM_RNG_FAULT, /* fault injection */
	SIM_RNG_STREAMS,
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
};

/* "sync" / "deferred"; NULL for an unknown mode. */
const char *sim_mode_name(enum sim_mode mode);
/* Parse a mode name; -1 if it is none. */
int sim_mode_parse(const char *name, enum sim_mode *mode);

/* The loop's virtual clock, in nanoseconds. */
static inline uint64_t sim_env_now(const struct sim_env *env)
{
	return evloop_now(env->loop);
}

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_SIM_ENV_H */
