/* SPDX-License-Identifier: MIT */
/*
 * testutil.h - shared scaffolding for the Check suites.
 */
#ifndef VIRTSIM_TESTS_TESTUTIL_H
#define VIRTSIM_TESTS_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

struct machine;
struct virtio_dev;

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

/* [@off, +@len) of the file at @path into @buf; a short read fails. */
void test_file_read(const char *path, void *buf, size_t len,
		    unsigned long long off);
/* The test fails unless @buf holds the pattern of [@offset, +@len). */
void test_expect_pattern(const void *buf, size_t len,
			 unsigned long long offset);

/*
 * A virtio-blk model on the image at @path (NULL @serial: the model's
 * default), owned by @m: destroyed at machine_destroy, after the
 * front-end it gets attached to. Only in builds with virtio-blk.
 */
struct virtio_dev *test_blk_model(struct machine *m, const char *path,
				  bool readonly, const char *serial);
/* The same with the model's options (struct blk_model_options *). */
struct blk_model_options;
struct virtio_dev *test_blk_model_opts(struct machine *m, const char *path,
				       bool readonly,
				       const struct blk_model_options *o);

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
