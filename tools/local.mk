# tools/: the virtsim CLI. vm.c (a machine built from a config, and the
# guest-side probe) is in the library so tests and users can build one too.
libvirtsim_a_SOURCES += %reldir%/vm.c
nobase_virtsiminclude_HEADERS += %reldir%/vm.h

bin_PROGRAMS += virtsim
virtsim_SOURCES = %reldir%/virtsim.c %reldir%/options.c %reldir%/options.h
virtsim_LDADD = libvirtsim.a
