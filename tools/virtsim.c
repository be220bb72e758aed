/*
 * virtsim - run the VirtIO driver stack against simulated devices.
 *
 * main() parses the options, builds the machine (tools/vm.c), lets the
 * guest probe it and runs one workload. Exit status: 0 success, 1 a
 * driver or device operation failed, 2 bad usage or input.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "sim/trace.h"
#include "tools/options.h"
#include "tools/vm.h"
#ifdef VIRTSIM_HAVE_BLK
#include "devices/blk/disk.h"
#include "drivers/virtio/virtio_blk.h"
#endif
#include "drivers/virtio/pci_transport.h"
#include "drivers/wire/virtio_pci.h"

#define EXIT_OP_FAILED 1
#define EXIT_USAGE 2

#define SCRATCH_DISK_SIZE (16ull << 20)
#define CHUNK_SECTORS 128u /* 64 KiB per request */
#define CHUNK_BYTES (CHUNK_SECTORS * VIRTIO_BLK_SECTOR_SIZE)
#define BATCH_DEPTH 16u
#define BENCH_ROUNDS 3u

static const char *virtio_id_name(uint32_t id)
{
	switch (id) {
	case 0: return "(empty)";
	case VIRTIO_ID_NET: return "virtio-net";
	case VIRTIO_ID_BLOCK: return "virtio-blk";
	case VIRTIO_ID_CONSOLE: return "virtio-console";
	case VIRTIO_ID_RNG: return "virtio-rng";
	case VIRTIO_ID_GPU: return "virtio-gpu";
	case VIRTIO_ID_INPUT: return "virtio-input";
	}
	return "virtio-?";
}

/* "16 MiB (32768 blocks) ro" for disk @n, "-" if it is not up. */
static void disk_capacity(struct vm *vm, int n, char *buf, size_t len)
{
	struct block_device *bd = n >= 0 ? vm_disk(vm, (unsigned)n) : NULL;
	uint64_t blocks, bytes;

	if (!bd) {
		snprintf(buf, len, "-");
		return;
	}
	blocks = bd->ops->num_blocks(bd);
	bytes = blocks * bd->ops->block_size(bd);
	snprintf(buf, len, "%" PRIu64 " MiB (%" PRIu64 " blocks)%s",
		 bytes >> 20, blocks, vm->disks[n].readonly ? " ro" : "");
}

static void disk_number(int n, char *buf, size_t len)
{
	if (n >= 0)
		snprintf(buf, len, "%d", n);
	else
		snprintf(buf, len, "-");
}

static void print_mmio_table(struct vm *vm)
{
	printf("MMIO slots\n"
	       "slot  address     mmio  id  type     name            disk  "
	       "capacity\n");
	for (unsigned s = 0; s < vm->slot_count; s++) {
		struct vm_slot *slot = &vm->slots[s];
		char cap[64], disk[16];

		disk_capacity(vm, slot->disk, cap, sizeof(cap));
		disk_number(slot->disk, disk, sizeof(disk));
		printf("%4u  0x%08" PRIx64 "  v%-3" PRIu32 " %2" PRIu32
		       "  %-7s  %-14s  %-4s  %s\n",
		       s, slot->base, slot->version, slot->device_id,
		       slot->found ? dev_type_name(slot->type) : "none",
		       virtio_id_name(slot->device_id), disk, cap);
	}
}

static const char *pci_function_name(const struct pci_function_info *info)
{
	if (info->vendor_id == VIRTIO_PCI_VENDOR_ID)
		return virtio_id_name(virtio_pci_device_type(info));
	if (info->class_code == PCI_CLASS_BRIDGE &&
	    info->subclass == PCI_SUBCLASS_BRIDGE_HOST)
		return "host bridge";
	if (info->class_code == PCI_CLASS_BRIDGE)
		return "bridge";
	return "other";
}

