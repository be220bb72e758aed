/* SPDX-License-Identifier: MIT */
/*
 * The machine: RAM, bus, interrupt lines, the host bridge and the
 * simulated HAL, with the trace, event loop and RNG streams of its
 * environment. Front-ends attach devices and leave their teardown here.
 */
#include "sim/machine.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void machine_env_init(struct machine *m,
			     const struct machine_options *opts)
{
	struct sim_env *env = &m->env;

	env->mem = &m->mem;
	env->loop = &m->loop;
	env->trace = &m->trace;
	env->mode = opts ? opts->mode : SIM_MODE_SYNC;
	env->seed = opts ? opts->seed : 0;
	for (unsigned s = 0; s < SIM_RNG_STREAMS; s++)
		rng_init_stream(&env->rng[s], env->seed, s);
	fault_init(&m->faults, &env->rng[SIM_RNG_FAULT]);
	env->faults = &m->faults;
	if (opts && opts->strict) {
		m->strict.violation = opts->strict_violation;
		m->strict.opaque = opts->strict_opaque;
		env->strict = &m->strict;
	}
	/* Deferred mode: runnable work is taken in a seeded random order. */
	if (env->mode == SIM_MODE_DEFERRED)
		evloop_set_random_pick(&m->loop, &env->rng[SIM_RNG_SCHED]);
}

int machine_init(struct machine *m, const struct machine_options *opts)
{
	uint64_t mem_size = opts && opts->mem_size ? opts->mem_size
						   : MACHINE_DEFAULT_MEM;
	int ret;

	memset(m, 0, sizeof(*m));
	if (opts && opts->mode == SIM_MODE_THREAD && opts->fault_count)
		return -ENOTSUP;
	trace_init(&m->trace, opts ? opts->trace_mask : 0,
		   opts ? opts->trace_out : NULL);
	evloop_init(&m->loop);
	/* Lines carry virtual time; thread mode has none to give. */
	if (!opts || opts->mode != SIM_MODE_THREAD)
		m->trace.clock = &m->loop.now;
	ret = guest_mem_init(&m->mem, MACHINE_RAM_BASE, mem_size);
	if (ret)
		goto fail_loop;
	bus_init(&m->bus, &m->trace);
	irq_init(&m->irq, &m->trace);
	ret = pci_host_init(&m->pci, &m->bus, &m->irq, MACHINE_ECAM_BASE,
			    MACHINE_ECAM_BUSES, MACHINE_PCI_MMIO_BASE,
			    MACHINE_PCI_MMIO_SIZE, MACHINE_PCI_IRQ_BASE);
	if (ret)
		goto fail_mem;
	machine_env_init(m, opts);
	for (unsigned i = 0; opts && i < opts->fault_count; i++)
		if (fault_add(&m->faults, &opts->faults[i])) {
			ret = -E2BIG;
			goto fail_pci;
		}
	if (m->env.mode == SIM_MODE_THREAD) {
		ret = sim_threads_init(&m->threads);
		if (ret)
			goto fail_pci;
		m->env.threads = &m->threads;
		m->bus.lock = &m->threads.lock;
		m->irq.concurrent = true;
	}
	ret = sim_hal_init(&m->hal, &m->env, &m->bus, &m->irq);
	if (ret)
		goto fail_threads;
	m->hal.dma = opts ? opts->dma : SIM_DMA_BOUNCE;
	return 0;
fail_threads:
	if (m->env.threads)
		sim_threads_destroy(&m->threads);
fail_pci:
	pci_host_destroy(&m->pci);
fail_mem:
	guest_mem_destroy(&m->mem);
fail_loop:
	evloop_destroy(&m->loop);
	return ret;
}

int machine_claim_mmio_slot(struct machine *m)
{
	if (m->mmio_slots_used == MACHINE_MMIO_SLOTS)
		return -ENOSPC;
	return (int)m->mmio_slots_used++;
}

int machine_on_destroy(struct machine *m, void (*fn)(void *opaque),
		       void *opaque)
{
	if (m->cleanup_count == m->cleanup_cap) {
		unsigned cap = m->cleanup_cap ? 2 * m->cleanup_cap : 16;
		struct machine_cleanup *c =
		    realloc(m->cleanups, cap * sizeof(*c));

		if (!c)
			return -ENOMEM;
		m->cleanups = c;
		m->cleanup_cap = cap;
	}
	m->cleanups[m->cleanup_count++] = (struct machine_cleanup){fn, opaque};
	return 0;
}

unsigned machine_destroy(struct machine *m, bool report)
{
	unsigned errors;

	while (m->cleanup_count) {
		struct machine_cleanup *c = &m->cleanups[--m->cleanup_count];

		c->fn(c->opaque);
	}
	/* Device models release their events before the loop goes (a model
	 * destroyed after would cancel them on a loop that is gone). */
	assert(!evloop_pending(&m->loop));
	free(m->cleanups);
	pci_host_destroy(&m->pci); /* releases the functions it owns */
	errors = sim_hal_destroy(&m->hal, report);
	if (m->env.threads)
		sim_threads_destroy(&m->threads);
	guest_mem_destroy(&m->mem);
	evloop_destroy(&m->loop);
	memset(m, 0, sizeof(*m));
	return errors;
}
