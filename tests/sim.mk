# tests/sim.mk: the generic simulator services (event loop, virtual clock,
# random streams).
check_PROGRAMS += %reldir%/test_evloop
%canon_reldir%_test_evloop_SOURCES = %reldir%/test_evloop.c
%canon_reldir%_test_evloop_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_evloop_LDADD = $(TEST_LDADD)
