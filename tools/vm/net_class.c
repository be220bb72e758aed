/* SPDX-License-Identifier: MIT */
/*
 * net_class.c - the virtio-net device class: sub-options, the model on a
 * libslirp or loop backend, the driver as a net device, the probe report.
 */
#include "tools/vm/net_class.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/wire/virtio_config.h"
#include "tools/vm/device_options.h"
#include "tools/vm/net_host.h"

#ifdef VIRTSIM_HAVE_NET
#include "devices/net/net_loop.h"
#include "drivers/adapter/net_device.h"
#include "drivers/virtio/virtio_net.h"

static void net_options_init(void *opts)
{
	*(struct net_options *)opts = (struct net_options){0};
}

/* The sub-options that take on or off. */
static bool is_switch(const char *key)
{
	return !strcmp(key, "restrict") || !strcmp(key, "mrg_rxbuf") ||
	       !strcmp(key, "csum") || !strcmp(key, "status");
}

static int parse_mac(const char *s, uint8_t mac[VIRTIO_NET_ETH_ALEN])
{
	unsigned b[VIRTIO_NET_ETH_ALEN];
	char end;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6)
		return -1;
	for (unsigned i = 0; i < VIRTIO_NET_ETH_ALEN; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static int net_parse(void *opts, const char *key, const char *value,
		     char *err, size_t errlen)
{
	struct net_options *o = opts;
	uint64_t v;
	int on = 0;

	if (!key) {
		if (!strcmp(value, "user"))
			o->backend = NET_BACKEND_USER;
		else if (!strcmp(value, "loop"))
			o->backend = NET_BACKEND_LOOP;
		else
			return vm_option_error(err, errlen,
				    "'%s': want user (libslirp) or loop (the "
				    "machine's switch)",
				    value);
		return 0;
	}
	/* The backend is the first word: known by now. */
	if ((!strcmp(key, "hostfwd") || !strcmp(key, "restrict")) &&
	    o->backend != NET_BACKEND_USER)
		return vm_option_error(err, errlen,
			    "%s= is for the user backend, not loop", key);
	if (!strcmp(key, "hostfwd") && value) {
		if (o->slirp.hostfwd_count == NET_SLIRP_MAX_HOSTFWD)
			return vm_option_error(err, errlen,
				    "at most %u hostfwd= per nic",
				    NET_SLIRP_MAX_HOSTFWD);
		return net_hostfwd_parse(
		    value, &o->slirp.hostfwd[o->slirp.hostfwd_count++], err,
		    errlen);
	}
	if (is_switch(key) && (on = vm_parse_on_off(value)) < 0)
		return vm_option_error(err, errlen, "%s=%s: want on or off",
				       key, value ? value : "");
	if (!strcmp(key, "restrict")) {
		o->slirp.restricted = on;
	} else if (!strcmp(key, "mac") && value) {
		if (parse_mac(value, o->model.mac) || (o->model.mac[0] & 1))
			return vm_option_error(err, errlen,
				    "mac=%s: want a unicast address, "
				    "XX:XX:XX:XX:XX:XX",
				    value);
		if (!memcmp(o->model.mac, "\0\0\0\0\0\0", VIRTIO_NET_ETH_ALEN))
			return vm_option_error(err, errlen,
				    "mac=%s: the zero address is no NIC's",
				    value);
	} else if (!strcmp(key, "mtu") && value) {
		if (vm_parse_u64(value, &v) || v < 68 || v > NET_MODEL_MTU_MAX)
			return vm_option_error(err, errlen,
				    "mtu=%s: want 68 to %u", value,
				    NET_MODEL_MTU_MAX);
		o->model.mtu = (uint32_t)v;
	} else if (!strcmp(key, "queue_size") && value) {
		if (vm_parse_u64(value, &v) || !v ||
		    v > NET_MODEL_QUEUE_SIZE_MAX || (v & (v - 1)))
			return vm_option_error(err, errlen,
				    "queue_size=%s: want a power of 2 from 1 "
				    "to %u",
				    value, NET_MODEL_QUEUE_SIZE_MAX);
		o->model.queue_size = (uint16_t)v;
	} else if (!strcmp(key, "pcap") && value && *value) {
		o->model.pcap = value;
	} else if (!strcmp(key, "mrg_rxbuf")) {
		o->model.no_mrg_rxbuf = !on;
	} else if (!strcmp(key, "csum")) {
		o->model.no_csum = !on;
	} else if (!strcmp(key, "status")) {
		o->model.no_status = !on;
	} else {
		return vm_option_error(err, errlen,
			    "unknown option '%s%s%s' (hostfwd=, restrict=on|off, "
			    "mac=, mtu=, queue_size=, pcap=, mrg_rxbuf=, csum=, "
			    "status=on|off, %s)",
			    key, value ? "=" : "", value ? value : "",
			    VM_DEVICE_COMMON_USAGE);
	}
	return 0;
}

static int net_create(struct vm_device *d, struct sim_env *env,
		      const void *opts, char *err, size_t errlen)
{
	static const struct net_options none;
	const struct net_options *o = opts ? opts : &none;
	struct net_host *h = calloc(1, sizeof(*h));
	struct net_backend *b;

	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	h->backend = o->backend;
	h->slirp = o->slirp;
	h->slirp.mtu = o->model.mtu;
	b = o->backend == NET_BACKEND_USER
		? net_slirp_create(env, &h->slirp, err, errlen)
		: net_loop_create(env);
	if (!b) {
		if (o->backend == NET_BACKEND_LOOP)
			snprintf(err, errlen, "out of memory");
		free(h);
		return -EINVAL;
	}
	errno = 0;
	d->model = net_model_create(env, b, &o->model); /* owns b */
	if (!d->model) {
		int e = errno ? errno : ENOMEM;

		if (o->model.pcap && e != ENOMEM && e != EINVAL)
			snprintf(err, errlen, "pcap=%s: %s", o->model.pcap,
				 strerror(e));
		else
			snprintf(err, errlen, "net%u: %s", d->unit,
				 e == EINVAL ? "bad options" : strerror(e));
		free(h);
		return -e;
	}
	d->host = h;
	return 0;
}

static void net_destroy(struct vm_device *d)
{
	net_model_destroy(d->model);
	free(d->host);
	d->model = NULL;
	d->host = NULL;
}

/* Receive and transmit buffers: each queue full, at the default size. */
#define NET_CLASS_POOL_BUFFERS 512

static int net_bring_up(struct vm_device *d, struct virtio_transport *t,
			unsigned irq_line, bool poll)
{
	struct virtio_net_options no = {.use_irq = !poll &&
						   irq_line != VIRTIO_NO_IRQ};
	struct virtio_net_device *nd = calloc(1, sizeof(*nd));
	int ret;

	if (!nd)
		return -DEV_ERR_NO_MEMORY;
	ret = virtio_net_device_init_own_pool(nd, t, &no, irq_line,
					      NET_CLASS_POOL_BUFFERS);
	if (ret) {
		d->virtio_error = nd->last_error;
		free(nd);
		return ret;
	}
	d->driver = nd;
	return 0;
}

static void net_teardown(struct vm_device *d)
{
	virtio_net_device_destroy(d->driver);
	free(d->driver);
	d->driver = NULL;
}

/* "52:54:00:12:34:56 link up, mtu 1500, user" */
static void net_describe(const struct vm_device *d, char *buf, size_t len)
{
	struct virtio_net_device *nd = d->driver;
	const struct net_host *h = d->host;
	uint8_t mac[VIRTIO_NET_ETH_ALEN];

	virtio_net_mac(&nd->net, mac);
	snprintf(buf, len,
		 "%02x:%02x:%02x:%02x:%02x:%02x link %s, mtu %u, %s%s", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5],
		 virtio_net_link_up(&nd->net) ? "up" : "down", nd->net.mtu,
		 h->backend == NET_BACKEND_USER ? "user" : "loop",
		 nd->net.mrg_rxbuf ? ", mrg_rxbuf" : "");
}

