/* SPDX-License-Identifier: MIT */
/*
 * pci_transport.c - the VirtIO PCI transport, driver side (§4.1, modern).
 *
 * The vendor capabilities (§4.1.4) locate four structures inside memory
 * BARs: common configuration, notify doorbells, the ISR byte and the
 * device configuration. Each field is accessed at its own width and
 * 64-bit fields as two 32-bit halves (PCI-D-04).
 */
#include "drivers/virtio/pci_transport.h"

#include <string.h>

#include "drivers/wire/virtio_pci.h"
#include "drivers/wire/virtio_ring.h"

#define COMMON(field) offsetof(struct virtio_pci_common_cfg, field)
/* VirtIO 1.0 common config ended before queue_notify_data (0x38). */
#define VPCI_COMMON_MIN_LEN COMMON(queue_notif_config_data)
#define VPCI_DEVICE_MAP_MAX 4096u /* map only what is needed (PCI-D-08) */
#define VPCI_QUEUE_RESET_SPINS 1000

static struct virtio_pci_transport *to_pci(struct virtio_transport *t)
{
	return (struct virtio_pci_transport *)(void *)((char *)t -
		offsetof(struct virtio_pci_transport, base));
}

static uint8_t cc_rd8(struct virtio_pci_transport *p, size_t off)
{
	return hal_mmio_read8(p->base.hal, p->common.regs + off);
}

static uint16_t cc_rd16(struct virtio_pci_transport *p, size_t off)
{
	return hal_mmio_read16(p->base.hal, p->common.regs + off);
}

static uint32_t cc_rd32(struct virtio_pci_transport *p, size_t off)
{
	return hal_mmio_read32(p->base.hal, p->common.regs + off);
}

static void cc_wr8(struct virtio_pci_transport *p, size_t off, uint8_t v)
{
	hal_mmio_write8(p->base.hal, p->common.regs + off, v);
}

static void cc_wr16(struct virtio_pci_transport *p, size_t off, uint16_t v)
{
	hal_mmio_write16(p->base.hal, p->common.regs + off, v);
}

static void cc_wr32(struct virtio_pci_transport *p, size_t off, uint32_t v)
{
	hal_mmio_write32(p->base.hal, p->common.regs + off, v);
}

/* 64-bit fields as two 32-bit writes, low half first (PCI-D-04). */
static void cc_wr64(struct virtio_pci_transport *p, size_t off, uint64_t v)
{
	cc_wr32(p, off, (uint32_t)v);
	cc_wr32(p, off + 4, (uint32_t)(v >> 32));
}

uint32_t virtio_pci_device_type(const struct pci_function_info *info)
{
	uint16_t id;

	if (!info || info->vendor_id != VIRTIO_PCI_VENDOR_ID)
		return 0;
	id = info->device_id;
	/* PCI-D-01; 0x1040 itself would be device type 0 (reserved). */
	if (id > VIRTIO_PCI_DEVICE_ID_MODERN_BASE &&
	    id <= VIRTIO_PCI_DEVICE_ID_MODERN_MAX)
		return id - VIRTIO_PCI_DEVICE_ID_MODERN_BASE;
	if (id < VIRTIO_PCI_DEVICE_ID_TRANS_MIN ||
	    id > VIRTIO_PCI_DEVICE_ID_TRANS_MAX)
		return 0;
	/* PCI-D-02, §4.1.2.1: transitional ids carry the type in the
	 * subsystem device id; fall back to the fixed table without one. */
	if (info->subsystem_id > 0 && info->subsystem_id < 0x40)
		return info->subsystem_id;
	switch (id) {
	case 0x1000:
		return VIRTIO_ID_NET;
	case 0x1001:
		return VIRTIO_ID_BLOCK;
	case 0x1002:
		return VIRTIO_ID_BALLOON;
	case 0x1003:
		return VIRTIO_ID_CONSOLE;
	case 0x1004:
		return VIRTIO_ID_SCSI;
	case 0x1005:
		return VIRTIO_ID_RNG;
	case 0x1009:
		return VIRTIO_ID_9P;
	}
	return 0;
}

static uint32_t vpci_device_type(struct virtio_transport *t)
{
	return to_pci(t)->device_id;
}

