/* SPDX-License-Identifier: MIT */
/*
 * virtio_device.c - device-independent bring-up, interrupts, waiting and
 * teardown for VirtIO device drivers (§3.1).
 */
#include "drivers/virtio/virtio_device.h"

#include <string.h>

int virtio_device_begin(struct virtio_device *vd, struct virtio_transport *t,
			uint32_t id, uint64_t features)
{
	int err;

	if (!vd || !t)
		return -VIRTIO_ERR_INVALID_PARAM;
	memset(vd, 0, sizeof(*vd));
	/* Not ours: leave the device as it is for its own driver. */
	if (virtio_transport_device_type(t) != id)
		return -VIRTIO_ERR_UNSUPPORTED;
	/* Sets FAILED itself when it gives up; *negotiated untouched. */
	err = virtio_transport_begin_init(t, features, &vd->features);
	if (err)
		return err;
	vd->transport = t;
	vd->id = id;
	vd->legacy = virtio_transport_is_legacy(t);
	return 0;
}

int virtio_device_queue_size(struct virtio_device *vd, uint16_t index,
			     uint16_t want, uint16_t dflt, uint16_t *size)
{
	struct virtio_transport *t;
	uint16_t max, n;

	if (!vd || !vd->transport || !size)
		return -VIRTIO_ERR_INVALID_PARAM;
	t = vd->transport;
	max = t->ops->max_queue_size(t, index);
	if (max == 0)
		return -VIRTIO_ERR_UNSUPPORTED; /* no such queue */
	n = want ? want : dflt;
	/* §2.7: split queue sizes are powers of 2. */
	if (n == 0 || (n & (n - 1)))
		return -VIRTIO_ERR_INVALID_PARAM;
	/* MMIO-D-09: never above the device's maximum. */
	while (n > max)
		n >>= 1;
	*size = n;
	return 0;
}

int virtio_device_queue_init(struct virtio_device *vd, struct virtqueue *vq,
			     uint16_t index, uint16_t size)
{
	struct virtio_transport *t;
	unsigned flags = 0;
	int err;

	if (!vd || !vd->transport || !vq)
		return -VIRTIO_ERR_INVALID_PARAM;
	if (vd->nqueues == VIRTIO_DEVICE_MAX_QUEUES)
		return -VIRTIO_ERR_UNSUPPORTED;
	t = vd->transport;
	if (virtio_device_has_feature(vd, VIRTIO_F_INDIRECT_DESC))
		flags |= VIRTQUEUE_F_INDIRECT;
	if (virtio_device_has_feature(vd, VIRTIO_F_EVENT_IDX))
		flags |= VIRTQUEUE_F_EVENT_IDX;
	if (virtio_transport_is_legacy(t))
		flags |= VIRTQUEUE_F_LEGACY;
	err = virtqueue_init(vq, t->hal, t, index, size, flags);
	if (err)
		return err;
	vd->queues[vd->nqueues++] = vq;
	return 0;
}

static void vdev_irq_handler(void *arg)
{
	struct virtio_device *vd = arg;
	uint32_t cause = virtio_transport_ack_interrupt(vd->transport);

	vd->irqs++;
	/* MMIO-D-19: any cause means "look at the queues". Nothing at all
	 * (or only reserved bits, which must not be acknowledged, MMIO-D-12):
	 * another device on a shared line, or a device holding its line up
	 * for nothing: no progress to a wait, which gives up in the end
	 * (virtio_device_wait). */
	if (cause)
		vd->irq_pending = true;
	else
		vd->spurious_irqs++;
	if (cause & VIRTIO_INT_CONFIG) {
		vd->config_changed = true;
		vd->config_irqs++;
	}
}

int virtio_device_irq_init(struct virtio_device *vd, bool use_irq,
			   unsigned line)
{
	if (!vd || !vd->transport)
		return -VIRTIO_ERR_INVALID_PARAM;
	vd->irq_line = line;
	if (!use_irq) {
		/* Polling: interrupts would only be noise (a hint). */
		for (unsigned i = 0; i < vd->nqueues; i++)
			virtqueue_disable_cb(vd->queues[i]);
		return 0;
	}
	if (line == VIRTIO_NO_IRQ ||
	    hal_irq_register(vd->transport->hal, line, vdev_irq_handler, vd))
		return -VIRTIO_ERR_INVALID_PARAM;
	vd->irq_registered = true;
	vd->use_irq = true;
	return 0;
}

void virtio_device_ready(struct virtio_device *vd)
{
	virtio_transport_finish_init(vd->transport);
}

