/*
 * options.c - the virtsim command line. Every mistake gets one message
 * that names the option and the value; nothing here exits.
 */
#include "tools/options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/machine.h"
#include "sim/trace.h"

#define MEM_MIN (1ull << 20)
#define MEM_MAX (64ull << 30)

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int virtsim_parse_size(const char *s, uint64_t *bytes)
{
	unsigned shift = 0;
	uint64_t v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	}
	if (*end == 'i' && shift)
		end++;
	if ((*end == 'B' || *end == 'b') && shift)
		end++;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*bytes = v << shift;
	return 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

/* FILE[,OPT...] (see the usage text): split in place in an owned copy. */
static int parse_blk(struct virtsim_options *o, const char *arg, char *err,
		     size_t errlen)
{
	struct disk_option *d;
	char *copy, *opt, *save = NULL;

	if (o->disk_count == VIRTSIM_MAX_DISKS)
		return fail(err, errlen, "--blk: at most %d disks",
			    VIRTSIM_MAX_DISKS);
	copy = strdup(arg);
	if (!copy)
		return fail(err, errlen, "out of memory");
	o->owned[o->disk_count] = copy;
	d = &o->disks[o->disk_count++];
	*d = (struct disk_option){.mmio_version = 2};
	d->path = strtok_r(copy, ",", &save);
	if (!d->path || !*d->path || *arg == ',')
		return fail(err, errlen, "--blk '%s': missing file name", arg);
	while ((opt = strtok_r(NULL, ",", &save))) {
		if (!strcmp(opt, "ro")) {
			d->ro = true;
		} else if (!strcmp(opt, "version=1")) {
			d->mmio_version = 1;
		} else if (!strcmp(opt, "version=2")) {
			d->mmio_version = 2;
		} else if (!strncmp(opt, "serial=", 7)) {
			d->serial = opt + 7;
		} else if (!strcmp(opt, "transport=mmio")) {
			d->pci = false;
		} else if (!strcmp(opt, "transport=pci")) {
			d->pci = true;
		} else {
			return fail(err, errlen,
				    "--blk '%s': unknown option '%s' (ro, "
				    "version=1|2, serial=ID, transport=mmio|pci)",
				    arg, opt);
		}
	}
	if (d->pci && d->mmio_version != 2)
		return fail(err, errlen, "--blk '%s': version= is for MMIO; "
			    "PCI functions are modern virtio-pci", arg);
	return 0;
}

static const struct {
	const char *name;
	enum workload workload;
	int nargs;
} workloads[] = {
	{"selftest", WORKLOAD_SELFTEST, 0},
	{"probe", WORKLOAD_PROBE, 0},
	{"blk-read", WORKLOAD_BLK_READ, 2},
	{"blk-write", WORKLOAD_BLK_WRITE, 2},
};

