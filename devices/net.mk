# SPDX-License-Identifier: MIT
# devices/net.mk: the virtio-net device model, its receive backlog, pcap
# capture, and the backends: loop (a switch between a machine's NICs) and
# user (libslirp).
if ENABLE_NET
libvirtsim_la_SOURCES += \
	%reldir%/net/net_backlog.c \
	%reldir%/net/net_loop.c \
	%reldir%/net/net_model.c \
	%reldir%/net/net_rx.c \
	%reldir%/net/net_slirp.c \
	%reldir%/net/net_tx.c \
	%reldir%/net/pcap.c
endif
# Installed in every build: tools/vm/net_class.h names their types.
nobase_virtsiminclude_HEADERS += \
	%reldir%/net/net_backend.h \
	%reldir%/net/net_loop.h \
	%reldir%/net/net_model.h \
	%reldir%/net/net_slirp.h
noinst_HEADERS += %reldir%/net/net_backlog.h %reldir%/net/net_model_priv.h \
	%reldir%/net/pcap.h
