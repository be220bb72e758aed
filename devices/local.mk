# devices/: core.mk (VirtIO device core, MMIO front-end, models) and pci.mk.
include %reldir%/core.mk
include %reldir%/pci.mk
