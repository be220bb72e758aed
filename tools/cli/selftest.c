/* SPDX-License-Identifier: MIT */
/*
 * selftest.c - the default workload: every device's class runs its self
 * test on the machine, and the totals follow.
 */
#include <inttypes.h>
#include <stdio.h>

#include "tools/cli/workload.h"
#include "tools/vm/guest.h"

static int selftest_run(struct vm *vm, const struct cli_options *o)
{
	struct vm_selftest st = {.out = stdout};
	double t0 = guest_now_ms();
	unsigned tested = 0;

	report_machine(vm);
	for (unsigned i = 0; i < vm->device_count; i++) {
		struct vm_device *d = &vm->devices[i];
		int ret;

		if (!d->cls->selftest)
			continue;
		ret = d->cls->selftest(vm, d, &st);
		if (ret)
			return ret;
		tested++;
	}
	if (!tested) {
		const char *sep = " (";

		printf("selftest passed: no devices to test");
		for (const struct device_class *const *c = device_classes; *c;
		     c++) {
			if (!(*c)->disabled)
				continue;
			printf("%s%s: left out, %s", sep, (*c)->title,
			       (*c)->disabled);
			sep = "; ";
		}
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
