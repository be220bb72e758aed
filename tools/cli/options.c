/* SPDX-License-Identifier: MIT */
/*
 * options.c - the virtsim command line. Every mistake gets one message
 * that names the option and the value; nothing here exits. Each device
 * class brings its option (--blk, ...) and its sub-options.
 */
#include "tools/cli/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "sim/machine.h"
#include "sim/trace.h"
#include "tools/cli/workload.h"
#include "tools/vm/device_options.h"

#define MEM_MIN (1ull << 20)
#define MEM_MAX (64ull << 30)
#define MAX_CLASSES 16

enum {
	OPT_MEM = 256,
	OPT_TRACE,
	OPT_TRACE_FILE,
	OPT_SEED,
	OPT_MODE,
	OPT_DISK,
	OPT_NIC,
	OPT_COUNT,
	OPT_OUT,
	OPT_REQUESTS,
	OPT_POLL,
	OPT_DMA,
	OPT_FAULT,
	OPT_JSON,
	OPT_WORKLOADS,
	OPT_FAULT_PLAN,
	OPT_FRAMES,
	OPT_SCREENSHOT,
	OPT_HOLD,
	OPT_STRICT,
	OPT_SOAK,
	OPT_SOAK_PROB,
	OPT_QD,
	OPT_BS,
	OPT_RW,
	OPT_BUF,
	OPT_TIME,
	OPT_CLASS, /* OPT_CLASS + n: --<device_classes[n]->name> */
};

static const struct option fixed_options[] = {
    {"mem", required_argument, NULL, OPT_MEM},
    {"trace", required_argument, NULL, OPT_TRACE},
    {"trace-file", required_argument, NULL, OPT_TRACE_FILE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"mode", required_argument, NULL, OPT_MODE},
    {"disk", required_argument, NULL, OPT_DISK},
    {"nic", required_argument, NULL, OPT_NIC},
    {"count", required_argument, NULL, OPT_COUNT},
    {"out", required_argument, NULL, OPT_OUT},
    {"requests", required_argument, NULL, OPT_REQUESTS},
    {"poll", no_argument, NULL, OPT_POLL},
    {"dma", required_argument, NULL, OPT_DMA},
    {"fault", required_argument, NULL, OPT_FAULT},
    {"json", no_argument, NULL, OPT_JSON},
    {"workloads", no_argument, NULL, OPT_WORKLOADS},
    {"fault-plan", required_argument, NULL, OPT_FAULT_PLAN},
    {"frames", required_argument, NULL, OPT_FRAMES},
    {"screenshot", required_argument, NULL, OPT_SCREENSHOT},
    {"hold", required_argument, NULL, OPT_HOLD},
    {"strict", optional_argument, NULL, OPT_STRICT},
    {"soak", required_argument, NULL, OPT_SOAK},
    {"soak-prob", required_argument, NULL, OPT_SOAK_PROB},
    {"qd", required_argument, NULL, OPT_QD},
    {"bs", required_argument, NULL, OPT_BS},
    {"rw", required_argument, NULL, OPT_RW},
    {"buf", required_argument, NULL, OPT_BUF},
    {"time", required_argument, NULL, OPT_TIME},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
};

#define NFIXED (sizeof(fixed_options) / sizeof(fixed_options[0]))

/* The fixed options, then one per device class, then the terminator. */
static void build_options(struct option *all)
{
	unsigned n = 0;

	memcpy(all, fixed_options, sizeof(fixed_options));
	for (; device_classes[n] && n < MAX_CLASSES; n++)
		all[NFIXED + n] =
		    (struct option){device_classes[n]->name, required_argument,
				    NULL, OPT_CLASS + (int)n};
	all[NFIXED + n] = (struct option){0};
}

