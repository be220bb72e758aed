/* SPDX-License-Identifier: MIT */
/*
 * blk_class.c - the virtio-blk device class: sub-options, the model on a
 * file backend, the driver as a block device, and the probe report.
 */
#include "tools/vm/blk_class.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/wire/virtio_config.h"
#include "tools/vm/blk_host.h"
#include "tools/vm/device_options.h"

#ifdef VIRTSIM_HAVE_BLK
#include "devices/blk/blk_model.h"
#include "devices/blk/disk.h"
#include "drivers/adapter/adapter.h"
#include "drivers/adapter/blk_device.h"
#include "drivers/virtio/virtio_blk.h"

#define BLK_SCRATCH_PREFIX "scratch:"
#define BLK_NULL_PREFIX "null:"

static void blk_options_init(void *opts)
{
	*(struct blk_options *)opts = (struct blk_options){0};
}

static int blk_parse(void *opts, const char *key, const char *value, char *err,
		     size_t errlen)
{
	struct blk_options *o = opts;
	uint64_t v;

	if (!key) {
		if (!strncmp(value, BLK_NULL_PREFIX, strlen(BLK_NULL_PREFIX))) {
			value += strlen(BLK_NULL_PREFIX);
			if (vm_parse_size(value, &o->null_size) ||
			    !o->null_size || o->null_size % 512)
				return vm_option_error(
				    err, errlen,
				    "null:%s: want a size, a multiple of 512 "
				    "bytes, e.g. null:1G",
				    value);
			return 0;
		}
		if (strncmp(value, BLK_SCRATCH_PREFIX,
			    strlen(BLK_SCRATCH_PREFIX))) {
			o->path = value;
			return 0;
		}
		value += strlen(BLK_SCRATCH_PREFIX);
		if (vm_parse_size(value, &o->scratch_size) ||
		    !o->scratch_size || o->scratch_size % 512) {
			snprintf(err, errlen,
				 "scratch:%s: want a size, a multiple of 512 "
				 "bytes, e.g. scratch:64M",
				 value);
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "ro") && !value) {
		o->readonly = true;
	} else if (!strcmp(key, "readonly") && vm_parse_on_off(value) >= 0) {
		o->readonly = vm_parse_on_off(value);
	} else if (!strcmp(key, "readonly")) {
		snprintf(err, errlen, "readonly=%s: want on or off",
			 value ? value : "");
		return -1;
	} else if (!strcmp(key, "serial") && value) {
		if (strlen(value) > VIRTIO_BLK_ID_BYTES) {
			snprintf(err, errlen,
				 "serial=%s: at most %d bytes (GET_ID), not "
				 "%zu",
				 value, VIRTIO_BLK_ID_BYTES, strlen(value));
			return -1;
		}
		o->serial = value;
	} else if (!strcmp(key, "queue_size") && value) {
		/* 1024 at most, as QEMU: every queue start allocates a
		 * request per entry. */
		if (vm_parse_u64(value, &v) || !v || v > 1024 ||
		    (v & (v - 1))) {
			snprintf(err, errlen,
				 "queue_size=%s: want a power of 2 from 1 to "
				 "1024",
				 value);
			return -1;
		}
		o->queue_size = (uint16_t)v;
	} else if (!strcmp(key, "blk_size") && value) {
		if (vm_parse_u64(value, &v) || v < BLK_MODEL_BLK_SIZE_MIN ||
		    v > BLK_MODEL_BLK_SIZE_MAX || (v & (v - 1))) {
			snprintf(err, errlen,
				 "blk_size=%s: want a power of 2 from %u to "
				 "%u",
				 value, BLK_MODEL_BLK_SIZE_MIN,
				 BLK_MODEL_BLK_SIZE_MAX);
			return -1;
		}
		o->blk_size = (uint32_t)v;
	} else if (!strcmp(key, "access_platform") &&
		   vm_parse_on_off(value) >= 0) {
		o->access_platform = vm_parse_on_off(value);
	} else if (!strcmp(key, "access_platform")) {
		snprintf(err, errlen, "access_platform=%s: want on or off",
			 value ? value : "");
		return -1;
	} else {
		snprintf(err, errlen,
			 "unknown option '%s%s%s' (ro, readonly=on|off, "
			 "serial=ID, queue_size=N, blk_size=N, "
			 "access_platform=on|off, %s)",
			 key, value ? "=" : "", value ? value : "",
			 VM_DEVICE_COMMON_USAGE);
		return -1;
	}
	return 0;
}

