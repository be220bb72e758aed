# drivers/: freestanding; core.mk (base, virtio, adapter) and pci.mk (PCI).
nobase_virtsiminclude_HEADERS += %reldir%/adapter/adapter.h \
	%reldir%/base/dev.h \
	%reldir%/virtio/virtio.h \
	%reldir%/virtio/virtio_spec.h
include %reldir%/core.mk
include %reldir%/pci.mk
