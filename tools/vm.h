/*
 * vm.h - a virtsim machine as the CLI and the tests build it.
 *
 * Host side: a machine with guest RAM and a virtio-blk model per disk in
 * consecutive MMIO slots (optionally one empty slot after them). Guest
 * side: the platform code a kernel would run, probing every slot through
 * probe_mmio_device and bringing up a block device on each Block slot.
 */
#ifndef VIRTSIM_TOOLS_VM_H
#define VIRTSIM_TOOLS_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/adapter/adapter.h"
#include "drivers/virtio/mmio_transport.h"
#include "sim/machine.h"

#define VM_MAX_DISKS 16

struct vm_disk_config {
	const char *path;
	bool readonly;
	int mmio_version;   /* 1 (legacy) or 2 (modern) */
	const char *serial; /* NULL: "virtsim-N" */
};

struct vm_config {
	uint64_t mem_size; /* 0: MACHINE_DEFAULT_MEM */
	const struct vm_disk_config *disks;
	unsigned disk_count;
	bool empty_slot; /* leave one slot with DeviceID 0 after the disks */
	bool poll;       /* drivers poll instead of taking interrupts */
};

/* What the guest found in one MMIO slot. */
struct vm_slot {
	uint64_t base;
	unsigned irq_line;
	bool found;         /* probe_mmio_device said yes */
	uint32_t version;   /* MMIO version register; 0 if not read */
	uint32_t device_id; /* 0: empty */
	enum dev_type type;
	struct virtio_mmio_transport transport;
	/* Host side: the model behind the slot (NULL for an empty one). */
	struct virtio_dev *model;
	const char *path;
	bool readonly;
};

struct virtio_blk;
struct virtio_blk_device;

/*
 * The layout is the same whatever the build options (users include this
 * without config.h): per-class driver state hangs off pointers.
 */
struct vm {
	struct machine machine;
	struct vm_slot slots[MACHINE_MMIO_SLOTS];
	unsigned slot_count;
	bool poll;
	/* Guest side: the block devices brought up, disk n in slot n. */
	struct virtio_blk_device *blk[VM_MAX_DISKS];
	unsigned disk_count;
};

/*
 * Build the machine (host side). A build without virtio-blk
 * (--disable-blk) refuses disks. On bad input (a missing, unreadable or
 * badly sized image) fails with one line in @err and a negative errno.
 */
int vm_create(struct vm *vm, const struct vm_config *cfg, char *err,
	      size_t errlen);
/*
 * Guest side: probe every slot and bring up each disk's driver. Returns
 * 0, or the first driver error (a negative enum dev_err) with @err
 * naming the disk.
 */
int vm_probe(struct vm *vm, char *err, size_t errlen);
/* The block device of disk @n, or NULL if it is not up. */
struct block_device *vm_disk(struct vm *vm, unsigned n);
/* The virtio-blk driver under it, for its token API and VirtIO errors. */
struct virtio_blk *vm_virtio_blk(struct vm *vm, unsigned n);
/*
 * Shut the drivers down, then the machine. Returns the HAL's
 * book-keeping errors (DMA leaks, double frees), reported when @report.
 */
unsigned vm_destroy(struct vm *vm, bool report);

#endif /* VIRTSIM_TOOLS_VM_H */
