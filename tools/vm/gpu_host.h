/*
 * gpu_host.h - private to the GPU class: its self test.
 */
#ifndef VIRTSIM_TOOLS_VM_GPU_HOST_H
#define VIRTSIM_TOOLS_VM_GPU_HOST_H

#include "tools/vm/gpu_class.h"
#include "tools/vm/vm.h"

#ifdef VIRTSIM_HAVE_GPU
int gpu_selftest(struct vm *vm, struct vm_device *d, struct vm_selftest *st);
#endif

#endif /* VIRTSIM_TOOLS_VM_GPU_HOST_H */