static void print_pci_bars(const struct vm_pci_function *f)
{
	static const char *const kind[] = {
		[PCI_BAR_MEM32] = "mem32", [PCI_BAR_MEM64] = "mem64",
		[PCI_BAR_IO] = "io"};

	if (f->bar_error)
		printf("%9sBARs not assigned: %s\n", "",
		       pci_error_name(f->bar_error));
	for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
		const struct pci_bar_info *bar = &f->bars[b];

		if (bar->type == PCI_BAR_NONE)
			continue;
		printf("%9sBAR%u 0x%08" PRIx64 " %" PRIu64 " KiB %s%s\n", "",
		       b, bar->address, bar->size >> 10, kind[bar->type],
		       bar->prefetchable ? " prefetchable" : "");
	}
}

static void print_pci_table(struct vm *vm)
{
	printf("PCI bus\n"
	       "bdf      vendor:device  class     type     name            "
	       "disk  capacity\n");
	for (unsigned i = 0; i < vm->pci_count; i++) {
		const struct vm_pci_function *f = &vm->pci[i];
		char cap[64], disk[16];

		disk_capacity(vm, f->disk, cap, sizeof(cap));
		disk_number(f->disk, disk, sizeof(disk));
		printf("%02x:%02x.%x  %04x:%04x      %02x.%02x.%02x  %-7s  "
		       "%-14s  %-4s  %s\n",
		       pci_bdf_bus(f->bdf), pci_bdf_dev(f->bdf),
		       pci_bdf_fn(f->bdf), f->info.vendor_id,
		       f->info.device_id, f->info.class_code,
		       f->info.subclass, f->info.prog_if,
		       f->found ? dev_type_name(f->type) : "none",
		       pci_function_name(&f->info), disk, cap);
		print_pci_bars(f);
	}
}

static void print_tables(struct vm *vm)
{
	print_mmio_table(vm);
	print_pci_table(vm);
}

#ifdef VIRTSIM_HAVE_BLK
static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double mib_per_s(uint64_t bytes, double ms)
{
	return ms > 0 ? bytes / (1024.0 * 1024.0) / (ms / 1e3) : 0;
}

/* "write failed: IoError -> Io": the VirtIO error and its device error. */
static int op_failed(const char *what, unsigned disk, int err)
{
	fprintf(stderr, "virtsim: disk %u: %s failed: %s -> %s\n", disk, what,
		virtio_error_name(err), dev_err_name(as_dev_err(err)));
	return EXIT_OP_FAILED;
}

/* A DMA buffer, as a guest kernel's I/O buffer: shared with no bounce. */
struct dma_buf {
	const struct hal *hal;
	uint64_t paddr;
	uint8_t *p;
	size_t pages;
};

static int dma_buf_get(struct dma_buf *b, const struct hal *hal, size_t len)
{
	void *v;

	b->hal = hal;
	b->pages = (len + HAL_PAGE_SIZE - 1) / HAL_PAGE_SIZE;
	if (hal_dma_alloc(hal, b->pages, &b->paddr, &v))
		return -VIRTIO_ERR_DMA_ERROR;
	b->p = v;
	return 0;
}

static void dma_buf_put(struct dma_buf *b)
{
	if (b->p)
		hal_dma_free(b->hal, b->paddr, b->p, b->pages);
	b->p = NULL;
}

static uint8_t pattern_byte(uint64_t seed, uint64_t off)
{
	uint64_t x = (off >> 3) * 0x9e3779b97f4a7c15ull ^ seed;

	x ^= x >> 29;
	return (uint8_t)(x >> (8 * (off & 7)));
}

static void fill_pattern(uint8_t *p, size_t len, uint64_t seed, uint64_t off)
{
	for (size_t i = 0; i < len; i++)
		p[i] = pattern_byte(seed, off + i);
}

struct selftest_totals {
	uint64_t requests, bytes;
};

