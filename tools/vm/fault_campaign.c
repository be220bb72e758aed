/* SPDX-License-Identifier: MIT */
/*
 * fault_campaign.c - one machine per case: arm, meet, recover, count.
 */
#include "tools/vm/fault_campaign.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/adapter/adapter.h"
#include "drivers/virtio/virtio.h"
#include "sim/fault.h"

const char *fault_result_transport(const struct fault_result *r)
{
	if (r->transport == VM_TRANSPORT_PCI)
		return "PCI";
	return r->mmio_version == 1 ? "MMIO v1" : "MMIO v2";
}

/*
 * The class's one device on @r's transport, with @c's fault armed for
 * it; the operation; then recovery and the HAL's books. Fills @r.
 */
static void run_case(struct vm *vm, struct fault_result *r, uint64_t seed)
{
	const struct device_class *cls = r->cls;
	const struct fault_case *c = r->c;
	struct vm_device_config dev = cls->fault_device
					  ? *cls->fault_device
					  : cls->selftest_devices[0];
	bool at_init = !strcmp(r->op, "init");
	struct fault_arm arm;
	struct vm_config cfg = {
	    .seed = seed, .devices = &dev, .device_count = 1};
	struct vm_device *d;
	char err[256];
	int ret;

	dev.transport = r->transport;
	dev.mmio_version =
	    r->transport == VM_TRANSPORT_PCI ? 0 : r->mmio_version;
	if (fault_arm_parse(c->plan, &arm, err, sizeof(err))) {
		snprintf(r->why, sizeof(r->why), "plan '%s': %s", c->plan, err);
		return;
	}
	/* A fault for the bring-up is armed with the machine; one for an
	 * operation once the driver is up, so it meets that operation. */
	if (at_init) {
		cfg.faults = &arm;
		cfg.fault_count = 1;
	}
	if (vm_create(vm, &cfg, err, sizeof(err))) {
		snprintf(r->why, sizeof(r->why), "machine: %s", err);
		return;
	}
	d = &vm->devices[0];
	ret = vm_probe(vm, err, sizeof(err));
	if (at_init)
		r->observed = ret ? d->virtio_error : 0;
	else if (ret)
		snprintf(r->why, sizeof(r->why), "bring-up: %s", err);
	else if (fault_add(&vm->machine.faults, &arm) == 0)
		r->observed = cls->fault_op(vm, d, r->op);
	r->dev_err = r->observed ? as_dev_err(r->observed) : 0;
	r->fired = vm->machine.faults.fires[arm.point] > 0;
	r->row_ok = r->fired && r->observed == c->expect;
	if (!r->why[0] && !r->row_ok)
		snprintf(r->why, sizeof(r->why), "%s, want %s",
			 r->fired ? virtio_error_name(r->observed)
				  : "the fault never fired",
			 virtio_error_name(c->expect));

	/* Recovery: reset (teardown), probe again, the next operation. */
	if (d->driver)
		cls->teardown(d);
	ret = vm_probe(vm, err, sizeof(err));
	if (c->permanent) {
		r->recovered = ret && d->virtio_error == r->observed;
		if (!r->recovered && !r->why[0])
			snprintf(r->why, sizeof(r->why),
				 "probed again: %s, not the same error",
				 ret ? virtio_error_name(d->virtio_error)
				     : "up");
	} else if (ret && !r->why[0])
		snprintf(r->why, sizeof(r->why), "probe again: %s", err);
	else if (!ret && (ret = cls->fault_op(vm, d, "io")) && !r->why[0])
		snprintf(r->why, sizeof(r->why), "after recovery: %s",
			 virtio_error_name(ret));
	if (!c->permanent)
		r->recovered = !ret;
	r->clean = vm_destroy(vm, false) == 0;
	if (!r->clean && !r->why[0])
		snprintf(r->why, sizeof(r->why),
			 "DMA pages or shares left behind");
}