static int add_device(struct cli_options *o, const struct device_class *cls,
		      const char *arg, char *err, size_t errlen)
{
	unsigned n = o->device_count;
	int ret;

	if (n == VM_MAX_DEVICES)
		return vm_option_error(err, errlen, "--%s: at most %d devices", cls->name,
			    VM_MAX_DEVICES);
	o->device_count++; /* its storage is freed even if parsing fails */
	ret = vm_parse_device(cls, arg, &o->devices[n], &o->device_storage[n],
			      err, errlen);
	if (ret == VM_DEVICE_HELP) {
		o->device_help = cls;
		o->device_count--;
		ret = 0;
	}
	return ret;
}

/* A workload option's count: decimal, above 0. */
static int parse_positive(const char *opt, const char *arg, uint64_t *v,
			  char *err, size_t errlen)
{
	if (vm_parse_u64(arg, v) || !*v)
		return vm_option_error(err, errlen,
				       "%s '%s': want a number above 0", opt,
				       arg);
	return 0;
}

static const char *const bench_rw_names[] = {
    [CLI_BENCH_READ] = "read",
    [CLI_BENCH_WRITE] = "write",
    [CLI_BENCH_RANDREAD] = "randread",
    [CLI_BENCH_RANDWRITE] = "randwrite",
};
static const char *const bench_buf_names[] = {
    [CLI_BENCH_DMA] = "dma",
    [CLI_BENCH_HOST] = "host",
};

static int name_index(const char *const *names, unsigned n, const char *s,
		      uint32_t *v)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(names[i], s)) {
			*v = i;
			return 0;
		}
	return -1;
}

static int bench_item(int opt, const char *s, uint32_t *v)
{
	uint64_t u;

	switch (opt) {
	case OPT_QD:
		if (vm_parse_u64(s, &u) || !u || u > 1024)
			return -1;
		*v = (uint32_t)u;
		return 0;
	case OPT_BS:
		if (vm_parse_size(s, &u) || !u || u % 512 || u > (1u << 20))
			return -1;
		*v = (uint32_t)u;
		return 0;
	case OPT_RW:
		return name_index(bench_rw_names, 4, s, v);
	default:
		return name_index(bench_buf_names, 2, s, v);
	}
}

/* A bench list: CLI_BENCH_MAX comma-separated items at most, none empty. */
static int parse_bench_list(int opt, const char *arg, uint32_t *out,
			    unsigned *n, char *err, size_t errlen)
{
	static const char *const want[] = {
	    "--qd '%s': want a comma list of queue depths from 1 to 1024, "
	    "e.g. 1,8,32",
	    "--bs '%s': want a comma list of sizes, multiples of 512 up to "
	    "1M, e.g. 512,4k,64k",
	    "--rw '%s': want read, write, randread or randwrite (or a comma "
	    "list of them)",
	    "--buf '%s': want dma or host (or dma,host)",
	};
	const char *p = arg;
	char item[32];

	*n = 0;
	for (;;) {
		size_t len = strcspn(p, ",");

		if (!len || len >= sizeof(item) || *n == CLI_BENCH_MAX)
			goto bad;
		memcpy(item, p, len);
		item[len] = '\0';
		if (bench_item(opt, item, &out[*n]))
			goto bad;
		++*n;
		if (!p[len])
			return 0;
		p += len + 1;
	}
bad:
	if (*n == CLI_BENCH_MAX)
		return vm_option_error(err, errlen,
				       "--%s '%s': at most %d values",
				       opt == OPT_QD   ? "qd"
				       : opt == OPT_BS ? "bs"
				       : opt == OPT_RW ? "rw"
						       : "buf",
				       arg, CLI_BENCH_MAX);
	return vm_option_error(err, errlen, want[opt - OPT_QD], arg);
}

const char *cli_bench_rw_name(uint32_t rw)
{
	return rw < 4 ? bench_rw_names[rw] : "?";
}

const char *cli_bench_buf_name(uint32_t buf)
{
	return buf < 2 ? bench_buf_names[buf] : "?";
}

static int add_fault(struct cli_options *o, const char *spec, char *err,
		     size_t errlen)
{
	if (o->fault_count == FAULT_MAX_ARMS)
		return vm_option_error(err, errlen, "at most %u faults",
				       FAULT_MAX_ARMS);
	if (fault_arm_parse(spec, &o->faults[o->fault_count], err, errlen))
		return -1;
	o->fault_count++;
	return 0;
}

