/* SPDX-License-Identifier: MIT */
/*
 * virtio.h - the VirtIO driver core: error set, transport interface and the
 * device initialisation sequence shared by every transport and device.
 */
#ifndef VIRTSIM_DRIVERS_VIRTIO_H
#define VIRTSIM_DRIVERS_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/hal.h"
#include "drivers/wire/virtio_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* VirtIO driver errors; functions return 0 or one of these negated. */
enum virtio_error {
	VIRTIO_ERR_QUEUE_FULL = 1,
	VIRTIO_ERR_NOT_READY,
	VIRTIO_ERR_WRONG_TOKEN,
	VIRTIO_ERR_ALREADY_USED,
	VIRTIO_ERR_INVALID_PARAM,
	VIRTIO_ERR_DMA_ERROR,
	VIRTIO_ERR_IO_ERROR,
	VIRTIO_ERR_UNSUPPORTED,
	VIRTIO_ERR_CONFIG_SPACE_TOO_SMALL,
	VIRTIO_ERR_CONFIG_SPACE_MISSING,
};

/* A transport's irq_line when no interrupt line is known: drivers poll. */
#define VIRTIO_NO_IRQ 0xffffffffu

/* ack_interrupt causes: MMIO InterruptStatus and the PCI ISR agree. */
#define VIRTIO_INT_VRING 1u  /* used buffer (MMIO-D-19: check all queues) */
#define VIRTIO_INT_CONFIG 2u /* configuration change */

/* "QueueFull", ... for @err or -@err; "Unknown" for anything else. */
const char *virtio_error_name(int err);

struct virtio_transport;

/*
 * What every transport (MMIO, PCI) provides. A driver only ever calls the
 * virtio_transport_* wrappers, so it never knows which transport it runs on.
 */
struct virtio_transport_ops {
	uint32_t (*device_type)(struct virtio_transport *t);
	uint64_t (*device_features)(struct virtio_transport *t);
	void (*set_driver_features)(struct virtio_transport *t, uint64_t f);
	uint8_t (*get_status)(struct virtio_transport *t);
	void (*set_status)(struct virtio_transport *t, uint8_t status);
	/* Largest size the device accepts for queue @q; 0: no such queue. */
	uint16_t (*max_queue_size)(struct virtio_transport *t, uint16_t q);
	/* True if the queue is already set up (v1 PFN != 0, v2 ready). */
	bool (*queue_used)(struct virtio_transport *t, uint16_t q);
	/* Hand the rings to the device and enable the queue. */
	int (*queue_set)(struct virtio_transport *t, uint16_t q, uint16_t size,
			 uint64_t desc, uint64_t avail, uint64_t used);
	void (*queue_unset)(struct virtio_transport *t, uint16_t q);
	void (*notify)(struct virtio_transport *t, uint16_t q);
	/* Read and acknowledge the interrupt cause: VIRTIO_INT_* bits. */
	uint32_t (*ack_interrupt)(struct virtio_transport *t);
	/* Byte-exact device config access; -CONFIG_SPACE_* when absent/short. */
	int (*config_read)(struct virtio_transport *t, uint32_t off, void *buf,
			   size_t len);
	int (*config_write)(struct virtio_transport *t, uint32_t off,
			    const void *buf, size_t len);
	uint32_t (*config_generation)(struct virtio_transport *t);
	/* Legacy devices: contiguous ring layout, no FEATURES_OK, 32 bits. */
	bool (*is_legacy)(struct virtio_transport *t);
	/* Interrupt line the device raises, for hal_irq_register. */
	unsigned (*irq_line)(struct virtio_transport *t);
};

struct virtio_transport {
	const struct virtio_transport_ops *ops;
	const struct hal *hal;
};

static inline uint32_t virtio_transport_device_type(struct virtio_transport *t)
{
	return t->ops->device_type(t);
}

static inline uint8_t virtio_transport_get_status(struct virtio_transport *t)
{
	return t->ops->get_status(t);
}

static inline void virtio_transport_set_status(struct virtio_transport *t,
					       uint8_t status)
{
	t->ops->set_status(t, status);
}

static inline void virtio_transport_notify(struct virtio_transport *t,
					   uint16_t q)
{
	t->ops->notify(t, q);
}

static inline uint32_t virtio_transport_ack_interrupt(struct virtio_transport *t)
{
	return t->ops->ack_interrupt(t);
}

static inline bool virtio_transport_is_legacy(struct virtio_transport *t)
{
	return t->ops->is_legacy(t);
}

static inline unsigned virtio_transport_irq_line(struct virtio_transport *t)
{
	return t->ops->irq_line(t);
}

/*
 * The width of the next device-config register access at @off with @left
 * bytes to go: 4, 2 or 1, naturally aligned, so that every field is
 * accessed at its own width, 64-bit ones as two 32-bit (MMIO-D-03,
 * PCI-D-04). Transports split byte-exact config access with it.
 */
static inline unsigned virtio_config_access_width(uint32_t off, size_t left)
{
	if (off % 4 == 0 && left >= 4)
		return 4;
	if (off % 2 == 0 && left >= 2)
		return 2;
	return 1;
}

/*
 * Read a config structure consistently: retries while the config
 * generation changes under the read (INIT-D-04).
 */
int virtio_transport_config_read(struct virtio_transport *t, uint32_t off,
				 void *buf, size_t len);
int virtio_transport_config_write(struct virtio_transport *t, uint32_t off,
				  const void *buf, size_t len);

/*
 * The initialisation sequence (§3.1.1, INIT-D-07): reset, ACKNOWLEDGE,
 * DRIVER, negotiate (device & @supported, VERSION_1 required on modern
 * devices), FEATURES_OK re-read. On failure sets FAILED and returns a
 * negative virtio_error: -VIRTIO_ERR_NOT_READY when the reset does not
 * complete (virtio_transport_reset), -VIRTIO_ERR_UNSUPPORTED for
 * features refused. *@negotiated gets the accepted features.
 */
int virtio_transport_begin_init(struct virtio_transport *t, uint64_t supported,
				uint64_t *negotiated);
/* DRIVER_OK, after the queues are set up. */
void virtio_transport_finish_init(struct virtio_transport *t);
/*
 * Tell the device the driver gave up (INIT-D-10): add FAILED, never
 * clearing a bit (INIT-D-02) nor writing NEEDS_RESET back.
 */
void virtio_transport_set_failed(struct virtio_transport *t);
/*
 * Reset the device and wait until status reads 0 (INIT-N-01, PCI-D-14).
 * Returns 0, or -VIRTIO_ERR_NOT_READY when it still reads non-zero after
 * a bounded number of reads (about a million: a real device answers at
 * once): the device did not complete the reset and may still own its
 * queues. Initialisation fails on it; teardown has nothing better to do.
 */
int virtio_transport_reset(struct virtio_transport *t);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DRIVERS_VIRTIO_H */
