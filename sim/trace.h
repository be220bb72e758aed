/*
 * trace.h - run-time selectable trace events, one line per event.
 *
 * Categories are declared once in TRACE_CATEGORIES; a disabled category
 * costs one load and a predicted-not-taken branch at the call site.
 */
#ifndef VIRTSIM_SIM_TRACE_H
#define VIRTSIM_SIM_TRACE_H

#include <stdio.h>

#define TRACE_CATEGORIES(X)                                               \
	X(MMIO, "mmio", "MMIO register accesses (bus level)")             \
	X(VQ, "vq", "virtqueue traffic: buffers made available and used") \
	X(IRQ, "irq", "interrupt lines raised, lowered and delivered")    \
	X(PCI, "pci", "PCI configuration accesses and BAR mapping")       \
	X(BLK, "blk", "block requests as the device model sees them")     \
	X(DEV, "dev", "device status changes, resets and guest errors")   \
	X(HAL, "hal", "DMA allocation and buffer sharing")

enum trace_category_bit {
#define TRACE_BIT_(id, name, help) TRACE_BIT_##id,
	TRACE_CATEGORIES(TRACE_BIT_)
#undef TRACE_BIT_
	TRACE_NUM_CATEGORIES
};

enum trace_category {
#define TRACE_CAT_(id, name, help) TRACE_##id = 1u << TRACE_BIT_##id,
	TRACE_CATEGORIES(TRACE_CAT_)
#undef TRACE_CAT_
	TRACE_ALL = (1u << TRACE_NUM_CATEGORIES) - 1,
};

extern unsigned trace_mask;

/* Parse "mmio,vq,irq" or "all" into a mask; -1 names the bad word. */
int trace_parse(const char *list, unsigned *mask, const char **bad);
/* Enable @mask, writing to @out (stderr when NULL). */
void trace_enable(unsigned mask, FILE *out);
/* Print the category list, for --help. */
void trace_print_categories(FILE *out);

void trace_emit(unsigned cat, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define trace(cat, ...)                                             \
	do {                                                        \
		if (__builtin_expect(trace_mask & (cat), 0))        \
			trace_emit((cat), __VA_ARGS__);             \
	} while (0)

#endif /* VIRTSIM_SIM_TRACE_H */
