# SPDX-License-Identifier: MIT
# tests/devices.mk: the device side (virtqueue walker, device core, MMIO
# front-end, blk model).
check_suites += %reldir%/test_vq_dev
%canon_reldir%_test_vq_dev_SOURCES = %reldir%/test_vq_dev.c
%canon_reldir%_test_vq_dev_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_vq_dev_LDADD = $(TEST_LDADD)

check_suites += %reldir%/test_virtio_mmio_dev
%canon_reldir%_test_virtio_mmio_dev_SOURCES = %reldir%/test_virtio_mmio_dev.c
%canon_reldir%_test_virtio_mmio_dev_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_virtio_mmio_dev_LDADD = $(TEST_LDADD)
