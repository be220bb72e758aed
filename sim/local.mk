# SPDX-License-Identifier: MIT
libvirtsim_la_SOURCES += \
	%reldir%/bus.c \
	%reldir%/env.c \
	%reldir%/evloop.c \
	%reldir%/fault.c \
	%reldir%/guest_mem.c \
	%reldir%/irq.c \
	%reldir%/machine.c \
	%reldir%/rng.c \
	%reldir%/sched.c \
	%reldir%/strict.c \
	%reldir%/sim_hal.c \
	%reldir%/trace.c \
	%reldir%/trace_decode.c
nobase_virtsiminclude_HEADERS += \
	%reldir%/bus.h \
	%reldir%/env.h \
	%reldir%/evloop.h \
	%reldir%/fault.h \
	%reldir%/guest_mem.h \
	%reldir%/irq.h \
	%reldir%/machine.h \
	%reldir%/rng.h \
	%reldir%/sched.h \
	%reldir%/strict.h \
	%reldir%/sim_hal.h \
	%reldir%/trace.h \
	%reldir%/trace_decode.h \
	%reldir%/trace_events.h
include %reldir%/pci.mk