/* The length of the request at byte @off of a disk of @bytes. */
static size_t chunk_len(uint64_t bytes, uint64_t off)
{
	return bytes - off < CHUNK_BYTES ? (size_t)(bytes - off) : CHUNK_BYTES;
}

/* One driver read or write at byte @off, its time added to *@ms. */
static int timed_io(struct virtio_blk *b, bool write, uint64_t off,
		    uint8_t *p, size_t len, double *ms)
{
	uint64_t sector = off / VIRTIO_BLK_SECTOR_SIZE;
	double t = now_ms();
	int err = write ? virtio_blk_write(b, sector, p, len)
			: virtio_blk_read(b, sector, p, len);

	*ms += now_ms() - t;
	return err;
}

/*
 * Write the pattern over the whole disk, flush, read back and verify.
 * Only the driver calls are timed, not making or checking the pattern.
 */
static int selftest_write_verify(struct vm *vm, unsigned n, uint64_t seed,
				 struct dma_buf *buf,
				 struct selftest_totals *tot)
{
	struct virtio_blk *b = vm_virtio_blk(vm, n);
	uint64_t bytes = b->capacity * VIRTIO_BLK_SECTOR_SIZE;
	double t, t_write = 0, t_flush, t_read = 0;
	int err;

	for (uint64_t off = 0; off < bytes; off += CHUNK_BYTES) {
		size_t len = chunk_len(bytes, off);

		fill_pattern(buf->p, len, seed, off);
		err = timed_io(b, true, off, buf->p, len, &t_write);
		if (err)
			return op_failed("write", n, err);
		tot->requests++;
	}
	t = now_ms();
	err = virtio_blk_flush(b);
	t_flush = now_ms() - t;
	if (err)
		return op_failed("flush", n, err);
	for (uint64_t off = 0; off < bytes; off += CHUNK_BYTES) {
		size_t len = chunk_len(bytes, off);

		err = timed_io(b, false, off, buf->p, len, &t_read);
		if (err)
			return op_failed("read", n, err);
		for (size_t i = 0; i < len; i++) {
			if (buf->p[i] != pattern_byte(seed, off + i)) {
				fprintf(stderr, "virtsim: disk %u: byte %" PRIu64
					" reads 0x%02x, wrote 0x%02x\n", n,
					off + i, buf->p[i],
					pattern_byte(seed, off + i));
				return EXIT_OP_FAILED;
			}
		}
		tot->requests++;
	}
	tot->requests++; /* the flush */
	tot->bytes += 2 * bytes;
	printf("disk %u: wrote %" PRIu64 " MiB in %.1f ms (%.0f MiB/s), "
	       "flush %.2f ms, read back %.1f ms (%.0f MiB/s), verified\n",
	       n, bytes >> 20, t_write, mib_per_s(bytes, t_write), t_flush,
	       t_read, mib_per_s(bytes, t_read));
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
 * the backing file with host preads (@fd).
 */
static int timed_pass(struct virtio_blk *b, int fd, uint8_t *p, uint64_t bytes,
		      double *ms)
{
	double t = now_ms();
	int err = 0;

	for (uint64_t off = 0; off < bytes && !err; off += CHUNK_BYTES) {
		size_t len = chunk_len(bytes, off);

		err =
		    b ? virtio_blk_read(b, off / VIRTIO_BLK_SECTOR_SIZE, p, len)
		      : host_pread(fd, off, p, len);
	}
	*ms = now_ms() - t;
	return err;
}

/*
 * Read the whole disk through the driver and compare it with a host
 * pread of the backing file. Then time whole-disk passes of each, in
 * turn, best of BENCH_ROUNDS: interleaving them per chunk would hand the
 * second reader a warm CPU cache.
 */
static int selftest_compare_file(struct vm *vm, unsigned n, const char *path,
				 struct dma_buf *buf,
				 struct selftest_totals *tot)
{
	struct virtio_blk *b = vm_virtio_blk(vm, n);
	uint64_t bytes = b->capacity * VIRTIO_BLK_SECTOR_SIZE;
	uint8_t *host = malloc(CHUNK_BYTES);
	double t_stack = 0, t_host = 0, t;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err = 0, ret = 0;

