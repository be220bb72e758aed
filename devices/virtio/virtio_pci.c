/* SPDX-License-Identifier: MIT */
/*
 * The modern virtio-pci front-end (§4.1): config space capabilities and
 * one memory BAR in, struct virtio_dev calls out.
 *
 * Common configuration fields take accesses of their own width only
 * (PCI-D-04); 64-bit fields take either 32-bit half on its own (PCI-V-04).
 * Anything else is traced and ignored, never fatal.
 */
#include "devices/virtio/virtio_pci.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/wire/virtio_config.h"
#include "sim/trace.h"

#define CC(field) offsetof(struct virtio_pci_common_cfg, field)
#define CC_SIZE(field) sizeof(((struct virtio_pci_common_cfg *)0)->field)
#define VCAP(field) offsetof(struct virtio_pci_cap, field)

static unsigned vp_num_queues(const struct virtio_pci_dev *vp)
{
	unsigned n = vp->dev->ops->num_queues;

	return n < VIRTIO_DEV_MAX_QUEUES ? n : VIRTIO_DEV_MAX_QUEUES;
}

/* The selected queue's front-end state, or NULL if it does not exist. */
static struct virtio_pci_queue *vp_sel_queue(struct virtio_pci_dev *vp)
{
	return vp->queue_select < vp_num_queues(vp)
		   ? &vp->queue[vp->queue_select]
		   : NULL;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

/* The common configuration structure as the driver would see it now. */
static void vp_common_snapshot(struct virtio_pci_dev *vp, uint8_t *c)
{
	struct virtio_dev *dev = vp->dev;
	struct virtio_pci_queue *q = vp_sel_queue(vp);
	unsigned qi = vp->queue_select;

	memset(c, 0, sizeof(struct virtio_pci_common_cfg));
	put_le(c + CC(device_feature_select), vp->device_feature_select, 4);
	/* PCI-V-08: any select value; beyond bit 63 reads 0. */
	put_le(c + CC(device_feature),
	       virtio_dev_device_features(dev, vp->device_feature_select), 4);
	put_le(c + CC(driver_feature_select), vp->driver_feature_select, 4);
	put_le(c + CC(driver_feature), /* PCI-V-09 */
	       virtio_dev_driver_features(dev, vp->driver_feature_select), 4);
	/* No MSI-X: every vector reads NO_VECTOR (PCI-V-33, PCI-V-35). */
	put_le(c + CC(config_msix_vector), VIRTIO_MSI_NO_VECTOR, 2);
	put_le(c + CC(num_queues), vp_num_queues(vp), 2);
	put_le(c + CC(device_status), dev->status, 1); /* PCI-V-11 */
	put_le(c + CC(config_generation), (uint8_t)dev->config_generation, 1);
	put_le(c + CC(queue_select), vp->queue_select, 2);
	if (!q)
		return; /* PCI-V-15: a missing queue reads size 0 */
	put_le(c + CC(queue_size), q->size, 2);
	put_le(c + CC(queue_msix_vector), VIRTIO_MSI_NO_VECTOR, 2);
	put_le(c + CC(queue_enable), dev->vq[qi].ready, 2); /* PCI-V-12 */
	put_le(c + CC(queue_notify_off), qi, 2);
	put_le(c + CC(queue_desc), (uint64_t)q->desc_hi << 32 | q->desc_lo, 8);
	put_le(c + CC(queue_driver),
	       (uint64_t)q->driver_hi << 32 | q->driver_lo, 8);
	put_le(c + CC(queue_device),
	       (uint64_t)q->device_hi << 32 | q->device_lo, 8);
	/* queue_reset, notif_config_data, admin_*: not offered, read 0. */
}

/* Does the access [@off, @off + @size) touch the field at @field? */
static bool vp_reads(uint32_t off, unsigned size, size_t field, size_t len)
{
	return off < field + len && field < off + size;
}

static uint32_t vp_common_read(struct virtio_pci_dev *vp, uint32_t off,
			       unsigned size)
{
	uint8_t c[sizeof(struct virtio_pci_common_cfg)];
	struct virtio_pci_queue *q = vp_sel_queue(vp);

	if (off + size > sizeof(c))
		return 0;
	vp_common_snapshot(vp, c);
	/* Fault points, hit only by a read of their field: until written,
	 * queue_size is the maximum offered (queue-max-small); and
	 * queue_enable (queue-in-use); config_generation (hostile). */
	if (q && !q->size_set &&
	    vp_reads(off, size, CC(queue_size), CC_SIZE(queue_size)))
		put_le(c + CC(queue_size), virtio_dev_queue_num_max(vp->dev),
		       2);
	if (q && vp_reads(off, size, CC(queue_enable), CC_SIZE(queue_enable)))
		put_le(c + CC(queue_enable),
		       virtio_dev_queue_in_use(vp->dev, vp->queue_select), 2);
	if (vp_reads(off, size, CC(config_generation),
		     CC_SIZE(config_generation)))
		put_le(c + CC(config_generation),
		       (uint8_t)virtio_dev_config_generation(vp->dev), 1);
	return get_le(c + off, size);
}

static void vp_queue_size(struct virtio_pci_dev *vp, struct virtio_pci_queue *q,
			  uint32_t val)
{
	/* PCI-V-16 / PCI-D-11/12: nonzero power of 2, at most the maximum. */
	if ((val == 0 || (val & (val - 1))) && virtio_dev_strict(vp->dev))
		virtio_dev_violation(vp->dev, STRICT_PCI_D_12,
				     "queue %u: queue_size %u",
				     vp->queue_select, val);
	if (val == 0 || (val & (val - 1)) || val > vp->dev->queue_size_max) {
		trace_vpci_queue_size(vp->dev->env->trace, vp->dev->name,
				      vp->dev->id, vp->queue_select, val);
		return;
	}
	q->size = (uint16_t)val;
	q->size_set = true;
}

/* PCI-D-13: the addresses are final; check the rings and go. */
static void vp_queue_enable(struct virtio_pci_dev *vp,
			    struct virtio_pci_queue *q, uint32_t val)
{
	struct virtio_dev *dev = vp->dev;
	unsigned qi = vp->queue_select;

