/*
 * options.h - the virtsim command line, parsed into plain values. Parsing
 * never exits: it fills an error message for the caller to print once.
 */
#ifndef VIRTSIM_TOOLS_OPTIONS_H
#define VIRTSIM_TOOLS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/env.h"

#define VIRTSIM_MAX_DISKS 16

struct disk_option {
	const char *path;
	bool ro;
	bool pci;           /* transport=pci; else MMIO */
	int mmio_version;   /* 1 or 2 */
	const char *serial; /* NULL: derived from the disk number */
};

enum workload {
	WORKLOAD_SELFTEST,
	WORKLOAD_PROBE,
	WORKLOAD_BLK_READ,
	WORKLOAD_BLK_WRITE,
};

struct virtsim_options {
	uint64_t mem_size;
	struct disk_option disks[VIRTSIM_MAX_DISKS];
	unsigned disk_count;
	unsigned trace_mask;
	const char *trace_file;
	uint64_t seed;
	enum sim_mode mode;
	bool poll;         /* --poll: drivers poll instead of taking IRQs */
	bool help, version;
	enum workload workload;
	/* Workload arguments. */
	uint64_t lba;
	uint64_t count;    /* blk-read: sectors */
	const char *input; /* blk-write: host file */
	unsigned disk;     /* --disk N */
	/* Storage for the --blk strings that parsing splits in place. */
	char *owned[VIRTSIM_MAX_DISKS];
};

/*
 * Parse argv. Returns 0, or -1 with a one-line message in @err
 * (without the program name or a newline).
 */
int virtsim_parse_options(int argc, char **argv, struct virtsim_options *o,
			  char *err, size_t errlen);
void virtsim_free_options(struct virtsim_options *o);
/* "128M" / "4096" / "1G" -> bytes; -1 if not a size. */
int virtsim_parse_size(const char *s, uint64_t *bytes);
void virtsim_usage(FILE *out);

#endif /* VIRTSIM_TOOLS_OPTIONS_H */
