/* SPDX-License-Identifier: MIT */
/*
 * bm.h - what the bare-metal guest's parts share.
 */
#ifndef VIRTSIM_TOOLS_BAREMETAL_BM_H
#define VIRTSIM_TOOLS_BAREMETAL_BM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "drivers/platform/platform.h"
#include "hal/aarch64-virt/virt_hal.h"

extern const struct hal *bm_hal;

/* Print "PASS: ..." or "FAIL: ..." and count it; returns @ok. */
bool bm_check(bool ok, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void bm_disk_test(struct platform_device *d, const char *where);
void bm_net_test(struct platform_device *d, const char *where);
void bm_gpu_test(struct platform_device *d, const char *where);

static inline unsigned bm_current_el(void)
{
	uint64_t el;

	__asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
	return (unsigned)(el >> 2) & 3u;
}

#endif /* VIRTSIM_TOOLS_BAREMETAL_BM_H */
