/* SPDX-License-Identifier: MIT */
/*
 * json.h - a streaming JSON writer for --json: one document, written as
 * it is built, pretty-printed two spaces per level.
 *
 * Every value takes a key: the member's name inside an object, NULL
 * inside an array or for the document itself. Strings are escaped and
 * kept valid UTF-8 (a byte that starts no valid sequence becomes
 * U+FFFD), so whatever a device or a user handed us, the output parses.
 */
#ifndef VIRTSIM_TOOLS_CLI_JSON_H
#define VIRTSIM_TOOLS_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *out;
	unsigned depth;
	/* Per level: no member written yet (no comma needed). */
	bool empty[JSON_MAX_DEPTH];
	char close[JSON_MAX_DEPTH]; /* '}' or ']' */
};

void json_init(struct json *j, FILE *out);

void json_begin_object(struct json *j, const char *key);
void json_end_object(struct json *j);
void json_begin_array(struct json *j, const char *key);
void json_end_array(struct json *j);
/* Close what is open down to @depth (j->depth when it was taken): a
 * caller's members land where they belong after a callee's early
 * return. */
void json_close_to(struct json *j, unsigned depth);

void json_string(struct json *j, const char *key, const char *s);
/* @len bytes of @s, which need not end in NUL (a device's serial). */
void json_string_n(struct json *j, const char *key, const char *s, size_t len);
void json_stringf(struct json *j, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void json_uint(struct json *j, const char *key, uint64_t v);
void json_int(struct json *j, const char *key, int64_t v);
/* NaN and infinities, which JSON cannot hold, are written as null. */
void json_double(struct json *j, const char *key, double v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);

#endif /* VIRTSIM_TOOLS_CLI_JSON_H */
