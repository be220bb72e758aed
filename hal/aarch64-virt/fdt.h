/* SPDX-License-Identifier: MIT */
/*
 * fdt.h - just enough of a flattened device tree reader for the board
 * code: QEMU puts the virt machine's tree at the bottom of RAM when the
 * image leaves room there (virt.ld starts it 2 MiB in), so what may move
 * with the machine's options (the PCIe ECAM with highmem=off) can be read
 * from it instead of assumed.
 */
#ifndef VIRTSIM_HAL_AARCH64_VIRT_FDT_H
#define VIRTSIM_HAL_AARCH64_VIRT_FDT_H

#include <stdbool.h>
#include <stdint.h>

/* The tree at @p if its header is sound (magic, version 17), else NULL. */
const void *fdt_at(uintptr_t p);
/*
 * Entry @index of the "reg" of the first child of the root whose name
 * starts with @prefix ("pcie@"), with the root's two address and two
 * size cells. False if there is none.
 */
bool fdt_root_child_reg(const void *fdt, const char *prefix, unsigned index,
			uint64_t *addr, uint64_t *size);

#endif /* VIRTSIM_HAL_AARCH64_VIRT_FDT_H */
