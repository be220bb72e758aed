/* SPDX-License-Identifier: MIT */
/*
 * blk_selftest.c - the virtio-blk class's part of `virtsim selftest`.
 *
 * A scratch disk is written with a seeded pattern, flushed, read back and
 * verified; every disk is then read whole through the stack and compared
 * with host preads of its image, whole-disk passes of both are timed in
 * turn, and reads are kept in flight through the token API. A null disk
 * (null:SIZE) keeps nothing it is given, so nothing is written and read
 * back: its reads are checked to be zeros.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/adapter/blk_device.h"
#include "drivers/virtio/virtio_blk.h"
#include "tools/vm/blk_class.h"
#include "tools/vm/blk_host.h"
#include "tools/vm/guest.h"

/* 64 KiB requests: whole blocks of any block size the driver takes. */
#define CHUNK_BYTES (64u << 10)
_Static_assert(CHUNK_BYTES % VIRTIO_BLK_MAX_BLK_SIZE == 0,
	       "a chunk is whole blocks");
#define BATCH_DEPTH 16u
#define BATCH_READS 4096u
#define BENCH_ROUNDS 3u
#define NULL_CHECK_BYTES (64ull << 20) /* of a null disk, read and checked */

static uint8_t pattern_byte(uint64_t seed, uint64_t off)
{
	uint64_t x = (off >> 3) * 0x9e3779b97f4a7c15ull ^ seed;

	x ^= x >> 29;
	return (uint8_t)(x >> (8 * (off & 7)));
}

/* The disk's addressable bytes: whole logical blocks. */
static uint64_t disk_bytes(const struct virtio_blk *b)
{
	uint64_t bs = virtio_blk_block_size(b);

	return virtio_blk_capacity(b) * VIRTIO_BLK_SECTOR_SIZE / bs * bs;
}

/* The length of the request at byte @off of a disk of @bytes. */
static size_t chunk_len(uint64_t bytes, uint64_t off)
{
	return bytes - off < CHUNK_BYTES ? (size_t)(bytes - off) : CHUNK_BYTES;
}

/* One driver read or write at byte @off, its time added to *@ms. */
static int timed_io(struct virtio_blk *b, bool write, uint64_t off, uint8_t *p,
		    size_t len, double *ms)
{
	uint64_t sector = off / VIRTIO_BLK_SECTOR_SIZE;
	double t = guest_now_ms();
	int err = write ? virtio_blk_write(b, sector, p, len)
			: virtio_blk_read(b, sector, p, len);

	*ms += guest_now_ms() - t;
	return err;
}

/*
 * Write the pattern over the whole disk, flush, read back and verify.
 * Only the driver calls are timed, not making or checking the pattern.
 */
static int write_verify(struct vm_device *d, struct virtio_blk *b,
			uint64_t seed, struct dma_buf *buf,
			struct vm_selftest *st)
{
	uint64_t bytes = disk_bytes(b);
	double t, t_write = 0, t_flush, t_read = 0;
	int err;

	for (uint64_t off = 0; off < bytes; off += CHUNK_BYTES) {
		size_t len = chunk_len(bytes, off);

		for (size_t i = 0; i < len; i++)
			buf->p[i] = pattern_byte(seed, off + i);
		err = timed_io(b, true, off, buf->p, len, &t_write);
		if (err) {
			vm_selftest_progress(st, "writing", bytes, bytes);
			return blk_op_failed(d->unit, "write", err);
		}
		st->requests++;
		vm_selftest_progress(st, "writing", off + len, bytes);
	}
	t = guest_now_ms();
	err = virtio_blk_flush(b);
	t_flush = guest_now_ms() - t;
	if (err)
		return blk_op_failed(d->unit, "flush", err);
	for (uint64_t off = 0; off < bytes; off += CHUNK_BYTES) {
		size_t len = chunk_len(bytes, off);

		err = timed_io(b, false, off, buf->p, len, &t_read);
		if (err) {
			vm_selftest_progress(st, "verifying", bytes, bytes);
			return blk_op_failed(d->unit, "read", err);
		}
		for (size_t i = 0; i < len; i++) {
			if (buf->p[i] == pattern_byte(seed, off + i))
				continue;
			vm_selftest_progress(st, "verifying", bytes, bytes);
			fprintf(stderr,
				"virtsim: blk%u: " VM_SELFTEST_WRONG_DATA
				"byte %" PRIu64 " reads 0x%02x, wrote 0x%02x\n",
				d->unit, off + i, buf->p[i],
				pattern_byte(seed, off + i));
			return 1;
		}
		st->requests++;
		vm_selftest_progress(st, "verifying", off + len, bytes);
	}
	st->requests++; /* the flush */
	st->bytes += 2 * bytes;
	fprintf(st->out,
		"blk%u: wrote %" PRIu64 " MiB in %.1f ms (%.0f MiB/s), flush "
		"%.2f ms, read back %.1f ms (%.0f MiB/s), verified\n",
		d->unit, bytes >> 20, t_write, guest_mib_per_s(bytes, t_write),
		t_flush, t_read, guest_mib_per_s(bytes, t_read));
	return 0;
}

