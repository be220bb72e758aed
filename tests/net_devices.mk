# SPDX-License-Identifier: MIT
# tests/net_devices.mk: the virtio-net device model and the loop switch,
# driven through raw MMIO registers and hand-built rings.
if ENABLE_NET
check_suites += %reldir%/test_net_dev
%canon_reldir%_test_net_dev_SOURCES = %reldir%/test_net_dev.c
%canon_reldir%_test_net_dev_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_net_dev_LDADD = $(TEST_LDADD)
endif
