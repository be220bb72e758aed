/* SPDX-License-Identifier: MIT */
/*
 * selftest.c - the default workload: every device's class runs its self
 * test on the machine, and the totals follow.
 */
#include <inttypes.h>
#include <stdio.h>

#include "tools/cli/progress.h"
#include "tools/cli/workload.h"
#include "tools/vm/guest.h"

struct selftest_progress {
	struct progress line;
	const struct vm_device *d;
};

/* "blk0: writing 37% (48 of 128 MiB)" while a long step runs. */
static void selftest_progress(void *arg, const char *what, uint64_t done,
			      uint64_t total)
{
	struct selftest_progress *sp = arg;

	if (done >= total) {
		progress_clear(&sp->line);
		return;
	}
	progress_show(&sp->line, "%s%u: %s %.0f%%", sp->d->cls->name,
		      sp->d->unit, what, 100.0 * (double)done / (double)total);
}

static int selftest_run(struct vm *vm, const struct cli_options *o,
			struct json *json)
{
	struct selftest_progress sp;
	struct vm_selftest st = {
	    .out = stdout, .progress = selftest_progress, .progress_arg = &sp};
	double t0 = guest_now_ms();
	unsigned tested = 0;

	progress_init(&sp.line);
	report_machine(vm, json);
	if (json)
		json_begin_array(json, "devices");
	for (unsigned i = 0; i < vm->device_count; i++) {
		struct vm_device *d = &vm->devices[i];
		uint64_t requests = st.requests, bytes = st.bytes;
		double t = guest_now_ms();
		int ret;

		if (!d->cls->selftest)
			continue;
		sp.d = d;
		ret = d->cls->selftest(vm, d, &st);
		progress_clear(&sp.line);
		if (json) {
			json_begin_object(json, NULL);
			json_stringf(json, "unit", "%s%u", d->cls->name,
				     d->unit);
			json_bool(json, "passed", ret == 0);
			json_uint(json, "requests", st.requests - requests);
			json_uint(json, "bytes", st.bytes - bytes);
			json_double(json, "ms", guest_now_ms() - t);
			json_end_object(json);
		}
		if (ret)
			return ret; /* main closes the document */
		tested++;
	}
	if (json) {
		json_end_array(json);
		json_uint(json, "requests", st.requests);
		json_uint(json, "bytes", st.bytes);
		json_double(json, "ms", guest_now_ms() - t0);
	}
	if (!tested) {
		const char *sep = " (";

		printf("selftest passed: no devices to test");
		if (json)
			json_begin_object(json, "left_out");
		for (const struct device_class *const *c = device_classes; *c;
		     c++) {
			if (!(*c)->disabled)
				continue;
			printf("%s%s: left out, %s", sep, (*c)->title,
			       (*c)->disabled);
			if (json)
				json_string(json, (*c)->title, (*c)->disabled);
			sep = "; ";
		}
		if (json)
			json_end_object(json);
		printf("%s\n", *sep == ';' ? ")" : "");
		return 0;
	}
	printf("selftest passed: %u device%s, %" PRIu64 " requests, %" PRIu64
	       " MiB moved in %.1f ms\n",
	       tested, tested == 1 ? "" : "s", st.requests, st.bytes >> 20,
	       guest_now_ms() - t0);
	return 0;
}

const struct workload selftest_workload = {
    .name = "selftest",
    .help = "(default) probe the machine and test every device: without "
	    "devices, scratch disks on MMIO v2, MMIO v1 and PCI are written, "
	    "verified and timed; given disks are only read and compared",
    .selftest_machine = true,
    .run = selftest_run,
};
