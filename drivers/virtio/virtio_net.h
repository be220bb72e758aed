/* SPDX-License-Identifier: MIT */
/*
 * virtio_net.h - the virtio-net driver (§5.1): one receive queue (0) and
 * one transmit queue (1), no control queue, no MQ; a non-blocking token
 * API over caller-owned buffers, no allocation per frame.
 *
 * Buffers are the caller's: transmit_begin and receive_begin share one
 * through hal_share (in place when it is DMA memory, as net_buf pools
 * are) and hand it to the device; poll says which token the device used;
 * complete takes the buffer back. A token names its buffer alone from
 * begin until complete: the chain stays held on the virtqueue in
 * between, so a device that reports a token twice, or one never given,
 * gets -VIRTIO_ERR_ALREADY_USED or -VIRTIO_ERR_WRONG_TOKEN from poll,
 * never another caller's buffer.
 *
 * A frame buffer starts with the virtio-net header (virtio_net_hdr_len:
 * 12 bytes with VERSION_1 or MRG_RXBUF, else 10), then the Ethernet
 * frame. Not thread-safe: one caller at a time.
 */
#ifndef VIRTSIM_DRIVERS_VIRTIO_NET_H
#define VIRTSIM_DRIVERS_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/virtio/virtio.h"
#include "drivers/virtio/virtio_device.h"
#include "drivers/virtio/virtqueue.h"
#include "drivers/wire/virtio_net.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The MAC used without VIRTIO_NET_F_MAC when the options give none:
 * 02:76:73:00:00:01, locally administered and unicast (NET-D-02). */
extern const uint8_t virtio_net_default_mac[VIRTIO_NET_ETH_ALEN];

struct virtio_net_options {
	uint16_t queue_size; /* both queues; 0: the device's maximum,
			      * capped at 256; else a power of 2, halved
			      * until the device takes it */
	bool use_irq;	     /* interrupts say when to look, else poll */
	bool no_mrg_rxbuf;   /* do not negotiate MRG_RXBUF */
	bool no_csum;	     /* do not negotiate CSUM and GUEST_CSUM */
	bool no_event_idx;   /* do not negotiate EVENT_IDX */
	bool no_indirect;    /* do not negotiate INDIRECT_DESC */
	/* The NIC's address when the device offers no MAC (NET-D-02);
	 * all zero: virtio_net_default_mac. */
	uint8_t fallback_mac[VIRTIO_NET_ETH_ALEN];
};

struct virtio_net_slot; /* per descriptor: the buffer its chain carries */

struct virtio_net_queue {
	struct virtqueue vq;
	struct virtio_net_slot *slots; /* one per descriptor (token) */
	uint64_t slots_paddr;
	size_t slots_pages;
};

struct virtio_net {
	struct virtio_device vdev; /* transport, features, irq, lifetime */
	struct virtio_net_queue rx, tx;
	uint8_t mac[VIRTIO_NET_ETH_ALEN];
	uint16_t mtu;	  /* config mtu with MTU, else 1500 */
	uint16_t hdr_len; /* 12 or 10 */
	bool has_status;  /* VIRTIO_NET_F_STATUS: link state in config */
	bool mrg_rxbuf;	  /* VIRTIO_NET_F_MRG_RXBUF */
	bool split_hdr;	  /* legacy without ANY_LAYOUT: the header gets
			   * its own descriptor */
	uint16_t descs_per_frame; /* ring descriptors one frame buffer takes */
	/*
	 * Receive order (MRG_RXBUF): poll numbers used chains, complete
	 * takes them in that order; after a head of num_buffers n the next
	 * n - 1 completions are its continuation buffers.
	 */
	uint32_t rx_seq_polled, rx_seq_done;
	uint16_t rx_cont_left;
	/* Statistics. */
	uint64_t tx_frames, rx_buffers, rx_errors;
};

