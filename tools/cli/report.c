/* SPDX-License-Identifier: MIT */
/*
 * report.c - the device tables: what the guest found in each MMIO slot
 * and at each PCI function, and which unit's driver runs there.
 */
#include <inttypes.h>
#include <stdio.h>

#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_pci.h"
#include "tools/cli/workload.h"

static const char *virtio_id_name(uint32_t id)
{
	const struct device_class *cls = device_class_for_id(id);

	if (cls)
		return cls->title;
	switch (id) {
	case 0:
		return "(empty)";
	case VIRTIO_ID_NET:
		return "virtio-net";
	case VIRTIO_ID_BLOCK:
		return "virtio-blk";
	case VIRTIO_ID_CONSOLE:
		return "virtio-console";
	case VIRTIO_ID_RNG:
		return "virtio-rng";
	case VIRTIO_ID_GPU:
		return "virtio-gpu";
	case VIRTIO_ID_INPUT:
		return "virtio-input";
	}
	return "virtio-?";
}

/* The unit column ("blk0") and the class's details, or "-". */
static void unit_columns(const struct vm_device *d, char *unit, size_t ulen,
			 char *details, size_t dlen)
{
	if (!d || !d->driver) {
		snprintf(unit, ulen, "-");
		snprintf(details, dlen, "-");
		return;
	}
	snprintf(unit, ulen, "%s%u", d->cls->name, d->unit);
	d->cls->describe(d, details, dlen);
}

static void report_mmio(struct vm *vm)
{
	printf("MMIO slots\n"
	       "slot  address     mmio  id  type     name            unit  "
	       "details\n");
	for (unsigned s = 0; s < vm->platform.mmio_count; s++) {
		const struct platform_mmio_slot *slot = &vm->platform.mmio[s];
		char unit[24], details[96];

		unit_columns(vm_device_at(vm, VM_TRANSPORT_MMIO, s), unit,
			     sizeof(unit), details, sizeof(details));
		printf("%4u  0x%08" PRIx64 "  v%-3" PRIu32 " %2" PRIu32
		       "  %-7s  %-14s  %-4s  %s\n",
		       s, slot->base, slot->version, slot->dev.device_id,
		       slot->dev.found ? dev_type_name(slot->dev.type) : "none",
		       virtio_id_name(slot->dev.device_id), unit, details);
	}
}

static const char *pci_function_name(const struct pci_function_info *info)
{
	if (info->vendor_id == VIRTIO_PCI_VENDOR_ID)
		return virtio_id_name(virtio_pci_device_type(info));
	if (info->class_code == PCI_CLASS_BRIDGE &&
	    info->subclass == PCI_SUBCLASS_BRIDGE_HOST)
		return "host bridge";
	if (info->class_code == PCI_CLASS_BRIDGE)
		return "bridge";
	return "other";
}

static void report_bars(const struct platform_pci_function *f)
{
	static const char *const kind[] = {[PCI_BAR_MEM32] = "mem32",
					   [PCI_BAR_MEM64] = "mem64",
					   [PCI_BAR_IO] = "io"};

	if (f->bar_error)
		printf("%9sBARs not assigned: %s\n", "",
		       pci_error_name(f->bar_error));
	for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
		const struct pci_bar_info *bar = &f->bars[b];

		if (bar->type == PCI_BAR_NONE)
			continue;
		printf("%9sBAR%u 0x%08" PRIx64 " %" PRIu64 " KiB %s%s\n", "", b,
		       bar->address, bar->size >> 10, kind[bar->type],
		       bar->prefetchable ? " prefetchable" : "");
	}
}

static void report_pci(struct vm *vm)
{
	printf("PCI bus\n"
	       "bdf      vendor:device  class     type     name            "
	       "unit  details\n");
	for (unsigned i = 0; i < vm->platform.pci_count; i++) {
		const struct platform_pci_function *f = &vm->platform.pci[i];
		const struct vm_device *d = NULL;
		char unit[24], details[96];

		if (pci_bdf_bus(f->bdf) == 0 && pci_bdf_fn(f->bdf) == 0)
			d = vm_device_at(vm, VM_TRANSPORT_PCI,
					 pci_bdf_dev(f->bdf));
		unit_columns(d, unit, sizeof(unit), details, sizeof(details));
		printf("%02x:%02x.%x  %04x:%04x      %02x.%02x.%02x  %-7s  "
		       "%-14s  %-4s  %s\n",
		       pci_bdf_bus(f->bdf), pci_bdf_dev(f->bdf),
		       pci_bdf_fn(f->bdf), f->info.vendor_id, f->info.device_id,
		       f->info.class_code, f->info.subclass, f->info.prog_if,
		       f->dev.found ? dev_type_name(f->dev.type) : "none",
		       pci_function_name(&f->info), unit, details);
		report_bars(f);
	}
}

void report_machine(struct vm *vm)
{
	const struct machine *m = &vm->machine;

	printf("virtsim %s: %" PRIu64 " MiB guest RAM at 0x%llx, %u MMIO "
	       "slot%s, %u PCI function%s, %s mode, seed %" PRIu64 "\n",
	       PACKAGE_VERSION, m->mem.size >> 20, MACHINE_RAM_BASE,
	       vm->platform.mmio_count, vm->platform.mmio_count == 1 ? "" : "s",
	       vm->platform.pci_count, vm->platform.pci_count == 1 ? "" : "s",
	       sim_mode_name(m->env.mode), m->env.seed);
	report_mmio(vm);
	report_pci(vm);
}
