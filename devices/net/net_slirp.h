/* SPDX-License-Identifier: MIT */
/*
 * net_slirp.h - the `user` network backend: libslirp's user-mode
 * TCP/IP (QEMU's -netdev user). The guest network is 10.0.2.0/24, the
 * host 10.0.2.2, its DNS 10.0.2.3; hostfwd forwards host ports to the
 * guest.
 *
 * Every libslirp call is made from the machine's event loop thread: its
 * sockets are a poll source of the loop, its timers run on the virtual
 * clock, and clock_get_ns reads the virtual clock. The host sockets lie
 * outside the deterministic domain; the loop lets virtual time advance
 * no faster than real time while they are watched.
 */
#ifndef VIRTSIM_DEVICES_NET_SLIRP_H
#define VIRTSIM_DEVICES_NET_SLIRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/net/net_backend.h"
#include "sim/env.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NET_SLIRP_MAX_HOSTFWD 16

/* hostfwd=[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport */
struct net_hostfwd {
	bool udp;
	uint32_t host_addr; /* IPv4, host byte order; 0: any */
	uint16_t host_port;
	uint32_t guest_addr; /* 0: the guest, 10.0.2.15 */
	uint16_t guest_port;
};

struct net_slirp_options {
	bool restricted; /* restrict=on: the guest reaches no host, only
			  * hostfwd in */
	struct net_hostfwd hostfwd[NET_SLIRP_MAX_HOSTFWD];
	unsigned hostfwd_count;
	uint32_t mtu; /* the NIC's, so slirp sends no frame it drops; 0: 1500 */
};

/*
 * Parse one hostfwd= value in QEMU's grammar; 0, or -1 with a reason in
 * @err.
 */
int net_hostfwd_parse(const char *s, struct net_hostfwd *fwd, char *err,
		      size_t errlen);

/*
 * A libslirp stack on @env's event loop. Returns the backend, or NULL
 * with one line in @err (a forward whose host port is taken, ...).
 */
struct net_backend *net_slirp_create(struct sim_env *env,
				     const struct net_slirp_options *opts,
				     char *err, size_t errlen);

/* Guest errors libslirp reported (its guest_error callback). */
uint64_t net_slirp_guest_errors(const struct net_backend *b);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DEVICES_NET_SLIRP_H */
