/* SPDX-License-Identifier: MIT */
/*
 * guest_net.c - lwIP over the seed's net device, single-threaded.
 */
#include "tools/cli/guest_net.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lwip/etharp.h>
#include <lwip/init.h>
#include <lwip/pbuf.h>
#include <lwip/tcpip.h>
#include <lwip/timeouts.h>
#include <netif/ethernet.h>

#include "drivers/virtio/virtio_net.h"
#include "tools/vm/net_class.h"

#define GUEST_NET_CALLBACKS 64

/* lwIP asks for the time and for deferred calls without an argument. */
static const struct evloop *guest_clock;
static struct {
	tcpip_callback_fn fn;
	void *ctx;
} callbacks[GUEST_NET_CALLBACKS];
static unsigned ncallbacks;
static bool lwip_started;
static volatile sig_atomic_t stop_signal;

/* lwIP's clock: the machine's virtual one (Debian's build lets us). */
u32_t sys_now(void)
{
	return guest_clock ? (u32_t)(evloop_now(guest_clock) / 1000000) : 0;
}

/*
 * Without the tcpip thread, traffic to our own address would assert
 * ("Invalid mbox"): queue the call and run it from guest_net_poll.
 */
err_t tcpip_try_callback(tcpip_callback_fn function, void *ctx)
{
	if (ncallbacks == GUEST_NET_CALLBACKS)
		return ERR_MEM;
	callbacks[ncallbacks].fn = function;
	callbacks[ncallbacks++].ctx = ctx;
	return ERR_OK;
}

uint32_t guest_net_now_ms(const struct guest_net *gn)
{
	return sys_now();
}

static err_t guest_net_linkoutput(struct netif *netif, struct pbuf *p)
{
	struct guest_net *gn = netif->state;
	struct net_device *dev = gn->dev;
	struct net_buf *b;

	dev->ops->recycle_tx_buffers(dev);
	if (dev->ops->alloc_tx_buffer(dev, p->tot_len, &b)) {
		gn->tx_dropped++; /* TCP sends it again */
		return ERR_MEM;
	}
	pbuf_copy_partial(p, net_buf_packet(b), p->tot_len, 0);
	if (dev->ops->transmit(dev, b)) {
		gn->tx_dropped++;
		return ERR_IF;
	}
	gn->tx_frames++;
	gn->tx_bytes += p->tot_len;
	return ERR_OK;
}

static err_t guest_net_netif_init(struct netif *netif)
{
	struct guest_net *gn = netif->state;

	netif->name[0] = 'v';
	netif->name[1] = 'n';
	netif->output = etharp_output;
	netif->linkoutput = guest_net_linkoutput;
	netif->mtu = vm_virtio_net(gn->vm, gn->unit)->mtu; /* the NIC's */
	netif->hwaddr_len = ETH_HWADDR_LEN;
	gn->dev->ops->mac_address(gn->dev, netif->hwaddr);
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
		       NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
	return ERR_OK;
}

static void guest_net_wake(void *opaque)
{
	/* The timer interrupt: the wait it ends runs lwIP's timers. */
}

int guest_net_up(struct guest_net *gn, struct vm *vm, unsigned unit, char *err,
		 size_t errlen)
{
	ip4_addr_t addr, mask, gw;

	memset(gn, 0, sizeof(*gn));
	gn->vm = vm;
	gn->unit = unit;
	gn->dev = vm_nic(vm, unit);
	guest_clock = &vm->machine.loop;
	ev_timer_init(&gn->wake, guest_net_wake, gn);
	srand((unsigned)vm->machine.env.seed); /* LWIP_RAND is rand() */
	if (!lwip_started) {
		lwip_init();
		lwip_started = true;
	}
	ip4addr_aton(GUEST_NET_ADDR, &addr);
	ip4addr_aton("255.255.255.0", &mask);
	ip4addr_aton(GUEST_NET_GATEWAY, &gw);
	if (!netif_add(&gn->netif, &addr, &mask, &gw, gn, guest_net_netif_init,
		       ethernet_input)) {
		snprintf(err, errlen, "lwIP would not take the interface");
		return -1;
	}
	netif_set_default(&gn->netif);
	netif_set_up(&gn->netif); /* sends a gratuitous ARP at once */
	return 0;
}

void guest_net_down(struct guest_net *gn)
{
	struct evloop *loop = &gn->vm->machine.loop;

	if (gn->catching) {
		sigset_t stop;

		evloop_set_poll_sigmask(loop, NULL);
		sigemptyset(&stop);
		sigaddset(&stop, SIGINT);
		sigaddset(&stop, SIGTERM);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		sigprocmask(SIG_UNBLOCK, &stop, NULL);
	}
	evloop_timer_cancel(loop, &gn->wake);
	netif_set_down(&gn->netif);
	netif_remove(&gn->netif);
	guest_clock = NULL;
}

