/* SPDX-License-Identifier: MIT */
/*
 * The virtio-net device model (§5.1) on a frame backend: the config
 * space, the link, the device ops, creation and teardown. Transmit is
 * net_tx.c, receive net_rx.c.
 */
#include "devices/net/net_model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/net/net_model_priv.h"
#include "drivers/wire/virtio_config.h"
#include "sim/trace.h"

static const struct virtio_dev_ops net_model_ops;

void net_guest_error(struct net_model *n, const char *fmt, ...)
{
	char why[sizeof(n->vdev.broken_reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	n->stats.guest_errors++;
	virtio_dev_fail(&n->vdev, "%s", why);
}

/* The config is read-only for the driver: re-render it after any write. */
static void net_render_config(struct net_model *n)
{
	uint8_t *c = n->config;
	uint16_t status = 0;

	if ((n->vdev.host_features & VIRTIO_BIT(VIRTIO_NET_F_STATUS)) &&
	    n->link_up)
		status = VIRTIO_NET_S_LINK_UP;
	memset(c, 0, sizeof(n->config));
	memcpy(c + offsetof(struct virtio_net_config, mac), n->mac,
	       sizeof(n->mac));
	virtio_st_le16(c + offsetof(struct virtio_net_config, status), status);
	/* NET-V-01: one pair; NET-V-02: the MTU never changes. */
	virtio_st_le16(
	    c + offsetof(struct virtio_net_config, max_virtqueue_pairs), 1);
	virtio_st_le16(c + offsetof(struct virtio_net_config, mtu),
		       (uint16_t)n->mtu);
}

static void net_model_config_write(struct virtio_dev *dev, uint32_t off,
				   unsigned len)
{
	/* NET-D-01: writing mac was a legacy-only path; we keep ours. */
	if (virtio_dev_strict(dev) && !dev->legacy)
		virtio_dev_violation(dev, STRICT_NET_D_01,
				     "config [%u, %u) written", off, off + len);
	trace_net_config_ro(dev->env->trace, dev->name, dev->id, off,
			    off + len);
	net_render_config(to_net(dev));
}

/* Link ------------------------------------------------------------------ */

static void net_update_link(struct net_model *n)
{
	bool up = n->admin_up && n->backend->link_up && !n->fault_down;

	if (up == n->link_up)
		return;
	n->link_up = up;
	trace_net_link(n->vdev.env->trace, n->vdev.name, n->vdev.id,
		       up ? "up" : "down");
	if (!up)
		net_rx_drop_backlog(n, "link down");
	if (n->vdev.host_features & VIRTIO_BIT(VIRTIO_NET_F_STATUS)) {
		net_render_config(n);
		virtio_dev_config_changed(&n->vdev);
	}
}

void net_link_fault(struct net_model *n)
{
	bool down =
	    fault_fire(n->vdev.env->faults, FAULT_NET_LINK_DOWN, n->vdev.id);

	if (down != n->fault_down) {
		n->fault_down = down;
		net_update_link(n);
	}
}

static void net_model_backend_link(void *opaque, bool up)
{
	net_update_link(opaque);
}

void net_model_set_link(struct virtio_dev *dev, bool up)
{
	struct net_model *n;

	if (!dev || dev->ops != &net_model_ops)
		return;
	n = to_net(dev);
	n->admin_up = up;
	net_update_link(n);
}

/* Device ops ------------------------------------------------------------ */

static void net_model_queue_notify(struct virtio_dev *dev, unsigned q)
{
	struct net_model *n = to_net(dev);

	if (q == TXQ)
		net_tx_notify(n);
	else
		net_rx_drain(n); /* new buffers: waiting frames first */
}

/* The core's contract: give back what we hold; it reaches no guest. */
static void net_model_queue_stop(struct virtio_dev *dev, unsigned q)
{
	if (q == RXQ)
		net_rx_give_back(to_net(dev));
}

static void net_model_reset(struct virtio_dev *dev)
{
	net_rx_drop_backlog(to_net(dev), "device reset");
}

static const struct virtio_dev_ops net_model_ops = {
    .device_id = VIRTIO_ID_NET,
    .num_queues = 2,
    .queue_size_max = NET_MODEL_QUEUE_SIZE,
    .in_order_queues = 1u << RXQ, /* frames arrive in the order sent */
    .config_write = net_model_config_write,
    .queue_notify = net_model_queue_notify,
    .queue_stop = net_model_queue_stop,
    .reset = net_model_reset,
};

static bool net_options_ok(const struct net_model_options *o)
{
	if (o->mtu &&
	    (o->mtu < VIRTIO_NET_MTU_MIN || o->mtu > NET_MODEL_MTU_MAX))
		return false;
	if (o->queue_size & (o->queue_size - 1) ||
	    o->queue_size > NET_MODEL_QUEUE_SIZE_MAX)
		return false;
	return !(o->mac[0] & 1); /* a NIC's address is unicast */
}

static void net_model_free(struct net_model *n)
{
	net_pcap_close(n->pcap);
	net_backlog_release(&n->backlog);
	free(n->scratch);
	free(n->held);
	free(n->used_len);
	free(n);
}

struct virtio_dev *net_model_create(struct sim_env *env,
				    struct net_backend *backend,
				    const struct net_model_options *opts)
{
	static const uint8_t default_mac[] = {0x52, 0x54, 0x00,
					      0x12, 0x34, 0x56};
	static const uint8_t zero_mac[VIRTIO_NET_ETH_ALEN];
	struct net_model_options o = {0};
	struct net_backend_client client;
	uint64_t features =
	    VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_MTU) |
	    VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	struct net_model *n;
	unsigned qmax;
	int err = ENOMEM;

	if (!backend) {
		errno = EINVAL;
		return NULL;
	}
	if (opts)
		o = *opts;
	if (!net_options_ok(&o)) {
		net_backend_destroy(backend); /* ours even on failure */
		errno = EINVAL;
		return NULL;
	}
	qmax = o.queue_size ? o.queue_size : NET_MODEL_QUEUE_SIZE;
	n = calloc(1, sizeof(*n));
	if (!n)
		goto fail_backend;
	n->backend = backend;
	n->mtu = o.mtu ? o.mtu : VIRTIO_NET_MTU_DEFAULT;
	n->scratch = malloc(n->mtu + ETH_HLEN);
	n->held = calloc(qmax, sizeof(*n->held));
	n->used_len = calloc(qmax, sizeof(*n->used_len));
	if (!n->scratch || !n->held || !n->used_len)
		goto fail;
	if (o.pcap) {
		n->pcap = net_pcap_open(o.pcap);
		if (!n->pcap) {
			err = errno;
			goto fail;
		}
	}
	if (!o.no_status)
		features |= VIRTIO_BIT(VIRTIO_NET_F_STATUS);
	if (!o.no_mrg_rxbuf)
		features |= VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF);
	if (!o.no_csum)
		features |= VIRTIO_BIT(VIRTIO_NET_F_CSUM) |
			    VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM);
	virtio_dev_init(&n->vdev, &net_model_ops, "virtio-net", env, features,
			n->config, sizeof(n->config));
	n->vdev.queue_size_max = (uint16_t)qmax;
	memcpy(n->mac, o.mac, sizeof(n->mac));
	if (!memcmp(o.mac, zero_mac, sizeof(zero_mac))) {
		/* NET-D-02's locally administered default, one per NIC. */
		uint32_t low =
		    ((uint32_t)default_mac[3] << 16 |
		     (uint32_t)default_mac[4] << 8 | default_mac[5]) +
		    n->vdev.id;

		memcpy(n->mac, default_mac, 3);
		n->mac[3] = (uint8_t)(low >> 16);
		n->mac[4] = (uint8_t)(low >> 8);
		n->mac[5] = (uint8_t)low;
	}
	n->admin_up = true;
	n->link_up = backend->link_up;
	net_render_config(n);
	client = (struct net_backend_client){
	    .receive = net_rx_receive,
	    .link = net_model_backend_link,
	    .opaque = n,
	};
	net_backend_attach(backend, &client);
	return &n->vdev;
fail:
	net_model_free(n);
fail_backend:
	net_backend_destroy(backend);
	errno = err;
	return NULL;
}

void net_model_destroy(struct virtio_dev *dev)
{
	static const struct net_backend_client none;
	struct net_model *n;

	if (!dev)
		return;
	n = to_net(dev);
	net_backend_attach(n->backend, &none); /* no frame reaches us now */
	virtio_dev_release(dev); /* queue_stop gives our buffers back */
	net_backend_destroy(n->backend);
	net_model_free(n);
}

/* @dev as a net model, or NULL if it is none. */
static const struct net_model *as_net(const struct virtio_dev *dev)
{
	if (!dev || dev->ops != &net_model_ops)
		return NULL;
	return (const struct net_model *)((const char *)dev -
					  offsetof(struct net_model, vdev));
}

const struct net_model_stats *net_model_stats(const struct virtio_dev *dev)
{
	return as_net(dev) ? &as_net(dev)->stats : NULL;
}

struct net_backend *net_model_backend(const struct virtio_dev *dev)
{
	return as_net(dev) ? as_net(dev)->backend : NULL;
}
