/* SPDX-License-Identifier: MIT */
/*
 * virtio_device.h - the part of every VirtIO device driver that is not
 * device-specific: the §3.1.1 bring-up around the driver's own steps,
 * queue sizing and set-up with the negotiated ring features, interrupts
 * or polling, waiting for the device, FAILED with one unwind path, and
 * teardown. A driver embeds struct virtio_device and calls, in order:
 *
 *	virtio_device_begin		reset .. FEATURES_OK
 *	  (the driver reads its config)
 *	virtio_device_queue_size	for each queue
 *	virtio_device_queue_init	for each queue
 *	virtio_device_irq_init		interrupts, or polling
 *	virtio_device_ready		DRIVER_OK
 *
 * If a step after begin fails: virtio_device_fail. To stop a device that
 * is up: virtio_device_reset, then the driver reclaims its buffers (a
 * reset device touches no queue, INIT-D-13), then virtio_device_teardown.
 */
#ifndef VIRTSIM_DRIVERS_VIRTIO_DEVICE_H
#define VIRTSIM_DRIVERS_VIRTIO_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/virtio/virtio.h"
#include "drivers/virtio/virtqueue.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Queues one device may have set up through virtio_device_queue_init. */
#define VIRTIO_DEVICE_MAX_QUEUES 8u

struct virtio_device {
	struct virtio_transport *transport; /* NULL: not set up */
	uint32_t id;			    /* VirtIO device id (§5) */
	uint64_t features;		    /* negotiated */
	/* A legacy interface: rings, request headers and config are in
	 * the guest's native byte order (virtio16/32/64), not LE. */
	bool legacy;
	bool use_irq;			    /* else the driver polls */
	unsigned irq_line;		    /* as given to irq_init */
	bool irq_registered;
	/* Written by the interrupt handler. */
	volatile bool irq_pending;    /* a cause seen since the last look */
	volatile bool config_changed; /* config change seen; driver clears */
	volatile uint32_t config_irqs; /* config changes seen, ever */
	uint64_t irqs;		      /* handler calls (shared lines too) */
	uint64_t spurious_irqs;	      /* of those, with no cause to read */
	/* Set up by queue_init, destroyed by teardown. */
	struct virtqueue *queues[VIRTIO_DEVICE_MAX_QUEUES];
	unsigned nqueues;
};

/*
 * Reset, ACKNOWLEDGE, DRIVER, feature negotiation (@features: what the
 * driver supports; the core adds and filters the transport bits) and the
 * FEATURES_OK re-read (INIT-D-07, virtio_transport_begin_init), once the
 * transport's device type is @id. Returns 0, -VIRTIO_ERR_UNSUPPORTED for
 * another device type (the device is left alone) or a feature set the
 * device refused (the device is then FAILED), -VIRTIO_ERR_NOT_READY for a
 * reset that never completed (FAILED too), -VIRTIO_ERR_INVALID_PARAM.
 * @vd is zeroed on failure.
 */
int virtio_device_begin(struct virtio_device *vd, struct virtio_transport *t,
			uint32_t id, uint64_t features);

static inline bool virtio_device_has_feature(const struct virtio_device *vd,
					     unsigned bit)
{
	return bit < 64 && (vd->features & VIRTIO_BIT(bit));
}

/*
 * The size to give queue @index: @want (0: @dflt), which must be a power
 * of 2, halved until the device's maximum takes it (MMIO-D-09). Returns
 * 0 and *@size, -VIRTIO_ERR_UNSUPPORTED if the device has no such queue,
 * -VIRTIO_ERR_INVALID_PARAM for a size that is not a power of 2.
 */
int virtio_device_queue_size(struct virtio_device *vd, uint16_t index,
			     uint16_t want, uint16_t dflt, uint16_t *size);
/*
 * virtqueue_init of @vq as queue @index with @size descriptors, INDIRECT
 * and EVENT_IDX as negotiated and the legacy layout on a legacy
 * transport. @vq is remembered: fail and teardown destroy it. Returns 0,
 * -VIRTIO_ERR_UNSUPPORTED past VIRTIO_DEVICE_MAX_QUEUES, or what
 * virtqueue_init returned.
 */
int virtio_device_queue_init(struct virtio_device *vd, struct virtqueue *vq,
			     uint16_t index, uint16_t size);
/*
 * After the queues are set up. With @use_irq, register a handler on
 * @line that acknowledges the device's interrupt and records it
 * (irq_pending on any cause, MMIO-D-19; config_changed too on a config
 * change); without, ask the device not to interrupt on any queue set up
 * so far (virtqueue_disable_cb, a hint). Returns 0, or
 * -VIRTIO_ERR_INVALID_PARAM for a line the HAL refuses (VIRTIO_NO_IRQ).
 */
int virtio_device_irq_init(struct virtio_device *vd, bool use_irq,
			   unsigned line);
/* DRIVER_OK: the device is live (INIT-D-07, last step). */
void virtio_device_ready(struct virtio_device *vd);
/*
 * A bring-up step failed: set FAILED without clearing a status bit or
 * writing NEEDS_RESET back (INIT-D-02, INIT-D-10), then unwind as
 * teardown does. Returns @err, for "return virtio_device_fail(vd, err)".
 */
int virtio_device_fail(struct virtio_device *vd, int err);

/*
 * Reset the device and wait for it (§2.4): it lets go of every queue.
 * Returns 0, or -VIRTIO_ERR_NOT_READY if the reset never completed
 * (virtio_transport_reset); a driver tearing down carries on regardless,
 * it has no better way to take its buffers back.
 */
int virtio_device_reset(struct virtio_device *vd);
/*
 * Unregister the interrupt handler, destroy the queues and zero @vd.
 * Reset first and reclaim the buffers the queues carried (INIT-D-13).
 */
void virtio_device_teardown(struct virtio_device *vd);

/*
 * A wait gives up on a device that makes no progress (no used entry
 * taken off any of its queues, @poll not done) for this long on the HAL's
 * clock (hal_now_ns: virtual time in the simulator), or for this many
 * wakeups at which that clock did not move: a level interrupt that stays
 * up, a cause nobody can acknowledge, other lines' interrupts. Either is
 * far beyond any working device (see virtio_device.c).
 */
#define VIRTIO_WAIT_STALL_NS (30ull * 1000000000ull)
#define VIRTIO_WAIT_STALL_WAKEUPS (1u << 20)

/*
 * Wait until @poll says done. @poll looks at the queues and returns 1
 * (done), 0 (not yet) or a negative virtio_error to return. With
 * interrupts it is called once the handler saw a cause (VQ-D-13: one
 * with nothing used costs a look, one with no cause not even that); when
 * polling, every round. A caller that may leave used entries on a ring
 * looks itself before it waits: they raise no interrupt again. Returns 0,
 * -VIRTIO_ERR_IO_ERROR once the device sets NEEDS_RESET (§2.1.2),
 * -VIRTIO_ERR_NOT_READY when nothing can happen any more (hal_wait says
 * -HAL_EIDLE) or the device made no progress within the bounds above,
 * after a last look found nothing (the caller then resets the device to
 * take its buffers back), what @poll returned, or
 * -VIRTIO_ERR_INVALID_PARAM.
 */
int virtio_device_wait(struct virtio_device *vd, int (*poll)(void *arg),
		       void *arg);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DRIVERS_VIRTIO_DEVICE_H */
