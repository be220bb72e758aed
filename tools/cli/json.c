/* SPDX-License-Identifier: MIT */
/*
 * json.c - the --json writer (json.h).
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "tools/cli/json.h"

void json_init(struct json *j, FILE *out)
{
	*j = (struct json){.out = out, .empty = {true}};
}

/*
 * The length of the valid UTF-8 sequence at @s (at most @len bytes),
 * 0 if none starts there: RFC 3629's table, so no overlong forms, no
 * surrogates and nothing above U+10FFFF.
 */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static void write_string(FILE *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;

	putc('"', out);
	while (len) {
		size_t n = utf8_sequence(s, len);

		if (n == 0) {
			fputs("\\ufffd", out);
			n = 1;
		} else if (*s == '"' || *s == '\\') {
			fprintf(out, "\\%c", *s);
		} else if (*s == '\n') {
			fputs("\\n", out);
		} else if (*s == '\t') {
			fputs("\\t", out);
		} else if (*s < 0x20) {
			fprintf(out, "\\u%04x", *s);
		} else {
			fwrite(s, 1, n, out);
		}
		s += n;
		len -= n;
	}
	putc('"', out);
}

/* The comma, newline and indent before a value, and its key. */
static void member(struct json *j, const char *key)
{
	if (j->depth > 0) {
		fputs(j->empty[j->depth] ? "\n" : ",\n", j->out);
		fprintf(j->out, "%*s", (int)(2 * j->depth), "");
	}
	j->empty[j->depth] = false;
	if (key) {
		write_string(j->out, key, strlen(key));
		fputs(": ", j->out);
	}
}

static void begin(struct json *j, const char *key, char open)
{
	member(j, key);
	putc(open, j->out);
	/* Deeper than any document of ours: stay flat rather than overrun. */
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->empty[j->depth] = true;
	j->close[j->depth] = open == '{' ? '}' : ']';
}

static void end(struct json *j)
{
	bool empty = j->empty[j->depth];
	char close = j->close[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!empty)
		fprintf(j->out, "\n%*s", (int)(2 * j->depth), "");
	putc(close, j->out);
	if (j->depth == 0)
		putc('\n', j->out);
}

void json_begin_object(struct json *j, const char *key)
{
	begin(j, key, '{');
}

void json_end_object(struct json *j)
{
	end(j);
}

void json_begin_array(struct json *j, const char *key)
{
	begin(j, key, '[');
}

void json_end_array(struct json *j)
{
	end(j);
}

void json_close_to(struct json *j, unsigned depth)
{
	while (j->depth > depth)
		end(j);
}

void json_string_n(struct json *j, const char *key, const char *s, size_t len)
{
	member(j, key);
	write_string(j->out, s, len);
}

void json_string(struct json *j, const char *key, const char *s)
{
	if (!s) {
		json_null(j, key);
		return;
	}
	json_string_n(j, key, s, strlen(s));
}

void json_stringf(struct json *j, const char *key, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_string_n(j, key, buf,
		      n < 0			? 0
		      : (size_t)n < sizeof(buf) ? (size_t)n
						: sizeof(buf) - 1);
}

void json_uint(struct json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->out, "%" PRIu64, v);
}

void json_int(struct json *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->out, "%" PRId64, v);
}

void json_double(struct json *j, const char *key, double v)
{
	member(j, key);
	if (isfinite(v))
		fprintf(j->out, "%.10g", v);
	else
		fputs("null", j->out);
}

void json_bool(struct json *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	fputs("null", j->out);
}
