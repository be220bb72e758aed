# devices/net.mk: the virtio-net device model, its receive backlog, pcap
# capture, and the loop backend (a switch between a machine's NICs).
libvirtsim_a_SOURCES += \
	%reldir%/net/net_backlog.c \
	%reldir%/net/net_loop.c \
	%reldir%/net/net_model.c \
	%reldir%/net/net_rx.c \
	%reldir%/net/net_tx.c \
	%reldir%/net/pcap.c
nobase_virtsiminclude_HEADERS += \
	%reldir%/net/net_backend.h \
	%reldir%/net/net_loop.h \
	%reldir%/net/net_model.h
noinst_HEADERS += %reldir%/net/net_backlog.h %reldir%/net/net_model_priv.h \
	%reldir%/net/pcap.h
# The net wire format net_model.h includes. Interim: it belongs in
# drivers/local.mk with the other drivers/wire/ headers, and moves there
# when that list gains it.
nobase_virtsiminclude_HEADERS += drivers/wire/virtio_net.h
