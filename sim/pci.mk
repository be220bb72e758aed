# sim/pci.mk: see the owning area
