/* SPDX-License-Identifier: MIT */
/*
 * workload.h - what the guest runs once the machine is probed: one row
 * per workload in workloads.c, one file per workload.
 */
#ifndef VIRTSIM_TOOLS_CLI_WORKLOAD_H
#define VIRTSIM_TOOLS_CLI_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "tools/cli/json.h"
#include "tools/cli/options.h"
#include "tools/vm/vm.h"

#define EXIT_OP_FAILED 1 /* a device or driver operation failed */
#define EXIT_USAGE 2	 /* bad usage or input */
#define EXIT_STRICT 3	 /* --strict: the driver broke a driver MUST */

struct workload {
	const char *name;
	const char *args; /* "LBA COUNT", for --help */
	const char *help; /* one line, for --help */
	unsigned nargs;	    /* ... or up to this many with optional_args */
	bool optional_args;
	/* Runs on one device of this class, picked by --disk or --nic. */
	const struct device_class *cls;
	unsigned takes; /* the CLI_OPT_* it accepts */
	bool data_on_stdout; /* stdout carries data: reports go to stderr */
	bool selftest_machine; /* no devices given: the selftest's machine */
	bool scans_itself;     /* probes and brings devices up in run */
	bool arms_faults;      /* injects faults: not in thread mode */
	/* Check and keep the arguments; -1 with one line in @err. */
	int (*parse)(struct cli_options *o, char **args, char *err,
		     size_t errlen);
	/*
	 * Run on the probed machine; the exit status. With --json @json is
	 * the document's open top-level object, for the workload's members
	 * (its statistics); NULL without.
	 */
	int (*run)(struct vm *vm, const struct cli_options *o,
		   struct json *json);
};

/* Every workload, NULL-terminated; the first is the default. */
extern const struct workload *const workloads[];

extern const struct workload selftest_workload;
extern const struct workload probe_workload;
extern const struct workload blk_read_workload;
extern const struct workload blk_write_workload;
extern const struct workload bench_workload;
extern const struct workload net_ping_workload;
extern const struct workload net_fetch_workload;
extern const struct workload net_serve_workload;
extern const struct workload gpu_demo_workload;
extern const struct workload gpu_bench_workload;
extern const struct workload faults_workload;
extern const struct workload soak_workload;

/* Real seconds a soak seed may take before it counts as hung. */
#define SOAK_SEED_LIMIT_S 30

/* faults --soak: the seeds' children, their verdicts; the exit status. */
int soak_run(const struct cli_options *o, struct json *json);

/* blk-read's and blk-write's statistics: what went through, how fast. */
void json_blk_transfer(struct json *j, unsigned unit, uint64_t lba,
		       uint64_t blocks, uint32_t block_size, double ms);

/* The device tables of what the guest found, on stdout, or as the
 * members "machine", "mmio" and "pci" of @json when not NULL. */
void report_machine(struct vm *vm, struct json *json);

#endif /* VIRTSIM_TOOLS_CLI_WORKLOAD_H */
