# SPDX-License-Identifier: MIT
# tests/strict.mk: --strict, each checked driver MUST broken on purpose,
# and the real drivers clean under it.
check_suites += %reldir%/test_strict
%canon_reldir%_test_strict_SOURCES = %reldir%/test_strict.c
%canon_reldir%_test_strict_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_strict_LDADD = $(TEST_LDADD)
dist_check_SCRIPTS += %reldir%/cli_strict.sh
