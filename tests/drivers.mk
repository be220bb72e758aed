# SPDX-License-Identifier: MIT
# tests/drivers.mk: the driver stack (virtqueue, adapter) and the layer rule.
check_suites += %reldir%/test_virtqueue %reldir%/test_adapter
%canon_reldir%_test_virtqueue_SOURCES = %reldir%/test_virtqueue.c
%canon_reldir%_test_virtqueue_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_virtqueue_LDADD = $(TEST_LDADD)
%canon_reldir%_test_adapter_SOURCES = %reldir%/test_adapter.c
%canon_reldir%_test_adapter_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_adapter_LDADD = $(TEST_LDADD)

dist_check_SCRIPTS += %reldir%/layer_rule.sh
# The only libc header drivers/ may include, for layer_rule.sh.
EXTRA_DIST += %reldir%/freestanding/string.h
