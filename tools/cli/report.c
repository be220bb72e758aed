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

/* What both tables say of a device: its type, name, unit and details. */
static void json_device(struct json *j, const struct platform_device *dev,
			const char *name, const struct vm_device *d)
{
	char unit[24], details[96];

	unit_columns(d, unit, sizeof(unit), details, sizeof(details));
	json_string(j, "type", dev->found ? dev_type_name(dev->type) : NULL);
	json_string(j, "name", name);
	json_string(j, "unit", d && d->driver ? unit : NULL);
	json_string(j, "details", d && d->driver ? details : NULL);
}

static void report_mmio(struct vm *vm, struct json *j)
{
	if (j) {
		json_begin_array(j, "mmio");
		for (unsigned s = 0; s < vm->platform.mmio_count; s++) {
			const struct platform_mmio_slot *slot =
			    &vm->platform.mmio[s];

			json_begin_object(j, NULL);
			json_uint(j, "slot", s);
			json_uint(j, "address", slot->base);
			json_uint(j, "version", slot->version);
			json_uint(j, "device_id", slot->dev.device_id);
			json_device(j, &slot->dev,
				    virtio_id_name(slot->dev.device_id),
				    vm_device_at(vm, VM_TRANSPORT_MMIO, s));
			json_end_object(j);
		}
		json_end_array(j);
		return;
	}
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

static const char *const bar_kind[] = {
    [PCI_BAR_MEM32] = "mem32", [PCI_BAR_MEM64] = "mem64", [PCI_BAR_IO] = "io"};

static void json_bars(struct json *j, const struct platform_pci_function *f)
{
	json_string(j, "bar_error",
		    f->bar_error ? pci_error_name(f->bar_error) : NULL);
	json_begin_array(j, "bars");
	for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
		const struct pci_bar_info *bar = &f->bars[b];

		if (bar->type == PCI_BAR_NONE)
			continue;
		json_begin_object(j, NULL);
		json_uint(j, "bar", b);
		json_uint(j, "address", bar->address);
		json_uint(j, "size", bar->size);
		json_string(j, "kind", bar_kind[bar->type]);
		json_bool(j, "prefetchable", bar->prefetchable);
		json_end_object(j);
	}
	json_end_array(j);
}

static void report_bars(const struct platform_pci_function *f)
{
	if (f->bar_error)
		printf("%9sBARs not assigned: %s\n", "",
		       pci_error_name(f->bar_error));
	for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
		const struct pci_bar_info *bar = &f->bars[b];

		if (bar->type == PCI_BAR_NONE)
			continue;
		printf("%9sBAR%u 0x%08" PRIx64 " %" PRIu64 " KiB %s%s\n", "", b,
		       bar->address, bar->size >> 10, bar_kind[bar->type],
		       bar->prefetchable ? " prefetchable" : "");
	}
}

/* The driver unit at a function: devices sit at function 0 of bus 0. */
static const struct vm_device *pci_unit(struct vm *vm,
					const struct platform_pci_function *f)
{
	if (pci_bdf_bus(f->bdf) != 0 || pci_bdf_fn(f->bdf) != 0)
		return NULL;
	return vm_device_at(vm, VM_TRANSPORT_PCI, pci_bdf_dev(f->bdf));
}

static void json_pci(struct vm *vm, struct json *j)
{
	json_begin_array(j, "pci");
	for (unsigned i = 0; i < vm->platform.pci_count; i++) {
		const struct platform_pci_function *f = &vm->platform.pci[i];

		json_begin_object(j, NULL);
		json_stringf(j, "bdf", "%02x:%02x.%x", pci_bdf_bus(f->bdf),
			     pci_bdf_dev(f->bdf), pci_bdf_fn(f->bdf));
		json_uint(j, "vendor_id", f->info.vendor_id);
		json_uint(j, "device_id", f->info.device_id);
		json_uint(j, "class", f->info.class_code);
		json_uint(j, "subclass", f->info.subclass);
		json_uint(j, "prog_if", f->info.prog_if);
		json_device(j, &f->dev, pci_function_name(&f->info),
			    pci_unit(vm, f));
		json_bars(j, f);
		json_end_object(j);
	}
	json_end_array(j);
}

static void report_pci(struct vm *vm)
{
	printf("PCI bus\n"
	       "bdf      vendor:device  class     type     name            "
	       "unit  details\n");
	for (unsigned i = 0; i < vm->platform.pci_count; i++) {
		const struct platform_pci_function *f = &vm->platform.pci[i];
		char unit[24], details[96];

		unit_columns(pci_unit(vm, f), unit, sizeof(unit), details,
			     sizeof(details));
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

void report_machine(struct vm *vm, struct json *j)
{
	const struct machine *m = &vm->machine;

	if (j) {
		json_begin_object(j, "machine");
		json_uint(j, "ram_bytes", m->mem.size);
		json_uint(j, "ram_base", MACHINE_RAM_BASE);
		json_end_object(j);
		report_mmio(vm, j);
		json_pci(vm, j);
		return;
	}
	printf("virtsim %s: %" PRIu64 " MiB guest RAM at 0x%llx, %u MMIO "
	       "slot%s, %u PCI function%s, %s mode, seed %" PRIu64 "\n",
	       PACKAGE_VERSION, m->mem.size >> 20, MACHINE_RAM_BASE,
	       vm->platform.mmio_count, vm->platform.mmio_count == 1 ? "" : "s",
	       vm->platform.pci_count, vm->platform.pci_count == 1 ? "" : "s",
	       sim_mode_name(m->env.mode), m->env.seed);
	report_mmio(vm, NULL);
	report_pci(vm);
}

void json_blk_transfer(struct json *j, unsigned unit, uint64_t lba,
		       uint64_t blocks, uint32_t block_size, double ms)
{
	uint64_t bytes = blocks * block_size;

	json_stringf(j, "disk", "blk%u", unit);
	json_uint(j, "lba", lba);
	json_uint(j, "blocks", blocks);
	json_uint(j, "block_size", block_size);
	json_uint(j, "bytes", bytes);
	json_double(j, "ms", ms);
	json_double(j, "mib_s",
		    ms > 0 ? (double)bytes / (1 << 20) * 1000 / ms : 0);
}
