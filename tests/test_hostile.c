/* SPDX-License-Identifier: MIT */
/*
 * Fault point hostile, one mutation kind at a time (the injector's
 * hostile_only hook), prob=1: on the selftest's machine (every class
 * built, each on every transport it has) every device is brought up and
 * self-tested. The kinds that break what the driver is handed must give
 * every device an error; the interrupt kinds must be tolerated (every
 * self test passes). Either way the kind fired, the driver neither
 * crashed nor hung (Check's timeout), and not a DMA page or share is
 * left (vm_destroy returns 0). Loop index _i is the kind; the deferred
 * test case runs them again in the deferred mode.
 */
#include <stdio.h>
#include <string.h>

#include "devices/virtio/virtio_dev.h"
#include "sim/fault.h"
#include "tests/testutil.h"
#include "tools/vm/device_class.h"
#include "tools/vm/vm.h"

static struct vm vm;

/*
 * Whether kind @k leaves device @d's driver without an error: more
 * interrupts are only looks for nothing, and a legacy interface has no
 * generation to flap (its reads are taken as they are).
 */
static bool kind_tolerated(enum fault_hostile_kind k, const struct vm_device *d)
{
	return k == FAULT_HOSTILE_IRQ_NO_USED || k == FAULT_HOSTILE_IRQ_STORM ||
	       (k == FAULT_HOSTILE_GEN_FLAP && d->model->legacy);
}

static void run_kind(enum fault_hostile_kind kind, enum sim_mode mode)
{
	struct vm_device_config devs[VM_MAX_DEVICES];
	struct fault_arm arm;
	struct vm_config cfg = {.seed = 7,
				.mode = mode,
				.devices = devs,
				.faults = &arm,
				.fault_count = 1};
	struct vm_selftest st = {.out = NULL};
	unsigned failed = 0, hurt = 0;
	char err[512];

	ck_assert_int_eq(fault_arm_parse("hostile", &arm, err, sizeof(err)), 0);
	cfg.device_count = vm_selftest_devices(devs, VM_MAX_DEVICES);
	if (!cfg.device_count)
		return; /* no class built */
	st.out = fopen("/dev/null", "w");
	ck_assert_ptr_nonnull(st.out);
	ck_assert_msg(vm_create(&vm, &cfg, err, sizeof(err)) == 0, "%s", err);
	vm.machine.faults.hostile_only = 1u << kind;
	ck_assert_msg(vm_scan(&vm, err, sizeof(err)) == 0, "%s", err);
	for (unsigned i = 0; i < vm.device_count; i++) {
		struct vm_device *d = &vm.devices[i];
		int ret = vm_bring_up_device(&vm, d, err, sizeof(err));

		if (!d->cls->selftest)
			continue;
		if (!ret)
			ret = d->cls->selftest(&vm, d, &st);
		if (kind_tolerated(kind, d))
			ck_assert_msg(!ret, "%s: %s%u failed under %s",
				      sim_mode_name(mode), d->cls->name,
				      d->unit, fault_hostile_name(kind));
		else
			hurt++;
		failed += ret && !kind_tolerated(kind, d);
	}
	fclose(st.out);
	ck_assert_msg(vm.machine.faults.fires[FAULT_HOSTILE] > 0,
		      "%s never fired", fault_hostile_name(kind));
	ck_assert_msg(
	    failed == hurt, "%s: %u of %u devices met no error under %s",
	    sim_mode_name(mode), hurt - failed, hurt, fault_hostile_name(kind));
	ck_assert_uint_eq(vm_destroy(&vm, true), 0);
}

START_TEST(test_kind_sync)
{
	run_kind((enum fault_hostile_kind)_i, SIM_MODE_SYNC);
}
END_TEST

START_TEST(test_kind_deferred)
{
	run_kind((enum fault_hostile_kind)_i, SIM_MODE_DEFERRED);
}
END_TEST

/* The same seed and plan, the same run: hits, fires and the trace hash. */
START_TEST(test_same_seed_same_run)
{
	struct vm_device_config devs[VM_MAX_DEVICES];
	struct fault_arm arm;
	struct vm_config cfg = {.seed = 3,
				.mode = SIM_MODE_DEFERRED,
				.devices = devs,
				.faults = &arm,
				.fault_count = 1};
	uint64_t hash[2], fires[2];
	char err[512];

	ck_assert_int_eq(
	    fault_arm_parse("hostile,prob=0.05", &arm, err, sizeof(err)), 0);
	cfg.device_count = vm_selftest_devices(devs, VM_MAX_DEVICES);
	if (!cfg.device_count)
		return;
	for (unsigned run = 0; run < 2; run++) {
		struct vm_selftest st = {.out = fopen("/dev/null", "w")};

		ck_assert_ptr_nonnull(st.out);
		ck_assert_int_eq(vm_create(&vm, &cfg, err, sizeof(err)), 0);
		ck_assert_int_eq(vm_scan(&vm, err, sizeof(err)), 0);
		for (unsigned i = 0; i < vm.device_count; i++)
			if (!vm_bring_up_device(&vm, &vm.devices[i], err,
						sizeof(err)) &&
			    vm.devices[i].cls->selftest)
				vm.devices[i].cls->selftest(&vm, &vm.devices[i],
							    &st);
		fclose(st.out);
		hash[run] = vm.machine.trace.hash;
		fires[run] = vm.machine.faults.fires[FAULT_HOSTILE];
		ck_assert_uint_eq(vm_destroy(&vm, true), 0);
	}
	ck_assert_uint_gt(fires[0], 0);
	ck_assert_uint_eq(fires[0], fires[1]);
	ck_assert_uint_eq(hash[0], hash[1]);
}
END_TEST

static Suite *hostile_suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *tc = tcase_create("sync");
	TCase *td = tcase_create("deferred");
	TCase *tr = tcase_create("repeat");

	tcase_set_timeout(tc, 60);
	tcase_set_timeout(td, 60);
	tcase_set_timeout(tr, 60);
	tcase_add_loop_test(tc, test_kind_sync, 0, FAULT_HOSTILE_NUM_KINDS);
	tcase_add_loop_test(td, test_kind_deferred, 0, FAULT_HOSTILE_NUM_KINDS);
	tcase_add_test(tr, test_same_seed_same_run);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, td);
	suite_add_tcase(s, tr);
	return s;
}

VIRTSIM_TEST_MAIN(hostile_suite)
