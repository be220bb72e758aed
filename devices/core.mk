# devices/core.mk: see the owning area