	if (val != 1) {
		/* PCI-D-15: only a reset disables a queue. */
		if (val == 0 && virtio_dev_strict(dev))
			virtio_dev_violation(dev, STRICT_PCI_D_15,
					     "queue %u: queue_enable 0", qi);
		trace_vpci_queue_enable(vp->dev->env->trace, vp->dev->name,
					vp->dev->id, qi, val);
		return;
	}
	if (dev->vq[qi].ready)
		return;
	if (!virtio_dev_queue_enable(
		dev, qi, q->size, (uint64_t)q->desc_hi << 32 | q->desc_lo,
		(uint64_t)q->driver_hi << 32 | q->driver_lo,
		(uint64_t)q->device_hi << 32 | q->device_lo))
		virtio_dev_fail(dev, "queue %u: rings are not in guest RAM",
				qi);
}

/* A write to a queue field: only while the queue is not live. */
static bool vp_queue_writable(struct virtio_pci_dev *vp, const char *what)
{
	if (!vp_sel_queue(vp)) {
		trace_vpci_queue_missing(vp->dev->env->trace, vp->dev->name,
					 vp->dev->id, vp->queue_select, what);
		return false;
	}
	if (vp->dev->vq[vp->queue_select].ready) {
		trace_vpci_queue_live(vp->dev->env->trace, vp->dev->name,
				      vp->dev->id, vp->queue_select, what);
		return false;
	}
	return true;
}

static void vp_queue_addr(struct virtio_pci_dev *vp, uint32_t off, uint32_t val)
{
	struct virtio_pci_queue *q;

	if (!vp_queue_writable(vp, "ring address"))
		return;
	q = vp_sel_queue(vp);
	switch (off) {
	case CC(queue_desc):
		q->desc_lo = val;
		break;
	case CC(queue_desc) + 4:
		q->desc_hi = val;
		break;
	case CC(queue_driver):
		q->driver_lo = val;
		break;
	case CC(queue_driver) + 4:
		q->driver_hi = val;
		break;
	case CC(queue_device):
		q->device_lo = val;
		break;
	case CC(queue_device) + 4:
		q->device_hi = val;
		break;
	}
}

/* A common config write no field took: which rule did it break? */
static void vp_strict_common_write(struct virtio_pci_dev *vp, uint32_t off,
				   unsigned size)
{
	static const struct {
		uint32_t off, size;
	} ro[] = {
	    {CC(device_feature), CC_SIZE(device_feature)},
	    {CC(num_queues), CC_SIZE(num_queues)},
	    {CC(config_generation), CC_SIZE(config_generation)},
	    {CC(queue_notify_off), CC_SIZE(queue_notify_off)},
	    {CC(queue_notif_config_data), CC_SIZE(queue_notif_config_data)},
	};

	for (unsigned i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		if (vp_reads(off, size, ro[i].off, ro[i].size)) {
			virtio_dev_violation(
			    vp->dev,
			    off == ro[i].off && size == ro[i].size
				? STRICT_PCI_D_10
				: STRICT_PCI_D_04,
			    "%u-byte write at 0x%02x", size, off);
			return;
		}
	/* The writable fields took their own width; this was another. */
	if (off + size <= sizeof(struct virtio_pci_common_cfg) &&
	    off < CC(admin_queue_index))
		virtio_dev_violation(vp->dev, STRICT_PCI_D_04,
				     "%u-byte write at 0x%02x", size, off);
}

static void vp_common_write(struct virtio_pci_dev *vp, uint32_t off,
			    uint32_t val, unsigned size)
{
	struct virtio_dev *dev = vp->dev;

	/* The 64-bit ring addresses: each 32-bit half alone (PCI-V-04). */
	if (off >= CC(queue_desc) && off < CC(queue_notif_config_data)) {
		if (size != 4) {
			if (virtio_dev_strict(dev))
				virtio_dev_violation(dev, STRICT_PCI_D_04,
						     "%u-byte write of ring "
						     "address 0x%02x",
						     size, off);
			trace_vpci_ring_addr_size(vp->dev->env->trace,
						  vp->dev->name, vp->dev->id,
						  size, off);
			return;
		}
		vp_queue_addr(vp, off, val);
		return;
	}
#define FIELD_IS(field) (off == CC(field) && size == CC_SIZE(field))
	if (FIELD_IS(device_feature_select)) {
		vp->device_feature_select = val;
	} else if (FIELD_IS(driver_feature_select)) {
		vp->driver_feature_select = val;
	} else if (FIELD_IS(driver_feature)) {
		virtio_dev_set_driver_features(dev, vp->driver_feature_select,
					       val);
	} else if (FIELD_IS(config_msix_vector) ||
		   FIELD_IS(queue_msix_vector)) {
		/* No MSI-X: the mapping fails, reading back NO_VECTOR. */
	} else if (FIELD_IS(device_status)) {
		virtio_dev_set_status(dev, (uint8_t)val); /* 0: reset */
	} else if (FIELD_IS(queue_select)) {
		vp->queue_select = (uint16_t)val;
	} else if (FIELD_IS(queue_size)) {
		if (vp_queue_writable(vp, "queue_size"))
			vp_queue_size(vp, vp_sel_queue(vp), val);
	} else if (FIELD_IS(queue_enable)) {
		if (vp_sel_queue(vp))
			vp_queue_enable(vp, vp_sel_queue(vp), val);
	} else if (FIELD_IS(queue_reset)) {
		/* RING_RESET is not offered: nothing to reset. */
		trace_vpci_queue_reset(vp->dev->env->trace, vp->dev->name,
				       vp->dev->id);
	} else {
		/* PCI-D-10: read-only fields, or a width that fits no field. */
		if (virtio_dev_strict(dev))
			vp_strict_common_write(vp, off, size);
		trace_vpci_common_ignored(vp->dev->env->trace, vp->dev->name,
					  vp->dev->id, val, off, size);
	}
#undef FIELD_IS
}

/* PCI-V-25: reading ISR returns it, clears it and deasserts INTx. */
static uint32_t vp_isr_read(struct virtio_pci_dev *vp, uint32_t off)
{
	uint8_t isr = vp->isr;

	if (off != 0)
		return 0;
	vp->isr = 0;
	pci_function_set_irq(&vp->fn, false);
	return isr;
}

static void vp_notify(struct virtio_pci_dev *vp, uint32_t off, uint32_t val,
		      unsigned size)
{
	unsigned q = val & 0xffff;

	if (virtio_dev_strict(vp->dev) && size != 2)
		virtio_dev_violation(vp->dev, STRICT_PCI_D_23,
				     "%u-byte notify at 0x%x", size, off);
	else if (virtio_dev_strict(vp->dev) &&
		 off / VIRTIO_PCI_NOTIFY_MULTIPLIER != q)
		virtio_dev_violation(vp->dev, STRICT_PCI_D_24,
				     "notify value %u at queue %u's address", q,
				     off / VIRTIO_PCI_NOTIFY_MULTIPLIER);
	if (size == 1 || off % VIRTIO_PCI_NOTIFY_MULTIPLIER) {
		trace_vpci_notify_size(vp->dev->env->trace, vp->dev->name,
				       vp->dev->id, size, off);
		return;
	}
	if (off / VIRTIO_PCI_NOTIFY_MULTIPLIER != q)
		trace_vpci_notify_other(vp->dev->env->trace, vp->dev->name,
					vp->dev->id, q,
					off / VIRTIO_PCI_NOTIFY_MULTIPLIER);
	if (!pci_function_bus_master(&vp->fn)) {
		/* No DMA without bus mastering: the rings are out of reach. */
		vp->notifies_dropped++;
		trace_vpci_notify_no_master(vp->dev->env->trace, vp->dev->name,
					    vp->dev->id, q);
		return;
	}
	vp->notifies++;
	virtio_dev_queue_notify(vp->dev, q); /* now or later, by mode */
}

static uint32_t vp_bar_read_reg(void *opaque, uint64_t offset, unsigned size)
{
	struct virtio_pci_dev *vp = opaque;
	uint32_t off = (uint32_t)(offset % VIRTIO_PCI_REGION_SIZE);
	uint8_t buf[4] = {0};

	switch (offset / VIRTIO_PCI_REGION_SIZE) {
	case VIRTIO_PCI_COMMON_OFFSET / VIRTIO_PCI_REGION_SIZE:
		return vp_common_read(vp, off, size);
	case VIRTIO_PCI_ISR_OFFSET / VIRTIO_PCI_REGION_SIZE:
		return vp_isr_read(vp, off);
	case VIRTIO_PCI_DEVICE_OFFSET / VIRTIO_PCI_REGION_SIZE:
		virtio_dev_config_read(vp->dev, off, buf, size);
		return get_le(buf, size);
	}
	return 0; /* notify region: write-only */
}

static void vp_bar_write_reg(void *opaque, uint64_t offset, uint32_t val,
			     unsigned size)
{
	struct virtio_pci_dev *vp = opaque;
	uint32_t off = (uint32_t)(offset % VIRTIO_PCI_REGION_SIZE);
	uint8_t buf[4];

	switch (offset / VIRTIO_PCI_REGION_SIZE) {
	case VIRTIO_PCI_COMMON_OFFSET / VIRTIO_PCI_REGION_SIZE:
		vp_common_write(vp, off, val, size);
		return;
	case VIRTIO_PCI_ISR_OFFSET / VIRTIO_PCI_REGION_SIZE:
		trace_vpci_isr_write(vp->dev->env->trace, vp->dev->name,
				     vp->dev->id);
		return;
	case VIRTIO_PCI_DEVICE_OFFSET / VIRTIO_PCI_REGION_SIZE:
		put_le(buf, val, size);
		virtio_dev_config_write(vp->dev, off, buf, size);
		return;
	case VIRTIO_PCI_NOTIFY_OFFSET / VIRTIO_PCI_REGION_SIZE:
		vp_notify(vp, off, val, size);
		return;
	}
}

/* Every BAR access, decoded; a notify names its queue. */
static uint32_t vp_bar_read(void *opaque, uint64_t offset, unsigned size)
{
	struct virtio_pci_dev *vp = opaque;
	uint32_t val = vp_bar_read_reg(opaque, offset, size);

	trace_vpci_read(vp->dev->env->trace, vp->dev->name, vp->dev->id,
			vp->queue_select, offset, size, val,
			vp->device_feature_select, vp->dev->ops->device_id);
	return val;
}

static void vp_bar_write(void *opaque, uint64_t offset, uint32_t val,
			 unsigned size)
{
	struct virtio_pci_dev *vp = opaque;
	bool notify = offset / VIRTIO_PCI_REGION_SIZE ==
		      VIRTIO_PCI_NOTIFY_OFFSET / VIRTIO_PCI_REGION_SIZE;

	trace_vpci_write(vp->dev->env->trace, vp->dev->name, vp->dev->id,
			 notify ? val : vp->queue_select, offset, size, val,
			 vp->driver_feature_select, vp->dev->ops->device_id);
	vp_bar_write_reg(opaque, offset, val, size);
}

static const struct bus_region_ops vp_bar_ops = {
    .read = vp_bar_read,
    .write = vp_bar_write,
    .traced = true,
    .sizes = BUS_SIZE_8 | BUS_SIZE_16 | BUS_SIZE_32,
    .aligned_only = true,
};

/*
 * The PCI_CFG capability window (§4.1.4.9): the BAR access it names, or
 * false if the window is not one the device serves (PCI-D-18/19).
 */
static bool vp_cfg_window(struct virtio_pci_dev *vp, uint32_t *off,
			  unsigned *len)
{
	unsigned co = vp->cap_offset[VIRTIO_PCI_CAP_PCI_CFG];
	uint8_t bar = vp->fn.cfg[co + VCAP(bar)];

	*off = pci_cfg_get32(&vp->fn, co + VCAP(offset));
	*len = pci_cfg_get32(&vp->fn, co + VCAP(length));
	if (virtio_dev_strict(vp->dev)) {
		if ((*len != 1 && *len != 2 && *len != 4) || *off % *len)
			virtio_dev_violation(vp->dev, STRICT_PCI_D_18,
					     "PCI_CFG offset 0x%x length %u",
					     *off, *len);
		else if (bar != VIRTIO_PCI_BAR ||
			 *off > VIRTIO_PCI_BAR_SIZE - *len)
			virtio_dev_violation(vp->dev, STRICT_PCI_D_19,
					     "PCI_CFG bar %u offset 0x%x", bar,
					     *off);
	}
	if (bar != VIRTIO_PCI_BAR || (*len != 1 && *len != 2 && *len != 4) ||
	    *off % *len || *off > VIRTIO_PCI_BAR_SIZE - *len) {
		trace_vpci_cfg_window(vp->dev->env->trace, vp->dev->name,
				      vp->dev->id, bar, *off, *len);
		return false;
	}
	return true;
}

static void vp_config_read(struct pci_function *f, unsigned reg, unsigned size)
{
	struct virtio_pci_dev *vp = (struct virtio_pci_dev *)f;
	unsigned co = vp->cap_offset[VIRTIO_PCI_CAP_PCI_CFG];
	unsigned data = co + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);
	uint32_t off;
	unsigned len;

	/* PCI-V-30: fill pci_cfg_data from the BAR when it is read. */
	if (!co || reg >= data + 4 || reg + size <= data ||
	    !vp_cfg_window(vp, &off, &len))
		return;
	put_le(&f->cfg[data], vp_bar_read(vp, off, len), len);
}

static void vp_config_write(struct pci_function *f, unsigned reg, uint32_t val,
			    unsigned size)
{
	struct virtio_pci_dev *vp = (struct virtio_pci_dev *)f;
	unsigned co = vp->cap_offset[VIRTIO_PCI_CAP_PCI_CFG];
	unsigned data = co + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);
	uint32_t off;
	unsigned len;