static uint64_t vpci_device_features(struct virtio_transport *t)
{
	struct virtio_pci_transport *p = to_pci(t);
	uint64_t f;

	cc_wr32(p, COMMON(device_feature_select), 0);
	f = cc_rd32(p, COMMON(device_feature));
	cc_wr32(p, COMMON(device_feature_select), 1);
	f |= (uint64_t)cc_rd32(p, COMMON(device_feature)) << 32;
	return f;
}

static void vpci_set_driver_features(struct virtio_transport *t, uint64_t f)
{
	struct virtio_pci_transport *p = to_pci(t);

	cc_wr32(p, COMMON(driver_feature_select), 0);
	cc_wr32(p, COMMON(driver_feature), (uint32_t)f);
	cc_wr32(p, COMMON(driver_feature_select), 1);
	cc_wr32(p, COMMON(driver_feature), (uint32_t)(f >> 32));
	p->driver_features = f;
}

static uint8_t vpci_get_status(struct virtio_transport *t)
{
	return cc_rd8(to_pci(t), COMMON(device_status));
}

static void vpci_set_status(struct virtio_transport *t, uint8_t status)
{
	cc_wr8(to_pci(t), COMMON(device_status), status);
}

/* Select queue @q; false if the device has no such queue. */
static bool vpci_select(struct virtio_pci_transport *p, uint16_t q)
{
	if (q >= cc_rd16(p, COMMON(num_queues)))
		return false;
	cc_wr16(p, COMMON(queue_select), q);
	return true;
}

static uint16_t vpci_max_queue_size(struct virtio_transport *t, uint16_t q)
{
	struct virtio_pci_transport *p = to_pci(t);
	uint16_t max;

	if (!vpci_select(p, q))
		return 0;
	max = cc_rd16(p, COMMON(queue_size));
	return max > VIRTQ_MAX_QUEUE_SIZE ? VIRTQ_MAX_QUEUE_SIZE : max;
}

static bool vpci_queue_used(struct virtio_transport *t, uint16_t q)
{
	struct virtio_pci_transport *p = to_pci(t);

	return vpci_select(p, q) && cc_rd16(p, COMMON(queue_enable)) != 0;
}

/*
 * Byte offset of queue @q's doorbell in the notify region (PCI-N-02),
 * for the selected queue; false if it does not fit a 16-bit write.
 */
static bool vpci_notify_offset(struct virtio_pci_transport *p, uint32_t *off)
{
	uint64_t o = (uint64_t)cc_rd16(p, COMMON(queue_notify_off)) *
		     p->notify_off_multiplier;

	if (p->notify.len < 2 || o > p->notify.len - 2u)
		return false;
	*off = (uint32_t)o;
	return true;
}

static int vpci_queue_set(struct virtio_transport *t, uint16_t q,
			  uint16_t size, uint64_t desc, uint64_t avail,
			  uint64_t used)
{
	struct virtio_pci_transport *p = to_pci(t);
	uint16_t max;
	uint32_t off;

	if (!vpci_select(p, q))
		return -VIRTIO_ERR_UNSUPPORTED;
	max = cc_rd16(p, COMMON(queue_size));
	if (max == 0)
		return -VIRTIO_ERR_UNSUPPORTED; /* PCI-V-15: no such queue */
	/* PCI-D-11/12: never 0, a power of two, at most what it offers. */
	if (size == 0 || size > max || (size & (size - 1)))
		return -VIRTIO_ERR_INVALID_PARAM;
	if (cc_rd16(p, COMMON(queue_enable)) != 0)
		return -VIRTIO_ERR_NOT_READY;
	/* A doorbell outside the notify region would hit something else. */
	if (!vpci_notify_offset(p, &off))
		return -VIRTIO_ERR_UNSUPPORTED;
	if (q < VIRTIO_PCI_NOTIFY_CACHE) {
		p->notify_off[q] = off;
		p->notify_cached |= (uint8_t)(1u << q);
	}
	cc_wr16(p, COMMON(queue_size), size);
	cc_wr64(p, COMMON(queue_desc), desc);
	cc_wr64(p, COMMON(queue_driver), avail);
	cc_wr64(p, COMMON(queue_device), used);
	/* PCI-D-13: enable last, once everything else is programmed. */
	cc_wr16(p, COMMON(queue_enable), 1);
	return 0;
}

