/*
 * machine.h - one simulated machine: guest RAM, the MMIO bus, interrupt
 * lines, the simulated HAL, and VirtIO devices in MMIO slots (and on the
 * PCIe host bridge).
 *
 * Memory map (guest physical):
 *   0x0a000000  VirtIO MMIO slots, 0x200 bytes each, MACHINE_MMIO_SLOTS
 *   0x10000000  PCI MMIO window for BARs (256 MiB)
 *   0x30000000  PCIe ECAM configuration space (16 buses)
 *   0x40000000  RAM (--mem bytes)
 */
#ifndef VIRTSIM_SIM_MACHINE_H
#define VIRTSIM_SIM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/bus.h"
#include "sim/guest_mem.h"
#include "sim/irq.h"
#include "sim/pci_host.h"
#include "sim/sim_hal.h"

#define MACHINE_MMIO_BASE 0x0a000000ull
#define MACHINE_MMIO_SLOT_SIZE 0x200ull
#define MACHINE_MMIO_SLOTS 32
#define MACHINE_MMIO_IRQ_BASE 16 /* slot n raises line 16 + n */
#define MACHINE_PCI_MMIO_BASE 0x10000000ull
#define MACHINE_PCI_MMIO_SIZE 0x10000000ull
#define MACHINE_ECAM_BASE 0x30000000ull
#define MACHINE_ECAM_BUSES 16
#define MACHINE_PCI_IRQ_BASE 4 /* INTA..INTD on lines 4..7 */
#define MACHINE_RAM_BASE 0x40000000ull
#define MACHINE_DEFAULT_MEM (128ull << 20)

struct virtio_dev;
struct virtio_mmio_dev;
struct virtio_pci_quirks;

struct machine_options {
	uint64_t mem_size; /* 0: MACHINE_DEFAULT_MEM */
};

struct machine {
	struct guest_mem mem;
	struct bus bus;
	struct irq_ctl irq;
	struct sim_hal hal;
	unsigned mmio_slots_used;
	struct virtio_mmio_dev *mmio[MACHINE_MMIO_SLOTS];
	struct pci_host pci; /* ECAM, host bridge at 00:00.0, BAR window */
	struct virtio_dev *devices[MACHINE_MMIO_SLOTS + PCI_HOST_MAX_FUNCTIONS];
	unsigned device_count;
};

int machine_init(struct machine *m, const struct machine_options *opts);
/*
 * Tear down devices and memory. Returns the HAL's book-keeping error count
 * (leaked DMA, double frees, ...), each reported on stderr when @report.
 */
unsigned machine_destroy(struct machine *m, bool report);

/* The HAL a driver stack running on this machine uses. */
static inline const struct hal *machine_hal(struct machine *m)
{
	return &m->hal.hal;
}

/*
 * Put @dev in the next free MMIO slot as MMIO @version (1 legacy, 2
 * modern). The machine owns @dev from now on (ops->destroy at teardown).
 * Returns the slot index, or a negative errno.
 */
int machine_add_mmio(struct machine *m, struct virtio_dev *dev, int version);
/* An empty slot whose DeviceID reads 0, as QEMU leaves unused slots. */
int machine_add_mmio_placeholder(struct machine *m);

/*
 * Put @dev on PCI bus 0 as a modern virtio-pci function (function 0 of
 * the next free device number), broken as @quirks says (NULL: a correct
 * function). The machine owns @dev from now on. Returns the device
 * number, or a negative errno.
 */
int machine_add_pci(struct machine *m, struct virtio_dev *dev,
		    const struct virtio_pci_quirks *quirks);
/*
 * Put @dev at bus 0, device @slot, function @fn (a multi-function device
 * when @fn is not 0, or joins one: function 0 gets the multi-function
 * bit). Returns 0 or a negative errno (-EEXIST if taken).
 */
int machine_add_pci_function(struct machine *m, unsigned slot, unsigned fn,
			     struct virtio_dev *dev,
			     const struct virtio_pci_quirks *quirks);

/* Guest-physical address of config register @reg of bus 0 @slot.@fn. */
static inline uint64_t machine_pci_config_addr(unsigned slot, unsigned fn,
					       unsigned reg)
{
	return MACHINE_ECAM_BASE +
	       ((uint64_t)slot << 15 | (uint64_t)fn << 12 | reg);
}

static inline uint64_t machine_mmio_slot_base(unsigned slot)
{
	return MACHINE_MMIO_BASE + slot * MACHINE_MMIO_SLOT_SIZE;
}

#endif /* VIRTSIM_SIM_MACHINE_H */
