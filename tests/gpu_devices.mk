# SPDX-License-Identifier: MIT
# tests/gpu_devices.mk: the virtio-gpu device model, driven through raw
# MMIO registers and hand-built rings, its pixels read from the headless
# display's shadow.
if ENABLE_GPU
check_suites += %reldir%/test_gpu_dev
%canon_reldir%_test_gpu_dev_SOURCES = %reldir%/test_gpu_dev.c
%canon_reldir%_test_gpu_dev_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_gpu_dev_LDADD = $(TEST_LDADD)
endif
