# SPDX-License-Identifier: MIT
# drivers/gpu.mk: the virtio-gpu driver and the display device around it
# (freestanding); only with --enable-gpu.
libvirtsim_la_SOURCES += \
	%reldir%/virtio/virtio_gpu.c \
	%reldir%/adapter/display_device.c
nobase_virtsiminclude_HEADERS += \
	%reldir%/virtio/virtio_gpu.h \
	%reldir%/adapter/display_device.h
