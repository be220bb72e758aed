/* SPDX-License-Identifier: MIT */
/*
 * guest.c - DMA buffers and timing for guest workloads.
 */
#include "tools/vm/guest.h"

#include <time.h>

int dma_buf_get(struct dma_buf *b, const struct hal *hal, size_t len)
{
	void *v;
	int err;

	b->hal = hal;
	b->pages = (len + HAL_PAGE_SIZE - 1) / HAL_PAGE_SIZE;
	err = hal_dma_alloc(hal, b->pages, &b->paddr, &v);
	b->p = err ? NULL : v;
	return err;
}

void dma_buf_put(struct dma_buf *b)
{
	if (b->p)
		hal_dma_free(b->hal, b->paddr, b->p, b->pages);
	b->p = NULL;
}

double guest_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double guest_mib_per_s(uint64_t bytes, double ms)
{
	return ms > 0 ? bytes / (1024.0 * 1024.0) / (ms / 1e3) : 0;
}
