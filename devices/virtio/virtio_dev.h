/* SPDX-License-Identifier: MIT */
/*
 * virtio_dev.h - the device side of VirtIO, independent of transport.
 *
 * A device model fills one static struct virtio_dev_ops and embeds a
 * struct virtio_dev; the MMIO and PCI front-ends (virtio_mmio.h,
 * virtio_pci.h) expose any such device. The core here owns the status
 * state machine, feature negotiation, config space, the queues, and the
 * execution mode: models pop requests and complete them whenever they are
 * done, and the core decides when the guest sees the completion.
 *
 *   sync      notify runs the model inside the register write; a
 *             completion goes to the used ring at once, and one interrupt
 *             covers what a notify completed;
 *   deferred  notify posts the model's work to the event loop; each
 *             completion and each interrupt happens after a virtual
 *             delay drawn from the seed, so they come out of order and
 *             late, and only while the guest idles;
 *   thread    notify wakes the device's host thread, which runs the
 *             model as sync does, under the machine lock, while the
 *             driver's thread goes on (virtio_dev_thread.c).
 */
#ifndef VIRTSIM_DEVICES_VIRTIO_DEV_H
#define VIRTSIM_DEVICES_VIRTIO_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/virtio/vq_dev.h"
#include "sim/env.h"
#include "sim/evloop.h"
#include "sim/fault.h"
#include "sim/strict.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIRTIO_DEV_MAX_QUEUES 8
/* The most interrupts fault hostile adds at once (a storm). */
#define VIRTIO_DEV_HOSTILE_STORM_MAX 64

struct virtio_dev;
struct virtio_dev_worker;

/*
 * A request: one chain popped from a queue, with the model until it
 * calls virtio_dev_complete. Models that need state of their own embed
 * it first in a struct of ops->req_size bytes.
 */
struct virtio_req {
	struct virtio_dev *dev;
	uint16_t q;
	uint16_t slot; /* core-private: its place in the queue's pool */
	uint8_t state; /* core-private: VIRTIO_REQ_* in virtio_dev.c */
	uint32_t len;  /* bytes written, once completed */
	struct ev_timer done_timer; /* deferred mode: when it is used */
	struct virtio_req *batch_next; /* used right after this one */
	struct vq_elem elem;	    /* the chain */
};

struct virtio_dev_ops {
	uint32_t device_id;
	unsigned num_queues;
	uint16_t queue_size_max; /* the default; an instance may lower it */
	/* Bytes per request, at least sizeof(struct virtio_req); 0: that. */
	size_t req_size;
	/*
	 * Queues (bit q) whose completions reach the used ring in the order
	 * the model made them in every mode, as a NIC's received frames do;
	 * the deferred mode then delays them without reordering them.
	 */
	uint32_t in_order_queues;
	/*
	 * Config space is dev->config (config_len bytes, little-endian);
	 * config_write, if set, sees driver writes after they are stored.
	 */
	void (*config_write)(struct virtio_dev *dev, uint32_t off,
			     unsigned len);
	/* Accept the driver's features (FEATURES_OK) or refuse (false). */
	bool (*features_ok)(struct virtio_dev *dev, uint64_t features);
	/* Queue @q has buffers: pop them with virtio_dev_pop_req. */
	void (*queue_notify)(struct virtio_dev *dev, unsigned q);
	/*
	 * Queue @q stops (device reset, or the driver disabled it): complete
	 * every request of @q the model still holds before returning; the
	 * queue is stopped already, so none reaches the guest. Needed by a
	 * model that completes after queue_notify returns.
	 */
	void (*queue_stop)(struct virtio_dev *dev, unsigned q);
	/* Device reset, after every queue stopped: forget device state. */
	void (*reset)(struct virtio_dev *dev);
};

/* How the core reaches its transport front-end (set by the front-end). */
struct virtio_dev_irq {
	/* Raise the used-buffer (queue) or config-change interrupt. */
	void (*notify)(void *opaque, unsigned q, bool config);
	/* Optional: the device was reset; drop interrupt and queue state. */
	void (*reset)(void *opaque);
	void *opaque;
};

/* Per queue, what the core keeps beside the ring walker. */
struct virtio_dev_queue {
	struct virtio_dev *dev;
	uint16_t index;
	/*
	 * vq.size request slots of req_stride bytes, taken last-freed
	 * first so the few in use stay in cache, and one bit per head in
	 * flight: a chain is in flight at most once.
	 */
	uint8_t *reqs;
	uint16_t *free_slots; /* a stack of slot numbers */
	uint64_t *busy_heads;
	uint16_t nreqs, nfree;
	uint16_t in_flight; /* popped and not yet on the used ring */
	bool stalled;	    /* queue-stall fired: nothing is taken */
	struct ev_work notify_work; /* deferred: the model's turn */
	struct ev_timer irq_timer;  /* deferred: the interrupt on its way */
	uint64_t retire_after;	    /* deferred, in order: the last deadline */
};

