/* SPDX-License-Identifier: MIT */
/*
 * Deferred-mode delays and the scheduling record of a run.
 */
#include "sim/sched.h"

#include <inttypes.h>
#include <stdio.h>

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
