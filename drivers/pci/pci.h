/* SPDX-License-Identifier: MIT */
/*
 * pci.h - a PCI root complex seen through ECAM: configuration access,
 * bus enumeration, function info, BAR sizing and assignment, command
 * register, and capability-list iteration.
 *
 * All accesses go through the HAL's MMIO accessors on the mapped ECAM
 * window (PCIe base spec §7.2.2): address = base + (bus << 20 | dev << 15 |
 * fn << 12 | reg). Nothing here allocates memory; iterators are plain
 * structs the caller owns.
 *
 * Typical use (platform code, before probing drivers):
 *
 *	struct pci_root root;
 *	struct pci_enum it;
 *	struct pci_function_info info;
 *	uint32_t bdf;
 *
 *	pci_root_init(&root, hal, ecam_paddr, buses);
 *	pci_root_set_mmio_window(&root, mmio_base, mmio_size);
 *	pci_enum_begin(&it, &root, 0);
 *	while (pci_enum_next(&it, &bdf, &info) > 0) {
 *		if (pci_assign_bars(&root, bdf) == 0)
 *			pci_enable(&root, bdf);	// memory decode + bus master
 *		... probe_pci_device(&root, bdf, &info, &transport, &type) ...
 *	}
 */
#ifndef VIRTSIM_DRIVERS_PCI_H
#define VIRTSIM_DRIVERS_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/wire/pci_regs.h"
#include "hal/hal.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bus/device/function packed as bus << 8 | dev << 3 | fn. */
#define PCI_BDF(bus, dev, fn)                                              \
	((((uint32_t)(bus)&0xffu) << 8) | (((uint32_t)(dev)&0x1fu) << 3) | \
	 ((uint32_t)(fn)&0x7u))

static inline unsigned pci_bdf_bus(uint32_t bdf) { return (bdf >> 8) & 0xffu; }
static inline unsigned pci_bdf_dev(uint32_t bdf) { return (bdf >> 3) & 0x1fu; }
static inline unsigned pci_bdf_fn(uint32_t bdf) { return bdf & 0x7u; }

/* PCI functions return 0 or one of these, negated. */
enum pci_error {
	PCI_ERR_NO_DEVICE = 1, /* no function there (vendor reads 0xffff) */
	PCI_ERR_INVALID,       /* bad argument: BAR index, register, bdf */
	PCI_ERR_BAD_CAP,       /* malformed capability list (loop, pointer) */
	PCI_ERR_NO_SPACE,      /* the MMIO window cannot hold the BAR */
	PCI_ERR_UNSUPPORTED,   /* IO BAR to assign, reserved BAR type */
	PCI_ERR_NO_WINDOW,     /* no MMIO window given to the root */
};

/* "NoDevice", ... for @err or -@err; "Unknown" for anything else. */
const char *pci_error_name(int err);

/* One ECAM segment: buses 0 .. buses-1 at ecam_paddr. */
struct pci_root {
	const struct hal *hal;
	uint64_t ecam_paddr;
	uintptr_t ecam; /* HAL MMIO handle of the window */
	unsigned buses;
	/* Bump allocator for memory BARs over the platform's window. */
	uint64_t mmio_base, mmio_size, mmio_next;
};

/*
 * Map the ECAM window of @buses buses (1..256) at @ecam_paddr.
 * Returns 0, -PCI_ERR_INVALID (bad count, misaligned base) or
 * -PCI_ERR_NO_DEVICE when the HAL cannot map it.
 */
int pci_root_init(struct pci_root *root, const struct hal *hal,
		  uint64_t ecam_paddr, unsigned buses);

/*
 * Give the root the MMIO window memory BARs are assigned from. A window
 * reaching above 4 GiB still serves 32-bit BARs from its part below.
 */
void pci_root_set_mmio_window(struct pci_root *root, uint64_t base,
			      uint64_t size);

/*
 * Configuration access. @reg must be naturally aligned and below 4096,
 * @bdf on a bus the root covers: otherwise reads give all ones and writes
 * are dropped, as an unclaimed configuration access would.
 */
uint8_t pci_config_read8(struct pci_root *root, uint32_t bdf, unsigned reg);
uint16_t pci_config_read16(struct pci_root *root, uint32_t bdf, unsigned reg);
uint32_t pci_config_read32(struct pci_root *root, uint32_t bdf, unsigned reg);
void pci_config_write8(struct pci_root *root, uint32_t bdf, unsigned reg,
		       uint8_t val);
void pci_config_write16(struct pci_root *root, uint32_t bdf, unsigned reg,
			uint16_t val);
void pci_config_write32(struct pci_root *root, uint32_t bdf, unsigned reg,
			uint32_t val);

