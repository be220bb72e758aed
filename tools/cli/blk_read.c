/* SPDX-License-Identifier: MIT */
/*
 * blk_read.c - blk-read LBA COUNT: COUNT blocks of a disk (512-byte
 * sectors, or its logical blocks when it has larger ones), through the
 * whole driver stack, to stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "drivers/virtio/virtio_blk.h"
#include "tools/cli/workload.h"
#include "tools/vm/blk_class.h"
#include "tools/vm/device_options.h"
#include "tools/vm/guest.h"

#define CHUNK_BYTES (64u << 10) /* per request: whole blocks of any size */

static int blk_read_parse(struct cli_options *o, char **args, char *err,
			  size_t errlen)
{
	if (vm_parse_u64(args[0], &o->lba)) {
		snprintf(err, errlen,
			 "blk-read: LBA '%s': want a decimal block number (no "
			 "0x; 010 is 10)",
			 args[0]);
		return -1;
	}
	if (vm_parse_u64(args[1], &o->count) || o->count == 0) {
		snprintf(err, errlen,
			 "blk-read: COUNT '%s': want a decimal number of "
			 "blocks above 0 (no 0x; 010 is 10)",
			 args[1]);
		return -1;
	}
	return 0;
}

static int blk_read_run(struct vm *vm, const struct cli_options *o,
			struct json *json)
{
	struct virtio_blk *b = vm_virtio_blk(vm, o->unit);
	bool to_stdout = !o->out || !strcmp(o->out, "-");
	const char *name = to_stdout ? "stdout" : o->out;
	uint64_t left = o->count, lba = o->lba;
	uint32_t bsize = blk_block_size(vm, o->unit);
	uint64_t chunk = CHUNK_BYTES / bsize; /* blocks per request */
	uint64_t per = bsize / VIRTIO_BLK_SECTOR_SIZE;
	double t0 = guest_now_ms();
	FILE *out;
	struct dma_buf buf;
	int err, ret = blk_check_range(vm, o->unit, o->lba, o->count);

	if (ret)
		return ret;
	/* Opened once the range is known good: a bad one leaves it be. */
	out = to_stdout ? stdout : fopen(o->out, "wb");
	if (!out) {
		fprintf(stderr, "virtsim: blk-read --out '%s': %s\n", o->out,
			strerror(errno));
		return EXIT_USAGE;
	}
	if (dma_buf_get(&buf, machine_hal(&vm->machine), CHUNK_BYTES)) {
		if (!to_stdout)
			fclose(out);
		return blk_op_failed(o->unit, "DMA allocation",
				     -VIRTIO_ERR_DMA_ERROR);
	}
	while (left && !ret) {
		uint64_t n = left < chunk ? left : chunk;

		/* In range (checked above), so lba * per cannot wrap. */
		err = virtio_blk_read(b, lba * per, buf.p, n * bsize);
		if (err) {
			ret = blk_op_failed(o->unit, "read", err);
		} else if (fwrite(buf.p, bsize, n, out) != n) {
			fprintf(stderr, "virtsim: writing to %s: %s\n", name,
				strerror(errno));
			ret = EXIT_OP_FAILED;
		}
		lba += n;
		left -= n;
	}
	dma_buf_put(&buf);
	if (!ret && fflush(out)) {
		fprintf(stderr, "virtsim: writing to %s: %s\n", name,
			strerror(errno));
		ret = EXIT_OP_FAILED;
	}
	if (!to_stdout && fclose(out) && !ret) {
		fprintf(stderr, "virtsim: writing to %s: %s\n", name,
			strerror(errno));
		ret = EXIT_OP_FAILED;
	}
	if (json)
		json_blk_transfer(json, o->unit, o->lba, o->count - left, bsize,
				  guest_now_ms() - t0);
	return ret;
}

const struct workload blk_read_workload = {
    .name = "blk-read",
    .args = "LBA COUNT",
    .help = "read COUNT blocks at LBA to stdout (or --out FILE); blocks "
	    "are 512-byte sectors, or the disk's logical blocks if larger "
	    "(probe shows them)",
    .nargs = 2,
    .cls = &blk_class,
    .takes = CLI_OPT_DISK | CLI_OPT_OUT,
    .data_on_stdout = true,
    .parse = blk_read_parse,
    .run = blk_read_run,
};
