/* SPDX-License-Identifier: MIT */
/*
 * The transport-independent device core: status (§2.1), features (§2.2),
 * config space (§2.5), the queues and their requests, the execution
 * mode, and the "guest broke the rules" path that sets
 * DEVICE_NEEDS_RESET (QEMU's virtio_error()).
 */
#include "devices/virtio/virtio_dev.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtio_dev_thread.h"
#include "drivers/wire/virtio_config.h"
#include "sim/fault.h"
#include "sim/sched.h"
#include "sim/trace.h"

/* Status bits only the driver sets, and only a reset clears. */
#define DRIVER_STATUS_BITS                                         \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |    \
	 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK | \
	 VIRTIO_CONFIG_S_FAILED)

/* Where a request is: in the pool, with the model, or on its way. */
enum virtio_req_state {
	VIRTIO_REQ_FREE,
	VIRTIO_REQ_MODEL, /* popped; the model works on it */
	VIRTIO_REQ_DONE,  /* completed; the used ring gets it later */
};

static void virtio_dev_interrupt(struct virtio_dev *dev, unsigned q,
				 bool config);
static void virtio_dev_run_notify(void *opaque);
static void virtio_dev_retire(void *opaque);

static struct virtio_req *virtio_dev_slot(struct virtio_dev *dev, unsigned q,
					  unsigned slot)
{
	return (struct virtio_req *)(void *)(dev->queue[q].reqs +
					     slot * dev->req_stride);
}

static bool virtio_dev_head_busy(const struct virtio_dev_queue *dq,
				 uint16_t head)
{
	return dq->busy_heads[head / 64] >> (head % 64) & 1;
}

static void virtio_dev_head_flip(struct virtio_dev_queue *dq, uint16_t head)
{
	dq->busy_heads[head / 64] ^= 1ull << (head % 64);
}

static void virtio_dev_raise(void *opaque);
static void virtio_dev_raise_config(void *opaque);
static void virtio_dev_hostile_raise(void *opaque);

/*
 * May the device touch its queues (INIT-V-01, INIT-V-04)? Asked on every
 * request, so kept in dev->live and worked out again whenever the status
 * or brokenness changes.
 */
static void virtio_dev_update_live(struct virtio_dev *dev)
{
	if (dev->broken || dev->dma_off)
		dev->live = false;
	else if (dev->legacy) /* LEG-V-04: queues before DRIVER_OK */
		dev->live = dev->status != 0;
	else
		dev->live = dev->status & VIRTIO_CONFIG_S_DRIVER_OK;
}

void virtio_dev_init(struct virtio_dev *dev, const struct virtio_dev_ops *ops,
		     const char *name, struct sim_env *env, uint64_t features,
		     uint8_t *config, uint32_t config_len)
{
	memset(dev, 0, sizeof(*dev));
	dev->ops = ops;
	dev->name = name;
	dev->env = env;
	dev->id = env->next_device_id++;
	dev->queue_size_max = ops->queue_size_max;
	/* Requests sit back to back in the pools: keep each aligned. */
	dev->req_stride = ops->req_size > sizeof(struct virtio_req)
			      ? ops->req_size
			      : sizeof(struct virtio_req);
	dev->req_stride = (dev->req_stride + _Alignof(max_align_t) - 1) &
			  ~(size_t)(_Alignof(max_align_t) - 1);
	/* FEAT-V-04: a modern device always offers VERSION_1. */
	dev->host_features = features | VIRTIO_BIT(VIRTIO_F_VERSION_1);
	dev->config = config;
	dev->config_len = config_len;
	for (unsigned q = 0; q < VIRTIO_DEV_MAX_QUEUES; q++) {
		struct virtio_dev_queue *dq = &dev->queue[q];

		dev->vq[q].name = name;
		dev->vq[q].dev_id = dev->id;
		dev->vq[q].index = q;
		vq_dev_reset(&dev->vq[q], env->mem, env->trace);
		dq->dev = dev;
		dq->index = (uint16_t)q;
		ev_work_init(&dq->notify_work, virtio_dev_run_notify, dq);
		ev_timer_init(&dq->irq_timer, virtio_dev_raise, dq);
	}
	ev_timer_init(&dev->config_irq_timer, virtio_dev_raise_config, dev);
	ev_timer_init(&dev->hostile_irq_timer, virtio_dev_hostile_raise, dev);
}

