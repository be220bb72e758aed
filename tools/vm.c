/*
 * vm.c - build a machine from a vm_config (host side) and run the
 * platform's probe over its MMIO slots and PCI bus (guest side).
 */
#include "tools/vm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/wire/virtio_mmio.h"

#ifdef VIRTSIM_HAVE_BLK
#include "devices/blk/blk_model.h"
#include "devices/blk/disk.h"
#include "devices/virtio/virtio_mmio.h"
#include "devices/virtio/virtio_pci.h"
#include "drivers/adapter/blk_device.h"

/* Host side: a blk model on @dc's image, on the transport it asks for. */
static int vm_add_disk(struct vm *vm, unsigned n,
		       const struct vm_disk_config *dc, char *err,
		       size_t errlen)
{
	char serial[32];
	struct blk_model_options bo = {.serial =
					   dc->serial ? dc->serial : serial};
	struct virtio_dev *dev;
	struct disk *disk;
	int where;

	disk = disk_file_open(dc->path, dc->readonly, err, errlen);
	if (!disk)
		return -EINVAL;
	snprintf(serial, sizeof(serial), "virtsim-%u", n);
	dev = blk_model_create(&vm->machine.env, disk, &bo);
	if (!dev) { /* the model closed the disk */
		snprintf(err, errlen, "%s: out of memory", dc->path);
		return -ENOMEM;
	}
	if (dc->transport == VM_TRANSPORT_PCI)
		where = virtio_pci_attach(&vm->machine, dev, NULL);
	else
		where = virtio_mmio_attach(&vm->machine, dev, dc->mmio_version);
	if (where < 0) {
		blk_model_destroy(dev);
		snprintf(err, errlen, "%s: no room for it on the %s: %s",
			 dc->path,
			 dc->transport == VM_TRANSPORT_PCI ? "PCI bus"
							   : "MMIO slots",
			 strerror(-where));
		return where;
	}
	vm->disks[n] = (struct vm_disk){dc->path, dc->readonly, dc->transport,
					(unsigned)where, dev};
	return 0;
}

/* Guest side: bring up the driver of disk @n on @t. */
static int vm_start_disk(struct vm *vm, unsigned n, struct virtio_transport *t,
			 unsigned irq_line, char *err, size_t errlen)
{
	/* No routed line: the driver polls. */
	struct virtio_blk_options bo = {.use_irq = !vm->poll &&
						   irq_line != VIRTIO_NO_IRQ};
	int ret;

	vm->blk[n] = calloc(1, sizeof(*vm->blk[n]));
	if (!vm->blk[n]) {
		snprintf(err, errlen, "disk %u: out of memory", n);
		return -DEV_ERR_NO_MEMORY;
	}
	ret = virtio_blk_device_init(vm->blk[n], t, &bo, irq_line);
	if (ret) {
		snprintf(err, errlen, "disk %u (%s): driver init failed: %s",
			 n, vm->disks[n].path, dev_err_name(ret));
		free(vm->blk[n]);
		vm->blk[n] = NULL;
	}
	return ret;
}

struct block_device *vm_disk(struct vm *vm, unsigned n)
{
	return n < VM_MAX_DISKS && vm->blk[n] ? virtio_blk_device_base(vm->blk[n])
						 : NULL;
}

struct virtio_blk *vm_virtio_blk(struct vm *vm, unsigned n)
{
	return n < VM_MAX_DISKS && vm->blk[n] ? &vm->blk[n]->blk : NULL;
}

static void vm_stop_disks(struct vm *vm)
{
	for (unsigned i = 0; i < VM_MAX_DISKS; i++) {
		if (vm->blk[i])
			virtio_blk_device_destroy(vm->blk[i]);
		free(vm->blk[i]);
		vm->blk[i] = NULL;
	}
}

static void vm_destroy_disks(struct vm *vm)
{
	for (unsigned i = 0; i < vm->disk_count; i++)
		blk_model_destroy(vm->disks[i].model);
	vm->disk_count = 0;
}
#else /* !VIRTSIM_HAVE_BLK */
static int vm_add_disk(struct vm *vm, unsigned n,
		       const struct vm_disk_config *dc, char *err,
		       size_t errlen)
{
	snprintf(err, errlen, "%s: this virtsim was built without virtio-blk "
		 "(--disable-blk)", dc->path);
	return -ENOTSUP;
}

static int vm_start_disk(struct vm *vm, unsigned n, struct virtio_transport *t,
			 unsigned irq_line, char *err, size_t errlen)
{
	return 0; /* no driver: the device stays in the table, unused */
}

struct block_device *vm_disk(struct vm *vm, unsigned n)
{
	return NULL;
}

struct virtio_blk *vm_virtio_blk(struct vm *vm, unsigned n)
{
	return NULL;
}

static void vm_stop_disks(struct vm *vm)
{
}

static void vm_destroy_disks(struct vm *vm) {}
#endif

int vm_create(struct vm *vm, const struct vm_config *cfg, char *err,
	      size_t errlen)
{
	struct machine_options mo = {.mem_size = cfg->mem_size,
				     .mode = cfg->mode,
				     .seed = cfg->seed,
				     .trace_mask = cfg->trace_mask,
				     .trace_out = cfg->trace_out};
	int ret;

	memset(vm, 0, sizeof(*vm));
	if (cfg->disk_count > VM_MAX_DISKS) {
		snprintf(err, errlen, "at most %d disks", VM_MAX_DISKS);
		return -EINVAL;
	}
	ret = machine_init(&vm->machine, &mo);
	if (ret) {
		snprintf(err, errlen, "cannot map %llu bytes of guest RAM: %s",
			 (unsigned long long)(cfg->mem_size ? cfg->mem_size
							    : MACHINE_DEFAULT_MEM),
			 strerror(-ret));
		return ret;
	}
	vm->poll = cfg->poll;
	for (unsigned i = 0; i < cfg->disk_count; i++) {
		ret = vm_add_disk(vm, i, &cfg->disks[i], err, errlen);
		if (ret)
			goto fail;
		vm->disk_count++;
	}
	if (cfg->empty_slot &&
	    (ret = virtio_mmio_attach_empty(&vm->machine)) < 0) {
		snprintf(err, errlen, "no MMIO slot left for the empty one");
		goto fail;
	}
	return 0;
fail:
	machine_destroy(&vm->machine, false);
	vm_destroy_disks(vm);
	return ret < 0 ? ret : -EINVAL;
}

