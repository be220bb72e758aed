/* SPDX-License-Identifier: MIT */
/*
 * pci_host.h - a PCIe host bridge: an ECAM configuration window that
 * dispatches config accesses to registered PCI functions, an MMIO window
 * their memory BARs decode in, and INTx routing onto interrupt lines.
 *
 * A struct pci_function is a generic type 0 function: a 4 KiB config
 * space with per-byte write masks (read-only ids stay read-only), memory
 * BARs that are mapped on the bus only while memory decoding is on and the
 * BAR holds an address inside the MMIO window, the command register
 * (memory, bus master, INTx disable), the status register (capability
 * list, interrupt status) and a capability list. Front-ends such as
 * virtio-pci embed one and fill in its ids, BARs and capabilities.
 *
 * ECAM (PCIe base spec §7.2.2): offset = bus << 20 | dev << 15 | fn << 12
 * | reg. Accesses are 1, 2 or 4 bytes, naturally aligned; absent
 * functions read all ones and drop writes.
 */
#ifndef VIRTSIM_SIM_PCI_HOST_H
#define VIRTSIM_SIM_PCI_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/wire/pci_regs.h"
#include "sim/bus.h"
#include "sim/irq.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PCI_HOST_MAX_BUSES 256u
#define PCI_HOST_MAX_FUNCTIONS 64u

/* The host bridge at 00:00.0 (QEMU's gpex ids, so it looks familiar). */
#define PCI_HOST_BRIDGE_VENDOR 0x1b36
#define PCI_HOST_BRIDGE_DEVICE 0x0008

struct pci_function;
struct pci_host;

/*
 * Optional hooks of a function. config_read runs before the bytes of a
 * config read are assembled (to refresh computed fields); config_write
 * runs after a write has been stored through the write masks and the
 * header side effects (BAR mapping, command) are done. release, if set,
 * frees the function at pci_host_destroy (the host owns it then).
 */
struct pci_function_ops {
	void (*config_read)(struct pci_function *f, unsigned reg,
			    unsigned size);
	void (*config_write)(struct pci_function *f, unsigned reg, uint32_t val,
			     unsigned size);
	void (*release)(struct pci_function *f);
};

struct pci_bar {
	uint64_t size; /* power of two >= 16; 0: BAR not implemented */
	bool is64;     /* 64-bit: takes this BAR and the next */
	bool prefetchable;
	const struct bus_region_ops *ops; /* accesses at offsets in the BAR */
	void *opaque;
	bool mapped;   /* currently decoded on the bus */
	uint64_t addr; /* where it is mapped (valid while mapped) */
};

struct pci_function {
	const struct pci_function_ops *ops;
	const char *name;
	struct pci_host *host; /* set by pci_host_add_function */
	uint8_t bus, dev, fn;
	uint8_t cfg[PCI_CONFIG_SIZE];
	uint8_t wmask[PCI_CONFIG_SIZE]; /* 1 bits: the guest may write */
	struct pci_bar bar[PCI_NUM_BARS];
	uint8_t cap_last; /* config offset of the last capability, 0: none */
	uint16_t cap_next_free; /* where the next capability goes */
	bool intx_asserted;	/* the function's INTx output, before disable */
	unsigned intx_line;	/* routed interrupt line (valid with a pin) */
};

struct pci_host {
	struct bus *bus;
	struct irq_ctl *irq;
	uint64_t ecam_base;
	unsigned buses;
	uint64_t mmio_base, mmio_size; /* BARs decode only inside this */
	unsigned irq_base;	       /* INTA..INTD swizzle onto base..+3 */
	bool ecam_mapped;
	struct pci_function bridge; /* 00:00.0 */
	struct pci_function *fns[PCI_HOST_MAX_FUNCTIONS];
	unsigned fn_count;
	uint64_t config_reads, config_writes, unclaimed;
};

/*
 * Map the ECAM window of @buses buses (1..256) at @ecam_base on @bus and
 * register the host bridge function at 00:00.0. BARs of functions are
 * decoded only inside [@mmio_base, @mmio_base + @mmio_size). Returns 0 or
 * a negative errno (-EINVAL, or bus_map's error).
 */
int pci_host_init(struct pci_host *h, struct bus *bus, struct irq_ctl *irq,
		  uint64_t ecam_base, unsigned buses, uint64_t mmio_base,
		  uint64_t mmio_size, unsigned irq_base);
/* Unmap every BAR and the ECAM window; release functions with a hook. */
void pci_host_destroy(struct pci_host *h);

/*
 * Register @f at @bus:@dev.@fn. A function other than 0 sets the
 * multi-function bit of function 0 of the same device (now, or when
 * function 0 arrives later). Returns 0, -EINVAL (out of range), -EEXIST
 * (taken) or -ENOSPC.
 */
