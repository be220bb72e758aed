/* SPDX-License-Identifier: MIT */
/*
 * The VirtIO MMIO front-end (§4.2): registers in, struct virtio_dev calls
 * out. Version 2 is the modern interface (§4.2.2); version 1 the legacy
 * one (§4.2.4) with GuestPageSize, QueueAlign and QueuePFN.
 *
 * Control registers (below 0x100) take aligned 32-bit accesses only
 * (MMIO-D-02); config space takes 8, 16 and 32 bits (MMIO-D-03).
 */
#include "devices/virtio/virtio_mmio.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_mmio.h"
#include "drivers/wire/virtio_ring.h"
#include "sim/trace.h"

#define VIRTIO_MMIO_VENDOR 0x554d4551u /* "QEMU", as Linux expects */

static const char *mmio_name(const struct virtio_mmio_dev *m)
{
	return m->dev ? m->dev->name : "virtio-mmio-empty";
}

static unsigned mmio_id(const struct virtio_mmio_dev *m)
{
	return m->dev ? m->dev->id : 0;
}

static struct virtio_mmio_queue *mmio_sel_queue(struct virtio_mmio_dev *m)
{
	if (m->queue_sel >= VIRTIO_DEV_MAX_QUEUES ||
	    m->queue_sel >= m->dev->ops->num_queues)
		return NULL;
	return &m->queue[m->queue_sel];
}

static void mmio_irq_notify(void *opaque, unsigned q, bool config)
{
	struct virtio_mmio_dev *m = opaque;

	m->interrupt_status |=
	    config ? VIRTIO_MMIO_INT_CONFIG : VIRTIO_MMIO_INT_VRING;
	irq_set_level(m->irq, m->irq_line, true);
}

/* MMIO-V-04: reset clears InterruptStatus and every queue's registers. */
static void mmio_irq_reset(void *opaque)
{
	struct virtio_mmio_dev *m = opaque;

	m->interrupt_status = 0;
	irq_set_level(m->irq, m->irq_line, false);
	memset(m->queue, 0, sizeof(m->queue));
	for (unsigned q = 0; q < VIRTIO_DEV_MAX_QUEUES; q++)
		m->queue[q].align = VIRTQ_LEGACY_ALIGN;
}

void virtio_mmio_dev_init(struct virtio_mmio_dev *m, struct virtio_dev *dev,
			  int version, struct irq_ctl *irq, unsigned irq_line,
			  struct trace *trace)
{
	memset(m, 0, sizeof(*m));
	m->dev = dev;
	m->version = version;
	m->irq = irq;
	m->irq_line = irq_line;
	m->trace = trace;
	m->guest_page_size = 0;
	for (unsigned q = 0; q < VIRTIO_DEV_MAX_QUEUES; q++)
		m->queue[q].align = VIRTQ_LEGACY_ALIGN;
	if (!dev)
		return;
	dev->legacy = version == 1;
	dev->irq.notify = mmio_irq_notify;
	dev->irq.reset = mmio_irq_reset;
	dev->irq.opaque = m;
}

static uint16_t mmio_queue_size(const struct virtio_mmio_dev *m,
				const struct virtio_mmio_queue *mq)
{
	/* A driver that never wrote QueueNum gets the maximum, as QEMU. */
	return (uint16_t)(mq->num ? mq->num : m->dev->queue_size_max);
}

