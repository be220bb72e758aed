/* SPDX-License-Identifier: MIT */
/*
 * trace.h - a machine's trace: run-time selectable events, one line per
 * event, and a hash over the scheduling events of a run.
 *
 * Categories are declared once in TRACE_CATEGORIES, events once in
 * TRACE_EVENTS (sim/trace_events.h), with their typed arguments; a
 * disabled category costs one load and a predicted-not-taken branch at
 * the call site. The
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

#define TRACE_CATEGORIES(X)                                             \
	X(MMIO, "mmio", "MMIO accesses; VirtIO registers decoded")      \
	X(VQ, "vq", "virtqueue buffers made available and used")        \
	X(REQ, "req", "requests handed to device models and completed") \
	X(IRQ, "irq", "interrupt lines raised, lowered and delivered")  \
	X(PCI, "pci", "PCI configuration accesses and BAR mapping")     \
	X(BLK, "blk", "block requests as the device model sees them")   \
	X(NET, "net", "network frames as the device models see them")   \
	X(DEV, "dev", "device status changes, resets and guest errors") \
	X(HAL, "hal", "DMA allocation and buffer sharing")              \
	X(SCHED, "sched", "notify, complete, interrupt, in virtual time")

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
	uint64_t seq;	       /* lines printed so far: each line's number */
	const uint64_t *clock; /* virtual time in ns for the lines, or NULL */
};

/* Enable @mask, writing to @out (stderr when NULL); the hash starts anew. */
void trace_init(struct trace *t, unsigned mask, FILE *out);
/* Parse "mmio,vq,irq" or "all" into a mask; -1 names the bad word. */
int trace_parse(const char *list, unsigned *mask, const char **bad);
/* Print the category list, for --help, @indent columns in. */
void trace_print_categories(FILE *out, int indent);
/* For --trace help: each category, its help and its events. */
void trace_print_help(FILE *out);

/*
 * The events of sim/trace_events.h. Each trace_<name>(t, [dev, id, [q,]]
 * args...) fires its USDT probe (with --enable-usdt; a nop) and, when its
 * category is on, prints one line:
 *
 *   SEQ [TIMEus] CATEGORY [DEVICE#ID [qQUEUE]] what the format says
 */
#include "sim/trace_events.h"

/*
 * Argument lists: the format, then the list's flat (type, name) pairs,
 * up to 10. The format leads so that no list is empty: these macros are
 * standard C and C++, for users of the header in any -std.
 */
#define TRACE_NPAIRS_(...)                                                     \
	TRACE_PICK_(__VA_ARGS__, 10, x, 9, x, 8, x, 7, x, 6, x, 5, x, 4, x, 3, \
		    x, 2, x, 1, x, 0)
#define TRACE_PICK_(_0, _1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, \
		    _13, _14, _15, _16, _17, _18, _19, _20, n, ...)        \
	n
#define TRACE_CAT_(a, b) TRACE_CAT2_(a, b)
#define TRACE_CAT2_(a, b) a##b
/* (fmt, t1, a1, t2, a2): ", t1 a1, t2 a2" as parameters, ", a1, a2" as
 * arguments. */
#define TRACE_PARAMS_(...) \
	TRACE_CAT_(TRACE_P_, TRACE_NPAIRS_(__VA_ARGS__))(__VA_ARGS__)
#define TRACE_NAMES_(...) \
	TRACE_CAT_(TRACE_N_, TRACE_NPAIRS_(__VA_ARGS__))(__VA_ARGS__)
