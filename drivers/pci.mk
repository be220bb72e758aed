# SPDX-License-Identifier: MIT
# drivers/pci.mk: PCI bus (ECAM, enumeration, BARs, capabilities), the VirtIO
# PCI transport and probe_pci_device (freestanding).
libvirtsim_la_SOURCES += \
	%reldir%/pci/pci.c \
	%reldir%/virtio/pci_transport.c \
	%reldir%/adapter/probe_pci.c
nobase_virtsiminclude_HEADERS += \
	%reldir%/pci/pci.h \
	%reldir%/virtio/pci_transport.h
