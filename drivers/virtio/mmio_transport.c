/* SPDX-License-Identifier: MIT */
/*
 * mmio_transport.c - the VirtIO MMIO transport, driver side (§4.2).
 *
 * Version 2 (modern): 64 feature bits through the select registers,
 * separate ring addresses and QueueReady. Version 1 (legacy, §4.2.4):
 * GuestPageSize, QueueAlign and a page frame number for one contiguous
 * ring area, 32 feature bits, no FEATURES_OK and no config generation.
 * Control registers are only touched with aligned 32-bit accesses
 * (MMIO-D-02).
 */
#include "drivers/virtio/mmio_transport.h"

#include <string.h>

#include "drivers/wire/virtio_mmio.h"
#include "drivers/wire/virtio_ring.h"

#define MMIO_LEGACY_PAGE_SIZE 4096u
/* Bound on reading QueueReady back after writing 0 (MMIO-D-11). */
#define MMIO_READY_SPINS 1000

static struct virtio_mmio_transport *to_mmio(struct virtio_transport *t)
{
	return (struct virtio_mmio_transport
		    *)(void *)((char *)t -
			       offsetof(struct virtio_mmio_transport, base));
}

static uint32_t mmio_rd(struct virtio_mmio_transport *m, uint32_t reg)
{
	return hal_mmio_read32(m->base.hal, m->regs + reg);
}

static void mmio_wr(struct virtio_mmio_transport *m, uint32_t reg, uint32_t val)
{
	hal_mmio_write32(m->base.hal, m->regs + reg, val);
}

static uint32_t mmio_device_type(struct virtio_transport *t)
{
	return to_mmio(t)->device_id;
}

