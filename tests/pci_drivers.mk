# tests/pci_drivers.mk: see the owning area
