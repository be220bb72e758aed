/* SPDX-License-Identifier: MIT */
/*
 * gpu_host.h - private to the GPU class: its self test and its rows of
 * the fault campaign.
 */
#ifndef VIRTSIM_TOOLS_VM_GPU_HOST_H
#define VIRTSIM_TOOLS_VM_GPU_HOST_H

#include "tools/vm/fault_campaign.h"
#include "tools/vm/gpu_class.h"
#include "tools/vm/vm.h"

#ifdef VIRTSIM_HAVE_GPU
int gpu_selftest(struct vm *vm, struct vm_device *d, struct vm_selftest *st);

/* The fault campaign's rows and operations (gpu_faults.c). */
extern const struct fault_case gpu_fault_cases[];
int gpu_fault_op(struct vm *vm, struct vm_device *d, const char *op);
#endif

#endif /* VIRTSIM_TOOLS_VM_GPU_HOST_H */
