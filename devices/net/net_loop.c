/* SPDX-License-Identifier: MIT */
/*
 * The loop backend's switch. Switches are found by their machine's
 * environment in a small registry, created with their first port and
 * freed with their last. The registry is process state: machines are
 * built and run on one thread.
 */
#include "devices/net/net_loop.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/wire/virtio_net.h"

struct net_loop_port;

struct net_loop_fdb_entry {
	uint8_t mac[VIRTIO_NET_ETH_ALEN];
	struct net_loop_port *port; /* NULL: unused */
};

struct net_loop_switch {
	const struct sim_env *env; /* the key */
	struct net_loop_switch *next;
	struct net_loop_port *ports;
	unsigned nports;
	struct net_loop_fdb_entry fdb[NET_LOOP_FDB_SIZE];
	unsigned fdb_next; /* the slot to reuse when the table is full */
};

struct net_loop_port {
	struct net_backend be; /* first: what the model holds */
	struct net_loop_switch *sw;
	struct net_loop_port *next;
};

static struct net_loop_switch *net_loop_switches;

static struct net_loop_switch *net_loop_find(const struct sim_env *env)
{
	struct net_loop_switch *sw;

	for (sw = net_loop_switches; sw; sw = sw->next)
		if (sw->env == env)
			return sw;
	return NULL;
}

static struct net_loop_fdb_entry *net_loop_lookup(struct net_loop_switch *sw,
						  const uint8_t *mac)
{
	for (unsigned i = 0; i < NET_LOOP_FDB_SIZE; i++)
		if (sw->fdb[i].port &&
		    !memcmp(sw->fdb[i].mac, mac, VIRTIO_NET_ETH_ALEN))
			return &sw->fdb[i];
	return NULL;
}

static void net_loop_learn(struct net_loop_switch *sw, const uint8_t *mac,
			   struct net_loop_port *port)
{
	struct net_loop_fdb_entry *e;

	if (mac[0] & 1)
		return; /* a group address is never a source */
	e = net_loop_lookup(sw, mac);
	if (!e) {
		for (unsigned i = 0; i < NET_LOOP_FDB_SIZE && !e; i++)
			if (!sw->fdb[i].port)
				e = &sw->fdb[i];
		if (!e) {
			e = &sw->fdb[sw->fdb_next];
			sw->fdb_next = (sw->fdb_next + 1) % NET_LOOP_FDB_SIZE;
		}
		memcpy(e->mac, mac, VIRTIO_NET_ETH_ALEN);
	}
	e->port = port; /* a station that moved is found on its new port */
}

static void net_loop_send(struct net_backend *b, const void *frame, size_t len)
{
	struct net_loop_port *src = (struct net_loop_port *)b;
	struct net_loop_switch *sw = src->sw;
	const uint8_t *f = frame;
	struct net_loop_fdb_entry *dst;

	if (len < VIRTIO_NET_ETH_HLEN)
		return;
	net_loop_learn(sw, f + VIRTIO_NET_ETH_ALEN, src);
	if (sw->nports == 1) {
		net_backend_deliver(&src->be, frame, len); /* hairpin */
		return;
	}
	dst = f[0] & 1 ? NULL : net_loop_lookup(sw, f);
	if (dst) {
		net_backend_deliver(&dst->port->be, frame, len);
		return;
	}
	for (struct net_loop_port *p = sw->ports; p; p = p->next)
		if (p != src)
			net_backend_deliver(&p->be, frame, len);
}

static void net_loop_destroy(struct net_backend *b)
{
	struct net_loop_port *port = (struct net_loop_port *)b, **pp;
	struct net_loop_switch *sw = port->sw, **sp;

	for (unsigned i = 0; i < NET_LOOP_FDB_SIZE; i++)
		if (sw->fdb[i].port == port)
			sw->fdb[i].port = NULL;
	for (pp = &sw->ports; *pp != port; pp = &(*pp)->next)
		;
	*pp = port->next;
	free(port);
	if (--sw->nports)
		return;
	for (sp = &net_loop_switches; *sp != sw; sp = &(*sp)->next)
		;
	*sp = sw->next;
	free(sw);
}

static const struct net_backend_ops net_loop_ops = {
    .send = net_loop_send,
    .destroy = net_loop_destroy,
};

struct net_backend *net_loop_create(struct sim_env *env)
{
	struct net_loop_switch *sw = net_loop_find(env);
	struct net_loop_port *port, **pp;

	if (!sw) {
		sw = calloc(1, sizeof(*sw));
		if (!sw)
			return NULL;
		sw->env = env;
		sw->next = net_loop_switches;
		net_loop_switches = sw;
	}
	port = calloc(1, sizeof(*port));
	if (!port) {
		if (!sw->nports) {
			net_loop_switches = sw->next;
			free(sw);
		}
		return NULL;
	}
	port->be.ops = &net_loop_ops;
	port->be.link_up = true;
	port->sw = sw;
	/* Ports in creation order: floods reach NICs in a fixed order. */
	for (pp = &sw->ports; *pp; pp = &(*pp)->next)
		;
	*pp = port;
	sw->nports++;
	return &port->be;
}

unsigned net_loop_ports(const struct sim_env *env)
{
	const struct net_loop_switch *sw = net_loop_find(env);

	return sw ? sw->nports : 0;
}
