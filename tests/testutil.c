#include "tests/testutil.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

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
