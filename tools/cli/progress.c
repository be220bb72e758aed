/* SPDX-License-Identifier: MIT */
/*
 * progress.c - the progress line (progress.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "tools/cli/progress.h"
#include "tools/vm/guest.h"

#define PROGRESS_AFTER_MS 500
#define PROGRESS_EVERY_MS 100

void progress_init(struct progress *p)
{
	double now = guest_now_ms();

	*p = (struct progress){.on = isatty(STDERR_FILENO) == 1,
			       .start = now,
			       .next = now + PROGRESS_AFTER_MS};
}

void progress_show(struct progress *p, const char *fmt, ...)
{
	double now;
	va_list ap;

	if (!p->on || (now = guest_now_ms()) < p->next)
		return;
	p->next = now + PROGRESS_EVERY_MS;
	fputs("\r\033[K", stderr); /* to the line's start, and clear it */
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	p->shown = true;
}

void progress_clear(struct progress *p)
{
	if (!p->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = false;
}