/*
 * A zeroed image of @size bytes in $TMPDIR for @h, open in h->fd. Its
 * path lives until the disk backend has it open too, then it is
 * unlinked: nothing is left behind, however the run ends.
 */
static int blk_make_scratch(struct blk_host *h, uint64_t size, char *err,
			    size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd, ret;

	dir = dir && *dir ? dir : "/tmp";
	snprintf(path, sizeof(path), "%s/virtsim-scratch-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, (off_t)size)) {
		ret = -errno;
		snprintf(err, errlen, "cannot create a scratch disk in %s: %s",
			 dir, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return ret;
	}
	h->fd = fd;
	h->scratch = true;
	h->path = strdup(path);
	if (!h->path) {
		unlink(path);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* A user's image: its path, and a read-only descriptor of it. */
static int blk_open_image(struct blk_host *h, const char *path, char *err,
			  size_t errlen)
{
	h->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (h->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	h->path = strdup(path);
	if (!h->path) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static void blk_host_free(struct blk_host *h)
{
	if (!h)
		return;
	if (h->scratch && h->path)
		unlink(h->path); /* failed before the disk was open */
	if (h->fd >= 0)
		close(h->fd);
	free(h->path);
	free(h);
}

static int blk_create(struct vm_device *d, struct sim_env *env,
		      const void *opts, char *err, size_t errlen)
{
	static const struct blk_options none;
	const struct blk_options *o = opts ? opts : &none;
	struct blk_host *h = calloc(1, sizeof(*h));
	struct blk_model_options mo = {.serial = o->serial,
				       .queue_size = o->queue_size,
				       .blk_size = o->blk_size,
				       .access_platform = o->access_platform};
	uint32_t bsize = o->blk_size ? o->blk_size : 512;
	char serial[32];
	struct disk *disk;
	int ret = -ENOMEM;

	if (!h) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	h->fd = -1;
	h->readonly = o->readonly;
	if (o->scratch_size && o->scratch_size % bsize) {
		snprintf(err, errlen,
			 "blk%u: scratch size %" PRIu64
			 " is not a multiple of blk_size=%u",
			 d->unit, o->scratch_size, bsize);
		ret = -EINVAL;
	} else if (o->null_size && o->null_size % bsize) {
		snprintf(err, errlen,
			 "blk%u: null size %" PRIu64
			 " is not a multiple of blk_size=%u",
			 d->unit, o->null_size, bsize);
		ret = -EINVAL;
	} else if (o->null_size) {
		h->null = true;
		ret = 0;
	} else if (o->scratch_size) {
		ret = blk_make_scratch(h, o->scratch_size, err, errlen);
	} else if (!o->path) {
		snprintf(err, errlen, "blk%u: no image given", d->unit);
		ret = -EINVAL;
	} else {
		ret = blk_open_image(h, o->path, err, errlen);
	}
	if (ret)
		goto fail;
	disk = h->null ? disk_null_open(o->null_size, o->readonly)
		       : disk_file_open(h->path, o->readonly, err, errlen);
	if (!disk && h->null)
		snprintf(err, errlen, "blk%u: out of memory", d->unit);
	if (!disk) {
		ret = -EINVAL;
		goto fail;
	}
	if (disk->size % bsize) {
		/* The model would refuse it: say why, once. */
		snprintf(err, errlen,
			 "%s: size %" PRIu64 " is not a multiple of "
			 "blk_size=%u",
			 h->path, disk->size, bsize);
		disk_close(disk);
		ret = -EINVAL;
		goto fail;
	}
	if (h->scratch) {
		unlink(h->path);
		free(h->path);
		h->path = NULL;
	}
	snprintf(serial, sizeof(serial), "virtsim-%u", d->unit);
	if (!mo.serial)
		mo.serial = serial;
	d->model = blk_model_create(env, disk, &mo); /* closes disk if not */
	if (!d->model) {
		snprintf(err, errlen, "blk%u: out of memory", d->unit);
		ret = -ENOMEM;
		goto fail;
	}
	d->host = h;
	return 0;
fail:
	blk_host_free(h);
	return ret;
}

static void blk_destroy(struct vm_device *d)
{
	blk_model_destroy(d->model);
	blk_host_free(d->host);
	d->model = NULL;
	d->host = NULL;
}

static int blk_bring_up(struct vm_device *d, struct virtio_transport *t,
			unsigned irq_line, bool poll)
{
	struct virtio_blk_options bo = {.use_irq =
					    !poll && irq_line != VIRTIO_NO_IRQ};
	struct virtio_blk_device *bd = calloc(1, sizeof(*bd));
	int ret;

	if (!bd)
		return -DEV_ERR_NO_MEMORY;
	ret = virtio_blk_device_init(bd, t, &bo, irq_line);
	if (ret) {
		d->virtio_error = bd->last_error;
		free(bd);
		return ret;
	}
	d->driver = bd;
	return 0;
}

static void blk_teardown(struct vm_device *d)
{
	virtio_blk_device_destroy(d->driver);
	free(d->driver);
	d->driver = NULL;
}

/*
 * What the CLI counts LBAs in: "sector(s)" on a disk of 512-byte blocks,
 * "4096-byte block(s)" on another.
 */
static const char *blk_unit_name(uint32_t block_size, uint64_t n, char *buf,
				 size_t len)
{
	if (block_size == VIRTIO_BLK_SECTOR_SIZE)
		snprintf(buf, len, "sector%s", n == 1 ? "" : "s");
	else
		snprintf(buf, len, "%" PRIu32 "-byte block%s", block_size,
			 n == 1 ? "" : "s");
	return buf;
}

/* "16 MiB (32768 blocks) ro", "16 MiB (4096 4096-byte blocks)" */
static void blk_describe(const struct vm_device *d, char *buf, size_t len)
{
	struct block_device *bd =
	    virtio_blk_device_base((struct virtio_blk_device *)d->driver);
	const struct blk_host *h = d->host;
	uint64_t blocks = bd->ops->num_blocks(bd);
	size_t bsize = bd->ops->block_size(bd);
	char unit[32] = "";

	if (bsize != VIRTIO_BLK_SECTOR_SIZE)
		snprintf(unit, sizeof(unit), "%zu-byte ", bsize);
	snprintf(buf, len, "%" PRIu64 " MiB (%" PRIu64 " %sblocks)%s%s",
		 (blocks * bsize) >> 20, blocks, unit, h->null ? " null" : "",
		 h->readonly ? " ro" : "");
}

struct block_device *vm_disk(struct vm *vm, unsigned n)
{
	struct vm_device *d = vm_device(vm, &blk_class, n);

	return d && d->driver ? virtio_blk_device_base(d->driver) : NULL;
}

struct virtio_blk *vm_virtio_blk(struct vm *vm, unsigned n)
{
	struct vm_device *d = vm_device(vm, &blk_class, n);

	return d && d->driver ? &((struct virtio_blk_device *)d->driver)->blk
			      : NULL;
}

const char *vm_disk_path(struct vm *vm, unsigned n)
{
	struct vm_device *d = vm_device(vm, &blk_class, n);

	return d ? ((const struct blk_host *)d->host)->path : NULL;
}

int vm_disk_host_fd(struct vm *vm, unsigned n, bool write)
{
	struct vm_device *d = vm_device(vm, &blk_class, n);
	const struct blk_host *h = d ? d->host : NULL;

	if (!h) {
		errno = ENODEV;
		return -1;
	}
	errno = 0;
	if (h->null)
		return -1;
	/* A scratch image is unlinked: its own descriptor is read-write. */
	if (h->scratch)
		return fcntl(h->fd, F_DUPFD_CLOEXEC, 0);
	return open(h->path, (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
}

int blk_op_failed(unsigned unit, const char *what, int virtio_err)
{
	return blk_op_failed_why(unit, "", what, virtio_err);
}

int blk_op_failed_why(unsigned unit, const char *why, const char *what,
		      int virtio_err)
{
	fprintf(stderr, "virtsim: blk%u%s: %s failed: %s -> %s\n", unit, why,
		what, virtio_error_name(virtio_err),
		dev_err_name(as_dev_err(virtio_err)));
	return 1;
}

uint32_t blk_block_size(struct vm *vm, unsigned unit)
{
	struct virtio_blk *b = vm_virtio_blk(vm, unit);

	return b ? virtio_blk_block_size(b) : VIRTIO_BLK_SECTOR_SIZE;
}

int blk_check_range(struct vm *vm, unsigned unit, uint64_t lba, uint64_t count)
{
	struct block_device *bd = vm_disk(vm, unit);
	uint32_t bsize = blk_block_size(vm, unit);
	uint64_t cap = bd ? bd->ops->num_blocks(bd) : 0;
	char u1[32], u2[32];

	if (lba <= cap && count <= cap - lba)
		return 0;
	fprintf(stderr,
		"virtsim: LBA %" PRIu64 " + %" PRIu64 " %s is past the "
		"end of blk%u (%" PRIu64 " %s, %" PRIu64 " MiB)\n",
		lba, count, blk_unit_name(bsize, count, u1, sizeof(u1)), unit,
		cap, blk_unit_name(bsize, cap, u2, sizeof(u2)),
		(cap * bsize) >> 20);
	return 2;
}

/* The default selftest machine: a scratch disk on every transport. */
static const struct blk_options blk_scratch = {.scratch_size = 16u << 20};
static const struct vm_device_config blk_selftest_devices[] = {
    {&blk_class, &blk_scratch, VM_TRANSPORT_MMIO, 2},
    {&blk_class, &blk_scratch, VM_TRANSPORT_MMIO, 1},
    {&blk_class, &blk_scratch, VM_TRANSPORT_PCI, 0},
};

const struct device_class blk_class = {
    .name = "blk",
    .title = "virtio-blk",
    .virtio_id = VIRTIO_ID_BLOCK,
    .type = DEV_TYPE_BLOCK,
    .thread_mode = true,
    .first_word = "FILE (or scratch:SIZE, null:SIZE)",
    .usage = "FILE or scratch:SIZE (a fresh image, removed at exit) or "
	     "null:SIZE (a disk that does no I/O: reads return zeros, "
	     "writes are dropped); ro "
	     "or readonly=on (VIRTIO_BLK_F_RO, writes fail); readonly=off "
	     "(the default); serial=ID (what GET_ID returns, at most 20 "
	     "bytes); queue_size=N (the device's queue size, a power of "
	     "2); blk_size=N (the logical block size, VIRTIO_BLK_F_BLK_SIZE: "
	     "a power of 2 from 512 to 65536, default 512; the image size "
	     "must be a multiple of it, and I/O not aligned to it fails); "
	     "access_platform=on (offer VIRTIO_F_ACCESS_PLATFORM, as behind "
	     "an IOMMU; FEATURES_OK fails unless the driver accepts it) or "
	     "access_platform=off (the default)",
    .options_size = sizeof(struct blk_options),
    .options_init = blk_options_init,
    .parse = blk_parse,
    .create = blk_create,
    .destroy = blk_destroy,
    .bring_up = blk_bring_up,
    .teardown = blk_teardown,
    .describe = blk_describe,
    .selftest_devices = blk_selftest_devices,
    .selftest_device_count =
	sizeof(blk_selftest_devices) / sizeof(blk_selftest_devices[0]),
    .selftest = blk_selftest,
    .fault_cases = blk_fault_cases,
    .fault_op = blk_fault_op,
    .fault_main_op = "read",
};

#else  /* !VIRTSIM_HAVE_BLK */
const struct device_class blk_class = {
    .name = "blk",
    .title = "virtio-blk",
    .disabled = "--disable-blk",
    .virtio_id = VIRTIO_ID_BLOCK,
    .type = DEV_TYPE_BLOCK,
};

struct block_device *vm_disk(struct vm *vm, unsigned n)
{
	return NULL;
}

struct virtio_blk *vm_virtio_blk(struct vm *vm, unsigned n)
{
	return NULL;
}

const char *vm_disk_path(struct vm *vm, unsigned n)
{
	return NULL;
}

int vm_disk_host_fd(struct vm *vm, unsigned n, bool write)
{
	errno = ENODEV;
	return -1;
}

int blk_op_failed(unsigned unit, const char *what, int virtio_err)
{
	return 1;
}

int blk_op_failed_why(unsigned unit, const char *why, const char *what,
		      int virtio_err)
{
	return 1;
}

uint32_t blk_block_size(struct vm *vm, unsigned unit)
{
	return 512;
}

int blk_check_range(struct vm *vm, unsigned unit, uint64_t lba, uint64_t count)
{
	return 2;
}
#endif /* VIRTSIM_HAVE_BLK */
