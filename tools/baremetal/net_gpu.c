/* SPDX-License-Identifier: MIT */
/*
 * net_gpu.c - what the bare-metal guest checks on network and display
 * devices.
 */
#include "tools/baremetal/bm.h"

void bm_net_test(struct platform_device *d, const char *where)
{
	bm_check(d->type == DEV_TYPE_NET, "%s: probed as Net", where);
}

void bm_gpu_test(struct platform_device *d, const char *where)
{
	bm_check(d->type == DEV_TYPE_DISPLAY, "%s: probed as Display", where);
}