static void vpci_queue_unset(struct virtio_transport *t, uint16_t q)
{
	struct virtio_pci_transport *p = to_pci(t);

	if (q < VIRTIO_PCI_NOTIFY_CACHE)
		p->notify_cached &= (uint8_t)~(1u << q);
	/*
	 * PCI-D-15: writing 0 to queue_enable is forbidden. Only with
	 * RING_RESET can one queue be stopped (PCI-D-16); otherwise the
	 * device reset that follows teardown disables it.
	 */
	if (!(p->driver_features & VIRTIO_BIT(VIRTIO_F_RING_RESET)) ||
	    !vpci_select(p, q))
		return;
	cc_wr16(p, COMMON(queue_reset), 1);
	for (int i = 0; i < VPCI_QUEUE_RESET_SPINS; i++) {
		if (cc_rd16(p, COMMON(queue_reset)) == 0)
			break;
	}
}

static void vpci_notify(struct virtio_transport *t, uint16_t q)
{
	struct virtio_pci_transport *p = to_pci(t);
	uint32_t off;

	if (q < VIRTIO_PCI_NOTIFY_CACHE && (p->notify_cached & (1u << q)))
		off = p->notify_off[q];
	else if (!vpci_select(p, q) || !vpci_notify_offset(p, &off))
		return;
	/* PCI-D-23/24: 16 bits, the queue index (no NOTIFICATION_DATA). */
	hal_mmio_write16(t->hal, p->notify.regs + off, q);
}

/* ack_interrupt returns the core's VIRTIO_INT_* bits as they are. */
_Static_assert(VIRTIO_PCI_ISR_QUEUE == VIRTIO_INT_VRING &&
		   VIRTIO_PCI_ISR_CONFIG == VIRTIO_INT_CONFIG,
	       "PCI ISR bits");

static uint32_t vpci_ack_interrupt(struct virtio_transport *t)
{
	struct virtio_pci_transport *p = to_pci(t);

	/* PCI-N-03: reading the ISR acknowledges it (and drops INTx). */
	return hal_mmio_read8(t->hal, p->isr.regs) &
	       (VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG);
}

static int vpci_config_check(struct virtio_pci_transport *p, uint32_t off,
			     size_t len)
{
	if (!p->device.regs)
		return -VIRTIO_ERR_CONFIG_SPACE_MISSING;
	if (off > p->device.len || len > p->device.len - off)
		return -VIRTIO_ERR_CONFIG_SPACE_TOO_SMALL;
	return 0;
}

static int vpci_config_read(struct virtio_transport *t, uint32_t off,
			    void *buf, size_t len)
{
	struct virtio_pci_transport *p = to_pci(t);
	uint8_t *b = buf;
	int err = vpci_config_check(p, off, len);

	if (err)
		return err;
	while (len) {
		unsigned w = virtio_config_access_width(off, len);
		uintptr_t a = p->device.regs + off;

		/* Modern device config is little-endian (§4.1.4.6). */
		if (w == 4)
			virtio_st_le32(b, hal_mmio_read32(t->hal, a));
		else if (w == 2)
			virtio_st_le16(b, hal_mmio_read16(t->hal, a));
		else
			*b = hal_mmio_read8(t->hal, a);
		b += w;
		off += w;
		len -= w;
	}
	return 0;
}

static int vpci_config_write(struct virtio_transport *t, uint32_t off,
			     const void *buf, size_t len)
{
	struct virtio_pci_transport *p = to_pci(t);
	const uint8_t *b = buf;
	int err = vpci_config_check(p, off, len);

	if (err)
		return err;
	while (len) {
		unsigned w = virtio_config_access_width(off, len);
		uintptr_t a = p->device.regs + off;

		if (w == 4)
			hal_mmio_write32(t->hal, a, virtio_ld_le32(b));
		else if (w == 2)
			hal_mmio_write16(t->hal, a, virtio_ld_le16(b));
		else
			hal_mmio_write8(t->hal, a, *b);
		b += w;
		off += w;
		len -= w;
	}
	return 0;
}

static uint32_t vpci_config_generation(struct virtio_transport *t)
{
	return cc_rd8(to_pci(t), COMMON(config_generation));
}

