/* SPDX-License-Identifier: MIT */
/*
 * net_model.h - the virtio-net device model (§5.1) on a frame backend
 * (net_backend.h): one receive queue (0) and one transmit queue (1).
 *
 * Offers MAC, STATUS, MTU, MRG_RXBUF, CSUM, GUEST_CSUM, INDIRECT_DESC,
 * EVENT_IDX and VERSION_1; no GSO, no control queue, no multiqueue.
 * Transmit completes the checksum a driver left to the device
 * (NEEDS_CSUM with CSUM) and refuses every header the offered features
 * do not allow with NEEDS_RESET. Receive writes the header with flags 0
 * and gso NONE, one buffer per frame, or with MRG_RXBUF as many as the
 * frame needs, used together. Frames that find no buffer wait in a
 * bounded backlog (256 frames, 1 MiB) and go first when the driver posts
 * buffers; frames over the MTU, beyond the backlog or while the link is
 * down are dropped and counted. Optionally every frame both ways is
 * written to a pcap file.
 */
#ifndef VIRTSIM_DEVICES_NET_MODEL_H
#define VIRTSIM_DEVICES_NET_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/net/net_backend.h"
#include "devices/virtio/virtio_dev.h"
#include "drivers/wire/virtio_net.h"
#include "sim/env.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NET_MODEL_QUEUE_SIZE 256
#define NET_MODEL_QUEUE_SIZE_MAX 1024
#define NET_MODEL_MTU_MAX 65535u

struct net_model_options {
	/*
	 * The NIC's address; all zero: 52:54:00:12:34:56 (locally
	 * administered) plus the device id in the low three bytes, so
	 * every NIC of a machine differs. A multicast address is refused.
	 */
	uint8_t mac[VIRTIO_NET_ETH_ALEN];
	uint32_t mtu;	     /* 68..65535; 0: 1500 (NET-V-02) */
	uint16_t queue_size; /* QueueNumMax, a power of 2 <= 1024; 0: 256 */
	bool no_mrg_rxbuf;   /* leave out MRG_RXBUF */
	bool no_csum;	     /* leave out CSUM and GUEST_CSUM */
	bool no_status;	     /* leave out STATUS (status then reads 0) */
	const char *pcap;    /* capture file (truncated), or NULL */
};

struct net_model_stats {
	uint64_t tx_frames, tx_bytes; /* handed to the backend */
	uint64_t tx_dropped; /* sent while the link was down, over the MTU
			      * by a driver that did not negotiate it, or
			      * lost (net-drop-tx) */
	uint64_t rx_frames, rx_bytes; /* delivered into guest buffers */
	/* Not delivered: link down, over the MTU (NET-V-03), backlog full,
	 * no receiver (queue not running, device reset meanwhile), or lost
	 * (net-drop-rx). */
	uint64_t rx_dropped;
	/* Dropped because the posted buffers cannot hold the frame: one
	 * buffer without MRG_RXBUF, the whole ring with it. */
	uint64_t rx_too_small;
	/* Net rules the driver broke (ring errors: dev->guest_errors). */
	uint64_t guest_errors;
	uint64_t rx_backlog_max; /* most frames ever waiting */
};

/*
 * Create a model on @backend in the machine environment @env; @opts may
 * be NULL. The model owns @backend from the call on (destroyed with the
 * model, or at once when creation fails). Returns the device, or NULL
 * with errno EINVAL (bad options, no backend), ENOMEM, or why the pcap
 * file could not be created.
 */
struct virtio_dev *net_model_create(struct sim_env *env,
				    struct net_backend *backend,
				    const struct net_model_options *opts);
/* Release the model, then its backend. */
void net_model_destroy(struct virtio_dev *dev);
/* The model's counters; NULL if @dev is not a net model. */
const struct net_model_stats *net_model_stats(const struct virtio_dev *dev);
/*
 * Pull the cable (@up false) or plug it back. The link is up when both
 * this and the backend say so; a change updates the config's LINK_UP
 * and raises a config interrupt (with STATUS offered).
 */
void net_model_set_link(struct virtio_dev *dev, bool up);
/* The backend under the model, NULL if @dev is not a net model. */
struct net_backend *net_model_backend(const struct virtio_dev *dev);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DEVICES_NET_MODEL_H */
