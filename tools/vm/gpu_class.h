/* SPDX-License-Identifier: MIT */
/*
 * gpu_class.h - virtio-gpu as a device class:
 *
 *   --gpu WIDTHxHEIGHT[,display=sdl|headless|auto][,edid=on|off]
 *         [,scanouts=N][,budget=SIZE][,queue_size=N]
 *
 * the GPU model showing scanout 0 on an SDL2 window or headless (auto:
 * SDL when a display is there), the virtio-gpu driver as a display
 * device, and the accessors workloads and tests use.
 */
#ifndef VIRTSIM_TOOLS_VM_GPU_CLASS_H
#define VIRTSIM_TOOLS_VM_GPU_CLASS_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/gpu/display.h"
#include "devices/gpu/gpu_model.h"
#include "tools/vm/device_class.h"
#include "tools/vm/vm.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const struct device_class gpu_class;

struct gpu_options {
	enum display_kind display;
	struct gpu_model_options model;
};

struct virtio_gpu_display_device;

/* GPU @n's display device (guest side), or NULL if it is not up. */
struct virtio_gpu_display_device *vm_gpu(struct vm *vm, unsigned n);
/* GPU @n's display (host side: what is shown), or NULL. */
struct display *vm_gpu_display(struct vm *vm, unsigned n);

/*
 * "virtsim: gpu0: flush failed: IoError -> Io (the device answered
 * 0x1203)" on stderr: @dev_err is what an operation of @gd returned, the
 * VirtIO error behind it gd's last_error. Returns 1, the exit status of
 * a failed operation.
 */
int gpu_op_failed(const struct virtio_gpu_display_device *gd, unsigned unit,
		  const char *what, int dev_err);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_TOOLS_VM_GPU_CLASS_H */
