/*
 * testutil.h - shared scaffolding for the Check suites.
 */
#ifndef VIRTSIM_TESTS_TESTUTIL_H
#define VIRTSIM_TESTS_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * A scratch file of @size bytes under $TMPDIR (never the source tree),
 * filled with a pattern derived from each byte's offset when @pattern.
 * Writes the path to @path (PATH_MAX bytes); the caller unlinks it.
 */
void test_make_file(char *path, size_t path_len, const char *tag,
		    unsigned long long size, int pattern);
/* The pattern byte test_make_file writes at @offset. */
static inline unsigned char test_pattern_byte(unsigned long long offset)
{
	return (unsigned char)((offset * 131u) ^ (offset >> 9) ^ 0x5a);
}

/* Run one suite and exit with its verdict: the main() of every test. */
#define VIRTSIM_TEST_MAIN(suite_fn)                                     \
	int main(void)                                                  \
	{                                                               \
		SRunner *sr = srunner_create(suite_fn());               \
		int failed;                                             \
		srunner_run_all(sr, CK_NORMAL);                         \
		failed = srunner_ntests_failed(sr);                     \
		srunner_free(sr);                                       \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;            \
	}

#endif /* VIRTSIM_TESTS_TESTUTIL_H */
