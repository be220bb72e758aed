/* SPDX-License-Identifier: MIT */
/*
 * gpu_faults.c - the GPU class's rows of the fault campaign
 * (fault_campaign.h) and the driver operations they meet.
 */
#include <string.h>

#include "drivers/adapter/display_device.h"
#include "tools/vm/fault_campaign.h"
#include "tools/vm/gpu_host.h"

const struct fault_case gpu_fault_cases[] = {
    FAULT_CASE(VIRTIO_ERR_NOT_READY, "queue-stall,count=1", "flush",
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_INVALID_PARAM, "queue-max-small,count=1", "init",
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_IO_ERROR, "used-bad-len,count=1", "flush",
	       FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_IO_ERROR, "gpu-error,count=1", "flush", FAULT_ON_ALL),
    FAULT_CASE(VIRTIO_ERR_IO_ERROR, "gpu-error,count=1", "init", FAULT_ON_ALL),
    FAULT_CASES_END,
};

int gpu_fault_op(struct vm *vm, struct vm_device *d, const char *op)
{
	struct virtio_gpu_display_device *gd = d->driver;
	struct display_device *dd = virtio_gpu_display_base(gd);
	struct display_framebuffer fb;
	int err;

	if (strcmp(op, "io") && strcmp(op, "flush"))
		return -VIRTIO_ERR_INVALID_PARAM;
	/* A frame drawn whole and flushed. */
	gd->last_error = 0;
	dd->ops->fb(dd, &fb);
	memset(fb.base, 0x5a, fb.size);
	dd->ops->damage(dd, 0, 0, fb.width, fb.height);
	err = dd->ops->flush(dd);
	return err ? (gd->last_error ? gd->last_error : -VIRTIO_ERR_IO_ERROR)
		   : 0;
}
