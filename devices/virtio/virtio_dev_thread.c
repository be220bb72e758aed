/* SPDX-License-Identifier: MIT */
/*
 * Thread mode: each device runs its queues on a host thread of its own.
 * A notify (the driver's register write, under the machine lock) only
 * marks the queue and signals the worker; the worker takes the machine
 * lock and does what a sync notify does inside the write: pop, the
 * model, the backend's I/O, the used ring, the interrupt. Holding the
 * lock for that whole turn serialises it with every register access, a
 * reset included (INIT-V-04: the turn re-checks that its queue is live
 * under the lock, and a reset drops the marks it finds).
 */
#include "devices/virtio/virtio_dev_thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct virtio_dev_worker {
	pthread_t thread;
	pthread_cond_t kick; /* queues were notified, or stop */
	uint32_t pending;    /* queues notified, not yet taken up */
	bool stop;
};

/* The device has nothing more to do: the CPU's wait may look again. */
static void virtio_dev_worker_idle(struct sim_threads *st)
{
	st->busy--;
	st->turns++;
	pthread_cond_broadcast(&st->wake);
}

static void *virtio_dev_worker_main(void *opaque)
{
	struct virtio_dev *dev = opaque;
	struct virtio_dev_worker *w = dev->worker;
	struct sim_threads *st = dev->env->threads;

	pthread_mutex_lock(&st->lock);
	for (;;) {
		while (!w->pending && !w->stop)
			pthread_cond_wait(&w->kick, &st->lock);
		if (w->stop)
			break;
		while (w->pending) {
			unsigned q = (unsigned)__builtin_ctz(w->pending);

			w->pending &= w->pending - 1;
			virtio_dev_run_queue(dev, q);
		}
		virtio_dev_worker_idle(st);
	}
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

static int virtio_dev_worker_start(struct virtio_dev *dev)
{
	struct virtio_dev_worker *w = calloc(1, sizeof(*w));
	int ret;

	if (!w)
		return -ENOMEM;
	ret = pthread_cond_init(&w->kick, NULL);
	if (ret) {
		free(w);
		return -ret;
	}
	dev->worker = w;
	ret = pthread_create(&w->thread, NULL, virtio_dev_worker_main, dev);
	if (ret) {
		dev->worker = NULL;
		pthread_cond_destroy(&w->kick);
		free(w);
		return -ret;
	}
	return 0;
}

int virtio_dev_worker_kick(struct virtio_dev *dev, unsigned q)
{
	struct virtio_dev_worker *w;
	int ret;

	if (!dev->worker) {
		ret = virtio_dev_worker_start(dev);
		if (ret)
			return ret;
	}
	w = dev->worker;
	if (!w->pending)
		dev->env->threads->busy++;
	w->pending |= 1u << q;
	pthread_cond_signal(&w->kick);
	return 0;
}

void virtio_dev_worker_forget(struct virtio_dev *dev, uint32_t mask)
{
	struct virtio_dev_worker *w = dev->worker;

	if (!w || !(w->pending & mask))
		return;
	w->pending &= ~mask;
	if (!w->pending)
		virtio_dev_worker_idle(dev->env->threads);
}

void virtio_dev_worker_stop(struct virtio_dev *dev)
{
	struct virtio_dev_worker *w = dev->worker;
	struct sim_threads *st = dev->env->threads;

	if (!w)
		return;
	pthread_mutex_lock(&st->lock);
	virtio_dev_worker_forget(dev, UINT32_MAX);
	w->stop = true;
	pthread_cond_signal(&w->kick);
	pthread_mutex_unlock(&st->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->kick);
	dev->worker = NULL;
	free(w);
}
