# SPDX-License-Identifier: MIT
# tests/pci_devices.mk: the PCIe host bridge and the virtio-pci front-end,
# driven through ECAM and BAR accesses on a machine.
check_suites += %reldir%/test_pci_host
%canon_reldir%_test_pci_host_SOURCES = %reldir%/test_pci_host.c
%canon_reldir%_test_pci_host_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_pci_host_LDADD = $(TEST_LDADD)

if ENABLE_BLK
check_suites += %reldir%/test_virtio_pci
%canon_reldir%_test_virtio_pci_SOURCES = %reldir%/test_virtio_pci.c
%canon_reldir%_test_virtio_pci_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_virtio_pci_LDADD = $(TEST_LDADD)
endif
