# SPDX-License-Identifier: MIT
# tests/driver_hardening.mk: drivers against hostile devices (no progress,
# an interrupt nobody can acknowledge, a reset that never completes).
check_suites += %reldir%/test_driver_hardening
%canon_reldir%_test_driver_hardening_SOURCES = %reldir%/test_driver_hardening.c
%canon_reldir%_test_driver_hardening_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_driver_hardening_LDADD = $(TEST_LDADD)
