# SPDX-License-Identifier: MIT
# devices/core.mk: the VirtIO device core (status, features, config, the
# device-side virtqueue), the MMIO front-end, and the device models.
libvirtsim_la_SOURCES += \
	%reldir%/virtio/virtio_dev.c \
	%reldir%/virtio/virtio_dev_strict.c \
	%reldir%/virtio/virtio_dev_thread.c \
	%reldir%/virtio/virtio_dev_thread.h \
	%reldir%/virtio/virtio_mmio.c \
	%reldir%/virtio/vq_dev.c
nobase_virtsiminclude_HEADERS += %reldir%/virtio/virtio_dev.h \
	%reldir%/virtio/virtio_mmio.h \
	%reldir%/virtio/vq_dev.h

if ENABLE_BLK
libvirtsim_la_SOURCES += \
	%reldir%/blk/blk_model.c \
	%reldir%/blk/disk_file.c \
	%reldir%/blk/disk_null.c
nobase_virtsiminclude_HEADERS += \
	%reldir%/blk/blk_model.h \
	%reldir%/blk/disk.h
endif