int virtio_device_fail(struct virtio_device *vd, int err)
{
	if (!vd || !vd->transport)
		return err;
	virtio_transport_set_failed(vd->transport);
	virtio_device_teardown(vd);
	return err;
}

int virtio_device_reset(struct virtio_device *vd)
{
	return virtio_transport_reset(vd->transport);
}

void virtio_device_teardown(struct virtio_device *vd)
{
	if (!vd || !vd->transport)
		return;
	if (vd->irq_registered)
		hal_irq_unregister(vd->transport->hal, vd->irq_line,
				   vdev_irq_handler, vd);
	while (vd->nqueues)
		virtqueue_destroy(vd->queues[--vd->nqueues]);
	memset(vd, 0, sizeof(*vd));
}

static bool vdev_needs_reset(struct virtio_device *vd)
{
	return virtio_transport_get_status(vd->transport) &
	       VIRTIO_CONFIG_S_NEEDS_RESET;
}

/* Used entries taken off the device's queues so far (the queues' pops
 * counts, bad entries left out): its progress. */
static uint64_t vdev_pops(const struct virtio_device *vd)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < vd->nqueues; i++)
		n += vd->queues[i]->pops;
	return n;
}

/*
 * How long a wait has seen no progress. Drivers never trust the device:
 * each wakeup of hal_wait may be for nothing (a line held up, a cause
 * that reads 0 or reserved bits, a device that ignores the ack, other
 * devices' work), so waking is not progress, taking a used entry is.
 */
struct vdev_stall {
	uint64_t pops;	 /* vdev_pops at the last progress */
	uint64_t since;	 /* hal_now_ns then */
	uint64_t last;	 /* hal_now_ns at the last wakeup */
	uint32_t frozen; /* wakeups since at which the clock stood still */
};

/*
 * The bounds (virtio_device.h) are generous. In deferred mode a device
 * completes within 100 us and interrupts within 20 us of virtual time;
 * while a host peer (libslirp) is watched, virtual time runs no faster
 * than real time, and 30 s outlasts a host's resolver timeouts (5 s a
 * try). A working device raises about one interrupt per completion, and
 * the clock moves between most wakeups; 2^20 wakeups at one instant is
 * a storm (under a second of it in the simulator). Without a clock
 * (hal_now_ns 0) every wakeup counts as frozen: the count alone bounds.
 */
static bool vdev_stalled(struct virtio_device *vd, struct vdev_stall *st)
{
	uint64_t pops = vdev_pops(vd), now = hal_now_ns(vd->transport->hal);

	if (pops != st->pops) {
		*st = (struct vdev_stall){pops, now, now, 0};
		return false;
	}
	if (now == st->last)
		st->frozen++;
	st->last = now;
	return st->frozen >= VIRTIO_WAIT_STALL_WAKEUPS ||
	       now - st->since >= VIRTIO_WAIT_STALL_NS;
}

int virtio_device_wait(struct virtio_device *vd, int (*poll)(void *arg),
		       void *arg)
{
	struct vdev_stall st;
	bool looked = false;
	uint64_t now;
	int r;

	if (!vd || !vd->transport || !poll)
		return -VIRTIO_ERR_INVALID_PARAM;
	now = hal_now_ns(vd->transport->hal);
	st = (struct vdev_stall){vdev_pops(vd), now, now, 0};
	for (;;) {
		/* With interrupts, look once told to (VQ-D-13: a spurious
		 * one only costs a look). */
		if (!vd->use_irq || vd->irq_pending) {
			vd->irq_pending = false;
			r = poll(arg);
			if (r)
				return r < 0 ? r : 0;
			looked = true;
		}
		/* The device gave up on us (§2.1.2): that is an I/O error,
		 * not something waiting longer fixes. Asked from the first
		 * look or wait on: with interrupts the first wait usually
		 * brings the completion (at once in sync mode), and that
		 * saves a status register read per request. */
		if (looked && vdev_needs_reset(vd))
			return -VIRTIO_ERR_IO_ERROR;
		/* Nothing can happen any more, or nothing did for too long:
		 * one last look, as a missed or never sent interrupt must
		 * not hide a completion. */
		if (hal_wait(vd->transport->hal) == -HAL_EIDLE) {
			if (!looked && vdev_needs_reset(vd))
				return -VIRTIO_ERR_IO_ERROR;
			break;
		}
		if (vdev_stalled(vd, &st))
			break;
		looked = true;
	}
	r = poll(arg);
	if (r)
		return r < 0 ? r : 0;
	return -VIRTIO_ERR_NOT_READY;
}
