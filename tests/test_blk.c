/* SPDX-License-Identifier: MIT */
/*
 * End to end: the virtio-blk driver, through the adapter and the MMIO
 * or PCI transport, against the blk model on a host file, over MMIO v1,
 * MMIO v2 and PCI, taking interrupts or polling, in the sync, the
 * deferred and the thread execution mode. Data is checked byte for byte
 * against the backing file as the host reads it.
 *
 * Loop index i picks the variant: i % 6 is 0 MMIO v2, 1 MMIO v1
 * (legacy), 2 MMIO v2 polling, 3 MMIO v1 polling, 4 PCI, 5 PCI polling;
 * i < 6 runs in sync mode, 6 <= i < 12 in deferred mode (seed i),
 * i >= 12 in thread mode.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "devices/blk/blk_model.h"
#include "drivers/adapter/adapter.h"
#include "drivers/virtio/virtio_blk.h"
#include "drivers/wire/virtio_pci.h"
#include "tests/testutil.h"
#include "tools/vm/blk_class.h"
#include "tools/vm/guest.h"
#include "tools/vm/vm.h"

#define DISK_SECTORS 2048u /* 1 MiB */
#define VARIANTS 18

static bool variant_pci(int i)
{
	return i % 6 >= 4;
}

static bool variant_poll(int i)
{
	return variant_pci(i) ? i % 6 == 5 : (i % 6 & 2) != 0;
}

static int variant_mmio_version(int i)
{
	return !variant_pci(i) && (i & 1) ? 1 : 2;
}

static enum sim_mode variant_mode(int i)
{
	return i >= 12	? SIM_MODE_THREAD
	       : i >= 6 ? SIM_MODE_DEFERRED
			: SIM_MODE_SYNC;
}

static struct vm vm;
static char path[4096];

static void vm_config_for(int i, const struct blk_options *bo,
			  struct vm_device_config *dc, struct vm_config *cfg)
{
	*dc = (struct vm_device_config){
	    .cls = &blk_class,
	    .options = bo,
	    .transport = variant_pci(i) ? VM_TRANSPORT_PCI : VM_TRANSPORT_MMIO,
	    .mmio_version = variant_pci(i) ? 0 : variant_mmio_version(i)};
	*cfg = (struct vm_config){.mem_size = 8u << 20,
				  .mode = variant_mode(i),
				  .seed = (uint64_t)i,
				  .devices = dc,
				  .device_count = 1,
				  .poll = variant_poll(i)};
}

