/* SPDX-License-Identifier: MIT */
#include "sim/trace.h"

#include <stdarg.h>
#include <string.h>

/* FNV-1a offset basis: the hash of a run with no events. */
#define TRACE_HASH_BASIS 0xcbf29ce484222325ull

static const struct {
	const char *name;
	const char *help;
} trace_categories[] = {
#define TRACE_NAME_(id, name, help) {name, help},
	TRACE_CATEGORIES(TRACE_NAME_)
#undef TRACE_NAME_
};

int trace_parse(const char *list, unsigned *mask, const char **bad)
{
	static char word[32];
	const char *p = list;

	*mask = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		unsigned i;

		if (n == 3 && !strncmp(p, "all", 3)) {
			*mask |= TRACE_ALL;
			goto next;
		}
		for (i = 0; i < TRACE_NUM_CATEGORIES; i++) {
			if (strlen(trace_categories[i].name) == n &&
			    !strncmp(p, trace_categories[i].name, n))
				break;
		}
		if (i == TRACE_NUM_CATEGORIES) {
			snprintf(word, sizeof(word), "%.*s", (int)n, p);
			if (bad)
				*bad = word;
			return -1;
		}
		*mask |= 1u << i;
next:
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

void trace_init(struct trace *t, unsigned mask, FILE *out)
{
	t->mask = mask;
	t->out = out;
	t->hash = TRACE_HASH_BASIS;
	t->events = 0;
}

void trace_print_categories(FILE *out, int indent)
{
	for (unsigned i = 0; i < TRACE_NUM_CATEGORIES; i++)
		fprintf(out, "%*s%-6s %s\n", indent, "",
			trace_categories[i].name, trace_categories[i].help);
}

void trace_emit(struct trace *t, unsigned cat, const char *fmt, ...)
{
	FILE *out = t->out ? t->out : stderr;
	unsigned bit = (unsigned)__builtin_ctz(cat);
	va_list ap;

	fprintf(out, "%-5s ", trace_categories[bit].name);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}