/*
 * Initialise the device behind @t (§3.1.1, §5.1.5): negotiate MAC,
 * STATUS, MTU, MRG_RXBUF, CSUM, GUEST_CSUM, EVENT_IDX, INDIRECT_DESC and
 * VERSION_1 as offered and not turned off in @opts (NULL: defaults),
 * read the config (never writing it, NET-D-01), set up both queues,
 * DRIVER_OK. No receive buffer is posted: that is the caller's. Returns
 * 0, -VIRTIO_ERR_UNSUPPORTED (not a net device, features refused, or an
 * mtu below 68: NET-V-02), -VIRTIO_ERR_INVALID_PARAM (also for a queue
 * shorter than a frame's chain, VQ-D-07: two descriptors per frame on a
 * legacy device without ANY_LAYOUT), -VIRTIO_ERR_DMA_ERROR, a config
 * space error, or what the bring-up returned; the device is FAILED and
 * @net zeroed on failure.
 */
int virtio_net_init(struct virtio_net *net, struct virtio_transport *t,
		    const struct virtio_net_options *opts, unsigned irq_line);
/*
 * Reset the device first (INIT-D-13), then unshare every buffer still
 * posted, or used and not completed (their tokens are void; the buffers
 * are the caller's again), then free the queues. @net is zeroed.
 */
void virtio_net_destroy(struct virtio_net *net);

static inline size_t virtio_net_hdr_len(const struct virtio_net *net)
{
	return net->hdr_len;
}

static inline void virtio_net_mac(const struct virtio_net *net,
				  uint8_t mac[VIRTIO_NET_ETH_ALEN])
{
	for (unsigned i = 0; i < VIRTIO_NET_ETH_ALEN; i++)
		mac[i] = net->mac[i];
}

/* Largest frame (Ethernet header included) either way: mtu + 14. */
static inline size_t virtio_net_max_frame(const struct virtio_net *net)
{
	return (size_t)net->mtu + VIRTIO_NET_ETH_HLEN;
}

static inline uint16_t virtio_net_rx_queue_size(const struct virtio_net *net)
{
	return net->rx.vq.size;
}

static inline uint16_t virtio_net_tx_queue_size(const struct virtio_net *net)
{
	return net->tx.vq.size;
}

/* Room on the transmit ring for one more frame. */
bool virtio_net_can_transmit(const struct virtio_net *net);

/*
 * The link state: without STATUS always up; with it, config status is
 * read now (the generation loop keeps it consistent) and LINK_UP says.
 * A status that cannot be read is down. Clears config_changed.
 */
bool virtio_net_link_up(struct virtio_net *net);
/*
 * Whether a config interrupt came since the last link_up or
 * config_changed call (the link may have changed); clears it.
 */
bool virtio_net_config_changed(struct virtio_net *net);

/*
 * Wait until the device used a buffer not polled yet on the receive
 * queue (@rx) or the transmit queue (@tx), or a config interrupt came
 * during the wait (one from before is config_changed's to tell).
 * Returns 0, -VIRTIO_ERR_NOT_READY when nothing can happen any more or
 * nothing did within VIRTIO_WAIT_STALL_* (a device interrupting for
 * nothing: reset it, virtio_net_destroy),
 * -VIRTIO_ERR_IO_ERROR once the device needs a reset,
 * -VIRTIO_ERR_INVALID_PARAM (see virtio_device_wait).
 */
int virtio_net_wait(struct virtio_net *net, bool rx, bool tx);

/*
 * Send the frame in @buf: @len = hdr_len + frame bytes, the first hdr_len
 * bytes room for the header, which the driver writes: flags 0 (the frame
 * goes out fully checksummed), gso_type NONE, num_buffers 0 (NET-D-06,
 * 07, 11, 14). @buf must stay untouched until transmit_complete. Returns
 * 0 and *@token, -VIRTIO_ERR_INVALID_PARAM for a frame shorter than an
 * Ethernet header or longer than mtu + 14 (NET-D-04),
 * -VIRTIO_ERR_QUEUE_FULL when the ring has no room,
 * -VIRTIO_ERR_DMA_ERROR when the buffer cannot be shared.
 */
