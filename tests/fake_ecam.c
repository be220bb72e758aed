/* SPDX-License-Identifier: MIT */
/*
 * fake_ecam.c - the test double of the PCIe host bridge and of a modern
 * virtio function (see fake_ecam.h).
 */
#include "tests/fake_ecam.h"

#include <check.h>
#include <stddef.h>
#include <string.h>

#include "drivers/pci/pci.h"
#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_pci.h"

struct fake_fn *fake_fn_find(struct fake_ecam *e, uint32_t bdf)
{
	for (unsigned i = 0; i < FAKE_MAX_FN; i++) {
		if (e->fn[i].used && e->fn[i].bdf == bdf)
			return &e->fn[i];
	}
	return NULL;
}

static uint32_t ecam_read(void *opaque, uint64_t offset, unsigned size)
{
	struct fake_ecam *e = opaque;
	struct fake_fn *f = fake_fn_find(e, (uint32_t)(offset >> 12));
	unsigned reg = offset & 0xfff;
	uint32_t v = 0;

	e->accesses++;
	if (!f)
		return 0xffffffffu >> (32 - 8 * size);
	for (unsigned i = 0; i < size; i++) {
		if (reg + i < sizeof(f->cfg))
			v |= (uint32_t)f->cfg[reg + i] << (8 * i);
	}
	return v;
}

static void ecam_write(void *opaque, uint64_t offset, uint32_t val,
		       unsigned size)
{
	struct fake_ecam *e = opaque;
	struct fake_fn *f = fake_fn_find(e, (uint32_t)(offset >> 12));
	unsigned reg = offset & 0xfff;

	e->accesses++;
	if (!f)
		return;
	if (reg >= PCI_BAR0 && reg < PCI_BAR0 + 24 &&
	    (f->cfg[PCI_COMMAND] & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY)))
		f->bar_writes_decoding++;
	for (unsigned i = 0; i < size && reg + i < sizeof(f->cfg); i++) {
		uint8_t b = (uint8_t)(val >> (8 * i));
		uint8_t m = f->wmask[reg + i];

		f->cfg[reg + i] = (uint8_t)((f->cfg[reg + i] & ~m) | (b & m));
	}
}

static const struct bus_region_ops ecam_ops = {
	.read = ecam_read,
	.write = ecam_write,
	.aligned_only = true,
};

void fake_ecam_map(struct fake_ecam *e, struct machine *m)
{
	/* Stand in for the machine's own host bridge. */
	ck_assert_int_eq(bus_unmap(&m->bus, MACHINE_ECAM_BASE), 0);
	ck_assert_int_eq(bus_map(&m->bus, MACHINE_ECAM_BASE,
				 (uint64_t)MACHINE_ECAM_BUSES << 20, &ecam_ops,
				 e, "fake-ecam"),
			 0);
}

void fake_ecam_machine(struct fake_ecam *e, struct machine *m,
		       struct pci_root *root)
{
	struct machine_options o = {.mem_size = 4u << 20};

	memset(e, 0, sizeof(*e));
	ck_assert_int_eq(machine_init(m, &o), 0);
	fake_ecam_map(e, m);
	ck_assert_int_eq(pci_root_init(root, machine_hal(m), MACHINE_ECAM_BASE,
				       MACHINE_ECAM_BUSES),
			 0);
}

void fake_put8(struct fake_fn *f, unsigned reg, uint8_t v)
{
	f->cfg[reg] = v;
}

void fake_put16(struct fake_fn *f, unsigned reg, uint16_t v)
{
	f->cfg[reg] = (uint8_t)v;
	f->cfg[reg + 1] = (uint8_t)(v >> 8);
}

void fake_put32(struct fake_fn *f, unsigned reg, uint32_t v)
{
	fake_put16(f, reg, (uint16_t)v);
	fake_put16(f, reg + 2, (uint16_t)(v >> 16));
}

uint16_t fake_get16(const struct fake_fn *f, unsigned reg)
{
	return (uint16_t)(f->cfg[reg] | f->cfg[reg + 1] << 8);
}

