/* SPDX-License-Identifier: MIT */
/*
 * disks.c - what the bare-metal guest checks on every disk.
 *
 * The host fills each image with a pattern (run.sh, check_image.py):
 * byte i of 512-byte sector s is (s*13 + (s>>8)*31 + 0x5a + 7*i) & 0xff.
 * The guest reads it, writes sectors with another pattern,
 * (s*29 + (s>>8)*17 + 0xc3 + 3*i) & 0xff, reads those back, and says
 * which sectors it wrote ("wrote sectors A-B" lines); the host then
 * checks the image byte for byte. The disk's serial (GET_ID) carries
 * what the host expects: "vbm" first, "-ro" for a read-only drive,
 * "-wrap" for the long run that wraps the 16-bit ring indices.
 *
 * Each disk is brought up twice: with interrupts (its line through the
 * GIC) when the platform knows one, then polling.
 */
#include <string.h>

#include "drivers/adapter/adapter.h"
#include "drivers/adapter/blk_device.h"
#include "tools/baremetal/bm.h"
#include "tools/baremetal/bm_print.h"

#define BM_INFLIGHT_MAX 256u
#define BM_BLOCK_MAX 4096u
/* More requests than the 16-bit avail and used indices count. */
#define BM_WRAP_REQUESTS (65536u + 1000u)

static struct virtio_blk_device vbd;
static struct virtio_blk_req reqs[BM_INFLIGHT_MAX];
static uint16_t req_of_token[32768];
static uint8_t data[BM_INFLIGHT_MAX * BM_BLOCK_MAX]
    __attribute__((aligned(4096)));
static uint8_t buf[64 * 1024] __attribute__((aligned(4096)));

static uint8_t pat(uint64_t s, unsigned i, bool written)
{
	if (written)
		return (uint8_t)(s * 29 + (s >> 8) * 17 + 0xc3 + 3 * i);
	return (uint8_t)(s * 13 + (s >> 8) * 31 + 0x5a + 7 * i);
}

static void fill(uint8_t *p, uint64_t sector, size_t len)
{
	for (size_t off = 0; off < len; off++)
		p[off] = pat(sector + off / 512, off % 512, true);
}

/* Offset of the first byte that differs from the pattern, or -1. */
static long mismatch(const uint8_t *p, uint64_t sector, size_t len,
		     bool written)
{
	for (size_t off = 0; off < len; off++) {
		if (p[off] != pat(sector + off / 512, off % 512, written))
			return (long)off;
	}
	return -1;
}

static bool has(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s; s++) {
		if (!memcmp(s, word, n))
			return true;
	}
	return false;
}

struct disk {
	const char *where, *mode;
	struct virtio_blk *blk;
	uint64_t nblocks;
	uint32_t bs, spb; /* block size, and sectors per block */
	bool ro, wrap;
	unsigned span; /* blocks from 32 on with a known pattern (in_flight) */
	struct block_device *bd; /* the adapter's view of it */
};

static const char *verr(int err)
{
	return err ? virtio_error_name(err) : "ok";
}

