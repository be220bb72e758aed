/* SPDX-License-Identifier: MIT */
/*
 * vm.c - build a machine from a vm_config (host side), then run the
 * guest's platform code over it and bring up a driver for every device
 * it finds (guest side), each through its device class.
 */
#include "tools/vm/vm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtio_mmio.h"
#include "devices/virtio/virtio_pci.h"
#include "drivers/wire/virtio_config.h"

/* Host side: the model of @dc, on the transport it asks for. */
static int vm_add_device(struct vm *vm, const struct vm_device_config *dc,
			 char *err, size_t errlen)
{
	const struct device_class *cls = dc->cls;
	struct vm_device *d = &vm->devices[vm->device_count];
	int version = dc->mmio_version ? dc->mmio_version : 2;
	int where, ret;

	if (cls->disabled) {
		snprintf(err, errlen, "this virtsim was built without %s (%s)",
			 cls->title, cls->disabled);
		return -ENOTSUP;
	}
	if (vm->machine.env.mode == SIM_MODE_THREAD && !cls->thread_mode) {
		snprintf(err, errlen,
			 "%s: not in --mode thread (only blk models run on "
			 "host threads)",
			 cls->name);
		return -ENOTSUP;
	}
	if (dc->transport == VM_TRANSPORT_MMIO && version != 1 &&
	    version != 2) {
		snprintf(err, errlen, "%s: MMIO version %d is not 1 or 2",
			 cls->name, dc->mmio_version);
		return -EINVAL;
	}
	*d = (struct vm_device){.cls = cls,
				.unit = vm_unit_count(vm, cls),
				.transport = dc->transport};
	ret = cls->create(d, &vm->machine.env, dc->options, err, errlen);
	if (ret)
		return ret;
	vm->device_count++; /* from here on, vm_destroy releases it */
	if (dc->transport == VM_TRANSPORT_MMIO && version == 1 &&
	    (d->model->host_features & VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM))) {
		/* Bit 33 does not exist for a legacy device (QEMU refuses
		 * iommu_platform on one as well). */
		snprintf(err, errlen,
			 "%s%u: access_platform=on needs a modern device "
			 "(version=2 or transport=pci), not legacy version=1",
			 cls->name, d->unit);
		return -EINVAL;
	}
	if (dc->transport == VM_TRANSPORT_PCI)
		where = virtio_pci_attach(&vm->machine, d->model, NULL);
	else
		where = virtio_mmio_attach(&vm->machine, d->model, version);
	if (where < 0) {
		snprintf(err, errlen, "%s%u: no room for it on the %s: %s",
			 cls->name, d->unit,
			 dc->transport == VM_TRANSPORT_PCI ? "PCI bus"
							   : "MMIO slots",
			 strerror(-where));
		return where;
	}
	d->where = (unsigned)where;
	return 0;
}

static void vm_destroy_devices(struct vm *vm)
{
	while (vm->device_count) {
		struct vm_device *d = &vm->devices[--vm->device_count];

		d->cls->destroy(d);
	}
}

int vm_create(struct vm *vm, const struct vm_config *cfg, char *err,
	      size_t errlen)
{
	struct machine_options mo = {.mem_size = cfg->mem_size,
				     .mode = cfg->mode,
				     .dma = cfg->dma,
				     .seed = cfg->seed,
				     .trace_mask = cfg->trace_mask,
				     .trace_out = cfg->trace_out,
				     .faults = cfg->faults,
				     .fault_count = cfg->fault_count,
				     .strict = cfg->strict,
				     .strict_violation = cfg->strict_violation,
				     .strict_opaque = cfg->strict_opaque};
	int ret;

	memset(vm, 0, sizeof(*vm));
	if (cfg->device_count > VM_MAX_DEVICES) {
		snprintf(err, errlen, "at most %d devices", VM_MAX_DEVICES);
		return -EINVAL;
	}
	ret = machine_init(&vm->machine, &mo);
	if (ret == -ENOTSUP) {
		snprintf(err, errlen,
			 "--mode thread: no fault injection (the injector "
			 "is not thread-safe)");
		return ret;
	}
	if (ret == -E2BIG) {
		snprintf(err, errlen, "more than %u fault arms", FAULT_MAX_ARMS);
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "cannot map %llu bytes of guest RAM: %s",
			 (unsigned long long)(cfg->mem_size
						  ? cfg->mem_size
						  : MACHINE_DEFAULT_MEM),
			 strerror(-ret));
		return ret;
	}
	vm->poll = cfg->poll;
	for (unsigned i = 0; i < cfg->device_count; i++) {
		ret = vm_add_device(vm, &cfg->devices[i], err, errlen);
		if (ret)
			goto fail;
	}
	if (cfg->empty_slot &&
	    (ret = virtio_mmio_attach_empty(&vm->machine)) < 0) {
		snprintf(err, errlen, "no MMIO slot left for the empty one");
		goto fail;
	}
	return 0;
fail:
	vm_destroy_devices(vm);
	machine_destroy(&vm->machine, false);
	return ret < 0 ? ret : -EINVAL;
}

struct vm_device *vm_device(struct vm *vm, const struct device_class *cls,
			    unsigned unit)
{
	for (unsigned i = 0; i < vm->device_count; i++)
		if (vm->devices[i].cls == cls && vm->devices[i].unit == unit)
			return &vm->devices[i];
	return NULL;
}

