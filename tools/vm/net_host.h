/* SPDX-License-Identifier: MIT */
/*
 * net_host.h - private to the net class: what it keeps of a NIC on the
 * host side, beside the model.
 */
#ifndef VIRTSIM_TOOLS_VM_NET_HOST_H
#define VIRTSIM_TOOLS_VM_NET_HOST_H

#include "tools/vm/fault_campaign.h"
#include "tools/vm/net_class.h"
#include "tools/vm/vm.h"

#ifdef VIRTSIM_HAVE_NET
struct net_host {
	enum net_backend_kind backend;
	struct net_slirp_options slirp; /* as given, for the workloads */
};

int net_selftest(struct vm *vm, struct vm_device *d, struct vm_selftest *st);

/* The fault campaign's rows and operations (net_faults.c). */
extern const struct fault_case net_fault_cases[];
int net_fault_op(struct vm *vm, struct vm_device *d, const char *op);
#endif

#endif /* VIRTSIM_TOOLS_VM_NET_HOST_H */