/* Submit @n one-block requests of @type at blocks @first.., wait, check. */
static int batch(struct disk *k, uint32_t type, uint64_t first, unsigned n,
		 bool written, unsigned *peak, bool check_all)
{
	struct virtio_blk *blk = k->blk;
	unsigned sent = 0, done = 0;
	int err = 0;

	for (unsigned i = 0; i < n; i++) {
		uint64_t sector = (first + i) * k->spb;
		uint8_t *p = &data[(size_t)i * k->bs];

		if (type == VIRTIO_BLK_T_OUT)
			fill(p, sector, k->bs);
		else
			memset(p, 0, 8);
		err = virtio_blk_submit(blk, &reqs[i], type, sector, p, k->bs);
		if (err == -VIRTIO_ERR_QUEUE_FULL && sent) {
			err = 0; /* the queue holds no more: wait for these */
			break;
		}
		if (err)
			return err;
		req_of_token[reqs[i].token] = (uint16_t)i;
		sent++;
	}
	if (peak && blk->vq.in_flight > *peak)
		*peak = blk->vq.in_flight;
	while (done < sent) {
		uint16_t tok;
		int r = virtio_blk_poll(blk, &tok);

		if (r < 0)
			return r;
		if (r == 0) {
			hal_wait(bm_hal);
			continue;
		}
		unsigned i = req_of_token[tok];
		int e = virtio_blk_complete(blk, tok, &reqs[i]);

		if (e && !err)
			err = e;
		done++;
		if (!e && type == VIRTIO_BLK_T_IN) {
			uint64_t sector = (first + i) * k->spb;
			size_t len = check_all ? k->bs : 8;

			if (mismatch(&data[(size_t)i * k->bs], sector, len,
				     written) >= 0 &&
			    !err)
				err = -VIRTIO_ERR_IO_ERROR;
		}
	}
	if (!err && sent < n)
		return (int)sent; /* partial: the caller goes on from there */
	return err;
}

/* Read block @b and compare; returns 0 or the error, -1 for wrong data. */
static int read_check(struct disk *k, uint64_t b, bool written)
{
	int err = virtio_blk_read(k->blk, b * k->spb, buf, k->bs);

	if (err)
		return err;
	return mismatch(buf, b * k->spb, k->bs, written) < 0 ? 0 : -1000;
}

static void wrote(struct disk *k, uint64_t b, uint64_t n)
{
	bm_printf("bm: %s wrote sectors %lu-%lu\n", k->where,
		  (unsigned long)(b * k->spb),
		  (unsigned long)((b + n) * k->spb - 1));
}

static void single_blocks(struct disk *k)
{
	const uint64_t b[] = {0, 1, 3, k->nblocks / 2, k->nblocks - 1};
	int err;

	for (unsigned i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		err = read_check(k, b[i], false);
		bm_check(!err, "%s %s blk: read block %lu (%d)", k->where,
			 k->mode, (unsigned long)b[i], err);
	}
	if (k->ro) {
		fill(buf, 0, k->bs);
		err = virtio_blk_write(k->blk, 0, buf, k->bs);
		bm_check(err != 0,
			 "%s %s blk: write to a read-only disk "
			 "refused (%s)",
			 k->where, k->mode, verr(err));
		err = read_check(k, 0, false);
		bm_check(!err, "%s %s blk: read-only block 0 unchanged (%d)",
			 k->where, k->mode, err);
		return;
	}
	for (unsigned i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		if (i == 1)
			continue; /* block 1 stays as it was */
		fill(buf, b[i] * k->spb, k->bs);
		err = virtio_blk_write(k->blk, b[i] * k->spb, buf, k->bs);
		if (!bm_check(!err, "%s %s blk: write block %lu (%s)", k->where,
			      k->mode, (unsigned long)b[i], verr(err)))
			continue;
		wrote(k, b[i], 1);
		err = read_check(k, b[i], true);
		bm_check(!err, "%s %s blk: read back block %lu (%d)", k->where,
			 k->mode, (unsigned long)b[i], err);
	}
	err = read_check(k, 1, false);
	bm_check(!err, "%s %s blk: block 1 between writes untouched (%d)",
		 k->where, k->mode, err);
	/* One request of many blocks (64 KiB at most). */
	{
		uint64_t first = 8, n = sizeof(buf) / k->bs;

		if (n > 16)
			n = 16;
		fill(buf, first * k->spb, n * k->bs);
		err = virtio_blk_write(k->blk, first * k->spb, buf, n * k->bs);
		if (!err)
			wrote(k, first, n);
		memset(buf, 0, sizeof(buf));
		if (!err)
			err = virtio_blk_read(k->blk, first * k->spb, buf,
					      n * k->bs);
		if (!err && mismatch(buf, first * k->spb, n * k->bs, true) >= 0)
			err = -1000;
		bm_check(!err, "%s %s blk: %lu blocks in one request (%d)",
			 k->where, k->mode, (unsigned long)n, err);
	}
	err = virtio_blk_flush(k->blk);
	bm_check(!err, "%s %s blk: flush (%s)", k->where, k->mode, verr(err));
}

