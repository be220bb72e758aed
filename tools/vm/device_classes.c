/* SPDX-License-Identifier: MIT */
/*
 * device_classes.c - the device-class table: one row per class.
 */
#include "tools/vm/device_class.h"

#include <string.h>

#include "tools/vm/blk_class.h"
#include "tools/vm/gpu_class.h"
#include "tools/vm/net_class.h"

const struct device_class *const device_classes[] = {
    &blk_class,
    &net_class,
    &gpu_class,
    NULL,
};

const struct device_class *device_class_find(const char *name)
{
	for (const struct device_class *const *c = device_classes; *c; c++)
		if (!strcmp((*c)->name, name))
			return *c;
	return NULL;
}

const struct device_class *device_class_for_id(uint32_t virtio_id)
{
	for (const struct device_class *const *c = device_classes; *c; c++)
		if (!(*c)->disabled && (*c)->virtio_id == virtio_id)
			return *c;
	return NULL;
}
