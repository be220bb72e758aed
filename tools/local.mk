# SPDX-License-Identifier: MIT
# tools/: vm/ is library code (the machine builder, the device-class
# table and each class's glue, guest workload helpers) that tests and
# users link; cli/ is the virtsim program.
libvirtsim_la_SOURCES += \
	%reldir%/vm/blk_class.c \
	%reldir%/vm/device_classes.c \
	%reldir%/vm/device_options.c \
	%reldir%/vm/fault_campaign.c \
	%reldir%/vm/gpu_class.c \
	%reldir%/vm/guest.c \
	%reldir%/vm/net_class.c \
	%reldir%/vm/vm.c
nobase_virtsiminclude_HEADERS += \
	%reldir%/vm/blk_class.h \
	%reldir%/vm/device_class.h \
	%reldir%/vm/device_options.h \
	%reldir%/vm/fault_campaign.h \
	%reldir%/vm/gpu_class.h \
	%reldir%/vm/guest.h \
	%reldir%/vm/net_class.h \
	%reldir%/vm/vm.h
noinst_HEADERS += %reldir%/vm/blk_host.h %reldir%/vm/gpu_host.h \
	%reldir%/vm/net_host.h
if ENABLE_BLK
libvirtsim_la_SOURCES += %reldir%/vm/blk_faults.c %reldir%/vm/blk_selftest.c
endif
if ENABLE_NET
libvirtsim_la_SOURCES += %reldir%/vm/net_faults.c %reldir%/vm/net_selftest.c
endif
if ENABLE_GPU
libvirtsim_la_SOURCES += %reldir%/vm/gpu_faults.c %reldir%/vm/gpu_pattern.c \
	%reldir%/vm/gpu_selftest.c
nobase_virtsiminclude_HEADERS += %reldir%/vm/gpu_pattern.h
endif

bin_PROGRAMS += virtsim
virtsim_SOURCES = \
	%reldir%/cli/faults.c \
	%reldir%/cli/json.c \
	%reldir%/cli/json.h \
	%reldir%/cli/main.c \
	%reldir%/cli/options.c \
	%reldir%/cli/options.h \
	%reldir%/cli/probe.c \
	%reldir%/cli/progress.c \
	%reldir%/cli/progress.h \
	%reldir%/cli/report.c \
	%reldir%/cli/selftest.c \
	%reldir%/cli/soak.c \
	%reldir%/cli/workload.h \
	%reldir%/cli/workloads.c
if ENABLE_BLK
virtsim_SOURCES += %reldir%/cli/bench.c %reldir%/cli/blk_read.c \
	%reldir%/cli/blk_write.c
endif
if ENABLE_NET
# The guest's TCP/IP stack for the net workloads: lwIP, in this program.
virtsim_SOURCES += \
	%reldir%/cli/guest_net.c \
	%reldir%/cli/guest_net.h \
	%reldir%/cli/net_fetch.c \
	%reldir%/cli/net_ping.c \
	%reldir%/cli/net_serve.c
endif
if ENABLE_GPU
virtsim_SOURCES += %reldir%/cli/gpu_bench.c %reldir%/cli/gpu_demo.c
endif
virtsim_CPPFLAGS = $(AM_CPPFLAGS) $(LWIP_CFLAGS)
virtsim_LDADD = libvirtsim.la $(LIBVIRTSIM_LIBS) $(LWIP_LIBS) -lm

EXTRA_DIST += %reldir%/bench/net-fetch.sh %reldir%/bench/vringh-compare.sh
# The bare-metal guest (hal/aarch64-virt is its HAL): cross-built and run
# under QEMU by baremetal/run.sh, outside automake; CI runs it.
EXTRA_DIST += %reldir%/baremetal/Makefile %reldir%/baremetal/run.sh \
	%reldir%/baremetal/disk_image.py %reldir%/baremetal/bm.h \
	%reldir%/baremetal/bm_print.c %reldir%/baremetal/bm_print.h \
	%reldir%/baremetal/disks.c %reldir%/baremetal/main.c \
	%reldir%/baremetal/net_gpu.c

# virtsim(1), and bash completion under the command's own name, where
# bash-completion looks for it.
dist_man1_MANS = %reldir%/cli/virtsim.1
bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = %reldir%/cli/bash-completion/virtsim
