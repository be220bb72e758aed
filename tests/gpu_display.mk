# SPDX-License-Identifier: MIT
# tests/gpu_display.mk: the GPU's displays: headless conversion and
# clipping, PNG screenshots decoded by an independent decoder
# (png_decode.py), and the SDL window on SDL's dummy video driver.
if ENABLE_GPU
check_suites += %reldir%/test_display
%canon_reldir%_test_display_SOURCES = %reldir%/test_display.c
%canon_reldir%_test_display_CFLAGS = $(TEST_CFLAGS) \
	-DPNG_DECODE_SCRIPT='"$(abs_top_srcdir)/%reldir%/png_decode.py"'
%canon_reldir%_test_display_LDADD = $(TEST_LDADD)
EXTRA_DIST += %reldir%/png_decode.py
if HAVE_SDL
# The window on a real X server (Xvfb), grabbed with xwd: skipped
# without xvfb-run, xwd or ImageMagick's convert.
check_suites += %reldir%/test_display_x11
%canon_reldir%_test_display_x11_SOURCES = %reldir%/test_display_x11.c
%canon_reldir%_test_display_x11_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_test_display_x11_LDADD = $(TEST_LDADD)
endif
endif