/* The host's baseline: pread @len bytes at @off of @fd, 0 or -errno. */
static int host_pread(int fd, uint64_t off, uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return n < 0 ? -errno : -EIO;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * One timed pass over the disk: through the stack (@b), or straight from
 * the image with host preads (@fd).
 */
static int timed_pass(struct virtio_blk *b, int fd, uint8_t *p, uint64_t bytes,
		      double *ms)
{
	double t = guest_now_ms();
	int err = 0;

	for (uint64_t off = 0; off < bytes && !err; off += CHUNK_BYTES) {
		size_t len = chunk_len(bytes, off);

		err =
		    b ? virtio_blk_read(b, off / VIRTIO_BLK_SECTOR_SIZE, p, len)
		      : host_pread(fd, off, p, len);
	}
	*ms = guest_now_ms() - t;
	return err;
}

/*
 * Read the whole disk through the driver and compare it with a host
 * pread of the image. Then time whole-disk passes of each, in turn, best
 * of BENCH_ROUNDS: interleaving them per chunk would hand the second
 * reader a warm CPU cache.
 */
static int compare_image(struct vm_device *d, struct virtio_blk *b,
			 struct dma_buf *buf, struct vm_selftest *st)
{
	const struct blk_host *h = d->host;
	const char *path = h->path ? h->path : "the scratch image";
	uint64_t bytes = disk_bytes(b);
	uint8_t *host = malloc(CHUNK_BYTES);
	double t_stack = 0, t_host = 0, t;
	int fd = h->fd, err = 0, ret = 0;

	if (!host) {
		fprintf(stderr, "virtsim: out of memory\n");
		ret = 1;
	}
	for (uint64_t off = 0; off < bytes && !ret; off += CHUNK_BYTES) {
		size_t len = chunk_len(bytes, off);

		err = virtio_blk_read(b, off / VIRTIO_BLK_SECTOR_SIZE, buf->p,
				      len);
		if (err) {
			ret = blk_op_failed(d->unit, "read", err);
		} else if ((err = host_pread(fd, off, host, len))) {
			fprintf(stderr, "virtsim: %s: %s\n", path,
				strerror(-err));
			ret = 1;
		} else if (memcmp(host, buf->p, len)) {
			fprintf(stderr,
				"virtsim: blk%u: " VM_SELFTEST_WRONG_DATA
				"the driver read differs from "
				"%s near byte %" PRIu64 "\n",
				d->unit, path, off);
			ret = 1;
		}
		st->requests++;
		vm_selftest_progress(st, "comparing with the image",
				     ret ? bytes : off + len, bytes);
	}
	for (unsigned r = 0; r < BENCH_ROUNDS && !ret; r++) {
		vm_selftest_progress(st, "timing", r, BENCH_ROUNDS);
		err = timed_pass(b, -1, buf->p, bytes, &t);
		if (err) {
			ret = blk_op_failed(d->unit, "read", err);
			break;
		}
		t_stack = r == 0 || t < t_stack ? t : t_stack;
		err = timed_pass(NULL, fd, host, bytes, &t);
		if (err) {
			fprintf(stderr, "virtsim: %s: %s\n", path,
				strerror(-err));
			ret = 1;
			break;
		}
		t_host = r == 0 || t < t_host ? t : t_host;
		st->requests += (bytes + CHUNK_BYTES - 1) / CHUNK_BYTES;
	}
	vm_selftest_progress(st, "timing", BENCH_ROUNDS, BENCH_ROUNDS);
	free(host);
	if (ret)
		return ret;
	st->bytes += (1 + BENCH_ROUNDS) * bytes;
	fprintf(st->out,
		"blk%u: read %" PRIu64 " MiB through the stack = image; best "
		"of %u: stack %.2f ms (%.0f MiB/s), host pread %.2f ms, "
		"stack/pread %.2fx\n",
		d->unit, bytes >> 20, BENCH_ROUNDS, t_stack,
		guest_mib_per_s(bytes, t_stack), t_host,
		t_host > 0 ? t_stack / t_host : 0);
	return 0;
}

/*
 * A null disk: there is no image to compare with and writes are dropped,
 * so the check is that reads (of its first NULL_CHECK_BYTES) are zeros.
 */
static int check_null(struct vm_device *d, struct virtio_blk *b,
		      struct dma_buf *buf, struct vm_selftest *st)
{
	uint64_t bytes = b->capacity * VIRTIO_BLK_SECTOR_SIZE;
	double t = 0;
	int err;

	if (bytes > NULL_CHECK_BYTES)
		bytes = NULL_CHECK_BYTES;
	for (uint64_t off = 0; off < bytes; off += CHUNK_BYTES) {
		size_t len = chunk_len(bytes, off);

		memset(buf->p, 0xa5, len);
		err = timed_io(b, false, off, buf->p, len, &t);
		if (err)
			return blk_op_failed(d->unit, "read", err);
		for (size_t i = 0; i < len; i++) {
			if (!buf->p[i])
				continue;
			fprintf(stderr,
				"virtsim: blk%u: " VM_SELFTEST_WRONG_DATA
				"byte %" PRIu64
				" of a null disk reads 0x%02x\n",
				d->unit, off + i, buf->p[i]);
			return 1;
		}
		st->requests++;
	}
	st->bytes += bytes;
	fprintf(st->out,
		"blk%u: null disk: read %" PRIu64 " MiB of zeros in %.1f ms "
		"(%.0f MiB/s); nothing written (writes are dropped)\n",
		d->unit, bytes >> 20, t, guest_mib_per_s(bytes, t));
	return 0;
}

/* The request of @req[] that @token names, or NULL. */
static struct virtio_blk_req *batch_owner(struct virtio_blk_req *req,
					  uint16_t token)
{
	for (unsigned i = 0; i < BATCH_DEPTH; i++)
		if (req[i].in_flight && req[i].token == token)
			return &req[i];
	return NULL;
}

/*
 * Keep BATCH_DEPTH single-block reads in flight with the token API, each
 * completed by the token poll returned (in deferred mode they come back
 * out of order). The requests
 * live in DMA memory, as a guest kernel would keep them, so their headers
 * and status bytes are shared without a bounce.
 */
static int batch(struct vm *vm, struct vm_device *d, struct virtio_blk *b,
		 struct vm_selftest *st)
{
	const struct hal *hal = machine_hal(&vm->machine);
	uint32_t bsize = virtio_blk_block_size(b);
	uint64_t per = bsize / VIRTIO_BLK_SECTOR_SIZE;
	uint64_t blocks = disk_bytes(b) / bsize;
	uint64_t next = 0, done = 0;
	struct virtio_blk_req *req;
	struct dma_buf buf, reqs;
	double t0;
	int err, ret = 0;

	if (blocks > BATCH_READS)
		blocks = BATCH_READS;
	if (dma_buf_get(&buf, hal, BATCH_DEPTH * bsize))
		return blk_op_failed(d->unit, "DMA allocation",
				     -VIRTIO_ERR_DMA_ERROR);
	if (dma_buf_get(&reqs, hal, BATCH_DEPTH * sizeof(*req))) {
		dma_buf_put(&buf);
		return blk_op_failed(d->unit, "DMA allocation",
				     -VIRTIO_ERR_DMA_ERROR);
	}
	req = (struct virtio_blk_req *)reqs.p; /* zeroed by the HAL */
	t0 = guest_now_ms();
	while (done < blocks && !ret) {
		struct virtio_blk_req *r;
		uint16_t token;

		for (unsigned i = 0; i < BATCH_DEPTH && next < blocks; i++) {
			if (req[i].in_flight)
				continue;
			err = virtio_blk_submit(b, &req[i], VIRTIO_BLK_T_IN,
						next * per, buf.p + i * bsize,
						bsize);
			if (err == -VIRTIO_ERR_QUEUE_FULL)
				break;
			if (err) {
				ret = blk_op_failed(d->unit, "submit", err);
				goto out;
			}
			next++;
		}
		while (virtio_blk_poll(b, &token) == 0) {
			if (hal_wait(hal) == -HAL_EIDLE &&
			    virtio_blk_poll(b, &token) == 0) {
				ret = blk_op_failed(d->unit, "poll",
						    -VIRTIO_ERR_NOT_READY);
				goto out;
			}
		}
		r = batch_owner(req, token);
		err = r ? virtio_blk_complete(b, token, r)
			: -VIRTIO_ERR_WRONG_TOKEN;
		if (err) {
			ret = blk_op_failed(d->unit, "complete", err);
			goto out;
		}
		done++;
	}
	st->requests += done;
	fprintf(st->out,
		"blk%u: %" PRIu64 " single-block reads, %u in flight, token "
		"API: %.1f ms (%.0f requests/s)\n",
		d->unit, done, BATCH_DEPTH, guest_now_ms() - t0,
		done / ((guest_now_ms() - t0) / 1e3));
out:
	dma_buf_put(&reqs);
	dma_buf_put(&buf);
	return ret;
}

int blk_selftest(struct vm *vm, struct vm_device *d, struct vm_selftest *st)
{
	struct virtio_blk *b = &((struct virtio_blk_device *)d->driver)->blk;
	/* The pattern's seed comes from the run's data stream. */
	uint64_t seed = rng_next(&vm->machine.env.rng[SIM_RNG_DATA]);
	const struct blk_host *h = d->host;
	struct dma_buf buf;
	int ret = 0;

	if (dma_buf_get(&buf, machine_hal(&vm->machine), CHUNK_BYTES))
		return blk_op_failed(d->unit, "DMA allocation",
				     -VIRTIO_ERR_DMA_ERROR);
	/* Only a scratch disk is written: the user's images are read. */
	if (h->scratch && !h->readonly)
		ret = write_verify(d, b, seed, &buf, st);
	if (!ret)
		ret = h->null ? check_null(d, b, &buf, st)
			      : compare_image(d, b, &buf, st);
	if (!ret)
		ret = batch(vm, d, b, st);
	dma_buf_put(&buf);
	return ret;
}