int virtio_net_transmit_begin(struct virtio_net *net, void *buf, size_t len,
			      uint16_t *token);
/*
 * 1 and the *@token of a frame the device is done with (each once, in
 * the order the device used them), 0 if none, or -VIRTIO_ERR_WRONG_TOKEN
 * / -VIRTIO_ERR_ALREADY_USED for a used entry naming no chain in flight
 * (the entry is dropped, nothing is trusted).
 */
int virtio_net_transmit_poll(struct virtio_net *net, uint16_t *token);
/*
 * Take back the buffer of a polled @token: unshared, its descriptors
 * free. Returns 0, -VIRTIO_ERR_WRONG_TOKEN if @token was not polled or
 * @buf is not its buffer (nothing changes), -VIRTIO_ERR_DMA_ERROR if the
 * unshare failed (the token is released all the same).
 */
int virtio_net_transmit_complete(struct virtio_net *net, uint16_t token,
				 void *buf);

/*
 * Give the device @buf (@len bytes) to receive into. @len must hold the
 * header (NET-D-15) and, without MRG_RXBUF, a whole frame: hdr_len +
 * mtu + 14 (NET-D-03). Returns 0 and *@token, -VIRTIO_ERR_INVALID_PARAM,
 * -VIRTIO_ERR_QUEUE_FULL, -VIRTIO_ERR_DMA_ERROR.
 */
int virtio_net_receive_begin(struct virtio_net *net, void *buf, size_t len,
			     uint16_t *token);
/* As transmit_poll, for the receive queue. */
int virtio_net_receive_poll(struct virtio_net *net, uint16_t *token);
/*
 * Take back the buffer of a polled @token and say what it holds: the
 * header's length (*@hdr_len), the frame bytes after it (*@frame_len)
 * and num_buffers (*@num_buffers). A used length of 0 is a frame the
 * device dropped, the buffer given back empty: 0, 0, 0, no error.
 *
 * With MRG_RXBUF a frame spans num_buffers buffers: the next
 * num_buffers - 1 completions are its continuation buffers, with no
 * header (*@hdr_len 0, *@num_buffers 0, *@frame_len their bytes).
 * Chains must then be completed in the order poll returned them
 * (another one is -VIRTIO_ERR_WRONG_TOKEN).
 *
 * Received headers are not trusted (NET-D-16..19): unknown flags and
 * hdr_len are ignored, checksums are not marked valid. A one-buffer
 * frame with NEEDS_CSUM (and not RSC_INFO, NET-D-17) gets its checksum
 * completed here from csum_start and csum_offset, so the frame is whole;
 * the header is left as the device wrote it.
 *
 * Returns 0; -VIRTIO_ERR_WRONG_TOKEN (nothing changes); or, the buffer
 * being the caller's again all the same, -VIRTIO_ERR_IO_ERROR for a used
 * length above 0 but below the header or above the buffer (VQ-D-14), a
 * num_buffers of 0, above the queue size, or not 1 without MRG_RXBUF,
 * a buffer of a multi-buffer frame other than the last not filled
 * (NET-V-12), a continuation with no bytes, or csum_start/csum_offset
 * outside the frame; -VIRTIO_ERR_DMA_ERROR if the unshare failed.
 */
int virtio_net_receive_complete(struct virtio_net *net, uint16_t token,
				void *buf, size_t *hdr_len, size_t *frame_len,
				uint16_t *num_buffers);

/*
 * The buffer a receive (or transmit) token carries while it is posted or
 * polled and not completed; NULL for any other token.
 */
void *virtio_net_rx_buf(const struct virtio_net *net, uint16_t token);
void *virtio_net_tx_buf(const struct virtio_net *net, uint16_t token);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DRIVERS_VIRTIO_NET_H */