/*
 * --fault-plan FILE: one --fault argument per line; blank lines and
 * what follows a '#' are nothing.
 */
static int read_fault_plan(struct cli_options *o, const char *path,
			   char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[512], why[256];
	unsigned n = 0;

	if (!f)
		return vm_option_error(err, errlen, "--fault-plan %s: %s", path,
				       strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		n++;
		line[strcspn(line, "#\n")] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
				   end[-1] == '\r'))
			*--end = '\0';
		if (!*p)
			continue;
		if (add_fault(o, p, why, sizeof(why))) {
			fclose(f);
			return vm_option_error(err, errlen, "%s:%u: %s", path,
					       n, why);
		}
	}
	fclose(f);
	return 0;
}

static int parse_workload(struct cli_options *o, int argc, char **argv,
			  char *err, size_t errlen)
{
	const struct workload *const *w = workloads;
	char names[256] = "";

	o->workload = workloads[0];
	if (argc == 0)
		return 0;
	for (; *w && strcmp(argv[0], (*w)->name); w++)
		;
	if (!*w) {
		for (w = workloads; *w; w++)
			snprintf(names + strlen(names),
				 sizeof(names) - strlen(names), "%s%s",
				 w == workloads ? "" : ", ", (*w)->name);
		return vm_option_error(err, errlen, "unknown workload '%s' (%s)", argv[0],
			    names);
	}
	o->workload = *w;
	if ((*w)->optional_args ? (unsigned)argc - 1 > (*w)->nargs
				: (unsigned)argc - 1 != (*w)->nargs)
		return vm_option_error(
		    err, errlen, "%s takes %s%u argument%s, not %d", argv[0],
		    (*w)->optional_args ? "at most " : "", (*w)->nargs,
		    (*w)->nargs == 1 ? "" : "s", argc - 1);
	return (*w)->parse ? (*w)->parse(o, argv + 1, err, errlen) : 0;
}

static const struct {
	unsigned bit;
	const char *name;
} workload_options[] = {
    {CLI_OPT_DISK, "--disk"},
    {CLI_OPT_NIC, "--nic"},
    {CLI_OPT_COUNT, "--count"},
    {CLI_OPT_OUT, "--out"},
    {CLI_OPT_REQUESTS, "--requests"},
    {CLI_OPT_FRAMES, "--frames"},
    {CLI_OPT_SCREENSHOT, "--screenshot"},
    {CLI_OPT_HOLD, "--hold"},
    {CLI_OPT_SOAK, "--soak"},
    {CLI_OPT_SOAK_PROB, "--soak-prob"},
    {CLI_OPT_QD, "--qd"},
    {CLI_OPT_BS, "--bs"},
    {CLI_OPT_RW, "--rw"},
    {CLI_OPT_BUF, "--buf"},
    {CLI_OPT_TIME, "--time"},
};

/* Options for other workloads are refused, naming those they go with. */
static int check_workload_options(struct cli_options *o, char *err,
				  size_t errlen)
{
	for (unsigned i = 0;
	     i < sizeof(workload_options) / sizeof(workload_options[0]); i++) {
		char names[128] = "";

		if (!(o->given & workload_options[i].bit) ||
		    (o->workload->takes & workload_options[i].bit))
			continue;
		for (const struct workload *const *w = workloads; *w; w++)
			if ((*w)->takes & workload_options[i].bit)
				snprintf(names + strlen(names),
					 sizeof(names) - strlen(names),
					 "%s%s", names[0] ? ", " : "",
					 (*w)->name);
		return vm_option_error(err, errlen, "%s goes with %s",
				       workload_options[i].name,
				       names[0] ? names : "no workload");
	}
	return 0;
}

