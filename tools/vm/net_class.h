/* SPDX-License-Identifier: MIT */
/*
 * net_class.h - virtio-net as a device class:
 *
 *   --net user[,hostfwd=[tcp|udp]:[HOSTADDR]:PORT-[GUESTADDR]:PORT]...
 *             [,restrict=on|off]        libslirp: the host's network
 *   --net loop                           the machine's virtual switch
 *
 * with, on either, mac=XX:XX:XX:XX:XX:XX, mtu=N, queue_size=N,
 * pcap=FILE, and mrg_rxbuf=off / csum=off / status=off to leave a
 * feature out of the device. The model sits on the backend, the
 * virtio-net driver under a pool of net_bufs as a net device.
 */
#ifndef VIRTSIM_TOOLS_VM_NET_CLASS_H
#define VIRTSIM_TOOLS_VM_NET_CLASS_H

#include <stdbool.h>
#include <stdint.h>

#include "tools/vm/device_class.h"
#include "tools/vm/vm.h"

#include "devices/net/net_model.h"
#include "devices/net/net_slirp.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const struct device_class net_class;

enum net_backend_kind {
	NET_BACKEND_USER, /* libslirp */
	NET_BACKEND_LOOP, /* the machine's switch */
};

struct net_options {
	enum net_backend_kind backend;
	struct net_slirp_options slirp; /* user */
	struct net_model_options model;
};

struct net_device;
struct virtio_net;

/* Nic @n's net device / virtio-net driver, or NULL if it is not up. */
struct net_device *vm_nic(struct vm *vm, unsigned n);
struct virtio_net *vm_virtio_net(struct vm *vm, unsigned n);
/* Nic @n's slirp options, or NULL (no such nic, or not `user`). */
const struct net_slirp_options *vm_nic_slirp(struct vm *vm, unsigned n);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_TOOLS_VM_NET_CLASS_H */