static bool vpci_is_legacy(struct virtio_transport *t)
{
	return false;
}

static unsigned vpci_irq_line(struct virtio_transport *t)
{
	return to_pci(t)->irq_line;
}

static const struct virtio_transport_ops vpci_transport_ops = {
	.device_type = vpci_device_type,
	.device_features = vpci_device_features,
	.set_driver_features = vpci_set_driver_features,
	.get_status = vpci_get_status,
	.set_status = vpci_set_status,
	.max_queue_size = vpci_max_queue_size,
	.queue_used = vpci_queue_used,
	.queue_set = vpci_queue_set,
	.queue_unset = vpci_queue_unset,
	.notify = vpci_notify,
	.ack_interrupt = vpci_ack_interrupt,
	.config_read = vpci_config_read,
	.config_write = vpci_config_write,
	.config_generation = vpci_config_generation,
	.is_legacy = vpci_is_legacy,
	.irq_line = vpci_irq_line,
};

/* A virtio vendor capability as read from configuration space. */
struct vpci_cap {
	uint8_t cfg_type, bar;
	uint32_t offset, length, multiplier;
};

/*
 * Read the vendor capability at @pos; false for one to ignore: unknown
 * cfg_type (PCI-D-05), reserved BAR (PCI-D-07), cap_len too short for
 * its type (a longer one is fine, PCI-D-06), or running past 0x100.
 */
static bool vpci_cap_read(struct pci_root *root, uint32_t bdf, unsigned pos,
			  struct vpci_cap *c)
{
	unsigned need;

	c->cfg_type = pci_config_read8(root, bdf, pos + 3);
	c->bar = pci_config_read8(root, bdf, pos + 4);
	if (c->cfg_type < VIRTIO_PCI_CAP_COMMON_CFG ||
	    c->cfg_type > VIRTIO_PCI_CAP_DEVICE_CFG || c->bar >= PCI_NUM_BARS)
		return false;
	need = c->cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG
		       ? sizeof(struct virtio_pci_notify_cap)
		       : sizeof(struct virtio_pci_cap);
	if (pci_config_read8(root, bdf, pos + 2) < need || pos + need > 0x100)
		return false;
	c->offset = pci_config_read32(
		root, bdf, pos + offsetof(struct virtio_pci_cap, offset));
	c->length = pci_config_read32(
		root, bdf, pos + offsetof(struct virtio_pci_cap, length));
	c->multiplier = 0;
	if (c->cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		c->multiplier = pci_config_read32(
			root, bdf,
			pos + offsetof(struct virtio_pci_notify_cap,
				       notify_off_multiplier));
	return true;
}

/*
 * Does the structure fit in its BAR, with the minimum length and the
 * alignment our accessors need (PCI-V-06/19/27)? Also the map length.
 */
static bool vpci_cap_fits(const struct vpci_cap *c,
			  const struct pci_bar_info *bar, uint32_t *map_len)
{
	static const struct {
		uint32_t min_len, align, map_max;
	} rule[] = {
		[VIRTIO_PCI_CAP_COMMON_CFG] = {VPCI_COMMON_MIN_LEN, 4,
					       sizeof(struct virtio_pci_common_cfg)},
		[VIRTIO_PCI_CAP_NOTIFY_CFG] = {2, 2, UINT32_MAX},
		[VIRTIO_PCI_CAP_ISR_CFG] = {1, 1, 1},
		[VIRTIO_PCI_CAP_DEVICE_CFG] = {1, 4, VPCI_DEVICE_MAP_MAX},
	};
	const uint8_t t = c->cfg_type;

	/* Memory BARs only (hal_mmio_map), assigned by the platform. */
	if ((bar->type != PCI_BAR_MEM32 && bar->type != PCI_BAR_MEM64) ||
	    bar->address == 0)
		return false;
	if (c->length < rule[t].min_len || c->offset % rule[t].align)
		return false;
	/* 64-bit sum: offset + length cannot wrap. */
	if ((uint64_t)c->offset + c->length > bar->size)
		return false;
	*map_len = c->length < rule[t].map_max ? c->length : rule[t].map_max;
	return true;
}

static struct virtio_pci_region *vpci_region(struct virtio_pci_transport *t,
					     uint8_t cfg_type)
{
	switch (cfg_type) {
	case VIRTIO_PCI_CAP_COMMON_CFG:
		return &t->common;
	case VIRTIO_PCI_CAP_NOTIFY_CFG:
		return &t->notify;
	case VIRTIO_PCI_CAP_ISR_CFG:
		return &t->isr;
	}
	return &t->device;
}

int virtio_pci_transport_init(struct virtio_pci_transport *t,
			      struct pci_root *root, uint32_t bdf)
{
	struct pci_bar_info bars[PCI_NUM_BARS];
	struct pci_function_info info;
	struct virtio_pci_region *reg;
	struct pci_cap_iter it;
	struct vpci_cap c;
	unsigned bars_read = 0;
	uint32_t map_len;
	uint8_t pos, id;
	uint16_t cmd;
	int r, err;

