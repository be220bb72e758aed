/* SPDX-License-Identifier: MIT */
/*
 * net_loop.h - the loop backend: a virtual learning switch between the
 * NICs of one machine, with no host networking at all.
 *
 * Every loop backend created with the same environment (one machine)
 * is a port of that machine's switch. The switch learns source
 * addresses per port; a frame to a known unicast address goes to that
 * port only (the sender's own, for a frame to itself), anything else is
 * flooded to every other port. A NIC alone on its switch gets its own
 * frames back (hairpin), so one NIC can test itself. The link is up.
 * Delivery is synchronous, inside the sender's transmit, so it is
 * deterministic in every execution mode.
 */
#ifndef VIRTSIM_DEVICES_NET_LOOP_H
#define VIRTSIM_DEVICES_NET_LOOP_H

#include "devices/net/net_backend.h"
#include "sim/env.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Addresses the switch remembers; the oldest is forgotten beyond. */
#define NET_LOOP_FDB_SIZE 64

/* A new port on @env's switch; NULL when out of memory. */
struct net_backend *net_loop_create(struct sim_env *env);
/* Ports on @env's switch (0 when it has none), for tests. */
unsigned net_loop_ports(const struct sim_env *env);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DEVICES_NET_LOOP_H */