uint32_t fake_get32(const struct fake_fn *f, unsigned reg)
{
	return fake_get16(f, reg) | (uint32_t)fake_get16(f, reg + 2) << 16;
}

static void fake_mask32(struct fake_fn *f, unsigned reg, uint32_t m)
{
	for (unsigned i = 0; i < 4; i++)
		f->wmask[reg + i] = (uint8_t)(m >> (8 * i));
}

struct fake_fn *fake_fn_add(struct fake_ecam *e, uint32_t bdf,
			    uint16_t vendor, uint16_t device, uint8_t class_code,
			    uint8_t subclass, uint8_t header)
{
	struct fake_fn *f = NULL;

	for (unsigned i = 0; i < FAKE_MAX_FN && !f; i++) {
		if (!e->fn[i].used)
			f = &e->fn[i];
	}
	ck_assert_ptr_nonnull(f);
	memset(f, 0, sizeof(*f));
	f->used = true;
	f->bdf = bdf;
	fake_put16(f, PCI_VENDOR_ID, vendor);
	fake_put16(f, PCI_DEVICE_ID, device);
	fake_put8(f, PCI_CLASS, class_code);
	fake_put8(f, PCI_SUBCLASS, subclass);
	fake_put8(f, PCI_HEADER_TYPE, header);
	/* Command: IO, memory, master, INTx disable are writable. */
	f->wmask[PCI_COMMAND] = 0x07;
	f->wmask[PCI_COMMAND + 1] = 0x04;
	f->wmask[PCI_INTERRUPT_LINE] = 0xff;
	if ((header & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_BRIDGE) {
		f->wmask[PCI_PRIMARY_BUS] = 0xff;
		f->wmask[PCI_SECONDARY_BUS] = 0xff;
		f->wmask[PCI_SUBORDINATE_BUS] = 0xff;
	}
	return f;
}

void fake_bar32(struct fake_fn *f, unsigned bar, uint32_t size,
		uint32_t flags)
{
	unsigned reg = PCI_BAR0 + 4 * bar;
	uint32_t low = flags & PCI_BAR_SPACE_IO ? 0x3u : 0xfu;

	fake_put32(f, reg, flags);
	fake_mask32(f, reg, ~(size - 1) & ~low);
}

void fake_bar64(struct fake_fn *f, unsigned bar, uint64_t size,
		bool prefetch)
{
	unsigned reg = PCI_BAR0 + 4 * bar;
	uint64_t m = ~(size - 1);

	fake_put32(f, reg,
		   PCI_BAR_MEM_TYPE_64 | (prefetch ? PCI_BAR_MEM_PREFETCH : 0));
	fake_put32(f, reg + 4, 0);
	fake_mask32(f, reg, (uint32_t)m & ~0xfu);
	fake_mask32(f, reg + 4, (uint32_t)(m >> 32));
}

void fake_bridge_buses(struct fake_fn *f, uint8_t primary, uint8_t secondary,
		       uint8_t subordinate)
{
	fake_put8(f, PCI_PRIMARY_BUS, primary);
	fake_put8(f, PCI_SECONDARY_BUS, secondary);
	fake_put8(f, PCI_SUBORDINATE_BUS, subordinate);
}

void fake_cap_list(struct fake_fn *f, uint8_t first)
{
	f->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	fake_put8(f, PCI_CAPABILITY_LIST, first);
}

void fake_vcap(struct fake_fn *f, uint8_t pos, uint8_t next, uint8_t len,
	       uint8_t cfg_type, uint8_t bar, uint32_t offset, uint32_t length,
	       uint32_t multiplier)
{
	memset(&f->cfg[pos], 0, len);
	fake_put8(f, pos, PCI_CAP_ID_VNDR);
	fake_put8(f, pos + 1, next);
	fake_put8(f, pos + 2, len);
	fake_put8(f, pos + 3, cfg_type);
	fake_put8(f, pos + 4, bar);
	fake_put32(f, pos + 8, offset);
	fake_put32(f, pos + 12, length);
	if (len >= 20)
		fake_put32(f, pos + 16, multiplier);
}

/* The fake virtio function's BARs. */

#define CC(field) offsetof(struct virtio_pci_common_cfg, field)

static bool vdev_decoding(struct fake_vdev *v)
{
	return v->fn->cfg[PCI_COMMAND] & PCI_COMMAND_MEMORY;
}

static struct fake_vq *vdev_q(struct fake_vdev *v)
{
	return v->qsel < v->num_queues && v->qsel < FAKE_VDEV_QUEUES
		       ? &v->q[v->qsel]
		       : NULL;
}

static uint32_t vdev_common_read(struct fake_vdev *v, unsigned off)
{
	struct fake_vq *q = vdev_q(v);

	switch (off) {
	case CC(device_feature_select):
		return v->dfsel;
	case CC(device_feature):
		return v->dfsel < 2 ? v->dfeat[v->dfsel] : 0;
	case CC(driver_feature_select):
		return v->drvsel;
	case CC(driver_feature):
		return v->drvsel < 2 ? v->drvfeat[v->drvsel] : 0;
	case CC(config_msix_vector):
		return VIRTIO_MSI_NO_VECTOR;
	case CC(num_queues):
		return v->num_queues;
	case CC(device_status):
		return v->status;
	case CC(config_generation):
		return v->generation;
	case CC(queue_select):
		return v->qsel;
	case CC(queue_size):
		return q ? q->size : 0;
	case CC(queue_enable):
		return q ? q->enable : 0;
	case CC(queue_notify_off):
		return q ? q->notify_off : 0;
	}
	return 0;
}

static void vdev_common_write(struct fake_vdev *v, unsigned off, uint32_t val)
{
	struct fake_vq *q = vdev_q(v);

	switch (off) {
	case CC(device_feature_select):
		v->dfsel = val;
		return;
	case CC(driver_feature_select):
		v->drvsel = val;
		return;
	case CC(driver_feature):
		if (v->drvsel < 2)
			v->drvfeat[v->drvsel] = val;
		return;
	case CC(device_status):
		v->status = (uint8_t)val;
		if (val == 0) {
			for (unsigned i = 0; i < FAKE_VDEV_QUEUES; i++)
				v->q[i].enable = 0;
		}
		return;
	case CC(queue_select):
		v->qsel = (uint16_t)val;
		return;
	}
	if (!q)
		return;
	switch (off) {
	case CC(queue_size):
		q->size = (uint16_t)val;
		return;
	case CC(queue_enable):
		q->enable = (uint16_t)val;
		q->enabled_with_addrs = q->desc[0] && q->driver[0] &&
					q->device[0];
		return;
	case CC(queue_desc):
	case CC(queue_desc) + 4:
		q->desc[(off - CC(queue_desc)) / 4] = val;
		return;
	case CC(queue_driver):
	case CC(queue_driver) + 4:
		q->driver[(off - CC(queue_driver)) / 4] = val;
		return;
	case CC(queue_device):
	case CC(queue_device) + 4:
		q->device[(off - CC(queue_device)) / 4] = val;
		return;
	}
}

static uint32_t vdev_bar0_read(void *opaque, uint64_t offset, unsigned size)
{
	struct fake_vdev *v = opaque;
	uint32_t val = 0;

	if (!vdev_decoding(v)) {
		v->decode_off_accesses++;
		return 0xffffffffu;
	}
	if (offset < sizeof(struct virtio_pci_common_cfg))
		return vdev_common_read(v, (unsigned)offset);
	if (offset == FAKE_VDEV_ISR) {
		val = v->isr; /* read to clear (PCI-V-25) */
		v->isr = 0;
		return val;
	}
	memcpy(&val, &v->mem[offset], size); /* little-endian host */
	return val;
}

static void vdev_bar0_write(void *opaque, uint64_t offset, uint32_t val,
			    unsigned size)
{
	struct fake_vdev *v = opaque;

	if (!vdev_decoding(v)) {
		v->decode_off_accesses++;
		return;
	}
	if (offset < sizeof(struct virtio_pci_common_cfg)) {
		vdev_common_write(v, (unsigned)offset, val);
		return;
	}
	memcpy(&v->mem[offset], &val, size);
}

static uint32_t vdev_bar2_read(void *opaque, uint64_t offset, unsigned size)
{
	return 0;
}

static void vdev_bar2_write(void *opaque, uint64_t offset, uint32_t val,
			    unsigned size)
{
	struct fake_vdev *v = opaque;

	if (!vdev_decoding(v)) {
		v->decode_off_accesses++;
		return;
	}
	v->notifies++;
	v->notify_off = (uint32_t)offset;
	v->notify_val = val;
	v->notify_size = size;
}

static const struct bus_region_ops vdev_bar0_ops = {
	.read = vdev_bar0_read,
	.write = vdev_bar0_write,
	.aligned_only = true,
};

static const struct bus_region_ops vdev_bar2_ops = {
	.read = vdev_bar2_read,
	.write = vdev_bar2_write,
	.aligned_only = true,
};

struct fake_fn *fake_vdev_add(struct fake_ecam *e, struct fake_vdev *v,
			      uint32_t bdf, uint16_t device_id)
{
	struct fake_fn *f = fake_fn_add(e, bdf, VIRTIO_PCI_VENDOR_ID,
					device_id, 0x01, 0x00, 0);

	memset(v, 0, sizeof(*v));
	v->fn = f;
	fake_put8(f, PCI_REVISION_ID, 1);
	fake_put16(f, PCI_SUBSYSTEM_VENDOR_ID, VIRTIO_PCI_VENDOR_ID);
	fake_put16(f, PCI_SUBSYSTEM_ID, 0x40);
	fake_put8(f, PCI_INTERRUPT_PIN, 1);
	fake_put8(f, PCI_INTERRUPT_LINE, 5);
	fake_bar32(f, 0, FAKE_VDEV_BAR0_SIZE, 0);
	fake_bar64(f, 2, FAKE_VDEV_BAR2_SIZE, false);
	fake_cap_list(f, 0x40);
	fake_vcap(f, 0x40, 0x50, 16, VIRTIO_PCI_CAP_COMMON_CFG, 0, 0,
		  sizeof(struct virtio_pci_common_cfg), 0);
	fake_vcap(f, 0x50, 0x64, 20, VIRTIO_PCI_CAP_NOTIFY_CFG, 2, 0,
		  FAKE_VDEV_BAR2_SIZE, 4);
	fake_vcap(f, 0x64, 0x74, 16, VIRTIO_PCI_CAP_ISR_CFG, 0, FAKE_VDEV_ISR,
		  4, 0);
	fake_vcap(f, 0x74, 0x84, 16, VIRTIO_PCI_CAP_DEVICE_CFG, 0,
		  FAKE_VDEV_DEVCFG, 0x20, 0);
	fake_vcap(f, 0x84, 0x98, 20, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 0, 0);
	fake_put8(f, 0x98, PCI_CAP_ID_MSIX);
	fake_put8(f, 0x99, 0);

	v->num_queues = FAKE_VDEV_QUEUES;
	v->q[0].size = 256;
	v->q[0].notify_off = 0;
	v->q[1].size = 128;
	v->q[1].notify_off = 1;
	v->dfeat[0] = 0x00000206u;
	v->dfeat[1] = 0x00000001u; /* VERSION_1 */
	return f;
}

void fake_vdev_map_bars(struct fake_vdev *v, struct machine *m)
{
	v->bar0 = fake_get32(v->fn, PCI_BAR0) & ~0xfull;
	v->bar2 = (fake_get32(v->fn, PCI_BAR0 + 8) & ~0xfull) |
		  (uint64_t)fake_get32(v->fn, PCI_BAR0 + 12) << 32;
	ck_assert_int_eq(bus_map(&m->bus, v->bar0, FAKE_VDEV_BAR0_SIZE,
				 &vdev_bar0_ops, v, "fake-vdev-bar0"),
			 0);
	ck_assert_int_eq(bus_map(&m->bus, v->bar2, FAKE_VDEV_BAR2_SIZE,
				 &vdev_bar2_ops, v, "fake-vdev-bar2"),
			 0);
}
