/* SPDX-License-Identifier: MIT */
/*
 * The --json writer: nesting and commas, escaping, and strings that are
 * not valid UTF-8 (a device's serial) still giving a valid document.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/testutil.h"
#include "tools/cli/json.h"

static char *buf;
static size_t len;
static FILE *out;
static struct json j;

static void open_doc(void)
{
	out = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(out);
	json_init(&j, out);
}

static void close_doc(void)
{
	free(buf);
	buf = NULL;
}

/* The document so far, as a string. */
static const char *doc(void)
{
	fflush(out);
	return buf;
}

START_TEST(nesting_commas_and_indent)
{
	json_begin_object(&j, NULL);
	json_string(&j, "workload", "probe");
	json_begin_array(&j, "mmio");
	json_begin_object(&j, NULL);
	json_uint(&j, "slot", 0);
	json_bool(&j, "found", true);
	json_end_object(&j);
	json_begin_object(&j, NULL);
	json_end_object(&j);
	json_end_array(&j);
	json_begin_array(&j, "pci");
	json_end_array(&j);
	json_int(&j, "delta", -5);
	json_null(&j, "none");
	json_end_object(&j);
	fclose(out);
	ck_assert_str_eq(buf, "{\n"
			      "  \"workload\": \"probe\",\n"
			      "  \"mmio\": [\n"
			      "    {\n"
			      "      \"slot\": 0,\n"
			      "      \"found\": true\n"
			      "    },\n"
			      "    {}\n"
			      "  ],\n"
			      "  \"pci\": [],\n"
			      "  \"delta\": -5,\n"
			      "  \"none\": null\n"
			      "}\n");
}
END_TEST

START_TEST(strings_are_escaped)
{
	json_begin_array(&j, NULL);
	json_string(&j, NULL, "a\"b\\c\nd\te\x01\x1f/");
	json_string(&j, NULL, NULL);
	json_stringf(&j, NULL, "%s=%d", "x", 3);
	json_end_array(&j);
	ck_assert_str_eq(doc(), "[\n"
				"  \"a\\\"b\\\\c\\nd\\te\\u0001\\u001f/\",\n"
				"  null,\n"
				"  \"x=3\"\n"
				"]\n");
	fclose(out);
}
END_TEST

START_TEST(keys_are_escaped_too)
{
	json_begin_object(&j, NULL);
	json_uint(&j, "a\"b", 1);
	json_end_object(&j);
	ck_assert_str_eq(doc(), "{\n  \"a\\\"b\": 1\n}\n");
	fclose(out);
}
END_TEST

START_TEST(valid_utf8_passes_invalid_becomes_replacement)
{
	/* é (2 bytes), € (3), 😀 (4) pass through as they are. */
	static const char good[] = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	/* A lone continuation byte, an overlong '/', a surrogate, a
	 * truncated sequence at the end, and a byte above U+10FFFF. */
	static const char bad[] = "\x80|\xc0\xaf|\xed\xa0\x80|\xf5|\xe2\x82";

	json_begin_array(&j, NULL);
	json_string(&j, NULL, good);
	json_string(&j, NULL, bad);
	json_end_array(&j);
	ck_assert_str_eq(doc(),
			 "[\n  \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",\n"
			 "  \"\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
			 "\\ufffd|\\ufffd\\ufffd\"\n]\n");
	fclose(out);
}
END_TEST

START_TEST(string_n_stops_at_length_and_keeps_nul)
{
	/* A 20-byte serial: no NUL terminator, or a NUL inside. */
	json_begin_array(&j, NULL);
	json_string_n(&j, NULL, "abcdef", 3);
	json_string_n(&j, NULL, "a\0b", 3);
	json_end_array(&j);
	ck_assert_str_eq(doc(), "[\n  \"abc\",\n  \"a\\u0000b\"\n]\n");
	fclose(out);
}
END_TEST

START_TEST(numbers_and_non_finite_doubles)
{
	json_begin_array(&j, NULL);
	json_uint(&j, NULL, UINT64_MAX);
	json_int(&j, NULL, INT64_MIN);
	json_double(&j, NULL, 0.1);
	json_double(&j, NULL, 1.5e-9);
	json_double(&j, NULL, NAN);
	json_double(&j, NULL, INFINITY);
	json_end_array(&j);
	ck_assert_str_eq(doc(), "[\n  18446744073709551615,\n"
				"  -9223372036854775808,\n  0.1,\n  1.5e-09,\n"
				"  null,\n  null\n]\n");
	fclose(out);
}
END_TEST

START_TEST(close_to_ends_what_a_callee_left_open)
{
	unsigned depth;

	json_begin_object(&j, NULL);
	depth = j.depth;
	json_begin_array(&j, "rows");
	json_begin_object(&j, NULL);
	json_uint(&j, "seed", 1);
	json_close_to(&j, depth);
	json_uint(&j, "exit_status", 1);
	json_close_to(&j, 0);
	ck_assert_str_eq(doc(), "{\n  \"rows\": [\n    {\n      \"seed\": 1\n"
				"    }\n  ],\n  \"exit_status\": 1\n}\n");
	fclose(out);
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("writer");

	tcase_add_checked_fixture(tc, open_doc, close_doc);
	tcase_add_test(tc, nesting_commas_and_indent);
	tcase_add_test(tc, strings_are_escaped);
	tcase_add_test(tc, keys_are_escaped_too);
	tcase_add_test(tc, valid_utf8_passes_invalid_becomes_replacement);
	tcase_add_test(tc, string_n_stops_at_length_and_keeps_nul);
	tcase_add_test(tc, numbers_and_non_finite_doubles);
	tcase_add_test(tc, close_to_ends_what_a_callee_left_open);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(json_suite)
