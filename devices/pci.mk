# SPDX-License-Identifier: MIT
# devices/pci.mk: the modern virtio-pci front-end (§4.1).
libvirtsim_la_SOURCES += %reldir%/virtio/virtio_pci.c
nobase_virtsiminclude_HEADERS += %reldir%/virtio/virtio_pci.h