/* The block device adapter: the device's logical blocks, numbered. */
static void adapter_blocks(struct disk *k)
{
	struct block_device *bd = k->bd;
	uint64_t last = k->nblocks - 1;
	int err;

	bm_check(bd->ops->type(bd) == DEV_TYPE_BLOCK &&
		     bd->ops->block_size(bd) == k->bs &&
		     bd->ops->num_blocks(bd) == k->nblocks,
		 "%s %s blk: adapter: %lu blocks of %u", k->where, k->mode,
		 (unsigned long)bd->ops->num_blocks(bd),
		 (unsigned)bd->ops->block_size(bd));
	err = bd->ops->read_block(bd, last, buf, k->bs);
	if (!err && mismatch(buf, last * k->spb, k->bs, !k->ro) >= 0)
		err = -1000;
	bm_check(!err, "%s %s blk: adapter: read the last block (%d)", k->where,
		 k->mode, err);
	if (k->bs == 512)
		return;
	/* Less than a logical block: refused before it reaches the disk
	 * (QEMU would fail it with IOERR); the host sees sector 1 as it
	 * was. */
	err = virtio_blk_read(k->blk, 1, buf, 512);
	bm_check(err == -VIRTIO_ERR_INVALID_PARAM,
		 "%s %s blk: a 512-byte read on %u-byte blocks refused (%s)",
		 k->where, k->mode, k->bs, verr(err));
	if (k->ro)
		return;
	fill(buf, 1, 512);
	err = virtio_blk_write(k->blk, 1, buf, 512);
	bm_check(err == -VIRTIO_ERR_INVALID_PARAM,
		 "%s %s blk: a 512-byte write on %u-byte blocks refused (%s)",
		 k->where, k->mode, k->bs, verr(err));
}

/* As many requests in flight as the queue takes, writes then reads. */
static void in_flight(struct disk *k)
{
	uint64_t first = 32;
	unsigned n = k->blk->vq.size, peak = 0;
	int err;

	if (n > BM_INFLIGHT_MAX)
		n = BM_INFLIGHT_MAX;
	if (first + n > k->nblocks)
		n = (unsigned)(k->nblocks - first);
	if (!k->ro) {
		err = batch(k, VIRTIO_BLK_T_OUT, first, n, true, &peak, false);
		if (err > 0) {
			n = (unsigned)err; /* what the queue held */
			err = 0;
		}
		if (!err)
			wrote(k, first, n);
		bm_check(!err, "%s %s blk: %u writes in flight at once (%s)",
			 k->where, k->mode, peak, verr(err));
	}
	peak = 0;
	err = batch(k, VIRTIO_BLK_T_IN, first, n, !k->ro, &peak, true);
	if (err > 0) {
		n = (unsigned)err;
		err = 0;
	}
	bm_check(!err, "%s %s blk: %u reads in flight at once (%s)", k->where,
		 k->mode, peak, verr(err));
	k->span = err ? 0 : n;
}

