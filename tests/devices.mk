# tests/devices.mk: see the owning area
