/* SPDX-License-Identifier: MIT */
/*
 * virt_hal.h - hal/hal.h for bare metal on QEMU's aarch64 virt machine:
 * identity mapping (virtual = physical, RAM normal cacheable, devices
 * Device-nGnRnE), DMA pages from a static pool, MMIO as volatile loads
 * and stores with barriers, interrupts through the GICv2 taken in
 * hal_wait, time from the generic timer, power-off through PSCI.
 */
#ifndef VIRTSIM_HAL_AARCH64_VIRT_HAL_H
#define VIRTSIM_HAL_AARCH64_VIRT_HAL_H

#include <stdint.h>

#include "hal/hal.h"

/* Registers are little-endian; a big-endian build swaps. */
#ifdef __AARCH64EB__
#define VIRT_LE16(v) __builtin_bswap16(v)
#define VIRT_LE32(v) __builtin_bswap32(v)
#else
#define VIRT_LE16(v) (v)
#define VIRT_LE32(v) (v)
#endif

/*
 * The accessors behind hal_mmio_*: a write is ordered after every
 * earlier store to memory ("dsb st" first: the device must see the
 * rings before the notify, hal.h), a read before every later load
 * ("dmb oshld" after it).
 */
static inline uint32_t virt_mmio_read(uintptr_t addr, unsigned size)
{
	uint32_t v;

	if (size == 1)
		v = *(volatile uint8_t *)addr;
	else if (size == 2)
		v = VIRT_LE16(*(volatile uint16_t *)addr);
	else
		v = VIRT_LE32(*(volatile uint32_t *)addr);
	__asm__ volatile("dmb oshld" ::: "memory");
	return v;
}

static inline void virt_mmio_write(uintptr_t addr, uint32_t v, unsigned size)
{
	__asm__ volatile("dsb st" ::: "memory");
	if (size == 1)
		*(volatile uint8_t *)addr = (uint8_t)v;
	else if (size == 2)
		*(volatile uint16_t *)addr = VIRT_LE16((uint16_t)v);
	else
		*(volatile uint32_t *)addr = VIRT_LE32(v);
}

/*
 * Set up the MMU (identity map), the GIC and the timer; returns the HAL.
 * Call once, first thing.
 */
const struct hal *virt_hal_init(void);

/* DMA pool use, for leak checks: pages taken now, and the pool size. */
unsigned virt_hal_dma_pages_used(void);
unsigned virt_hal_dma_pages_total(void);
/* Interrupts delivered to handlers so far (device lines, not the timer). */
uint64_t virt_hal_irqs(void);
/* The interrupt controller found: 2 or 3. */
unsigned virt_hal_gic_version(void);

/* Monotonic nanoseconds from the generic timer. */
uint64_t virt_now_ns(void);

/* PSCI SYSTEM_OFF: QEMU exits. Never returns. */
void bm_exit(int code) __attribute__((noreturn));

#endif /* VIRTSIM_HAL_AARCH64_VIRT_HAL_H */
