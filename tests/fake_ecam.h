/* SPDX-License-Identifier: MIT */
/*
 * fake_ecam.h - a test double for the PCIe host bridge: an ECAM region on
 * the machine's bus whose functions are 256-byte config arrays with
 * per-byte write masks (writing all ones to a BAR reads back its size
 * mask), plus a fake modern virtio function behind memory BARs.
 */
#ifndef VIRTSIM_TESTS_FAKE_ECAM_H
#define VIRTSIM_TESTS_FAKE_ECAM_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/pci/pci.h"
#include "sim/machine.h"

#define FAKE_MAX_FN 32

struct fake_fn {
	bool used;
	uint32_t bdf;
	uint8_t cfg[256];
	uint8_t wmask[256];
	unsigned bar_writes_decoding; /* BAR writes with decode on */
};

struct fake_ecam {
	struct fake_fn fn[FAKE_MAX_FN];
	uint64_t accesses; /* reads and writes that reached the region */
};

/* Replace the machine's ECAM window with this fake one. */
void fake_ecam_map(struct fake_ecam *e, struct machine *m);
/*
 * The PCI suites' fixture: a small machine whose ECAM is @e (emptied),
 * and @root over it, with no MMIO window yet.
 */
void fake_ecam_machine(struct fake_ecam *e, struct machine *m,
		       struct pci_root *root);
struct fake_fn *fake_fn_add(struct fake_ecam *e, uint32_t bdf,
			    uint16_t vendor, uint16_t device, uint8_t class_code,
			    uint8_t subclass, uint8_t header);
struct fake_fn *fake_fn_find(struct fake_ecam *e, uint32_t bdf);

void fake_put8(struct fake_fn *f, unsigned reg, uint8_t v);
void fake_put16(struct fake_fn *f, unsigned reg, uint16_t v);
void fake_put32(struct fake_fn *f, unsigned reg, uint32_t v);
uint16_t fake_get16(const struct fake_fn *f, unsigned reg);
uint32_t fake_get32(const struct fake_fn *f, unsigned reg);

/* BAR @bar: @flags are its read-only low bits (IO, type, prefetch). */
void fake_bar32(struct fake_fn *f, unsigned bar, uint32_t size,
		uint32_t flags);
void fake_bar64(struct fake_fn *f, unsigned bar, uint64_t size,
		bool prefetch);
/* A bridge's bus numbers. */
void fake_bridge_buses(struct fake_fn *f, uint8_t primary, uint8_t secondary,
		       uint8_t subordinate);
/* Start the capability list at @first (sets the status bit). */
void fake_cap_list(struct fake_fn *f, uint8_t first);
/* A virtio vendor capability at @pos (cap_len @len: 16 or 20). */
void fake_vcap(struct fake_fn *f, uint8_t pos, uint8_t next, uint8_t len,
	       uint8_t cfg_type, uint8_t bar, uint32_t offset, uint32_t length,
	       uint32_t multiplier);

/*
 * A fake modern virtio device: BAR0 (32-bit, 16 KiB) holds common cfg at
 * 0, ISR at 0x1000 and device cfg at 0x2000; BAR2 (64-bit, 4 KiB) is
 * the notify region. Two queues.
 */
#define FAKE_VDEV_BAR0_SIZE 0x4000u
#define FAKE_VDEV_BAR2_SIZE 0x1000u
#define FAKE_VDEV_ISR 0x1000u
#define FAKE_VDEV_DEVCFG 0x2000u
#define FAKE_VDEV_QUEUES 2

struct fake_vq {
	uint16_t size_max, size, enable, notify_off;
	uint32_t desc[2], driver[2], device[2];
	bool enabled_with_addrs; /* every address set when enabled */
};

struct fake_vdev {
	struct fake_fn *fn;
	uint8_t mem[FAKE_VDEV_BAR0_SIZE]; /* device cfg bytes etc. */
	uint32_t dfsel, drvsel, dfeat[2], drvfeat[2];
	uint16_t num_queues, qsel;
	uint8_t status, generation, isr;
	struct fake_vq q[FAKE_VDEV_QUEUES];
	uint64_t bar0, bar2;
	unsigned decode_off_accesses; /* BAR accesses with decode off */
	unsigned notifies, notify_size;
	uint32_t notify_off;
	uint32_t notify_val;
};

/*
 * Add the fake virtio function at @bdf with the standard capability list:
 * 0x40 COMMON, 0x50 NOTIFY (multiplier 4), 0x64 ISR, 0x74 DEVICE (0x20
 * bytes), 0x84 PCI_CFG (ignored), 0x98 MSI-X. Interrupt pin A, line 5.
 */
struct fake_fn *fake_vdev_add(struct fake_ecam *e, struct fake_vdev *v,
			      uint32_t bdf, uint16_t device_id);
/* Map BAR0 and BAR2 on the bus where they are programmed now. */
void fake_vdev_map_bars(struct fake_vdev *v, struct machine *m);

#endif /* VIRTSIM_TESTS_FAKE_ECAM_H */
