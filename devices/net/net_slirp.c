/* SPDX-License-Identifier: MIT */
/*
 * net_slirp.c - libslirp 4.7 as a network backend, driven by the
 * machine's event loop.
 */
#include "devices/net/net_slirp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libslirp.h>

#include "sim/evloop.h"
#include "sim/trace.h"

#define SLIRP_NET 0x0a000200u	   /* 10.0.2.0 */
#define SLIRP_MASK 0xffffff00u	   /* /24 */
#define SLIRP_HOST 0x0a000202u	   /* 10.0.2.2 */
#define SLIRP_GUEST 0x0a00020fu	   /* 10.0.2.15, where DHCP starts */
#define SLIRP_DNS 0x0a000203u	   /* 10.0.2.3 */

struct net_slirp {
	struct net_backend base;
	struct sim_env *env;
	Slirp *slirp;
	struct ev_source src;
	struct ev_timer tick; /* when libslirp's TCP timers want to run */
	uint64_t guest_errors;
};

/* One libslirp timer on the virtual clock. */
struct net_slirp_timer {
	struct ev_timer t;
	struct net_slirp *s;
	SlirpTimerId id;
	void *cb_opaque;
};

static struct net_slirp *to_slirp(struct net_backend *b)
{
	return (struct net_slirp *)b;
}

static struct in_addr in4(uint32_t host_order)
{
	return (struct in_addr){htonl(host_order)};
}

/* "[addr]:port", @n bytes of @s: @addr is 0 when left out. */
static int parse_endpoint(const char *s, size_t n, uint32_t *addr,
			  uint16_t *port)
{
	char a[INET_ADDRSTRLEN], digits[8];
	const char *colon = memrchr(s, ':', n);
	size_t alen, plen;
	struct in_addr in;
	char *end;
	unsigned long v;

	if (!colon)
		return -1;
	alen = (size_t)(colon - s);
	plen = n - alen - 1;
	if (alen >= sizeof(a) || !plen || plen >= sizeof(digits))
		return -1;
	memcpy(a, s, alen);
	a[alen] = '\0';
	memcpy(digits, colon + 1, plen);
	digits[plen] = '\0';
	v = strtoul(digits, &end, 10);
	if (*end || digits[0] < '0' || digits[0] > '9' || !v || v > 65535)
		return -1;
	*port = (uint16_t)v;
	*addr = 0;
	if (alen) {
		if (!inet_aton(a, &in))
			return -1;
		*addr = ntohl(in.s_addr);
	}
	return 0;
}

int net_hostfwd_parse(const char *s, struct net_hostfwd *fwd, char *err,
		      size_t errlen)
{
	const char *p = s, *dash;

	*fwd = (struct net_hostfwd){0};
	if (!strncmp(p, "tcp:", 4) || !strncmp(p, "udp:", 4)) {
		fwd->udp = p[0] == 'u';
		p += 4;
	}
	dash = strchr(p, '-');
	if (!dash ||
	    parse_endpoint(p, (size_t)(dash - p), &fwd->host_addr,
			   &fwd->host_port) ||
	    parse_endpoint(dash + 1, strlen(dash + 1), &fwd->guest_addr,
			   &fwd->guest_port)) {
		snprintf(err, errlen,
			 "hostfwd=%s: want [tcp|udp]:[hostaddr]:hostport-"
			 "[guestaddr]:guestport, ports 1..65535",
			 s);
		return -1;
	}
	return 0;
}

static ssize_t slirp_send_packet(const void *buf, size_t len, void *opaque)
{
	struct net_slirp *s = opaque;

	net_backend_deliver(&s->base, buf, len);
	return (ssize_t)len;
}

static void slirp_guest_error(const char *msg, void *opaque)
{
	struct net_slirp *s = opaque;

	s->guest_errors++;
	trace_net_slirp_error(s->env->trace, msg);
}

static int64_t slirp_clock_get_ns(void *opaque)
{
	struct net_slirp *s = opaque;

	return (int64_t)sim_env_now(s->env);
}

static void slirp_timer_fire(void *opaque)
{
	struct net_slirp_timer *t = opaque;

	slirp_handle_timer(t->s->slirp, t->id, t->cb_opaque);
}

static void *slirp_timer_new_opaque(SlirpTimerId id, void *cb_opaque,
				    void *opaque)
{
	struct net_slirp_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL; /* libslirp then runs without that timer */
	t->s = opaque;
	t->id = id;
	t->cb_opaque = cb_opaque;
	ev_timer_init(&t->t, slirp_timer_fire, t);
	return t;
}

static void slirp_timer_free(void *timer, void *opaque)
{
	struct net_slirp_timer *t = timer;

	if (!t)
		return;
	evloop_timer_cancel(t->s->env->loop, &t->t);
	free(t);
}

static void slirp_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct net_slirp_timer *t = timer;

	if (t)
		evloop_timer_arm(t->s->env->loop, &t->t,
				 expire_ms > 0 ? (uint64_t)expire_ms * 1000000
					       : 0);
}

static void slirp_fd_noop(int fd, void *opaque)
{
	/* Every poll asks slirp_pollfds_fill for the fds. */
}

static void slirp_notify(void *opaque)
{
	/* The loop polls libslirp at every step: nothing to wake. */
}

static const SlirpCb slirp_callbacks = {
    .send_packet = slirp_send_packet,
    .guest_error = slirp_guest_error,
    .clock_get_ns = slirp_clock_get_ns,
    .timer_free = slirp_timer_free,
    .timer_mod = slirp_timer_mod,
    .register_poll_fd = slirp_fd_noop,
    .unregister_poll_fd = slirp_fd_noop,
    .notify = slirp_notify,
    .timer_new_opaque = slirp_timer_new_opaque,
};

