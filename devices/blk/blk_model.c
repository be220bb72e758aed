/*
 * The virtio-blk device model (§5.2) on a disk backend.
 *
 * A request is a device-readable 16-byte header, data, and one writable
 * status byte at the very end (BLK-N-01); with ANY_LAYOUT-style framing
 * the header may be split over descriptors, so it is gathered. The hot
 * path allocates nothing: the popped chain lives in the model.
 */
#include "devices/blk/blk_model.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/wire/virtio_blk.h"
#include "drivers/wire/virtio_config.h"
#include "sim/trace.h"

#define BLK_SECTOR VIRTIO_BLK_SECTOR_SIZE

struct blk_model {
	struct virtio_dev vdev;
	struct disk *disk;
	uint64_t capacity; /* sectors */
	char serial[VIRTIO_BLK_ID_BYTES];
	uint8_t config[sizeof(struct virtio_blk_config)];
	struct blk_model_stats stats;
	struct vq_elem elem;
};

static const struct virtio_dev_ops blk_model_ops;

static struct blk_model *to_blk(struct virtio_dev *dev)
{
	return (struct blk_model *)((char *)dev -
				    offsetof(struct blk_model, vdev));
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
		       BLK_SECTOR);
}

static void blk_model_config_write(struct virtio_dev *dev, uint32_t off,
				   unsigned len)
{
	trace(TRACE_BLK, "%s: driver wrote read-only config [%u, %u)",
	      dev->name, off, off + len);
	blk_model_render_config(to_blk(dev));
}

/* Copy @len bytes starting @skip bytes into the readable segments. */
static void blk_gather(const struct vq_elem *e, uint64_t skip, void *dst,
		       size_t len)
{
	uint8_t *d = dst;

	for (unsigned i = 0; i < e->n_out && len; i++) {
		const struct vq_seg *s = &e->seg[i];
		size_t n;

		if (skip >= s->len) {
			skip -= s->len;
			continue;
		}
		n = s->len - skip < len ? s->len - skip : len;
		memcpy(d, (const uint8_t *)s->host + skip, n);
		d += n;
		len -= n;
		skip = 0;
	}
}

/*
 * Transfer between the disk at @pos and the data segments: readable ones
 * after the header for OUT, writable ones before the status byte for IN.
 */
static int blk_transfer(struct blk_model *b, bool write, uint64_t pos,
			uint64_t len)
{
	const struct vq_elem *e = &b->elem;
	unsigned first = write ? 0 : e->n_out;
	unsigned last = write ? e->n_out : e->n_out + e->n_in;
	uint64_t skip = write ? sizeof(struct virtio_blk_req_hdr) : 0;
	int ret;

	for (unsigned i = first; i < last && len; i++) {
		const struct vq_seg *s = &e->seg[i];
		uint8_t *p = (uint8_t *)s->host;
		uint64_t n;

		if (skip >= s->len) {
			skip -= s->len;
			continue;
		}
		n = s->len - skip < len ? s->len - skip : len;
		ret = write ? b->disk->ops->write(b->disk, pos, p + skip, n)
			    : b->disk->ops->read(b->disk, pos, p + skip, n);
		if (ret)
			return ret;
		pos += n;
		len -= n;
		skip = 0;
	}
	return 0;
}

/* §5.2.6: sector in range, length a whole number of sectors. */
static bool blk_range_ok(const struct blk_model *b, uint64_t sector,
			 uint64_t len)
{
	return len % BLK_SECTOR == 0 && sector <= b->capacity &&
	       len / BLK_SECTOR <= b->capacity - sector;
}

static uint8_t blk_rw(struct blk_model *b, bool write, uint64_t sector,
		      uint64_t len, uint32_t *written)
{
	int ret;

	if (write && b->disk->readonly)
		return VIRTIO_BLK_S_IOERR; /* BLK-V-05: no data written */
	if (!blk_range_ok(b, sector, len))
		return VIRTIO_BLK_S_IOERR;
	ret = blk_transfer(b, write, sector * BLK_SECTOR, len);
	if (ret)
		return VIRTIO_BLK_S_IOERR;
	if (write) {
		b->stats.writes++;
		b->stats.bytes_written += len;
		/* BLK-V-09: writethrough unless the driver took FLUSH. */
		if (!virtio_dev_has_feature(&b->vdev, VIRTIO_BLK_F_FLUSH) &&
		    b->disk->ops->flush(b->disk))
			return VIRTIO_BLK_S_IOERR;
	} else {
		b->stats.reads++;
		b->stats.bytes_read += len;
		*written = (uint32_t)len;
	}
	return VIRTIO_BLK_S_OK;
}

