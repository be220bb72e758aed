# SPDX-License-Identifier: MIT
# drivers/core.mk: base, virtio core and transports, adapter (freestanding).
libvirtsim_la_SOURCES += \
	%reldir%/base/dev.c \
	%reldir%/virtio/virtio.c \
	%reldir%/virtio/virtqueue.c \
	%reldir%/virtio/virtio_device.c \
	%reldir%/virtio/mmio_transport.c \
	%reldir%/adapter/adapter.c
nobase_virtsiminclude_HEADERS += \
	%reldir%/virtio/mmio_transport.h \
	%reldir%/virtio/virtqueue.h \
	%reldir%/virtio/virtio_device.h
if ENABLE_BLK
libvirtsim_la_SOURCES += \
	%reldir%/virtio/virtio_blk.c \
	%reldir%/adapter/blk_device.c
nobase_virtsiminclude_HEADERS += \
	%reldir%/virtio/virtio_blk.h \
	%reldir%/adapter/blk_device.h
endif

# The guest's platform code: MMIO probing, PCI enumeration and probing.
libvirtsim_la_SOURCES += %reldir%/platform/platform.c
nobase_virtsiminclude_HEADERS += %reldir%/platform/platform.h
