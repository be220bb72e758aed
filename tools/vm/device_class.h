/* SPDX-License-Identifier: MIT */
/*
 * device_class.h - what a device class (blk, net, gpu, ...) supplies to
 * the machine builder, the guest bring-up, the command line and the
 * probe report: one row of the table in device_classes.c.
 *
 * The table is explicit and static, not built by constructor-attribute
 * registration: libvirtsim.a is a static archive, and the linker drops
 * members nothing refers to. A new class adds its own files, one row to
 * the table, and its lines in the build; nothing else names it.
 */
#ifndef VIRTSIM_TOOLS_VM_DEVICE_CLASS_H
#define VIRTSIM_TOOLS_VM_DEVICE_CLASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "drivers/base/dev.h"
#include "drivers/virtio/virtio.h"
#include "sim/env.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vm;
struct vm_device;
struct vm_device_config;
struct vm_selftest;
struct fault_case;

struct device_class {
	const char *name;  /* "blk": the --blk option, units "blk0", ... */
	const char *title; /* "virtio-blk" */
	/* Non-NULL: left out of this build, and the configure option. */
	const char *disabled;
	uint32_t virtio_id;
	enum dev_type type;
	/* Its model may run on a host thread (--mode thread). */
	bool thread_mode;
	/* What the first sub-option names ("FILE"), and the class's own
	 * sub-options, for --help and error messages. */
	const char *first_word;
	const char *usage;

	/* Options: options_size bytes, set to defaults by options_init. */
	size_t options_size;
	void (*options_init)(void *opts);
	/*
	 * One sub-option of the class: @key with @value (NULL for a bare
	 * word), or the positional first word with @key NULL. Returns 0,
	 * or -1 with one line in @err. transport= and version= are the
	 * machine builder's, not the class's.
	 */
	int (*parse)(void *opts, const char *key, const char *value, char *err,
		     size_t errlen);

	/*
	 * Host side: make @d's model (d->model) and whatever else the class
	 * keeps for it (d->host) from @opts. Returns 0 or a negative errno
	 * with one line in @err. destroy releases both, and is called for
	 * every device create succeeded on.
	 */
	int (*create)(struct vm_device *d, struct sim_env *env,
		      const void *opts, char *err, size_t errlen);
	void (*destroy)(struct vm_device *d);

	/*
	 * Guest side: bring the class's driver up on a probed transport
	 * (interrupts on @irq_line unless @poll or VIRTIO_NO_IRQ), into
	 * d->driver. Returns 0 or a negative enum dev_err, with the VirtIO
	 * error behind it in d->virtio_error when there is one. teardown
	 * resets the device and releases what bring_up took.
	 */
	int (*bring_up)(struct vm_device *d, struct virtio_transport *t,
			unsigned irq_line, bool poll);
	void (*teardown)(struct vm_device *d);

	/* The probe report's details column for a device that is up. */
	void (*describe)(const struct vm_device *d, char *buf, size_t len);

	/*
	 * Self test (optional). The class's devices in the default
	 * selftest machine, and its checks on one device that is up:
	 * 0, or non-zero after saying what failed on stderr.
	 */
	const struct vm_device_config *selftest_devices;
	unsigned selftest_device_count;
	int (*selftest)(struct vm *vm, struct vm_device *d,
			struct vm_selftest *st);

	/*
	 * Fault campaign (optional, tools/vm/fault_campaign.h): the class's
	 * rows, run on @fault_device (NULL: the first selftest device; the
	 * transport is the campaign's), and the operations they
	 * name, on a device that is up: "io" (what must work again after
	 * recovery) and the class's own. Returns 0 or the negative VirtIO
	 * error the operation met.
	 */
	const struct fault_case *fault_cases; /* ends with plan NULL */
	const char *fault_main_op; /* what the common rows' faults meet */
	const struct vm_device_config *fault_device;
	/* Why the rows no case reaches cannot be reached, for the report. */
	const char *fault_unreachable;
	int (*fault_op)(struct vm *vm, struct vm_device *d, const char *op);
};

/* Every class, built or not, in a fixed order; NULL-terminated. */
extern const struct device_class *const device_classes[];

/* The class called @name ("blk"), or NULL. */
const struct device_class *device_class_find(const char *name);
/* The class driving VirtIO device @virtio_id in this build, or NULL. */
const struct device_class *device_class_for_id(uint32_t virtio_id);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_TOOLS_VM_DEVICE_CLASS_H */