static uint32_t blk_get_id(struct blk_model *b, uint64_t room)
{
	const struct vq_elem *e = &b->elem;
	uint32_t n =
	    room < VIRTIO_BLK_ID_BYTES ? (uint32_t)room : VIRTIO_BLK_ID_BYTES;
	uint32_t done = 0;

	for (unsigned i = e->n_out; i < e->n_out + e->n_in && done < n; i++) {
		const struct vq_seg *s = &e->seg[i];
		uint32_t c = s->len < n - done ? s->len : n - done;

		memcpy(s->host, b->serial + done, c);
		done += c;
	}
	b->stats.get_ids++;
	return n;
}

/* Serve the popped request; -1 when the device was failed instead. */
static int blk_handle(struct blk_model *b, unsigned q)
{
	struct vq_elem *e = &b->elem;
	struct virtio_blk_req_hdr hdr;
	const struct vq_seg *last;
	uint64_t out_data, in_data;
	uint32_t type, written = 0;
	uint8_t *status_byte, status;

	if (e->out_bytes < sizeof(hdr)) {
		virtio_dev_fail(&b->vdev,
				"blk: request header is %" PRIu64
				" bytes, needs 16",
				e->out_bytes);
		return -1;
	}
	if (!e->n_in) {
		virtio_dev_fail(&b->vdev, "blk: request has no status byte");
		return -1;
	}
	blk_gather(e, 0, &hdr, sizeof(hdr));
	type = virtio_le32(hdr.type);
	hdr.sector = virtio_le64(hdr.sector);
	last = &e->seg[e->n_out + e->n_in - 1];
	status_byte = (uint8_t *)last->host + last->len - 1;
	out_data = e->out_bytes - sizeof(hdr);
	in_data = e->in_bytes - 1;

	switch (type) {
	case VIRTIO_BLK_T_IN:
		status = blk_rw(b, false, hdr.sector, in_data, &written);
		break;
	case VIRTIO_BLK_T_OUT:
		status = blk_rw(b, true, hdr.sector, out_data, &written);
		break;
	case VIRTIO_BLK_T_FLUSH:
	case VIRTIO_BLK_T_FLUSH_OUT: /* LEG-D-09: legacy alias */
		b->stats.flushes++;
		status = b->disk->ops->flush(b->disk) ? VIRTIO_BLK_S_IOERR
						      : VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_ID:
		written = blk_get_id(b, in_data);
		status = VIRTIO_BLK_S_OK;
		break;
	default:
		b->stats.unsupported++;
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	if (status == VIRTIO_BLK_S_IOERR)
		b->stats.errors++;
	trace(TRACE_BLK,
	      "%s: head=%u type=%u sector=%" PRIu64 " out=%" PRIu64
	      " in=%" PRIu64 " status=%u",
	      b->vdev.name, e->head, type, (uint64_t)hdr.sector, out_data,
	      in_data, status);
	*status_byte = status;
	/* Used len: data bytes written plus the status byte (VQ-V-11). */
	virtio_dev_push(&b->vdev, q, e->head, written + 1);
	return 0;
}

static void blk_model_queue_notify(struct virtio_dev *dev, unsigned q)
{
	struct blk_model *b = to_blk(dev);
	unsigned done = 0;

	while (virtio_dev_pop(dev, q, &b->elem) > 0) {
		if (blk_handle(b, q))
			return;
		done++;
	}
	if (done)
		virtio_dev_notify_used(dev, q);
}

static void blk_model_destroy(struct virtio_dev *dev)
{
	struct blk_model *b = to_blk(dev);

	disk_close(b->disk);
	free(b);
}

static const struct virtio_dev_ops blk_model_ops = {
    .device_id = VIRTIO_ID_BLOCK,
    .num_queues = 1,
    .queue_size_max = BLK_MODEL_QUEUE_SIZE,
    .config_write = blk_model_config_write,
    .queue_notify = blk_model_queue_notify,
    .destroy = blk_model_destroy,
};

struct virtio_dev *blk_model_create(struct disk *disk, const char *serial,
				    const struct guest_mem *mem)
{
	uint64_t features =
	    VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) |
	    VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
	    VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) |
	    VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	struct blk_model *b;

	if (!disk)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b) {
		disk_close(disk); /* ours from the call on, even on failure */
		return NULL;
	}
	b->disk = disk;
	b->capacity = disk->size / BLK_SECTOR;
	/* GET_ID: up to 20 bytes, NUL-padded, no NUL when exactly 20. */
	serial = serial ? serial : "virtsim";
	memcpy(b->serial, serial, strnlen(serial, sizeof(b->serial)));
	if (disk->readonly)
		features |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
	blk_model_render_config(b);
	virtio_dev_init(&b->vdev, &blk_model_ops, "virtio-blk", mem, features,
			b->config, sizeof(b->config));
	return &b->vdev;
}

const struct blk_model_stats *blk_model_stats(const struct virtio_dev *dev)
{
	if (!dev || dev->ops != &blk_model_ops)
		return NULL;
	return &((const struct blk_model *)((const char *)dev -
					    offsetof(struct blk_model, vdev)))
		    ->stats;
}
