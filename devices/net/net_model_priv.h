/* SPDX-License-Identifier: MIT */
/*
 * net_model_priv.h - what the virtio-net model's files share: the
 * model's state and the calls between configuration and link
 * (net_model.c), transmit (net_tx.c) and receive (net_rx.c).
 */
#ifndef VIRTSIM_DEVICES_NET_MODEL_PRIV_H
#define VIRTSIM_DEVICES_NET_MODEL_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/net/net_backlog.h"
#include "devices/net/net_model.h"
#include "devices/net/pcap.h"

#define RXQ VIRTIO_NET_RX_QUEUE
#define TXQ VIRTIO_NET_TX_QUEUE
#define ETH_HLEN VIRTIO_NET_ETH_HLEN

/* Config up to mtu: the fields the offered features make exist. */
#define NET_CONFIG_LEN offsetof(struct virtio_net_config, speed)

struct net_model {
	struct virtio_dev vdev;
	struct net_backend *backend;
	struct net_pcap *pcap;
	uint32_t mtu;
	uint8_t mac[VIRTIO_NET_ETH_ALEN];
	bool admin_up; /* net_model_set_link */
	bool fault_down; /* net-link-down fired at the last frame */
	/* admin_up, the backend's and no fault: what the guest sees */
	bool link_up;
	uint8_t config[NET_CONFIG_LEN];
	uint8_t *scratch; /* mtu + 14 bytes: a transmit frame gathered */
	/* Receive buffers popped for the next frame, in pop order. */
	struct virtio_req **held;
	uint32_t *used_len; /* per held buffer, for the batch completion */
	unsigned nheld;
	uint64_t held_room; /* writable bytes of the held buffers */
	struct net_backlog backlog;
	struct net_model_stats stats;
};

static inline struct net_model *to_net(struct virtio_dev *dev)
{
	return (struct net_model *)((char *)dev -
				    offsetof(struct net_model, vdev));
}

static inline size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* §5.1.6.1: 12 bytes, but 10 for a legacy device without MRG_RXBUF. */
static inline size_t net_hdr_size(const struct virtio_dev *dev)
{
	if (dev->legacy && !virtio_dev_has_feature(dev, VIRTIO_NET_F_MRG_RXBUF))
		return VIRTIO_NET_HDR_LEGACY_SIZE;
	return VIRTIO_NET_HDR_SIZE;
}

/* The driver broke a net rule: count it, NEEDS_RESET (virtio_dev_fail). */
void net_guest_error(struct net_model *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * A frame passes the NIC either way: the net-link-down point decides
 * whether the link is down for it (a change shows in the config).
 */
void net_link_fault(struct net_model *n);

/* Serve every chain on the transmit queue. */
void net_tx_notify(struct net_model *n);

/* The backend's receive callback: a frame for the guest. */
void net_rx_receive(void *opaque, const void *frame, size_t len);
/* Waiting frames into posted buffers, oldest first, while buffers last. */
void net_rx_drain(struct net_model *n);
/* Hand every held receive buffer back unused (length 0). */
void net_rx_give_back(struct net_model *n);
/* Forget the waiting frames (counted as dropped, @why traced). */
void net_rx_drop_backlog(struct net_model *n, const char *why);

#endif /* VIRTSIM_DEVICES_NET_MODEL_PRIV_H */
