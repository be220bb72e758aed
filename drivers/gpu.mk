# drivers/gpu.mk: the virtio-gpu driver (freestanding); only with
# --enable-gpu.
libvirtsim_a_SOURCES += \
	%reldir%/virtio/virtio_gpu.c
nobase_virtsiminclude_HEADERS += \
	%reldir%/virtio/virtio_gpu.h \
	%reldir%/wire/virtio_gpu.h