int pci_host_add_function(struct pci_host *h, struct pci_function *f,
			  unsigned bus, unsigned dev, unsigned fn);
/* The function at @bus:@dev.@fn, or NULL. */
struct pci_function *pci_host_function(struct pci_host *h, unsigned bus,
				       unsigned dev, unsigned fn);
/* The lowest device number on @bus with no function 0 (or -ENOSPC). */
int pci_host_free_device(struct pci_host *h, unsigned bus);
/* Interrupt line that @dev's pin @pin (1..4) is routed to (swizzle). */
unsigned pci_host_intx_line(const struct pci_host *h, unsigned dev,
			    unsigned pin);
/* Guest-physical address of a config register, for tests and tools. */
static inline uint64_t pci_host_ecam_addr(const struct pci_host *h,
					  unsigned bus, unsigned dev,
					  unsigned fn, unsigned reg)
{
	return h->ecam_base + ((uint64_t)bus << 20 | (uint64_t)dev << 15 |
			       (uint64_t)fn << 12 | reg);
}

/*
 * Function building. pci_function_init zeroes @f and sets the ids, class
 * (class/subclass/prog_if) and interrupt pin (0: none, 1..4: INTA..D);
 * the command and status registers are the only writable header fields
 * until BARs are added (plus cache line size and interrupt line).
 */
void pci_function_init(struct pci_function *f,
		       const struct pci_function_ops *ops, const char *name,
		       uint16_t vendor, uint16_t device, uint8_t revision,
		       uint8_t class_code, uint8_t subclass, uint8_t prog_if,
		       uint8_t pin);
/* Subsystem vendor and id (type 0 header, read-only). */
void pci_function_set_subsystem(struct pci_function *f, uint16_t vendor,
				uint16_t id);
/*
 * Implement memory BAR @index of @size bytes (a power of two >= 16), as
 * 64-bit (taking @index + 1 too) or 32-bit. Accesses to the BAR while it
 * is decoded go to @ops with @opaque. Returns 0 or -EINVAL.
 */
int pci_function_set_bar(struct pci_function *f, unsigned index, uint64_t size,
			 bool is64, bool prefetchable,
			 const struct bus_region_ops *ops, void *opaque);
/*
 * Append a capability of @len bytes (>= 2) with id @id to the list; its
 * id and next pointer are read-only, the body is zero and read-only.
 * Returns its config offset, or -ENOSPC / -EINVAL.
 */
int pci_function_add_cap(struct pci_function *f, uint8_t id, unsigned len);

/* Raw config access, as the ECAM window does (for front-ends and tests). */
uint32_t pci_function_config_read(struct pci_function *f, unsigned reg,
				  unsigned size);
void pci_function_config_write(struct pci_function *f, unsigned reg,
			       uint32_t val, unsigned size);

/* Little-endian helpers over cfg[] for builders (no masks, no hooks). */
static inline void pci_cfg_set8(struct pci_function *f, unsigned reg, uint8_t v)
{
	f->cfg[reg] = v;
}

static inline void pci_cfg_set16(struct pci_function *f, unsigned reg,
				 uint16_t v)
{
	f->cfg[reg] = (uint8_t)v;
	f->cfg[reg + 1] = (uint8_t)(v >> 8);
}

static inline void pci_cfg_set32(struct pci_function *f, unsigned reg,
				 uint32_t v)
{
	pci_cfg_set16(f, reg, (uint16_t)v);
	pci_cfg_set16(f, reg + 2, (uint16_t)(v >> 16));
}

static inline uint16_t pci_cfg_get16(const struct pci_function *f, unsigned reg)
{
	return (uint16_t)(f->cfg[reg] | f->cfg[reg + 1] << 8);
}

static inline uint32_t pci_cfg_get32(const struct pci_function *f, unsigned reg)
{
	return (uint32_t)pci_cfg_get16(f, reg) |
	       (uint32_t)pci_cfg_get16(f, reg + 2) << 16;
}

/* Make [reg, reg + len) guest-writable (e.g. PCI_CFG capability fields). */
void pci_function_set_writable(struct pci_function *f, unsigned reg,
			       unsigned len);

static inline bool pci_function_mem_enabled(const struct pci_function *f)
{
	return pci_cfg_get16(f, PCI_COMMAND) & PCI_COMMAND_MEMORY;
}

static inline bool pci_function_bus_master(const struct pci_function *f)
{
	return pci_cfg_get16(f, PCI_COMMAND) & PCI_COMMAND_MASTER;
}

/*
 * Drive the function's INTx output (level semantics). The status
 * register's interrupt bit follows it; the routed line is high while any
 * function on it asserts and does not have INTx disabled.
 */
void pci_function_set_irq(struct pci_function *f, bool level);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_SIM_PCI_HOST_H */
