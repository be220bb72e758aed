/*
 * The machine: RAM, bus, interrupt lines and the simulated HAL, with VirtIO
 * devices placed in MMIO slots. Devices run in sync mode: their work
 * happens inside the notify register write.
 */
#include "sim/machine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtio_dev.h"
#include "devices/virtio/virtio_mmio.h"
#include "devices/virtio/virtio_pci.h"

int machine_init(struct machine *m, const struct machine_options *opts)
{
	uint64_t mem_size = opts && opts->mem_size ? opts->mem_size
						   : MACHINE_DEFAULT_MEM;
	int ret;

	memset(m, 0, sizeof(*m));
	ret = guest_mem_init(&m->mem, MACHINE_RAM_BASE, mem_size);
	if (ret)
		return ret;
	bus_init(&m->bus);
	irq_init(&m->irq);
	ret = pci_host_init(&m->pci, &m->bus, &m->irq, MACHINE_ECAM_BASE,
			    MACHINE_ECAM_BUSES, MACHINE_PCI_MMIO_BASE,
			    MACHINE_PCI_MMIO_SIZE, MACHINE_PCI_IRQ_BASE);
	if (ret)
		goto fail_mem;
	ret = sim_hal_init(&m->hal, &m->mem, &m->bus, &m->irq);
	if (ret)
		goto fail_pci;
	return 0;
fail_pci:
	pci_host_destroy(&m->pci);
fail_mem:
	guest_mem_destroy(&m->mem);
	return ret;
}

static int machine_take_device(struct machine *m, struct virtio_dev *dev)
{
	if (m->device_count == sizeof(m->devices) / sizeof(m->devices[0]))
		return -ENOSPC;
	m->devices[m->device_count++] = dev;
	return 0;
}

static int machine_map_mmio_slot(struct machine *m, struct virtio_dev *dev,
				 int version)
{
	unsigned slot = m->mmio_slots_used;
	struct virtio_mmio_dev *md;
	int ret;

	if (slot == MACHINE_MMIO_SLOTS)
		return -ENOSPC;
	if (version != 1 && version != 2)
		return -EINVAL;
	md = calloc(1, sizeof(*md));
	if (!md)
		return -ENOMEM;
	virtio_mmio_dev_init(md, dev, version, &m->irq,
			     MACHINE_MMIO_IRQ_BASE + slot);
	ret = bus_map(&m->bus, machine_mmio_slot_base(slot),
		      MACHINE_MMIO_SLOT_SIZE, &virtio_mmio_region_ops, md,
		      dev ? dev->name : "virtio-mmio-empty");
	if (ret) {
		free(md);
		return ret;
	}
	m->mmio[slot] = md;
	m->mmio_slots_used++;
	return (int)slot;
}

int machine_add_mmio(struct machine *m, struct virtio_dev *dev, int version)
{
	int ret;

	if (!dev)
		return -EINVAL;
	ret = machine_take_device(m, dev);
	if (ret)
		return ret;
	ret = machine_map_mmio_slot(m, dev, version);
	if (ret < 0)
		m->device_count--; /* not ours after all: the caller keeps it */
	return ret;
}

int machine_add_mmio_placeholder(struct machine *m)
{
	return machine_map_mmio_slot(m, NULL, 2);
}

int machine_add_pci_function(struct machine *m, unsigned slot, unsigned fn,
			     struct virtio_dev *dev,
			     const struct virtio_pci_quirks *quirks)
{
	struct virtio_pci_dev *vp;
	int ret;

	if (!dev)
		return -EINVAL;
	if (slot >= PCI_MAX_DEVICES || fn >= PCI_MAX_FUNCTIONS)
		return -EINVAL;
	if (pci_host_function(&m->pci, 0, slot, fn))
		return -EEXIST;
	ret = virtio_pci_dev_create(dev, quirks, &vp);
	if (ret)
		return ret;
	ret = machine_take_device(m, dev);
	if (ret)
		goto fail;
	ret = pci_host_add_function(&m->pci, &vp->fn, 0, slot, fn);
	if (ret) {
		m->device_count--; /* not ours after all: the caller keeps it */
		goto fail;
	}
	return 0;
fail:
	free(vp);
	dev->irq = (struct virtio_dev_irq){0};
	return ret;
}

int machine_add_pci(struct machine *m, struct virtio_dev *dev,
		    const struct virtio_pci_quirks *quirks)
{
	int slot = pci_host_free_device(&m->pci, 0);
	int ret;

	if (slot < 0)
		return slot;
	ret = machine_add_pci_function(m, (unsigned)slot, 0, dev, quirks);
	return ret ? ret : slot;
}

unsigned machine_destroy(struct machine *m, bool report)
{
	unsigned errors;

	for (unsigned i = 0; i < m->device_count; i++) {
		if (m->devices[i]->ops->destroy)
			m->devices[i]->ops->destroy(m->devices[i]);
	}
	for (unsigned i = 0; i < m->mmio_slots_used; i++)
		free(m->mmio[i]);
	pci_host_destroy(&m->pci); /* frees the virtio-pci front-ends */
	errors = sim_hal_destroy(&m->hal, report);
	guest_mem_destroy(&m->mem);
	memset(m, 0, sizeof(*m));
	return errors;
}