	(void)val;
	/* Bus Master gates every DMA of the device, in any mode. */
	virtio_dev_set_dma(vp->dev, pci_function_bus_master(&vp->fn));
	/* PCI-V-29: a write of pci_cfg_data goes to the BAR. */
	if (!co || reg >= data + 4 || reg + size <= data ||
	    !vp_cfg_window(vp, &off, &len))
		return;
	vp_bar_write(vp, off, get_le(&f->cfg[data], len), len);
}

static void vp_release(struct pci_function *f)
{
	free(f);
}

static const struct pci_function_ops vp_fn_ops = {
    .config_read = vp_config_read,
    .config_write = vp_config_write,
};

static const struct pci_function_ops vp_fn_ops_owned = {
    .config_read = vp_config_read,
    .config_write = vp_config_write,
    .release = vp_release,
};

struct virtio_pci_dev *virtio_pci_from_function(struct pci_function *f)
{
	if (!f || (f->ops != &vp_fn_ops && f->ops != &vp_fn_ops_owned))
		return NULL;
	return (struct virtio_pci_dev *)f;
}

/* PCI-V-22/23/24: set the ISR bit, then assert INTA. */
static void vp_irq_notify(void *opaque, unsigned q, bool config)
{
	struct virtio_pci_dev *vp = opaque;

	(void)q;
	vp->isr |= config ? VIRTIO_PCI_ISR_CONFIG : VIRTIO_PCI_ISR_QUEUE;
	pci_function_set_irq(&vp->fn, true);
}