	if (!t || !root || !root->hal)
		return -VIRTIO_ERR_INVALID_PARAM;
	memset(t, 0, sizeof(*t));
	t->irq_line = VIRTIO_NO_IRQ;
	t->base.ops = &vpci_transport_ops;
	t->base.hal = root->hal;
	t->root = root;
	t->bdf = bdf;

	if (pci_function_info_read(root, bdf, &info)) {
		err = -VIRTIO_ERR_NOT_READY;
		goto fail;
	}
	t->device_id = virtio_pci_device_type(&info);
	if (!t->device_id || info.header_type != PCI_HEADER_TYPE_NORMAL) {
		err = -VIRTIO_ERR_UNSUPPORTED;
		goto fail;
	}

	/* §4.1.4: the first valid capability of each type is the one. */
	pci_cap_iter_begin(&it, root, bdf);
	while ((r = pci_cap_iter_next(&it, &pos, &id)) > 0) {
		if (id != PCI_CAP_ID_VNDR || !vpci_cap_read(root, bdf, pos, &c))
			continue;
		reg = vpci_region(t, c.cfg_type);
		if (reg->regs)
			continue;
		if (!(bars_read & (1u << c.bar))) {
			/* Sized once; a BAR that cannot be read is NONE. */
			if (pci_bar_info_read(root, bdf, c.bar, &bars[c.bar]))
				bars[c.bar].type = PCI_BAR_NONE;
			bars_read |= 1u << c.bar;
		}
		if (!vpci_cap_fits(&c, &bars[c.bar], &map_len))
			continue;
		reg->regs = hal_mmio_map(root->hal,
					 bars[c.bar].address + c.offset, map_len);
		if (!reg->regs) {
			err = -VIRTIO_ERR_INVALID_PARAM;
			goto fail;
		}
		reg->len = map_len;
		if (c.cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG)
			t->notify_off_multiplier = c.multiplier;
	}
	/*
	 * §4.1.4.4: the multiplier is 0 or an even power of 2; anything
	 * else puts doorbells where a 16-bit write cannot land.
	 */
	if (t->notify_off_multiplier &
	    ((t->notify_off_multiplier - 1) | 1u)) {
		err = -VIRTIO_ERR_UNSUPPORTED;
		goto fail;
	}
	/* A broken list, or no modern interface (PCI-D-26): fail cleanly. */
	if (r < 0 || !t->common.regs || !t->notify.regs || !t->isr.regs) {
		err = -VIRTIO_ERR_UNSUPPORTED;
		goto fail;
	}

	/*
	 * PCI_INTERRUPT_LINE is firmware's note of where INTx goes; it
	 * resets to 0, and 0xff says "unknown". Without firmware (bare
	 * metal on QEMU) it still reads 0: no line, poll, unless the
	 * platform knows better (platform_pci_root: line 0 assigned, or its
	 * own INTx routing), which sets irq_line after init.
	 */
	if (info.interrupt_pin != 0 && info.interrupt_line != 0 &&
	    info.interrupt_line != 0xff)
		t->irq_line = info.interrupt_line;
	/* The structures live in BARs: decode them, and let it DMA. */
	cmd = pci_command_read(root, bdf);
	if ((cmd & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)) !=
	    (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER))
		pci_enable(root, bdf);
	return 0;

fail:
	memset(t, 0, sizeof(*t));
	t->irq_line = VIRTIO_NO_IRQ;
	return err;
}