/* The unit a device workload runs on must exist. */
static int check_unit(struct cli_options *o, char *err, size_t errlen)
{
	const struct device_class *cls = o->workload->cls;
	const char *what = o->workload->takes & CLI_OPT_NIC ? "nic" : "disk";
	unsigned have = 0;

	if (!cls)
		return 0;
	for (unsigned i = 0; i < o->device_count; i++)
		have += o->devices[i].cls == cls;
	if (!(o->workload->takes & (CLI_OPT_DISK | CLI_OPT_NIC)) && !have)
		return vm_option_error(
		    err, errlen, "%s needs a %s: give one with --%s",
		    o->workload->name, cls->title, cls->name);
	if (o->unit >= have)
		return vm_option_error(
		    err, errlen,
		    "--%s %u: the machine has %u %s%s (give them with --%s)",
		    what, o->unit, have, what, have == 1 ? "" : "s",
		    cls->name);
	return 0;
}

/* How many of @all's names start with the --name in @arg. */
static unsigned option_matches(const struct option *all, const char *arg)
{
	size_t n = strcspn(arg + 2, "=");
	unsigned count = 0;

	for (; all->name; all++)
		count += !strncmp(all->name, arg + 2, n);
	return count;
}

/*
 * getopt_long's complaint about the argument it stopped at, in one line:
 * argv[@at] if it stopped inside it (a one-dash word), else the one
 * before optind.
 */
static int bad_option(const struct option *all, char **argv, int at, char *err,
		      size_t errlen)
{
	const char *arg = argv[optind == at ? optind : optind - 1];
	bool is_long = !strncmp(arg, "--", 2);
	char dashed[128];

	if (!is_long && arg[0] == '-' && arg[1] >= '0' && arg[1] <= '9')
		return vm_option_error(err, errlen,
				       "'%s' is not an option (numbers are "
				       "decimal, from 0: no negative numbers)",
				       arg);
	/* -blk for --blk: one dash too few. */
	snprintf(dashed, sizeof(dashed), "-%s", arg);
	if (!is_long && arg[0] == '-' && strlen(arg) > 2 &&
	    option_matches(all, dashed) >= 1) {
		size_t n = strcspn(dashed + 2, "=");
		const struct option *o = all;

		/* An exact name, else the one a unique prefix names. */
		for (; o->name; o++)
			if (strlen(o->name) == n &&
			    !strncmp(o->name, dashed + 2, n))
				break;
		if (o->name || option_matches(all, dashed) == 1)
			return vm_option_error(err, errlen,
					       "'%s': did you mean '%s'?", arg,
					       dashed);
	}
	/* optopt: the option that was found but misused, else 0. */
	if (!is_long && optopt)
		return vm_option_error(err, errlen, "unknown option '-%c'",
				       optopt);
	if (optopt && strchr(arg, '='))
		return vm_option_error(err, errlen,
				       "%s: the option takes no value", arg);
	if (optopt)
		return vm_option_error(err, errlen, "%s needs a value", arg);
	if (is_long && option_matches(all, arg) > 1)
		return vm_option_error(err, errlen,
				       "ambiguous option '%s': say which",
				       arg);
	return vm_option_error(err, errlen, "unknown option '%s'", arg);
}