static uint64_t mmio_device_features(struct virtio_transport *t)
{
	struct virtio_mmio_transport *m = to_mmio(t);
	uint64_t f;

	/* MMIO-D-07: select before every read. */
	mmio_wr(m, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = mmio_rd(m, VIRTIO_MMIO_DEVICE_FEATURES);
	if (m->version == 1)
		return f; /* legacy: 32 bits */
	mmio_wr(m, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f |= (uint64_t)mmio_rd(m, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	return f;
}

static void mmio_set_driver_features(struct virtio_transport *t, uint64_t f)
{
	struct virtio_mmio_transport *m = to_mmio(t);

	/* MMIO-D-08: select before every write. */
	mmio_wr(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	mmio_wr(m, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	if (m->version == 1)
		return;
	mmio_wr(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	mmio_wr(m, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

static uint8_t mmio_get_status(struct virtio_transport *t)
{
	return (uint8_t)mmio_rd(to_mmio(t), VIRTIO_MMIO_STATUS);
}

static void mmio_set_status(struct virtio_transport *t, uint8_t status)
{
	mmio_wr(to_mmio(t), VIRTIO_MMIO_STATUS, status);
}

static uint16_t mmio_max_queue_size(struct virtio_transport *t, uint16_t q)
{
	struct virtio_mmio_transport *m = to_mmio(t);
	uint32_t max;

	mmio_wr(m, VIRTIO_MMIO_QUEUE_SEL, q);
	max = mmio_rd(m, VIRTIO_MMIO_QUEUE_NUM_MAX);
	return max > VIRTQ_MAX_QUEUE_SIZE ? VIRTQ_MAX_QUEUE_SIZE
					  : (uint16_t)max;
}

static bool mmio_queue_used(struct virtio_transport *t, uint16_t q)
{
	struct virtio_mmio_transport *m = to_mmio(t);

	mmio_wr(m, VIRTIO_MMIO_QUEUE_SEL, q);
	if (m->version == 1)
		return mmio_rd(m, VIRTIO_MMIO_QUEUE_PFN) != 0;
	return mmio_rd(m, VIRTIO_MMIO_QUEUE_READY) != 0;
}

static int mmio_queue_set_legacy(struct virtio_mmio_transport *m, uint16_t size,
				 uint64_t desc, uint64_t avail, uint64_t used)
{
	uint64_t pfn = desc / MMIO_LEGACY_PAGE_SIZE;

	/* §4.2.4: one page-aligned area, avail right after the table and
	 * used at the next QueueAlign boundary; the PFN is 32 bits. */
	if (desc % MMIO_LEGACY_PAGE_SIZE || pfn > UINT32_MAX || pfn == 0 ||
	    avail != desc + virtq_desc_size(size) ||
	    used != desc + virtq_legacy_used_offset(size, VIRTQ_LEGACY_ALIGN))
		return -VIRTIO_ERR_INVALID_PARAM;
	if (mmio_rd(m, VIRTIO_MMIO_QUEUE_PFN) != 0)
		return -VIRTIO_ERR_NOT_READY;
	mmio_wr(m, VIRTIO_MMIO_GUEST_PAGE_SIZE, MMIO_LEGACY_PAGE_SIZE);
	mmio_wr(m, VIRTIO_MMIO_QUEUE_NUM, size);
	mmio_wr(m, VIRTIO_MMIO_QUEUE_ALIGN, VIRTQ_LEGACY_ALIGN);
	mmio_wr(m, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)pfn);
	return 0;
}

static int mmio_queue_set(struct virtio_transport *t, uint16_t q, uint16_t size,
			  uint64_t desc, uint64_t avail, uint64_t used)
{
	struct virtio_mmio_transport *m = to_mmio(t);
	uint32_t max;

	mmio_wr(m, VIRTIO_MMIO_QUEUE_SEL, q);
	max = mmio_rd(m, VIRTIO_MMIO_QUEUE_NUM_MAX);
	/* MMIO-D-09: never more than QueueNumMax; 0 means no such queue. */
	if (max == 0)
		return -VIRTIO_ERR_UNSUPPORTED;
	if (size == 0 || size > max)
		return -VIRTIO_ERR_INVALID_PARAM;
	if (m->version == 1)
		return mmio_queue_set_legacy(m, size, desc, avail, used);

	/* MMIO-D-10: the queue must not be live while we program it. */
	if (mmio_rd(m, VIRTIO_MMIO_QUEUE_READY) != 0)
		return -VIRTIO_ERR_NOT_READY;
	mmio_wr(m, VIRTIO_MMIO_QUEUE_NUM, size);
	mmio_wr(m, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	mmio_wr(m, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	mmio_wr(m, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
	mmio_wr(m, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(avail >> 32));
	mmio_wr(m, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
	mmio_wr(m, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(used >> 32));
	mmio_wr(m, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

static void mmio_queue_unset(struct virtio_transport *t, uint16_t q)
{
	struct virtio_mmio_transport *m = to_mmio(t);

	mmio_wr(m, VIRTIO_MMIO_QUEUE_SEL, q);
	if (m->version == 1) {
		mmio_wr(m, VIRTIO_MMIO_QUEUE_PFN, 0);
		return;
	}
	/* MMIO-D-11: write 0 and read it back. */
	mmio_wr(m, VIRTIO_MMIO_QUEUE_READY, 0);
	for (int i = 0; i < MMIO_READY_SPINS; i++) {
		if (mmio_rd(m, VIRTIO_MMIO_QUEUE_READY) == 0)
			break;
	}
}

static void mmio_notify(struct virtio_transport *t, uint16_t q)
{
	mmio_wr(to_mmio(t), VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

/* ack_interrupt returns the core's VIRTIO_INT_* bits as they are. */
_Static_assert(VIRTIO_MMIO_INT_VRING == VIRTIO_INT_VRING &&
		   VIRTIO_MMIO_INT_CONFIG == VIRTIO_INT_CONFIG,
	       "MMIO interrupt causes");

static uint32_t mmio_ack_interrupt(struct virtio_transport *t)
{
	struct virtio_mmio_transport *m = to_mmio(t);
	uint32_t isr;

	/* MMIO-D-12/13/19/20: read the cause, ack only the defined bits.
	 * None (0, or reserved bits only): nothing may be written; the
	 * caller counts a spurious interrupt, and a device that holds its
	 * line up for it is bounded by virtio_device_wait, then reset. */
	isr = mmio_rd(m, VIRTIO_MMIO_INTERRUPT_STATUS) &
	      (VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	if (isr)
		mmio_wr(m, VIRTIO_MMIO_INTERRUPT_ACK, isr);
	return isr;
}

static int mmio_config_check(struct virtio_mmio_transport *m, uint32_t off,
			     size_t len)
{
	size_t avail;

	if (m->size <= VIRTIO_MMIO_CONFIG)
		return -VIRTIO_ERR_CONFIG_SPACE_MISSING;
	avail = m->size - VIRTIO_MMIO_CONFIG;
	/* INIT-D-06: any size will do as long as the field fits. */
	if (off > avail || len > avail - off)
		return -VIRTIO_ERR_CONFIG_SPACE_TOO_SMALL;
	return 0;
}

/*
 * Config access is byte-exact: the bytes in @buf are the bytes the
 * device holds, in whichever order it keeps them (little-endian for
 * version 2, §4.2.2; the guest's native order for version 1, §4.2.4).
 * The HAL's accessors give a register's little-endian value in CPU
 * order, so storing it little-endian puts each byte back where it was;
 * the driver reading a field then picks the order (virtio_ld32 and
 * friends with the device's legacy flag). Converting here instead would
 * need the field widths: a 64-bit field is two 32-bit accesses.
 */
static void mmio_cfg_store(uint8_t *p, uint32_t v, unsigned w)
{
	if (w == 4)
		virtio_st_le32(p, v);
	else if (w == 2)
		virtio_st_le16(p, (uint16_t)v);
	else
		*p = (uint8_t)v;
}

static uint32_t mmio_cfg_load(const uint8_t *p, unsigned w)
{
	if (w == 4)
		return virtio_ld_le32(p);
	if (w == 2)
		return virtio_ld_le16(p);
	return *p;
}

static int mmio_config_read(struct virtio_transport *t, uint32_t off, void *buf,
			    size_t len)
{
	struct virtio_mmio_transport *m = to_mmio(t);
	uint8_t *p = buf;
	int err = mmio_config_check(m, off, len);

	if (err)
		return err;
	while (len) {
		unsigned w = virtio_config_access_width(off, len);
		uintptr_t a = m->regs + VIRTIO_MMIO_CONFIG + off;
		uint32_t v = w == 4   ? hal_mmio_read32(t->hal, a)
			     : w == 2 ? hal_mmio_read16(t->hal, a)
				      : hal_mmio_read8(t->hal, a);

		mmio_cfg_store(p, v, w);
		p += w;
		off += w;
		len -= w;
	}
	return 0;
}

static int mmio_config_write(struct virtio_transport *t, uint32_t off,
			     const void *buf, size_t len)
{
	struct virtio_mmio_transport *m = to_mmio(t);
	const uint8_t *p = buf;
	int err = mmio_config_check(m, off, len);

	if (err)
		return err;
	while (len) {
		unsigned w = virtio_config_access_width(off, len);
		uintptr_t a = m->regs + VIRTIO_MMIO_CONFIG + off;
		uint32_t v = mmio_cfg_load(p, w);

		if (w == 4)
			hal_mmio_write32(t->hal, a, v);
		else if (w == 2)
			hal_mmio_write16(t->hal, a, (uint16_t)v);
		else
			hal_mmio_write8(t->hal, a, (uint8_t)v);
		p += w;
		off += w;
		len -= w;
	}
	return 0;
}

static uint32_t mmio_config_generation(struct virtio_transport *t)
{
	struct virtio_mmio_transport *m = to_mmio(t);

	/* Legacy has no generation counter: reads are taken as is. */
	if (m->version == 1)
		return 0;
	return mmio_rd(m, VIRTIO_MMIO_CONFIG_GENERATION);
}

static bool mmio_is_legacy(struct virtio_transport *t)
{
	return to_mmio(t)->version == 1;
}

static unsigned mmio_irq_line(struct virtio_transport *t)
{
	return to_mmio(t)->irq_line;
}

static const struct virtio_transport_ops mmio_transport_ops = {
    .device_type = mmio_device_type,
    .device_features = mmio_device_features,
    .set_driver_features = mmio_set_driver_features,
    .get_status = mmio_get_status,
    .set_status = mmio_set_status,
    .max_queue_size = mmio_max_queue_size,
    .queue_used = mmio_queue_used,
    .queue_set = mmio_queue_set,
    .queue_unset = mmio_queue_unset,
    .notify = mmio_notify,
    .ack_interrupt = mmio_ack_interrupt,
    .config_read = mmio_config_read,
    .config_write = mmio_config_write,
    .config_generation = mmio_config_generation,
    .is_legacy = mmio_is_legacy,
    .irq_line = mmio_irq_line,
};

int virtio_mmio_transport_init(struct virtio_mmio_transport *t,
			       const struct hal *hal, uint64_t paddr,
			       size_t size)
{
	if (!t || !hal)
		return -VIRTIO_ERR_INVALID_PARAM;
	memset(t, 0, sizeof(*t));
	t->irq_line = VIRTIO_NO_IRQ;
	if (size < VIRTIO_MMIO_CONFIG)
		return -VIRTIO_ERR_INVALID_PARAM;
	t->regs = hal_mmio_map(hal, paddr, size);
	if (!t->regs)
		return -VIRTIO_ERR_INVALID_PARAM;
	t->base.ops = &mmio_transport_ops;
	t->base.hal = hal;
	t->size = size;

	/* MMIO-D-15: magic first, then version (MMIO-D-04/05). */
	if (mmio_rd(t, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC)
		return -VIRTIO_ERR_UNSUPPORTED;
	t->version = mmio_rd(t, VIRTIO_MMIO_VERSION);
	if (t->version != 1 && t->version != 2)
		return -VIRTIO_ERR_UNSUPPORTED;
	/* MMIO-D-06/16: device id 0 is an empty slot; touch nothing else. */
	t->device_id = mmio_rd(t, VIRTIO_MMIO_DEVICE_ID);
	if (t->device_id == 0)
		return -VIRTIO_ERR_NOT_READY;
	t->vendor_id = mmio_rd(t, VIRTIO_MMIO_VENDOR_ID);
	return 0;
}
