/* SPDX-License-Identifier: MIT */
/*
 * options.h - the virtsim command line, parsed into plain values. Parsing
 * never exits: it fills an error message for the caller to print once.
 */
#ifndef VIRTSIM_TOOLS_CLI_OPTIONS_H
#define VIRTSIM_TOOLS_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/env.h"
#include "sim/fault.h"
#include "tools/vm/vm.h"

struct workload;

/* Options that go with some workloads only. */
enum cli_workload_option {
	CLI_OPT_DISK = 1u << 0,	      /* --disk N */
	CLI_OPT_NIC = 1u << 1,	      /* --nic N */
	CLI_OPT_COUNT = 1u << 2,      /* --count N */
	CLI_OPT_OUT = 1u << 3,	      /* --out FILE */
	CLI_OPT_REQUESTS = 1u << 4,   /* --requests N */
	CLI_OPT_FRAMES = 1u << 5,     /* --frames N */
	CLI_OPT_SCREENSHOT = 1u << 6, /* --screenshot FILE */
	CLI_OPT_HOLD = 1u << 7,	      /* --hold S */
	CLI_OPT_SOAK = 1u << 9,	      /* --soak N */
	CLI_OPT_SOAK_PROB = 1u << 10, /* --soak-prob P */
	CLI_OPT_QD = 1u << 11,	      /* --qd LIST */
	CLI_OPT_BS = 1u << 12,	      /* --bs LIST */
	CLI_OPT_RW = 1u << 13,	      /* --rw LIST */
	CLI_OPT_BUF = 1u << 14,	      /* --buf LIST */
	CLI_OPT_TIME = 1u << 15,      /* --time S */
};

/* bench: what each case reads or writes, and from which buffer. */
enum cli_bench_rw {
	CLI_BENCH_READ,
	CLI_BENCH_WRITE,
	CLI_BENCH_RANDREAD,
	CLI_BENCH_RANDWRITE,
};

enum cli_bench_buf {
	CLI_BENCH_DMA,	/* a buffer in DMA memory: shared in place */
	CLI_BENCH_HOST, /* the user's own malloc'd buffer: bounced */
};

#define CLI_BENCH_MAX 8 /* entries of one bench list */

struct cli_options {
	uint64_t mem_size;
	enum sim_mode mode;
	uint64_t seed;
	unsigned trace_mask;
	const char *trace_file;
	bool poll; /* --poll: drivers poll instead of taking IRQs */
	enum sim_dma dma; /* --dma */
	bool help, version;
	bool fault_help; /* --fault help: list the points */
	bool trace_help; /* --trace help: list the categories */
	bool strict;	 /* --strict: stop at a broken driver MUST */
	bool strict_help; /* --strict help: list the checked rules */
	bool workloads_help; /* --workloads: list the workloads */
	/* --blk help (and so on): that class's sub-options. */
	const struct device_class *device_help;
	bool json;	 /* --json: the workload's report as JSON */
	/* --fault and --fault-plan, in the order given. */
	struct fault_arm faults[FAULT_MAX_ARMS];
	unsigned fault_count;
	/* Devices, in the order given: --blk ..., each class's option. */
	struct vm_device_config devices[VM_MAX_DEVICES];
	void *device_storage[VM_MAX_DEVICES];
	unsigned device_count;
	const struct workload *workload;
	/* Workload arguments and the workload options given (CLI_OPT_*). */
	unsigned given;
	unsigned unit;	     /* --disk N, --nic N: the workload's device */
	uint64_t lba, count; /* blk-read, blk-write */
	const char *input;   /* blk-write: host file */
	const char *url;     /* net-fetch */
	const char *out;     /* net-fetch --out FILE, "-": stdout */
	uint64_t requests;   /* net-serve --requests N, 0: until a signal */
	uint64_t pings;	     /* net-ping --count N */
	const char *ping_to; /* net-ping ADDR */
	uint64_t frames;     /* gpu-demo --frames N, 0: its default */
	const char *screenshot; /* gpu-demo --screenshot FILE */
	uint64_t hold_s;	/* gpu-demo --hold S: show the last frame */
	uint64_t soak;		/* faults --soak N: seeds, 0: the table */
	double soak_prob;	/* faults --soak-prob P */
	/* bench: the case lists, in the order given (n 0: the defaults),
	 * and the time per case (0: the default) or --requests. */
	uint32_t bench_qd[CLI_BENCH_MAX], bench_bs[CLI_BENCH_MAX];
	uint32_t bench_rw[CLI_BENCH_MAX], bench_buf[CLI_BENCH_MAX];
	unsigned bench_nqd, bench_nbs, bench_nrw, bench_nbuf;
	double bench_time_s;
};

/*
 * Parse argv. Returns 0, or -1 with a one-line message in @err
 * (without the program name or a newline).
 */
int cli_parse_options(int argc, char **argv, struct cli_options *o, char *err,
		      size_t errlen);
void cli_free_options(struct cli_options *o);
void cli_usage(FILE *out);
/* "randread", "host": the names --rw and --buf take. */
const char *cli_bench_rw_name(uint32_t rw);
const char *cli_bench_buf_name(uint32_t buf);
/* The workloads, one per line (and their help), as --help lists them. */
void cli_usage_workloads(FILE *out);

#endif /* VIRTSIM_TOOLS_CLI_OPTIONS_H */