static int parse_workload(struct virtsim_options *o, int argc, char **argv,
			  char *err, size_t errlen)
{
	unsigned i;

	if (argc == 0)
		return 0; /* selftest */
	for (i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
		if (!strcmp(argv[0], workloads[i].name))
			break;
	if (i == sizeof(workloads) / sizeof(workloads[0]))
		return fail(err, errlen,
			    "unknown workload '%s' (selftest, probe, blk-read, "
			    "blk-write)", argv[0]);
	o->workload = workloads[i].workload;
	if (argc - 1 != workloads[i].nargs)
		return fail(err, errlen, "%s takes %d argument%s, not %d",
			    argv[0], workloads[i].nargs,
			    workloads[i].nargs == 1 ? "" : "s", argc - 1);
	switch (o->workload) {
	case WORKLOAD_BLK_READ:
		if (parse_u64(argv[1], &o->lba))
			return fail(err, errlen, "blk-read: bad LBA '%s'",
				    argv[1]);
		if (parse_u64(argv[2], &o->count) || o->count == 0)
			return fail(err, errlen,
				    "blk-read: bad sector COUNT '%s'", argv[2]);
		break;
	case WORKLOAD_BLK_WRITE:
		if (parse_u64(argv[1], &o->lba))
			return fail(err, errlen, "blk-write: bad LBA '%s'",
				    argv[1]);
		o->input = argv[2];
		break;
	default:
		break;
	}
	return 0;
}

enum {
	OPT_MEM = 256,
	OPT_BLK,
	OPT_TRACE,
	OPT_TRACE_FILE,
	OPT_SEED,
	OPT_DISK,
	OPT_POLL,
	OPT_MODE,
};

static const struct option long_options[] = {
    {"mem", required_argument, NULL, OPT_MEM},
    {"blk", required_argument, NULL, OPT_BLK},
    {"trace", required_argument, NULL, OPT_TRACE},
    {"trace-file", required_argument, NULL, OPT_TRACE_FILE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"disk", required_argument, NULL, OPT_DISK},
    {"poll", no_argument, NULL, OPT_POLL},
    {"mode", required_argument, NULL, OPT_MODE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

int virtsim_parse_options(int argc, char **argv, struct virtsim_options *o,
			  char *err, size_t errlen)
{
	const char *bad;
	uint64_t v;
	bool disk_given = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->mem_size = MACHINE_DEFAULT_MEM;
	o->seed = 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hV", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_MEM:
			if (virtsim_parse_size(optarg, &o->mem_size) ||
			    o->mem_size < MEM_MIN || o->mem_size > MEM_MAX ||
			    o->mem_size % 4096)
				return fail(err, errlen,
					    "--mem '%s': want a multiple of 4K "
					    "from 1M to 64G, e.g. 128M", optarg);
			break;
		case OPT_BLK:
			if (parse_blk(o, optarg, err, errlen))
				return -1;
			break;
		case OPT_TRACE:
			if (trace_parse(optarg, &o->trace_mask, &bad))
				return fail(err, errlen,
					    "--trace: unknown category '%s' "
					    "(see --help)", bad);
			break;
		case OPT_TRACE_FILE:
			o->trace_file = optarg;
			break;
		case OPT_SEED:
			if (parse_u64(optarg, &o->seed))
				return fail(err, errlen, "--seed '%s': not a "
					    "number", optarg);
			break;
		case OPT_DISK:
			if (parse_u64(optarg, &v) || v >= VIRTSIM_MAX_DISKS)
				return fail(err, errlen, "--disk '%s': not a "
					    "disk number", optarg);
			o->disk = (unsigned)v;
			disk_given = true;
			break;
		case OPT_POLL:
			o->poll = true;
			break;
		case OPT_MODE:
			if (sim_mode_parse(optarg, &o->mode))
				return fail(err, errlen,
					    "--mode '%s': want "
					    "sync or deferred",
					    optarg);
			break;
		case 'h':
			o->help = true;
			break;
		case 'V':
			o->version = true;
			break;
		default:
			if (optopt && optopt < 256)
				return fail(err, errlen, "unknown option '-%c'",
					    optopt);
			if (optopt && strchr(argv[optind - 1], '='))
				return fail(err, errlen, "%s: the option takes "
					    "no value", argv[optind - 1]);
			if (optopt)
				return fail(err, errlen, "%s needs a value",
					    argv[optind - 1]);
			return fail(err, errlen, "unknown option '%s'",
				    argv[optind - 1]);
		}
	}
	if (o->help || o->version)
		return 0;
	if (parse_workload(o, argc - optind, argv + optind, err, errlen))
		return -1;
	if (disk_given && o->workload != WORKLOAD_BLK_READ &&
	    o->workload != WORKLOAD_BLK_WRITE)
		return fail(err, errlen, "--disk goes with blk-read and "
			    "blk-write");
	if ((o->workload == WORKLOAD_BLK_READ ||
	     o->workload == WORKLOAD_BLK_WRITE) && o->disk >= o->disk_count)
		return fail(err, errlen, "--disk %u: the machine has %u disk%s "
			    "(give them with --blk FILE)", o->disk,
			    o->disk_count, o->disk_count == 1 ? "" : "s");
	return 0;
}

void virtsim_free_options(struct virtsim_options *o)
{
	for (unsigned i = 0; i < VIRTSIM_MAX_DISKS; i++)
		free(o->owned[i]);
	memset(o->owned, 0, sizeof(o->owned));
}

void virtsim_usage(FILE *out)
{
	fprintf(out,
"Usage: virtsim [OPTIONS] [WORKLOAD [ARGS]]\n"
"\n"
"Runs a VirtIO driver stack against simulated VirtIO devices in one process.\n"
"\n"
"Workloads:\n"
"  selftest               (default) probe the MMIO slots and the PCI bus, write\n"
"                         a pattern to scratch disks (MMIO v2, MMIO v1, PCI),\n"
"                         read it back, verify, flush, time it; disks given\n"
"                         with --blk are read and checked only\n"
"  probe                  print the device tables and exit\n"
"  blk-read LBA COUNT     read COUNT 512-byte sectors at LBA to stdout\n"
"  blk-write LBA FILE     write FILE (a multiple of 512 bytes) at LBA, flush\n"
"\n"
"Options:\n"
"  --mem SIZE             guest RAM (default 128M; K, M, G suffixes)\n"
"  --blk FILE[,OPT...]    add a virtio-blk disk on FILE; repeatable. OPT:\n"
"                         transport=mmio (default: the next MMIO slot) or\n"
"                         transport=pci (the next device on PCI bus 0),\n"
"                         ro, version=1 (legacy MMIO) or version=2 (default),\n"
"                         serial=ID (the GET_ID string)\n"
"  --disk N               the disk blk-read/blk-write use (default 0)\n"
"  --poll                 drivers poll the used ring instead of taking\n"
"                         interrupts\n"
"  --trace LIST           trace events to stderr: a comma list of\n");
	trace_print_categories(out);
	fprintf(out,
"                         or 'all'\n"
"  --trace-file FILE      write the trace to FILE instead of stderr\n"
"  --seed N               seed of the selftest data pattern (default 1)\n"
"  -h, --help             this text\n"
"  -V, --version          print the version\n"
"\n"
"Exit status: 0 success, 1 a device or driver operation failed, 2 bad usage\n"
"or input.\n");
}
