# devices/pci.mk: see the owning area
