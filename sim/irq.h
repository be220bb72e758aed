/* SPDX-License-Identifier: MIT */
/*
 * irq.h - level-triggered interrupt lines and the handlers drivers attach
 * to them through the HAL.
 *
 * Devices only change line levels; handlers run when the simulated CPU
 * takes interrupts (irq_dispatch, called from the HAL's wait), never inside
 * a register access.
 */
#ifndef VIRTSIM_SIM_IRQ_H
#define VIRTSIM_SIM_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IRQ_MAX_LINES 64
/* Handlers one line can carry: PCI INTx lines are shared by devices. */
#define IRQ_MAX_SHARED 8

struct irq_handler {
	void (*fn)(void *arg);
	void *arg;
};

struct irq_ctl {
	uint64_t level; /* bit n: line n asserted */
	struct irq_handler handlers[IRQ_MAX_LINES][IRQ_MAX_SHARED];
	uint64_t raised[IRQ_MAX_LINES];    /* low-to-high transitions */
	uint64_t delivered[IRQ_MAX_LINES]; /* handler invocations */
	uint64_t dispatched; /* the lines the last irq_dispatch delivered */
	struct trace *trace;
	bool concurrent; /* thread mode: lines change on device threads */
};

void irq_init(struct irq_ctl *ic, struct trace *trace);
void irq_set_level(struct irq_ctl *ic, unsigned line, bool level);
/*
 * Add (@fn, @arg) to @line's handlers: -EINVAL for a bad line or no @fn,
 * -EEXIST if that pair is there already, -ENOSPC when the line is full.
 */
int irq_register(struct irq_ctl *ic, unsigned line, void (*fn)(void *arg),
		 void *arg);
/* Remove (@fn, @arg) from @line; -ENOENT if it was not registered. */
int irq_unregister(struct irq_ctl *ic, unsigned line, void (*fn)(void *arg),
		   void *arg);
/* The asserted lines that have a handler to run, one bit per line. */
uint64_t irq_pending_lines(const struct irq_ctl *ic);

static inline bool irq_deliverable(const struct irq_ctl *ic)
{
	return irq_pending_lines(ic) != 0;
}
/*
 * Run every handler of every asserted line once (a shared line runs all
 * of them, as level-triggered INTx does); returns how many ran, and
 * leaves the lines in ic->dispatched.
 */
unsigned irq_dispatch(struct irq_ctl *ic);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_SIM_IRQ_H */