static uint32_t mmio_config_read(struct virtio_mmio_dev *m, uint32_t off,
				 unsigned size)
{
	uint8_t buf[4] = {0};

	if (!m->dev)
		return 0;
	virtio_dev_config_read(m->dev, off, buf, size);
	/* Config is stored little-endian; assemble the access value. */
	return (uint32_t)buf[0] | (uint32_t)buf[1] << 8 |
	       (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;
}

static void mmio_config_write(struct virtio_mmio_dev *m, uint32_t off,
			      uint32_t val, unsigned size)
{
	uint8_t buf[4] = {(uint8_t)val, (uint8_t)(val >> 8),
			  (uint8_t)(val >> 16), (uint8_t)(val >> 24)};

	if (m->dev)
		virtio_dev_config_write(m->dev, off, buf, size);
}

static uint32_t mmio_read_reg(void *opaque, uint64_t offset, unsigned size)
{
	struct virtio_mmio_dev *m = opaque;
	struct virtio_dev *dev = m->dev;
	struct virtio_mmio_queue *mq;
	bool v2 = m->version == 2;

	if (offset >= VIRTIO_MMIO_CONFIG)
		return mmio_config_read(
		    m, (uint32_t)(offset - VIRTIO_MMIO_CONFIG), size);
	if (size != 4 || offset % 4) {
		if (dev && virtio_dev_strict(dev))
			virtio_dev_violation(dev, STRICT_MMIO_D_02,
					     "%u-byte read at 0x%03" PRIx64,
					     size, offset);
		trace_vmmio_read_size(m->trace, mmio_name(m), mmio_id(m), size,
				      offset);
		return 0;
	}
	/* The header's fault points: what a driver must refuse to probe. */
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		if (dev && virtio_dev_fault(dev, FAULT_BAD_MAGIC))
			return 0;
		return VIRTIO_MMIO_MAGIC; /* MMIO-V-01 */
	case VIRTIO_MMIO_VERSION:
		if (dev && virtio_dev_fault(dev, FAULT_BAD_VERSION))
			return 3;
		return (uint32_t)m->version; /* MMIO-V-02 */
	case VIRTIO_MMIO_DEVICE_ID:
		if (!dev || virtio_dev_fault(dev, FAULT_DEVICE_ID_ZERO))
			return 0;
		return dev->ops->device_id;
	}
	if (!dev)
		return 0; /* an empty slot: nothing else is there */
	switch (offset) {
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return virtio_dev_device_features(dev, m->device_features_sel);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		mq = mmio_sel_queue(m);
		return mq ? virtio_dev_queue_num_max(dev) : 0;
	case VIRTIO_MMIO_QUEUE_PFN:
		mq = mmio_sel_queue(m);
		if (v2 || !mq || !virtio_dev_queue_in_use(dev, m->queue_sel))
			return 0;
		return mq->pfn ? mq->pfn : 1; /* 1: queue-in-use fired */
	case VIRTIO_MMIO_QUEUE_READY:
		mq = mmio_sel_queue(m);
		return v2 && mq && virtio_dev_queue_in_use(dev, m->queue_sel);
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return m->interrupt_status;
	case VIRTIO_MMIO_STATUS:
		return dev->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		/* §4.2.2: no shared memory region reads as all ones. */
		return v2 ? 0xffffffffu : 0;
	case VIRTIO_MMIO_QUEUE_RESET:
		return 0; /* RING_RESET is not offered */
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return v2 ? virtio_dev_config_generation(dev) : 0;
	}
	if (virtio_dev_strict(dev))
		virtio_dev_violation(dev, STRICT_MMIO_D_01,
				     "read of write-only or unknown register "
				     "0x%03" PRIx64,
				     offset);
	trace_vmmio_read_unknown(m->trace, mmio_name(m), mmio_id(m), offset);
	return 0;
}

/* v2 QueueReady (§4.2.3.2): the addresses are final, check and go. */
static void mmio_queue_ready(struct virtio_mmio_dev *m, uint32_t val)
{
	struct virtio_mmio_queue *mq = mmio_sel_queue(m);
	struct virtio_dev *dev = m->dev;
	struct vq_dev *vq;

	if (!mq)
		return;
	vq = &dev->vq[m->queue_sel];
	if (!(val & 1)) {
		virtio_dev_queue_disable(dev, m->queue_sel);
		return;
	}
	if (vq->ready)
		return;
	if (!virtio_dev_queue_enable(
		dev, m->queue_sel, mmio_queue_size(m, mq),
		(uint64_t)mq->desc_hi << 32 | mq->desc_lo,
		(uint64_t)mq->avail_hi << 32 | mq->avail_lo,
		(uint64_t)mq->used_hi << 32 | mq->used_lo))
		virtio_dev_fail(dev, "queue %u: rings are not in guest RAM",
				m->queue_sel);
}

/* v1 QueuePFN (§4.2.4): one contiguous legacy ring at PFN * page size. */
static void mmio_queue_pfn(struct virtio_mmio_dev *m, uint32_t pfn)
{
	struct virtio_mmio_queue *mq = mmio_sel_queue(m);
	struct virtio_dev *dev = m->dev;
	uint64_t base;
	uint16_t size;

	if (!mq)
		return;
	mq->pfn = 0;
	virtio_dev_queue_disable(dev, m->queue_sel);
	if (pfn == 0)
		return; /* MMIO-L-03: stop the queue */
	if (!m->guest_page_size) {
		virtio_dev_fail(dev, "queue %u: QueuePFN before GuestPageSize",
				m->queue_sel);
		return;
	}
	base = (uint64_t)pfn * m->guest_page_size;
	size = mmio_queue_size(m, mq);
	if (!virtio_dev_queue_enable(
		dev, m->queue_sel, size, base, base + virtq_desc_size(size),
		base + virtq_legacy_used_offset(size, mq->align))) {
		virtio_dev_fail(dev,
				"queue %u: legacy ring at 0x%" PRIx64
				" is not in guest RAM",
				m->queue_sel, base);
		return;
	}
	mq->pfn = pfn;
}

