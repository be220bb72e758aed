# SPDX-License-Identifier: MIT
# tests/fault.mk: the transport, device-core and queue fault points end
# to end, on blk models over MMIO v1, MMIO v2 and PCI.
if ENABLE_BLK
check_suites += %reldir%/test_fault_points
%canon_reldir%_test_fault_points_SOURCES = %reldir%/test_fault_points.c
%canon_reldir%_test_fault_points_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_fault_points_LDADD = $(TEST_LDADD)
endif
