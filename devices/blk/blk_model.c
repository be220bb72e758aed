/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk device model (§5.2) on a disk backend.
 *
 * A request is a device-readable 16-byte header, data, and one writable
 * status byte at the very end (BLK-N-01); with ANY_LAYOUT-style framing
 * the header may be split over descriptors, so it is gathered. The hot
 * path allocates nothing: each request lives in the core's per-queue
 * pool, and its data goes to the backend as the chain's own iovecs.
 */
#include "devices/blk/blk_model.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "drivers/wire/virtio_blk.h"
#include "drivers/wire/virtio_config.h"
#include "sim/trace.h"

#define BLK_SECTOR VIRTIO_BLK_SECTOR_SIZE
/* What blk-bad-status writes: no status §5.2.6 defines (0, 1, 2). */
#define BLK_FAULT_STATUS 0x7fu

struct blk_model {
	struct virtio_dev vdev;
	struct disk *disk;
	uint64_t capacity; /* sectors */
	uint32_t blk_size; /* logical block size, bytes */
	char serial[VIRTIO_BLK_ID_BYTES];
	uint8_t config[sizeof(struct virtio_blk_config)];
	struct blk_model_stats stats;
};

/* One request: the popped chain and the backend I/O serving it. */
struct blk_req {
	struct virtio_req vreq; /* first: the core's pool holds these */
	struct disk_req io;
	struct blk_model *b;
	uint8_t *status; /* the last writable byte (BLK-N-01) */
	uint32_t type;
	uint64_t sector;
	uint32_t written; /* data bytes the device wrote */
};

_Static_assert(sizeof(struct vq_seg) == sizeof(struct iovec) &&
		   offsetof(struct vq_seg, host) ==
		       offsetof(struct iovec, iov_base) &&
		   offsetof(struct vq_seg, len) ==
		       offsetof(struct iovec, iov_len),
	       "chain segments go to the backend as iovecs");

static const struct virtio_dev_ops blk_model_ops;

static struct blk_model *to_blk(struct virtio_dev *dev)
{
	return (struct blk_model *)((char *)dev -
				    offsetof(struct blk_model, vdev));
}

static struct blk_req *to_req(struct disk_req *io)
{
	return (struct blk_req *)((char *)io - offsetof(struct blk_req, io));
}

/* The config is read-only for the driver: re-render it after any write. */
static void blk_model_render_config(struct blk_model *b)
{
	uint8_t *c = b->config;

	memset(c, 0, sizeof(b->config)); /* BLK-V-03: padding reads 0 */
	virtio_st_le64(c + offsetof(struct virtio_blk_config, capacity),
		       b->capacity);
	virtio_st_le32(c + offsetof(struct virtio_blk_config, size_max),
		       BLK_MODEL_SIZE_MAX);
	virtio_st_le32(c + offsetof(struct virtio_blk_config, seg_max),
		       BLK_MODEL_SEG_MAX);
	virtio_st_le32(c + offsetof(struct virtio_blk_config, blk_size),
		       b->blk_size);
}

static void blk_model_config_write(struct virtio_dev *dev, uint32_t off,
				   unsigned len)
{
	trace_blk_config_ro(dev->env->trace, dev->name, dev->id, off,
			    off + len);
	blk_model_render_config(to_blk(dev));
}

/* §5.2.6: sector in range, length a whole number of sectors. */
static bool blk_range_ok(const struct blk_model *b, uint64_t sector,
			 uint64_t len)
{
	return len % BLK_SECTOR == 0 && sector <= b->capacity &&
	       len / BLK_SECTOR <= b->capacity - sector;
}

/*
 * Aligned to the logical block size in offset and length. §5.2.5 makes
 * blk_size a hint only (the protocol stays in 512-byte sectors), but
 * QEMU refuses such requests with IOERR (virtio_blk_sect_range_ok), and
 * a 4096-byte disk cannot do otherwise: so does the model, and a
 * driver must honour it.
 */
static bool blk_aligned(const struct blk_model *b, uint64_t sector,
			uint64_t len)
{
	/* Powers of 2 (blk_model_create): masks, no division per request. */
	uint64_t per_block = b->blk_size / BLK_SECTOR;

	return !(sector & (per_block - 1)) && !(len & (b->blk_size - 1));
}

/* The status a request completes with, after the injected faults. */
static uint8_t blk_fault_status(struct blk_model *b, uint8_t status)
{
	struct fault_injector *f = b->vdev.env->faults;
	unsigned id = b->vdev.id;

	if (fault_fire(f, FAULT_BLK_IOERR, id))
		return VIRTIO_BLK_S_IOERR;
	if (fault_fire(f, FAULT_BLK_UNSUPP, id))
		return VIRTIO_BLK_S_UNSUPP;
	if (fault_fire(f, FAULT_BLK_BAD_STATUS, id))
		return BLK_FAULT_STATUS;
	return status;
}

