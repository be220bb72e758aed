/*
 * virtio_dev.h - the device side of VirtIO, independent of transport.
 *
 * A device model fills one static struct virtio_dev_ops and embeds a
 * struct virtio_dev; the MMIO and PCI front-ends (virtio_mmio.h,
 * virtio_pci.h) expose any such device. The core here owns the status
 * state machine, feature negotiation, config space and the queues.
 */
#ifndef VIRTSIM_DEVICES_VIRTIO_DEV_H
#define VIRTSIM_DEVICES_VIRTIO_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/virtio/vq_dev.h"
#include "sim/guest_mem.h"

#define VIRTIO_DEV_MAX_QUEUES 8

struct virtio_dev;

struct virtio_dev_ops {
	uint32_t device_id;
	unsigned num_queues;
	uint16_t queue_size_max;
	/*
	 * Config space is dev->config (config_len bytes, little-endian);
	 * config_write, if set, sees driver writes after they are stored.
	 */
	void (*config_write)(struct virtio_dev *dev, uint32_t off,
			     unsigned len);
	/* Accept the driver's features (FEATURES_OK) or refuse (false). */
	bool (*features_ok)(struct virtio_dev *dev, uint64_t features);
	/* The driver made buffers available on queue @q. */
	void (*queue_notify)(struct virtio_dev *dev, unsigned q);
	/* Device reset: drop in-flight work. */
	void (*reset)(struct virtio_dev *dev);
	/* Release the model (called by machine_destroy). */
	void (*destroy)(struct virtio_dev *dev);
};

/* How the core reaches its transport front-end (set by the front-end). */
struct virtio_dev_irq {
	/* Raise the used-buffer (queue) or config-change interrupt. */
	void (*notify)(void *opaque, unsigned q, bool config);
	/* Optional: the device was reset; drop interrupt and queue state. */
	void (*reset)(void *opaque);
	void *opaque;
};

struct virtio_dev {
	const struct virtio_dev_ops *ops;
	const char *name;
	const struct guest_mem *mem;
	uint64_t host_features;  /* offered; VERSION_1 added for modern */
	uint64_t guest_features; /* accepted by the driver */
	uint8_t status;
	bool legacy;             /* driven through a legacy (v1) interface */
	uint32_t config_generation;
	uint8_t *config;
	uint32_t config_len;
	struct vq_dev vq[VIRTIO_DEV_MAX_QUEUES];
	struct virtio_dev_irq irq;
	/* Guest error bookkeeping: set when NEEDS_RESET is raised. */
	bool broken;
	uint64_t guest_errors;
	char broken_reason[160];
};

void virtio_dev_init(struct virtio_dev *dev, const struct virtio_dev_ops *ops,
		     const char *name, const struct guest_mem *mem,
		     uint64_t features, uint8_t *config, uint32_t config_len);
/* Back to status 0: queues, features, interrupts (INIT-V-03). */
void virtio_dev_reset(struct virtio_dev *dev);
/* A driver status write: handles reset, FEATURES_OK refusal, DRIVER_OK. */
void virtio_dev_set_status(struct virtio_dev *dev, uint8_t status);
/*
 * The 32-bit feature windows seen through a transport's select register:
 * offered bits (bits 32..63 read 0 for a legacy interface), and the
 * driver's accepted bits. Driver writes are ignored once FEATURES_OK is
 * set; for legacy, unoffered bits are dropped (there is no FEATURES_OK).
 */
uint32_t virtio_dev_device_features(const struct virtio_dev *dev,
				    unsigned sel);
uint32_t virtio_dev_driver_features(const struct virtio_dev *dev,
				    unsigned sel);
void virtio_dev_set_driver_features(struct virtio_dev *dev, unsigned sel,
				    uint32_t val);
/* Byte-exact config access; out-of-range bytes read 0, writes drop. */
void virtio_dev_config_read(struct virtio_dev *dev, uint32_t off, void *buf,
			    unsigned len);
void virtio_dev_config_write(struct virtio_dev *dev, uint32_t off,
			     const void *buf, unsigned len);
/* Model changed its config: bump the generation, config interrupt. */
void virtio_dev_config_changed(struct virtio_dev *dev);
/* Queue @q enabled by the driver; false if its rings are not RAM. */
bool virtio_dev_queue_enable(struct virtio_dev *dev, unsigned q);
/* Driver notification for queue @q: ignored unless DRIVER_OK (INIT-V-01). */
void virtio_dev_queue_notify(struct virtio_dev *dev, unsigned q);
/* Pop/push wrappers that mark the device broken on a guest violation. */
int virtio_dev_pop(struct virtio_dev *dev, unsigned q, struct vq_elem *elem);
void virtio_dev_push(struct virtio_dev *dev, unsigned q, uint16_t head,
		     uint32_t len);
/* Interrupt for used buffers on @q, if the driver wants one. */
void virtio_dev_notify_used(struct virtio_dev *dev, unsigned q);
/*
 * The guest broke the rules: set NEEDS_RESET, remember why, send a config
 * interrupt if DRIVER_OK (INIT-V-02). The device stops processing until
 * reset.
 */
void virtio_dev_fail(struct virtio_dev *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline bool virtio_dev_has_feature(const struct virtio_dev *dev,
					  unsigned bit)
{
	return dev->guest_features & (1ull << bit);
}

#endif /* VIRTSIM_DEVICES_VIRTIO_DEV_H */
