# drivers/: freestanding; core.mk (base, virtio, adapter) and pci.mk (PCI).
nobase_virtsiminclude_HEADERS += %reldir%/adapter/adapter.h \
	%reldir%/base/dev.h \
	%reldir%/virtio/virtio.h \
	%reldir%/wire/pci_regs.h \
	%reldir%/wire/virtio_blk.h \
	%reldir%/wire/virtio_config.h \
	%reldir%/wire/virtio_mmio.h \
	%reldir%/wire/virtio_pci.h \
	%reldir%/wire/virtio_ring.h \
	%reldir%/wire/virtio_types.h
include %reldir%/core.mk
include %reldir%/pci.mk
