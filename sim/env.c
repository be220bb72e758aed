/* SPDX-License-Identifier: MIT */
/*
 * Execution mode names.
 */
#include "sim/env.h"

#include <string.h>

static const char *const sim_mode_names[] = {
    [SIM_MODE_SYNC] = "sync",
    [SIM_MODE_DEFERRED] = "deferred",
};

const char *sim_mode_name(enum sim_mode mode)
{
	return (unsigned)mode <
		       sizeof(sim_mode_names) / sizeof(sim_mode_names[0])
		   ? sim_mode_names[mode]
		   : NULL;
}

int sim_mode_parse(const char *name, enum sim_mode *mode)
{
	for (unsigned m = 0;
	     m < sizeof(sim_mode_names) / sizeof(sim_mode_names[0]); m++) {
		if (name && !strcmp(name, sim_mode_names[m])) {
			*mode = (enum sim_mode)m;
			return 0;
		}
	}
	return -1;
}