struct virtio_dev {
	const struct virtio_dev_ops *ops;
	const char *name;
	struct sim_env *env;
	unsigned id;		 /* instance in its machine, for the trace */
	uint16_t queue_size_max; /* QueueNumMax of every queue */
	uint64_t host_features;  /* offered; VERSION_1 added for modern */
	uint64_t guest_features; /* accepted by the driver */
	uint8_t status;
	bool legacy;             /* driven through a legacy (v1) interface */
	bool live;               /* may touch its queues: see virtio_dev.c */
	bool dma_off;		 /* the transport blocks its DMA (PCI: Bus
				  * Master off) */
	uint32_t config_generation;
	uint8_t *config;
	uint32_t config_len;
	struct vq_dev vq[VIRTIO_DEV_MAX_QUEUES];
	struct virtio_dev_queue queue[VIRTIO_DEV_MAX_QUEUES];
	size_t req_stride;     /* bytes per request in the pools */
	unsigned notify_depth; /* sync: inside queue_notify */
	uint32_t irq_owed;     /* sync: queues completed during a notify */
	struct virtio_dev_worker *worker; /* thread mode, once notified */
	struct ev_timer config_irq_timer;
	/* Fault hostile: interrupts still to raise, which, and when. */
	struct ev_timer hostile_irq_timer;
	unsigned hostile_irqs;
	uint16_t hostile_q;
	bool hostile_config;
	struct virtio_dev_irq irq;
	/* Guest error bookkeeping: set when NEEDS_RESET is raised. */
	bool broken;
	uint64_t guest_errors;
	char broken_reason[160];
};

void virtio_dev_init(struct virtio_dev *dev, const struct virtio_dev_ops *ops,
		     const char *name, struct sim_env *env, uint64_t features,
		     uint8_t *config, uint32_t config_len);
/*
 * Release what the core holds: the worker thread is joined (thread
 * mode; call without the machine lock), every queue is stopped (the
 * model's queue_stop gives back what it holds, reaching no guest), then
 * its events and request pools are dropped.
 */
void virtio_dev_release(struct virtio_dev *dev);
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
/*
 * The config generation as a driver's read of it finds it (a hit of
 * fault hostile, which may move it first).
 */
uint32_t virtio_dev_config_generation(struct virtio_dev *dev);
/* Model changed its config: bump the generation, config interrupt. */
void virtio_dev_config_changed(struct virtio_dev *dev);
/*
 * Queue @q enabled by the driver with @size entries and rings at these
 * guest addresses; false if they are not RAM (or no memory for the
 * request pool): the front-end then fails the device.
 */
bool virtio_dev_queue_enable(struct virtio_dev *dev, unsigned q,
			     uint16_t size, uint64_t desc, uint64_t avail,
			     uint64_t used);
/* The driver stopped queue @q: its requests in flight are dropped. */
void virtio_dev_queue_disable(struct virtio_dev *dev, unsigned q);
/*
 * Whether the transport lets the device reach guest memory (PCI: the
 * Bus Master bit). While it does not, the queues are out of reach: no
 * request is taken up and none completes (a completion due then is
 * dropped, as a master-aborted write would be).
 */
void virtio_dev_set_dma(struct virtio_dev *dev, bool allowed);
/* Driver notification for queue @q: ignored unless DRIVER_OK (INIT-V-01). */
void virtio_dev_queue_notify(struct virtio_dev *dev, unsigned q);
/*
 * Pop the next chain of queue @q as a request (the model's until
 * virtio_dev_complete). Returns 1 with *@req, 0 when the queue is empty
 * or the device may not touch it, or -1 when the guest broke the rules
 * (the device is marked NEEDS_RESET; stop popping).
 */
int virtio_dev_pop_req(struct virtio_dev *dev, unsigned q,
		       struct virtio_req **req);
/*
 * The model is done with @req, @len bytes written into its writable
 * buffers (VQ-V-11). The core puts it on the used ring and interrupts
 * as the mode says; @req is not the model's any more.
 */
void virtio_dev_complete(struct virtio_req *req, uint32_t len);
/*
 * Complete @n requests of one queue together: they reach the used ring
 * in this order, one after the other, in every mode (a packet spread
 * over several receive buffers, NET-V-12).
 */
void virtio_dev_complete_batch(struct virtio_req *const *reqs,
			       const uint32_t *lens, unsigned n);
/*
 * The guest broke the rules: set NEEDS_RESET, remember why, send a config
 * interrupt if DRIVER_OK (INIT-V-02). The device stops processing until
 * reset.
 */
void virtio_dev_fail(struct virtio_dev *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * What the transports read for queue @q: QueueNumMax (1 when
 * queue-max-small fires), and whether the queue is in use (also when
 * queue-in-use fires). Each read is one hit of its fault point.
 */
uint16_t virtio_dev_queue_num_max(struct virtio_dev *dev);
bool virtio_dev_queue_in_use(struct virtio_dev *dev, unsigned q);

/* Fault point @p of this device instance: true if it fires now. */
static inline bool virtio_dev_fault(const struct virtio_dev *dev,
				    enum fault_point p)
{
	return fault_fire(dev->env->faults, p, dev->id);
}

/*
 * Strict checking (sim/strict.h), in devices/virtio/virtio_dev_strict.c:
 * whether it is on for this device, and a driver MUST broken, as seen
 * here. The caller then goes on as it does without strict.
 */
static inline bool virtio_dev_strict(const struct virtio_dev *dev)
{
	return strict_on(dev->env->strict);
}
void virtio_dev_violation(struct virtio_dev *dev, enum strict_rule rule,
			  const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A status write @status over @old, before the core applies it. */
void virtio_dev_strict_status(struct virtio_dev *dev, uint8_t old,
			      uint8_t status);
/* Queue @q failed to start: were its rings misaligned (VQ-D-01)? */
void virtio_dev_strict_rings(struct virtio_dev *dev, unsigned q);

static inline bool virtio_dev_has_feature(const struct virtio_dev *dev,
					  unsigned bit)
{
	return dev->guest_features & (1ull << bit);
}

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DEVICES_VIRTIO_DEV_H */
