# SPDX-License-Identifier: MIT
# tests/sim.mk: the generic simulator services (event loop, virtual clock,
# random streams, the fault injector).
check_suites += %reldir%/test_evloop
%canon_reldir%_test_evloop_SOURCES = %reldir%/test_evloop.c
%canon_reldir%_test_evloop_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_evloop_LDADD = $(TEST_LDADD)
check_suites += %reldir%/test_fault
%canon_reldir%_test_fault_SOURCES = %reldir%/test_fault.c
%canon_reldir%_test_fault_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_fault_LDADD = $(TEST_LDADD)
# The trace: decoders and the line of every event.
check_suites += %reldir%/test_trace
%canon_reldir%_test_trace_SOURCES = %reldir%/test_trace.c
%canon_reldir%_test_trace_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_trace_LDADD = $(TEST_LDADD)