/* Many requests: the ring positions wrap; with "-wrap", the indices too. */
static void many(struct disk *k)
{
	unsigned total = k->wrap ? BM_WRAP_REQUESTS : 4u * k->blk->vq.size + 7;
	unsigned n = k->span > 64 ? 64 : k->span;
	uint64_t adds0 = k->blk->vq.adds, t0 = virt_now_ns();
	unsigned done = 0;
	int err = 0;

	if (!n)
		return; /* in_flight failed: nothing known to read back */
	/* The blocks in_flight left, again and again. */
	while (done < total && !err) {
		unsigned m = total - done < n ? total - done : n;

		err = batch(k, VIRTIO_BLK_T_IN, 32, m, !k->ro, NULL, false);
		if (err > 0) {
			done += (unsigned)err;
			err = 0;
		} else if (!err) {
			done += m;
		}
	}
	uint64_t adds = k->blk->vq.adds - adds0;
	uint64_t us = (virt_now_ns() - t0) / 1000;

	bm_check(!err && adds >= total,
		 "%s %s blk: %u requests in batches of %u (%s), %lu us, "
		 "avail_idx %u used_idx %u",
		 k->where, k->mode, done, n, verr(err), (unsigned long)us,
		 k->blk->vq.avail_idx, k->blk->vq.last_used_idx);
	if (k->wrap)
		bm_check(adds > 65536 && k->blk->vq.avail_idx < adds,
			 "%s %s blk: the 16-bit ring indices wrapped (%lu "
			 "requests)",
			 k->where, k->mode, (unsigned long)adds);
}

static void disk_pass(struct platform_device *d, const char *where,
		      bool use_irq, bool first)
{
	struct virtio_blk_options o = {0};
	unsigned pages0 = virt_hal_dma_pages_used();
	uint64_t irqs0 = virt_hal_irqs();
	struct disk k = {.where = where, .mode = use_irq ? "irq" : "poll"};
	char id[VIRTIO_BLK_ID_BYTES + 1] = "";
	int err;

	o.use_irq = use_irq;
	err = virtio_blk_device_init(&vbd, d->transport, &o, d->irq_line);
	if (!bm_check(!err, "%s %s blk: init (%s, %s)", where, k.mode,
		      err ? dev_err_name(err) : "ok", verr(vbd.last_error)))
		return;
	k.blk = &vbd.blk;
	k.bs = k.blk->blk_size;
	k.spb = k.bs / 512;
	k.nblocks = virtio_blk_capacity(k.blk) / k.spb;
	bm_printf(
	    "bm: %s %s blk: %s, %lu sectors, blk_size %u, queue %u, "
	    "features 0x%lx, irq %u\n",
	    where, k.mode,
	    virtio_transport_is_legacy(d->transport) ? "legacy" : "modern",
	    (unsigned long)virtio_blk_capacity(k.blk), k.bs, k.blk->vq.size,
	    (unsigned long)k.blk->vdev.features, use_irq ? d->irq_line : 0);
	bm_check(k.nblocks > 40 && k.bs <= BM_BLOCK_MAX &&
		     virtio_blk_capacity(k.blk) % k.spb == 0,
		 "%s %s blk: capacity %lu sectors of 512, blocks of %u", where,
		 k.mode, (unsigned long)virtio_blk_capacity(k.blk), k.bs);
	err = virtio_blk_get_id(k.blk, id);
	bm_check(!err && !memcmp(id, "vbm", 3), "%s %s blk: GET_ID \"%s\" (%s)",
		 where, k.mode, id, verr(err));
	k.ro = has(id, "-ro");
	k.wrap = first && has(id, "-wrap");
	bm_check(k.blk->readonly == k.ro, "%s %s blk: read-only is %s", where,
		 k.mode, k.blk->readonly ? "set" : "clear");
	if (k.nblocks > 40 && k.bs <= BM_BLOCK_MAX) {
		k.bd = virtio_blk_device_base(&vbd);
		if (first) {
			single_blocks(&k);
			adapter_blocks(&k);
		}
		in_flight(&k);
		many(&k);
	}
	if (use_irq)
		bm_check(virt_hal_irqs() > irqs0,
			 "%s %s blk: completions by interrupt (%lu)", where,
			 k.mode, (unsigned long)(virt_hal_irqs() - irqs0));
	virtio_blk_device_destroy(&vbd);
	bm_check(virt_hal_dma_pages_used() == pages0,
		 "%s %s blk: destroy gives every DMA page back", where, k.mode);
}

void bm_disk_test(struct platform_device *d, const char *where)
{
	bool irq = d->irq_line != VIRTIO_NO_IRQ;

	if (irq)
		disk_pass(d, where, true, true);
	disk_pass(d, where, false, !irq);
}
