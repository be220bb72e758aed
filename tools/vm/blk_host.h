/* SPDX-License-Identifier: MIT */
/*
 * blk_host.h - private to the blk class: what it keeps of a disk on the
 * host side, beside the model.
 */
#ifndef VIRTSIM_TOOLS_VM_BLK_HOST_H
#define VIRTSIM_TOOLS_VM_BLK_HOST_H

#include <stdbool.h>

#include "tools/vm/fault_campaign.h"
#include "tools/vm/vm.h"

struct blk_host {
	char *path;   /* the image; NULL for a scratch one, once unlinked */
	int fd;       /* the image, read-only, for host-side checks */
	bool scratch; /* created for the device, and unlinked at once */
	bool null;    /* no image at all: the null backend (fd is -1) */
	bool readonly;
};

int blk_selftest(struct vm *vm, struct vm_device *d, struct vm_selftest *st);

/* The fault campaign's rows and operations (blk_faults.c). */
extern const struct fault_case blk_fault_cases[];
int blk_fault_op(struct vm *vm, struct vm_device *d, const char *op);

#endif /* VIRTSIM_TOOLS_VM_BLK_HOST_H */