/* A machine with the disk @bo (its path set here) on a fresh image. */
static void start_opts(int i, struct blk_options *bo, unsigned long long size)
{
	struct vm_device_config dc;
	struct vm_config cfg;
	char err[256];

	test_make_file(path, sizeof(path), "blk", size, 1);
	bo->path = path;
	vm_config_for(i, bo, &dc, &cfg);
	ck_assert_msg(vm_create(&vm, &cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(vm_probe(&vm, err, sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_nonnull(vm_disk(&vm, 0));
}

static void start(int i, bool readonly, unsigned long long size)
{
	struct blk_options bo = {.path = path,
				 .readonly = readonly,
				 .serial = "disk-serial-0123456789abc"};
	struct vm_device_config dc = {
	    .cls = &blk_class,
	    .options = &bo,
	    .transport = variant_pci(i) ? VM_TRANSPORT_PCI : VM_TRANSPORT_MMIO,
	    .mmio_version = variant_pci(i) ? 0 : variant_mmio_version(i)};
	struct vm_config cfg = {.mem_size = 8u << 20,
				.mode = variant_mode(i),
				.seed = (uint64_t)i,
				.devices = &dc,
				.device_count = 1,
				.poll = variant_poll(i)};
	char err[256];

	test_make_file(path, sizeof(path), "blk", size, 1);
	ck_assert_msg(vm_create(&vm, &cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(vm_probe(&vm, err, sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_nonnull(vm_disk(&vm, 0));
}

static void stop(void)
{
	/* Every DMA page freed and every share undone (HAL books). */
	ck_assert_uint_eq(vm_destroy(&vm, true), 0);
	unlink(path);
}

static struct vm_device *dev0(void)
{
	return vm_device(&vm, &blk_class, 0);
}

static struct virtio_blk *blk0(void)
{
	return vm_virtio_blk(&vm, 0);
}

/* Capacity and block size through probe and init (INIT-D-07, MMIO-D-15,
 * MMIO-D-16, MMIO-D-18, LEG-V-02 on v1). */
START_TEST(probe_and_geometry)
{
	struct block_device *bd;

	start(_i, false, DISK_SECTORS * 512ull);
	bd = vm_disk(&vm, 0);
	if (variant_pci(_i)) {
		/* The host bridge at 00:00.0, then the disk at 00:01.0. */
		const struct platform_pci_function *f = vm.platform.pci;

		ck_assert_uint_eq(vm.platform.pci_count, 2);
		ck_assert(!f[0].dev.found);
		ck_assert_uint_eq(f[0].info.class_code, PCI_CLASS_BRIDGE);
		ck_assert(f[1].dev.found);
		ck_assert_int_eq(f[1].dev.type, DEV_TYPE_BLOCK);
		ck_assert_uint_eq(f[1].bdf, PCI_BDF(0, 1, 0));
		ck_assert_ptr_eq(dev0()->found, &f[1].dev);
		ck_assert_uint_eq(f[1].info.device_id,
				  VIRTIO_PCI_DEVICE_ID_MODERN_BASE +
				      VIRTIO_ID_BLOCK);
	} else {
		const struct platform_mmio_slot *s = vm.platform.mmio;

		ck_assert_int_eq(s[0].dev.found, true);
		ck_assert_int_eq(s[0].dev.type, DEV_TYPE_BLOCK);
		ck_assert_uint_eq(s[0].version, variant_mmio_version(_i));
		ck_assert_ptr_eq(dev0()->found, &s[0].dev);
	}
	ck_assert_int_eq(bd->ops->type(bd), DEV_TYPE_BLOCK);
	ck_assert_uint_eq(bd->ops->num_blocks(bd), DISK_SECTORS);
	ck_assert_uint_eq(bd->ops->block_size(bd), 512);
	ck_assert_uint_eq(virtio_blk_capacity(blk0()), DISK_SECTORS);
	ck_assert(!blk0()->readonly);
	stop();
}
END_TEST

/* Reads return exactly the file's bytes, at any offset and length
 * (BLK-D-05, VQ-D-02 readable header before writable data and status). */
START_TEST(read_matches_backing_file)
{
	static uint8_t got[64 * 512], want[64 * 512];
	const uint64_t lbas[] = {0, 1, 7, 1000, DISK_SECTORS - 64};

	start(_i, false, DISK_SECTORS * 512ull);
	for (unsigned k = 0; k < sizeof(lbas) / sizeof(lbas[0]); k++) {
		size_t len = (k + 1) * 512 * 12 > sizeof(got)
				     ? sizeof(got) : (k + 1) * 512 * 12;

		memset(got, 0xcc, sizeof(got));
		ck_assert_int_eq(virtio_blk_read(blk0(), lbas[k], got, len),
				 0);
		test_file_read(path, want, len, (off_t)lbas[k] * 512);
		ck_assert_mem_eq(got, want, len);
	}
	stop();
}
END_TEST

/* Writes land in the file byte for byte; flush reaches the backing file
 * (BLK-V-09, BLK-D-04). */
START_TEST(write_then_flush_reaches_file)
{
	static uint8_t data[16 * 512], back[16 * 512];
	struct block_device *bd;
	const struct blk_model_stats *st;

	start(_i, false, DISK_SECTORS * 512ull);
	bd = vm_disk(&vm, 0);
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	ck_assert_int_eq(bd->ops->write_block(bd, 100, data, sizeof(data)),
			 0);
	ck_assert_int_eq(bd->ops->flush(bd), 0);
	st = blk_model_stats(dev0()->model);
	ck_assert_uint_eq(st->flushes, 1);
	test_file_read(path, back, sizeof(back), 100 * 512);
	ck_assert_mem_eq(back, data, sizeof(data));
	/* The neighbours are untouched. */
	test_file_read(path, back, 512, 99 * 512);
	test_expect_pattern(back, 512, 99 * 512);
	/* And the driver reads back what it wrote. */
	memset(back, 0, sizeof(back));
	ck_assert_int_eq(bd->ops->read_block(bd, 100, back, sizeof(back)), 0);
	ck_assert_mem_eq(back, data, sizeof(data));
	stop();
}
END_TEST

/* @len bytes of @fill from a heap buffer to @sector and back, checked
 * against the image. */
static void heap_round_trip(uint64_t sector, size_t len, uint8_t fill)
{
	uint8_t *buf = malloc(len), *want = malloc(len);

	memset(buf, fill, len);
	ck_assert_int_eq(virtio_blk_write(blk0(), sector, buf, len), 0);
	memset(buf, 0, len);
	ck_assert_int_eq(virtio_blk_read(blk0(), sector, buf, len), 0);
	test_file_read(path, want, len, (off_t)sector * 512);
	ck_assert_mem_eq(buf, want, len);
	ck_assert_uint_eq(buf[0], fill);
	free(buf);
	free(want);
}

/* A buffer outside DMA memory is bounced by the HAL both ways. */
START_TEST(heap_buffers_are_bounced)
{
	start(_i, false, DISK_SECTORS * 512ull);
	heap_round_trip(8, 4096, 0x5a);
	ck_assert_uint_gt(vm.machine.hal.stats.bounces, 0);
	stop();
}
END_TEST

/*
 * With --dma map the HAL maps a heap buffer in place instead: the model
 * reads and writes the caller's memory itself, nothing is bounced, and
 * every mapping is gone after each request.
 */
START_TEST(heap_buffers_are_mapped)
{
	struct blk_options bo = {0};
	struct vm_device_config dc;
	struct vm_config cfg;
	char err[256];

	test_make_file(path, sizeof(path), "blk", DISK_SECTORS * 512ull, 1);
	bo.path = path;
	vm_config_for(_i, &bo, &dc, &cfg);
	cfg.dma = SIM_DMA_MAP;
	ck_assert_msg(vm_create(&vm, &cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(vm_probe(&vm, err, sizeof(err)) == 0, "%s", err);
	heap_round_trip(16, 8192, 0xa5);
	ck_assert_uint_ge(vm.machine.hal.stats.maps, 2);
	ck_assert_uint_eq(vm.machine.hal.stats.bounces, 0);
	ck_assert_uint_eq(guest_mem_mapped(&vm.machine.mem), 0);
	stop();
}
END_TEST

/*
 * The token API shares only the data: header and status come from the
 * driver's DMA slots, so a request on the heap costs one bounce (its
 * heap data) and none with data in DMA memory; the status byte reaches
 * the caller's request at complete, and shares are all given back.
 */
START_TEST(token_api_shares_only_data)
{
	struct virtio_blk_req *req = calloc(2, sizeof(*req));
	uint8_t *heap = malloc(512), want[512];
	const struct hal *hal;
	struct dma_buf dma;
	uint64_t bounces, shares;
	uint16_t token;

	start(_i, false, DISK_SECTORS * 512ull);
	hal = machine_hal(&vm.machine);
	ck_assert_int_eq(dma_buf_get(&dma, hal, 512), 0);
	bounces = vm.machine.hal.stats.bounces;
	shares = vm.machine.hal.stats.shares;
	ck_assert_int_eq(
	    virtio_blk_submit(blk0(), &req[0], VIRTIO_BLK_T_IN, 5, heap, 512),
	    0);
	ck_assert_int_eq(
	    virtio_blk_submit(blk0(), &req[1], VIRTIO_BLK_T_IN, 6, dma.p, 512),
	    0);
	ck_assert_uint_eq(vm.machine.hal.stats.shares - shares, 2);
	ck_assert_uint_eq(vm.machine.hal.stats.bounces - bounces, 1);
	for (unsigned done = 0; done < 2; done++) {
		struct virtio_blk_req *r;

		while (virtio_blk_poll(blk0(), &token) == 0)
			ck_assert_int_eq(hal_wait(hal), 0);
		r = req[0].token == token ? &req[0] : &req[1];
		ck_assert_int_eq(virtio_blk_complete(blk0(), token, r), 0);
		ck_assert_uint_eq(r->status, VIRTIO_BLK_S_OK);
	}
	test_file_read(path, want, 512, 5 * 512);
	ck_assert_mem_eq(heap, want, 512);
	test_file_read(path, want, 512, 6 * 512);
	ck_assert_mem_eq(dma.p, want, 512);
	ck_assert_uint_eq(vm.machine.hal.stats.unshares,
			  vm.machine.hal.stats.shares);
	dma_buf_put(&dma);
	free(heap);
	free(req);
	stop();
}
END_TEST

/* VIRTIO_BLK_F_RO offered; writes fail as IoError -> Io, no data written
 * (BLK-V-05). */
START_TEST(readonly_disk_refuses_writes)
{
	static uint8_t data[512], back[512];
	struct block_device *bd;
	int err;

	start(_i, true, DISK_SECTORS * 512ull);
	bd = vm_disk(&vm, 0);
	ck_assert(blk0()->readonly);
	memset(data, 0xab, sizeof(data));
	err = virtio_blk_write(blk0(), 3, data, sizeof(data));
	ck_assert_msg(err == -VIRTIO_ERR_IO_ERROR ||
			      err == -VIRTIO_ERR_UNSUPPORTED,
		      "write to ro disk gave %s", virtio_error_name(err));
	ck_assert_int_eq(bd->ops->write_block(bd, 3, data, sizeof(data)),
			 -(int)as_dev_err(err));
	test_file_read(path, back, sizeof(back), 3 * 512);
	test_expect_pattern(back, 512, 3 * 512);
	/* Reading still works. */
	ck_assert_int_eq(virtio_blk_read(blk0(), 3, back, sizeof(back)), 0);
	stop();
}
END_TEST

/* Requests past the end fail and do not touch the file (BLK-D-03,
 * BLK-D-05). */
START_TEST(out_of_range_requests_fail)
{
	static uint8_t buf[1024];
	struct block_device *bd;
	int err;

	start(_i, false, DISK_SECTORS * 512ull);
	bd = vm_disk(&vm, 0);
	err = virtio_blk_read(blk0(), DISK_SECTORS, buf, 512);
	ck_assert_msg(err == -VIRTIO_ERR_IO_ERROR ||
			      err == -VIRTIO_ERR_INVALID_PARAM,
		      "read past the end gave %s", virtio_error_name(err));
	/* Straddling the end. */
	err = virtio_blk_write(blk0(), DISK_SECTORS - 1, buf, 1024);
	ck_assert(err == -VIRTIO_ERR_IO_ERROR ||
		  err == -VIRTIO_ERR_INVALID_PARAM);
	/* Sector arithmetic does not wrap. */
	err = virtio_blk_read(blk0(), UINT64_MAX - 1, buf, 1024);
	ck_assert(err == -VIRTIO_ERR_IO_ERROR ||
		  err == -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_lt(bd->ops->read_block(bd, DISK_SECTORS, buf, 512), 0);
	/* Bad lengths are the caller's mistake. */
	ck_assert_int_eq(virtio_blk_read(blk0(), 0, buf, 100),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtio_blk_read(blk0(), 0, buf, 0),
			 -VIRTIO_ERR_INVALID_PARAM);
	/* The device is still fine afterwards. */
	ck_assert_int_eq(virtio_blk_read(blk0(), DISK_SECTORS - 1, buf, 512),
			 0);
	stop();
}
END_TEST

/* GET_ID returns the serial, cut to 20 bytes (BLK-D-07). */
START_TEST(get_id_returns_serial)
{
	char id[VIRTIO_BLK_ID_BYTES + 1];

	start(_i, false, DISK_SECTORS * 512ull);
	ck_assert_int_eq(virtio_blk_get_id(blk0(), id), 0);
	ck_assert_str_eq(id, "disk-serial-01234567");
	stop();
}
END_TEST

/* The token API: several requests in flight, completed by token; a
 * wrong token is refused (WrongToken -> BadState). */
START_TEST(token_api_batches_and_checks_tokens)
{
	struct virtio_blk_req req[8];
	static uint8_t buf[8][512], want[512];
	uint16_t token;
	unsigned done = 0;

	start(_i, false, DISK_SECTORS * 512ull);
	memset(req, 0, sizeof(req));
	for (unsigned i = 0; i < 8; i++)
		ck_assert_int_eq(virtio_blk_submit(blk0(), &req[i],
						   VIRTIO_BLK_T_IN, 40 + i,
						   buf[i], 512), 0);
	/* Not completed yet, so not free to submit again. */
	ck_assert_int_eq(virtio_blk_submit(blk0(), &req[0], VIRTIO_BLK_T_IN,
					   40, buf[0], 512),
			 -VIRTIO_ERR_ALREADY_USED);
	while (done < 8) {
		unsigned i;

		while (virtio_blk_poll(blk0(), &token) == 0)
			ck_assert_int_eq(hal_wait(machine_hal(&vm.machine)), 0);
		for (i = 0; i < 8; i++)
			if (req[i].in_flight && req[i].token == token)
				break;
		ck_assert_uint_lt(i, 8);
		/* Another request's token is refused: WrongToken. */
		if (done == 0) {
			unsigned other = (i + 1) % 8;

			ck_assert_int_eq(virtio_blk_complete(blk0(), token,
							     &req[other]),
					 -VIRTIO_ERR_WRONG_TOKEN);
			ck_assert_int_eq(as_dev_err(-VIRTIO_ERR_WRONG_TOKEN),
					 DEV_ERR_BAD_STATE);
		}
		ck_assert_int_eq(virtio_blk_complete(blk0(), token, &req[i]),
				 0);
		test_file_read(path, want, 512, (off_t)(40 + i) * 512);
		ck_assert_mem_eq(buf[i], want, 512);
		done++;
	}
	ck_assert_int_eq(virtio_blk_poll(blk0(), &token), 0);
	stop();
}
END_TEST

/* Bring the driver up again on the same transport with @queue_size. */
static void restart_with_queue_size(int i, uint16_t queue_size)
{
	struct virtio_transport *t = blk0()->vdev.transport;
	unsigned line = virtio_transport_irq_line(t);
	struct virtio_blk_options o = {.queue_size = queue_size,
				       .use_irq = !variant_poll(i) &&
						  line != VIRTIO_NO_IRQ};

	virtio_blk_destroy(blk0());
	ck_assert_int_eq(virtio_blk_init(blk0(), t, &o, line), 0);
	ck_assert_uint_eq(blk0()->vq.size, queue_size);
}

/* The request that holds @token among @n, or @n. */
static unsigned req_by_token(struct virtio_blk_req *req, unsigned n,
			     uint16_t token)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (req[i].in_flight && req[i].token == token)
			break;
	return i;
}

/*
 * A token names one request from submit until complete, however many
 * finished requests wait uncompleted (a hostile-device fuzzer found
 * tokens 0, 2, 0, 2 on a queue of 4). Heap buffers: every read is
 * bounced, so one never copied back would show as wrong data.
 */
START_TEST(tokens_stay_unique_until_complete)
{
	enum { N = 6 };
	struct virtio_blk_req req[N];
	uint8_t *buf[N], want[512];
	uint16_t token, first;
	unsigned k, polled = 0;

	start(_i, false, DISK_SECTORS * 512ull);
	restart_with_queue_size(_i, 4);
	memset(req, 0, sizeof(req));
	for (k = 0; k < N; k++)
		buf[k] = malloc(512);
	/* Four requests fill the queue and stay uncompleted. */
	for (k = 0; k < 4; k++) {
		ck_assert_int_eq(virtio_blk_submit(blk0(), &req[k],
						   VIRTIO_BLK_T_IN, 40 + k,
						   buf[k], 512),
				 0);
		ck_assert_uint_eq(req_by_token(req, k, req[k].token), k);
	}
	while (polled < 4) {
		int r = virtio_blk_poll(blk0(), &token);

		ck_assert_int_ge(r, 0);
		if (r == 0) {
			ck_assert_int_eq(hal_wait(machine_hal(&vm.machine)), 0);
			continue;
		}
		ck_assert_uint_lt(req_by_token(req, 4, token), 4);
		polled++;
	}
	ck_assert_int_eq(virtio_blk_poll(blk0(), &token), 0);
	/* Every token is still taken: nothing to hand out. */
	ck_assert_int_eq(virtio_blk_submit(blk0(), &req[4], VIRTIO_BLK_T_IN, 44,
					   buf[4], 512),
			 -VIRTIO_ERR_QUEUE_FULL);
	/* Completing one frees exactly its token. */
	first = req[1].token;
	ck_assert_int_eq(virtio_blk_complete(blk0(), first, &req[1]), 0);
	ck_assert_int_eq(virtio_blk_submit(blk0(), &req[4], VIRTIO_BLK_T_IN, 44,
					   buf[4], 512),
			 0);
	ck_assert_uint_eq(req[4].token, first);
	/* A blocking read on the last descriptors reaps req[4] onto the
	 * done list; it stays held there. */
	ck_assert_int_eq(virtio_blk_complete(blk0(), req[2].token, &req[2]), 0);
	ck_assert_int_eq(virtio_blk_read(blk0(), 0, want, 512), 0);
	ck_assert_int_eq(virtio_blk_submit(blk0(), &req[5], VIRTIO_BLK_T_IN, 45,
					   buf[5], 512),
			 0);
	for (k = 0; k < N; k++)
		if (k != 5 && req[k].in_flight)
			ck_assert_uint_ne(req[k].token, req[5].token);
	/* Polled already: completed by token alone. */
	ck_assert_int_eq(virtio_blk_complete(blk0(), req[0].token, &req[0]), 0);
	ck_assert_int_eq(virtio_blk_complete(blk0(), req[3].token, &req[3]), 0);
	/* Poll hands out each of the other two once. */
	for (unsigned left = 2; left;) {
		int r = virtio_blk_poll(blk0(), &token);

		ck_assert_int_ge(r, 0);
		if (r == 0) {
			ck_assert_int_eq(hal_wait(machine_hal(&vm.machine)), 0);
			continue;
		}
		k = req_by_token(req, N, token);
		ck_assert(k == 4 || k == 5);
		ck_assert_int_eq(virtio_blk_complete(blk0(), token, &req[k]),
				 0);
		left--;
	}
	ck_assert_int_eq(virtio_blk_poll(blk0(), &token), 0);
	for (k = 0; k < N; k++) {
		ck_assert(!req[k].in_flight);
		test_file_read(path, want, 512, (off_t)(40 + k) * 512);
		ck_assert_mem_eq(buf[k], want, 512);
		free(buf[k]);
	}
	stop();
}
END_TEST

/* Interrupt mode takes interrupts and acknowledges them (MMIO-D-13,
 * MMIO-D-19, MMIO-D-20); polling mode suppresses them (VQ-D-11 / VQ-D-12). */
START_TEST(interrupts_or_polling)
{
	static uint8_t buf[512];
	unsigned line;

	start(_i, false, DISK_SECTORS * 512ull);
	line = blk0()->vdev.irq_line;
	for (unsigned k = 0; k < 10; k++)
		ck_assert_int_eq(virtio_blk_read(blk0(), k, buf, 512), 0);
	if (variant_poll(_i)) {
		ck_assert_uint_eq(blk0()->vdev.irqs, 0);
	} else {
		ck_assert_uint_lt(line, IRQ_MAX_LINES);
		ck_assert_uint_ge(vm.machine.irq.delivered[line], 10);
		ck_assert_uint_ge(blk0()->vdev.irqs, 10);
	}
	stop();
}
END_TEST

/*
 * The device gives up mid-request (NEEDS_RESET, INIT-V-02): the blocking
 * call fails as IoError -> Io with the caller's buffer already given back
 * (freeing it right away must be safe: ASan runs this), and later calls
 * fail at once without leaking slots, descriptors or bounce pages.
 */
START_TEST(device_failure_gives_buffers_back)
{
	uint8_t *buf;
	int err;

	start(_i, false, DISK_SECTORS * 512ull);
	machine_lock(&vm.machine); /* thread mode: between device turns */
	virtio_dev_fail(dev0()->model, "test: the device broke");
	machine_unlock(&vm.machine);
	buf = malloc(4096);
	err = virtio_blk_read(blk0(), 0, buf, 4096);
	ck_assert_str_eq(virtio_error_name(err), "IoError");
	ck_assert_int_eq(as_dev_err(err), DEV_ERR_IO);
	free(buf);
	for (unsigned k = 0; k < 300; k++) {
		uint8_t small[512];

		ck_assert_int_eq(virtio_blk_read(blk0(), 0, small, 512),
				 -VIRTIO_ERR_IO_ERROR);
	}
	ck_assert_int_eq(vm_disk(&vm, 0)->ops->flush(vm_disk(&vm, 0)),
			 -DEV_ERR_IO);
	stop();
}
END_TEST

/*
 * Finished token-API requests, polled or not, are held until complete; a
 * reset after a failed blocking call gives them back (buffers unshared,
 * chains released), and complete then refuses them.
 */
START_TEST(reset_gives_held_requests_back)
{
	struct virtio_blk_req req[2];
	uint8_t *buf[2], small[512];
	uint16_t token;

	start(_i, false, DISK_SECTORS * 512ull);
	memset(req, 0, sizeof(req));
	for (unsigned k = 0; k < 2; k++) {
		buf[k] = malloc(512);
		ck_assert_int_eq(virtio_blk_submit(blk0(), &req[k],
						   VIRTIO_BLK_T_IN, k, buf[k],
						   512),
				 0);
	}
	while (virtio_blk_poll(blk0(), &token) == 0)
		ck_assert_int_eq(hal_wait(machine_hal(&vm.machine)), 0);
	/* Either may finish first: deferred mode completes out of order. */
	ck_assert(token == req[0].token || token == req[1].token);
	/* Get the other off the ring too: blocking calls reap it, once the
	 * device has completed it (deferred mode: some virtual time later). */
	for (unsigned k = 0; k < 100 && virtqueue_num_held(&blk0()->vq) < 2;
	     k++)
		ck_assert_int_eq(virtio_blk_read(blk0(), 0, small, 512), 0);
	ck_assert_uint_eq(virtqueue_num_held(&blk0()->vq), 2);
	machine_lock(&vm.machine); /* thread mode: between device turns */
	virtio_dev_fail(dev0()->model, "test: the device broke");
	machine_unlock(&vm.machine);
	ck_assert_int_eq(virtio_blk_read(blk0(), 0, small, 512),
			 -VIRTIO_ERR_IO_ERROR);
	ck_assert_uint_eq(virtqueue_num_held(&blk0()->vq), 0);
	ck_assert_uint_eq(virtqueue_num_in_flight(&blk0()->vq), 0);
	for (unsigned k = 0; k < 2; k++) {
		ck_assert(!req[k].in_flight);
		ck_assert_int_eq(
		    virtio_blk_complete(blk0(), req[k].token, &req[k]),
		    -VIRTIO_ERR_WRONG_TOKEN);
		free(buf[k]);
	}
	ck_assert_int_eq(virtio_blk_poll(blk0(), &token), 0);
	stop();
}
END_TEST

/* 64-bit sector arithmetic: a sparse 5 GiB image, I/O past 4 GiB. */
START_TEST(image_above_4gib)
{
	const unsigned long long size = 5ull << 30;
	const uint64_t lba = (4ull << 30) / 512 + 12345;
	static uint8_t data[4096], back[4096];

	{
		struct blk_options bo = {.path = path};
		struct vm_device_config dc = {.cls = &blk_class,
					      .options = &bo};
		struct vm_config cfg = {
		    .mem_size = 8u << 20, .devices = &dc, .device_count = 1};
		char err[256];

		test_make_file(path, sizeof(path), "big", size, 0);
		ck_assert_msg(vm_create(&vm, &cfg, err, sizeof(err)) == 0,
			      "%s", err);
		ck_assert_int_eq(vm_probe(&vm, err, sizeof(err)), 0);
	}
	ck_assert_uint_eq(virtio_blk_capacity(blk0()), size / 512);
	memset(data, 0x77, sizeof(data));
	ck_assert_int_eq(virtio_blk_write(blk0(), lba, data, sizeof(data)), 0);
	ck_assert_int_eq(virtio_blk_flush(blk0()), 0);
	test_file_read(path, back, sizeof(back), (off_t)(lba * 512));
	ck_assert_mem_eq(back, data, sizeof(data));
	ck_assert_int_eq(virtio_blk_read(blk0(), size / 512 - 8, back, 4096),
			 0);
	stop();
}
END_TEST

/*
 * A disk with 4096-byte logical blocks (blk_size=4096, as QEMU's
 * logical_block_size=4096): the block device reports 4096-byte blocks
 * (INIT-D-05: blk_size read as BLK_SIZE is offered), aligned I/O is
 * byte-exact through both the driver and the block device, and I/O not
 * aligned to a block, in sector or length, is InvalidParam with nothing
 * sent (the device would say IOERR, and did lose writes). BLK-D-03 and
 * BLK-D-05 still hold: sectors and capacity stay 512-byte units.
 */
START_TEST(blocks_of_4096_bytes)
{
	struct blk_options bo = {.blk_size = 4096};
	static uint8_t got[16384], want[16384];
	const struct blk_model_stats *st;
	struct virtio_blk_req req;
	struct block_device *bd;
	uint64_t requests;

	start_opts(_i, &bo, DISK_SECTORS * 512ull);
	bd = vm_disk(&vm, 0);
	st = blk_model_stats(dev0()->model);
	ck_assert_uint_eq(bd->ops->block_size(bd), 4096);
	ck_assert_uint_eq(bd->ops->num_blocks(bd), DISK_SECTORS / 8);
	ck_assert_uint_eq(virtio_blk_block_size(blk0()), 4096);
	ck_assert_uint_eq(virtio_blk_capacity(blk0()), DISK_SECTORS);

	/* Aligned: through the driver (sectors) and the block device
	 * (blocks), byte for byte. */
	ck_assert_int_eq(virtio_blk_read(blk0(), 8, got, 8192), 0);
	test_file_read(path, want, 8192, 4096);
	ck_assert_mem_eq(got, want, 8192);
	ck_assert_int_eq(bd->ops->read_block(bd, 3, got, 16384), 0);
	test_file_read(path, want, 16384, 3 * 4096);
	ck_assert_mem_eq(got, want, 16384);
	memset(got, 0x6b, 4096);
	ck_assert_int_eq(bd->ops->write_block(bd, 5, got, 4096), 0);
	memset(got, 0x2d, 8192);
	ck_assert_int_eq(virtio_blk_write(blk0(), 64, got, 8192), 0);
	ck_assert_int_eq(bd->ops->flush(bd), 0);
	test_file_read(path, want, 4096, 5 * 4096);
	memset(got, 0x6b, 4096);
	ck_assert_mem_eq(got, want, 4096);
	test_file_read(path, want, 8192, 64 * 512);
	memset(got, 0x2d, 8192);
	ck_assert_mem_eq(got, want, 8192);
	/* The last block; one past it is refused. */
	ck_assert_int_eq(
	    bd->ops->read_block(bd, DISK_SECTORS / 8 - 1, got, 4096), 0);
	ck_assert_int_eq(bd->ops->read_block(bd, DISK_SECTORS / 8, got, 4096),
			 -DEV_ERR_INVALID_PARAM);

	/* Misaligned: refused before anything reaches the device. */
	requests = blk0()->requests;
	ck_assert_uint_eq(st->errors, 0);
	ck_assert_int_eq(virtio_blk_read(blk0(), 0, got, 512),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtio_blk_read(blk0(), 1, got, 4096),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtio_blk_read(blk0(), 8, got, 4096 + 512),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtio_blk_write(blk0(), 4, got, 4096),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(virtio_blk_write(blk0(), 16, got, 1024),
			 -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(bd->ops->read_block(bd, 1, got, 512),
			 -DEV_ERR_INVALID_PARAM);
	ck_assert_int_eq(bd->ops->write_block(bd, 1, got, 2048),
			 -DEV_ERR_INVALID_PARAM);
	/* A block number whose sector would not fit in 64 bits. */
	ck_assert_int_eq(bd->ops->read_block(bd, UINT64_MAX / 4, got, 4096),
			 -DEV_ERR_INVALID_PARAM);
	memset(&req, 0, sizeof(req));
	ck_assert_int_eq(
	    virtio_blk_submit(blk0(), &req, VIRTIO_BLK_T_IN, 2, got, 4096),
	    -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_int_eq(
	    virtio_blk_submit(blk0(), &req, VIRTIO_BLK_T_OUT, 0, got, 512),
	    -VIRTIO_ERR_INVALID_PARAM);
	ck_assert_uint_eq(blk0()->requests, requests);
	ck_assert_uint_eq(st->errors, 0);
	/* The misaligned writes left the image alone. */
	test_file_read(path, want, 4096, 0);
	test_expect_pattern(want, 4096, 0);
	test_file_read(path, want, 4096, 16 * 512);
	test_expect_pattern(want, 4096, 16 * 512);
	/* And the disk still works. */
	ck_assert_int_eq(virtio_blk_read(blk0(), 0, got, 4096), 0);
	stop();
}
END_TEST

/*
 * A device whose blk_size (BLK_SIZE offered, INIT-D-05) is no block size
 * the driver can honour (0, below 512, not a power of 2, above 64 KiB)
 * fails init with Unsupported (-> Unsupported) and FAILED set (FEAT-D-05,
 * INIT-D-10), rather than guessing 512 and having I/O fail later. A
 * sound one (8 KiB) is taken.
 */
START_TEST(unusable_block_size_fails_init)
{
	const uint32_t sizes[] = {0, 256, 3000, 131072, 8192};
	struct blk_options bo = {0};

	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct vm_device_config dc;
		struct vm_config cfg;
		struct virtio_dev *model;
		char err[256];
		int ret;

		test_make_file(path, sizeof(path), "blk", DISK_SECTORS * 512ull,
			       1);
		bo.path = path;
		vm_config_for(_i, &bo, &dc, &cfg);
		ck_assert_msg(vm_create(&vm, &cfg, err, sizeof(err)) == 0, "%s",
			      err);
		model = dev0()->model;
		virtio_st_le32(model->config +
				   offsetof(struct virtio_blk_config, blk_size),
			       sizes[k]);
		ret = vm_probe(&vm, err, sizeof(err));
		if (sizes[k] == 8192) {
			ck_assert_msg(ret == 0, "%s", err);
			ck_assert_uint_eq(virtio_blk_block_size(blk0()), 8192);
			ck_assert_uint_eq(
			    vm_disk(&vm, 0)->ops->num_blocks(vm_disk(&vm, 0)),
			    DISK_SECTORS / 16);
		} else {
			ck_assert_int_eq(ret, -DEV_ERR_UNSUPPORTED);
			ck_assert_int_eq(dev0()->virtio_error,
					 -VIRTIO_ERR_UNSUPPORTED);
			ck_assert(model->status & VIRTIO_CONFIG_S_FAILED);
			ck_assert_ptr_null(vm_disk(&vm, 0));
		}
		stop();
	}
}
END_TEST

/*
 * access_platform=on (QEMU's iommu_platform=on): the driver accepts
 * VIRTIO_F_ACCESS_PLATFORM, as the HAL gives device addresses (FEAT-D-08),
 * so init succeeds, the bit is negotiated and I/O works. A legacy device
 * has no bit 33: that machine is refused with one clear message.
 */
START_TEST(access_platform_is_accepted)
{
	struct blk_options bo = {.access_platform = true};
	static uint8_t got[4096], want[4096];

	if (variant_mmio_version(_i) == 1) {
		struct vm_device_config dc;
		struct vm_config cfg;
		char err[256] = "";

		test_make_file(path, sizeof(path), "blk", DISK_SECTORS * 512ull,
			       1);
		bo.path = path;
		vm_config_for(_i, &bo, &dc, &cfg);
		ck_assert_int_lt(vm_create(&vm, &cfg, err, sizeof(err)), 0);
		ck_assert_msg(strstr(err, "access_platform=on needs a modern"),
			      "%s", err);
		unlink(path);
		return;
	}
	start_opts(_i, &bo, DISK_SECTORS * 512ull);
	ck_assert(
	    virtio_device_has_feature(&blk0()->vdev, VIRTIO_F_ACCESS_PLATFORM));
	ck_assert(
	    virtio_dev_has_feature(dev0()->model, VIRTIO_F_ACCESS_PLATFORM));
	ck_assert_int_eq(virtio_blk_read(blk0(), 16, got, sizeof(got)), 0);
	test_file_read(path, want, sizeof(want), 16 * 512);
	ck_assert_mem_eq(got, want, sizeof(want));
	stop();
}
END_TEST

/* Images the machine refuses, with one clear message each. */
START_TEST(bad_images_are_refused)
{
	struct blk_options bo = {.path = "/nonexistent/disk.img"};
	struct vm_device_config dc = {.cls = &blk_class, .options = &bo};
	struct vm_config cfg = {
	    .mem_size = 8u << 20, .devices = &dc, .device_count = 1};
	char err[256] = "";

	ck_assert_int_lt(vm_create(&vm, &cfg, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "/nonexistent/disk.img"), "%s", err);

	test_make_file(path, sizeof(path), "odd", 1000, 1);
	bo.path = path;
	err[0] = 0;
	ck_assert_int_lt(vm_create(&vm, &cfg, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "512"), "%s", err);
	unlink(path);

	/* A 4096-byte block size on an image of 6 KiB. */
	test_make_file(path, sizeof(path), "odd4k", 6144, 1);
	bo.blk_size = 4096;
	err[0] = 0;
	ck_assert_int_lt(vm_create(&vm, &cfg, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "not a multiple of blk_size=4096"), "%s",
		      err);
	unlink(path);
}
END_TEST

static Suite *blk_suite(void)
{
	Suite *s = suite_create("blk_end_to_end");
	TCase *tc = tcase_create("mmio");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, probe_and_geometry, 0, VARIANTS);
	tcase_add_loop_test(tc, read_matches_backing_file, 0, VARIANTS);
	tcase_add_loop_test(tc, write_then_flush_reaches_file, 0, VARIANTS);
	tcase_add_loop_test(tc, heap_buffers_are_bounced, 0, VARIANTS);
	tcase_add_loop_test(tc, heap_buffers_are_mapped, 0, VARIANTS);
	tcase_add_loop_test(tc, readonly_disk_refuses_writes, 0, VARIANTS);
	tcase_add_loop_test(tc, out_of_range_requests_fail, 0, VARIANTS);
	tcase_add_loop_test(tc, get_id_returns_serial, 0, VARIANTS);
	tcase_add_loop_test(tc, token_api_batches_and_checks_tokens, 0, VARIANTS);
	tcase_add_loop_test(tc, token_api_shares_only_data, 0, VARIANTS);
	tcase_add_loop_test(tc, tokens_stay_unique_until_complete, 0, VARIANTS);
	tcase_add_loop_test(tc, interrupts_or_polling, 0, VARIANTS);
	tcase_add_loop_test(tc, device_failure_gives_buffers_back, 0, VARIANTS);
	tcase_add_loop_test(tc, reset_gives_held_requests_back, 0, VARIANTS);
	tcase_add_loop_test(tc, blocks_of_4096_bytes, 0, VARIANTS);
	tcase_add_loop_test(tc, access_platform_is_accepted, 0, VARIANTS);
	tcase_add_loop_test(tc, unusable_block_size_fails_init, 0, 6);
	tcase_add_test(tc, image_above_4gib);
	tcase_add_test(tc, bad_images_are_refused);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(blk_suite)
