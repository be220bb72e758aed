/*
 * vm.h - a virtsim machine as the CLI and the tests build it.
 *
 * Host side: a machine with guest RAM and a virtio-blk model per disk,
 * each in the next MMIO slot or on PCI bus 0 (optionally one empty MMIO
 * slot after them). Guest side: the platform code a kernel would run:
 * probe every MMIO slot with probe_mmio_device, enumerate the PCI bus,
 * assign BARs and probe each function with probe_pci_device, and bring up
 * a block device on each Block device found.
 */
#ifndef VIRTSIM_TOOLS_VM_H
#define VIRTSIM_TOOLS_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "drivers/adapter/adapter.h"
#include "drivers/pci/pci.h"
#include "drivers/virtio/mmio_transport.h"
#include "drivers/virtio/pci_transport.h"
#include "sim/machine.h"

#define VM_MAX_DISKS 16
#define VM_MAX_PCI_FUNCTIONS 64

enum vm_transport {
	VM_TRANSPORT_MMIO,
	VM_TRANSPORT_PCI,
};

struct vm_disk_config {
	const char *path;
	bool readonly;
	enum vm_transport transport;
	int mmio_version;   /* 1 (legacy) or 2 (modern); MMIO only */
	const char *serial; /* NULL: "virtsim-N" */
};

struct vm_config {
	uint64_t mem_size; /* 0: MACHINE_DEFAULT_MEM */
	enum sim_mode mode;
	uint64_t seed;
	unsigned trace_mask;
	FILE *trace_out;
	const struct vm_disk_config *disks;
	unsigned disk_count;
	bool empty_slot; /* leave one slot with DeviceID 0 after the disks */
	bool poll;       /* drivers poll instead of taking interrupts */
};

/* Host side: where disk n went. */
struct vm_disk {
	const char *path;
	bool readonly;
	enum vm_transport transport;
	unsigned where; /* MMIO slot, or PCI device number on bus 0 */
	struct virtio_dev *model;
};

/* What the guest found in one MMIO slot. */
struct vm_slot {
	uint64_t base;
	unsigned irq_line;
	bool found;         /* probe_mmio_device said yes */
	uint32_t version;   /* MMIO version register */
	uint32_t device_id; /* 0: empty */
	enum dev_type type;
	int disk;           /* the disk brought up here, or -1 */
	struct virtio_mmio_transport transport;
};

/* What the guest found at one PCI function. */
struct vm_pci_function {
	uint32_t bdf;
	struct pci_function_info info;
	struct pci_bar_info bars[PCI_NUM_BARS];
	int bar_error;      /* from pci_assign_bars, 0 if all went well */
	bool found;         /* probe_pci_device said yes */
	enum dev_type type;
	int disk;           /* the disk brought up here, or -1 */
	struct virtio_pci_transport transport;
};

struct virtio_blk;
struct virtio_blk_device;

/*
 * The layout is the same whatever the build options (users include this
 * without config.h): per-class driver state hangs off pointers.
 */
struct vm {
	struct machine machine;
	bool poll;
	/* Host side. */
	struct vm_disk disks[VM_MAX_DISKS];
	unsigned disk_count;
	/* Guest side. */
	struct vm_slot slots[MACHINE_MMIO_SLOTS];
	unsigned slot_count;
	struct pci_root pci_root;
	struct vm_pci_function pci[VM_MAX_PCI_FUNCTIONS];
	unsigned pci_count;
	struct virtio_blk_device *blk[VM_MAX_DISKS]; /* disk n's driver */
};

/*
 * Build the machine (host side). A build without virtio-blk
 * (--disable-blk) refuses disks. On bad input (a missing, unreadable or
 * badly sized image) fails with one line in @err and a negative errno.
 */
int vm_create(struct vm *vm, const struct vm_config *cfg, char *err,
	      size_t errlen);
/*
 * Guest side: probe every MMIO slot, enumerate PCI bus 0 and what lies
 * behind it, and bring up each disk's driver. Returns 0 with every disk
 * up, or the first driver error (a negative enum dev_err) with @err
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
