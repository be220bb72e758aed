/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the machine primitives: guest RAM, the MMIO bus and the
 * interrupt lines.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "sim/bus.h"
#include "sim/guest_mem.h"
#include "sim/irq.h"
#include "tests/testutil.h"

#define BASE 0x40000000ull
#define SIZE (1ull << 20)

static struct guest_mem mem;
static struct trace trace; /* nothing enabled */

static void mem_setup(void)
{
	ck_assert_int_eq(guest_mem_init(&mem, BASE, SIZE), 0);
}

static void mem_teardown(void)
{
	guest_mem_destroy(&mem);
}

START_TEST(mem_span_in_range)
{
	uint8_t *p = guest_mem_span(&mem, BASE, SIZE);
	uint64_t gpa;

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_eq(guest_mem_span(&mem, BASE + 100, 10), p + 100);
	ck_assert(guest_mem_gpa_of(&mem, p + 4096, 16, &gpa));
	ck_assert_uint_eq(gpa, BASE + 4096);
	/* The last byte, and an empty range at the very end, are RAM. */
	ck_assert_ptr_nonnull(guest_mem_span(&mem, BASE + SIZE - 1, 1));
	ck_assert_ptr_nonnull(guest_mem_span(&mem, BASE + SIZE, 0));
}
END_TEST

START_TEST(mem_span_rejects_outside_and_wrap)
{
	uint8_t byte;
	uint64_t gpa;

	ck_assert_ptr_null(guest_mem_span(&mem, BASE - 1, 1));
	ck_assert_ptr_null(guest_mem_span(&mem, BASE + SIZE - 1, 2));
	ck_assert_ptr_null(guest_mem_span(&mem, BASE + SIZE, 1));
	ck_assert_ptr_null(guest_mem_span(&mem, 0, 16));
	/* Lengths and addresses chosen so that gpa + len wraps to RAM. */
	ck_assert_ptr_null(guest_mem_span(&mem, BASE + 16, UINT64_MAX));
	ck_assert_ptr_null(guest_mem_span(&mem, UINT64_MAX - 7, 16));
	ck_assert_int_eq(guest_mem_read(&mem, BASE + SIZE - 2, &byte, 4), -1);
	ck_assert_int_eq(guest_mem_write(&mem, UINT64_MAX, &byte, 1), -1);
	ck_assert(!guest_mem_gpa_of(&mem, &byte, 1, &gpa));
}
END_TEST

START_TEST(mem_copy_roundtrip)
{
	const char msg[] = "virtio";
	char back[sizeof(msg)];

	ck_assert_int_eq(guest_mem_write(&mem, BASE + 77, msg, sizeof(msg)), 0);
	ck_assert_int_eq(guest_mem_read(&mem, BASE + 77, back, sizeof(back)), 0);
	ck_assert_str_eq(back, msg);
}
END_TEST

START_TEST(mem_init_rejects_bad_sizes)
{
	struct guest_mem m;

	ck_assert_int_lt(guest_mem_init(&m, BASE, 0), 0);
	ck_assert_int_lt(guest_mem_init(&m, BASE, 4095), 0);
	ck_assert_int_lt(guest_mem_init(&m, UINT64_MAX & ~4095ull, 8192), 0);
}
END_TEST

struct reg_file {
	uint32_t regs[4];
	unsigned reads, writes;
};

static uint32_t reg_read(void *opaque, uint64_t off, unsigned size)
{
	struct reg_file *rf = opaque;

	rf->reads++;
	return rf->regs[off / 4];
}

static void reg_write(void *opaque, uint64_t off, uint32_t val, unsigned size)
{
	struct reg_file *rf = opaque;

	rf->writes++;
	rf->regs[off / 4] = val;
}

static const struct bus_region_ops reg_ops = {
	.read = reg_read,
	.write = reg_write,
	.sizes = BUS_SIZE_32,
	.aligned_only = true,
};

START_TEST(bus_dispatch_and_unmapped)
{
	struct bus bus;
	struct reg_file a = {0}, b = {0};

	bus_init(&bus, &trace);
	ck_assert_int_eq(bus_map(&bus, 0x2000, 16, &reg_ops, &b, "b"), 0);
	ck_assert_int_eq(bus_map(&bus, 0x1000, 16, &reg_ops, &a, "a"), 0);
	ck_assert_int_lt(bus_map(&bus, 0x100c, 8, &reg_ops, &a, "overlap"), 0);

	bus_write(&bus, 0x1004, 0xabcd, 4);
	bus_write(&bus, 0x200c, 7, 4);
	ck_assert_uint_eq(a.regs[1], 0xabcd);
	ck_assert_uint_eq(b.regs[3], 7);
	ck_assert_uint_eq(bus_read(&bus, 0x1004, 4), 0xabcd);

	/* Unmapped: all ones, counted, no handler runs. */
	ck_assert_uint_eq(bus_read(&bus, 0x3000, 4), 0xffffffffu);
	ck_assert_uint_eq(bus_read(&bus, 0x3000, 2), 0xffffu);
	bus_write(&bus, 0x1010, 1, 4); /* one past region a */
	ck_assert_uint_eq(bus.unmapped, 3);

	/* Refused sizes and misaligned accesses never reach the handler. */
	ck_assert_uint_eq(bus_read(&bus, 0x1004, 1), 0xff);
	bus_write(&bus, 0x1002, 1, 4);
	ck_assert_uint_eq(bus.bad_access, 2);
	ck_assert_uint_eq(a.writes, 1);

	ck_assert_int_eq(bus_unmap(&bus, 0x1000), 0);
	ck_assert_uint_eq(bus_read(&bus, 0x1004, 4), 0xffffffffu);
	ck_assert_int_lt(bus_unmap(&bus, 0x1000), 0);
}
END_TEST