struct vm_device *vm_device_at(struct vm *vm, enum vm_transport transport,
			       unsigned where)
{
	for (unsigned i = 0; i < vm->device_count; i++)
		if (vm->devices[i].transport == transport &&
		    vm->devices[i].where == where)
			return &vm->devices[i];
	return NULL;
}

unsigned vm_unit_count(const struct vm *vm, const struct device_class *cls)
{
	unsigned n = 0;

	for (unsigned i = 0; i < vm->device_count; i++)
		n += vm->devices[i].cls == cls;
	return n;
}

/* Guest side: the class's driver on what the probe found at @f. */
static int vm_bring_up(struct vm *vm, struct vm_device *d,
		       struct platform_device *f, char *err, size_t errlen)
{
	int ret;

	d->found = f;
	if (!f->found || f->device_id != d->cls->virtio_id)
		return 0; /* the check after the probe names it */
	d->virtio_error = 0;
	ret = d->cls->bring_up(d, f->transport, f->irq_line, vm->poll);
	if (ret && d->virtio_error)
		snprintf(err, errlen, "%s%u: driver init failed: %s -> %s",
			 d->cls->name, d->unit,
			 virtio_error_name(d->virtio_error), dev_err_name(ret));
	else if (ret)
		snprintf(err, errlen, "%s%u: driver init failed: %s",
			 d->cls->name, d->unit, dev_err_name(ret));
	return ret;
}

static void vm_probe_mmio(struct vm *vm)
{
	struct platform_mmio_window w[MACHINE_MMIO_SLOTS];
	unsigned n = vm->machine.mmio_slots_used;

	for (unsigned s = 0; s < n; s++)
		w[s] = (struct platform_mmio_window){machine_mmio_slot_base(s),
						     MACHINE_MMIO_SLOT_SIZE,
						     machine_mmio_slot_irq(s)};
	platform_probe_mmio(&vm->platform, w, n);
}

static int vm_probe_pci(struct vm *vm, char *err, size_t errlen)
{
	/* The host bridge writes every function's PCI_INTERRUPT_LINE as
	 * firmware would (pci_host.c): trust it, 0 included. */
	static const struct platform_pci_root root = {
	    .ecam_base = MACHINE_ECAM_BASE,
	    .buses = MACHINE_ECAM_BUSES,
	    .mmio_base = MACHINE_PCI_MMIO_BASE,
	    .mmio_size = MACHINE_PCI_MMIO_SIZE,
	    .line_zero_assigned = true};
	int ret = platform_probe_pci(&vm->platform, &root);

	if (ret)
		snprintf(err, errlen, "PCI: cannot map ECAM: %s",
			 pci_error_name(ret));
	return ret ? -DEV_ERR_IO : 0;
}

int vm_scan(struct vm *vm, char *err, size_t errlen)
{
	platform_init(&vm->platform, machine_hal(&vm->machine));
	vm_probe_mmio(vm);
	return vm_probe_pci(vm, err, errlen);
}

int vm_bring_up_device(struct vm *vm, struct vm_device *d, char *err,
		       size_t errlen)
{
	struct platform *p = &vm->platform;
	struct platform_device *f = NULL;
	int ret;

	if (d->transport == VM_TRANSPORT_MMIO && d->where < p->mmio_count)
		f = &p->mmio[d->where].dev;
	for (unsigned k = 0;
	     d->transport == VM_TRANSPORT_PCI && k < p->pci_count; k++)
		if (p->pci[k].bdf == PCI_BDF(0, d->where, 0))
			f = &p->pci[k].dev;
	ret = f ? vm_bring_up(vm, d, f, err, errlen) : 0;
	if (ret)
		return ret;
	if (!d->driver) {
		snprintf(err, errlen, "%s%u: the probe did not find it",
			 d->cls->name, d->unit);
		return -DEV_ERR_BAD_STATE;
	}
	return 0;
}

int vm_probe(struct vm *vm, char *err, size_t errlen)
{
	int ret = vm_scan(vm, err, errlen);

	for (unsigned i = 0; !ret && i < vm->device_count; i++)
		ret = vm_bring_up_device(vm, &vm->devices[i], err, errlen);
	return ret;
}

unsigned vm_destroy(struct vm *vm, bool report)
{
	unsigned errors;

	for (unsigned i = 0; i < vm->device_count; i++) {
		struct vm_device *d = &vm->devices[i];

		if (d->driver)
			d->cls->teardown(d);
		d->driver = NULL;
	}
	/* Models first: they cancel what they left on the event loop. The
	 * front-ends released after them never look at a model again. */
	vm_destroy_devices(vm);
	errors = machine_destroy(&vm->machine, report);
	return errors;
}

unsigned vm_selftest_devices(struct vm_device_config *cfg, unsigned max)
{
	unsigned n = 0;

	for (const struct device_class *const *c = device_classes; *c; c++) {
		if ((*c)->disabled)
			continue;
		for (unsigned i = 0; i < (*c)->selftest_device_count && n < max;
		     i++)
			cfg[n++] = (*c)->selftest_devices[i];
	}
	return n;
}