/* The disk the host put at @transport/@where, or -1. */
static int vm_disk_at(const struct vm *vm, enum vm_transport transport,
		      unsigned where)
{
	for (unsigned n = 0; n < vm->disk_count; n++)
		if (vm->disks[n].transport == transport &&
		    vm->disks[n].where == where)
			return (int)n;
	return -1;
}

static int vm_probe_mmio(struct vm *vm, char *err, size_t errlen)
{
	const struct hal *hal = machine_hal(&vm->machine);

	vm->slot_count = vm->machine.mmio_slots_used;
	for (unsigned s = 0; s < vm->slot_count; s++) {
		struct vm_slot *slot = &vm->slots[s];
		int n, ret;

		slot->base = machine_mmio_slot_base(s);
		slot->irq_line = MACHINE_MMIO_IRQ_BASE + s;
		slot->disk = -1;
		/* What the header says, for the table, even for "none". */
		slot->version = hal_mmio_read32(hal, slot->base +
						VIRTIO_MMIO_VERSION);
		slot->device_id = hal_mmio_read32(hal, slot->base +
						  VIRTIO_MMIO_DEVICE_ID);
		slot->found = probe_mmio_device(hal, slot->base,
						MACHINE_MMIO_SLOT_SIZE,
						&slot->transport, &slot->type);
		n = vm_disk_at(vm, VM_TRANSPORT_MMIO, s);
		if (!slot->found || slot->type != DEV_TYPE_BLOCK || n < 0)
			continue;
		slot->transport.irq_line = slot->irq_line;
		ret = vm_start_disk(vm, (unsigned)n, &slot->transport.base,
				    slot->irq_line, err, errlen);
		if (ret)
			return ret;
		slot->disk = n;
	}
	return 0;
}

/* Firmware's part: BARs from the window, decoding and bus mastering on. */
static void vm_pci_setup_function(struct vm *vm, struct vm_pci_function *f)
{
	struct pci_root *root = &vm->pci_root;
	unsigned nbars = pci_bar_count(f->info.header_type);

	f->bar_error = pci_assign_bars(root, f->bdf);
	if (!f->bar_error)
		pci_enable(root, f->bdf);
	for (unsigned b = 0; b < nbars; b++) {
		if (pci_bar_info_read(root, f->bdf, b, &f->bars[b]))
			continue;
		if (f->bars[b].type == PCI_BAR_MEM64)
			b++; /* the upper half stays PCI_BAR_NONE */
	}
}

static int vm_probe_pci(struct vm *vm, char *err, size_t errlen)
{
	struct pci_root *root = &vm->pci_root;
	struct pci_function_info info;
	struct pci_enum it;
	uint32_t bdf;
	int ret;

	ret = pci_root_init(root, machine_hal(&vm->machine), MACHINE_ECAM_BASE,
			    MACHINE_ECAM_BUSES);
	if (ret) {
		snprintf(err, errlen, "PCI: cannot map ECAM: %s",
			 pci_error_name(ret));
		return -DEV_ERR_IO;
	}
	pci_root_set_mmio_window(root, MACHINE_PCI_MMIO_BASE,
				 MACHINE_PCI_MMIO_SIZE);
	pci_enum_begin(&it, root, 0);
	while (vm->pci_count < VM_MAX_PCI_FUNCTIONS &&
	       pci_enum_next(&it, &bdf, &info) > 0) {
		struct vm_pci_function *f = &vm->pci[vm->pci_count++];
		int n = -1;

		f->bdf = bdf;
		f->info = info;
		f->disk = -1;
		vm_pci_setup_function(vm, f);
		f->found = probe_pci_device(root, bdf, &info, &f->transport,
					    &f->type);
		if (pci_bdf_bus(bdf) == 0 && pci_bdf_fn(bdf) == 0)
			n = vm_disk_at(vm, VM_TRANSPORT_PCI, pci_bdf_dev(bdf));
		if (!f->found || f->type != DEV_TYPE_BLOCK || n < 0)
			continue;
		ret = vm_start_disk(vm, (unsigned)n, &f->transport.base,
				    f->transport.irq_line, err, errlen);
		if (ret)
			return ret;
		f->disk = n;
	}
	return 0;
}

int vm_probe(struct vm *vm, char *err, size_t errlen)
{
	int ret = vm_probe_mmio(vm, err, errlen);

	if (!ret)
		ret = vm_probe_pci(vm, err, errlen);
	if (ret)
		return ret;
	/* Every disk the host placed must have been found and brought up. */
	for (unsigned n = 0; n < vm->disk_count; n++) {
		if (!vm_disk(vm, n)) {
			snprintf(err, errlen, "disk %u (%s): the probe did not "
				 "find it", n, vm->disks[n].path);
			return -DEV_ERR_BAD_STATE;
		}
	}
	return 0;
}

unsigned vm_destroy(struct vm *vm, bool report)
{
	unsigned errors;

	vm_stop_disks(vm);
	errors = machine_destroy(&vm->machine, report);
	vm_destroy_disks(vm);
	return errors;
}