int cli_parse_options(int argc, char **argv, struct cli_options *o, char *err,
		      size_t errlen)
{
	struct option all[NFIXED + MAX_CLASSES + 1];
	char why[256];
	const char *bad;
	uint64_t v;
	int c, at;

	memset(o, 0, sizeof(*o));
	o->mem_size = MACHINE_DEFAULT_MEM;
	o->seed = 1;
	o->soak_prob = 0.01;
	build_options(all);
	optind = 1;
	opterr = 0;
	while ((at = optind, c = getopt_long(argc, argv, "hV", all, NULL)) !=
	       -1) {
		switch (c) {
		case OPT_MEM:
			if (vm_parse_size(optarg, &o->mem_size) ||
			    o->mem_size < MEM_MIN || o->mem_size > MEM_MAX ||
			    o->mem_size % 4096)
				return vm_option_error(err, errlen,
					    "--mem '%s': want a multiple of 4K "
					    "from 1M to 64G, e.g. 128M",
					    optarg);
			break;
		case OPT_TRACE:
			if (!strcmp(optarg, "help")) {
				o->trace_help = true;
				break;
			}
			if (!*optarg)
				return vm_option_error(
				    err, errlen,
				    "--trace '': want a comma list of "
				    "categories, or 'all' (see --help)");
			if (trace_parse(optarg, &o->trace_mask, &bad))
				return vm_option_error(err, errlen,
					    "--trace: unknown category '%s' "
					    "(see --help)",
					    bad);
			break;
		case OPT_TRACE_FILE:
			o->trace_file = optarg;
			break;
		case OPT_SEED:
			if (vm_parse_u64(optarg, &o->seed))
				return vm_option_error(
				    err, errlen,
				    "--seed '%s': want a decimal number "
				    "(no 0x; 010 is 10)",
				    optarg);
			break;
		case OPT_MODE:
			if (sim_mode_parse(optarg, &o->mode))
				return vm_option_error(
				    err, errlen,
				    "--mode '%s': want sync, "
				    "deferred or thread",
				    optarg);
			break;
		case OPT_DISK:
		case OPT_NIC:
			if (vm_parse_u64(optarg, &v) || v >= VM_MAX_DEVICES)
				return vm_option_error(
				    err, errlen,
				    "%s '%s': want a decimal %s number below "
				    "%d (no 0x; 010 is 10)",
				    c == OPT_DISK ? "--disk" : "--nic", optarg,
				    c == OPT_DISK ? "disk" : "nic",
				    VM_MAX_DEVICES);
			o->unit = (unsigned)v;
			o->given |= c == OPT_DISK ? CLI_OPT_DISK : CLI_OPT_NIC;
			break;
		case OPT_COUNT:
			if (parse_positive("--count", optarg, &o->pings, err,
					   errlen))
				return -1;
			o->given |= CLI_OPT_COUNT;
			break;
		case OPT_OUT:
			o->out = optarg;
			o->given |= CLI_OPT_OUT;
			break;
		case OPT_REQUESTS:
			if (parse_positive("--requests", optarg, &o->requests,
					   err, errlen))
				return -1;
			o->given |= CLI_OPT_REQUESTS;
			break;
		case OPT_FRAMES:
			if (parse_positive("--frames", optarg, &o->frames, err,
					   errlen))
				return -1;
			o->given |= CLI_OPT_FRAMES;
			break;
		case OPT_SCREENSHOT:
			if (!*optarg)
				return vm_option_error(
				    err, errlen, "--screenshot needs a file");
			o->screenshot = optarg;
			o->given |= CLI_OPT_SCREENSHOT;
			break;
		case OPT_HOLD:
			if (vm_parse_u64(optarg, &o->hold_s) ||
			    o->hold_s > 3600)
				return vm_option_error(
				    err, errlen,
				    "--hold '%s': want seconds, 0 to 3600",
				    optarg);
			o->given |= CLI_OPT_HOLD;
			break;
		case OPT_SOAK:
			if (parse_positive("--soak", optarg, &o->soak, err,
					   errlen))
				return -1;
			o->given |= CLI_OPT_SOAK;
			break;
		case OPT_SOAK_PROB: {
			struct fault_arm arm;
			char spec[64];

			/* A probability as prob= takes it, one parser. */
			snprintf(spec, sizeof(spec), "hostile,prob=%s", optarg);
			if (strlen(optarg) > 32 ||
			    fault_arm_parse(spec, &arm, why, sizeof(why)))
				return vm_option_error(
				    err, errlen,
				    "--soak-prob '%s': want a probability in "
				    "(0, 1]",
				    optarg);
			o->soak_prob = arm.prob;
			o->given |= CLI_OPT_SOAK_PROB;
			break;
		}
		case OPT_QD:
			if (parse_bench_list(c, optarg, o->bench_qd,
					     &o->bench_nqd, err, errlen))
				return -1;
			o->given |= CLI_OPT_QD;
			break;
		case OPT_BS:
			if (parse_bench_list(c, optarg, o->bench_bs,
					     &o->bench_nbs, err, errlen))
				return -1;
			o->given |= CLI_OPT_BS;
			break;
		case OPT_RW:
			if (parse_bench_list(c, optarg, o->bench_rw,
					     &o->bench_nrw, err, errlen))
				return -1;
			o->given |= CLI_OPT_RW;
			break;
		case OPT_BUF:
			if (parse_bench_list(c, optarg, o->bench_buf,
					     &o->bench_nbuf, err, errlen))
				return -1;
			o->given |= CLI_OPT_BUF;
			break;
		case OPT_TIME: {
			char *end;

			errno = 0;
			o->bench_time_s = strtod(optarg, &end);
			if (errno || end == optarg || *end || *optarg < '0' ||
			    *optarg > '9' || !(o->bench_time_s > 0) ||
			    o->bench_time_s > 3600)
				return vm_option_error(
				    err, errlen,
				    "--time '%s': want seconds above 0, up to "
				    "3600, e.g. 1 or 0.25",
				    optarg);
			o->given |= CLI_OPT_TIME;
			break;
		}
		case OPT_POLL:
			o->poll = true;
			break;
		case OPT_DMA:
			if (sim_dma_parse(optarg, &o->dma))
				return vm_option_error(
				    err, errlen,
				    "--dma '%s': want bounce or map", optarg);
			break;
		case OPT_FAULT:
			if (!strcmp(optarg, "help")) {
				o->fault_help = true;
				break;
			}
			if (add_fault(o, optarg, why, sizeof(why)))
				return vm_option_error(err, errlen,
						       "--fault: %s", why);
			break;
		case OPT_STRICT:
			/* `--strict help` as `--fault help`; getopt only
			 * takes an optional value after '='. */
			if (!optarg && optind < argc &&
			    !strcmp(argv[optind], "help"))
				optarg = argv[optind++];
			if (optarg && !strcmp(optarg, "help"))
				o->strict_help = true;
			else if (!optarg || !strcmp(optarg, "on"))
				o->strict = true;
			else
				return vm_option_error(err, errlen,
						       "--strict=%s: want no "
						       "value, 'on' or 'help'",
						       optarg);
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_WORKLOADS:
			o->workloads_help = true;
			break;
		case OPT_FAULT_PLAN:
			if (read_fault_plan(o, optarg, err, errlen))
				return -1;
			break;
		case 'h':
			o->help = true;
			break;
		case 'V':
			o->version = true;
			break;
		default:
			if (c >= OPT_CLASS && c < OPT_CLASS + MAX_CLASSES) {
				if (add_device(o, device_classes[c - OPT_CLASS],
					       optarg, err, errlen))
					return -1;
				break;
			}
			return bad_option(all, argv, at, err, errlen);
		}
	}
	if (o->help || o->version || o->fault_help || o->trace_help ||
	    o->strict_help || o->device_help || o->workloads_help)
		return 0;
	if (parse_workload(o, argc - optind, argv + optind, err, errlen) ||
	    check_workload_options(o, err, errlen))
		return -1;
	if (o->json && o->workload->data_on_stdout &&
	    (!o->out || !strcmp(o->out, "-")))
		return vm_option_error(err, errlen,
				       "--json: %s writes its data to stdout; "
				       "give --out FILE",
				       o->workload->name);
	if ((o->given & CLI_OPT_SOAK_PROB) && !(o->given & CLI_OPT_SOAK))
		return vm_option_error(err, errlen,
				       "--soak-prob goes with --soak");
	if ((o->given & CLI_OPT_TIME) && (o->given & CLI_OPT_REQUESTS))
		return vm_option_error(err, errlen,
				       "--time and --requests: give one, not "
				       "both");
	if (o->mode == SIM_MODE_THREAD &&
	    (o->fault_count || o->workload->arms_faults ||
	     (o->given & CLI_OPT_SOAK)))
		return vm_option_error(err, errlen,
				       "--mode thread: no fault injection "
				       "(the injector is not thread-safe); "
				       "use sync or deferred");
	return check_unit(o, err, errlen);
}

