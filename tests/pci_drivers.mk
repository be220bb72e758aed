# SPDX-License-Identifier: MIT
# tests/pci_drivers.mk: the PCI driver side (pci.c, the VirtIO PCI transport,
# probe_pci_device) against a fake ECAM host bridge (tests/fake_ecam.c).
check_libs += %reldir%/libfakeecam.a
%canon_reldir%_libfakeecam_a_SOURCES = %reldir%/fake_ecam.c %reldir%/fake_ecam.h
%canon_reldir%_libfakeecam_a_CFLAGS = $(TEST_CFLAGS)

check_suites += %reldir%/test_pci %reldir%/test_pci_probe
%canon_reldir%_test_pci_SOURCES = %reldir%/test_pci.c
%canon_reldir%_test_pci_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_pci_LDADD = %reldir%/libfakeecam.a $(TEST_LDADD)
%canon_reldir%_test_pci_probe_SOURCES = %reldir%/test_pci_probe.c
%canon_reldir%_test_pci_probe_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_pci_probe_LDADD = %reldir%/libfakeecam.a $(TEST_LDADD)
