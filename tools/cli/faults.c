/* SPDX-License-Identifier: MIT */
/*
 * faults.c - the faults workload: the fault campaign's table
 * (tools/vm/fault_campaign.h), as text or --json; exit status 1 if any
 * row failed.
 */
#include <stdio.h>
#include <string.h>

#include "drivers/virtio/virtio.h"
#include "tools/cli/workload.h"
#include "tools/vm/fault_campaign.h"

#define TABLE_ROWS 10 /* the VirtIO errors: QueueFull .. ConfigSpaceMissing */
#define DEFAULT_ROW_VALUES 4096u

struct table {
	struct json *json; /* --json; NULL: text */
	unsigned rows;
	/* Per class: the table rows a passing result proved (bit per error). */
	const struct device_class *cls[8];
	unsigned proved[8];
	unsigned ncls;
};

/* Book a passing row of @r's class. */
static void prove(struct table *t, const struct fault_result *r)
{
	unsigned i = 0;

	while (i < t->ncls && t->cls[i] != r->cls)
		i++;
	if (i == t->ncls) {
		if (t->ncls == sizeof(t->cls) / sizeof(t->cls[0]))
			return;
		t->cls[t->ncls] = r->cls;
		t->proved[t->ncls++] = 0;
	}
	if (fault_result_pass(r))
		t->proved[i] |= 1u << (-r->c->expect - 1);
}

/* "blk: 10 of 10 rows", naming the rows no fault of the class reached. */
static void print_coverage(const struct table *t)
{
	for (unsigned i = 0; i < t->ncls; i++) {
		unsigned n = (unsigned)__builtin_popcount(t->proved[i]);
		const char *sep = " (not reached: ";

		printf("%s: %u of %u rows", t->cls[i]->name, n, TABLE_ROWS);
		for (int e = 1; e <= TABLE_ROWS; e++)
			if (!(t->proved[i] >> (e - 1) & 1)) {
				printf("%s%s", sep, virtio_error_name(e));
				sep = ", ";
			}
		printf("%s", n < TABLE_ROWS ? ")" : "");
		if (n < TABLE_ROWS && t->cls[i]->fault_unreachable)
			printf(": %s", t->cls[i]->fault_unreachable);
		printf("\n");
	}
}

/* The same as JSON: {"blk": {"rows": 10, "not_reached": [...]}, ...}. */
static void json_coverage(struct json *j, const struct table *t)
{
	json_begin_object(j, "coverage");
	for (unsigned i = 0; i < t->ncls; i++) {
		json_begin_object(j, t->cls[i]->name);
		json_uint(j, "rows",
			  (unsigned)__builtin_popcount(t->proved[i]));
		json_begin_array(j, "not_reached");
		for (int e = 1; e <= TABLE_ROWS; e++)
			if (!(t->proved[i] >> (e - 1) & 1))
				json_string(j, NULL, virtio_error_name(e));
		json_end_array(j);
		json_end_object(j);
	}
	json_end_object(j);
}

static void print_row(const struct fault_result *r, void *arg)
{
	struct table *t = arg;
	char point[64];

	snprintf(point, sizeof(point), "%.*s", (int)strcspn(r->c->plan, ","),
		 r->c->plan);
	if (t->json) {
		struct json *j = t->json;

		json_begin_object(j, NULL);
		json_string(j, "class", r->cls->name);
		json_string(j, "transport", fault_result_transport(r));
		json_string(j, "fault", point);
		json_string(j, "operation", r->op);
		json_string(j, "virtio_error",
			    r->observed ? virtio_error_name(r->observed)
					: NULL);
		json_string(j, "dev_error",
			    r->observed ? dev_err_name(r->dev_err) : NULL);
		json_string(j, "expected", virtio_error_name(r->c->expect));
		json_bool(j, "recovered", r->recovered);
		json_bool(j, "clean", r->clean);
		json_string(j, "result",
			    fault_result_pass(r) ? "PASS" : "FAIL");
		json_string(j, "why", r->why);
		json_end_object(j);
	}
	{
		printf("%-4s %-8s %-20s %-10s %-20s %-14s %-20s %s%s%s\n",
		       r->cls->name, fault_result_transport(r), point, r->op,
		       r->observed ? virtio_error_name(r->observed) : "none",
		       r->observed ? dev_err_name(r->dev_err) : "none",
		       virtio_error_name(r->c->expect),
		       fault_result_pass(r) ? "PASS" : "FAIL",
		       r->why[0] ? ": " : "", r->why);
	}
	t->rows++;
	prove(t, r);
}

static int faults_run(struct vm *vm, const struct cli_options *o,
		      struct json *json)
{
	struct table t = {.json = json};
	int off_table;
	unsigned failed;

	(void)vm;
	if (o->soak)
		return soak_run(o, json);
	printf("%-4s %-8s %-20s %-10s %-20s %-14s %-20s %s\n", "dev", "via",
	       "fault", "operation", "VirtIO error", "device error",
	       "expected row", "result");
	if (json)
		json_begin_array(json, "rows");
	failed = fault_campaign_run(NULL, o->seed, print_row, &t);
	if (json)
		json_end_array(json);
	/* The default row: no fault reaches it (see fault_campaign.h). */
	off_table = fault_campaign_default_row(DEFAULT_ROW_VALUES);
	failed += off_table != 0;
	if (json) {
		json_string(json, "default_row", off_table ? "FAIL" : "PASS");
		json_coverage(json, &t);
		json_uint(json, "passed", t.rows + 1 - failed);
		json_uint(json, "failed", failed);
	}
	printf("%-4s %-8s %-20s %-10s %-20s %-14s %-20s %s (%u values outside "
	       "the table, both signs)\n",
	       "-", "-", "-", "-", "any other", "BadState", "Default",
	       off_table ? "FAIL" : "PASS", 2 * DEFAULT_ROW_VALUES + 3);
	print_coverage(&t);
	printf("faults: %u rows, %u passed, %u failed\n", t.rows + 1,
	       t.rows + 1 - failed, failed);
	return failed ? EXIT_OP_FAILED : 0;
}

const struct workload faults_workload = {
    .name = "faults",
    .arms_faults = true,
    .help = "the fault campaign: for each row of the error-mapping table, "
	    "class and transport, arm the fault that produces it, run the "
	    "driver operation, check the VirtIO and device errors, recovery "
	    "and that nothing leaked (--json for JSON); with --soak N the "
	    "hostile soak over seeds 1..N instead",
    .takes = CLI_OPT_SOAK | CLI_OPT_SOAK_PROB,
    .run = faults_run,
};