static void blk_finish(struct blk_req *r, uint8_t status)
{
	struct blk_model *b = r->b;

	status = blk_fault_status(b, status);
	if (status == VIRTIO_BLK_S_IOERR)
		b->stats.errors++;
	trace_blk_req(b->vdev.env->trace, b->vdev.name, b->vdev.id, r->vreq.q,
		      r->vreq.elem.head, r->type, r->sector, r->io.len, status);
	*r->status = status;
	/* Used len: data bytes written plus the status byte (VQ-V-11). */
	virtio_dev_complete(&r->vreq, r->written + 1);
}

static void blk_writethrough_done(struct disk_req *io, int err)
{
	blk_finish(to_req(io), err ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK);
}

static void blk_io_done(struct disk_req *io, int err)
{
	struct blk_req *r = to_req(io);
	struct blk_model *b = r->b;

	if (err) {
		blk_finish(r, VIRTIO_BLK_S_IOERR);
		return;
	}
	if (io->op == DISK_READ) {
		b->stats.reads++;
		b->stats.bytes_read += io->len;
		r->written = (uint32_t)io->len;
		/* Injected: the used length covers half the data read. */
		if (fault_fire(b->vdev.env->faults, FAULT_BLK_SHORT,
			       b->vdev.id))
			r->written /= 2;
	} else if (io->op == DISK_WRITE) {
		b->stats.writes++;
		b->stats.bytes_written += io->len;
		/* BLK-V-09: writethrough unless the driver took FLUSH. */
		if (!virtio_dev_has_feature(&b->vdev, VIRTIO_BLK_F_FLUSH)) {
			*io = (struct disk_req){.op = DISK_FLUSH,
						.done = blk_writethrough_done};
			b->disk->ops->submit(b->disk, io);
			return;
		}
	}
	blk_finish(r, VIRTIO_BLK_S_OK);
}

/*
 * Point the backend request at the data: for IN the writable segments
 * without the status byte, for OUT the readable ones after the header.
 * The chain is this request's own, so the segments are trimmed in place.
 */
static void blk_data_iov(struct blk_req *r, bool write)
{
	struct vq_elem *e = &r->vreq.elem;
	struct vq_seg *seg = write ? e->seg : &e->seg[e->n_out];
	unsigned cnt = write ? e->n_out : e->n_in;
	size_t skip = sizeof(struct virtio_blk_req_hdr);

	if (write) {
		while (cnt && skip >= seg->len) {
			skip -= seg->len;
			seg++;
			cnt--;
		}
		if (cnt) {
			seg->host = (uint8_t *)seg->host + skip;
			seg->len -= skip;
		}
		r->io.len = e->out_bytes - sizeof(struct virtio_blk_req_hdr);
	} else {
		if (seg[cnt - 1].len == 1)
			cnt--;
		else
			seg[cnt - 1].len--;
		r->io.len = e->in_bytes - 1;
	}
	r->io.iov = (const struct iovec *)(void *)seg;
	r->io.iovcnt = cnt;
}

static void blk_submit_rw(struct blk_req *r, bool write)
{
	struct blk_model *b = r->b;

	blk_data_iov(r, write);
	if (write && b->disk->readonly) {
		/* BLK-V-05: nothing is written. */
		blk_finish(r, VIRTIO_BLK_S_IOERR);
		return;
	}
	if (!blk_range_ok(b, r->sector, r->io.len)) {
		if (virtio_dev_strict(&b->vdev))
			virtio_dev_violation(
			    &b->vdev,
			    r->io.len % BLK_SECTOR ? STRICT_BLK_D_05
						   : STRICT_BLK_D_03,
			    "%s of %zu bytes at sector %" PRIu64
			    ", capacity %" PRIu64,
			    write ? "OUT" : "IN", r->io.len, r->sector,
			    b->capacity);
		blk_finish(r, VIRTIO_BLK_S_IOERR);
		return;
	}
	if (!blk_aligned(b, r->sector, r->io.len)) {
		trace_blk_misaligned(b->vdev.env->trace, b->vdev.name,
				     b->vdev.id, write ? "OUT" : "IN",
				     r->io.len, r->sector, b->blk_size);
		blk_finish(r, VIRTIO_BLK_S_IOERR);
		return;
	}
	r->io.op = write ? DISK_WRITE : DISK_READ;
	r->io.offset = r->sector * BLK_SECTOR;
	r->io.done = blk_io_done;
	b->disk->ops->submit(b->disk, &r->io);
}

/* GET_ID: up to 20 bytes into the writable data, as room allows. */
static void blk_get_id(struct blk_req *r)
{
	const struct vq_elem *e = &r->vreq.elem;
	uint64_t room = e->in_bytes - 1;
	uint32_t n =
	    room < VIRTIO_BLK_ID_BYTES ? (uint32_t)room : VIRTIO_BLK_ID_BYTES;

	vq_elem_write(e, 0, r->b->serial, n);
	r->b->stats.get_ids++;
	r->written = n;
	blk_finish(r, VIRTIO_BLK_S_OK);
}

