# SPDX-License-Identifier: MIT
# devices/: core.mk (VirtIO device core, MMIO front-end, models), pci.mk,
# net.mk (virtio-net) and gpu.mk (virtio-gpu).
include %reldir%/core.mk
include %reldir%/pci.mk
include %reldir%/net.mk
include %reldir%/gpu.mk