static void mmio_queue_num(struct virtio_mmio_dev *m, uint32_t val)
{
	struct virtio_mmio_queue *mq = mmio_sel_queue(m);

	if (!mq)
		return;
	/* §4.2.2: 1..QueueNumMax; legacy rings need a power of 2 (§2.7). */
	if (val > m->dev->queue_size_max && virtio_dev_strict(m->dev))
		virtio_dev_violation(m->dev, STRICT_MMIO_D_09,
				     "queue %u: QueueNum %u above QueueNumMax "
				     "%u",
				     m->queue_sel, val, m->dev->queue_size_max);
	if (val == 0 || val > m->dev->queue_size_max ||
	    (m->version == 1 && (val & (val - 1)))) {
		trace_vmmio_queue_size(m->trace, mmio_name(m), mmio_id(m),
				       m->queue_sel, val);
		return;
	}
	mq->num = val;
}

/* MMIO-D-10: layout registers are frozen while the queue is live. */
static bool mmio_queue_frozen(struct virtio_mmio_dev *m, uint64_t offset)
{
	if (m->queue_sel < VIRTIO_DEV_MAX_QUEUES &&
	    m->dev->vq[m->queue_sel].ready) {
		/* v2's rule: v1 has no QueueReady (§4.2.4). */
		if (m->version == 2 && virtio_dev_strict(m->dev))
			virtio_dev_violation(m->dev, STRICT_MMIO_D_10,
					     "queue %u: register 0x%03" PRIx64
					     " written while QueueReady",
					     m->queue_sel, offset);
		trace_vmmio_queue_frozen(m->trace, mmio_name(m), mmio_id(m),
					 m->queue_sel);
		return true;
	}
	return false;
}

static void mmio_queue_addr(struct virtio_mmio_dev *m, uint64_t offset,
			    uint32_t val)
{
	struct virtio_mmio_queue *mq = mmio_sel_queue(m);

	if (!mq || mmio_queue_frozen(m, offset))
		return;
	switch (offset) {
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		mq->desc_lo = val;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		mq->desc_hi = val;
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
		mq->avail_lo = val;
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		mq->avail_hi = val;
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
		mq->used_lo = val;
		break;
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		mq->used_hi = val;
		break;
	}
}

static void mmio_interrupt_ack(struct virtio_mmio_dev *m, uint32_t val)
{
	if ((val &
	     ~(uint32_t)(VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG)) &&
	    virtio_dev_strict(m->dev))
		virtio_dev_violation(m->dev, STRICT_MMIO_D_12,
				     "InterruptACK 0x%x", val);
	m->interrupt_status &= ~val; /* MMIO-V-03 */
	if (!m->interrupt_status)
		irq_set_level(m->irq, m->irq_line, false);
}

