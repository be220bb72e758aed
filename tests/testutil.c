/* SPDX-License-Identifier: MIT */
#include "tests/testutil.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "sim/machine.h"
#ifdef VIRTSIM_HAVE_BLK
#include "devices/blk/blk_model.h"
#include "devices/blk/disk.h"
#endif

void test_make_file(char *path, size_t path_len, const char *tag,
		    unsigned long long size, int pattern)
{
	const char *dir = getenv("TMPDIR");
	unsigned char buf[65536];
	unsigned long long off = 0;
	int fd;

	snprintf(path, path_len, "%s/virtsim-%s-XXXXXX", dir && *dir ? dir : "/tmp",
		 tag);
	fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp %s", path);
	ck_assert_int_eq(ftruncate(fd, (off_t)size), 0);
	while (pattern && off < size) {
		size_t n = size - off < sizeof(buf) ? (size_t)(size - off)
						     : sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = test_pattern_byte(off + i);
		ck_assert(pwrite(fd, buf, n, (off_t)off) == (ssize_t)n);
		off += n;
	}
	close(fd);
}

void test_file_read(const char *path, void *buf, size_t len,
		    unsigned long long off)
{
	int fd = open(path, O_RDONLY);

	ck_assert_msg(fd >= 0, "open %s", path);
	ck_assert_int_eq(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

void test_expect_pattern(const void *buf, size_t len, unsigned long long offset)
{
	const unsigned char *b = buf;

	for (size_t i = 0; i < len; i++)
		if (b[i] != test_pattern_byte(offset + i))
			ck_abort_msg("byte %zu (offset %llu): 0x%02x, want "
				     "0x%02x",
				     i, offset + i, b[i],
				     test_pattern_byte(offset + i));
}

#ifdef VIRTSIM_HAVE_BLK
static void destroy_blk_model(void *dev)
{
	blk_model_destroy(dev);
}

struct virtio_dev *test_blk_model(struct machine *m, const char *path,
				  bool readonly, const char *serial)
{
	struct blk_model_options o = {.serial = serial};

	return test_blk_model_opts(m, path, readonly, &o);
}

struct virtio_dev *test_blk_model_opts(struct machine *m, const char *path,
				       bool readonly,
				       const struct blk_model_options *o)
{
	char err[256];
	struct disk *d = disk_file_open(path, readonly, err, sizeof(err));
	struct virtio_dev *dev;

	ck_assert_msg(d != NULL, "%s", err);
	dev = blk_model_create(&m->env, d, o);
	ck_assert_ptr_nonnull(dev);
	/* Registered before any attach: released after the front-end. */
	ck_assert_int_eq(machine_on_destroy(m, destroy_blk_model, dev), 0);
	return dev;
}
#endif
