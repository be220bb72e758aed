/* SPDX-License-Identifier: MIT */
/*
 * vm.h - a virtsim machine with devices of any class, as the CLI, the
 * tests and users' own tests build it.
 *
 * Host side: a machine and one device model per configured device, each
 * in the next MMIO slot or on PCI bus 0 (optionally one empty MMIO slot
 * after them). Guest side: the platform code (drivers/platform) probes
 * every MMIO slot and the PCI bus, and each device found gets its class's
 * driver.
 */
#ifndef VIRTSIM_TOOLS_VM_H
#define VIRTSIM_TOOLS_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "drivers/platform/platform.h"
#include "sim/machine.h"
#include "tools/vm/device_class.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VM_MAX_DEVICES 32

enum vm_transport {
	VM_TRANSPORT_MMIO,
	VM_TRANSPORT_PCI,
};

struct vm_device_config {
	const struct device_class *cls;
	const void *options; /* the class's options; NULL: its defaults */
	enum vm_transport transport;
	int mmio_version; /* 1 (legacy) or 2 (modern); 0: 2. MMIO only */
};

struct vm_config {
	uint64_t mem_size;   /* 0: MACHINE_DEFAULT_MEM */
	enum sim_mode mode;  /* sync (default) or deferred */
	uint64_t seed;	     /* the root seed of every RNG stream */
	unsigned trace_mask; /* TRACE_* to print */
	FILE *trace_out;     /* NULL: stderr */
	const struct vm_device_config *devices;
	unsigned device_count;
	bool empty_slot; /* leave one slot with DeviceID 0 after the devices */
	bool poll;	 /* drivers poll instead of taking interrupts */
	enum sim_dma dma; /* the HAL's sharing of buffers outside RAM */
	const struct fault_arm *faults; /* the fault plan (sim/fault.h) */
	unsigned fault_count;
	/* Strict checking (sim/strict.h), as in struct machine_options. */
	bool strict;
	void (*strict_violation)(void *opaque, enum strict_rule rule,
				 const char *device, const char *what);
	void *strict_opaque;
};

/* One device of the machine: its model, and its driver once probed. */
struct vm_device {
	const struct device_class *cls;
	unsigned unit; /* its rank among its class's devices: blk<unit> */
	enum vm_transport transport;
	unsigned where;		  /* MMIO slot, or PCI device number */
	struct virtio_dev *model; /* host side */
	void *host;		  /* what else the class keeps, host side */
	struct platform_device *found; /* where the guest found it */
	void *driver;		       /* the class's driver, once up */
	int virtio_error; /* why bring-up failed, if a VirtIO error; 0 */
};

struct vm {
	struct machine machine;
	bool poll;
	struct vm_device devices[VM_MAX_DEVICES];
	unsigned device_count;
	struct platform platform; /* what the guest found */
};

/*
 * Build the machine (host side). On bad input (a missing, unreadable or
 * badly sized image, a class left out of the build) fails with one line
 * in @err and a negative errno.
 */
int vm_create(struct vm *vm, const struct vm_config *cfg, char *err,
	      size_t errlen);
/*
 * Guest side: probe every MMIO slot and the PCI bus, and bring up the
 * driver of every device found. Returns 0 with every configured device
 * up, or the first driver error (a negative enum dev_err) with @err
 * naming the device.
 */
int vm_probe(struct vm *vm, char *err, size_t errlen);
/*
 * vm_probe in its two steps: probe the MMIO slots and the PCI bus
 * (0, or an error with @err); then bring up device @d's driver on what
 * the probe found (0 with @d up, or its driver error with @err naming
 * it). A device torn down may be brought up again.
 */
int vm_scan(struct vm *vm, char *err, size_t errlen);
int vm_bring_up_device(struct vm *vm, struct vm_device *d, char *err,
		       size_t errlen);
/*
 * Shut the drivers down, then the models and the machine. Returns the
 * HAL's book-keeping errors (DMA leaks, double frees), reported when
 * @report.
 */
unsigned vm_destroy(struct vm *vm, bool report);

/* Unit @unit of @cls ("blk1"), or NULL. */
struct vm_device *vm_device(struct vm *vm, const struct device_class *cls,
			    unsigned unit);
/* The device the host put at @transport / @where, or NULL. */
struct vm_device *vm_device_at(struct vm *vm, enum vm_transport transport,
			       unsigned where);
/* How many devices of @cls the machine has. */
unsigned vm_unit_count(const struct vm *vm, const struct device_class *cls);

/*
 * What a selftest's message says first when a driver call succeeded but
 * the data is not what it should be: the driver took a device's lie for
 * the truth (faults --soak counts such a seed as corrupt).
 */
#define VM_SELFTEST_WRONG_DATA "wrong data: "

/* What a class's selftest reports into. */
struct vm_selftest {
	FILE *out;
	uint64_t requests, bytes; /* totals over the run */
	/*
	 * Optional: how far a long step is, @done of @total bytes, for a
	 * progress line; a step ends with @done == @total, before the
	 * step's line on @out. NULL: nobody asks.
	 */
	void (*progress)(void *arg, const char *what, uint64_t done,
			 uint64_t total);
	void *progress_arg;
};

static inline void vm_selftest_progress(struct vm_selftest *st,
					const char *what, uint64_t done,
					uint64_t total)
{
	if (st->progress)
		st->progress(st->progress_arg, what, done, total);
}

/*
 * Fill @cfg with the default selftest machine: every built class's
 * selftest devices (scratch backing, removed at vm_destroy), in table
 * order. Returns how many, at most @max.
 */
unsigned vm_selftest_devices(struct vm_device_config *cfg, unsigned max);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_TOOLS_VM_H */