static void vp_reset_queues(struct virtio_pci_dev *vp)
{
	memset(vp->queue, 0, sizeof(vp->queue));
	for (unsigned q = 0; q < vp_num_queues(vp); q++)
		vp->queue[q].size = vp->dev->queue_size_max;
}

static void vp_irq_reset(void *opaque)
{
	struct virtio_pci_dev *vp = opaque;

	vp->isr = 0;
	pci_function_set_irq(&vp->fn, false);
	vp->device_feature_select = 0;
	vp->driver_feature_select = 0;
	vp->queue_select = 0;
	vp_reset_queues(vp);
}

static void vp_class(uint32_t device_id, uint8_t *class_code, uint8_t *subclass)
{
	switch (device_id) {
	case VIRTIO_ID_BLOCK:
		*class_code = 0x01; /* mass storage, SCSI (as QEMU) */
		*subclass = 0x00;
		break;
	case VIRTIO_ID_NET:
		*class_code = 0x02; /* network, ethernet */
		*subclass = 0x00;
		break;
	case VIRTIO_ID_GPU:
		*class_code = 0x03; /* display, other */
		*subclass = 0x80;
		break;
	default:
		*class_code = 0xff;
		*subclass = 0x00;
		break;
	}
}

static int vp_add_vcap(struct virtio_pci_dev *vp, uint8_t cfg_type, uint8_t bar,
		       uint32_t offset, uint32_t length, unsigned cap_len)
{
	struct pci_function *f = &vp->fn;
	int co = pci_function_add_cap(f, PCI_CAP_ID_VNDR, cap_len);

	if (co < 0)
		return co;
	f->cfg[co + VCAP(cap_len)] = (uint8_t)cap_len; /* PCI-V-05 */
	f->cfg[co + VCAP(cfg_type)] = cfg_type;
	f->cfg[co + VCAP(bar)] = bar;
	pci_cfg_set32(f, co + VCAP(offset), offset);
	pci_cfg_set32(f, co + VCAP(length), length);
	if (cfg_type <= VIRTIO_PCI_CAP_PCI_CFG && bar < PCI_NUM_BARS &&
	    !vp->cap_offset[cfg_type])
		vp->cap_offset[cfg_type] = (uint8_t)co;
	return co;
}

