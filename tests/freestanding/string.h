/* SPDX-License-Identifier: MIT */
/*
 * The only <string.h> a freestanding build of drivers/ gets: the memory
 * functions every bare-metal C runtime (and the compiler itself) provides.
 * Anything else drivers/ calls from libc fails the layer-rule test.
 */
#ifndef VIRTSIM_FREESTANDING_STRING_H
#define VIRTSIM_FREESTANDING_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
