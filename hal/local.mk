# SPDX-License-Identifier: MIT
nobase_virtsiminclude_HEADERS += %reldir%/hal.h
# The bare-metal port to QEMU's aarch64 virt machine: built by
# tools/baremetal/Makefile with a cross compiler, outside automake.
EXTRA_DIST += %reldir%/aarch64-virt/board.h %reldir%/aarch64-virt/fdt.c \
	%reldir%/aarch64-virt/fdt.h %reldir%/aarch64-virt/gic.c \
	%reldir%/aarch64-virt/gic.h %reldir%/aarch64-virt/libc.c \
	%reldir%/aarch64-virt/pl011.c %reldir%/aarch64-virt/pl011.h \
	%reldir%/aarch64-virt/start.S %reldir%/aarch64-virt/virt.ld \
	%reldir%/aarch64-virt/virt_hal.c %reldir%/aarch64-virt/virt_hal.h