static int vp_build_caps(struct virtio_pci_dev *vp)
{
	unsigned qf = vp->quirks, nq = vp_num_queues(vp);
	uint32_t dev_len = vp->dev->config_len;
	uint8_t first;
	int co, ret = 0; /* OR of cap offsets: negative if any failed */

	if (qf & VIRTIO_PCI_QUIRK_ODD_CAPS) {
		ret |= vp_add_vcap(vp, 0x63, VIRTIO_PCI_BAR, 0, 0x40,
				   sizeof(struct virtio_pci_cap));
		ret |= vp_add_vcap(vp, VIRTIO_PCI_CAP_COMMON_CFG, 7, 0, 0x40,
				   sizeof(struct virtio_pci_cap));
	}
	if (!(qf & VIRTIO_PCI_QUIRK_NO_COMMON_CFG))
		ret |= vp_add_vcap(vp, VIRTIO_PCI_CAP_COMMON_CFG,
				   VIRTIO_PCI_BAR, VIRTIO_PCI_COMMON_OFFSET,
				   sizeof(struct virtio_pci_common_cfg),
				   (qf & VIRTIO_PCI_QUIRK_ODD_CAPS)
				       ? sizeof(struct virtio_pci_cap) + 8
				       : sizeof(struct virtio_pci_cap));
	if (!(qf & VIRTIO_PCI_QUIRK_NO_NOTIFY_CFG)) {
		co = vp_add_vcap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_BAR,
				 VIRTIO_PCI_NOTIFY_OFFSET,
				 (nq ? nq : 1) * VIRTIO_PCI_NOTIFY_MULTIPLIER,
				 sizeof(struct virtio_pci_notify_cap));
		if (co >= 0)
			pci_cfg_set32(&vp->fn,
				      co +
					  offsetof(struct virtio_pci_notify_cap,
						   notify_off_multiplier),
				      VIRTIO_PCI_NOTIFY_MULTIPLIER);
		ret |= co;
	}
	if (!(qf & VIRTIO_PCI_QUIRK_NO_ISR_CFG))
		ret |= vp_add_vcap(vp, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_BAR,
				   VIRTIO_PCI_ISR_OFFSET, 1,
				   sizeof(struct virtio_pci_cap));
	if (!(qf & VIRTIO_PCI_QUIRK_NO_DEVICE_CFG) && dev_len) {
		uint32_t len = dev_len;

		if (qf & VIRTIO_PCI_QUIRK_SHORT_DEVICE_CFG)
			len = 4;
		if (qf & VIRTIO_PCI_QUIRK_CAP_OUTSIDE_BAR)
			len = VIRTIO_PCI_BAR_SIZE;
		ret |= vp_add_vcap(vp, VIRTIO_PCI_CAP_DEVICE_CFG,
				   VIRTIO_PCI_BAR, VIRTIO_PCI_DEVICE_OFFSET,
				   len, sizeof(struct virtio_pci_cap));
	}
	if (!(qf & VIRTIO_PCI_QUIRK_NO_PCI_CFG)) {
		co = vp_add_vcap(vp, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 0,
				 sizeof(struct virtio_pci_cfg_cap));
		if (co >= 0) {
			/* PCI-D-09: only the window fields are writable. */
			pci_function_set_writable(&vp->fn, co + VCAP(bar), 1);
			pci_function_set_writable(&vp->fn, co + VCAP(offset),
						  8);
			pci_function_set_writable(
			    &vp->fn,
			    co + offsetof(struct virtio_pci_cfg_cap,
					  pci_cfg_data),
			    4);
		}
		ret |= co;
	}
	if (ret < 0)
		return -EINVAL;
	first = vp->fn.cfg[PCI_CAPABILITY_LIST];
	if ((qf & VIRTIO_PCI_QUIRK_CAP_LOOP) && first)
		vp->fn.cfg[vp->fn.cap_last + 1] = first;
	return 0;
}

