# devices/: core.mk (VirtIO device core, MMIO front-end, models), pci.mk,
# and net.mk (virtio-net, with --enable-net).
include %reldir%/core.mk
include %reldir%/pci.mk
if ENABLE_NET
include %reldir%/net.mk
endif
