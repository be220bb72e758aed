# SPDX-License-Identifier: MIT
# sim/pci.mk: the PCIe host bridge (ECAM window, type 0 header semantics,
# BAR mapping, INTx routing).
libvirtsim_la_SOURCES += %reldir%/pci_host.c
nobase_virtsiminclude_HEADERS += %reldir%/pci_host.h