struct net_device *vm_nic(struct vm *vm, unsigned n)
{
	struct vm_device *d = vm_device(vm, &net_class, n);

	return d && d->driver ? virtio_net_device_base(d->driver) : NULL;
}

struct virtio_net *vm_virtio_net(struct vm *vm, unsigned n)
{
	struct vm_device *d = vm_device(vm, &net_class, n);

	return d && d->driver ? &((struct virtio_net_device *)d->driver)->net
			      : NULL;
}

const struct net_slirp_options *vm_nic_slirp(struct vm *vm, unsigned n)
{
	struct vm_device *d = vm_device(vm, &net_class, n);
	const struct net_host *h = d ? d->host : NULL;

	return h && h->backend == NET_BACKEND_USER ? &h->slirp : NULL;
}

/* The default selftest machine: a loop NIC on every transport. */
static const struct net_options net_loop_nic = {.backend = NET_BACKEND_LOOP};
static const struct vm_device_config net_selftest_devices[] = {
    {&net_class, &net_loop_nic, VM_TRANSPORT_MMIO, 2},
    {&net_class, &net_loop_nic, VM_TRANSPORT_MMIO, 1},
    {&net_class, &net_loop_nic, VM_TRANSPORT_PCI, 0},
};

/* The fault campaign's NIC: rings shorter than half the buffer pool, so
 * a flood of frames fills the transmit ring (QueueFull) first. */
