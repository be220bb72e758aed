# devices/: core.mk (VirtIO device core, MMIO front-end, models), pci.mk,
# and net.mk (virtio-net).
include %reldir%/core.mk
include %reldir%/pci.mk
include %reldir%/net.mk
