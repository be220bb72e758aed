/* SPDX-License-Identifier: MIT */
/*
 * guest.h - what guest workloads share: a buffer in DMA memory, as a
 * guest kernel's I/O buffer (shared with the device without a bounce),
 * and wall-clock timing for the figures they print.
 */
#ifndef VIRTSIM_TOOLS_VM_GUEST_H
#define VIRTSIM_TOOLS_VM_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "hal/hal.h"

#ifdef __cplusplus
extern "C" {
#endif

struct dma_buf {
	const struct hal *hal;
	uint64_t paddr;
	uint8_t *p;
	size_t pages;
};

/* @len bytes of zeroed DMA memory; 0 or -HAL_ENOMEM. */
int dma_buf_get(struct dma_buf *b, const struct hal *hal, size_t len);
void dma_buf_put(struct dma_buf *b);

/* Monotonic wall-clock milliseconds (never part of a trace hash). */
double guest_now_ms(void);
/* MiB per second of @bytes in @ms; 0 for no time. */
double guest_mib_per_s(uint64_t bytes, double ms);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_TOOLS_VM_GUEST_H */
