# SPDX-License-Identifier: MIT
nobase_virtsiminclude_HEADERS += %reldir%/hal.h