	if (!host || fd < 0) {
		fprintf(stderr, "virtsim: %s: %s\n", path,
			host ? strerror(errno) : "out of memory");
		if (fd >= 0)
			close(fd);
		free(host);
		return EXIT_OP_FAILED;
	}
	for (uint64_t off = 0; off < bytes && !ret; off += CHUNK_BYTES) {
		size_t len = chunk_len(bytes, off);

		err = virtio_blk_read(b, off / VIRTIO_BLK_SECTOR_SIZE, buf->p,
				      len);
		if (err) {
			ret = op_failed("read", n, err);
		} else if ((err = host_pread(fd, off, host, len))) {
			fprintf(stderr, "virtsim: %s: %s\n", path,
				strerror(-err));
			ret = EXIT_OP_FAILED;
		} else if (memcmp(host, buf->p, len)) {
			fprintf(stderr, "virtsim: disk %u: the driver read "
				"differs from %s near byte %" PRIu64 "\n",
				n, path, off);
			ret = EXIT_OP_FAILED;
		}
		tot->requests++;
	}
	for (unsigned r = 0; r < BENCH_ROUNDS && !ret; r++) {
		err = timed_pass(b, -1, buf->p, bytes, &t);
		if (err) {
			ret = op_failed("read", n, err);
			break;
		}
		t_stack = r == 0 || t < t_stack ? t : t_stack;
		err = timed_pass(NULL, fd, host, bytes, &t);
		if (err) {
			fprintf(stderr, "virtsim: %s: %s\n", path,
				strerror(-err));
			ret = EXIT_OP_FAILED;
			break;
		}
		t_host = r == 0 || t < t_host ? t : t_host;
		tot->requests += (bytes + CHUNK_BYTES - 1) / CHUNK_BYTES;
	}
	free(host);
	close(fd);
	if (ret)
		return ret;
	tot->bytes += (1 + BENCH_ROUNDS) * bytes;
	printf("disk %u: read %" PRIu64 " MiB through the stack = backing "
	       "file; best of %u: stack %.2f ms (%.0f MiB/s), host pread "
	       "%.2f ms, stack/pread %.2fx\n",
	       n, bytes >> 20, BENCH_ROUNDS, t_stack,
	       mib_per_s(bytes, t_stack), t_host,
	       t_host > 0 ? t_stack / t_host : 0);
	return 0;
}

/*
 * Keep BATCH_DEPTH reads in flight with the token API, each completed by
 * its token. The requests live in DMA memory, as a guest kernel would
 * keep them, so their headers and status bytes are shared without a
 * bounce.
 */
static int selftest_batch(struct vm *vm, unsigned n,
			  struct selftest_totals *tot)
{
	struct virtio_blk *b = vm_virtio_blk(vm, n);
	const struct hal *hal = machine_hal(&vm->machine);
	struct virtio_blk_req *req;
	struct dma_buf buf, reqs;
	uint64_t sectors = b->capacity < 4096 ? b->capacity : 4096;
	uint64_t next = 0, done = 0;
	double t0;
	int err, ret = 0;

