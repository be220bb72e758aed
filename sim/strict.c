/* SPDX-License-Identifier: MIT */
/*
 * strict.c - the strict checker: the rule list and reporting.
 */
#include "sim/strict.h"

#include <stdarg.h>

static const struct {
	const char *id, *help;
} rules[STRICT_NUM_RULES] = {
#define STRICT_ROW_(id, n, h) [STRICT_##id] = {n, h},
    STRICT_RULES(STRICT_ROW_)
#undef STRICT_ROW_
};

const char *strict_rule_id(enum strict_rule r)
{
	return (unsigned)r < STRICT_NUM_RULES ? rules[r].id : "?";
}

const char *strict_rule_help(enum strict_rule r)
{
	return (unsigned)r < STRICT_NUM_RULES ? rules[r].help : "?";
}

void strict_print_rules(FILE *out)
{
	for (unsigned i = 0; i < STRICT_NUM_RULES; i++)
		fprintf(out, "  %-10s %s\n", rules[i].id, rules[i].help);
}

void strict_report(struct strict *s, const char *device, enum strict_rule r,
		   const char *fmt, ...)
{
	char what[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!s->violations++)
		s->first = r;
	if (s->violation)
		s->violation(s->opaque, r, device, what);
}
