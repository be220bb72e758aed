/* SPDX-License-Identifier: MIT */
/*
 * sim_hal.h - the simulated HAL: hal.h implemented on guest RAM, the
 * simulated bus and interrupt lines.
 *
 * It keeps books like a strict IOMMU would: a double free, a free of
 * memory never allocated, an unshare of an unknown buffer and DMA still
 * allocated at teardown are counted as errors and traced.
 *
 * A buffer shared from outside guest RAM is bounced (SIM_DMA_BOUNCE, the
 * default), or mapped in place in the DMA map window (SIM_DMA_MAP).
 */
#ifndef VIRTSIM_SIM_SIM_HAL_H
#define VIRTSIM_SIM_SIM_HAL_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/hal.h"
#include "sim/bus.h"
#include "sim/env.h"
#include "sim/guest_mem.h"
#include "sim/irq.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sim_hal_share;

/* Bounce runs remembered after their unshare (sim_hal.recent). */
#define SIM_HAL_RECENT 128

struct sim_hal_run {
	uint64_t first;
	uint32_t pages;
	size_t len;	 /* of the buffer last bounced on it, ... */
	const void *buf; /* ... which its pages still hold bytes of */
};

/* How a buffer from outside guest RAM reaches the device. */
enum sim_dma {
	/*
	 * Copied through DMA pages, as a swiotlb does: the driver's buffer
	 * changes only at unshare, so a driver that reads it earlier, or
	 * writes it while it is shared, sees or loses the difference.
	 */
	SIM_DMA_BOUNCE,
	/*
	 * Mapped in place (guest_mem_map), as an IOMMU maps it: no copy,
	 * and a device write into a buffer shared only to the device
	 * fails. A buffer larger than a slot, or with every slot taken,
	 * is bounced.
	 */
	SIM_DMA_MAP,
};

/* "bounce" / "map"; NULL for an unknown mode. */
const char *sim_dma_name(enum sim_dma dma);
/* The mode @name names: 0, or -1 for an unknown name. */
int sim_dma_parse(const char *name, enum sim_dma *dma);

struct sim_hal_stats {
	uint64_t dma_allocs, dma_frees;
	uint64_t shares, unshares, bounces;
	uint64_t maps;		   /* shares mapped in place (SIM_DMA_MAP) */
	uint64_t bounce_reuses;	   /* bounces on a run a bounce freed last */
	uint64_t double_frees;     /* dma_free of pages not allocated */
	uint64_t bad_frees;        /* dma_free that does not match an alloc */
	uint64_t unknown_unshares; /* unshare of something never shared */
	uint64_t alloc_failures;
};

struct sim_hal {
	struct hal hal; /* what drivers get: &sim_hal.hal */
	struct sim_env *env; /* the event loop runs when the CPU idles */
	struct guest_mem *mem;
	struct bus *bus;
	struct irq_ctl *irq;
	enum sim_dma dma; /* set between init and the first share */
	/* Page allocator over all of guest RAM. */
	uint32_t *page_run; /* per page: pages in the allocation it starts, 0 */
	uint8_t *page_used;
	uint64_t pages, pages_in_use, next_fit;
	/*
	 * The bounce runs freed last, newest on top. A bounce takes a run
	 * of its size from the top first, so the copies land on pages still
	 * in the CPU cache, not on whatever cold page the rotating cursor
	 * reached. Hints only: the books (page_used) say whether a run is
	 * still free, and freed pages are free whether remembered or not.
	 */
	struct sim_hal_run recent[SIM_HAL_RECENT];
	uint32_t recent_count;
	/* Outstanding shares, open-addressed by device address. */
	struct sim_hal_share *shares;
	uint32_t share_cap, share_count;
	struct sim_hal_stats stats;
	uint64_t turns_seen; /* thread mode: sim_threads.turns at last wait */
};

int sim_hal_init(struct sim_hal *sh, struct sim_env *env, struct bus *bus,
		 struct irq_ctl *irq);
/*
 * Tear down; returns the number of book-keeping errors over the HAL's life
 * including leaks found now (DMA pages still allocated, buffers still
 * shared), each reported on stderr when @report.
 */
unsigned sim_hal_destroy(struct sim_hal *sh, bool report);
/* Errors so far (double frees, bad frees, unknown unshares). */
uint64_t sim_hal_errors(const struct sim_hal *sh);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_SIM_SIM_HAL_H */
