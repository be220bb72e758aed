/* SPDX-License-Identifier: MIT */
#include "sim/irq.h"

#include <errno.h>
#include <string.h>

#include "sim/trace.h"

void irq_init(struct irq_ctl *ic, struct trace *trace)
{
	memset(ic, 0, sizeof(*ic));
	ic->trace = trace;
}

void irq_set_level(struct irq_ctl *ic, unsigned line, bool level)
{
	uint64_t bit;

	if (line >= IRQ_MAX_LINES)
		return;
	bit = 1ull << line;
	if (!!(__atomic_load_n(&ic->level, __ATOMIC_RELAXED) & bit) == level)
		return;
	/* Thread mode: devices change levels under the machine lock; the
	 * CPU reads them without it (irq_pending_lines, irq_dispatch). In
	 * the other modes all is one thread: no locked instruction. */
	if (!ic->concurrent)
		__atomic_store_n(&ic->level, ic->level ^ bit, __ATOMIC_RELAXED);
	else if (level)
		__atomic_fetch_or(&ic->level, bit, __ATOMIC_RELEASE);
	else
		__atomic_fetch_and(&ic->level, ~bit, __ATOMIC_RELEASE);
	if (level)
		ic->raised[line]++;
	trace_irq_level(ic->trace, line, level);
}

int irq_register(struct irq_ctl *ic, unsigned line, void (*fn)(void *arg),
		 void *arg)
{
	struct irq_handler *free_slot = NULL;

	if (line >= IRQ_MAX_LINES || !fn)
		return -EINVAL;
	for (unsigned i = 0; i < IRQ_MAX_SHARED; i++) {
		struct irq_handler *h = &ic->handlers[line][i];

		if (h->fn == fn && h->arg == arg)
			return -EEXIST;
		if (!h->fn && !free_slot)
			free_slot = h;
	}
	if (!free_slot)
		return -ENOSPC;
	*free_slot = (struct irq_handler){fn, arg};
	return 0;
}

int irq_unregister(struct irq_ctl *ic, unsigned line, void (*fn)(void *arg),
		   void *arg)
{
	for (unsigned i = 0; line < IRQ_MAX_LINES && i < IRQ_MAX_SHARED; i++) {
		struct irq_handler *h = &ic->handlers[line][i];

		if (h->fn == fn && h->arg == arg) {
			*h = (struct irq_handler){0};
			return 0;
		}
	}
	return -ENOENT;
}

static bool irq_line_has_handler(const struct irq_ctl *ic, unsigned line)
{
	for (unsigned i = 0; i < IRQ_MAX_SHARED; i++)
		if (ic->handlers[line][i].fn)
			return true;
	return false;
}

uint64_t irq_pending_lines(const struct irq_ctl *ic)
{
	uint64_t lines = 0;

	for (uint64_t lv = __atomic_load_n(&ic->level, __ATOMIC_ACQUIRE); lv;
	     lv &= lv - 1) {
		unsigned line = (unsigned)__builtin_ctzll(lv);

		if (irq_line_has_handler(ic, line))
			lines |= 1ull << line;
	}
	return lines;
}

unsigned irq_dispatch(struct irq_ctl *ic)
{
	unsigned ran = 0;

	ic->dispatched = 0;
	/* Snapshot: a handler that lowers or raises lines acts next round. */
	for (uint64_t lv = __atomic_load_n(&ic->level, __ATOMIC_ACQUIRE); lv;
	     lv &= lv - 1) {
		unsigned line = (unsigned)__builtin_ctzll(lv);

		if (!irq_line_has_handler(ic, line))
			continue;
		trace_irq_deliver(ic->trace, line);
		ic->delivered[line]++;
		ic->dispatched |= 1ull << line;
		for (unsigned i = 0; i < IRQ_MAX_SHARED; i++) {
			struct irq_handler *h = &ic->handlers[line][i];

			if (h->fn) {
				h->fn(h->arg);
				ran++;
			}
		}
	}
	return ran;
}
