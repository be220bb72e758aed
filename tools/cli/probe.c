/* SPDX-License-Identifier: MIT */
/*
 * probe.c - the probe workload: the device tables, nothing else.
 */
#include "tools/cli/workload.h"

static int probe_run(struct vm *vm, const struct cli_options *o,
		     struct json *json)
{
	report_machine(vm, json);
	return 0;
}

const struct workload probe_workload = {
    .name = "probe",
    .help = "print the device tables and exit",
    .run = probe_run,
};