static short slirp_to_poll(int events)
{
	return (short)((events & SLIRP_POLL_IN ? POLLIN : 0) |
		       (events & SLIRP_POLL_OUT ? POLLOUT : 0) |
		       (events & SLIRP_POLL_PRI ? POLLPRI : 0) |
		       (events & SLIRP_POLL_ERR ? POLLERR : 0) |
		       (events & SLIRP_POLL_HUP ? POLLHUP : 0));
}

static int slirp_from_poll(short revents)
{
	return (revents & POLLIN ? SLIRP_POLL_IN : 0) |
	       (revents & POLLOUT ? SLIRP_POLL_OUT : 0) |
	       (revents & POLLPRI ? SLIRP_POLL_PRI : 0) |
	       (revents & POLLERR ? SLIRP_POLL_ERR : 0) |
	       (revents & POLLHUP ? SLIRP_POLL_HUP : 0);
}

static int slirp_add_poll(int fd, int events, void *opaque)
{
	struct net_slirp *s = opaque;

	return ev_source_add_fd(&s->src, fd, slirp_to_poll(events));
}

static void slirp_tick(void *opaque)
{
	/* Nothing to do: the clock moved, the next poll runs the timers. */
}

/*
 * Before each poll: libslirp's sockets, and how soon (virtual ms) its
 * TCP timers want it polled again, as a tick on the virtual clock.
 */
static void slirp_fill(void *opaque, struct ev_source *src, int *timeout_ms)
{
	struct net_slirp *s = opaque;
	uint32_t timeout = UINT32_MAX;
	uint64_t at;

	slirp_pollfds_fill(s->slirp, &timeout, slirp_add_poll, s);
	if (timeout == UINT32_MAX)
		return;
	at = sim_env_now(s->env) + (uint64_t)timeout * 1000000;
	if (!ev_timer_armed(&s->tick) || s->tick.deadline > at)
		evloop_timer_arm(s->env->loop, &s->tick, at);
}

static int slirp_get_revents(int idx, void *opaque)
{
	struct net_slirp *s = opaque;

	return slirp_from_poll(ev_source_revents(&s->src, idx));
}

static bool slirp_dispatch(void *opaque, struct ev_source *src)
{
	struct net_slirp *s = opaque;
	bool ready = false;

	for (unsigned i = 0; i < src->count; i++)
		ready |= ev_source_revents(src, (int)i) != 0;
	slirp_pollfds_poll(s->slirp, 0, slirp_get_revents, s);
	return ready;
}

static void net_slirp_send(struct net_backend *b, const void *frame,
			   size_t len)
{
	slirp_input(to_slirp(b)->slirp, frame, (int)len);
}

static void net_slirp_destroy(struct net_backend *b)
{
	struct net_slirp *s = to_slirp(b);

	evloop_source_del(s->env->loop, &s->src);
	evloop_timer_cancel(s->env->loop, &s->tick);
	if (s->slirp)
		slirp_cleanup(s->slirp); /* frees its timers through ours */
	free(s);
}

static const struct net_backend_ops net_slirp_ops = {
    .send = net_slirp_send,
    .destroy = net_slirp_destroy,
};

static int net_slirp_forward(struct net_slirp *s, const struct net_hostfwd *f,
			     char *err, size_t errlen)
{
	struct in_addr host = in4(f->host_addr);

	if (slirp_add_hostfwd(s->slirp, f->udp, host, f->host_port,
			      in4(f->guest_addr ? f->guest_addr : SLIRP_GUEST),
			      f->guest_port) == 0)
		return 0;
	snprintf(err, errlen,
		 "hostfwd %s:%s:%u: cannot listen on the host port (%s)",
		 f->udp ? "udp" : "tcp", inet_ntoa(host), f->host_port,
		 errno ? strerror(errno) : "in use?");
	return -1;
}

struct net_backend *net_slirp_create(struct sim_env *env,
				     const struct net_slirp_options *opts,
				     char *err, size_t errlen)
{
	SlirpConfig cfg = {
	    .version = 4,
	    .restricted = opts->restricted,
	    .in_enabled = true,
	    .vnetwork = in4(SLIRP_NET),
	    .vnetmask = in4(SLIRP_MASK),
	    .vhost = in4(SLIRP_HOST),
	    .vhostname = "virtsim",
	    .vdhcp_start = in4(SLIRP_GUEST),
	    .vnameserver = in4(SLIRP_DNS),
	    .if_mtu = opts->mtu, /* libslirp keeps it within its bounds */
	    .if_mru = opts->mtu,
	};
	struct net_slirp *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->base.ops = &net_slirp_ops;
	s->base.link_up = true;
	s->env = env;
	ev_timer_init(&s->tick, slirp_tick, s);
	ev_source_init(&s->src, slirp_fill, slirp_dispatch, s);
	s->slirp = slirp_new(&cfg, &slirp_callbacks, s);
	if (!s->slirp) {
		snprintf(err, errlen, "libslirp would not start");
		goto fail;
	}
	for (unsigned i = 0; i < opts->hostfwd_count; i++) {
		errno = 0;
		if (net_slirp_forward(s, &opts->hostfwd[i], err, errlen))
			goto fail;
	}
	if (evloop_source_add(env->loop, &s->src)) {
		snprintf(err, errlen, "the event loop refused libslirp");
		goto fail;
	}
	return &s->base;
fail:
	net_slirp_destroy(&s->base);
	return NULL;
}

uint64_t net_slirp_guest_errors(const struct net_backend *b)
{
	return b && b->ops == &net_slirp_ops
		   ? ((const struct net_slirp *)b)->guest_errors
		   : 0;
}
