/* SPDX-License-Identifier: MIT */
/*
 * Execution mode names, and the thread mode's machine lock and spin.
 */
#include "sim/env.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const sim_mode_names[] = {
    [SIM_MODE_SYNC] = "sync",
    [SIM_MODE_DEFERRED] = "deferred",
    [SIM_MODE_THREAD] = "thread",
};

const char *sim_mode_name(enum sim_mode mode)
{
	return (unsigned)mode <
		       sizeof(sim_mode_names) / sizeof(sim_mode_names[0])
		   ? sim_mode_names[mode]
		   : NULL;
}

int sim_mode_parse(const char *name, enum sim_mode *mode)
{
	for (unsigned m = 0;
	     m < sizeof(sim_mode_names) / sizeof(sim_mode_names[0]); m++) {
		if (name && !strcmp(name, sim_mode_names[m])) {
			*mode = (enum sim_mode)m;
			return 0;
		}
	}
	return -1;
}

static int64_t sim_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int sim_threads_init(struct sim_threads *st)
{
	int ret;

	memset(st, 0, sizeof(*st));
	ret = pthread_mutex_init(&st->lock, NULL);
	if (ret)
		return -ret;
	ret = pthread_cond_init(&st->wake, NULL);
	if (ret) {
		pthread_mutex_destroy(&st->lock);
		return -ret;
	}
	st->t0 = sim_monotonic_ns();
	st->spin_ns =
	    sysconf(_SC_NPROCESSORS_ONLN) > 1 ? SIM_THREADS_SPIN_NS : 0;
	return 0;
}

void sim_threads_destroy(struct sim_threads *st)
{
	pthread_cond_destroy(&st->wake);
	pthread_mutex_destroy(&st->lock);
}

uint64_t sim_threads_now(const struct sim_threads *st)
{
	return (uint64_t)(sim_monotonic_ns() - st->t0);
}

/* A spin-wait hint: the sibling hyperthread gets the core meanwhile. */
static inline void sim_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");
#endif
}

bool sim_threads_spin(const struct sim_threads *st,
		      bool (*ready)(const void *arg), const void *arg)
{
	int64_t deadline = sim_monotonic_ns() + st->spin_ns;

	/* The clock every 64 looks: a look is a few loads, a clock read
	 * a few dozen nanoseconds. */
	for (unsigned i = 1;; i++) {
		if (ready(arg))
			return true;
		if (i % 64 == 0 && sim_monotonic_ns() >= deadline)
			return ready(arg);
		sim_cpu_relax();
	}
}
