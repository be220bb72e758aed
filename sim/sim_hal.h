/* SPDX-License-Identifier: MIT */
/*
 * sim_hal.h - the simulated HAL: hal.h implemented on guest RAM, the
 * simulated bus and interrupt lines.
 *
 * It keeps books like a strict IOMMU would: a double free, a free of
 * memory never allocated, an unshare of an unknown buffer and DMA still
 * allocated at teardown are counted as errors and traced.
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

struct sim_hal_stats {
	uint64_t dma_allocs, dma_frees;
	uint64_t shares, unshares, bounces;
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
	/* Page allocator over all of guest RAM. */
	uint32_t *page_run; /* per page: pages in the allocation it starts, 0 */
	uint8_t *page_used;
	uint64_t pages, pages_in_use, next_fit;
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
