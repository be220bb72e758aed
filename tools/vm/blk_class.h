/* SPDX-License-Identifier: MIT */
/*
 * blk_class.h - virtio-blk as a device class: `--blk FILE[,ro]
 * [,serial=ID][,queue_size=N][,blk_size=N][,access_platform=on]` (or
 * `scratch:SIZE`, a fresh image removed with the device, or `null:SIZE`,
 * a disk that does no I/O), the blk model on a file, the virtio-blk
 * driver as a block device, and the accessors tests and workloads use.
 */
#ifndef VIRTSIM_TOOLS_VM_BLK_CLASS_H
#define VIRTSIM_TOOLS_VM_BLK_CLASS_H

#include <stdbool.h>
#include <stdint.h>

#include "tools/vm/device_class.h"
#include "tools/vm/vm.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const struct device_class blk_class;

struct blk_options {
	const char *path;      /* the image */
	uint64_t scratch_size; /* instead of @path: a fresh zeroed image of
				* this size in $TMPDIR, removed with it */
	uint64_t null_size;    /* instead of @path: a disk of this size that
				* does no I/O (reads zeros, drops writes) */
	bool readonly;	       /* VIRTIO_BLK_F_RO; writes fail */
	const char *serial;    /* GET_ID; NULL: "virtsim-<unit>" */
	uint16_t queue_size;   /* the device's QueueNumMax; 0: 256 */
	uint32_t blk_size;     /* logical block size; 0: 512 */
	bool access_platform;  /* offer VIRTIO_F_ACCESS_PLATFORM */
};

struct block_device;
struct virtio_blk;

/* Disk @n's block device / virtio-blk driver, or NULL if it is not up. */
struct block_device *vm_disk(struct vm *vm, unsigned n);
struct virtio_blk *vm_virtio_blk(struct vm *vm, unsigned n);
/* Disk @n's image on the host, or NULL (none, or a scratch image). */
const char *vm_disk_path(struct vm *vm, unsigned n);
/*
 * Disk @n's image for host-side baselines: a new descriptor of it
 * (read-write if @write) for the caller to close. -1 with errno 0 for a
 * disk without an image (null:SIZE), else -1 with errno.
 */
int vm_disk_host_fd(struct vm *vm, unsigned n, bool write);

/*
 * "virtsim: blk0: write failed: IoError -> Io" on stderr, the VirtIO
 * error and the device error it maps to. Returns 1, the exit status of
 * a failed operation.
 */
int blk_op_failed(unsigned unit, const char *what, int virtio_err);
/* The same, @why after the disk: "virtsim: blk0 is read-only (ro): ...". */
int blk_op_failed_why(unsigned unit, const char *why, const char *what,
		      int virtio_err);

/*
 * Disk @unit's logical block size (512 unless the device offers
 * BLK_SIZE): the unit of the CLI's LBA and COUNT.
 */
uint32_t blk_block_size(struct vm *vm, unsigned unit);

/*
 * 0 if blocks [@lba, @lba + @count) lie on disk @unit; else "virtsim:
 * LBA 1 + 2048 sectors is past the end of blk0 (2048 sectors, 1 MiB)"
 * on stderr ("4096-byte blocks" instead of sectors on such a disk) and
 * 2, the exit status of bad input. Checked before the first request: a
 * request that cannot complete changes nothing.
 */
int blk_check_range(struct vm *vm, unsigned unit, uint64_t lba, uint64_t count);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_TOOLS_VM_BLK_CLASS_H */