/* The quirks' fault points: a plan breaks a function as a quirk would. */
static const struct {
	enum fault_point point;
	unsigned quirk;
} vp_fault_quirks[] = {
    {FAULT_PCI_NO_COMMON_CFG, VIRTIO_PCI_QUIRK_NO_COMMON_CFG},
    {FAULT_PCI_NO_NOTIFY_CFG, VIRTIO_PCI_QUIRK_NO_NOTIFY_CFG},
    {FAULT_PCI_NO_ISR_CFG, VIRTIO_PCI_QUIRK_NO_ISR_CFG},
    {FAULT_NO_DEVICE_CFG, VIRTIO_PCI_QUIRK_NO_DEVICE_CFG},
    {FAULT_PCI_NO_PCI_CFG, VIRTIO_PCI_QUIRK_NO_PCI_CFG},
    {FAULT_CONFIG_SHORT, VIRTIO_PCI_QUIRK_SHORT_DEVICE_CFG},
    {FAULT_PCI_CAP_LOOP, VIRTIO_PCI_QUIRK_CAP_LOOP},
    {FAULT_PCI_CAP_OUTSIDE_BAR, VIRTIO_PCI_QUIRK_CAP_OUTSIDE_BAR},
    {FAULT_PCI_ODD_CAPS, VIRTIO_PCI_QUIRK_ODD_CAPS},
};