void guest_net_poll(struct guest_net *gn)
{
	struct net_device *dev = gn->dev;
	struct net_buf *b;

	while (dev->ops->receive(dev, &b) == 0) {
		struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)b->packet_len,
					    PBUF_RAM); /* not PBUF_POOL:
							* see the notes */

		gn->rx_frames++;
		gn->rx_bytes += b->packet_len;
		if (p)
			pbuf_take(p, net_buf_packet(b), (u16_t)b->packet_len);
		dev->ops->recycle_rx_buffer(dev, b);
		if (p && gn->netif.input(p, &gn->netif) != ERR_OK)
			pbuf_free(p);
	}
	dev->ops->recycle_tx_buffers(dev);
	while (ncallbacks) {
		unsigned n = ncallbacks;

		ncallbacks = 0;
		for (unsigned i = 0; i < n; i++)
			callbacks[i].fn(callbacks[i].ctx);
	}
	sys_check_timeouts();
}

bool guest_net_wait(struct guest_net *gn, uint32_t deadline_ms)
{
	struct evloop *loop = &gn->vm->machine.loop;
	uint64_t now = evloop_now(loop), at = UINT64_MAX;
	u32_t sleep = sys_timeouts_sleeptime();

	if (sleep == 0 || (deadline_ms && deadline_ms <= sys_now()))
		return true; /* due now: handle it before idling */
	if (sleep != SYS_TIMEOUTS_SLEEPTIME_INFINITE)
		at = now + (uint64_t)sleep * 1000000;
	if (deadline_ms && (uint64_t)deadline_ms * 1000000 < at)
		at = (uint64_t)deadline_ms * 1000000;
	if (at != UINT64_MAX)
		evloop_timer_arm(loop, &gn->wake, at);
	return hal_wait(machine_hal(&gn->vm->machine)) == 0;
}

enum guest_net_end guest_net_run(struct guest_net *gn, const bool *done,
				 uint32_t idle_ms)
{
	uint64_t frames = gn->rx_frames;
	uint32_t deadline = idle_ms ? sys_now() + idle_ms : 0;

	for (;;) {
		guest_net_poll(gn);
		if (*done)
			return GUEST_NET_DONE;
		if (stop_signal)
			return GUEST_NET_STOPPED;
		if (gn->rx_frames != frames) {
			frames = gn->rx_frames;
			deadline = idle_ms ? sys_now() + idle_ms : 0;
		}
		if (deadline && (int32_t)(sys_now() - deadline) >= 0)
			return GUEST_NET_TIMEOUT;
		if (!guest_net_wait(gn, deadline) && !stop_signal &&
		    !evloop_pending(&gn->vm->machine.loop))
			return GUEST_NET_IDLE;
	}
}

void guest_net_report(const struct guest_net *gn, FILE *out, struct json *json)
{
	if (json) {
		json_begin_object(json, "nic");
		json_stringf(json, "unit", "net%u", gn->unit);
		json_uint(json, "rx_frames", gn->rx_frames);
		json_uint(json, "rx_bytes", gn->rx_bytes);
		json_uint(json, "tx_frames", gn->tx_frames);
		json_uint(json, "tx_bytes", gn->tx_bytes);
		json_uint(json, "tx_dropped", gn->tx_dropped);
		json_end_object(json);
	}
	fprintf(out,
		"net%u: %" PRIu64 " frames in (%" PRIu64 " bytes), %" PRIu64
		" out (%" PRIu64 " bytes), %" PRIu64 " not sent\n",
		gn->unit, gn->rx_frames, gn->rx_bytes, gn->tx_frames,
		gn->tx_bytes, gn->tx_dropped);
}

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

int guest_net_catch_stop_signals(struct guest_net *gn)
{
	struct sigaction sa = {.sa_handler = on_stop_signal};
	sigset_t stop;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stop, &gn->poll_mask))
		return -1;
	sigdelset(&gn->poll_mask, SIGINT);
	sigdelset(&gn->poll_mask, SIGTERM);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -1;
	evloop_set_poll_sigmask(&gn->vm->machine.loop, &gn->poll_mask);
	gn->catching = true;
	return 0;
}

int guest_net_stop_signal(void)
{
	return stop_signal;
}

static unsigned dots(const char *s)
{
	unsigned n = 0;

	while ((s = strchr(s, '.')))
		n++, s++;
	return n;
}

int guest_net_parse_host(const char *host, ip_addr_t *addr, char *err,
			 size_t errlen)
{
	ip4_addr_t a;

	if (!strcmp(host, "localhost") ||
	    (ip4addr_aton(host, &a) && ip4_addr1(&a) == 127))
		host = GUEST_NET_GATEWAY;
	if (strspn(host, "0123456789.") != strlen(host) || dots(host) != 3 ||
	    !ip4addr_aton(host, &a)) {
		snprintf(err, errlen,
			 "'%s': want an IPv4 address (the guest has no "
			 "resolver; the host is 10.0.2.2 or localhost)",
			 host);
		return -1;
	}
	ip_addr_copy_from_ip4(*addr, a); /* the v4 type too, on a v6 build */
	return 0;
}
