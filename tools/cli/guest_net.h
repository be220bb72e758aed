/* SPDX-License-Identifier: MIT */
/*
 * guest_net.h - the guest's TCP/IP stack for the network workloads:
 * Debian's lwIP, raw API, run on this thread from the workload's loop
 * (no tcpip thread), over the seed's net device, at the static address
 * 10.0.2.15/24 with gateway 10.0.2.2 (the build has no DHCP client).
 * lwIP's clock is the machine's virtual clock, and its timers wake the
 * idle CPU through a timer on the machine's event loop.
 */
#ifndef VIRTSIM_TOOLS_CLI_GUEST_NET_H
#define VIRTSIM_TOOLS_CLI_GUEST_NET_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <lwip/ip_addr.h>
#include <lwip/netif.h>

#include "drivers/base/dev.h"
#include "sim/evloop.h"
#include "tools/cli/json.h"
#include "tools/vm/vm.h"

#define GUEST_NET_ADDR "10.0.2.15"
#define GUEST_NET_GATEWAY "10.0.2.2"

struct guest_net {
	struct vm *vm;
	unsigned unit;		/* the NIC: net<unit> */
	struct net_device *dev; /* its net device */
	struct netif netif;
	struct ev_timer wake; /* lwIP's next timeout, as a timer interrupt */
	sigset_t poll_mask;   /* the stop signals unblocked, for polls */
	bool catching;	      /* guest_net_catch_stop_signals was called */
	uint64_t rx_frames, tx_frames, rx_bytes, tx_bytes, tx_dropped;
};

/* How guest_net_run ended. */
enum guest_net_end {
	GUEST_NET_DONE,	   /* *done became true */
	GUEST_NET_TIMEOUT, /* no frame came for the time given */
	GUEST_NET_STOPPED, /* SIGINT or SIGTERM (once caught) */
	GUEST_NET_IDLE,	   /* nothing can happen any more */
};

/*
 * Bring lwIP up on NIC @unit of @vm (once per process: lwIP is global).
 * Its random numbers come from the machine's seed. Returns 0, or -1 with
 * one line in @err.
 */
int guest_net_up(struct guest_net *gn, struct vm *vm, unsigned unit, char *err,
		 size_t errlen);
void guest_net_down(struct guest_net *gn);
/*
 * Frames that arrived go up the stack, sent ones are collected, lwIP's
 * due timers run. Call it after every wait.
 */
void guest_net_poll(struct guest_net *gn);
/*
 * Idle until something may have happened: a frame, lwIP's next timer,
 * virtual time @deadline_ms (0: none), a host socket. False when nothing
 * can happen any more (or a signal interrupted the wait).
 */
bool guest_net_wait(struct guest_net *gn, uint32_t deadline_ms);
/*
 * Run the stack (poll, wait, poll ...) until *@done, or @idle_ms virtual
 * milliseconds pass without a frame coming in (0: no limit), or a stop
 * signal.
 */
enum guest_net_end guest_net_run(struct guest_net *gn, const bool *done,
				 uint32_t idle_ms);
/*
 * From now on SIGINT and SIGTERM end guest_net_run (GUEST_NET_STOPPED)
 * instead of the process. They stay blocked but while the loop polls,
 * so none slips in unseen. Returns 0, or -1 with errno.
 */
int guest_net_catch_stop_signals(struct guest_net *gn);
/* The stop signal caught, or 0. */
int guest_net_stop_signal(void);
/*
 * A destination for the guest: a dotted IPv4 address; "localhost" and
 * 127.0.0.0/8 are the host, which the guest reaches at 10.0.2.2 (its own
 * 127.0.0.1 serves nothing). The guest has no resolver: names other than
 * localhost are refused. Returns 0, or -1 with one line in @err.
 */
int guest_net_parse_host(const char *host, ip_addr_t *addr, char *err,
			 size_t errlen);
/*
 * "net0: 12 frames in (3456 bytes), 10 out (789 bytes), 0 not sent":
 * what the stack moved through the NIC, on @out, and as the member
 * "nic" of @json when not NULL.
 */
void guest_net_report(const struct guest_net *gn, FILE *out, struct json *json);
/* Virtual milliseconds, lwIP's clock. */
uint32_t guest_net_now_ms(const struct guest_net *gn);

#endif /* VIRTSIM_TOOLS_CLI_GUEST_NET_H */
