/* SPDX-License-Identifier: MIT */
/*
 * main.c - virtsim: parse the command line, build the machine, let the
 * guest probe it, run one workload from the workload table, and end with
 * the run's trace hash. Exit status: 0 success, 1 a driver or device
 * operation failed, 2 bad usage or input, 3 --strict saw the driver
 * break a driver MUST.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tools/cli/options.h"
#include "tools/cli/workload.h"
#include "tools/vm/device_options.h"
#include "tools/vm/vm.h"

/*
 * --strict: the first violation is the run's one line about it. The run
 * stops cleanly, not here: the HAL's wait idles from now on, so the
 * driver's next wait fails, the workload returns and the machine is torn
 * down as always; main then exits EXIT_STRICT.
 */
static void cli_strict_violation(void *opaque, enum strict_rule rule,
				 const char *device, const char *what)
{
	unsigned *seen = opaque;

	if (!(*seen)++)
		fprintf(stderr, "virtsim: strict: %s: %s %s\n", device,
			strict_rule_id(rule), what);
}

/* The machine the options describe; the selftest's default without. */
static void cli_machine(const struct cli_options *o, struct vm_config *cfg,
			struct vm_device_config *defaults, unsigned max,
			unsigned *strict_seen)
{
	*cfg = (struct vm_config){.mem_size = o->mem_size,
				  .mode = o->mode,
				  .seed = o->seed,
				  .trace_mask = o->trace_mask,
				  .devices = o->devices,
				  .device_count = o->device_count,
				  .poll = o->poll,
				  .faults = o->faults,
				  .fault_count = o->fault_count,
				  .strict = o->strict,
				  .strict_violation = cli_strict_violation,
				  .strict_opaque = strict_seen};
	if (o->workload->selftest_machine && o->device_count == 0) {
		cfg->devices = defaults;
		cfg->device_count = vm_selftest_devices(defaults, max);
		cfg->empty_slot = true;
	}
}

int main(int argc, char **argv)
{
	static struct vm vm;
	struct vm_device_config defaults[VM_MAX_DEVICES];
	struct cli_options o;
	struct vm_config cfg;
	FILE *trace_out = NULL, *report;
	unsigned hal_errors, strict_seen = 0;
	char err[512];
	int ret;

	if (cli_parse_options(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, "virtsim: %s\nTry 'virtsim --help'.\n", err);
		cli_free_options(&o);
		return EXIT_USAGE;
	}
	if (o.device_help) {
		vm_device_usage(stdout, o.device_help);
		cli_free_options(&o);
		return 0;
	}
	if (o.help || o.version || o.fault_help || o.trace_help ||
	    o.strict_help) {
		if (o.help)
			cli_usage(stdout);
		else if (o.trace_help)
			trace_print_help(stdout);
		else if (o.fault_help) {
			printf("Fault points (--fault POINT[,count=N][,after=N]"
			       "[,prob=P][,dev=N]):\n");
			fault_print_points(stdout);
		} else if (o.strict_help) {
			printf(
			    "Driver MUSTs --strict checks (spec-checklist.md "
			    "IDs; exit status 3):\n");
			strict_print_rules(stdout);
		} else
			printf("virtsim %s\n"
			       "Copyright (c) 2026 The virtsim authors\n"
			       "License: MIT\n",
			       PACKAGE_VERSION);
		cli_free_options(&o);
		return 0;
	}
	if (o.trace_file && !(trace_out = fopen(o.trace_file, "w"))) {
		fprintf(stderr, "virtsim: --trace-file %s: %s\n", o.trace_file,
			strerror(errno));
		cli_free_options(&o);
		return EXIT_USAGE;
	}
	cli_machine(&o, &cfg, defaults, VM_MAX_DEVICES, &strict_seen);
	cfg.trace_out = trace_out;
	ret = vm_create(&vm, &cfg, err, sizeof(err));
	cli_free_options(&o); /* the models took what they need */
	if (ret) {
		fprintf(stderr, "virtsim: %s\n", err);
		ret = EXIT_USAGE;
		goto out;
	}
	if (!o.workload->scans_itself && vm_probe(&vm, err, sizeof(err))) {
		fprintf(stderr, "virtsim: %s\n", err);
		ret = EXIT_OP_FAILED;
	} else {
		ret = o.workload->run(&vm, &o);
	}
	/* Every run ends with its faults and hash, where reports go. */
	report = o.workload->data_on_stdout || o.json ? stderr : stdout;
	fault_report(&vm.machine.faults, report);
	fprintf(report, "trace hash: %016" PRIx64 " (%" PRIu64 " events)\n",
		vm.machine.trace.hash, vm.machine.trace.events);
	hal_errors = vm_destroy(&vm, true);
	/* Said even after a failure: a leak is news on any path. */
	if (hal_errors) {
		fprintf(stderr, "virtsim: %u HAL book-keeping error%s\n",
			hal_errors, hal_errors == 1 ? "" : "s");
		ret = ret ? ret : EXIT_OP_FAILED;
	}
	if (strict_seen)
		ret = EXIT_STRICT; /* the violation, not what it led to */
out:
	if (trace_out)
		fclose(trace_out);
	return ret;
}
