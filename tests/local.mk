# SPDX-License-Identifier: MIT
# Check suites: one binary per area. Fragments per area add to check_suites,
# which become check_PROGRAMS when configure found Check; every suite links
# libtestutil.a and libvirtsim.la. Without Check only the shell tests run,
# and no_check.sh says why the suites are missing.
TESTS += $(check_PROGRAMS) $(dist_check_SCRIPTS)
EXTRA_DIST += %reldir%/cli_lib.sh %reldir%/example/user_probe.cc
# Every source file carries its SPDX licence line.
dist_check_SCRIPTS += %reldir%/spdx.sh
# What make install gives a user (headers in C and C++, pkg-config for
# the shared and the static library, the man page, the completion).
dist_check_SCRIPTS += %reldir%/install.sh
# --json of every workload, parsed by Python.
dist_check_SCRIPTS += %reldir%/cli_json.sh
# --trace help and the trace's refusals.
dist_check_SCRIPTS += %reldir%/cli_trace.sh
# --enable-usdt: the probes' notes in virtsim (skipped without).
dist_check_SCRIPTS += %reldir%/usdt.sh
check_libs = %reldir%/libtestutil.a
if HAVE_CHECK
check_PROGRAMS += $(check_suites)
check_LIBRARIES = $(check_libs)
else
dist_check_SCRIPTS += %reldir%/no_check.sh
endif
%canon_reldir%_libtestutil_a_SOURCES = %reldir%/testutil.c %reldir%/testutil.h \
	%reldir%/test_ring.c %reldir%/test_ring.h \
	%reldir%/test_transport.c %reldir%/test_transport.h
%canon_reldir%_libtestutil_a_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
TEST_LDADD = %reldir%/libtestutil.a libvirtsim.la $(LIBVIRTSIM_LIBS) $(CHECK_LIBS)
TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)

# Scripts get the toolchain, so the outside-user example builds the way
# the suite does (sanitizers included).
AM_TESTS_ENVIRONMENT = top_srcdir='$(top_srcdir)'; export top_srcdir; \
	CC='$(CC)'; CFLAGS='$(CFLAGS)'; LDFLAGS='$(LDFLAGS)'; MAKE='$(MAKE)'; \
	export CC CFLAGS LDFLAGS MAKE; \
	dist_files='$(DISTFILES)'; export dist_files;

check_suites += %reldir%/test_sim %reldir%/test_sim_hal
%canon_reldir%_test_sim_SOURCES = %reldir%/test_sim.c
%canon_reldir%_test_sim_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_sim_LDADD = $(TEST_LDADD)
%canon_reldir%_test_sim_hal_SOURCES = %reldir%/test_sim_hal.c
%canon_reldir%_test_sim_hal_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_sim_hal_LDADD = $(TEST_LDADD)

check_suites += %reldir%/test_probe
%canon_reldir%_test_probe_SOURCES = %reldir%/test_probe.c
%canon_reldir%_test_probe_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_probe_LDADD = $(TEST_LDADD)

# The CLI's --json writer.
check_suites += %reldir%/test_json
%canon_reldir%_test_json_SOURCES = %reldir%/test_json.c tools/cli/json.c
%canon_reldir%_test_json_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_json_LDADD = $(TEST_LDADD) -lm

if ENABLE_BLK
# End to end: driver stack against the blk model, the CLI, and an outside
# user's test built with pkg-config against the installed library.
check_suites += %reldir%/test_blk
%canon_reldir%_test_blk_SOURCES = %reldir%/test_blk.c
%canon_reldir%_test_blk_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_blk_LDADD = $(TEST_LDADD)
check_suites += %reldir%/test_deferred
%canon_reldir%_test_deferred_SOURCES = %reldir%/test_deferred.c
%canon_reldir%_test_deferred_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_deferred_LDADD = $(TEST_LDADD)
check_suites += %reldir%/test_pci_blk
%canon_reldir%_test_pci_blk_SOURCES = %reldir%/test_pci_blk.c
%canon_reldir%_test_pci_blk_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_pci_blk_LDADD = $(TEST_LDADD)
dist_check_SCRIPTS += %reldir%/cli.sh %reldir%/cli_bench.sh
if HAVE_CHECK
# The outside user's test is a Check suite too.
dist_check_SCRIPTS += %reldir%/example.sh
endif
# The hostile soak drives every class built; blk is the least it needs.
dist_check_SCRIPTS += %reldir%/cli_soak.sh
EXTRA_DIST += %reldir%/example/user_test.c
endif

include %reldir%/sim.mk
include %reldir%/devices.mk
include %reldir%/drivers.mk
include %reldir%/driver_hardening.mk
include %reldir%/pci_devices.mk
include %reldir%/pci_drivers.mk
if ENABLE_NET
dist_check_SCRIPTS += %reldir%/cli_net.sh
endif
include %reldir%/net_drivers.mk
include %reldir%/net_devices.mk
include %reldir%/gpu_devices.mk
include %reldir%/net_e2e.mk
include %reldir%/gpu_drivers.mk
include %reldir%/gpu_display.mk
include %reldir%/fault.mk
if ENABLE_GPU
dist_check_SCRIPTS += %reldir%/cli_gpu.sh
EXTRA_DIST += %reldir%/gpu_image.py
endif
include %reldir%/fault_devices.mk
include %reldir%/strict.mk
