/* SPDX-License-Identifier: MIT */
/*
 * gpu_pattern.h - what the GPU workloads draw: a test pattern (colour
 * bars, a gradient that moves with the frame number, one line of text
 * in a small built-in bitmap font) and a cursor image. Pure functions of
 * their arguments, so a check can draw the same image on the host and
 * compare it with the scanout byte for byte.
 *
 * Pixels are B8G8R8X8 (the cursor B8G8R8A8): bytes B, G, R, X.
 */
#ifndef VIRTSIM_TOOLS_VM_GPU_PATTERN_H
#define VIRTSIM_TOOLS_VM_GPU_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The font's cell: 5x7 glyphs in 6x9 cells, drawn at an integer scale. */
#define GPU_FONT_CELL_W 6u
#define GPU_FONT_CELL_H 9u

/* Where the pattern's parts lie on a @height-pixel screen. */
struct gpu_pattern_layout {
	uint32_t bars_h;     /* rows 0 .. bars_h: the colour bars */
	uint32_t gradient_y; /* then the moving gradient .. text_y */
	uint32_t text_y;     /* then the text band to the bottom */
	uint32_t text_scale;
};

void gpu_pattern_layout(uint32_t height, struct gpu_pattern_layout *l);

/*
 * Draw frame @frame of the pattern, with @text (upper case, digits and
 * " .:/-%x"; other characters as '?') in the text band, into @fb
 * (@width x @height, rows @stride bytes apart). The bars do not change
 * from frame to frame: rows gradient_y and below do.
 */
void gpu_pattern_draw(uint8_t *fb, uint32_t width, uint32_t height,
		      size_t stride, uint64_t frame, const char *text);

/*
 * Draw @text at (@x, @y) in colour @bgrx at @scale, clipped to the
 * screen; returns the width drawn.
 */
uint32_t gpu_font_draw(uint8_t *fb, uint32_t width, uint32_t height,
		       size_t stride, uint32_t x, uint32_t y, uint32_t scale,
		       uint32_t bgrx, const char *text);

#define GPU_CURSOR_SIZE 64u
/* A 64x64 arrow, opaque or fully transparent pixels; hotspot at (1, 1). */
void gpu_cursor_image(uint8_t image[GPU_CURSOR_SIZE * GPU_CURSOR_SIZE * 4]);
#define GPU_CURSOR_HOT_X 1u
#define GPU_CURSOR_HOT_Y 1u
/* Where the cursor is at @frame: it bounces off the screen's edges. */
void gpu_cursor_path(uint64_t frame, uint32_t width, uint32_t height,
		     uint32_t *x, uint32_t *y);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_TOOLS_VM_GPU_PATTERN_H */
