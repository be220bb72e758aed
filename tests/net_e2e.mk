# SPDX-License-Identifier: MIT
# tests/net_e2e.mk: end to end, the virtio-net driver and net device over
# MMIO and PCI against the net model on the loop switch, built by the
# machine builder (tools/vm); only with --enable-net.
if ENABLE_NET
check_suites += %reldir%/test_net
%canon_reldir%_test_net_SOURCES = %reldir%/test_net.c
%canon_reldir%_test_net_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_net_LDADD = $(TEST_LDADD)
endif
