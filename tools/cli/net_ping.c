/* SPDX-License-Identifier: MIT */
/*
 * net_ping.c - net-ping [ADDR]: ICMP echo through lwIP, the virtio-net
 * driver and the device model, to the host (10.0.2.2, default) or what
 * it reaches. The next echo goes out as soon as the reply is in (ping
 * -A): the run takes milliseconds, not seconds.
 */
#include <stdio.h>
#include <string.h>

#include <lwip/icmp.h>
#include <lwip/inet_chksum.h>
#include <lwip/ip.h>
#include <lwip/prot/ip4.h>
#include <lwip/raw.h>

#include "tools/cli/guest_net.h"
#include "tools/cli/workload.h"
#include "tools/vm/guest.h"
#include "tools/vm/net_class.h"

#define PING_DATA 56		 /* ping's default payload */
#define PING_TIMEOUT_MS 1000u /* per echo, virtual */
#define PING_ID 0x7673		 /* "vs" */
#define PING_DEFAULT_COUNT 4

struct ping {
	ip_addr_t to;
	uint16_t seq;
	bool replied;
	uint8_t ttl;
};

static int net_ping_parse(struct cli_options *o, char **args, char *err,
			  size_t errlen)
{
	ip_addr_t to;

	o->ping_to = args[0] ? args[0] : GUEST_NET_GATEWAY;
	return guest_net_parse_host(o->ping_to, &to, err, errlen);
}

/* Our echo reply, matched by address, id and sequence; others pass. */
static u8_t ping_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p,
		      const ip_addr_t *addr)
{
	struct ping *pg = arg;
	struct icmp_echo_hdr echo;
	struct ip_hdr iph;
	u16_t hlen;

	if (pbuf_copy_partial(p, &iph, sizeof(iph), 0) != sizeof(iph))
		return 0;
	hlen = (u16_t)IPH_HL_BYTES(&iph);
	if (pbuf_copy_partial(p, &echo, sizeof(echo), hlen) != sizeof(echo) ||
	    echo.type != ICMP_ER || echo.id != lwip_htons(PING_ID) ||
	    echo.seqno != lwip_htons(pg->seq) || !ip_addr_cmp(addr, &pg->to))
		return 0;
	pg->replied = true;
	pg->ttl = IPH_TTL(&iph);
	pbuf_free(p);
	return 1;
}

static int ping_send(struct raw_pcb *pcb, struct ping *pg)
{
	struct pbuf *p = pbuf_alloc(PBUF_IP, sizeof(struct icmp_echo_hdr) +
						 PING_DATA,
				    PBUF_RAM);
	struct icmp_echo_hdr *echo;
	err_t e;

	if (!p)
		return -1;
	echo = p->payload;
	echo->type = ICMP_ECHO;
	echo->code = 0;
	echo->chksum = 0;
	echo->id = lwip_htons(PING_ID);
	echo->seqno = lwip_htons(pg->seq);
	for (unsigned i = 0; i < PING_DATA; i++)
		((uint8_t *)(echo + 1))[i] = (uint8_t)(pg->seq + i);
	echo->chksum = inet_chksum(echo, p->len);
	e = raw_sendto(pcb, p, &pg->to);
	pbuf_free(p);
	return e == ERR_OK ? 0 : -1;
}

static int net_ping_run(struct vm *vm, const struct cli_options *o,
			struct json *json)
{
	uint64_t count = o->given & CLI_OPT_COUNT ? o->pings : PING_DEFAULT_COUNT;
	struct ping pg = {0};
	struct guest_net gn;
	struct raw_pcb *pcb;
	uint64_t received = 0;
	char err[256];
	bool stopped = false;

	if (guest_net_parse_host(o->ping_to, &pg.to, err, sizeof(err))) {
		fprintf(stderr, "virtsim: net-ping: %s\n", err);
		return EXIT_USAGE;
	}
	if (guest_net_up(&gn, vm, o->unit, err, sizeof(err))) {
		fprintf(stderr, "virtsim: net-ping: %s\n", err);
		return EXIT_OP_FAILED;
	}
	pcb = raw_new(IP_PROTO_ICMP);
	if (!pcb) {
		guest_net_down(&gn);
		fprintf(stderr, "virtsim: net-ping: out of lwIP memory\n");
		return EXIT_OP_FAILED;
	}
	raw_recv(pcb, ping_recv, &pg);
	guest_net_catch_stop_signals(&gn);
	if (json) {
		json_string(json, "to", o->ping_to);
		json_string(json, "address", ip4addr_ntoa(ip_2_ip4(&pg.to)));
		json_begin_array(json, "replies");
	}
	printf("PING %s (%s) from %s net%u: %u data bytes\n", o->ping_to,
	       ip4addr_ntoa(ip_2_ip4(&pg.to)), GUEST_NET_ADDR, o->unit,
	       PING_DATA);
	for (uint64_t i = 0; i < count && !stopped; i++) {
		double t = guest_now_ms();
		uint32_t vt = guest_net_now_ms(&gn);

		pg.seq = (uint16_t)(i + 1);
		pg.replied = false;
		if (ping_send(pcb, &pg)) {
			printf("icmp_seq=%u: not sent (no route or memory)\n",
			       pg.seq);
			continue;
		}
		switch (guest_net_run(&gn, &pg.replied, PING_TIMEOUT_MS)) {
		case GUEST_NET_DONE:
			received++;
			printf("%u bytes from %s: icmp_seq=%u ttl=%u time=%.3f "
			       "ms (virtual %u ms)\n",
			       (unsigned)sizeof(struct icmp_echo_hdr) + PING_DATA,
			       ip4addr_ntoa(ip_2_ip4(&pg.to)), pg.seq, pg.ttl,
			       guest_now_ms() - t,
			       guest_net_now_ms(&gn) - vt);
			if (json) {
				json_begin_object(json, NULL);
				json_uint(json, "icmp_seq", pg.seq);
				json_uint(json, "ttl", pg.ttl);
				json_double(json, "ms", guest_now_ms() - t);
				json_uint(json, "virtual_ms",
					  guest_net_now_ms(&gn) - vt);
				json_end_object(json);
			}
			break;
		case GUEST_NET_STOPPED:
			stopped = true;
			count = i + 1;
			break;
		default:
			printf("no reply to icmp_seq=%u within %u ms\n", pg.seq,
			       PING_TIMEOUT_MS);
			break;
		}
	}
	raw_remove(pcb);
	if (json) {
		json_end_array(json);
		json_uint(json, "transmitted", count);
		json_uint(json, "received", received);
	}
	printf("--- %s ping statistics ---\n%llu packets transmitted, %llu "
	       "received, %llu%% packet loss\n",
	       o->ping_to, (unsigned long long)count,
	       (unsigned long long)received,
	       (unsigned long long)(count ? (count - received) * 100 / count
					  : 0));
	guest_net_poll(&gn);
	guest_net_report(&gn, stdout, json);
	guest_net_down(&gn);
	return received == count ? 0 : EXIT_OP_FAILED;
}

const struct workload net_ping_workload = {
    .name = "net-ping",
    .args = "[ADDR]",
    .help = "ICMP echo to ADDR (default 10.0.2.2, the host) --count N "
	    "times; fails unless all are answered",
    .nargs = 1,
    .optional_args = true,
    .cls = &net_class,
    .takes = CLI_OPT_NIC | CLI_OPT_COUNT,
    .parse = net_ping_parse,
    .run = net_ping_run,
};