#define TRACE_P_0(f)
#define TRACE_P_1(f, t, a) , t a
#define TRACE_P_2(f, t, a, ...) , t a TRACE_P_1(f, __VA_ARGS__)
#define TRACE_P_3(f, t, a, ...) , t a TRACE_P_2(f, __VA_ARGS__)
#define TRACE_P_4(f, t, a, ...) , t a TRACE_P_3(f, __VA_ARGS__)
#define TRACE_P_5(f, t, a, ...) , t a TRACE_P_4(f, __VA_ARGS__)
#define TRACE_P_6(f, t, a, ...) , t a TRACE_P_5(f, __VA_ARGS__)
#define TRACE_P_7(f, t, a, ...) , t a TRACE_P_6(f, __VA_ARGS__)
#define TRACE_P_8(f, t, a, ...) , t a TRACE_P_7(f, __VA_ARGS__)
#define TRACE_P_9(f, t, a, ...) , t a TRACE_P_8(f, __VA_ARGS__)
#define TRACE_P_10(f, t, a, ...) , t a TRACE_P_9(f, __VA_ARGS__)
#define TRACE_N_0(f)
#define TRACE_N_1(f, t, a) , a
#define TRACE_N_2(f, t, a, ...) , a TRACE_N_1(f, __VA_ARGS__)
#define TRACE_N_3(f, t, a, ...) , a TRACE_N_2(f, __VA_ARGS__)
#define TRACE_N_4(f, t, a, ...) , a TRACE_N_3(f, __VA_ARGS__)
#define TRACE_N_5(f, t, a, ...) , a TRACE_N_4(f, __VA_ARGS__)
#define TRACE_N_6(f, t, a, ...) , a TRACE_N_5(f, __VA_ARGS__)
#define TRACE_N_7(f, t, a, ...) , a TRACE_N_6(f, __VA_ARGS__)
#define TRACE_N_8(f, t, a, ...) , a TRACE_N_7(f, __VA_ARGS__)
#define TRACE_N_9(f, t, a, ...) , a TRACE_N_8(f, __VA_ARGS__)
#define TRACE_N_10(f, t, a, ...) , a TRACE_N_9(f, __VA_ARGS__)

/* Where an event happened: nothing, a device instance, and a queue. */
#define TRACE_WHERE_PARAMS_NONE
#define TRACE_WHERE_PARAMS_DEV , const char *dev, unsigned id
#define TRACE_WHERE_PARAMS_DEVQ , const char *dev, unsigned id, unsigned q
#define TRACE_WHERE_ARGS_NONE
#define TRACE_WHERE_ARGS_DEV , dev, id
#define TRACE_WHERE_ARGS_DEVQ , dev, id, q

#ifdef VIRTSIM_USDT
#define SDT_USE_VARIADIC 1 /* STAP_PROBEV */
#include <sys/sdt.h>
/* Semaphore-less: the probe site is a nop until a tracer attaches. */
#define TRACE_PROBE_(...) STAP_PROBEV(__VA_ARGS__)
#define TRACE_USDT_(name, where, ...) \
	TRACE_PROBE_(virtsim,         \
		     name TRACE_WHERE_ARGS_##where TRACE_NAMES_(__VA_ARGS__))
#else
#define TRACE_USDT_(name, where, ...) ((void)0)
#endif

enum trace_event {
#define TRACE_EV_ID_(name, ...) TRACE_EV_##name,
	TRACE_EVENTS(TRACE_EV_ID_)
#undef TRACE_EV_ID_
	    TRACE_NUM_EVENTS
};

#define TRACE_EV_DECL_(name, cat, where, decode, ...)                 \
	void trace_emit_##name(                                       \
	    struct trace *t TRACE_WHERE_PARAMS_##where TRACE_PARAMS_( \
		__VA_ARGS__));                                        \
	static inline void trace_##name(                              \
	    struct trace *t TRACE_WHERE_PARAMS_##where TRACE_PARAMS_( \
		__VA_ARGS__))                                         \
	{                                                             \
		TRACE_USDT_(name, where, __VA_ARGS__);                \
		if (__builtin_expect(t->mask & TRACE_##cat, 0))       \
			trace_emit_##name(                            \
			    t TRACE_WHERE_ARGS_##where TRACE_NAMES_(  \
				__VA_ARGS__));                        \
	}
TRACE_EVENTS(TRACE_EV_DECL_)
#undef TRACE_EV_DECL_

/* Each event's name, category and where it happens, for tests and help. */
struct trace_event_info {
	const char *name;
	unsigned cat;
	unsigned where; /* 0 none, 1 device, 2 device and queue */
};
extern const struct trace_event_info trace_event_info[TRACE_NUM_EVENTS];

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
