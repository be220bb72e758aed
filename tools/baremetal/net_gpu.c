/* SPDX-License-Identifier: MIT */
/*
 * net_gpu.c - what the bare-metal guest checks on network and display
 * devices, through their adapters (drivers/adapter): a net device sends
 * one ARP request for QEMU's user-mode gateway (10.0.2.2, "-netdev
 * user") and takes the reply; a display device is set up (display info,
 * a 2D resource, its backing attached, scanout 0 set), drawn into and
 * flushed (transfer, flush).
 */
#include <string.h>

#include "drivers/adapter/display_device.h"
#include "drivers/adapter/net_device.h"
#include "tools/baremetal/bm.h"
#include "tools/baremetal/bm_print.h"

#define BM_NET_TIMEOUT_NS (3ull * 1000000000ull)
#define ETH_ARP 0x0806u

static struct virtio_net_device vnd;
static struct virtio_gpu_display_device vgd;

static const uint8_t guest_ip[4] = {10, 0, 2, 15}; /* slirp's DHCP default */
static const uint8_t gateway_ip[4] = {10, 0, 2, 2};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* An Ethernet broadcast of an ARP request: who has 10.0.2.2? */
static void arp_request(uint8_t *f, const uint8_t mac[NET_MAC_LEN])
{
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	put16(f + 12, ETH_ARP);
	put16(f + 14, 1);      /* htype Ethernet */
	put16(f + 16, 0x0800); /* ptype IPv4 */
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, 1); /* request */
	memcpy(f + 22, mac, 6);
	memcpy(f + 28, guest_ip, 4);
	memset(f + 32, 0, 6);
	memcpy(f + 38, gateway_ip, 4);
}

static bool is_arp_reply(const uint8_t *f, size_t len,
			 const uint8_t mac[NET_MAC_LEN])
{
	return len >= 42 && !memcmp(f, mac, 6) && get16(f + 12) == ETH_ARP &&
	       get16(f + 20) == 2 && !memcmp(f + 28, gateway_ip, 4) &&
	       !memcmp(f + 38, guest_ip, 4);
}

void bm_net_test(struct platform_device *d, const char *where)
{
	struct virtio_net_options o = {0};
	unsigned pages0 = virt_hal_dma_pages_used();
	struct net_device *nd;
	struct net_buf *b;
	uint8_t mac[NET_MAC_LEN];
	bool replied = false;
	uint64_t t0;
	int err;

	bm_check(d->type == DEV_TYPE_NET, "%s: probed as Net", where);
	o.use_irq = d->irq_line != VIRTIO_NO_IRQ;
	err = virtio_net_device_init_own_pool(&vnd, d->transport, &o,
					      d->irq_line, 32);
	if (!bm_check(!err, "%s net: init (%s)", where,
		      err ? dev_err_name(err) : "ok"))
		return;
	nd = virtio_net_device_base(&vnd);
	nd->ops->mac_address(nd, mac);
	bm_printf("bm: %s net: %s, mac %02x:%02x:%02x:%02x:%02x:%02x, "
		  "features 0x%lx, queues %u/%u\n",
		  where,
		  virtio_transport_is_legacy(d->transport) ? "legacy"
							   : "modern",
		  mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
		  (unsigned long)vnd.net.vdev.features,
		  (unsigned)nd->ops->rx_queue_size(nd),
		  (unsigned)nd->ops->tx_queue_size(nd));
	err = nd->ops->alloc_tx_buffer(nd, 42, &b);
	if (!err) {
		arp_request(net_buf_packet(b), mac);
		err = nd->ops->transmit(nd, b);
	}
	bm_check(!err, "%s net: ARP request for 10.0.2.2 sent (%s)", where,
		 err ? dev_err_name(err) : "ok");
	t0 = virt_now_ns();
	while (!err && !replied && virt_now_ns() - t0 < BM_NET_TIMEOUT_NS) {
		nd->ops->recycle_tx_buffers(nd);
		if (!nd->ops->can_receive(nd)) {
			hal_wait(bm_hal);
			continue;
		}
		if (nd->ops->receive(nd, &b))
			continue;
		replied = is_arp_reply(net_buf_packet(b), b->packet_len, mac);
		if (replied)
			bm_printf("bm: %s net: 10.0.2.2 is at "
				  "%02x:%02x:%02x:%02x:%02x:%02x\n",
				  where, net_buf_packet(b)[22],
				  net_buf_packet(b)[23], net_buf_packet(b)[24],
				  net_buf_packet(b)[25], net_buf_packet(b)[26],
				  net_buf_packet(b)[27]);
		nd->ops->recycle_rx_buffer(nd, b);
	}
	nd->ops->recycle_tx_buffers(nd);
	bm_check(replied,
		 "%s net: ARP reply from the user-mode gateway (rx %lu frames, "
		 "%lu refused, %lu dropped)",
		 where, (unsigned long)vnd.stats.rx_frames,
		 (unsigned long)vnd.stats.rx_errors,
		 (unsigned long)vnd.stats.rx_dropped);
	virtio_net_device_destroy(&vnd);
	bm_check(virt_hal_dma_pages_used() == pages0,
		 "%s net: destroy gives every DMA page back", where);
}

void bm_gpu_test(struct platform_device *d, const char *where)
{
	struct virtio_gpu_options o = {0};
	unsigned pages0 = virt_hal_dma_pages_used();
	struct display_framebuffer fb;
	struct display_device *dd;
	struct display_info info;
	int err;

	bm_check(d->type == DEV_TYPE_DISPLAY, "%s: probed as Display", where);
	o.use_irq = d->irq_line != VIRTIO_NO_IRQ;
	err = virtio_gpu_display_init(&vgd, d->transport, &o, d->irq_line);
	if (!bm_check(!err,
		      "%s gpu: init: display info, create, attach, "
		      "set scanout (%s)",
		      where, err ? dev_err_name(err) : "ok"))
		return;
	dd = virtio_gpu_display_base(&vgd);
	dd->ops->info(dd, &info);
	dd->ops->fb(dd, &fb);
	bm_printf("bm: %s gpu: %s, %ux%u, framebuffer %lu bytes\n", where,
		  virtio_transport_is_legacy(d->transport) ? "legacy"
							   : "modern",
		  info.width, info.height, (unsigned long)info.fb_size);
	/* Diagonal bands; then flush: transfer to the host, flush. */
	for (uint32_t y = 0; y < fb.height; y++) {
		uint8_t *row = fb.base + (size_t)y * fb.stride;

		for (uint32_t x = 0; x < fb.width; x++) {
			row[4 * x] = (uint8_t)(x + y);
			row[4 * x + 1] = (uint8_t)(2 * x);
			row[4 * x + 2] = (uint8_t)(3 * y);
			row[4 * x + 3] = 0xff;
		}
	}
	dd->ops->damage(dd, 0, 0, fb.width, fb.height);
	err = dd->ops->need_flush(dd) ? dd->ops->flush(dd) : -DEV_ERR_BAD_STATE;
	bm_check(!err && vgd.flushes == 1,
		 "%s gpu: transfer and flush %ux%u (%s)", where, fb.width,
		 fb.height, err ? dev_err_name(err) : "ok");
	virtio_gpu_display_destroy(&vgd);
	bm_check(virt_hal_dma_pages_used() == pages0,
		 "%s gpu: destroy gives every DMA page back", where);
}
