nobase_virtsiminclude_HEADERS += %reldir%/virtio/virtio_dev.h \
	%reldir%/virtio/virtio_mmio.h \
	%reldir%/virtio/vq_dev.h
include %reldir%/core.mk
include %reldir%/pci.mk
