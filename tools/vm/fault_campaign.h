/* SPDX-License-Identifier: MIT */
/*
 * fault_campaign.h - proving the error-mapping table end to end: for
 * each row of the seed's table, each device class and each transport, a
 * machine with one device and a fault armed, the driver operation that
 * meets it, the VirtIO error observed and the device error as_dev_err
 * makes of it, then recovery (reset, probe again, the next operation
 * succeeds) and no DMA page or shared buffer left behind.
 *
 * The rows are the ones every class has (the transports', the device
 * core's and the queue's, in fault_campaign.c) and each class's own
 * (struct device_class's fault_cases): nothing here names a class.
 */
#ifndef VIRTSIM_TOOLS_VM_FAULT_CAMPAIGN_H
#define VIRTSIM_TOOLS_VM_FAULT_CAMPAIGN_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/base/dev.h"
#include "tools/vm/vm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Transports a case runs on. */
#define FAULT_ON_MMIO1 (1u << 0)
#define FAULT_ON_MMIO2 (1u << 1)
#define FAULT_ON_PCI (1u << 2)
#define FAULT_ON_ALL (FAULT_ON_MMIO1 | FAULT_ON_MMIO2 | FAULT_ON_PCI)

/* One row of a class's campaign. */
struct fault_case {
	int expect;	     /* the VirtIO error (negative) the row is about */
	const char *plan;    /* the --fault argument that produces it */
	/* "init" (the bring-up), a fault_op name, or NULL: the class's
	 * main operation (its fault_main_op) */
	const char *op;
	unsigned transports; /* FAULT_ON_* */
	/*
	 * The device is built broken (a PCI function's capabilities are
	 * laid out at attach): no reset repairs it, so recovery is the
	 * driver meeting the same error again, cleanly, when probed again.
	 */
	bool permanent;
};

/* Rows of a class's table, and the end of it. */
#define FAULT_CASE(err, plan_, op_, on)                         \
	{                                                       \
		.expect = -(err), .plan = (plan_), .op = (op_), \
		.transports = (on)                              \
	}
#define FAULT_CASE_PERMANENT(err, plan_, op_, on)               \
	{                                                       \
		.expect = -(err), .plan = (plan_), .op = (op_), \
		.transports = (on), .permanent = true           \
	}
#define FAULT_CASES_END      \
	{                    \
		.plan = NULL \
	}

/* What one run of a case found. */
struct fault_result {
	const struct device_class *cls;
	const struct fault_case *c;
	const char *op; /* the operation run: c->op or the class's main one */
	enum vm_transport transport;
	int mmio_version;
	int observed;	      /* the VirtIO error met; 0: none */
	enum dev_err dev_err; /* as_dev_err(observed) */
	bool row_ok;	      /* observed == expected */
	bool recovered;	      /* probe again, the next operation: fine */
	bool clean;	      /* no DMA page or share left, no HAL error */
	bool fired;	      /* the armed point fired at all */
	char why[320];	      /* for a failure: what went wrong */
};

static inline bool fault_result_pass(const struct fault_result *r)
{
	return r->row_ok && r->recovered && r->clean && r->fired;
}

/*
 * Run every case of every class built (@only: that class alone, or
 * NULL) on every transport it applies to, with root seed @seed. Calls
 * @report for each result. Returns the number of failed results.
 */
unsigned fault_campaign_run(const struct device_class *only, uint64_t seed,
			    void (*report)(const struct fault_result *r,
					   void *arg),
			    void *arg);

/*
 * The table's default row: every value that is not one of the VirtIO
 * errors maps to BadState. No driver of this stack returns one (its
 * error set is the table's ten rows), so no fault reaches the row; this
 * checks it over @n values outside the set, both signs. Returns the
 * first value that maps elsewhere, or 0.
 */
int fault_campaign_default_row(unsigned n);

/* "MMIO v1", "MMIO v2", "PCI". */
const char *fault_result_transport(const struct fault_result *r);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_TOOLS_VM_FAULT_CAMPAIGN_H */
