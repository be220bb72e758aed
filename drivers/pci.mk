# drivers/pci.mk: PCI bus (ECAM, enumeration, BARs, capabilities), the VirtIO
# PCI transport and probe_pci_device (freestanding).
libvirtsim_a_SOURCES += \
	%reldir%/pci/pci.c
nobase_virtsiminclude_HEADERS += \
	%reldir%/pci/pci.h
