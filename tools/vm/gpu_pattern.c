/* SPDX-License-Identifier: MIT */
/*
 * gpu_pattern.c - the GPU workloads' test pattern, font and cursor.
 */
#include "tools/vm/gpu_pattern.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

/* 5x7 glyphs, one byte per row, bit 4 leftmost; ' ' through 'Z'. */
static const uint8_t font5x7['Z' - ' ' + 1][7] = {
    [' ' - ' '] = {0},
    ['%' - ' '] = {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03},
    ['-' - ' '] = {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00},
    ['.' - ' '] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C},
    ['/' - ' '] = {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00},
    ['0' - ' '] = {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E},
    ['1' - ' '] = {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E},
    ['2' - ' '] = {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F},
    ['3' - ' '] = {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E},
    ['4' - ' '] = {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02},
    ['5' - ' '] = {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E},
    ['6' - ' '] = {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E},
    ['7' - ' '] = {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08},
    ['8' - ' '] = {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E},
    ['9' - ' '] = {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C},
    [':' - ' '] = {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00},
    ['?' - ' '] = {0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04},
    ['A' - ' '] = {0x0E, 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11},
    ['B' - ' '] = {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E},
    ['C' - ' '] = {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E},
    ['D' - ' '] = {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C},
    ['E' - ' '] = {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F},
    ['F' - ' '] = {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10},
    ['G' - ' '] = {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F},
    ['H' - ' '] = {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11},
    ['I' - ' '] = {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E},
    ['J' - ' '] = {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C},
    ['K' - ' '] = {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11},
    ['L' - ' '] = {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F},
    ['M' - ' '] = {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11},
    ['N' - ' '] = {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11},
    ['O' - ' '] = {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E},
    ['P' - ' '] = {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10},
    ['Q' - ' '] = {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D},
    ['R' - ' '] = {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11},
    ['S' - ' '] = {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E},
    ['T' - ' '] = {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04},
    ['U' - ' '] = {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E},
    ['V' - ' '] = {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04},
    ['W' - ' '] = {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A},
    ['X' - ' '] = {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11},
    ['Y' - ' '] = {0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04},
    ['Z' - ' '] = {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F},
};

static const uint8_t *glyph(char c)
{
	int u = toupper((unsigned char)c);
	const uint8_t *g;
	static const uint8_t blank[7];

	if (u < ' ' || u > 'Z')
		return font5x7['?' - ' '];
	g = font5x7[u - ' '];
	/* Rows of zeros are a glyph only for the space. */
	if (u != ' ' && !memcmp(g, blank, sizeof(blank)))
		return font5x7['?' - ' '];
	return g;
}

static inline void put_pixel(uint8_t *fb, size_t stride, uint32_t x, uint32_t y,
			     uint32_t bgrx)
{
	uint8_t *p = fb + (size_t)y * stride + (size_t)x * 4;

	p[0] = (uint8_t)bgrx;
	p[1] = (uint8_t)(bgrx >> 8);
	p[2] = (uint8_t)(bgrx >> 16);
	p[3] = 0;
}

uint32_t gpu_font_draw(uint8_t *fb, uint32_t width, uint32_t height,
		       size_t stride, uint32_t x, uint32_t y, uint32_t scale,
		       uint32_t bgrx, const char *text)
{
	uint32_t x0 = x;

	for (; *text; text++, x += GPU_FONT_CELL_W * scale) {
		const uint8_t *g = glyph(*text);

		for (uint32_t row = 0; row < 7 * scale; row++)
			for (uint32_t col = 0; col < 5 * scale; col++) {
				uint32_t px = x + col, py = y + 1 * scale + row;

				if (px >= width || py >= height)
					continue;
				if (g[row / scale] & (0x10 >> (col / scale)))
					put_pixel(fb, stride, px, py, bgrx);
			}
	}
	return x - x0;
}

void gpu_pattern_layout(uint32_t height, struct gpu_pattern_layout *l)
{
	l->text_scale = height >= 480 ? 2 : 1;
	l->text_y = height > GPU_FONT_CELL_H * l->text_scale
			? height - GPU_FONT_CELL_H * l->text_scale
			: 0;
	l->bars_h = l->text_y * 2 / 3;
	l->gradient_y = l->bars_h;
}

/* The eight SMPTE-style bars, full intensity: white to black. */
static const uint32_t bar_colours[8] = {
    0xFFFFFF, 0xFFFF00, 0x00FFFF, 0x00FF00,
    0xFF00FF, 0xFF0000, 0x0000FF, 0x000000,
};

void gpu_pattern_draw(uint8_t *fb, uint32_t width, uint32_t height,
		      size_t stride, uint64_t frame, const char *text)
{
	struct gpu_pattern_layout l;

	gpu_pattern_layout(height, &l);
	for (uint32_t y = 0; y < l.bars_h; y++)
		for (uint32_t x = 0; x < width; x++)
			put_pixel(fb, stride, x, y,
				  bar_colours[(uint64_t)x * 8 / width]);
	/* The gradient slides 4 pixels a frame; red and blue ramp the
	 * other way from green, so every column differs from its
	 * neighbours and a misplaced column shows. */
	for (uint32_t y = l.gradient_y; y < l.text_y; y++)
		for (uint32_t x = 0; x < width; x++) {
			uint32_t v =
			    (uint32_t)(((uint64_t)x * 256 / width + frame * 4) &
				       0xFF);
			uint32_t b = (y - l.gradient_y) * 255 /
				     (l.text_y - l.gradient_y);

			put_pixel(fb, stride, x, y,
				  (255 - v) << 16 | v << 8 | (b & 0xFF));
		}
	for (uint32_t y = l.text_y; y < height; y++)
		memset(fb + (size_t)y * stride, 0, (size_t)width * 4);
	gpu_font_draw(fb, width, height, stride, 4 * l.text_scale, l.text_y,
		      l.text_scale, 0xFFFFFF, text);
}

void gpu_cursor_image(uint8_t image[GPU_CURSOR_SIZE * GPU_CURSOR_SIZE * 4])
{
	/* An arrow: a triangle with a black edge, white inside, 24 rows. */
	memset(image, 0, GPU_CURSOR_SIZE * GPU_CURSOR_SIZE * 4);
	for (uint32_t y = 0; y < 24; y++)
		for (uint32_t x = 0; x <= y / 2 + 1 && x < GPU_CURSOR_SIZE;
		     x++) {
			uint8_t *p = image + (y * GPU_CURSOR_SIZE + x) * 4;
			bool edge = x == 0 || x == y / 2 + 1 || y == 23;
			uint8_t v = edge ? 0x00 : 0xFF;

			p[0] = p[1] = p[2] = v;
			p[3] = 0xFF;
		}
}

/* Position @t on a back-and-forth sweep over 0 .. @span. */
static uint32_t bounce(uint64_t t, uint32_t span)
{
	uint64_t period;

	if (!span)
		return 0;
	period = 2ull * span;
	t %= period;
	return (uint32_t)(t <= span ? t : period - t);
}

void gpu_cursor_path(uint64_t frame, uint32_t width, uint32_t height,
		     uint32_t *x, uint32_t *y)
{
	*x = bounce(frame * 7, width > 1 ? width - 1 : 0);
	*y = bounce(frame * 5, height > 1 ? height - 1 : 0);
}
