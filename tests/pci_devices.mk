# tests/pci_devices.mk: see the owning area
