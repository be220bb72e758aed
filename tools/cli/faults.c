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

struct table {
	bool json;
	unsigned rows;
};

static void print_row(const struct fault_result *r, void *arg)
{
	struct table *t = arg;
	char point[64];

	snprintf(point, sizeof(point), "%.*s", (int)strcspn(r->c->plan, ","),
		 r->c->plan);
	if (t->json) {
		/* Every string here is ours: names without quotes or
		 * backslashes, except why, which is escaped. */
		printf("%s\n    {\"class\": \"%s\", \"transport\": \"%s\", "
		       "\"fault\": \"%s\", \"operation\": \"%s\", "
		       "\"virtio_error\": \"%s\", \"dev_error\": \"%s\", "
		       "\"expected\": \"%s\", \"recovered\": %s, "
		       "\"clean\": %s, \"result\": \"%s\", \"why\": \"",
		       t->rows ? "," : "", r->cls->name,
		       fault_result_transport(r), point, r->c->op,
		       r->observed ? virtio_error_name(r->observed) : "none",
		       r->observed ? dev_err_name(r->dev_err) : "none",
		       virtio_error_name(r->c->expect),
		       r->recovered ? "true" : "false",
		       r->clean ? "true" : "false",
		       fault_result_pass(r) ? "PASS" : "FAIL");
		for (const char *p = r->why; *p; p++)
			if (*p == '"' || *p == '\\')
				printf("\\%c", *p);
			else if ((unsigned char)*p < 0x20)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		printf("\"}");
	} else {
		printf("%-4s %-8s %-20s %-10s %-20s %-14s %-20s %s%s%s\n",
		       r->cls->name, fault_result_transport(r), point, r->c->op,
		       r->observed ? virtio_error_name(r->observed) : "none",
		       r->observed ? dev_err_name(r->dev_err) : "none",
		       virtio_error_name(r->c->expect),
		       fault_result_pass(r) ? "PASS" : "FAIL",
		       r->why[0] ? ": " : "", r->why);
	}
	t->rows++;
}

static int faults_run(struct vm *vm, const struct cli_options *o)
{
	struct table t = {.json = o->json};
	unsigned failed;

	(void)vm;
	if (o->soak)
		return soak_run(o);
	if (t.json)
		printf("{\"rows\": [");
	else
		printf("%-4s %-8s %-20s %-10s %-20s %-14s %-20s %s\n", "dev",
		       "via", "fault", "operation", "VirtIO error",
		       "device error", "expected row", "result");
	failed = fault_campaign_run(NULL, o->seed, print_row, &t);
	if (t.json)
		printf("\n], \"passed\": %u, \"failed\": %u}\n",
		       t.rows - failed, failed);
	else
		printf("faults: %u rows, %u passed, %u failed\n", t.rows,
		       t.rows - failed, failed);
	return failed ? EXIT_OP_FAILED : 0;
}

const struct workload faults_workload = {
    .name = "faults",
    .help = "the fault campaign: for each row of the error-mapping table, "
	    "class and transport, arm the fault that produces it, run the "
	    "driver operation, check the VirtIO and device errors, recovery "
	    "and that nothing leaked (--json for JSON); with --soak N the "
	    "hostile soak over seeds 1..N instead",
    .takes = CLI_OPT_JSON | CLI_OPT_SOAK | CLI_OPT_SOAK_PROB,
    .run = faults_run,
};
