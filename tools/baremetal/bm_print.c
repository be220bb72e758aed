/* SPDX-License-Identifier: MIT */
/*
 * bm_print.c - a small formatter: enough for the guest's tables and
 * PASS/FAIL lines.
 */
#include "tools/baremetal/bm_print.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "hal/aarch64-virt/pl011.h"

struct out {
	char *buf; /* NULL: the console */
	size_t size, pos;
};

static void out_c(struct out *o, char c)
{
	if (!o->buf)
		pl011_putc(c);
	else if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

static void out_pad(struct out *o, const char *s, size_t len, int width,
		    bool left, char pad)
{
	int fill = width > (int)len ? width - (int)len : 0;

	if (!left) {
		/* Zero padding goes after a sign. */
		if (pad == '0' && len && *s == '-') {
			out_c(o, *s++);
			len--;
		}
		while (fill-- > 0)
			out_c(o, pad);
	}
	while (len--)
		out_c(o, *s++);
	while (left && fill-- > 0)
		out_c(o, ' ');
}

static void out_fmt(struct out *o, const char *fmt, va_list ap)
{
	static const char digits[] = "0123456789abcdef";

	for (; *fmt; fmt++) {
		char tmp[24], *p = tmp + sizeof(tmp);
		bool left = false, neg = false;
		char pad = ' ';
		int width = 0, lng = 0;
		unsigned long long v;
		unsigned base = 10;

		if (*fmt != '%') {
			out_c(o, *fmt);
			continue;
		}
		fmt++;
		for (; *fmt == '-' || *fmt == '0'; fmt++) {
			if (*fmt == '-')
				left = true;
			else
				pad = '0';
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng++;
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			out_pad(o, s, strlen(s), width, left, ' ');
			continue;
		}
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			out_pad(o, tmp, 1, width, left, ' ');
			continue;
		case 'd': {
			long long sv =
			    lng ? va_arg(ap, long long) : va_arg(ap, int);

			neg = sv < 0;
			v = neg ? 0ull - (unsigned long long)sv
				: (unsigned long long)sv;
			break;
		}
		case 'x':
			base = 16;
			/* fall through */
		case 'u':
			v = lng ? va_arg(ap, unsigned long long)
				: va_arg(ap, unsigned);
			break;
		case '%':
			out_c(o, '%');
			continue;
		default:
			out_c(o, '?');
			continue;
		}
		do {
			*--p = digits[v % base];
			v /= base;
		} while (v);
		if (neg)
			*--p = '-';
		out_pad(o, p, (size_t)(tmp + sizeof(tmp) - p), width, left,
			left ? ' ' : pad);
	}
}

void bm_vprintf(const char *fmt, va_list ap)
{
	struct out o = {NULL, 0, 0};

	out_fmt(&o, fmt, ap);
}

void bm_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bm_vprintf(fmt, ap);
	va_end(ap);
}

void bm_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	struct out o = {buf, size, 0};
	va_list ap;

	if (!buf || !size)
		return;
	va_start(ap, fmt);
	out_fmt(&o, fmt, ap);
	va_end(ap);
	buf[o.pos < size ? o.pos : size - 1] = '\0';
}