/* Forget queue @q's requests and events: nothing of it happens any more. */
static void virtio_dev_drop_queue(struct virtio_dev *dev, unsigned q)
{
	struct virtio_dev_queue *dq = &dev->queue[q];
	struct evloop *loop = dev->env->loop;

	evloop_cancel(loop, &dq->notify_work);
	virtio_dev_worker_forget(dev, 1u << q);
	evloop_timer_cancel(loop, &dq->irq_timer);
	for (unsigned s = 0; s < dq->nreqs; s++) {
		struct virtio_req *r = virtio_dev_slot(dev, q, s);

		/* queue_stop gave back what the model held (a model bug if
		 * not: it would complete into freed memory). */
		assert(r->state != VIRTIO_REQ_MODEL);
		evloop_timer_cancel(loop, &r->done_timer);
	}
	free(dq->reqs); /* one allocation with free_slots and busy_heads */
	dq->reqs = NULL;
	dq->free_slots = NULL;
	dq->busy_heads = NULL;
	dq->nreqs = dq->nfree = 0;
	dq->in_flight = 0;
	dq->stalled = false;
	dev->irq_owed &= ~(1u << q);
}

/*
 * Stop queue @q: the model hands back what it holds, finding the queue
 * stopped so that nothing reaches the guest, then its requests and
 * events are dropped.
 */
static void virtio_dev_stop_queue(struct virtio_dev *dev, unsigned q)
{
	dev->vq[q].ready = false;
	if (dev->queue[q].in_flight && dev->ops->queue_stop)
		dev->ops->queue_stop(dev, q);
	virtio_dev_drop_queue(dev, q);
}

static void virtio_dev_release_queues(struct virtio_dev *dev)
{
	/* The front-end may be gone: what the model gives back must find
	 * its queue stopped, as at a reset. */
	dev->live = false;
	for (unsigned q = 0; q < VIRTIO_DEV_MAX_QUEUES; q++)
		virtio_dev_stop_queue(dev, q);
	evloop_timer_cancel(dev->env->loop, &dev->config_irq_timer);
	evloop_timer_cancel(dev->env->loop, &dev->hostile_irq_timer);
	dev->hostile_irqs = 0;
}

void virtio_dev_release(struct virtio_dev *dev)
{
	virtio_dev_worker_stop(dev); /* nothing runs the model after this */
	virtio_dev_release_queues(dev);
}

void virtio_dev_reset(struct virtio_dev *dev)
{
	trace_dev_reset(dev->env->trace, dev->name, dev->id);
	/* INIT-V-04: from now on nothing of the old queues happens. */
	dev->live = false;
	for (unsigned q = 0; q < VIRTIO_DEV_MAX_QUEUES; q++)
		virtio_dev_stop_queue(dev, q);
	if (dev->ops->reset)
		dev->ops->reset(dev);
	dev->status = 0;
	dev->guest_features = 0;
	dev->broken = false;
	dev->broken_reason[0] = '\0';
	virtio_dev_release_queues(dev); /* the worker stays, idle */
	for (unsigned q = 0; q < VIRTIO_DEV_MAX_QUEUES; q++)
		vq_dev_reset(&dev->vq[q], dev->env->mem, dev->env->trace);
	if (dev->irq.reset)
		dev->irq.reset(dev->irq.opaque);
}

/* Queues follow the negotiated ring features. */
static void virtio_dev_apply_features(struct virtio_dev *dev)
{
	bool event_idx = virtio_dev_has_feature(dev, VIRTIO_F_EVENT_IDX);
	bool indirect = virtio_dev_has_feature(dev, VIRTIO_F_INDIRECT_DESC);

	for (unsigned q = 0; q < VIRTIO_DEV_MAX_QUEUES; q++) {
		dev->vq[q].event_idx = event_idx;
		dev->vq[q].indirect = indirect;
	}
}

static bool virtio_dev_features_acceptable(struct virtio_dev *dev)
{
	uint64_t extra = dev->guest_features & ~dev->host_features;

	if (extra) {
		/* FEAT-V-02: a bit we never offered. */
		if (virtio_dev_strict(dev))
			virtio_dev_violation(dev, STRICT_FEAT_D_01,
					     "features 0x%" PRIx64
					     " at FEATURES_OK: 0x%" PRIx64
					     " never offered",
					     dev->guest_features, extra);
		trace_dev_unoffered(dev->env->trace, dev->name, dev->id, extra,
				    dev->ops->device_id);
		return false;
	}
	if (!virtio_dev_has_feature(dev, VIRTIO_F_VERSION_1)) {
		/* FEAT-V-04: a modern-only device may insist on VERSION_1. */
		if (virtio_dev_strict(dev))
			virtio_dev_violation(dev, STRICT_FEAT_D_07,
					     "features 0x%" PRIx64
					     " at FEATURES_OK lack VERSION_1",
					     dev->guest_features);
		trace_dev_no_version_1(dev->env->trace, dev->name, dev->id);
		return false;
	}
	if ((dev->host_features & ~dev->guest_features) &
	    VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM)) {
		/* §6.1/§6.2: accepting it is only a SHOULD, but a device
		 * behind an IOMMU MAY refuse a driver that would hand it
		 * physical addresses; QEMU's iommu_platform=on does. */
		trace_dev_no_access_platform(dev->env->trace, dev->name,
					     dev->id);
		return false;
	}
	if (dev->ops->features_ok &&
	    !dev->ops->features_ok(dev, dev->guest_features)) {
		trace_dev_model_refuses(dev->env->trace, dev->name, dev->id,
					dev->guest_features,
					dev->ops->device_id);
		return false;
	}
	if (virtio_dev_fault(dev, FAULT_FEATURES_OK_DROPPED)) {
		trace_dev_features_ok_dropped(dev->env->trace, dev->name,
					      dev->id);
		return false;
	}
	return true;
}