/* @flags, and the quirks the fault plan gives @dev as it is attached. */
static unsigned vp_quirks(struct virtio_dev *dev, unsigned flags)
{
	for (size_t i = 0;
	     i < sizeof(vp_fault_quirks) / sizeof(vp_fault_quirks[0]); i++)
		if (virtio_dev_fault(dev, vp_fault_quirks[i].point))
			flags |= vp_fault_quirks[i].quirk;
	return flags;
}

static int vp_init(struct virtio_pci_dev *vp, struct virtio_dev *dev,
		   const struct virtio_pci_quirks *quirks,
		   const struct pci_function_ops *ops)
{
	uint8_t class_code, subclass;
	uint16_t device_id;
	int ret;

	if (!dev || dev->config_len > VIRTIO_PCI_REGION_SIZE)
		return -EINVAL;
	vp_class(dev->ops->device_id, &class_code, &subclass);
	memset(vp, 0, sizeof(*vp));
	vp->dev = dev;
	vp->quirks = vp_quirks(dev, quirks ? quirks->flags : 0);
	snprintf(vp->name, sizeof(vp->name), "%s-pci",
		 dev->name ? dev->name : "virtio");
	/* PCI-V-02/03, PCI-N-01: modern ids, revision 1, subsystem >= 0x40.
	 * device-id-zero: 0x1040 is VirtIO id 0, no device (PCI-D-01). */
	device_id = VIRTIO_PCI_DEVICE_ID_MODERN_BASE;
	if (!virtio_dev_fault(dev, FAULT_DEVICE_ID_ZERO))
		device_id = (uint16_t)(device_id + dev->ops->device_id);
	pci_function_init(&vp->fn, ops, vp->name, VIRTIO_PCI_VENDOR_ID,
			  device_id, 1, class_code, subclass, 0, 1 /* INTA */);
	pci_function_set_subsystem(&vp->fn, VIRTIO_PCI_SUBSYSTEM_VENDOR,
				   VIRTIO_PCI_SUBSYSTEM_ID);
	ret = pci_function_set_bar(&vp->fn, VIRTIO_PCI_BAR, VIRTIO_PCI_BAR_SIZE,
				   true, true, &vp_bar_ops, vp);
	if (!ret)
		ret = vp_build_caps(vp);
	if (ret)
		return ret;
	dev->legacy = false;
	dev->irq.notify = vp_irq_notify;
	dev->irq.reset = vp_irq_reset;
	dev->irq.opaque = vp;
	vp_reset_queues(vp);
	return 0;
}

