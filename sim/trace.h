/* SPDX-License-Identifier: MIT */
/*
 * trace.h - a machine's trace: run-time selectable events, one line per
 * event, and a hash over the scheduling events of a run.
 *
 * Categories are declared once in TRACE_CATEGORIES; a disabled category
 * costs one load and a predicted-not-taken branch at the call site. The
 * hash covers the events that decide what the guest observes and when
 * (notifications, completions, interrupts, in virtual time), whether they
 * are printed or not, and never wall-clock time: the same run gives the
 * same hash.
 */
#ifndef VIRTSIM_SIM_TRACE_H
#define VIRTSIM_SIM_TRACE_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TRACE_CATEGORIES(X)                                               \
	X(MMIO, "mmio", "MMIO register accesses (bus level)")             \
	X(VQ, "vq", "virtqueue traffic: buffers made available and used") \
	X(IRQ, "irq", "interrupt lines raised, lowered and delivered")    \
	X(PCI, "pci", "PCI configuration accesses and BAR mapping")       \
	X(BLK, "blk", "block requests as the device model sees them")     \
	X(NET, "net", "network frames as the device models see them")     \
	X(DEV, "dev", "device status changes, resets and guest errors")   \
	X(HAL, "hal", "DMA allocation and buffer sharing")                \
	X(SCHED, "sched",                                                 \
	  "what was notified, completed and interrupted "                 \
	  "when, in virtual time")

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

struct trace {
	unsigned mask; /* enabled categories */
	FILE *out;     /* NULL: stderr */
	uint64_t hash; /* over the scheduling events so far */
	uint64_t events;
};

/* Enable @mask, writing to @out (stderr when NULL); the hash starts anew. */
void trace_init(struct trace *t, unsigned mask, FILE *out);
/* Parse "mmio,vq,irq" or "all" into a mask; -1 names the bad word. */
int trace_parse(const char *list, unsigned *mask, const char **bad);
/* Print the category list, for --help, @indent columns in. */
void trace_print_categories(FILE *out, int indent);

void trace_emit(struct trace *t, unsigned cat, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define trace(t, cat, ...)                                   \
	do {                                                 \
		if (__builtin_expect((t)->mask & (cat), 0))  \
			trace_emit((t), (cat), __VA_ARGS__); \
	} while (0)

/*
 * Fold one scheduling event, three words, into the hash: FNV-1a a 64-bit
 * word at a time, cheap enough for every request.
 */
static inline void trace_hash_event(struct trace *t, uint64_t w0, uint64_t w1,
				    uint64_t w2)
{
	const uint64_t prime = 0x100000001b3ull;

	t->hash = (((t->hash ^ w0) * prime ^ w1) * prime ^ w2) * prime;
	t->events++;
}

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_SIM_TRACE_H */
