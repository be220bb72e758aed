# Check suites: one binary per area. Fragments per area add to check_PROGRAMS;
# every test links libtestutil.a and libvirtsim.a.
TESTS += $(check_PROGRAMS) $(dist_check_SCRIPTS)
check_LIBRARIES = %reldir%/libtestutil.a
%canon_reldir%_libtestutil_a_SOURCES = %reldir%/testutil.c %reldir%/testutil.h
%canon_reldir%_libtestutil_a_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
TEST_LDADD = %reldir%/libtestutil.a libvirtsim.a $(CHECK_LIBS)
TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)

check_PROGRAMS += %reldir%/test_sim
%canon_reldir%_test_sim_SOURCES = %reldir%/test_sim.c
%canon_reldir%_test_sim_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_sim_LDADD = $(TEST_LDADD)

include %reldir%/devices.mk
include %reldir%/drivers.mk
include %reldir%/pci_devices.mk
include %reldir%/pci_drivers.mk