int virtio_pci_dev_init(struct virtio_pci_dev *vp, struct virtio_dev *dev,
			const struct virtio_pci_quirks *quirks)
{
	return vp_init(vp, dev, quirks, &vp_fn_ops);
}

int virtio_pci_dev_create(struct virtio_dev *dev,
			  const struct virtio_pci_quirks *quirks,
			  struct virtio_pci_dev **out)
{
	struct virtio_pci_dev *vp = calloc(1, sizeof(*vp));
	int ret;

	*out = NULL;
	if (!vp)
		return -ENOMEM;
	ret = vp_init(vp, dev, quirks, &vp_fn_ops_owned);
	if (ret) {
		free(vp);
		return ret;
	}
	*out = vp;
	return 0;
}

int virtio_pci_attach_function(struct machine *machine, unsigned slot,
			       unsigned fn, struct virtio_dev *dev,
			       const struct virtio_pci_quirks *quirks)
{
	struct virtio_pci_dev *vp;
	int ret;

	if (!dev || slot >= PCI_MAX_DEVICES || fn >= PCI_MAX_FUNCTIONS)
		return -EINVAL;
	if (pci_host_function(&machine->pci, 0, slot, fn))
		return -EEXIST;
	ret = virtio_pci_dev_create(dev, quirks, &vp);
	if (ret)
		return ret;
	virtio_dev_set_dma(dev, false); /* Bus Master resets to off */
	/* From here the host bridge owns the front-end (release hook). */
	ret = pci_host_add_function(&machine->pci, &vp->fn, 0, slot, fn);
	if (ret) {
		free(vp);
		dev->irq = (struct virtio_dev_irq){0};
	}
	return ret;
}

int virtio_pci_attach(struct machine *machine, struct virtio_dev *dev,
		      const struct virtio_pci_quirks *quirks)
{
	int slot = pci_host_free_device(&machine->pci, 0);
	int ret;

	if (slot < 0)
		return slot;
	ret =
	    virtio_pci_attach_function(machine, (unsigned)slot, 0, dev, quirks);
	return ret ? ret : slot;
}
