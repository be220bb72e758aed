# SPDX-License-Identifier: MIT
# tests/net_drivers.mk: the net driver side (buffer pool, virtio-net driver,
# net device), on a machine's DMA memory; only with --enable-net.
if ENABLE_NET
check_suites += %reldir%/test_net_buf
%canon_reldir%_test_net_buf_SOURCES = %reldir%/test_net_buf.c
%canon_reldir%_test_net_buf_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_net_buf_LDADD = $(TEST_LDADD)
check_suites += %reldir%/test_net_driver
%canon_reldir%_test_net_driver_SOURCES = %reldir%/test_net_driver.c
%canon_reldir%_test_net_driver_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_net_driver_LDADD = $(TEST_LDADD)
endif
