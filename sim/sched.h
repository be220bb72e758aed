/* SPDX-License-Identifier: MIT */
/*
 * sched.h - device events in virtual time: the delays the deferred mode
 * puts before completions and interrupts, drawn from the run's SCHED
 * stream, and the record each event leaves in the trace.
 *
 * Every event is folded into the trace hash, in every mode, so that two
 * runs can be compared by one number; --trace sched prints them.
 */
#ifndef VIRTSIM_SIM_SCHED_H
#define VIRTSIM_SIM_SCHED_H

#include <stdint.h>

#include "sim/env.h"

#ifdef __cplusplus
extern "C" {
#endif

enum sched_event {
	SCHED_NOTIFY,	/* a device takes up a notification of a queue */
	SCHED_COMPLETE, /* a device completes a request (used ring) */
	SCHED_IRQ,	/* a device raises its interrupt */
	SCHED_DELIVER,	/* the CPU takes an interrupt line */
};

/* Bounds of the deferred mode's delays, in virtual nanoseconds. */
#define SCHED_COMPLETE_MIN_NS 1000u
#define SCHED_COMPLETE_MAX_NS 100000u
#define SCHED_IRQ_MIN_NS 500u
#define SCHED_IRQ_MAX_NS 20000u

/* Arm @t to fire after the deferred mode's delay for @kind. */
int sched_defer(struct sim_env *env, struct ev_timer *t, enum sched_event kind);
/*
 * As sched_defer, but never before *@not_before, which becomes the
 * deadline: events deferred this way through one @not_before fire in the
 * order they were deferred (equal deadlines fire in arming order).
 */
int sched_defer_in_order(struct sim_env *env, struct ev_timer *t,
			 enum sched_event kind, uint64_t *not_before);

/*
 * Record an event of @who (instance @id): queue @q, request @tag, @len
 * bytes (0 where they mean nothing). On every request's path: inline.
 */
static inline void sched_record(struct sim_env *env, enum sched_event kind,
				const char *who, unsigned id, unsigned q,
				uint64_t tag, uint64_t len)
{
	struct trace *t = env->trace;

	trace_hash_event(t,
			 (uint64_t)kind | (uint64_t)q << 8 | (uint64_t)id << 24,
			 evloop_now(env->loop), tag ^ len << 16);
	switch (kind) {
	case SCHED_NOTIFY:
		trace_sched_notify(t, who, id, q);
		break;
	case SCHED_COMPLETE:
		trace_sched_complete(t, who, id, q, tag, len);
		break;
	case SCHED_IRQ:
		trace_sched_irq(t, who, id, q, tag ? "config" : "used");
		break;
	case SCHED_DELIVER:
		trace_sched_deliver(t, tag);
		break;
	}
}

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_SIM_SCHED_H */
