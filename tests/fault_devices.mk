# SPDX-License-Identifier: MIT
# tests/fault_devices.mk: the device models' fault points end to end
# against the real drivers. Built with any classes: the C file keeps to
# those configured (VIRTSIM_HAVE_BLK, _NET, _GPU).
check_suites += %reldir%/test_fault_devices
%canon_reldir%_test_fault_devices_SOURCES = %reldir%/test_fault_devices.c
%canon_reldir%_test_fault_devices_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_fault_devices_LDADD = $(TEST_LDADD)

# Fault point hostile, kind by kind, on the selftest's machine (any
# classes built).
check_suites += %reldir%/test_hostile
%canon_reldir%_test_hostile_SOURCES = %reldir%/test_hostile.c
%canon_reldir%_test_hostile_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_hostile_LDADD = $(TEST_LDADD)
