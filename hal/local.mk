nobase_virtsiminclude_HEADERS += %reldir%/hal.h
