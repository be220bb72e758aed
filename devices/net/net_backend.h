/* SPDX-License-Identifier: MIT */
/*
 * net_backend.h - what a network device model sends frames to and
 * receives frames from (TinyEMU's EthernetDevice, kvmtool's net backend
 * split): user networking through libslirp, or a virtual switch between
 * the machine's NICs. The model never knows which.
 */
#ifndef VIRTSIM_DEVICES_NET_BACKEND_H
#define VIRTSIM_DEVICES_NET_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct net_backend;

/* What the backend calls in its model (set with net_backend_attach). */
struct net_backend_client {
	/* A frame for the guest; the model copies it before returning. */
	void (*receive)(void *opaque, const void *frame, size_t len);
	/* The link went up or down. */
	void (*link)(void *opaque, bool up);
	void *opaque;
};

struct net_backend_ops {
	/* A frame from the guest (Ethernet, no FCS); copied before return. */
	void (*send)(struct net_backend *b, const void *frame, size_t len);
	void (*destroy)(struct net_backend *b);
};

struct net_backend {
	const struct net_backend_ops *ops;
	struct net_backend_client client;
	bool link_up;
};

static inline void net_backend_attach(struct net_backend *b,
				      const struct net_backend_client *c)
{
	b->client = *c;
}

/* Backends deliver through these, so a model attaches at any time. */
static inline void net_backend_deliver(struct net_backend *b,
				       const void *frame, size_t len)
{
	if (b->client.receive)
		b->client.receive(b->client.opaque, frame, len);
}

static inline void net_backend_set_link(struct net_backend *b, bool up)
{
	b->link_up = up;
	if (b->client.link)
		b->client.link(b->client.opaque, up);
}

static inline void net_backend_destroy(struct net_backend *b)
{
	if (b)
		b->ops->destroy(b);
}

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DEVICES_NET_BACKEND_H */
