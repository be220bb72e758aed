# drivers/core.mk: see the owning area