void virtio_dev_set_status(struct virtio_dev *dev, uint8_t status)
{
	uint8_t old = dev->status, set;

	if (status == 0) {
		virtio_dev_reset(dev); /* INIT-V-03 */
		return;
	}
	if (virtio_dev_strict(dev))
		virtio_dev_strict_status(dev, old, status);
	if (old & DRIVER_STATUS_BITS & ~status)
		trace_dev_status_clear(dev->env->trace, dev->name, dev->id,
				       old & DRIVER_STATUS_BITS & ~status);
	/* Only a reset clears bits; NEEDS_RESET belongs to the device. */
	status = (uint8_t)((status & DRIVER_STATUS_BITS) | old);
	set = status & ~old;

	if ((set & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    (dev->legacy || !virtio_dev_features_acceptable(dev))) {
		/* Legacy has no FEATURES_OK step (§3.1.2): it reads clear. */
		status &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
		set &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
	}
	if (set & VIRTIO_CONFIG_S_FEATURES_OK)
		virtio_dev_apply_features(dev);
	if ((set & VIRTIO_CONFIG_S_DRIVER_OK) && !dev->legacy &&
	    !(status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		/* §3.1.1: DRIVER_OK without negotiated features is refused. */
		trace_dev_driver_ok_early(dev->env->trace, dev->name, dev->id);
		status &= (uint8_t)~VIRTIO_CONFIG_S_DRIVER_OK;
		set &= (uint8_t)~VIRTIO_CONFIG_S_DRIVER_OK;
	}
	dev->status = status;
	virtio_dev_update_live(dev);
	if (set)
		trace_dev_status(dev->env->trace, dev->name, dev->id, old,
				 status);
	if (set & VIRTIO_CONFIG_S_FEATURES_OK)
		trace_dev_features(dev->env->trace, dev->name, dev->id,
				   dev->guest_features, dev->ops->device_id);
}

uint32_t virtio_dev_device_features(const struct virtio_dev *dev, unsigned sel)
{
	if (sel > 1 || (dev->legacy && sel > 0))
		return 0;
	return (uint32_t)(dev->host_features >> (32 * sel));
}

uint32_t virtio_dev_driver_features(const struct virtio_dev *dev, unsigned sel)
{
	return sel > 1 ? 0 : (uint32_t)(dev->guest_features >> (32 * sel));
}

void virtio_dev_set_driver_features(struct virtio_dev *dev, unsigned sel,
				    uint32_t val)
{
	uint64_t mask;

	if (sel > 1 || (dev->legacy && sel > 0)) {
		trace_dev_features_window(dev->env->trace, dev->name, dev->id,
					  sel);
		return;
	}
	mask = 0xffffffffull << (32 * sel);
	if (dev->status & VIRTIO_CONFIG_S_FEATURES_OK) {
		if (virtio_dev_strict(dev) &&
		    ((uint64_t)val << (32 * sel) & ~dev->guest_features))
			virtio_dev_violation(dev, STRICT_INIT_D_09,
					     "driver features window %u = "
					     "0x%08x after FEATURES_OK",
					     sel, val);
		trace_dev_features_late(dev->env->trace, dev->name, dev->id);
		return;
	}
	dev->guest_features =
	    (dev->guest_features & ~mask) | ((uint64_t)val << (32 * sel));
	if (dev->legacy) {
		/* No refusal step for legacy: keep what we offered, now. */
		if (virtio_dev_strict(dev) &&
		    (dev->guest_features & ~dev->host_features & 0xffffffffull))
			virtio_dev_violation(
			    dev, STRICT_FEAT_D_01,
			    "legacy features 0x%08x: 0x%08x "
			    "never offered",
			    val, val & ~(uint32_t)dev->host_features);
		dev->guest_features &= dev->host_features & 0xffffffffull;
		virtio_dev_apply_features(dev);
	}
}

void virtio_dev_config_read(struct virtio_dev *dev, uint32_t off, void *buf,
			    unsigned len)
{
	uint8_t *out = buf;

	for (unsigned i = 0; i < len; i++) {
		uint64_t o = (uint64_t)off + i;

		out[i] = o < dev->config_len ? dev->config[o] : 0;
	}
}

void virtio_dev_config_write(struct virtio_dev *dev, uint32_t off,
			     const void *buf, unsigned len)
{
	unsigned n;

	if (off >= dev->config_len) {
		trace_dev_config_range(dev->env->trace, dev->name, dev->id,
				       off);
		return;
	}
	if (virtio_dev_strict(dev) && !dev->legacy &&
	    !(dev->status & VIRTIO_CONFIG_S_FEATURES_OK))
		virtio_dev_violation(dev, STRICT_INIT_D_08,
				     "config offset %u written, status 0x%02x",
				     off, dev->status);
	n = dev->config_len - off < len ? dev->config_len - off : len;
	memcpy(dev->config + off, buf, n);
	if (dev->ops->config_write)
		dev->ops->config_write(dev, off, n);
}

uint32_t virtio_dev_config_generation(struct virtio_dev *dev)
{
	enum fault_hostile_kind kind;

	/* hostile: the generation moves with nothing changed (a driver's
	 * generation loop retries, INIT-D-04). */
	if (fault_hostile(dev->env->faults, FAULT_HOSTILE_AT_GENERATION,
			  dev->id, &kind)) {
		dev->config_generation++;
		trace_dev_config_hostile(dev->env->trace, dev->name, dev->id,
					 fault_hostile_name(kind),
					 dev->config_generation);
	}
	return dev->config_generation;
}

void virtio_dev_config_changed(struct virtio_dev *dev)
{
	dev->config_generation++; /* MMIO-V-05 */
	trace_dev_config_changed(dev->env->trace, dev->name, dev->id,
				 dev->config_generation);
	if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK)
		virtio_dev_interrupt(dev, 0, true);
}

bool virtio_dev_queue_enable(struct virtio_dev *dev, unsigned q,
			     uint16_t size, uint64_t desc, uint64_t avail,
			     uint64_t used)
{
	struct vq_dev *vq;
	struct virtio_dev_queue *dq;

	if (q >= dev->ops->num_queues || q >= VIRTIO_DEV_MAX_QUEUES)
		return false;
	vq = &dev->vq[q];
	dq = &dev->queue[q];
	virtio_dev_stop_queue(dev, q);
	vq->size = size;
	vq->desc_gpa = desc;
	vq->avail_gpa = avail;
	vq->used_gpa = used;
	vq->event_idx = virtio_dev_has_feature(dev, VIRTIO_F_EVENT_IDX);
	vq->indirect = virtio_dev_has_feature(dev, VIRTIO_F_INDIRECT_DESC);
	vq->strict = virtio_dev_strict(dev);
	vq->concurrent = dev->env->threads != NULL;
	if (vq->size > dev->queue_size_max || !vq_dev_start(vq)) {
		if (vq->strict)
			virtio_dev_strict_rings(dev, q);
		trace_dev_queue_rings(dev->env->trace, dev->name, dev->id, q,
				      vq->size, vq->desc_gpa, vq->avail_gpa,
				      vq->used_gpa);
		vq->ready = false;
		return false;
	}
	/* As many requests as heads: a chain in flight always has a slot. */
	dq->reqs = calloc(1, vq->size * (dev->req_stride + sizeof(uint16_t)) +
				 (vq->size + 63u) / 64 * sizeof(uint64_t));
	if (!dq->reqs) {
		trace_dev_queue_nomem(dev->env->trace, dev->name, dev->id, q,
				      vq->size);
		vq->ready = false;
		return false;
	}
	dq->busy_heads =
	    (uint64_t *)(void *)(dq->reqs + vq->size * dev->req_stride);
	dq->free_slots =
	    (uint16_t *)(void *)(dq->busy_heads + (vq->size + 63u) / 64);
	dq->nreqs = dq->nfree = vq->size;
	for (unsigned s = 0; s < dq->nreqs; s++) {
		struct virtio_req *r = virtio_dev_slot(dev, q, s);

		r->dev = dev;
		r->q = (uint16_t)q;
		r->slot = (uint16_t)s;
		ev_timer_init(&r->done_timer, virtio_dev_retire, r);
		dq->free_slots[s] = (uint16_t)(dq->nreqs - 1 - s);
	}
	trace_dev_queue_enable(dev->env->trace, dev->name, dev->id, q,
			       vq->size);
	return true;
}

void virtio_dev_queue_disable(struct virtio_dev *dev, unsigned q)
{
	if (q >= VIRTIO_DEV_MAX_QUEUES)
		return;
	if (dev->queue[q].in_flight)
		trace_dev_queue_stop(dev->env->trace, dev->name, dev->id, q,
				     dev->queue[q].in_flight);
	virtio_dev_stop_queue(dev, q);
}

static bool virtio_dev_queue_live(const struct virtio_dev *dev, unsigned q)
{
	return dev->live && dev->vq[q].ready;
}

uint16_t virtio_dev_queue_num_max(struct virtio_dev *dev)
{
	return virtio_dev_fault(dev, FAULT_QUEUE_MAX_SMALL)
		   ? 1
		   : dev->queue_size_max;
}

bool virtio_dev_queue_in_use(struct virtio_dev *dev, unsigned q)
{
	return dev->vq[q].ready || virtio_dev_fault(dev, FAULT_QUEUE_IN_USE);
}

/* The needs-reset effect, for its point and for hostile. */
static void virtio_dev_fault_needs_reset(struct virtio_dev *dev, unsigned q,
					 const char *point, const char *where)
{
	virtio_dev_fail(dev, "queue %u: fault %s at %s", q, point, where);
}

/* The model's turn on queue @q (a struct virtio_dev_queue in @opaque). */
static void virtio_dev_run_notify(void *opaque)
{
	struct virtio_dev_queue *dq = opaque;
	struct virtio_dev *dev = dq->dev;

	if (!virtio_dev_queue_live(dev, dq->index))
		return; /* reset or broken since the notify was posted */
	sched_record(dev->env, SCHED_NOTIFY, dev->name, dev->id, dq->index, 0,
		     0);
	dev->notify_depth++;
	dev->ops->queue_notify(dev, dq->index);
	dev->notify_depth--;
	/* Sync: one interrupt for what this notify completed. */
	while (dev->irq_owed) {
		unsigned q = (unsigned)__builtin_ctz(dev->irq_owed);

		dev->irq_owed &= dev->irq_owed - 1;
		if (vq_dev_should_notify(&dev->vq[q]))
			virtio_dev_interrupt(dev, q, false);
	}
}

void virtio_dev_run_queue(struct virtio_dev *dev, unsigned q)
{
	virtio_dev_run_notify(&dev->queue[q]);
}

void virtio_dev_set_dma(struct virtio_dev *dev, bool allowed)
{
	if (dev->dma_off == !allowed)
		return;
	dev->dma_off = !allowed;
	virtio_dev_update_live(dev);
	trace_dev_dma(dev->env->trace, dev->name, dev->id,
		      allowed ? "allowed" : "blocked");
}

void virtio_dev_queue_notify(struct virtio_dev *dev, unsigned q)
{
	if (q >= dev->ops->num_queues || q >= VIRTIO_DEV_MAX_QUEUES) {
		trace_dev_notify_missing(dev->env->trace, dev->name, dev->id,
					 q);
		return;
	}
	if (!virtio_dev_queue_live(dev, q)) {
		if (virtio_dev_strict(dev) && !dev->legacy && !dev->broken &&
		    !(dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
			virtio_dev_violation(dev, STRICT_INIT_D_11,
					     "queue %u notified, status 0x%02x",
					     q, dev->status);
		trace_dev_notify_ignored(dev->env->trace, dev->name, dev->id, q,
					 dev->status,
					 dev->broken ? ", needs reset" : "");
		return;
	}
	if (dev->queue[q].stalled)
		return;
	if (virtio_dev_fault(dev, FAULT_NEEDS_RESET)) {
		virtio_dev_fault_needs_reset(dev, q, "needs-reset", "a notify");
		return;
	}
	if (virtio_dev_fault(dev, FAULT_QUEUE_STALL)) {
		/* Until reset (or the queue stops) nothing more is taken. */
		trace_dev_queue_stall(dev->env->trace, dev->name, dev->id, q);
		dev->queue[q].stalled = true;
		return;
	}
	if (!dev->ops->queue_notify)
		return;
	if (dev->env->mode == SIM_MODE_DEFERRED) {
		evloop_post(dev->env->loop, &dev->queue[q].notify_work);
	} else if (dev->env->threads) {
		int ret = virtio_dev_worker_kick(dev, q);

		if (ret)
			virtio_dev_fail(dev, "queue %u: no worker thread: %s",
					q, strerror(-ret));
	} else {
		virtio_dev_run_notify(&dev->queue[q]);
	}
}

int virtio_dev_pop_req(struct virtio_dev *dev, unsigned q,
		       struct virtio_req **req)
{
	struct virtio_dev_queue *dq;
	struct virtio_req *r;
	uint16_t head;
	int ret;

	if (q >= VIRTIO_DEV_MAX_QUEUES || !virtio_dev_queue_live(dev, q) ||
	    dev->queue[q].stalled)
		return 0;
	dq = &dev->queue[q];
	ret = vq_dev_peek(&dev->vq[q], &head);
	if (ret <= 0)
		goto out;
	if (virtio_dev_head_busy(dq, head)) {
		if (virtio_dev_strict(dev))
			virtio_dev_violation(
			    dev, STRICT_INIT_D_12,
			    "queue %u: head %u available again", q, head);
		virtio_dev_fail(dev,
				"queue %u: head %u made available again while "
				"in flight (INIT-D-12)",
				q, head);
		return -1;
	}
	/* A free slot exists: fewer heads than slots are busy. */
	r = virtio_dev_slot(dev, q, dq->free_slots[dq->nfree - 1]);
	ret = vq_dev_take(&dev->vq[q], head, &r->elem);
	if (ret < 0)
		goto out;
	dq->nfree--;
	virtio_dev_head_flip(dq, head);
	r->state = VIRTIO_REQ_MODEL;
	r->len = 0;
	dq->in_flight++;
	*req = r;
	trace_req_start(dev->env->trace, dev->name, dev->id, q, head,
			r->elem.out_bytes, r->elem.in_bytes);
	return 1;
out:
	if (ret < 0) {
		if (virtio_dev_strict(dev) &&
		    dev->vq[q].err_rule != STRICT_NUM_RULES)
			virtio_dev_violation(dev, dev->vq[q].err_rule,
					     "queue %u: %s", q,
					     dev->vq[q].err_detail);
		virtio_dev_fail(dev, "queue %u: %s", q,
				dev->vq[q].err_detail ? dev->vq[q].err_detail
						      : vq_dev_error_name(ret));
		return -1;
	}
	return 0;
}

#define USED_MUTATION(kind) (1u << FAULT_HOSTILE_##kind)

/*
 * An id no chain of the driver's has: a descriptor of @r's queue that
 * is not @r's head, not in flight and not waiting on the avail ring
 * (free, or inside a chain), or the ring size when there is none.
 */
static uint32_t virtio_dev_stray_id(struct virtio_dev *dev,
				    const struct virtio_req *r)
{
	const struct virtio_dev_queue *dq = &dev->queue[r->q];
	uint16_t size = dev->vq[r->q].size;
	uint16_t start =
	    (uint16_t)rng_below(&dev->env->rng[SIM_RNG_FAULT], size);

	for (uint16_t i = 0; i < size; i++) {
		uint16_t head = (uint16_t)((start + i) % size);

		if (head != r->elem.head && !virtio_dev_head_busy(dq, head) &&
		    !vq_dev_head_posted(&dev->vq[r->q], head))
			return head;
	}
	return size;
}

/*
 * How far a wrong id and a bad length go: the points' (the ring size,
 * one byte past the writable buffers), or with @wild (hostile) drawn
 * from the fault stream, up to 2^32 - 1 either.
 */
static uint32_t virtio_dev_wrong_id(struct virtio_dev *dev,
				    const struct vq_dev *vq, bool wild)
{
	return wild ? (uint32_t)rng_range(&dev->env->rng[SIM_RNG_FAULT],
					  vq->size, UINT32_MAX)
		    : vq->size;
}

static uint32_t virtio_dev_bad_len(struct virtio_dev *dev,
				   const struct virtio_req *r, bool wild)
{
	struct rng *rng = &dev->env->rng[SIM_RNG_FAULT];
	uint64_t past = 1, len;

	if (wild)
		past =
		    rng_below(rng, 2) ? rng_range(rng, 1, 65536) : UINT32_MAX;
	len = r->elem.in_bytes + past;
	return len < UINT32_MAX ? (uint32_t)len : UINT32_MAX;
}

/*
 * @r's used entry with the mutations in @m (USED_MUTATION bits), one
 * implementation each for the used-ring points and hostile (@wild): a
 * wrong id (no head has it), a head not in flight, a length past the
 * writable buffers, the entry twice, used->idx a ring's size too far,
 * or NEEDS_RESET instead of the entry. Returns 0, 1 when no entry was
 * put (the device failed), or a vq_dev error.
 */
static int virtio_dev_push_mutated(struct virtio_dev *dev, struct virtio_req *r,
				   unsigned m, bool wild)
{
	struct vq_dev *vq = &dev->vq[r->q];
	uint32_t len = r->len;
	int ret;

	if (m & USED_MUTATION(NEEDS_RESET)) {
		virtio_dev_fault_needs_reset(dev, r->q, "hostile needs-reset",
					     "a completion");
		return 1;
	}
	if (m & USED_MUTATION(BAD_LEN))
		len = virtio_dev_bad_len(dev, r, wild);
	if (m & USED_MUTATION(WRONG_ID))
		ret =
		    vq_dev_push_id(vq, virtio_dev_wrong_id(dev, vq, wild), len);
	else if (m & USED_MUTATION(STRAY_ID))
		ret = vq_dev_push_id(vq, virtio_dev_stray_id(dev, r), len);
	else
		ret = vq_dev_push(vq, r->elem.head, len);
	if (!ret && (m & USED_MUTATION(DUPLICATE)))
		ret = vq_dev_push(vq, r->elem.head, len);
	if (!ret && (m & USED_MUTATION(IDX_JUMP)))
		vq_dev_used_jump(vq, vq->size);
	return ret;
}

/* @r's used entry, as the used-ring fault points and hostile break it. */
static int virtio_dev_push(struct virtio_dev *dev, struct virtio_req *r)
{
	enum fault_hostile_kind kind;
	unsigned m = 0;
	bool wild = false;

	if (__builtin_expect(!dev->env->faults || !dev->env->faults->armed, 1))
		return vq_dev_push(&dev->vq[r->q], r->elem.head, r->len);
	if (virtio_dev_fault(dev, FAULT_USED_BAD_LEN))
		m |= USED_MUTATION(BAD_LEN);
	if (virtio_dev_fault(dev, FAULT_USED_WRONG_ID))
		m |= USED_MUTATION(WRONG_ID);
	if (virtio_dev_fault(dev, FAULT_USED_DUPLICATE))
		m |= USED_MUTATION(DUPLICATE);
	if (virtio_dev_fault(dev, FAULT_USED_IDX_JUMP))
		m |= USED_MUTATION(IDX_JUMP);
	if (fault_hostile(dev->env->faults, FAULT_HOSTILE_AT_COMPLETION,
			  dev->id, &kind)) {
		trace_dev_req_hostile(dev->env->trace, dev->name, dev->id, r->q,
				      r->elem.head, fault_hostile_name(kind));
		m |= 1u << kind;
		wild = true;
	}
	return virtio_dev_push_mutated(dev, r, m, wild);
}

/* Put a completed request on the used ring. */
static inline void virtio_dev_retire_one(struct virtio_req *r)
{
	struct virtio_dev *dev = r->dev;
	unsigned q = r->q;
	struct virtio_dev_queue *dq = &dev->queue[q];
	uint16_t head = r->elem.head;
	int ret;

	r->state = VIRTIO_REQ_FREE;
	dq->in_flight--;
	virtio_dev_head_flip(dq, head);
	dq->free_slots[dq->nfree++] = r->slot;
	if (!virtio_dev_queue_live(dev, q))
		return; /* broken since: the driver resets and reclaims */
	ret = virtio_dev_push(dev, r);
	if (ret < 0) {
		virtio_dev_fail(dev, "queue %u: cannot complete head %u: %s", q,
				head, vq_dev_error_name(ret));
		return;
	}
	if (ret > 0)
		return; /* a fault failed the device instead */
	sched_record(dev->env, SCHED_COMPLETE, dev->name, dev->id, q, head,
		     r->len);
	trace_req_complete(dev->env->trace, dev->name, dev->id, q, head,
			   r->len);
}

/* Queue @q has new used entries: an interrupt now, or at notify's end. */
static inline void virtio_dev_used(struct virtio_dev *dev, unsigned q)
{
	if (!virtio_dev_queue_live(dev, q))
		return;
	if (dev->notify_depth)
		dev->irq_owed |= 1u << q;
	else if (vq_dev_should_notify(&dev->vq[q]))
		virtio_dev_interrupt(dev, q, false);
}

/* Retire a request and the batch behind it (@opaque: the first). */
static void virtio_dev_retire(void *opaque)
{
	struct virtio_req *r = opaque;
	struct virtio_dev *dev = r->dev;
	unsigned q = r->q;

	while (r) {
		struct virtio_req *next = r->batch_next;

		r->batch_next = NULL;
		virtio_dev_retire_one(r);
		r = next;
	}
	virtio_dev_used(dev, q);
}

/* Completing twice, or what was never popped, is a model bug. */
static void virtio_dev_done(struct virtio_req *req, uint32_t len)
{
	assert(req->state == VIRTIO_REQ_MODEL);
	req->len = len;
	req->state = VIRTIO_REQ_DONE;
}

/* Deferred mode: @req (and its batch) reach the used ring later. */
static int virtio_dev_defer_retire(struct virtio_req *req)
{
	struct virtio_dev *dev = req->dev;

	if (dev->ops->in_order_queues & (1u << req->q))
		return sched_defer_in_order(dev->env, &req->done_timer,
					    SCHED_COMPLETE,
					    &dev->queue[req->q].retire_after);
	return sched_defer(dev->env, &req->done_timer, SCHED_COMPLETE);
}

void virtio_dev_complete(struct virtio_req *req, uint32_t len)
{
	struct virtio_dev *dev = req->dev;

	virtio_dev_done(req, len);
	if (dev->env->mode != SIM_MODE_DEFERRED) {
		virtio_dev_retire_one(req);
		virtio_dev_used(dev, req->q);
	} else if (virtio_dev_defer_retire(req)) {
		virtio_dev_retire(req); /* no memory to defer: complete now */
	}
}

void virtio_dev_complete_batch(struct virtio_req *const *reqs,
			       const uint32_t *lens, unsigned n)
{
	struct virtio_dev *dev;

	if (!n)
		return;
	dev = reqs[0]->dev;
	for (unsigned i = 0; i < n; i++) {
		assert(reqs[i]->q == reqs[0]->q);
		virtio_dev_done(reqs[i], lens[i]);
		reqs[i]->batch_next = i + 1 < n ? reqs[i + 1] : NULL;
	}
	/* Deferred: the batch goes to the used ring together, later. */
	if (dev->env->mode != SIM_MODE_DEFERRED ||
	    virtio_dev_defer_retire(reqs[0]))
		virtio_dev_retire(reqs[0]);
}

static void virtio_dev_signal(struct virtio_dev *dev, unsigned q, bool config)
{
	sched_record(dev->env, SCHED_IRQ, dev->name, dev->id, q, config, 0);
	if (dev->irq.notify)
		dev->irq.notify(dev->irq.opaque, q, config);
}

/*
 * hostile at an interrupt: more of the same interrupt later, one at a
 * time on the event loop, with no used entry behind them (what there
 * was, the driver took): one, or a storm of 2 to
 * VIRTIO_DEV_HOSTILE_STORM_MAX. They are no hits themselves, so a storm
 * ends.
 */
static void virtio_dev_hostile_irq(struct virtio_dev *dev, unsigned q,
				   bool config)
{
	enum fault_hostile_kind kind;
	unsigned n = 1;

	if (!fault_hostile(dev->env->faults, FAULT_HOSTILE_AT_INTERRUPT,
			   dev->id, &kind))
		return;
	if (kind == FAULT_HOSTILE_IRQ_STORM)
		n = (unsigned)rng_range(&dev->env->rng[SIM_RNG_FAULT], 2,
					VIRTIO_DEV_HOSTILE_STORM_MAX);
	trace_dev_irq_hostile(dev->env->trace, dev->name, dev->id, q,
			      fault_hostile_name(kind), n,
			      config ? "config interrupts" : "interrupts");
	dev->hostile_q = (uint16_t)q;
	dev->hostile_config = config;
	dev->hostile_irqs += n;
	if (dev->hostile_irqs > VIRTIO_DEV_HOSTILE_STORM_MAX)
		dev->hostile_irqs = VIRTIO_DEV_HOSTILE_STORM_MAX;
	if (!ev_timer_armed(&dev->hostile_irq_timer) &&
	    sched_defer(dev->env, &dev->hostile_irq_timer, SCHED_IRQ))
		dev->hostile_irqs = 0; /* no memory to defer: none */
}

static void virtio_dev_hostile_raise(void *opaque)
{
	struct virtio_dev *dev = opaque;

	if (!dev->hostile_irqs)
		return;
	dev->hostile_irqs--;
	virtio_dev_signal(dev, dev->hostile_q, dev->hostile_config);
	if (dev->hostile_irqs &&
	    sched_defer(dev->env, &dev->hostile_irq_timer, SCHED_IRQ))
		dev->hostile_irqs = 0;
}

static void virtio_dev_raise_now(struct virtio_dev *dev, unsigned q,
				 bool config)
{
	virtio_dev_signal(dev, q, config);
	virtio_dev_hostile_irq(dev, q, config);
}

static void virtio_dev_raise(void *opaque)
{
	struct virtio_dev_queue *dq = opaque;

	virtio_dev_raise_now(dq->dev, dq->index, false);
}

static void virtio_dev_raise_config(void *opaque)
{
	virtio_dev_raise_now(opaque, 0, true);
}

/* A used-buffer (@config false) or config-change interrupt, as the mode says.
 */
static void virtio_dev_interrupt(struct virtio_dev *dev, unsigned q,
				 bool config)
{
	struct ev_timer *t;

	if (dev->env->mode != SIM_MODE_DEFERRED) {
		virtio_dev_raise_now(dev, q, config);
		return;
	}
	/* Late, and one on its way covers everything until it arrives. */
	t = config ? &dev->config_irq_timer : &dev->queue[q].irq_timer;
	if (!ev_timer_armed(t) && sched_defer(dev->env, t, SCHED_IRQ))
		virtio_dev_raise_now(dev, q, config);
}

void virtio_dev_fail(struct virtio_dev *dev, const char *fmt, ...)
{
	va_list ap;

	dev->guest_errors++;
	if (dev->broken) {
		trace_dev_error_again(dev->env->trace, dev->name, dev->id);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(dev->broken_reason, sizeof(dev->broken_reason), fmt, ap);
	va_end(ap);
	dev->broken = true;
	dev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	virtio_dev_update_live(dev);
	trace_dev_needs_reset(dev->env->trace, dev->name, dev->id,
			      dev->broken_reason);
	/* INIT-V-02: tell a running driver through a config interrupt. */
	if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK)
		virtio_dev_interrupt(dev, 0, true);
}