/* Start serving a popped request; it completes through blk_finish. */
static void blk_start(struct blk_model *b, struct blk_req *r)
{
	struct vq_elem *e = &r->vreq.elem;
	struct virtio_blk_req_hdr hdr;
	const struct vq_seg *last;

	r->b = b;
	r->written = 0;
	r->io = (struct disk_req){0};
	if (e->out_bytes < sizeof(hdr) || !e->n_in) {
		virtio_dev_fail(&b->vdev,
				e->n_in ? "blk: request header is %" PRIu64
					  " bytes, needs 16"
					: "blk: request of %" PRIu64
					  " readable bytes has no status byte",
				e->out_bytes);
		virtio_dev_complete(&r->vreq, 0); /* dropped: device broken */
		return;
	}
	vq_elem_read(e, 0, &hdr, sizeof(hdr));
	r->type = virtio_le32(hdr.type);
	r->sector = virtio_le64(hdr.sector);
	last = &e->seg[e->n_out + e->n_in - 1];
	r->status = (uint8_t *)last->host + last->len - 1;

	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		blk_submit_rw(r, false);
		break;
	case VIRTIO_BLK_T_OUT:
		blk_submit_rw(r, true);
		break;
	case VIRTIO_BLK_T_FLUSH:
	case VIRTIO_BLK_T_FLUSH_OUT: /* LEG-D-09: legacy alias */
		b->stats.flushes++;
		r->io.op = DISK_FLUSH;
		r->io.done = blk_io_done;
		b->disk->ops->submit(b->disk, &r->io);
		break;
	case VIRTIO_BLK_T_GET_ID:
		blk_get_id(r);
		break;
	default:
		b->stats.unsupported++;
		blk_finish(r, VIRTIO_BLK_S_UNSUPP);
		break;
	}
}

static void blk_model_queue_notify(struct virtio_dev *dev, unsigned q)
{
	struct blk_model *b = to_blk(dev);
	struct virtio_req *r;

	while (virtio_dev_pop_req(dev, q, &r) > 0)
		blk_start(b, (struct blk_req *)r);
}

void blk_model_destroy(struct virtio_dev *dev)
{
	struct blk_model *b;

	if (!dev)
		return;
	b = to_blk(dev);
	virtio_dev_release(dev);
	disk_close(b->disk);
	free(b);
}

/*
 * The file backend finishes every request inside submit, so the model
 * never holds one across a reset: no reset hook is needed until a
 * backend completes later.
 */
static const struct virtio_dev_ops blk_model_ops = {
    .device_id = VIRTIO_ID_BLOCK,
    .num_queues = 1,
    .queue_size_max = BLK_MODEL_QUEUE_SIZE,
    .req_size = sizeof(struct blk_req),
    .config_write = blk_model_config_write,
    .queue_notify = blk_model_queue_notify,
};

struct virtio_dev *blk_model_create(struct sim_env *env, struct disk *disk,
				    const struct blk_model_options *opts)
{
	uint64_t features =
	    VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) |
	    VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
	    VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) |
	    VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	const char *serial = opts && opts->serial ? opts->serial : "virtsim";
	uint16_t qsize = opts ? opts->queue_size : 0;
	uint32_t bsize = opts && opts->blk_size ? opts->blk_size : BLK_SECTOR;
	struct blk_model *b;

	if (!disk)
		return NULL;
	/* Ours from the call on, even on failure. */
	if ((qsize & (qsize - 1)) || (bsize & (bsize - 1)) ||
	    bsize < BLK_MODEL_BLK_SIZE_MIN || bsize > BLK_MODEL_BLK_SIZE_MAX ||
	    disk->size % bsize) {
		disk_close(disk);
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		disk_close(disk);
		return NULL;
	}
	b->disk = disk;
	b->capacity = disk->size / BLK_SECTOR;
	b->blk_size = bsize;
	/* GET_ID: up to 20 bytes, NUL-padded, no NUL when exactly 20. */
	memcpy(b->serial, serial, strnlen(serial, sizeof(b->serial)));
	if (disk->readonly)
		features |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
	if (opts && opts->access_platform)
		features |= VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM);
	blk_model_render_config(b);
	virtio_dev_init(&b->vdev, &blk_model_ops, "virtio-blk", env, features,
			b->config, sizeof(b->config));
	disk->faults = env->faults;
	disk->fault_dev = b->vdev.id;
	if (qsize)
		b->vdev.queue_size_max = qsize;
	return &b->vdev;
}

/* @dev as a blk model, or NULL if it is none. */
static const struct blk_model *as_blk(const struct virtio_dev *dev)
{
	if (!dev || dev->ops != &blk_model_ops)
		return NULL;
	return (const struct blk_model *)((const char *)dev -
					  offsetof(struct blk_model, vdev));
}

const struct blk_model_stats *blk_model_stats(const struct virtio_dev *dev)
{
	return as_blk(dev) ? &as_blk(dev)->stats : NULL;
}

struct disk *blk_model_disk(const struct virtio_dev *dev)
{
	return as_blk(dev) ? as_blk(dev)->disk : NULL;
}
