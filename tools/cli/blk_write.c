/* SPDX-License-Identifier: MIT */
/*
 * blk_write.c - blk-write LBA FILE: a host file onto a disk, through the
 * whole driver stack, then a flush.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drivers/virtio/virtio_blk.h"
#include "tools/cli/workload.h"
#include "tools/vm/blk_class.h"
#include "tools/vm/device_options.h"
#include "tools/vm/guest.h"

#define CHUNK_BYTES (128u * VIRTIO_BLK_SECTOR_SIZE) /* 64 KiB per request */

static int blk_write_parse(struct cli_options *o, char **args, char *err,
			   size_t errlen)
{
	if (vm_parse_u64(args[0], &o->lba)) {
		snprintf(err, errlen, "blk-write: bad LBA '%s'", args[0]);
		return -1;
	}
	o->input = args[1];
	return 0;
}

/* Open @path, a regular file of a non-zero multiple of 512 bytes. */
static int open_input(const char *path, off_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "virtsim: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size % 512 || st.st_size == 0) {
		fprintf(stderr,
			"virtsim: %s: size %lld is not a non-zero multiple of "
			"512 bytes\n",
			path, (long long)st.st_size);
		close(fd);
		return -1;
	}
	*size = st.st_size;
	return fd;
}

static int blk_write_run(struct vm *vm, const struct cli_options *o)
{
	struct virtio_blk *b = vm_virtio_blk(vm, o->unit);
	uint64_t lba = o->lba;
	struct dma_buf buf;
	off_t size;
	int fd, err, ret = 0;

	fd = open_input(o->input, &size);
	if (fd < 0)
		return EXIT_USAGE;
	if (dma_buf_get(&buf, machine_hal(&vm->machine), CHUNK_BYTES)) {
		close(fd);
		return blk_op_failed(o->unit, "DMA allocation",
				     -VIRTIO_ERR_DMA_ERROR);
	}
	for (uint64_t off = 0; off < (uint64_t)size && !ret;) {
		size_t len = (uint64_t)size - off < CHUNK_BYTES
				 ? (size_t)((uint64_t)size - off)
				 : CHUNK_BYTES;

		if (pread(fd, buf.p, len, (off_t)off) != (ssize_t)len) {
			fprintf(stderr, "virtsim: %s: short read\n", o->input);
			ret = EXIT_USAGE;
			break;
		}
		err = virtio_blk_write(b, lba, buf.p, len);
		if (err)
			ret = blk_op_failed(o->unit, "write", err);
		lba += len / VIRTIO_BLK_SECTOR_SIZE;
		off += len;
	}
	close(fd);
	dma_buf_put(&buf);
	if (!ret && (err = virtio_blk_flush(b)))
		ret = blk_op_failed(o->unit, "flush", err);
	return ret;
}

const struct workload blk_write_workload = {
    .name = "blk-write",
    .args = "LBA FILE",
    .help = "write FILE (a multiple of 512 bytes) at LBA, then flush",
    .nargs = 2,
    .cls = &blk_class,
    .takes = CLI_OPT_DISK,
    .parse = blk_write_parse,
    .run = blk_write_run,
};
