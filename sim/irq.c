#include "sim/irq.h"

#include <errno.h>
#include <string.h>

#include "sim/trace.h"

void irq_init(struct irq_ctl *ic)
{
	memset(ic, 0, sizeof(*ic));
}

void irq_set_level(struct irq_ctl *ic, unsigned line, bool level)
{
	uint64_t bit = 1ull << line;

	if (line >= IRQ_MAX_LINES || !!(ic->level & bit) == level)
		return;
	if (level) {
		ic->level |= bit;
		ic->raised[line]++;
	} else {
		ic->level &= ~bit;
	}
	trace(TRACE_IRQ, "line %u %s", line, level ? "raised" : "lowered");
}

int irq_register(struct irq_ctl *ic, unsigned line, void (*fn)(void *arg),
		 void *arg)
{
	if (line >= IRQ_MAX_LINES || !fn)
		return -EINVAL;
	if (ic->handlers[line].fn)
		return -EBUSY;
	ic->handlers[line] = (struct irq_handler){fn, arg};
	return 0;
}

void irq_unregister(struct irq_ctl *ic, unsigned line)
{
	if (line < IRQ_MAX_LINES)
		ic->handlers[line] = (struct irq_handler){0};
}

bool irq_deliverable(const struct irq_ctl *ic)
{
	for (uint64_t lv = ic->level; lv; lv &= lv - 1) {
		if (ic->handlers[__builtin_ctzll(lv)].fn)
			return true;
	}
	return false;
}

unsigned irq_dispatch(struct irq_ctl *ic)
{
	unsigned ran = 0;

	/* Snapshot: a handler that lowers or raises lines acts next round. */
	for (uint64_t lv = ic->level; lv; lv &= lv - 1) {
		unsigned line = (unsigned)__builtin_ctzll(lv);
		struct irq_handler *h = &ic->handlers[line];

		if (!h->fn)
			continue;
		trace(TRACE_IRQ, "line %u delivered", line);
		ic->delivered[line]++;
		h->fn(h->arg);
		ran++;
	}
	return ran;
}
