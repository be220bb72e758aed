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
	uint64_t bit;

	if (line >= IRQ_MAX_LINES)
		return;
	bit = 1ull << line;
	if (!!(ic->level & bit) == level)
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

bool irq_deliverable(const struct irq_ctl *ic)
{
	for (uint64_t lv = ic->level; lv; lv &= lv - 1) {
		if (irq_line_has_handler(ic, (unsigned)__builtin_ctzll(lv)))
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

		if (!irq_line_has_handler(ic, line))
			continue;
		trace(TRACE_IRQ, "line %u delivered", line);
		ic->delivered[line]++;
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
