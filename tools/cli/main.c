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
#include <unistd.h>

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
				  .dma = o->dma,
				  .faults = o->faults,
				  .fault_count = o->fault_count,
				  .strict = o->strict,
				  .strict_violation = cli_strict_violation,
				  .strict_opaque = strict_seen};
	if (o->workload->selftest_machine && o->device_count == 0) {
		unsigned n = vm_selftest_devices(defaults, max), kept = 0;

		/* Thread mode: the classes whose models run on threads. */
		for (unsigned i = 0; i < n; i++)
			if (o->mode != SIM_MODE_THREAD ||
			    defaults[i].cls->thread_mode)
				defaults[kept++] = defaults[i];
		cfg->devices = defaults;
		cfg->device_count = kept;
		cfg->empty_slot = true;
	}
}

/*
 * --json: the document goes to stdout, and everything else the run
 * prints, its text report included, to stderr, so no line of text can
 * break the document. NULL (and one line in @err) if stdout cannot be
 * kept.
 */
static FILE *json_stdout(char *err, size_t errlen)
{
	int fd;
	FILE *out;

	fflush(stdout);
	fd = dup(STDOUT_FILENO);
	if (fd < 0 || !(out = fdopen(fd, "w"))) {
		snprintf(err, errlen, "--json: stdout: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		snprintf(err, errlen, "--json: stderr: %s", strerror(errno));
		fclose(out);
		return NULL;
	}
	return out;
}

/* The document's members before the workload's own. */
static void json_begin_run(struct json *j, const struct cli_options *o)
{
	json_begin_object(j, NULL);
	json_string(j, "virtsim", PACKAGE_VERSION);
	json_string(j, "workload", o->workload->name);
	json_string(j, "mode", sim_mode_name(o->mode));
	json_uint(j, "seed", o->seed);
	json_string(j, "dma", sim_dma_name(o->dma));
}

/* The armed fault points, as fault_report says them. */
static void json_faults(struct json *j, const struct fault_injector *f)
{
	json_begin_array(j, "faults");
	for (unsigned p = 0; p < FAULT_NUM_POINTS; p++) {
		if (!fault_armed(f, p))
			continue;
		json_begin_object(j, NULL);
		json_string(j, "point", fault_point_name(p));
		json_uint(j, "hits", f->hits[p]);
		json_uint(j, "fired", f->fires[p]);
		json_end_object(j);
	}
	json_end_array(j);
}

int main(int argc, char **argv)
{
	static struct vm vm;
	struct vm_device_config defaults[VM_MAX_DEVICES];
	struct cli_options o;
	struct vm_config cfg;
	FILE *trace_out = NULL, *report, *json_out = NULL;
	struct json json, *jp = NULL;
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
	    o.strict_help || o.workloads_help) {
		if (o.help)
			cli_usage(stdout);
		else if (o.workloads_help)
			cli_usage_workloads(stdout);
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
	if (o.json) {
		if (!(json_out = json_stdout(err, sizeof(err)))) {
			fprintf(stderr, "virtsim: %s\n", err);
			cli_free_options(&o);
			return EXIT_USAGE;
		}
		json_init(&json, json_out);
		jp = &json;
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
	if (jp)
		json_begin_run(jp, &o);
	if (!o.workload->scans_itself && vm_probe(&vm, err, sizeof(err))) {
		fprintf(stderr, "virtsim: %s\n", err);
		if (jp)
			json_string(jp, "error", err);
		ret = EXIT_OP_FAILED;
	} else {
		ret = o.workload->run(&vm, &o, jp);
	}
	if (jp)
		json_close_to(jp, 1); /* after a workload's early return */
	/* Every run ends with its faults and hash, where reports go. */
	report = o.workload->data_on_stdout ? stderr : stdout;
	machine_lock(&vm.machine); /* thread mode: the trace is the devices' */
	fault_report(&vm.machine.faults, report);
	fprintf(report, "trace hash: %016" PRIx64 " (%" PRIu64 " events)\n",
		vm.machine.trace.hash, vm.machine.trace.events);
	if (jp) {
		json_faults(jp, &vm.machine.faults);
		json_stringf(jp, "trace_hash", "%016" PRIx64,
			     vm.machine.trace.hash);
		json_uint(jp, "trace_events", vm.machine.trace.events);
	}
	machine_unlock(&vm.machine);
	hal_errors = vm_destroy(&vm, true);
	/* Said even after a failure: a leak is news on any path. */
	if (hal_errors) {
		fprintf(stderr, "virtsim: %u HAL book-keeping error%s\n",
			hal_errors, hal_errors == 1 ? "" : "s");
		ret = ret ? ret : EXIT_OP_FAILED;
	}
	if (strict_seen)
		ret = EXIT_STRICT; /* the violation, not what it led to */
	if (jp) {
		json_uint(jp, "hal_errors", hal_errors);
		json_uint(jp, "exit_status", (unsigned)ret);
		json_end_object(jp);
	}
out:
	if (json_out && fclose(json_out) && !ret) {
		fprintf(stderr, "virtsim: --json: stdout: %s\n",
			strerror(errno));
		ret = EXIT_OP_FAILED;
	}
	if (trace_out)
		fclose(trace_out);
	return ret;
}