void cli_free_options(struct cli_options *o)
{
	for (unsigned i = 0; i < o->device_count; i++)
		free(o->device_storage[i]);
	o->device_count = 0;
}

#define USAGE_INDENT 25

/*
 * "  HEAD  TEXT", TEXT wrapped at 80 columns under the indent; a HEAD
 * too long for its column, or none, gets the text on lines of its own.
 */
static void usage_item(FILE *out, const char *head, const char *text)
{
	const size_t width = 80 - USAGE_INDENT;
	const char *p = text;
	int col = 0;

	if (head) {
		col = fprintf(out, "  %-*s ", USAGE_INDENT - 3, head);
		if (col > USAGE_INDENT) {
			fputc('\n', out);
			col = 0;
		}
	}
	while (*p) {
		size_t n = strlen(p);

		if (n > width) {
			n = width;
			while (n && p[n] != ' ')
				n--;
			if (!n)
				n = width;
		}
		fprintf(out, "%*s%.*s\n", col ? 0 : USAGE_INDENT, "", (int)n, p);
		col = 0;
		p += n;
		while (*p == ' ')
			p++;
	}
}

void cli_usage_workloads(FILE *out)
{
	for (const struct workload *const *w = workloads; *w; w++) {
		char head[64];

		snprintf(head, sizeof(head), "%s%s%s", (*w)->name,
			 (*w)->args ? " " : "", (*w)->args ? (*w)->args : "");
		usage_item(out, head, (*w)->help);
	}
}

