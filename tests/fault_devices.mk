# tests/fault_devices.mk: the device models' fault points end to end
# against the real drivers. Built with any classes: the C file keeps to
# those configured (VIRTSIM_HAVE_BLK, _NET, _GPU).
check_PROGRAMS += %reldir%/test_fault_devices
%canon_reldir%_test_fault_devices_SOURCES = %reldir%/test_fault_devices.c
%canon_reldir%_test_fault_devices_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_fault_devices_LDADD = $(TEST_LDADD)