static void mmio_write_reg(void *opaque, uint64_t offset, uint32_t val,
			   unsigned size)
{
	struct virtio_mmio_dev *m = opaque;
	struct virtio_dev *dev = m->dev;
	bool v2 = m->version == 2;

	if (!dev) {
		trace_vmmio_empty_write(m->trace, offset);
		return;
	}
	if (offset >= VIRTIO_MMIO_CONFIG) {
		mmio_config_write(m, (uint32_t)(offset - VIRTIO_MMIO_CONFIG),
				  val, size);
		return;
	}
	if (size != 4 || offset % 4) {
		if (virtio_dev_strict(dev))
			virtio_dev_violation(dev, STRICT_MMIO_D_02,
					     "%u-byte write at 0x%03" PRIx64,
					     size, offset);
		trace_vmmio_write_size(m->trace, mmio_name(m), mmio_id(m), size,
				       offset);
		return;
	}
	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		m->device_features_sel = val;
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		virtio_dev_set_driver_features(dev, m->driver_features_sel,
					       val);
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		m->driver_features_sel = val;
		return;
	case VIRTIO_MMIO_QUEUE_SEL:
		m->queue_sel = val;
		return;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (!mmio_queue_frozen(m, offset))
			mmio_queue_num(m, val);
		return;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* The core runs the device's work now or later, by mode. */
		virtio_dev_queue_notify(dev, val & 0xffff);
		return;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		mmio_interrupt_ack(m, val);
		return;
	case VIRTIO_MMIO_STATUS:
		virtio_dev_set_status(dev, (uint8_t)val);
		return;
	}
	if (!v2) {
		switch (offset) {
		case VIRTIO_MMIO_GUEST_PAGE_SIZE:
			m->guest_page_size = val;
			return;
		case VIRTIO_MMIO_QUEUE_ALIGN:
			if (val && !(val & (val - 1)) && mmio_sel_queue(m))
				mmio_sel_queue(m)->align = val;
			else
				trace_vmmio_align(m->trace, mmio_name(m),
						  mmio_id(m), val);
			return;
		case VIRTIO_MMIO_QUEUE_PFN:
			mmio_queue_pfn(m, val);
			return;
		}
	} else {
		switch (offset) {
		case VIRTIO_MMIO_QUEUE_READY:
			mmio_queue_ready(m, val);
			return;
		case VIRTIO_MMIO_QUEUE_DESC_LOW:
		case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
		case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		case VIRTIO_MMIO_QUEUE_USED_LOW:
		case VIRTIO_MMIO_QUEUE_USED_HIGH:
			mmio_queue_addr(m, offset, val);
			return;
		case VIRTIO_MMIO_SHM_SEL:
		case VIRTIO_MMIO_QUEUE_RESET:
			return; /* no shared memory, no RING_RESET */
		}
	}
	if (virtio_dev_strict(dev))
		virtio_dev_violation(dev, STRICT_MMIO_D_01,
				     "write 0x%x to read-only or unknown "
				     "register 0x%03" PRIx64,
				     val, offset);
	trace_vmmio_write_unknown(m->trace, mmio_name(m), mmio_id(m), val,
				  offset);
}

/* Every register access, decoded; a QueueNotify names its queue. */
static uint32_t mmio_read(void *opaque, uint64_t offset, unsigned size)
{
	struct virtio_mmio_dev *m = opaque;
	uint32_t val = mmio_read_reg(opaque, offset, size);

	trace_vmmio_read(m->trace, mmio_name(m), mmio_id(m), m->queue_sel,
			 offset, size, val, m->device_features_sel,
			 m->dev ? m->dev->ops->device_id : 0);
	return val;
}

static void mmio_write(void *opaque, uint64_t offset, uint32_t val,
		       unsigned size)
{
	struct virtio_mmio_dev *m = opaque;

	trace_vmmio_write(m->trace, mmio_name(m), mmio_id(m),
			  offset == VIRTIO_MMIO_QUEUE_NOTIFY ? val
							     : m->queue_sel,
			  offset, size, val, m->driver_features_sel,
			  m->dev ? m->dev->ops->device_id : 0);
	mmio_write_reg(opaque, offset, val, size);
}

const struct bus_region_ops virtio_mmio_region_ops = {
    .read = mmio_read,
    .write = mmio_write,
    .traced = true,
    .sizes = BUS_SIZE_8 | BUS_SIZE_16 | BUS_SIZE_32,
    .aligned_only = true,
};

static int mmio_attach(struct machine *machine, struct virtio_dev *dev,
		       int version)
{
	struct virtio_mmio_dev *md;
	int slot, ret;

	if (version != 1 && version != 2)
		return -EINVAL;
	md = calloc(1, sizeof(*md));
	if (!md)
		return -ENOMEM;
	ret = machine_on_destroy(machine, free, md);
	if (ret) {
		free(md);
		return ret;
	}
	slot = machine_claim_mmio_slot(machine);
	if (slot < 0)
		return slot; /* md is freed at teardown */
	virtio_mmio_dev_init(md, dev, version, &machine->irq,
			     machine_mmio_slot_irq((unsigned)slot),
			     &machine->trace);
	ret = bus_map(&machine->bus, machine_mmio_slot_base((unsigned)slot),
		      MACHINE_MMIO_SLOT_SIZE, &virtio_mmio_region_ops, md,
		      mmio_name(md));
	if (ret && dev)
		dev->irq = (struct virtio_dev_irq){0};
	return ret ? ret : slot;
}

int virtio_mmio_attach(struct machine *machine, struct virtio_dev *dev,
		       int version)
{
	return dev ? mmio_attach(machine, dev, version) : -EINVAL;
}

int virtio_mmio_attach_empty(struct machine *machine)
{
	return mmio_attach(machine, NULL, 2);
}