static const struct net_options net_fault_nic = {
    .backend = NET_BACKEND_LOOP, .model = {.queue_size = 64}};
static const struct vm_device_config net_fault_device = {
    .cls = &net_class, .options = &net_fault_nic};

const struct device_class net_class = {
    .name = "net",
    .title = "virtio-net",
    .virtio_id = VIRTIO_ID_NET,
    .type = DEV_TYPE_NET,
    .first_word = "a backend (user or loop)",
    .usage = "user (libslirp: the guest is 10.0.2.15, the host 10.0.2.2) "
	     "or loop (a switch between the machine's NICs; one alone gets "
	     "its frames back); hostfwd=[tcp|udp]:[HOSTADDR]:PORT-"
	     "[GUESTADDR]:PORT (user, repeatable); restrict=on (user: the "
	     "guest reaches no host); mac=XX:XX:XX:XX:XX:XX; mtu=N; "
	     "queue_size=N; pcap=FILE (every frame both ways); "
	     "mrg_rxbuf=off, csum=off, status=off (leave the feature out)",
    .options_size = sizeof(struct net_options),
    .options_init = net_options_init,
    .parse = net_parse,
    .create = net_create,
    .destroy = net_destroy,
    .bring_up = net_bring_up,
    .teardown = net_teardown,
    .describe = net_describe,
    .selftest_devices = net_selftest_devices,
    .selftest_device_count =
	sizeof(net_selftest_devices) / sizeof(net_selftest_devices[0]),
    .selftest = net_selftest,
    .fault_cases = net_fault_cases,
    .fault_device = &net_fault_device,
    .fault_op = net_fault_op,
    .fault_main_op = "echo",
};

#else  /* !VIRTSIM_HAVE_NET */
const struct device_class net_class = {
    .name = "net",
    .title = "virtio-net",
    .disabled = "--disable-net",
    .virtio_id = VIRTIO_ID_NET,
    .type = DEV_TYPE_NET,
};

struct net_device *vm_nic(struct vm *vm, unsigned n)
{
	return NULL;
}

struct virtio_net *vm_virtio_net(struct vm *vm, unsigned n)
{
	return NULL;
}

const struct net_slirp_options *vm_nic_slirp(struct vm *vm, unsigned n)
{
	return NULL;
}
#endif /* VIRTSIM_HAVE_NET */
