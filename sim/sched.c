/* SPDX-License-Identifier: MIT */
/*
 * Deferred-mode delays and the scheduling record of a run.
 */
#include "sim/sched.h"

#include <inttypes.h>
#include <stdio.h>

static const char *const sched_event_names[] = {
    [SCHED_NOTIFY] = "notify",
    [SCHED_COMPLETE] = "complete",
    [SCHED_IRQ] = "irq",
    [SCHED_DELIVER] = "deliver",
};

static uint64_t sched_delay(struct sim_env *env, enum sched_event kind)
{
	struct rng *r = &env->rng[SIM_RNG_SCHED];

	return kind == SCHED_COMPLETE
		   ? rng_range(r, SCHED_COMPLETE_MIN_NS, SCHED_COMPLETE_MAX_NS)
		   : rng_range(r, SCHED_IRQ_MIN_NS, SCHED_IRQ_MAX_NS);
}

int sched_defer(struct sim_env *env, struct ev_timer *t, enum sched_event kind)
{
	return evloop_timer_arm(env->loop, t,
				sim_env_now(env) + sched_delay(env, kind));
}

int sched_defer_in_order(struct sim_env *env, struct ev_timer *t,
			 enum sched_event kind, uint64_t *not_before)
{
	uint64_t at = sim_env_now(env) + sched_delay(env, kind);

	if (at < *not_before)
		at = *not_before;
	*not_before = at;
	return evloop_timer_arm(env->loop, t, at);
}

void sched_print(struct sim_env *env, enum sched_event kind, const char *who,
		 unsigned id, unsigned q, uint64_t tag, uint64_t len)
{
	uint64_t now = sim_env_now(env);
	char what[96];

	switch (kind) {
	case SCHED_COMPLETE:
		snprintf(what, sizeof(what), "head=%" PRIu64 " len=%" PRIu64,
			 tag, len);
		break;
	case SCHED_IRQ:
		snprintf(what, sizeof(what), "%s", tag ? "config" : "used");
		break;
	case SCHED_DELIVER:
		snprintf(what, sizeof(what), "lines 0x%" PRIx64, tag);
		break;
	default:
		what[0] = '\0';
		break;
	}
	trace_emit(env->trace, TRACE_SCHED,
		   "t=%" PRIu64 ".%03" PRIu64 "us %s#%u q%u %s%s%s", now / 1000,
		   now % 1000, who, id, q, sched_event_names[kind],
		   what[0] ? " " : "", what);
}
