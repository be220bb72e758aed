/* SPDX-License-Identifier: MIT */
/*
 * bm_print.h - printf for the bare-metal guest, on the PL011: %s %c %d
 * %u %x with l/ll/z, a width and the - and 0 flags; nothing else.
 */
#ifndef VIRTSIM_TOOLS_BAREMETAL_BM_PRINT_H
#define VIRTSIM_TOOLS_BAREMETAL_BM_PRINT_H

#include <stdarg.h>
#include <stddef.h>

void bm_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bm_vprintf(const char *fmt, va_list ap);
/* The same into @buf (NUL terminated, cut to @size). */
void bm_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* VIRTSIM_TOOLS_BAREMETAL_BM_PRINT_H */
