/* SPDX-License-Identifier: MIT */
/*
 * platform.h - the guest's platform code: find a machine's VirtIO
 * devices the way a kernel's board setup does. Each MMIO window goes
 * through probe_mmio_device; the PCI bus is enumerated through ECAM,
 * every function gets its memory BARs from the platform's window, memory
 * decoding and bus mastering, and goes through probe_pci_device.
 *
 * Freestanding and allocation-free, like the rest of drivers/: the
 * caller owns struct platform (the transports inside it stay where they
 * are, so keep it in place while drivers use them).
 */
#ifndef VIRTSIM_DRIVERS_PLATFORM_H
#define VIRTSIM_DRIVERS_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/base/dev.h"
#include "drivers/pci/pci.h"
#include "drivers/virtio/mmio_transport.h"
#include "drivers/virtio/pci_transport.h"
#include "hal/hal.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PLATFORM_MAX_MMIO 32u
#define PLATFORM_MAX_PCI 64u

/* One VirtIO MMIO window, as a device tree describes it. */
struct platform_mmio_window {
	uint64_t base;
	size_t size;
	unsigned irq_line; /* VIRTIO_NO_IRQ: none wired */
};

/*
 * The PCIe root: ECAM, where memory BARs may go, and how INTx reaches
 * the CPU. By default a function's PCI_INTERRUPT_LINE is trusted when
 * firmware could have written it (not 0, its reset value, nor 0xff);
 * a function without a line is polled.
 */
struct platform_pci_root {
	uint64_t ecam_base;
	unsigned buses;
	uint64_t mmio_base, mmio_size;
	/* Firmware (or the machine) wrote every PCI_INTERRUPT_LINE, so a
	 * 0 there is line 0, not "never set". */
	bool line_zero_assigned;
	/* Or: the platform routes INTx itself (a device tree's
	 * interrupt-map, a board's swizzle), pin 1..4 of @bdf to a line,
	 * VIRTIO_NO_IRQ for none. Takes precedence over the register. */
	unsigned (*intx_route)(void *ctx, uint32_t bdf, uint8_t pin);
	void *intx_ctx;
};

/* What the probe found at one place, MMIO slot or PCI function. */
struct platform_device {
	bool found;	    /* probe said yes: a type this build drives */
	enum dev_type type; /* valid when found */
	uint32_t device_id; /* VirtIO device id; 0: empty or not VirtIO */
	unsigned irq_line;  /* VIRTIO_NO_IRQ: the driver must poll */
	struct virtio_transport *transport; /* valid when found */
};

struct platform_mmio_slot {
	struct platform_device dev;
	uint64_t base;
	uint32_t version; /* the Version register, even for "none" */
	struct virtio_mmio_transport transport;
};

struct platform_pci_function {
	struct platform_device dev;
	uint32_t bdf;
	struct pci_function_info info;
	struct pci_bar_info bars[PCI_NUM_BARS];
	int bar_error; /* from pci_assign_bars; 0 if all went well */
	struct virtio_pci_transport transport;
};

struct platform {
	const struct hal *hal;
	struct platform_mmio_slot mmio[PLATFORM_MAX_MMIO];
	unsigned mmio_count;
	bool has_pci;
	struct pci_root pci_root;
	struct platform_pci_function pci[PLATFORM_MAX_PCI];
	unsigned pci_count;
};

void platform_init(struct platform *p, const struct hal *hal);
/*
 * Probe @n windows (at most PLATFORM_MAX_MMIO are kept): a bad header,
 * an empty slot or an unsupported type is "none", never an error.
 */
void platform_probe_mmio(struct platform *p,
			 const struct platform_mmio_window *w, unsigned n);
/*
 * Enumerate @root's buses (bridges the firmware numbered included),
 * assign BARs, enable each function and probe it. Returns 0, or the
 * pci_root_init error when the ECAM window cannot be mapped.
 */
int platform_probe_pci(struct platform *p,
		       const struct platform_pci_root *root);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DRIVERS_PLATFORM_H */