void cli_usage(FILE *out)
{
	fprintf(out, "Usage: virtsim [OPTIONS] [WORKLOAD [ARGS]]\n"
		     "\n"
		     "Runs a VirtIO driver stack against simulated VirtIO "
		     "devices in one process.\n"
		     "\n"
		     "Workloads:\n");
	cli_usage_workloads(out);
	fprintf(out, "\nDevices (repeatable; unit n of a class is its n-th "
		     "option):\n");
	for (const struct device_class *const *c = device_classes; *c; c++) {
		char head[64];

		snprintf(head, sizeof(head), "--%s ARG[,OPT...]", (*c)->name);
		if ((*c)->disabled) {
			fprintf(out,
				"  %-*s a %s device: left out of this build\n"
				"%*s(%s)\n",
				USAGE_INDENT - 3, head, (*c)->title,
				USAGE_INDENT, "", (*c)->disabled);
			continue;
		}
		fprintf(out, "  %-*s a %s device:\n", USAGE_INDENT - 3, head,
			(*c)->title);
		usage_item(out, NULL, (*c)->usage);
	}
	usage_item(out, NULL, "Every device also takes " VM_DEVICE_COMMON_USAGE
		   ".");
	fprintf(
	    out,
	    "\n"
	    "Options:\n"
	    "  --mem SIZE             guest RAM (default 128M; K, M, G "
	    "suffixes)\n"
	    "  --mode MODE            sync (default): device work runs "
	    "inside the notify,\n"
	    "                         in order; deferred: on a virtual "
	    "clock, completions\n"
	    "                         out of order and interrupts late, as "
	    "the seed says\n"
	    "                         thread: each device on a host thread "
	    "of its own (blk)\n"
	    "  --seed N               the run's one root seed: data "
	    "patterns, deferred\n"
	    "                         scheduling and faults draw separate "
	    "streams from it\n"
	    "                         (default 1)\n"
	    "  --disk N               the disk blk-read/blk-write use "
	    "(default 0)\n"
	    "  --nic N                the NIC net-* workloads use "
	    "(default 0)\n"
	    "  --count N              net-ping: echoes to send (default "
	    "4)\n"
	    "  --out FILE             net-fetch, blk-read: the data to "
	    "FILE, not stdout\n"
	    "                         (- is stdout)\n"
	    "  --requests N           net-serve: stop after N requests "
	    "(default: at\n"
	    "                         SIGINT or SIGTERM); bench: N "
	    "requests per case\n"
	    "                         and round, instead of --time\n"
	    "  --qd LIST              bench: requests in flight, a comma "
	    "list (default 1,32)\n"
	    "  --bs LIST              bench: request sizes (default "
	    "4k,64k)\n"
	    "  --rw LIST              bench: read, write, randread, "
	    "randwrite (default\n"
	    "                         randread); writes overwrite the "
	    "disk\n"
	    "  --buf LIST             bench: dma (a buffer in DMA memory) "
	    "or host (the\n"
	    "                         user's own malloc'd buffer, shared "
	    "as --dma says; the\n"
	    "                         default)\n"
	    "  --time S               bench: seconds per case (default 1; "
	    "0.25 is fine)\n"
	    "  --frames N             gpu-demo: stop after N frames "
	    "(default: when the\n"
	    "                         window closes, or 60 headless)\n"
	    "  --screenshot FILE      gpu-demo: the scanout to FILE as a "
	    "PNG at the end\n"
	    "  --hold S               gpu-demo: then keep showing the "
	    "last frame S seconds\n"
	    "  --json                 the device tables and the workload's "
	    "results as one\n"
	    "                         JSON document on stdout; the text "
	    "goes to stderr\n"
	    "  --soak N               faults: the hostile soak instead: "
	    "seeds 1..N, each a\n"
	    "                         child 'virtsim --seed S --fault "
	    "hostile,prob=P soak'\n"
	    "                         (--mode, --poll, --dma passed on), %d s "
	    "each at most;\n"
	    "                         every seed that crashed, hung, "
	    "leaked or took bad\n"
	    "                         data for good is listed with its "
	    "command line\n"
	    "  --soak-prob P          faults --soak: hostile's prob= "
	    "(default 0.01)\n"
	    "  --fault SPEC           arm a fault point (repeatable): "
	    "SPEC is\n"
	    "                         POINT[,count=N][,after=N][,prob=P]"
	    "[,dev=N];\n"
	    "                         '--fault help' lists the points\n"
	    "  --fault-plan FILE      arm what FILE lists, one SPEC per "
	    "line (# comments)\n"
	    "  --poll                 drivers poll the used ring instead "
	    "of taking\n"
	    "                         interrupts\n"
	    "  --dma MODE             how the HAL shares a buffer from "
	    "outside guest RAM:\n"
	    "                         bounce (default) copies it through "
	    "DMA pages, as a\n"
	    "                         swiotlb does; map maps it in place, "
	    "as an IOMMU does\n"
	    "  --strict               stop the run (exit status 3) when "
	    "the driver breaks a\n"
	    "                         driver MUST the devices can see; "
	    "'--strict help'\n"
	    "                         lists the checked requirement IDs\n"
	    "  --trace LIST           trace events to stderr ('--trace "
	    "help': the events):\n"
	    "                         a comma list of\n",
	    SOAK_SEED_LIMIT_S);
	trace_print_categories(out, USAGE_INDENT + 2);
	fprintf(out, "                         or 'all'\n"
		     "  --trace-file FILE      write the trace to FILE instead "
		     "of stderr\n"
		     "  -h, --help             this text\n"
		     "  --workloads            list the workloads\n"
		     "  -V, --version          print the version\n"
		     "\n"
		     "Every run ends with 'trace hash: HEX', a hash of its "
		     "scheduling events in\n"
		     "virtual time: the same seed and mode give the same "
		     "hash. With --net user\n"
		     "the host's sockets lie outside that: libslirp's clock "
		     "and timers are virtual,\n"
		     "but what the host sends, and when, is not; --net loop "
		     "stays deterministic.\n"
		     "\n"
		     "Numbers (LBA, COUNT, N) are decimal: 010 is 10, and 0x10 "
		     "is refused.\n"
		     "\n"
		     "Exit status: 0 success, 1 a device or driver operation "
		     "failed, 2 bad usage\n"
		     "or input, 3 --strict saw the driver break a driver "
		     "MUST.\n");
}
