# tools/: vm/ is library code (the machine builder, the device-class
# table and each class's glue, guest workload helpers) that tests and
# users link; cli/ is the virtsim program.
libvirtsim_a_SOURCES += \
	%reldir%/vm/blk_class.c \
	%reldir%/vm/device_classes.c \
	%reldir%/vm/device_options.c \
	%reldir%/vm/guest.c \
	%reldir%/vm/vm.c
nobase_virtsiminclude_HEADERS += \
	%reldir%/vm/blk_class.h \
	%reldir%/vm/device_class.h \
	%reldir%/vm/device_options.h \
	%reldir%/vm/guest.h \
	%reldir%/vm/vm.h
noinst_HEADERS += %reldir%/vm/blk_host.h
if ENABLE_BLK
libvirtsim_a_SOURCES += %reldir%/vm/blk_selftest.c
endif

bin_PROGRAMS += virtsim
virtsim_SOURCES = \
	%reldir%/cli/main.c \
	%reldir%/cli/options.c \
	%reldir%/cli/options.h \
	%reldir%/cli/probe.c \
	%reldir%/cli/report.c \
	%reldir%/cli/selftest.c \
	%reldir%/cli/workload.h \
	%reldir%/cli/workloads.c
if ENABLE_BLK
virtsim_SOURCES += %reldir%/cli/blk_read.c %reldir%/cli/blk_write.c
endif
virtsim_LDADD = libvirtsim.a
