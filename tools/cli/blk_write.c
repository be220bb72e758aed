/* SPDX-License-Identifier: MIT */
/*
 * blk_write.c - blk-write LBA FILE: a host file onto a disk at block LBA
 * (512-byte sectors, or its larger logical blocks), through the whole
 * driver stack, then a flush.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drivers/base/dev.h"
#include "drivers/virtio/virtio_blk.h"
#include "tools/cli/workload.h"
#include "tools/vm/blk_class.h"
#include "tools/vm/device_options.h"
#include "tools/vm/guest.h"

#define CHUNK_BYTES (64u << 10) /* per request: whole blocks of any size */

static int blk_write_parse(struct cli_options *o, char **args, char *err,
			   size_t errlen)
{
	if (vm_parse_u64(args[0], &o->lba)) {
		snprintf(err, errlen,
			 "blk-write: LBA '%s': want a decimal block number (no "
			 "0x; 010 is 10)",
			 args[0]);
		return -1;
	}
	o->input = args[1];
	return 0;
}

/* What a file that is not a regular file is, for the message. */
static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

/*
 * Open @path, a regular file of a non-zero multiple of @bsize bytes. It
 * is looked at before it is opened: opening a FIFO would block.
 */
static int open_input(const char *path, uint32_t bsize, off_t *size)
{
	struct stat st, fst;
	int fd;

	if (stat(path, &st)) {
		fprintf(stderr, "virtsim: blk-write FILE '%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr,
			"virtsim: blk-write FILE '%s': %s, not a regular "
			"file (use - for stdin)\n",
			path, file_kind(st.st_mode));
		return -1;
	}
	/* O_NONBLOCK: had it been swapped for a FIFO since, no hang. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &fst)) {
		fprintf(stderr, "virtsim: blk-write FILE '%s': %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(fst.st_mode) || fst.st_size % bsize || fst.st_size == 0) {
		fprintf(stderr,
			"virtsim: blk-write FILE '%s': size %lld is not a "
			"non-zero multiple of %" PRIu32 " bytes%s\n",
			path, (long long)fst.st_size, bsize,
			bsize == 512 ? "" : " (the disk's block size)");
		close(fd);
		return -1;
	}
	*size = fst.st_size;
	return fd;
}

/*
 * `-`: stdin into memory, at most @max bytes and one block more (so
 * that too much is seen as too much); a non-zero multiple of @bsize.
 */
static int read_stdin(uint64_t max, uint32_t bsize, unsigned char **data,
		      uint64_t *size)
{
	uint64_t cap = 0, len = 0, limit = max + bsize;
	unsigned char *p = NULL;

	for (;;) {
		ssize_t n;

		if (len == cap) {
			uint64_t want = cap ? cap * 2 : 1u << 16;
			unsigned char *q;

			if (want > limit)
				want = limit;
			if (len == want)
				break;
			q = realloc(p, (size_t)want);
			if (!q) {
				fprintf(stderr, "virtsim: blk-write FILE '-': "
						"out of memory\n");
				free(p);
				return -1;
			}
			p = q;
			cap = want;
		}
		n = read(STDIN_FILENO, p + len, (size_t)(cap - len));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "virtsim: blk-write FILE '-': %s\n",
				strerror(errno));
			free(p);
			return -1;
		}
		if (n == 0)
			break;
		len += (uint64_t)n;
	}
	if (len % bsize || len == 0) {
		fprintf(stderr,
			"virtsim: blk-write FILE '-': size %" PRIu64
			"%s is not a non-zero multiple of %" PRIu32
			" bytes%s\n",
			len, len == limit ? " or more" : "", bsize,
			bsize == 512 ? "" : " (the disk's block size)");
		free(p);
		return -1;
	}
	*data = p;
	*size = len;
	return 0;
}

/* A failed write; on a read-only disk, saying so as well. */
static int write_failed(struct virtio_blk *b, unsigned unit, int err)
{
	return blk_op_failed_why(unit, b->readonly ? " is read-only (ro)" : "",
				 "write", err);
}

static int blk_write_run(struct vm *vm, const struct cli_options *o,
			 struct json *json)
{
	struct virtio_blk *b = vm_virtio_blk(vm, o->unit);
	struct block_device *bd = vm_disk(vm, o->unit);
	uint32_t bsize = blk_block_size(vm, o->unit);
	uint64_t per = bsize / VIRTIO_BLK_SECTOR_SIZE;
	uint64_t lba = o->lba, size, cap = bd ? bd->ops->num_blocks(bd) : 0;
	unsigned char *data = NULL;
	double t0 = guest_now_ms();
	struct dma_buf buf;
	int fd = -1, err, ret = 0;

	if (!strcmp(o->input, "-")) {
		if (read_stdin(lba < cap ? (cap - lba) * bsize : 0, bsize,
			       &data, &size))
			return EXIT_USAGE;
	} else {
		off_t fsize;

		fd = open_input(o->input, bsize, &fsize);
		if (fd < 0)
			return EXIT_USAGE;
		size = (uint64_t)fsize;
	}
	ret = blk_check_range(vm, o->unit, lba, size / bsize);
	if (!ret && dma_buf_get(&buf, machine_hal(&vm->machine), CHUNK_BYTES))
		ret = blk_op_failed(o->unit, "DMA allocation",
				    -VIRTIO_ERR_DMA_ERROR);
	else if (!ret) {
		for (uint64_t off = 0; off < size && !ret;) {
			size_t len = size - off < CHUNK_BYTES
					 ? (size_t)(size - off)
					 : CHUNK_BYTES;

			if (data) {
				memcpy(buf.p, data + off, len);
			} else if (pread(fd, buf.p, len, (off_t)off) !=
				   (ssize_t)len) {
				fprintf(stderr,
					"virtsim: blk-write FILE '%s': short "
					"read\n",
					o->input);
				ret = EXIT_USAGE;
				break;
			}
			/* In range (checked above): lba * per cannot wrap. */
			err = virtio_blk_write(b, lba * per, buf.p, len);
			if (err)
				ret = write_failed(b, o->unit, err);
			lba += len / bsize;
			off += len;
		}
		dma_buf_put(&buf);
		if (!ret && (err = virtio_blk_flush(b)))
			ret = blk_op_failed(o->unit, "flush", err);
	}
	if (fd >= 0)
		close(fd);
	free(data);
	if (json)
		json_blk_transfer(json, o->unit, o->lba, lba - o->lba, bsize,
				  guest_now_ms() - t0);
	return ret;
}

const struct workload blk_write_workload = {
    .name = "blk-write",
    .args = "LBA FILE",
    .help = "write FILE (a regular file of a multiple of the block size, "
	    "512 bytes or the disk's larger logical block; - for stdin) at "
	    "block LBA, then flush",
    .nargs = 2,
    .cls = &blk_class,
    .takes = CLI_OPT_DISK,
    .parse = blk_write_parse,
    .run = blk_write_run,
};