	if (dma_buf_get(&buf, hal, BATCH_DEPTH * VIRTIO_BLK_SECTOR_SIZE))
		return op_failed("DMA allocation", n, -VIRTIO_ERR_DMA_ERROR);
	if (dma_buf_get(&reqs, hal, BATCH_DEPTH * sizeof(*req))) {
		dma_buf_put(&buf);
		return op_failed("DMA allocation", n, -VIRTIO_ERR_DMA_ERROR);
	}
	req = (struct virtio_blk_req *)reqs.p; /* zeroed by the HAL */
	t0 = now_ms();
	while (done < sectors && !ret) {
		uint16_t token;

		for (unsigned i = 0; i < BATCH_DEPTH && next < sectors; i++) {
			if (req[i].in_flight)
				continue;
			err = virtio_blk_submit(b, &req[i], VIRTIO_BLK_T_IN,
						next, buf.p + i * 512, 512);
			if (err == -VIRTIO_ERR_QUEUE_FULL)
				break;
			if (err) {
				ret = op_failed("submit", n, err);
				goto out;
			}
			next++;
		}
		while (virtio_blk_poll(b, &token) == 0) {
			if (hal_wait(hal) == -HAL_EIDLE &&
			    virtio_blk_poll(b, &token) == 0) {
				ret = op_failed("poll", n,
						-VIRTIO_ERR_NOT_READY);
				goto out;
			}
		}
		err = -VIRTIO_ERR_WRONG_TOKEN; /* unless a request owns it */
		for (unsigned i = 0; i < BATCH_DEPTH; i++) {
			if (req[i].in_flight && req[i].token == token) {
				err = virtio_blk_complete(b, token, &req[i]);
				break;
			}
		}
		if (err) {
			ret = op_failed("complete", n, err);
			goto out;
		}
		done++;
	}
	tot->requests += done;
	printf("disk %u: %" PRIu64 " single-sector reads, %u in flight, "
	       "token API: %.1f ms (%.0f requests/s)\n",
	       n, done, BATCH_DEPTH, now_ms() - t0,
	       done / ((now_ms() - t0) / 1e3));
out:
	dma_buf_put(&reqs);
	dma_buf_put(&buf);
	return ret;
}

static int make_scratch(char *path, size_t len, unsigned n)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, len, "%s/virtsim-scratch%u-XXXXXX",
		 dir && *dir ? dir : "/tmp", n);
	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, (off_t)SCRATCH_DISK_SIZE)) {
		fprintf(stderr, "virtsim: cannot create a scratch disk in %s: "
			"%s\n", dir && *dir ? dir : "/tmp", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int run_selftest(struct vm *vm, const struct virtsim_options *o,
			bool scratch)
{
	struct selftest_totals tot = {0};
	struct dma_buf buf;
	double t0 = now_ms();
	int ret = 0;

	if (dma_buf_get(&buf, machine_hal(&vm->machine), CHUNK_BYTES))
		return op_failed("DMA allocation", 0, -VIRTIO_ERR_DMA_ERROR);
	for (unsigned n = 0; n < vm->disk_count && !ret; n++) {
		const char *path = vm->disks[n].path;

		if (scratch)
			ret = selftest_write_verify(vm, n, o->seed + n, &buf,
						    &tot);
		if (!ret)
			ret = selftest_compare_file(vm, n, path, &buf, &tot);
		if (!ret)
			ret = selftest_batch(vm, n, &tot);
	}
	dma_buf_put(&buf);
	if (!ret)
		printf("selftest passed: %u disk%s, %" PRIu64 " requests, "
		       "%" PRIu64 " MiB moved in %.1f ms\n",
		       vm->disk_count, vm->disk_count == 1 ? "" : "s",
		       tot.requests, tot.bytes >> 20, now_ms() - t0);
	return ret;
}

static int run_blk_read(struct vm *vm, const struct virtsim_options *o)
{
	struct virtio_blk *b = vm_virtio_blk(vm, o->disk);
	struct dma_buf buf;
	uint64_t left = o->count, lba = o->lba;
	int err, ret = 0;

	if (dma_buf_get(&buf, machine_hal(&vm->machine), CHUNK_BYTES))
		return op_failed("DMA allocation", o->disk,
				 -VIRTIO_ERR_DMA_ERROR);
	while (left && !ret) {
		uint64_t n = left < CHUNK_SECTORS ? left : CHUNK_SECTORS;

		err = virtio_blk_read(b, lba, buf.p, n * 512);
		if (err) {
			ret = op_failed("read", o->disk, err);
		} else if (fwrite(buf.p, 512, n, stdout) != n) {
			fprintf(stderr, "virtsim: writing to stdout: %s\n",
				strerror(errno));
			ret = EXIT_OP_FAILED;
		}
		lba += n;
		left -= n;
	}
	dma_buf_put(&buf);
	if (!ret && fflush(stdout)) {
		fprintf(stderr, "virtsim: writing to stdout: %s\n",
			strerror(errno));
		ret = EXIT_OP_FAILED;
	}
	return ret;
}

static int run_blk_write(struct vm *vm, const struct virtsim_options *o)
{
	struct virtio_blk *b = vm_virtio_blk(vm, o->disk);
	struct dma_buf buf;
	uint64_t lba = o->lba;
	struct stat st;
	int fd, err, ret = 0;

	fd = open(o->input, O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "virtsim: %s: %s\n", o->input, strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_USAGE;
	}
	if (!S_ISREG(st.st_mode) || st.st_size % 512 || st.st_size == 0) {
		fprintf(stderr, "virtsim: %s: size %lld is not a non-zero "
			"multiple of 512 bytes\n", o->input,
			(long long)st.st_size);
		close(fd);
		return EXIT_USAGE;
	}
	if (dma_buf_get(&buf, machine_hal(&vm->machine), CHUNK_BYTES)) {
		close(fd);
		return op_failed("DMA allocation", o->disk,
				 -VIRTIO_ERR_DMA_ERROR);
	}
	for (uint64_t off = 0; off < (uint64_t)st.st_size && !ret;) {
		size_t len = chunk_len((uint64_t)st.st_size, off);
		ssize_t got = pread(fd, buf.p, len, (off_t)off);

		if (got != (ssize_t)len) {
			fprintf(stderr, "virtsim: %s: short read\n", o->input);
			ret = EXIT_USAGE;
			break;
		}
		err = virtio_blk_write(b, lba, buf.p, len);
		if (err)
			ret = op_failed("write", o->disk, err);
		lba += len / 512;
		off += len;
	}
	close(fd);
	dma_buf_put(&buf);
	if (!ret && (err = virtio_blk_flush(b)))
		ret = op_failed("flush", o->disk, err);
	return ret;
}

#else
/* Without virtio-blk there is nothing to exercise but the probe. */
static int run_selftest(struct vm *vm, const struct virtsim_options *o,
			bool scratch)
{
	printf("selftest passed: no block devices in this build "
	       "(--disable-blk)\n");
	return 0;
}

static int run_blk_read(struct vm *vm, const struct virtsim_options *o)
{
	return EXIT_USAGE; /* vm_create refused the disk already */
}

static int run_blk_write(struct vm *vm, const struct virtsim_options *o)
{
	return EXIT_USAGE;
}
#endif /* VIRTSIM_HAVE_BLK */

int main(int argc, char **argv)
{
	struct vm_disk_config disks[VIRTSIM_MAX_DISKS];
	/* The default machine: every transport a driver can meet. */
	static const struct vm_disk_config scratch_disks[] = {
		{.transport = VM_TRANSPORT_MMIO, .mmio_version = 2},
		{.transport = VM_TRANSPORT_MMIO, .mmio_version = 1},
		{.transport = VM_TRANSPORT_PCI, .mmio_version = 2},
	};
	char scratch[sizeof(scratch_disks) / sizeof(scratch_disks[0])][4096];
	struct virtsim_options o;
	struct vm_config cfg;
	static struct vm vm;
	FILE *trace_out = NULL;
	unsigned nscratch = 0, hal_errors;
	char err[512];
	int ret;

	if (virtsim_parse_options(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, "virtsim: %s\nTry 'virtsim --help'.\n", err);
		virtsim_free_options(&o);
		return EXIT_USAGE;
	}
	if (o.help || o.version) {
		if (o.help)
			virtsim_usage(stdout);
		else
			printf("virtsim %s\n", PACKAGE_VERSION);
		virtsim_free_options(&o);
		return 0;
	}
	if (o.trace_file) {
		trace_out = fopen(o.trace_file, "w");
		if (!trace_out) {
			fprintf(stderr, "virtsim: --trace-file %s: %s\n",
				o.trace_file, strerror(errno));
			virtsim_free_options(&o);
			return EXIT_USAGE;
		}
	}

	memset(disks, 0, sizeof(disks));
	for (unsigned i = 0; i < o.disk_count; i++)
		disks[i] = (struct vm_disk_config){
			.path = o.disks[i].path,
			.readonly = o.disks[i].ro,
			.transport = o.disks[i].pci ? VM_TRANSPORT_PCI
						    : VM_TRANSPORT_MMIO,
			.mmio_version = o.disks[i].mmio_version,
			.serial = o.disks[i].serial};
	cfg = (struct vm_config){.mem_size = o.mem_size,
				 .disks = disks,
				 .disk_count = o.disk_count,
				 .poll = o.poll,
				 .seed = o.seed,
				 .mode = o.mode,
				 .trace_mask = o.trace_mask,
				 .trace_out = trace_out};
#ifdef VIRTSIM_HAVE_BLK
	if (o.workload == WORKLOAD_SELFTEST && o.disk_count == 0) {
		/* Scratch disks on each transport, and an empty slot. */
		for (; nscratch < sizeof(scratch) / sizeof(scratch[0]);
		     nscratch++) {
			if (make_scratch(scratch[nscratch], sizeof(scratch[0]),
					 nscratch)) {
				ret = EXIT_USAGE;
				goto out_scratch;
			}
			disks[nscratch] = scratch_disks[nscratch];
			disks[nscratch].path = scratch[nscratch];
		}
		cfg.disk_count = nscratch;
		cfg.empty_slot = true;
	}
#endif

	if (vm_create(&vm, &cfg, err, sizeof(err))) {
		fprintf(stderr, "virtsim: %s\n", err);
		ret = EXIT_USAGE;
		goto out_scratch;
	}
	if (vm_probe(&vm, err, sizeof(err))) {
		fprintf(stderr, "virtsim: %s\n", err);
		ret = EXIT_OP_FAILED;
		goto out_vm;
	}
	if (o.workload == WORKLOAD_SELFTEST || o.workload == WORKLOAD_PROBE)
		printf("virtsim %s: %" PRIu64 " MiB guest RAM at 0x%llx, "
		       "%u MMIO slot%s, %u PCI function%s\n", PACKAGE_VERSION,
		       vm.machine.mem.size >> 20, MACHINE_RAM_BASE,
		       vm.slot_count, vm.slot_count == 1 ? "" : "s",
		       vm.pci_count, vm.pci_count == 1 ? "" : "s");
	switch (o.workload) {
	case WORKLOAD_SELFTEST:
		print_tables(&vm);
		ret = run_selftest(&vm, &o, nscratch > 0);
		break;
	case WORKLOAD_PROBE:
		print_tables(&vm);
		ret = 0;
		break;
	case WORKLOAD_BLK_READ:
		ret = run_blk_read(&vm, &o);
		break;
	case WORKLOAD_BLK_WRITE:
		ret = run_blk_write(&vm, &o);
		break;
	default:
		ret = EXIT_USAGE;
	}
out_vm:
	hal_errors = vm_destroy(&vm, true);
	if (hal_errors && !ret) {
		fprintf(stderr, "virtsim: %u HAL book-keeping error%s\n",
			hal_errors, hal_errors == 1 ? "" : "s");
		ret = EXIT_OP_FAILED;
	}
out_scratch:
	while (nscratch)
		unlink(scratch[--nscratch]);
	if (trace_out)
		fclose(trace_out);
	virtsim_free_options(&o);
	return ret;
}
