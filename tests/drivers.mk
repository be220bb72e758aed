# tests/drivers.mk: see the owning area
