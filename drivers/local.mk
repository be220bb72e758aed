# SPDX-License-Identifier: MIT
# drivers/: freestanding; core.mk (base, virtio, adapter), pci.mk (PCI) and
# net.mk (net buffers, virtio-net, the net device), gpu.mk (virtio-gpu,
# the display device). The wire formats are installed in every build:
# the device classes' headers name them.
nobase_virtsiminclude_HEADERS += %reldir%/adapter/adapter.h \
	%reldir%/base/dev.h \
	%reldir%/virtio/virtio.h \
	%reldir%/wire/pci_regs.h \
	%reldir%/wire/virtio_blk.h \
	%reldir%/wire/virtio_config.h \
	%reldir%/wire/virtio_gpu.h \
	%reldir%/wire/virtio_mmio.h \
	%reldir%/wire/virtio_net.h \
	%reldir%/wire/virtio_pci.h \
	%reldir%/wire/virtio_ring.h \
	%reldir%/wire/virtio_types.h \
	%reldir%/wire/wire_assert.h
include %reldir%/core.mk
include %reldir%/pci.mk
if ENABLE_NET
include %reldir%/net.mk
endif
if ENABLE_GPU
include %reldir%/gpu.mk
endif
