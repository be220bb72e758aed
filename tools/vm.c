/*
 * vm.c - build a machine from a vm_config (host side) and run the
 * platform's probe over its MMIO slots (guest side).
 */
#include "tools/vm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef VIRTSIM_HAVE_BLK
#include "devices/blk/blk_model.h"
#include "devices/blk/disk.h"
#include "drivers/adapter/blk_device.h"

static int vm_add_disk(struct vm *vm, unsigned n,
		       const struct vm_disk_config *dc, char *err,
		       size_t errlen)
{
	char serial[32];
	struct virtio_dev *dev;
	struct disk *disk;
	int slot;

	disk = disk_file_open(dc->path, dc->readonly, err, errlen);
	if (!disk)
		return -EINVAL;
	snprintf(serial, sizeof(serial), "virtsim-%u", n);
	dev = blk_model_create(disk, dc->serial ? dc->serial : serial,
			       &vm->machine.mem);
	if (!dev) { /* the model closed the disk */
		snprintf(err, errlen, "%s: out of memory", dc->path);
		return -ENOMEM;
	}
	slot = machine_add_mmio(&vm->machine, dev, dc->mmio_version);
	if (slot < 0) {
		dev->ops->destroy(dev);
		snprintf(err, errlen, "%s: no MMIO slot for it: %s", dc->path,
			 strerror(-slot));
		return slot;
	}
	vm->slots[slot].model = dev;
	vm->slots[slot].path = dc->path;
	vm->slots[slot].readonly = dc->readonly;
	return 0;
}

/* Guest side: bring up the driver of disk @n on @slot's transport. */
static int vm_start_disk(struct vm *vm, unsigned n, struct vm_slot *slot,
			 char *err, size_t errlen)
{
	struct virtio_blk_options bo = {.use_irq = !vm->poll};
	int ret;

	vm->blk[n] = calloc(1, sizeof(*vm->blk[n]));
	if (!vm->blk[n]) {
		snprintf(err, errlen, "disk %u: out of memory", n);
		return -VIRTIO_ERR_DMA_ERROR;
	}
	ret = virtio_blk_device_init(vm->blk[n], &slot->transport.base, &bo,
				     slot->irq_line);
	if (ret) {
		snprintf(err, errlen, "disk %u (%s): driver init failed: %s",
			 n, slot->path ? slot->path : "?", dev_err_name(ret));
		free(vm->blk[n]);
		vm->blk[n] = NULL;
	}
	return ret;
}

struct block_device *vm_disk(struct vm *vm, unsigned n)
{
	return n < VM_MAX_DISKS && vm->blk[n] ? &vm->blk[n]->base : NULL;
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
#else /* !VIRTSIM_HAVE_BLK */
static int vm_add_disk(struct vm *vm, unsigned n,
		       const struct vm_disk_config *dc, char *err,
		       size_t errlen)
{
	snprintf(err, errlen, "%s: this virtsim was built without virtio-blk "
		 "(--disable-blk)", dc->path);
	return -ENOTSUP;
}

static int vm_start_disk(struct vm *vm, unsigned n, struct vm_slot *slot,
			 char *err, size_t errlen)
{
	return 0; /* no driver: the slot stays in the table, unused */
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
#endif

int vm_create(struct vm *vm, const struct vm_config *cfg, char *err,
	      size_t errlen)
{
	struct machine_options mo = {.mem_size = cfg->mem_size};
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
	}
	if (cfg->empty_slot && (ret = machine_add_mmio_placeholder(
					&vm->machine)) < 0) {
		snprintf(err, errlen, "no MMIO slot left for the empty one");
		goto fail;
	}
	vm->slot_count = vm->machine.mmio_slots_used;
	vm->disk_count = cfg->disk_count;
	for (unsigned s = 0; s < vm->slot_count; s++) {
		vm->slots[s].base = machine_mmio_slot_base(s);
		vm->slots[s].irq_line = MACHINE_MMIO_IRQ_BASE + s;
	}
	return 0;
fail:
	machine_destroy(&vm->machine, false);
	return ret < 0 ? ret : -EINVAL;
}

int vm_probe(struct vm *vm, char *err, size_t errlen)
{
	const struct hal *hal = machine_hal(&vm->machine);
	unsigned disk = 0;
	int ret;

	for (unsigned s = 0; s < vm->slot_count; s++) {
		struct vm_slot *slot = &vm->slots[s];

		/* What the header says, for the table, even for "none". */
		slot->version = hal_mmio_read32(hal, slot->base +
						VIRTIO_MMIO_VERSION);
		slot->device_id = hal_mmio_read32(hal, slot->base +
						  VIRTIO_MMIO_DEVICE_ID);
		slot->found = probe_mmio_device(hal, slot->base,
						MACHINE_MMIO_SLOT_SIZE,
						&slot->transport, &slot->type);
		if (!slot->found || slot->type != DEV_TYPE_BLOCK)
			continue;
		slot->transport.irq_line = slot->irq_line;
		if (disk == VM_MAX_DISKS)
			continue;
		ret = vm_start_disk(vm, disk++, slot, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

unsigned vm_destroy(struct vm *vm, bool report)
{
	vm_stop_disks(vm);
	return machine_destroy(&vm->machine, report);
}
