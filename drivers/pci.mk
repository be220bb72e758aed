# drivers/pci.mk: see the owning area
