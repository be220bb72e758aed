/* SPDX-License-Identifier: MIT */
/*
 * A disk backend on a host file or block device: preadv/pwritev of a
 * request's scattered buffers at 64-bit offsets (configure's
 * AC_SYS_LARGEFILE), fsync for flush.
 *
 * An image is shared only between read-only disks, as QEMU's image
 * locking allows: within this process by the list of open images, and
 * with other processes by an advisory flock, shared for a read-only disk
 * and exclusive for a writable one.
 */
#include "devices/blk/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(sizeof(off_t) == 8, "disk images need 64-bit file offsets");

struct disk_file {
	struct disk disk;
	int fd;
	dev_t dev; /* the image, for the open list */
	ino_t ino;
	struct disk_file *next_open;
};

/* Every image this process has open; machines are built on one thread. */
static struct disk_file *open_images;

/* The open disk on the image @st names, if any. */
static struct disk_file *image_open(const struct stat *st)
{
	for (struct disk_file *f = open_images; f; f = f->next_open)
		if (f->dev == st->st_dev && f->ino == st->st_ino)
			return f;
	return NULL;
}

/*
 * Whether a disk may use the image @fd, @st: one line in @err if not.
 * Read-only disks share an image; a writable one has it alone.
 */
static int image_claim(int fd, const struct stat *st, const char *path,
		       bool readonly, char *err, size_t errlen)
{
	struct disk_file *other = image_open(st);

	if (other && !(readonly && other->disk.readonly)) {
		snprintf(err, errlen,
			 "%s: already another disk's image: disks share an "
			 "image only when all are read-only (ro)",
			 path);
		return -1;
	}
	if (flock(fd, (readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0)
		return 0;
	if (errno == EWOULDBLOCK)
		snprintf(err, errlen, "%s: locked by another process%s", path,
			 readonly ? " that may be writing it"
				  : " (another virtsim?): a writable disk "
				    "needs the image alone");
	else
		snprintf(err, errlen, "%s: cannot lock it: %s", path,
			 strerror(errno));
	return -1;
}

static struct disk_file *to_file(struct disk *d)
{
	return (struct disk_file *)d;
}

/* One system call: pread/pwrite for one buffer, which costs the kernel
 * less than the vector calls, preadv/pwritev for several. */
static ssize_t disk_file_io(struct disk *d, int fd, bool write,
			    const struct iovec *iov, unsigned cnt, uint64_t off)
{
	/* Injected: the call fails as it does on a failing medium. */
	if (write ? fault_fire(d->faults, FAULT_BLK_WRITE_ERR, d->fault_dev)
		  : fault_fire(d->faults, FAULT_BLK_READ_ERR, d->fault_dev)) {
		errno = EIO;
		return -1;
	}
	if (cnt == 1)
		return write ? pwrite(fd, iov->iov_base, iov->iov_len, (off_t)off)
			     : pread(fd, iov->iov_base, iov->iov_len, (off_t)off);
	return write ? pwritev(fd, iov, (int)cnt, (off_t)off)
		     : preadv(fd, iov, (int)cnt, (off_t)off);
}

/*
 * The whole of @req at once: one system call, and only after a short
 * transfer (a signal, a file that changed size) a loop over what is left.
 */
static int disk_file_transfer(struct disk *d, int fd,
			      const struct disk_req *req)
{
	struct iovec left[IOV_MAX];
	const struct iovec *iov = req->iov;
	unsigned cnt = req->iovcnt;
	uint64_t off = req->offset;
	size_t todo = req->len;

	if (cnt > IOV_MAX)
		return -EINVAL;
	for (;;) {
		ssize_t n =
		    disk_file_io(d, fd, req->op == DISK_WRITE, iov, cnt, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if ((size_t)n == todo)
			return 0;
		if (n == 0)
			return -EIO; /* the file shrank under us */
		if (iov != left) {
			memcpy(left, iov, cnt * sizeof(*iov));
			iov = left;
		}
		todo -= (size_t)n;
		off += (uint64_t)n;
		while ((size_t)n >= left[0].iov_len) {
			n -= (ssize_t)left[0].iov_len;
			memmove(left, left + 1, --cnt * sizeof(*left));
		}
		left[0].iov_base = (uint8_t *)left[0].iov_base + n;
		left[0].iov_len -= (size_t)n;
	}
}

static int disk_file_flush(struct disk *d, int fd)
{
	if (fault_fire(d->faults, FAULT_BLK_FLUSH_ERR, d->fault_dev))
		return -EIO; /* injected: as fsync after a lost write */
	while (fsync(fd)) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

/* Synchronous: every request is done before submit returns. */
static void disk_file_submit(struct disk *d, struct disk_req *req)
{
	int fd = to_file(d)->fd, err;

	if (req->op == DISK_FLUSH)
		err = disk_file_flush(d, fd);
	else if (req->op == DISK_WRITE && d->readonly)
		err = -EROFS;
	else if (!disk_range_ok(d, req->offset, req->len))
		err = -EINVAL;
	else if (req->len == 0)
		err = 0;
	else
		err = disk_file_transfer(d, fd, req);
	req->done(req, err);
}

static void disk_file_close(struct disk *d)
{
	struct disk_file **p = &open_images;

	while (*p != to_file(d))
		p = &(*p)->next_open;
	*p = to_file(d)->next_open;
	close(to_file(d)->fd); /* and with it the lock */
	free(d);
}

static const struct disk_ops disk_file_ops = {
    .submit = disk_file_submit,
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
	if (image_claim(fd, &st, path, readonly, err, errlen))
		goto fail;
	f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	f->disk.ops = &disk_file_ops;
	f->disk.size = (uint64_t)size;
	f->disk.readonly = readonly;
	f->fd = fd;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->next_open = open_images;
	open_images = f;
	return &f->disk;
fail:
	close(fd);
	return NULL;
}
