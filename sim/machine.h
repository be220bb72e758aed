/* SPDX-License-Identifier: MIT */
/*
 * machine.h - one simulated machine: guest RAM, the MMIO bus, interrupt
 * lines, the PCIe host bridge, the simulated HAL, the trace and the event
 * loop, bundled as the environment every device model is created with.
 *
 * The machine knows no VirtIO: front-ends in devices/ claim an MMIO slot
 * or a PCI function and register what must be released at teardown.
 *
 * Memory map (guest physical):
 *   0x0a000000  MMIO device slots, 0x200 bytes each, MACHINE_MMIO_SLOTS
 *   0x10000000  PCI MMIO window for BARs (256 MiB)
 *   0x30000000  PCIe ECAM configuration space (16 buses)
 *   0x40000000  RAM (--mem bytes)
 */
#ifndef VIRTSIM_SIM_MACHINE_H
#define VIRTSIM_SIM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/bus.h"
#include "sim/env.h"
#include "sim/evloop.h"
#include "sim/guest_mem.h"
#include "sim/irq.h"
#include "sim/pci_host.h"
#include "sim/sim_hal.h"
#include "sim/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MACHINE_MMIO_BASE 0x0a000000ull
#define MACHINE_MMIO_SLOT_SIZE 0x200ull
#define MACHINE_MMIO_SLOTS 32
#define MACHINE_MMIO_IRQ_BASE 16 /* slot n raises line 16 + n */
#define MACHINE_PCI_MMIO_BASE 0x10000000ull
#define MACHINE_PCI_MMIO_SIZE 0x10000000ull
#define MACHINE_ECAM_BASE 0x30000000ull
#define MACHINE_ECAM_BUSES 16
#define MACHINE_PCI_IRQ_BASE 4 /* INTA..INTD on lines 4..7 */
#define MACHINE_RAM_BASE 0x40000000ull
#define MACHINE_DEFAULT_MEM (128ull << 20)

struct machine_options {
	uint64_t mem_size;   /* 0: MACHINE_DEFAULT_MEM */
	enum sim_mode mode;  /* how device work runs (sync by default) */
	enum sim_dma dma;    /* how buffers outside RAM are shared (bounce) */
	uint64_t seed;	     /* root of every RNG stream */
	unsigned trace_mask; /* TRACE_* categories to print */
	FILE *trace_out;     /* NULL: stderr */
	/* The fault plan, armed before any device or driver runs. */
	const struct fault_arm *faults;
	unsigned fault_count;
	/*
	 * Strict checking (sim/strict.h): off unless @strict. Each violation
	 * goes to @strict_violation(@strict_opaque, ...) if set; the first
	 * makes the HAL's wait idle, so waiting drivers stop.
	 */
	bool strict;
	void (*strict_violation)(void *opaque, enum strict_rule rule,
				 const char *device, const char *what);
	void *strict_opaque;
};

struct machine_cleanup {
	void (*fn)(void *opaque);
	void *opaque;
};

struct machine {
	struct trace trace;
	struct evloop loop;
	struct guest_mem mem;
	struct bus bus;
	struct irq_ctl irq;
	struct sim_hal hal;
	struct pci_host pci; /* ECAM, host bridge at 00:00.0, BAR window */
	struct sim_env env;  /* what device models are created with */
	struct fault_injector faults; /* draws from env.rng[SIM_RNG_FAULT] */
	struct strict strict;	      /* env.strict points here when on */
	struct sim_threads threads;   /* thread mode: env.threads, bus.lock */
	unsigned mmio_slots_used;
	struct machine_cleanup *cleanups; /* run last to first */
	unsigned cleanup_count, cleanup_cap;
};

/*
 * 0, or a negative errno: -E2BIG for more fault arms than fit, -ENOTSUP
 * for a fault plan in thread mode (the injector is not thread-safe).
 */
int machine_init(struct machine *m, const struct machine_options *opts);
/*
 * Release what was attached (last first), then the machine. Device
 * models must be destroyed before, or from a machine_on_destroy
 * cleanup: nothing may be left on the event loop. Returns the HAL's
 * book-keeping error count (leaked DMA, double frees, ...), each
 * reported on stderr when @report.
 */
unsigned machine_destroy(struct machine *m, bool report);

/*
 * Thread mode: hold the machine lock, so that no device runs a turn
 * meanwhile, to touch device state or the trace from outside the bus (a
 * test breaking a device, a tool reading the trace hash). No-ops in the
 * other modes.
 */
static inline void machine_lock(struct machine *m)
{
	if (m->env.threads)
		pthread_mutex_lock(&m->threads.lock);
}

static inline void machine_unlock(struct machine *m)
{
	if (m->env.threads)
		pthread_mutex_unlock(&m->threads.lock);
}

/* The HAL a driver stack running on this machine uses. */
static inline const struct hal *machine_hal(struct machine *m)
{
	return &m->hal.hal;
}

/*
 * Claim the next free MMIO device slot: its window is at
 * machine_mmio_slot_base(slot) and it raises machine_mmio_slot_irq(slot).
 * Returns the slot, or -ENOSPC.
 */
int machine_claim_mmio_slot(struct machine *m);
/* Run @fn(@opaque) at machine_destroy, after what was registered later. */
int machine_on_destroy(struct machine *m, void (*fn)(void *opaque),
		       void *opaque);

/* Guest-physical address of config register @reg of bus 0 @slot.@fn. */
static inline uint64_t machine_pci_config_addr(unsigned slot, unsigned fn,
					       unsigned reg)
{
	return MACHINE_ECAM_BASE +
	       ((uint64_t)slot << 15 | (uint64_t)fn << 12 | reg);
}

static inline uint64_t machine_mmio_slot_base(unsigned slot)
{
	return MACHINE_MMIO_BASE + slot * MACHINE_MMIO_SLOT_SIZE;
}

static inline unsigned machine_mmio_slot_irq(unsigned slot)
{
	return MACHINE_MMIO_IRQ_BASE + slot;
}

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_SIM_MACHINE_H */
