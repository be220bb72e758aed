# SPDX-License-Identifier: MIT
# drivers/net.mk: the network buffer pool, the virtio-net driver and the
# net device around it (freestanding); only with --enable-net.
libvirtsim_la_SOURCES += \
	%reldir%/base/net_buf.c \
	%reldir%/virtio/virtio_net.c \
	%reldir%/adapter/net_device.c
nobase_virtsiminclude_HEADERS += \
	%reldir%/base/net_buf.h \
	%reldir%/virtio/virtio_net.h \
	%reldir%/adapter/net_device.h
