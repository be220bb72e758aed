/* SPDX-License-Identifier: MIT */
/*
 * Thread mode: each device runs its queues on a host thread of its own.
 * A notify (the driver's register write, under the machine lock) only
 * marks the queue and signals the worker; the worker takes the machine
 * lock and does what a sync notify does inside the write: pop, the
 * model, the backend's I/O, the used ring, the interrupt. Holding the
 * lock for that whole turn serialises it with every register access, a
 * reset included (INIT-V-04: the turn re-checks that its queue is live
 * under the lock, and a reset drops the marks it finds). Out of work,
 * the worker spins a while before it sleeps (sim_threads_spin): the
 * next notify then only sets a mark, and wakes nobody.
 */
#include "devices/virtio/virtio_dev_thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

/*
 * pending and stop change under the machine lock, as atomic stores: the
 * worker's spin reads them without it.
 */
struct virtio_dev_worker {
	pthread_t thread;
	pthread_cond_t kick; /* queues were notified, or stop */
	uint32_t pending;    /* queues notified, not yet taken up */
	bool stop;
};

static void worker_set_pending(struct virtio_dev_worker *w, uint32_t pending)
{
	__atomic_store_n(&w->pending, pending, __ATOMIC_RELAXED);
}

static bool worker_has_work(const void *arg)
{
	const struct virtio_dev_worker *w = arg;

	return __atomic_load_n(&w->pending, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&w->stop, __ATOMIC_RELAXED);
}

/* The device has nothing more to do: the CPU's wait may look again. */
static void virtio_dev_worker_idle(struct sim_threads *st)
{
	__atomic_store_n(&st->busy, st->busy - 1, __ATOMIC_RELAXED);
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
		if (!worker_has_work(w)) {
			pthread_mutex_unlock(&st->lock);
			sim_threads_spin(st, worker_has_work, w);
			pthread_mutex_lock(&st->lock);
		}
		while (!w->pending && !w->stop)
			pthread_cond_wait(&w->kick, &st->lock);
		if (w->stop)
			break;
		while (w->pending) {
			unsigned q = (unsigned)__builtin_ctz(w->pending);

			worker_set_pending(w, w->pending & (w->pending - 1));
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
	if (!w->pending) {
		struct sim_threads *st = dev->env->threads;

		__atomic_store_n(&st->busy, st->busy + 1, __ATOMIC_RELAXED);
	}
	worker_set_pending(w, w->pending | 1u << q);
	pthread_cond_signal(&w->kick);
	return 0;
}

void virtio_dev_worker_forget(struct virtio_dev *dev, uint32_t mask)
{
	struct virtio_dev_worker *w = dev->worker;

	if (!w || !(w->pending & mask))
		return;
	worker_set_pending(w, w->pending & ~mask);
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
	__atomic_store_n(&w->stop, true, __ATOMIC_RELAXED);
	pthread_cond_signal(&w->kick);
	pthread_mutex_unlock(&st->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->kick);
	dev->worker = NULL;
	free(w);
}
