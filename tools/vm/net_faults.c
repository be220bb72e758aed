/* SPDX-License-Identifier: MIT */
/*
 * net_faults.c - the net class's rows of the fault campaign
 * (fault_campaign.h) and the driver operations they meet, on a loop NIC
 * alone: what it sends comes back to it.
 */
#include <string.h>

#include "drivers/adapter/net_device.h"
#include "drivers/virtio/virtio_net.h"
#include "tools/vm/fault_campaign.h"
#include "tools/vm/net_host.h"

#define ECHO_LEN 60u
#define ECHO_ETHERTYPE 0x88b5 /* IEEE local experimental */

const struct fault_case net_fault_cases[] = {
    FAULT_CASE(VIRTIO_ERR_QUEUE_FULL, "queue-stall,count=1", "flood",
	       FAULT_ON_ALL),
    /* Legacy without ANY_LAYOUT: two descriptors a frame, more than 1. */
    FAULT_CASE(VIRTIO_ERR_INVALID_PARAM, "queue-max-small,count=1", "init",
	       FAULT_ON_MMIO1),
    FAULT_CASE(VIRTIO_ERR_NOT_READY, "net-drop-rx,count=1", "echo",
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_IO_ERROR, "net-rx-bad-hdr,count=1", "echo",
	       FAULT_ON_ALL),
    FAULT_CASES_END,
};

/* The VirtIO error behind a net device's error @err (0 stays 0). */
static int net_virtio_error(const struct virtio_net_device *nd, int err)
{
	return !err		? 0
	       : nd->last_error ? nd->last_error
				: -VIRTIO_ERR_IO_ERROR;
}

/*
 * One frame to itself and back, byte for byte: 0, or the VirtIO error
 * met on the way (NotReady: it never came, the machine fell idle).
 */
static int net_echo(struct virtio_net_device *nd)
{
	struct net_device *dev = virtio_net_device_base(nd);
	struct net_buf *b;
	uint8_t mac[NET_MAC_LEN];
	int err;

	nd->last_error = 0;
	dev->ops->mac_address(dev, mac);
	err = dev->ops->alloc_tx_buffer(dev, ECHO_LEN, &b);
	if (err)
		return net_virtio_error(nd, err);
	memcpy(net_buf_packet(b), mac, NET_MAC_LEN);
	memcpy(net_buf_packet(b) + NET_MAC_LEN, mac, NET_MAC_LEN);
	net_buf_packet(b)[12] = ECHO_ETHERTYPE >> 8;
	net_buf_packet(b)[13] = ECHO_ETHERTYPE & 0xff;
	for (unsigned i = 14; i < ECHO_LEN; i++)
		net_buf_packet(b)[i] = (uint8_t)i;
	err = dev->ops->transmit(dev, b);
	if (err)
		return net_virtio_error(nd, err);
	for (;;) {
		bool ours;

		err = dev->ops->receive(dev, &b);
		if (err == -DEV_ERR_AGAIN) {
			dev->ops->recycle_tx_buffers(dev);
			err = virtio_net_wait(&nd->net, true, false);
			if (err)
				return err;
			continue;
		}
		if (err)
			return net_virtio_error(nd, err);
		ours = b->packet_len == ECHO_LEN &&
		       net_buf_packet(b)[12] == ECHO_ETHERTYPE >> 8 &&
		       net_buf_packet(b)[ECHO_LEN - 1] == ECHO_LEN - 1;
		dev->ops->recycle_rx_buffer(dev, b);
		if (ours)
			return 0;
	}
}

/* Frames out until the device takes no more: what the last send met. */
static int net_flood(struct virtio_net_device *nd)
{
	struct net_device *dev = virtio_net_device_base(nd);
	int err = 0;

	nd->last_error = 0;
	for (unsigned n = 0; !err && n <= virtio_net_tx_queue_size(&nd->net);
	     n++) {
		struct net_buf *b;

		err = dev->ops->alloc_tx_buffer(dev, ECHO_LEN, &b);
		if (!err) {
			memset(net_buf_packet(b), 0xff, ECHO_LEN);
			err = dev->ops->transmit(dev, b);
		}
	}
	return net_virtio_error(nd, err);
}

int net_fault_op(struct vm *vm, struct vm_device *d, const char *op)
{
	struct virtio_net_device *nd = d->driver;

	if (!strcmp(op, "io") || !strcmp(op, "echo"))
		return net_echo(nd);
	if (!strcmp(op, "flood"))
		return net_flood(nd);
	return -VIRTIO_ERR_INVALID_PARAM;
}
