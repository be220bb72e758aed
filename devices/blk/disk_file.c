/*
 * A disk backend on a host file or block device: pread/pwrite at 64-bit
 * offsets (configure's AC_SYS_LARGEFILE), fsync for flush.
 */
#include "devices/blk/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(sizeof(off_t) == 8, "disk images need 64-bit file offsets");

struct disk_file {
	struct disk disk;
	int fd;
};

static struct disk_file *to_file(struct disk *d)
{
	return (struct disk_file *)d;
}

static bool disk_file_range_ok(const struct disk *d, uint64_t offset,
			       size_t len)
{
	return offset <= d->size && len <= d->size - offset;
}

static int disk_file_read(struct disk *d, uint64_t offset, void *buf,
			  size_t len)
{
	int fd = to_file(d)->fd;
	uint8_t *p = buf;

	if (!disk_file_range_ok(d, offset, len))
		return -EINVAL;
	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)offset);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO; /* the file shrank under us */
		p += n;
		offset += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int disk_file_write(struct disk *d, uint64_t offset, const void *buf,
			   size_t len)
{
	int fd = to_file(d)->fd;
	const uint8_t *p = buf;

	if (d->readonly)
		return -EROFS;
	if (!disk_file_range_ok(d, offset, len))
		return -EINVAL;
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)offset);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		offset += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int disk_file_flush(struct disk *d)
{
	while (fsync(to_file(d)->fd)) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

static void disk_file_close(struct disk *d)
{
	close(to_file(d)->fd);
	free(d);
}

static const struct disk_ops disk_file_ops = {
    .read = disk_file_read,
    .write = disk_file_write,
    .flush = disk_file_flush,
    .close = disk_file_close,
};

struct disk *disk_file_open(const char *path, bool readonly, char *err,
			    size_t errlen)
{
	struct disk_file *f;
	struct stat st;
	off_t size;
	int fd;

	fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (S_ISREG(st.st_mode)) {
		size = st.st_size;
	} else if (S_ISBLK(st.st_mode)) {
		size = lseek(fd, 0, SEEK_END);
		if (size < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
	} else {
		snprintf(err, errlen, "%s: not a regular file or block device",
			 path);
		goto fail;
	}
	if (size == 0) {
		snprintf(err, errlen, "%s: empty image", path);
		goto fail;
	}
	if (size % 512) {
		snprintf(err, errlen,
			 "%s: size %" PRIu64 " is not a multiple of 512 bytes",
			 path, (uint64_t)size);
		goto fail;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	f->disk.ops = &disk_file_ops;
	f->disk.size = (uint64_t)size;
	f->disk.readonly = readonly;
	f->fd = fd;
	return &f->disk;
fail:
	close(fd);
	return NULL;
}