/* What identifies a function (the seed's DeviceFunctionInfo). */
struct pci_function_info {
	uint16_t vendor_id;
	uint16_t device_id;
	uint8_t revision;
	uint8_t prog_if;
	uint8_t subclass;
	uint8_t class_code;
	uint8_t header_type; /* without the multi-function bit */
	bool multi_function;
	uint16_t subsystem_vendor_id; /* 0 unless header type 0 */
	uint16_t subsystem_id;
	uint8_t interrupt_pin; /* 0: none, 1..4: INTA..INTD */
	uint8_t interrupt_line;
};

/* Read @bdf's identification; -PCI_ERR_NO_DEVICE if nothing answers. */
int pci_function_info_read(struct pci_root *root, uint32_t bdf,
			   struct pci_function_info *info);

/*
 * Enumeration. Walks bus @bus, the functions of a device only when
 * function 0 is multi-function, and then (depth first) the secondary
 * buses of PCI-to-PCI bridges the firmware has already numbered, each bus
 * at most once. Bridges are not renumbered.
 */
struct pci_enum {
	struct pci_root *root;
	unsigned bus, dev, fn;
	bool multi;       /* function 0 of the current device is multi-fn */
	bool done;
	uint8_t pending[PCI_MAX_BUSES / 8]; /* buses found behind bridges */
	uint8_t visited[PCI_MAX_BUSES / 8];
};

void pci_enum_begin(struct pci_enum *it, struct pci_root *root, unsigned bus);
/*
 * The next present function: returns 1 and fills @bdf and @info, or 0
 * when the walk is over.
 */
int pci_enum_next(struct pci_enum *it, uint32_t *bdf,
		  struct pci_function_info *info);

/* Base Address Registers. */
enum pci_bar_type {
	PCI_BAR_NONE,  /* not implemented (or the upper half of a 64-bit BAR) */
	PCI_BAR_MEM32,
	PCI_BAR_MEM64,
	PCI_BAR_IO,
};

struct pci_bar_info {
	enum pci_bar_type type;
	bool prefetchable;
	uint64_t address; /* as currently programmed */
	uint64_t size;    /* power of two; 0 for PCI_BAR_NONE */
};

/* How many BARs the header type has: 6, 2 for bridges, 0 otherwise. */
unsigned pci_bar_count(uint8_t header_type);

/*
 * Size BAR @bar of @bdf: memory and IO decoding are off while all ones
 * are written, the original BAR and command values are restored. A 64-bit
 * BAR covers @bar and @bar + 1; callers step by 2 over it. Returns 0, or
 * -PCI_ERR_INVALID for an index outside the header, -PCI_ERR_UNSUPPORTED
 * for a reserved memory type, -PCI_ERR_NO_DEVICE for an absent function.
 */
int pci_bar_info_read(struct pci_root *root, uint32_t bdf, unsigned bar,
		      struct pci_bar_info *info);

/*
 * Size BAR @bar, take a naturally aligned range of its size from the
 * root's MMIO window and program it (a 64-bit BAR as two halves, low
 * first). Decoding is off while the BAR changes and the command register
 * is restored afterwards. @info (optional) gets the result. IO BARs give
 * -PCI_ERR_UNSUPPORTED (no IO window); an unimplemented BAR is left alone
 * and gives 0 with type PCI_BAR_NONE.
 */
int pci_bar_assign(struct pci_root *root, uint32_t bdf, unsigned bar,
		   struct pci_bar_info *info);

/*
 * Assign every memory BAR of @bdf (IO BARs are left as they are).
 * Returns 0 or the first error.
 */
int pci_assign_bars(struct pci_root *root, uint32_t bdf);

uint16_t pci_command_read(struct pci_root *root, uint32_t bdf);
void pci_command_write(struct pci_root *root, uint32_t bdf, uint16_t cmd);
/* Turn on memory decoding and bus mastering (command bits 1 and 2). */
void pci_enable(struct pci_root *root, uint32_t bdf);

/*
 * Capability list iteration (status bit 4, pointer at 0x34). Each
 * pointer must be >= 0x40 and dword aligned; a pointer seen twice is a
 * loop. A bad list ends the walk with -PCI_ERR_BAD_CAP, never a hang.
 */
struct pci_cap_iter {
	struct pci_root *root;
	uint32_t bdf;
	uint8_t next;
	int error;
	uint64_t seen; /* one bit per dword slot 0x40..0xfc */
};

void pci_cap_iter_begin(struct pci_cap_iter *it, struct pci_root *root,
			uint32_t bdf);
/*
 * 1 with the capability's config offset and id, 0 at the end of the
 * list, or -PCI_ERR_BAD_CAP (and every later call too) for a bad list.
 */
int pci_cap_iter_next(struct pci_cap_iter *it, uint8_t *offset, uint8_t *id);

/* Offset of the first capability with @id: 0 if none, or negative error. */
int pci_find_capability(struct pci_root *root, uint32_t bdf, uint8_t id);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DRIVERS_PCI_H */