int fault_campaign_default_row(unsigned n)
{
	static const int extremes[] = {INT_MIN, INT_MAX, INT_MIN + 1};

	for (unsigned i = 0; i < sizeof(extremes) / sizeof(extremes[0]); i++)
		if (as_dev_err(extremes[i]) != DEV_ERR_BAD_STATE)
			return extremes[i];
	for (int v = VIRTIO_ERR_CONFIG_SPACE_MISSING + 1;
	     v <= VIRTIO_ERR_CONFIG_SPACE_MISSING + (int)n; v++) {
		if (as_dev_err(v) != DEV_ERR_BAD_STATE)
			return v;
		if (as_dev_err(-v) != DEV_ERR_BAD_STATE)
			return -v;
	}
	return 0;
}

#define MODERN (FAULT_ON_MMIO2 | FAULT_ON_PCI)

/* Rows every class has, met at bring-up or by the class's main operation. */
static const struct fault_case common_cases[] = {
    FAULT_CASE(VIRTIO_ERR_WRONG_TOKEN, "used-wrong-id,count=1", NULL,
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_ALREADY_USED, "queue-in-use,count=1", "init",
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_DMA_ERROR, "hal-dma-alloc,count=1", "init",
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_IO_ERROR, "needs-reset,count=1", NULL, FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_IO_ERROR, "used-idx-jump,count=1", NULL,
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_UNSUPPORTED, "features-ok-dropped,count=1", "init",
	       MODERN),
    FAULT_CASE_PERMANENT(VIRTIO_ERR_CONFIG_SPACE_TOO_SMALL, "config-short",
			 "init", FAULT_ON_PCI),
    FAULT_CASE_PERMANENT(VIRTIO_ERR_CONFIG_SPACE_MISSING, "no-device-cfg",
			 "init", FAULT_ON_PCI),
    FAULT_CASES_END,
};

/* Run @c of @cls on every transport it applies to; the failures. */
static unsigned run_on_transports(struct vm *vm, const struct device_class *cls,
				  const struct fault_case *c, uint64_t seed,
				  void (*report)(const struct fault_result *r,
						 void *arg),
				  void *arg)
{
	static const struct {
		unsigned on;
		enum vm_transport transport;
		int version;
	} transports[] = {
	    {FAULT_ON_MMIO1, VM_TRANSPORT_MMIO, 1},
	    {FAULT_ON_MMIO2, VM_TRANSPORT_MMIO, 2},
	    {FAULT_ON_PCI, VM_TRANSPORT_PCI, 0},
	};
	unsigned failed = 0;

	for (unsigned t = 0; t < sizeof(transports) / sizeof(transports[0]);
	     t++) {
		struct fault_result r = {
		    .cls = cls,
		    .c = c,
		    .op = c->op ? c->op : cls->fault_main_op,
		    .transport = transports[t].transport,
		    .mmio_version = transports[t].version};

		if (!(c->transports & transports[t].on))
			continue;
		run_case(vm, &r, seed);
		failed += !fault_result_pass(&r);
		report(&r, arg);
	}
	return failed;
}

unsigned fault_campaign_run(const struct device_class *only, uint64_t seed,
			    void (*report)(const struct fault_result *r,
					   void *arg),
			    void *arg)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	unsigned failed = 0;

	if (!vm)
		return 1;
	for (const struct device_class *const *cls = device_classes; *cls;
	     cls++) {
		if ((*cls)->disabled || !(*cls)->fault_op ||
		    (only && *cls != only))
			continue;
		for (const struct fault_case *c = common_cases; c->plan; c++)
			failed += run_on_transports(vm, *cls, c, seed, report,
						    arg);
		for (const struct fault_case *c = (*cls)->fault_cases;
		     c && c->plan; c++)
			failed += run_on_transports(vm, *cls, c, seed, report,
						    arg);
	}
	free(vm);
	return failed;
}