START_TEST(bus_access_straddling_region_end_is_refused)
{
	struct bus bus;
	struct reg_file a = {0};
	static const struct bus_region_ops any = {.read = reg_read,
						  .write = reg_write};

	bus_init(&bus, &trace);
	ck_assert_int_eq(bus_map(&bus, 0x1000, 16, &any, &a, "a"), 0);
	ck_assert_uint_eq(bus_read(&bus, 0x100e, 4), 0xffffffffu);
	ck_assert_uint_eq(bus.unmapped, 1);
	ck_assert_uint_eq(a.reads, 0);
}
END_TEST

static unsigned handler_runs;

static void lower_on_delivery(void *arg)
{
	struct irq_ctl *ic = arg;

	handler_runs++;
	irq_set_level(ic, 5, false);
}

START_TEST(irq_level_and_dispatch)
{
	struct irq_ctl ic;

	irq_init(&ic, &trace);
	handler_runs = 0;
	irq_set_level(&ic, 5, true);
	ck_assert(!irq_deliverable(&ic)); /* no handler yet: stays pending */
	ck_assert_uint_eq(irq_dispatch(&ic), 0);
	ck_assert_int_eq(irq_register(&ic, 5, lower_on_delivery, &ic), 0);
	ck_assert_int_lt(irq_register(&ic, 5, lower_on_delivery, &ic), 0);
	ck_assert(irq_deliverable(&ic));
	ck_assert_uint_eq(irq_dispatch(&ic), 1);
	ck_assert_uint_eq(handler_runs, 1);
	ck_assert(!irq_deliverable(&ic));
	ck_assert_uint_eq(ic.raised[5], 1);
	ck_assert_uint_eq(ic.delivered[5], 1);
	ck_assert_int_lt(irq_register(&ic, IRQ_MAX_LINES, lower_on_delivery, &ic),
			 0);
}
END_TEST

static unsigned shared_runs[2];

static void count_shared(void *arg)
{
	shared_runs[(uintptr_t)arg]++;
}

/* A shared INTx line runs every handler on it; each can leave alone. */
START_TEST(irq_shared_line_runs_every_handler)
{
	struct irq_ctl ic;

	irq_init(&ic, &trace);
	shared_runs[0] = shared_runs[1] = 0;
	ck_assert_int_eq(irq_register(&ic, 5, count_shared, (void *)0), 0);
	ck_assert_int_eq(irq_register(&ic, 5, count_shared, (void *)1), 0);
	irq_set_level(&ic, 5, true);
	ck_assert_uint_eq(irq_dispatch(&ic), 2);
	ck_assert_uint_eq(shared_runs[0], 1);
	ck_assert_uint_eq(shared_runs[1], 1);
	ck_assert_int_eq(irq_unregister(&ic, 5, count_shared, (void *)0), 0);
	ck_assert_int_eq(irq_unregister(&ic, 5, count_shared, (void *)0),
			 -ENOENT);
	ck_assert_uint_eq(irq_dispatch(&ic), 1);
	ck_assert_uint_eq(shared_runs[0], 1);
	ck_assert_uint_eq(shared_runs[1], 2);
	for (uintptr_t i = 2; i < IRQ_MAX_SHARED + 1; i++)
		ck_assert_int_eq(irq_register(&ic, 5, count_shared, (void *)i),
				 0);
	ck_assert_int_eq(irq_register(&ic, 5, count_shared, (void *)99),
			 -ENOSPC);
}
END_TEST

static Suite *sim_suite(void)
{
	Suite *s = suite_create("sim");
	TCase *tc = tcase_create("guest_mem");

	tcase_add_checked_fixture(tc, mem_setup, mem_teardown);
	tcase_add_test(tc, mem_span_in_range);
	tcase_add_test(tc, mem_span_rejects_outside_and_wrap);
	tcase_add_test(tc, mem_copy_roundtrip);
	tcase_add_test(tc, mem_init_rejects_bad_sizes);
	suite_add_tcase(s, tc);
	tc = tcase_create("bus");
	tcase_add_test(tc, bus_dispatch_and_unmapped);
	tcase_add_test(tc, bus_access_straddling_region_end_is_refused);
	suite_add_tcase(s, tc);
	tc = tcase_create("irq");
	tcase_add_test(tc, irq_level_and_dispatch);
	tcase_add_test(tc, irq_shared_line_runs_every_handler);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(sim_suite)
