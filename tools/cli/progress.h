/* SPDX-License-Identifier: MIT */
/*
 * progress.h - a progress line on long runs: on stderr, redrawn in place
 * at most ten times a second, once a run has taken half a second, and
 * only when stderr is a terminal, so never in a log or a pipe.
 */
#ifndef VIRTSIM_TOOLS_CLI_PROGRESS_H
#define VIRTSIM_TOOLS_CLI_PROGRESS_H

#include <stdbool.h>

struct progress {
	bool on;      /* stderr is a terminal */
	bool shown;   /* a line is up */
	double start; /* guest_now_ms() at progress_init */
	double next;  /* no redraw before */
};

void progress_init(struct progress *p);
/* Redraw the line as @fmt says, if it is time to. */
void progress_show(struct progress *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Take the line away, before other output. */
void progress_clear(struct progress *p);

#endif /* VIRTSIM_TOOLS_CLI_PROGRESS_H */
