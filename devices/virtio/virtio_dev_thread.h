/* SPDX-License-Identifier: MIT */
/*
 * virtio_dev_thread.h - private to the device core: thread mode's
 * per-device worker. Everything here runs under the machine lock
 * (env->threads->lock) except virtio_dev_worker_stop.
 */
#ifndef VIRTSIM_DEVICES_VIRTIO_DEV_THREAD_H
#define VIRTSIM_DEVICES_VIRTIO_DEV_THREAD_H

#include <stdint.h>

#include "devices/virtio/virtio_dev.h"

/*
 * Queue @q was notified: wake the device's worker (started on first
 * use) and return. 0, or a negative errno when no thread could be
 * started (the caller fails the device).
 */
int virtio_dev_worker_kick(struct virtio_dev *dev, unsigned q);
/* Drop notifications of the queues in @mask not yet taken up. */
void virtio_dev_worker_forget(struct virtio_dev *dev, uint32_t mask);
/* Stop and join the worker, without the machine lock held. */
void virtio_dev_worker_stop(struct virtio_dev *dev);

/* virtio_dev.c: the model's turn on queue @q, as a sync notify runs it. */
void virtio_dev_run_queue(struct virtio_dev *dev, unsigned q);

#endif /* VIRTSIM_DEVICES_VIRTIO_DEV_THREAD_H */
