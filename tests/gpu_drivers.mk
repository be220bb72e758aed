# SPDX-License-Identifier: MIT
# tests/gpu_drivers.mk: the virtio-gpu driver and the display device,
# against test devices of their own and the GPU model; only with
# --enable-gpu.
if ENABLE_GPU
check_suites += %reldir%/test_gpu_driver
%canon_reldir%_test_gpu_driver_SOURCES = %reldir%/test_gpu_driver.c
%canon_reldir%_test_gpu_driver_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_gpu_driver_LDADD = $(TEST_LDADD)
endif
