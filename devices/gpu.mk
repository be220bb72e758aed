# SPDX-License-Identifier: MIT
# devices/gpu.mk: the virtio-gpu device model, and the displays it shows
# scanout 0 on: headless (display.c), an SDL2 window (display_sdl.c,
# when configure found SDL2), PNG screenshots through zlib (png.c).
if ENABLE_GPU
libvirtsim_la_SOURCES += \
	%reldir%/gpu/display.c \
	%reldir%/gpu/gpu_model.c \
	%reldir%/gpu/png.c
if HAVE_SDL
libvirtsim_la_SOURCES += %reldir%/gpu/display_sdl.c
endif
endif
nobase_virtsiminclude_HEADERS += \
	%reldir%/gpu/display.h \
	%reldir%/gpu/gpu_model.h
