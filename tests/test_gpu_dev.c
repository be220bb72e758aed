/* SPDX-License-Identifier: MIT */
/*
 * The virtio-gpu device model (devices/gpu/gpu_model.c), driven through
 * raw MMIO registers and rings built by hand in guest RAM, its pixels
 * read back from the headless display's shadow. Each test names the
 * requirements of spec-checklist.md it covers.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "devices/gpu/display.h"
#include "devices/gpu/gpu_model.h"
#include "devices/virtio/virtio_dev.h"
#include "devices/virtio/virtio_mmio.h"
#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_gpu.h"
#include "drivers/wire/virtio_mmio.h"
#include "drivers/wire/virtio_ring.h"
#include "drivers/wire/virtio_types.h"
#include "sim/machine.h"
#include "tests/test_ring.h"
#include "tests/testutil.h"

#define RAM_SIZE (16ull << 20)
#define QSZ 16
#define F(b) VIRTIO_BIT(b)
#define CTRLQ VIRTIO_GPU_CONTROL_QUEUE
#define CURSORQ VIRTIO_GPU_CURSOR_QUEUE
#define RING(q) (MACHINE_RAM_BASE + 0x10000 + (q)*0x8000ull)
#define CMD_GPA (MACHINE_RAM_BASE + 0x100000)  /* up to 512 KiB */
#define RESP_GPA (MACHINE_RAM_BASE + 0x180000) /* 64 KiB */
#define BACK_GPA (MACHINE_RAM_BASE + 0x200000) /* backings from here */

static struct machine m;
static struct virtio_dev *dev;
static struct display *disp;
static uint64_t win;
static uint16_t used_seen[2];

static void destroy_model(void *d)
{
	gpu_model_destroy(d);
}

static uint32_t rd(unsigned off)
{
	return bus_read(&m.bus, win + off, 4);
}

static void wr(unsigned off, uint32_t val)
{
	bus_write(&m.bus, win + off, val, 4);
}

static uint32_t cfg(unsigned off)
{
	return bus_read(&m.bus, win + VIRTIO_MMIO_CONFIG + off, 4);
}

static void cfg_wr(unsigned off, uint32_t val)
{
	bus_write(&m.bus, win + VIRTIO_MMIO_CONFIG + off, val, 4);
}

static void *gp(uint64_t gpa, uint64_t len)
{
	return test_gpa(&m.mem, gpa, len);
}

static const struct gpu_model_stats *stats(void)
{
	return gpu_model_stats(dev);
}

static uint64_t offered(void)
{
	uint64_t f;

	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return f | (uint64_t)rd(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

static void queue_up(unsigned q)
{
	uint64_t base = RING(q);

	memset(gp(base, 0x3000), 0, 0x3000);
	used_seen[q] = 0;
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, QSZ);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)base);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(base >> 32));
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)(base + 0x1000));
	wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)(base + 0x2000));
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 1);
}

/* §3.1 to DRIVER_OK with @features plus VERSION_1. */
static void bring_up(uint64_t features)
{
	const uint32_t ad =
	    VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	uint64_t f = features | F(VIRTIO_F_VERSION_1);

	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, ad);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
	wr(VIRTIO_MMIO_STATUS, ad | VIRTIO_CONFIG_S_FEATURES_OK);
	ck_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	queue_up(CTRLQ);
	queue_up(CURSORQ);
	wr(VIRTIO_MMIO_STATUS,
	   ad | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	ck_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DRIVER_OK);
}

static void add_gpu(const struct gpu_model_options *o)
{
	int slot;

	dev = gpu_model_create(&m.env, NULL, o);
	ck_assert_ptr_nonnull(dev);
	ck_assert_int_eq(machine_on_destroy(&m, destroy_model, dev), 0);
	slot = virtio_mmio_attach(&m, dev, 2);
	ck_assert_int_ge(slot, 0);
	win = machine_mmio_slot_base((unsigned)slot);
	disp = gpu_model_display(dev);
	ck_assert_ptr_nonnull(disp);
}

static void machine_up(enum sim_mode mode)
{
	struct machine_options o = {
	    .mem_size = RAM_SIZE, .mode = mode, .seed = 3};

	ck_assert_int_eq(machine_init(&m, &o), 0);
}

static void setup_with(const struct gpu_model_options *o, uint64_t features)
{
	machine_up(SIM_MODE_SYNC);
	add_gpu(o);
	bring_up(features);
}

static void setup(void)
{
	setup_with(NULL, 0);
}

static void setup_edid(void)
{
	struct gpu_model_options o = {.edid = true, .num_scanouts = 2};

	setup_with(&o, F(VIRTIO_GPU_F_EDID));
}

static void setup_deferred(void)
{
	machine_up(SIM_MODE_DEFERRED);
	add_gpu(NULL);
	bring_up(0);
}

static void teardown(void)
{
	ck_assert_uint_eq(machine_destroy(&m, true), 0);
}

static bool broken(void)
{
	return rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

/* Chains ------------------------------------------------------------- */

/* Each queue's three parts, as queue_up lays them out from RING(q). */
static const struct test_ring rings[2] = {
    [CTRLQ] = {&m.mem, RING(CTRLQ), RING(CTRLQ) + 0x1000, RING(CTRLQ) + 0x2000,
	       QSZ},
    [CURSORQ] = {&m.mem, RING(CURSORQ), RING(CURSORQ) + 0x1000,
		 RING(CURSORQ) + 0x2000, QSZ},
};

/* Step the event loop until nothing is left (deferred mode). */
static void settle(void)
{
	unsigned steps = 0;

	while (evloop_step(&m.loop, 0) == EVLOOP_RAN)
		ck_assert_uint_lt(++steps, 100000);
}

/*
 * Post one chain on @q: readable parts @cuts (byte counts of the
 * command at CMD_GPA, summing to @len), then one writable buffer of
 * @resp_len at RESP_GPA (none if 0). Waits for it; returns the used
 * length.
 */
static uint32_t post(unsigned q, const uint32_t *cuts, unsigned ncuts,
		     uint32_t resp_len)
{
	const struct test_ring *r = &rings[q];
	uint64_t addr = CMD_GPA;
	unsigned d = 0;

	for (; d < ncuts; d++) {
		bool more = d + 1 < ncuts || resp_len;

		test_desc_at(&m.mem, r->desc, d, addr, cuts[d],
			     more ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(d + 1));
		addr += cuts[d];
	}
	if (resp_len)
		test_desc_at(&m.mem, r->desc, d, RESP_GPA, resp_len,
			     VIRTQ_DESC_F_WRITE, 0);
	test_ring_avail_add(r, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, q);
	if (m.env.mode == SIM_MODE_DEFERRED) /* not yet: on the loop */
		ck_assert_uint_eq(test_ring_used_idx(r), used_seen[q]);
	settle();
	ck_assert_uint_eq(test_ring_used_idx(r), (uint16_t)(used_seen[q] + 1));
	return test_ring_used_len(r, used_seen[q]++);
}

/* Send @cmd (@len bytes) on the control queue, response into @resp. */
static uint32_t ctrl_raw(const void *cmd, uint32_t len, void *resp,
			 uint32_t resp_len)
{
	uint32_t used;

	memcpy(gp(CMD_GPA, len), cmd, len);
	memset(gp(RESP_GPA, resp_len), 0xee, resp_len);
	used = post(CTRLQ, &len, 1, resp_len);
	memcpy(resp, gp(RESP_GPA, resp_len), resp_len);
	return used;
}

/* A command with a header-only response: that response's type. */
static uint32_t ctrl(const void *cmd, uint32_t len)
{
	struct virtio_gpu_ctrl_hdr resp;

	ck_assert_uint_eq(ctrl_raw(cmd, len, &resp, sizeof(resp)),
			  sizeof(resp));
	return virtio_le32(resp.type);
}

static struct virtio_gpu_ctrl_hdr hdr(uint32_t type)
{
	return (struct virtio_gpu_ctrl_hdr){.type = virtio_le32(type)};
}

static struct virtio_gpu_rect rect(uint32_t x, uint32_t y, uint32_t w,
				   uint32_t h)
{
	return (struct virtio_gpu_rect){virtio_le32(x), virtio_le32(y),
					virtio_le32(w), virtio_le32(h)};
}

static uint32_t create(uint32_t id, uint32_t format, uint32_t w, uint32_t h)
{
	struct virtio_gpu_resource_create_2d c = {
	    hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D), virtio_le32(id),
	    virtio_le32(format), virtio_le32(w), virtio_le32(h)};

	return ctrl(&c, sizeof(c));
}

static uint32_t unref(uint32_t id)
{
	struct virtio_gpu_resource_unref c = {
	    hdr(VIRTIO_GPU_CMD_RESOURCE_UNREF), virtio_le32(id), 0};

	return ctrl(&c, sizeof(c));
}

struct entry {
	uint64_t addr;
	uint32_t len;
};

/* ATTACH_BACKING with @n entries, all in the command's one descriptor. */
static uint32_t attach(uint32_t id, const struct entry *e, uint32_t n)
{
	uint8_t
	    buf[sizeof(struct virtio_gpu_resource_attach_backing) + 16 * 64];
	struct virtio_gpu_resource_attach_backing c = {
	    hdr(VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING), virtio_le32(id),
	    virtio_le32(n)};

	ck_assert_uint_le(n, 64);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &c, sizeof(c));
	for (uint32_t i = 0; i < n; i++) {
		virtio_st_le64(buf + sizeof(c) + 16 * i, e[i].addr);
		virtio_st_le32(buf + sizeof(c) + 16 * i + 8, e[i].len);
	}
	return ctrl(buf, (uint32_t)(sizeof(c) + 16 * n));
}

static uint32_t detach(uint32_t id)
{
	struct virtio_gpu_resource_detach_backing c = {
	    hdr(VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING), virtio_le32(id), 0};

	return ctrl(&c, sizeof(c));
}

static uint32_t transfer(uint32_t id, struct virtio_gpu_rect r, uint64_t off)
{
	struct virtio_gpu_transfer_to_host_2d c = {
	    hdr(VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D), r, virtio_le64(off),
	    virtio_le32(id), 0};

	return ctrl(&c, sizeof(c));
}

static uint32_t flush(uint32_t id, struct virtio_gpu_rect r)
{
	struct virtio_gpu_resource_flush c = {
	    hdr(VIRTIO_GPU_CMD_RESOURCE_FLUSH), r, virtio_le32(id), 0};

	return ctrl(&c, sizeof(c));
}

static uint32_t set_scanout(uint32_t scanout, uint32_t id,
			    struct virtio_gpu_rect r)
{
	struct virtio_gpu_set_scanout c = {hdr(VIRTIO_GPU_CMD_SET_SCANOUT), r,
					   virtio_le32(scanout),
					   virtio_le32(id)};

	return ctrl(&c, sizeof(c));
}

static void display_info(struct virtio_gpu_resp_display_info *info)
{
	struct virtio_gpu_ctrl_hdr c = hdr(VIRTIO_GPU_CMD_GET_DISPLAY_INFO);

	ck_assert_uint_eq(ctrl_raw(&c, sizeof(c), info, sizeof(*info)),
			  sizeof(*info));
	ck_assert_uint_eq(virtio_le32(info->hdr.type),
			  VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
}

static void cursor_cmd(uint32_t type, uint32_t scanout, uint32_t x, uint32_t y,
		       uint32_t id, uint32_t hot_x, uint32_t hot_y)
{
	struct virtio_gpu_update_cursor c = {
	    .hdr = hdr(type),
	    .pos = {virtio_le32(scanout), virtio_le32(x), virtio_le32(y), 0},
	    .resource_id = virtio_le32(id),
	    .hot_x = virtio_le32(hot_x),
	    .hot_y = virtio_le32(hot_y)};
	uint32_t len = sizeof(c);

	memcpy(gp(CMD_GPA, len), &c, len);
	/* No response: posted readable-only, used length 0. */
	ck_assert_uint_eq(post(CURSORQ, &len, 1, 0), 0);
}

/* Pixels -------------------------------------------------------------- */

/*
 * The test's own oracle of the formats: where B, G, R and A sit in a
 * pixel of each format (§5.7.6.8: the name is the byte order).
 */
static const struct {
	uint32_t format;
	uint8_t b, g, r, a;
} formats[] = {
    {VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 0, 1, 2, 3},
    {VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 0, 1, 2, 3},
    {VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM, 3, 2, 1, 0},
    {VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM, 3, 2, 1, 0},
    {VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, 2, 1, 0, 3},
    {VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM, 1, 2, 3, 0},
    {VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM, 1, 2, 3, 0},
    {VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM, 2, 1, 0, 3},
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

static uint8_t pattern(uint64_t i, unsigned seed)
{
	return (uint8_t)(i * 13u + seed * 71u + (i >> 7));
}

/*
 * A resource's backing as the test sees it: a logical byte array,
 * stored in guest RAM as @n pieces (lengths @lens) each @gap bytes after
 * the previous one ends, so entries are not adjacent.
 */
struct backing {
	uint8_t *logical;
	uint64_t len;
	struct entry e[16];
	uint32_t n;
};

static void backing_make(struct backing *b, uint64_t base, const uint32_t *lens,
			 uint32_t n, uint32_t gap, unsigned seed)
{
	uint64_t addr = base, off = 0;

	b->len = 0;
	b->n = n;
	for (uint32_t i = 0; i < n; i++)
		b->len += lens[i];
	b->logical = malloc(b->len);
	ck_assert_ptr_nonnull(b->logical);
	for (uint64_t i = 0; i < b->len; i++)
		b->logical[i] = pattern(i, seed);
	for (uint32_t i = 0; i < n; i++) {
		b->e[i] = (struct entry){addr, lens[i]};
		memcpy(gp(addr, lens[i]), b->logical + off, lens[i]);
		off += lens[i];
		addr += lens[i] + gap;
	}
}

/* QEMU's TRANSFER_TO_HOST_2D on the test's copy of the resource. */
static void ref_transfer(uint8_t *res, uint32_t res_w, const uint8_t *src,
			 uint64_t off, uint32_t x, uint32_t y, uint32_t w,
			 uint32_t h)
{
	size_t stride = (size_t)res_w * 4;

	for (uint32_t row = 0; row < h; row++)
		memcpy(res + (y + row) * stride + x * 4,
		       src + off + stride * row, (size_t)w * 4);
}

/*
 * The shadow's (@sx, @sy, @w, @h) holds the resource copy @res (format
 * index @fi, width @res_w) from (@rx, @ry) on, in B8G8R8X8.
 */
static void expect_shadow(const uint8_t *res, uint32_t res_w, unsigned fi,
			  uint32_t rx, uint32_t ry, uint32_t sx, uint32_t sy,
			  uint32_t w, uint32_t h)
{
	const uint8_t pos[4] = {formats[fi].b, formats[fi].g, formats[fi].r,
				formats[fi].a};
	unsigned bad = 0, first = 0;

	ck_assert_ptr_nonnull(disp->shadow);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			const uint8_t *p =
			    res + ((size_t)(ry + y) * res_w + rx + x) * 4;
			const uint8_t *s =
			    disp->shadow +
			    ((size_t)(sy + y) * disp->width + sx + x) * 4;

			for (unsigned c = 0; c < 4; c++)
				if (s[c] != p[pos[c]] && !bad++)
					first = (y * w + x) * 4 + c;
		}
	ck_assert_msg(!bad, "%u bytes differ, first at %u (format %u)", bad,
		      first, formats[fi].format);
}

static bool shadow_black(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	for (uint32_t row = 0; row < h; row++)
		for (uint32_t i = 0; i < w * 4; i++)
			if (disp->shadow[((size_t)(y + row) * disp->width + x) *
					     4 +
					 i])
				return false;
	return true;
}

/* Tests: config and display info ------------------------------------- */

/* GPU-N-01: the config; what is offered. */
START_TEST(identity_and_config)
{
	uint64_t f = offered();

	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_GPU);
	wr(VIRTIO_MMIO_QUEUE_SEL, CTRLQ);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), GPU_MODEL_QUEUE_SIZE);
	wr(VIRTIO_MMIO_QUEUE_SEL, CURSORQ);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), GPU_MODEL_QUEUE_SIZE);
	wr(VIRTIO_MMIO_QUEUE_SEL, 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	ck_assert_uint_eq(cfg(offsetof(struct virtio_gpu_config, events_read)),
			  0);
	ck_assert_uint_eq(cfg(offsetof(struct virtio_gpu_config, num_scanouts)),
			  1);
	ck_assert_uint_eq(cfg(offsetof(struct virtio_gpu_config, num_capsets)),
			  0);
	ck_assert(f & F(VIRTIO_F_VERSION_1));
	ck_assert(f & F(VIRTIO_F_INDIRECT_DESC));
	ck_assert(f & F(VIRTIO_F_EVENT_IDX));
	ck_assert(!(f & F(VIRTIO_GPU_F_EDID)));
	ck_assert(!(f & F(VIRTIO_GPU_F_VIRGL)));
}
END_TEST

START_TEST(options_shape_the_device)
{
	struct gpu_model_options o = {
	    .edid = true, .num_scanouts = 16, .queue_size = 8};
	struct virtio_dev *d = gpu_model_create(&m.env, NULL, &o);

	ck_assert_ptr_nonnull(d);
	ck_assert(d->host_features & F(VIRTIO_GPU_F_EDID));
	ck_assert_uint_eq(d->queue_size_max, 8);
	ck_assert_uint_eq(virtio_ld_le32(d->config + 8), 16);
	gpu_model_destroy(d);
}
END_TEST

START_TEST(bad_options_refused)
{
	const struct gpu_model_options bad[] = {
	    {.num_scanouts = 17},
	    {.queue_size = 48},
	    {.width = GPU_MODEL_MAX_WIDTH + 1, .height = 600},
	    {.width = 800, .height = 0},
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		ck_assert_ptr_null(gpu_model_create(&m.env, NULL, &bad[i]));
		ck_assert_int_eq(errno, EINVAL);
	}
}
END_TEST

/* GPU-N-01, GPU-N-05: scanout 0 enabled at its mode, the others not. */
START_TEST(display_info_modes)
{
	struct virtio_gpu_resp_display_info info;

	display_info(&info);
	ck_assert_uint_eq(virtio_le32(info.pmodes[0].enabled), 1);
	ck_assert_uint_eq(virtio_le32(info.pmodes[0].r.width), 1024);
	ck_assert_uint_eq(virtio_le32(info.pmodes[0].r.height), 768);
	for (unsigned i = 1; i < VIRTIO_GPU_MAX_SCANOUTS; i++)
		ck_assert_uint_eq(info.pmodes[i].enabled, 0);
}
END_TEST

/* GPU-D-01 (device side), GPU-N-01: events and the config interrupt. */
START_TEST(display_size_event)
{
	const unsigned er = offsetof(struct virtio_gpu_config, events_read);
	const unsigned ec = offsetof(struct virtio_gpu_config, events_clear);
	struct virtio_gpu_resp_display_info info;
	uint32_t gen = rd(VIRTIO_MMIO_CONFIG_GENERATION);

	ck_assert_int_eq(gpu_model_set_display_size(dev, 1, 800, 600),
			 -EINVAL); /* one scanout only */
	ck_assert_int_eq(gpu_model_set_display_size(dev, 0, 0, 600), -EINVAL);
	ck_assert_int_eq(
	    gpu_model_set_display_size(dev, 0, GPU_MODEL_MAX_WIDTH + 1, 600),
	    -EINVAL);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_int_eq(gpu_model_set_display_size(dev, 0, 800, 600), 0);
	ck_assert(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_ne(rd(VIRTIO_MMIO_CONFIG_GENERATION), gen);
	ck_assert_uint_eq(cfg(er), VIRTIO_GPU_EVENT_DISPLAY);
	display_info(&info);
	ck_assert_uint_eq(virtio_le32(info.pmodes[0].r.width), 800);
	ck_assert_uint_eq(virtio_le32(info.pmodes[0].r.height), 600);

	cfg_wr(er, 0); /* a driver must not; the device ignores it */
	ck_assert_uint_eq(cfg(er), VIRTIO_GPU_EVENT_DISPLAY);
	cfg_wr(ec, 2); /* not a pending bit */
	ck_assert_uint_eq(cfg(er), VIRTIO_GPU_EVENT_DISPLAY);
	cfg_wr(ec, VIRTIO_GPU_EVENT_DISPLAY);
	ck_assert_uint_eq(cfg(er), 0);
	ck_assert_uint_eq(cfg(ec), 0);
	cfg_wr(er, VIRTIO_GPU_EVENT_DISPLAY);
	ck_assert_uint_eq(cfg(er), 0);

	/* A window resize reaches the model through the listener. */
	disp->listener.resized(disp->listener.opaque, 640, 480);
	ck_assert_uint_eq(cfg(er), VIRTIO_GPU_EVENT_DISPLAY);
	display_info(&info);
	ck_assert_uint_eq(virtio_le32(info.pmodes[0].r.width), 640);
	ck_assert_uint_eq(virtio_le32(info.pmodes[0].r.height), 480);
}
END_TEST

/* GPU-V-01: the fence is echoed, on success and on error alike. */
START_TEST(fence_echoed)
{
	struct virtio_gpu_resource_create_2d c = {
	    hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D), virtio_le32(1),
	    virtio_le32(VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM), virtio_le32(32),
	    virtio_le32(32)};
	struct virtio_gpu_ctrl_hdr resp;

	c.hdr.flags = virtio_le32(VIRTIO_GPU_FLAG_FENCE);
	c.hdr.fence_id = virtio_le64(0x1122334455667788ull);
	c.hdr.ctx_id = virtio_le32(5);
	for (unsigned pass = 0; pass < 2; pass++) { /* ok, then duplicate */
		ck_assert_uint_eq(ctrl_raw(&c, sizeof(c), &resp, sizeof(resp)),
				  sizeof(resp));
		ck_assert_uint_eq(virtio_le32(resp.type),
				  pass ? VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID
				       : VIRTIO_GPU_RESP_OK_NODATA);
		ck_assert_uint_eq(virtio_le32(resp.flags),
				  VIRTIO_GPU_FLAG_FENCE);
		ck_assert_uint_eq(virtio_le64(resp.fence_id),
				  0x1122334455667788ull);
		ck_assert_uint_eq(virtio_le32(resp.ctx_id), 5); /* as QEMU */
		ck_assert_uint_eq(resp.ring_idx, 0);
	}
	c.hdr.flags = 0;
	c.resource_id = virtio_le32(2);
	ck_assert_uint_eq(ctrl_raw(&c, sizeof(c), &resp, sizeof(resp)),
			  sizeof(resp));
	ck_assert_uint_eq(virtio_le32(resp.type), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(resp.flags, 0);
	ck_assert_uint_eq(resp.fence_id, 0);
}
END_TEST

/* Tests: pixels ------------------------------------------------------ */

/*
 * GPU-N-02, GPU-N-03, GPU-N-04: full-rectangle transfer and flush, one
 * entry, byte-exact in the shadow, for every format (looped).
 */
START_TEST(pixels_full_rect)
{
	const uint32_t w = 40, h = 24;
	uint32_t len = w * h * 4;
	struct backing b;
	uint8_t *ref = calloc(len, 1);

	ck_assert_ptr_nonnull(ref);
	backing_make(&b, BACK_GPA, &len, 1, 0, (unsigned)_i);
	ck_assert_uint_eq(create(7, formats[_i].format, w, h),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(attach(7, b.e, b.n), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(set_scanout(0, 7, rect(0, 0, w, h)),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert(disp->enabled);
	ck_assert_uint_eq(disp->width, w);
	ck_assert_uint_eq(disp->height, h);
	ck_assert(shadow_black(0, 0, w, h));
	ck_assert_uint_eq(transfer(7, rect(0, 0, w, h), 0),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert(shadow_black(0, 0, w, h)); /* not flushed yet */
	ck_assert_uint_eq(flush(7, rect(0, 0, w, h)),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ref_transfer(ref, w, b.logical, 0, 0, 0, w, h);
	expect_shadow(ref, w, (unsigned)_i, 0, 0, 0, 0, w, h);
	ck_assert_uint_eq(stats()->transfers, 1);
	ck_assert_uint_eq(stats()->transfer_bytes, len);
	ck_assert_uint_eq(stats()->flushes, 1);
	ck_assert_uint_eq(stats()->flush_pixels, w * h);
	ck_assert_uint_eq(stats()->errors, 0);
	free(ref);
	free(b.logical);
}
END_TEST

/*
 * GPU-N-02, GPU-N-04: partial rectangles from a backing of four
 * non-adjacent entries whose boundaries fall mid-row; QEMU's offset and
 * stride rules; a flush pushes only its rectangle; a scanout showing a
 * part of the resource gets the intersection at its own coordinates.
 */
START_TEST(pixels_partial_rect_scattered)
{
	const uint32_t w = 50, h = 30; /* stride 200 */
	const uint32_t lens[4] = {1234, 2002, 1800, 50 * 30 * 4 - 5036};
	const unsigned fi = 4; /* R8G8B8A8 */
	struct backing b;
	uint8_t *ref = calloc(w * h * 4, 1);

	ck_assert_ptr_nonnull(ref);
	backing_make(&b, BACK_GPA, lens, 4, 4096 + 12, 9);
	ck_assert_uint_eq(create(3, formats[fi].format, w, h),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(attach(3, b.e, b.n), VIRTIO_GPU_RESP_OK_NODATA);
	/* The scanout shows (10, 5) .. (42, 27) of the resource. */
	ck_assert_uint_eq(set_scanout(0, 3, rect(10, 5, 32, 22)),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(disp->width, 32);
	ck_assert_uint_eq(disp->height, 22);

	/* Rows 4..20, columns 7..40, from the offset of (7, 4). */
	ck_assert_uint_eq(transfer(3, rect(7, 4, 33, 17), 4 * 200 + 7 * 4),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ref_transfer(ref, w, b.logical, 4 * 200 + 7 * 4, 7, 4, 33, 17);
	/* A flush of (0, 0) .. (20, 12): meets the scanout in (10, 5)
	 * .. (20, 12), which it shows at (0, 0). */
	ck_assert_uint_eq(flush(3, rect(0, 0, 20, 12)),
			  VIRTIO_GPU_RESP_OK_NODATA);
	expect_shadow(ref, w, fi, 10, 5, 0, 0, 10, 7);
	ck_assert(shadow_black(10, 0, 22, 22));
	ck_assert(shadow_black(0, 7, 10, 15));
	ck_assert_uint_eq(stats()->flush_pixels, 70);

	/* An offset not at the rectangle's own place: QEMU copies from it. */
	ck_assert_uint_eq(transfer(3, rect(30, 20, 12, 9), 333),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ref_transfer(ref, w, b.logical, 333, 30, 20, 12, 9);
	/* Full-width rows: one copy. */
	ck_assert_uint_eq(transfer(3, rect(0, 26, 50, 3), 26 * 200),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ref_transfer(ref, w, b.logical, 26 * 200, 0, 26, 50, 3);
	ck_assert_uint_eq(flush(3, rect(0, 0, w, h)),
			  VIRTIO_GPU_RESP_OK_NODATA);
	expect_shadow(ref, w, fi, 10, 5, 0, 0, 32, 22);
	free(ref);
	free(b.logical);
}
END_TEST

/* A resource on a screen of its own, with known pixels shown. */
static void shown_resource(uint32_t id, struct backing *b, uint8_t **ref)
{
	uint32_t len = 32 * 32 * 4;

	*ref = calloc(len, 1);
	ck_assert_ptr_nonnull(*ref);
	backing_make(b, BACK_GPA, &len, 1, 0, 5);
	ck_assert_uint_eq(create(id, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 32, 32),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(attach(id, b->e, b->n), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(transfer(id, rect(0, 0, 32, 32), 0),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(set_scanout(0, id, rect(0, 0, 32, 32)),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ref_transfer(*ref, 32, b->logical, 0, 0, 0, 32, 32);
	expect_shadow(*ref, 32, 1, 0, 0, 0, 0, 32, 32);
}

/* GPU-N-03: SET_SCANOUT with resource 0 disables the scanout. */
START_TEST(scanout_disable)
{
	struct backing b;
	uint8_t *ref;

	shown_resource(1, &b, &ref);
	ck_assert(disp->enabled);
	ck_assert_uint_eq(set_scanout(0, 0, rect(0, 0, 0, 0)),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert(!disp->enabled);
	ck_assert_uint_eq(flush(1, rect(0, 0, 32, 32)),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(stats()->flush_pixels, 0); /* shown nowhere */
	/* Unbound now: it may go. */
	ck_assert_uint_eq(unref(1), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(stats()->resources, 0);
	ck_assert_uint_eq(stats()->resource_bytes, 0);
	free(ref);
	free(b.logical);
}
END_TEST

/* Tests: malformed commands ------------------------------------------ */

struct bad_case {
	const char *what;
	uint32_t (*send)(void);
	uint32_t expect;
};

static uint32_t create_id0(void)
{
	return create(0, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8, 8);
}
static uint32_t create_dup(void)
{
	return create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8, 8);
}
static uint32_t create_format(void)
{
	return create(9, 5, 8, 8);
}
static uint32_t create_w0(void)
{
	return create(9, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 0, 8);
}
static uint32_t create_h0(void)
{
	return create(9, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8, 0);
}
static uint32_t create_wrap(void)
{
	/* (2^31 + 2^16 + 1) * (2^31 - 2^16 + 1) * 4 = 2^64 + 4: naively,
	 * 4 bytes. */
	return create(9, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 0x80010001u,
		      0x7fff0001u);
}
static uint32_t create_budget(void)
{
	/* The fixture's budget is 64 KiB; 4 KiB are used. */
	return create(9, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 128, 121);
}
static uint32_t unref_unknown(void)
{
	return unref(9);
}
static uint32_t unref_shown(void)
{
	return unref(1);
}
static uint32_t xfer_unknown(void)
{
	return transfer(9, rect(0, 0, 1, 1), 0);
}
static uint32_t xfer_no_backing(void)
{
	return transfer(2, rect(0, 0, 1, 1), 0);
}
static uint32_t xfer_x(void)
{
	return transfer(1, rect(33, 0, 0, 0), 0);
}
static uint32_t xfer_y(void)
{
	return transfer(1, rect(0, 33, 0, 0), 0);
}
static uint32_t xfer_w(void)
{
	return transfer(1, rect(0, 0, 33, 1), 0);
}
static uint32_t xfer_h(void)
{
	return transfer(1, rect(0, 0, 1, 33), 0);
}
static uint32_t xfer_xw(void)
{
	return transfer(1, rect(1, 0, 32, 1), 0);
}
static uint32_t xfer_yh(void)
{
	return transfer(1, rect(0, 31, 1, 2), 0);
}
static uint32_t xfer_wrap(void)
{
	/* x + width wraps 32 bits to 16: inside, if summed naively. */
	return transfer(1, rect(0xfffffff0u, 0, 32, 1), 0);
}
static uint32_t xfer_short(void)
{
	/* The last row ends 4 bytes past the 4096-byte backing. */
	return transfer(1, rect(1, 0, 31, 32), 8);
}
static uint32_t xfer_offset(void)
{
	return transfer(1, rect(0, 0, 1, 1), UINT64_MAX - 2);
}
static uint32_t flush_unknown(void)
{
	return flush(9, rect(0, 0, 1, 1));
}
static uint32_t flush_outside(void)
{
	return flush(1, rect(16, 16, 17, 1));
}
static uint32_t scanout_id(void)
{
	return set_scanout(1, 1, rect(0, 0, 32, 32));
}
static uint32_t scanout_unknown(void)
{
	return set_scanout(0, 9, rect(0, 0, 32, 32));
}
static uint32_t scanout_outside(void)
{
	return set_scanout(0, 1, rect(0, 0, 32, 33));
}
static uint32_t scanout_tiny(void)
{
	return set_scanout(0, 1, rect(0, 0, 15, 32));
}
static uint32_t attach_unknown(void)
{
	struct entry e = {BACK_GPA, 64};

	return attach(9, &e, 1);
}
static uint32_t attach_again(void)
{
	struct entry e = {BACK_GPA, 64};

	return attach(1, &e, 1);
}
static uint32_t attach_outside(void)
{
	struct entry e[2] = {{BACK_GPA, 64},
			     {MACHINE_RAM_BASE + RAM_SIZE - 32, 64}};

	return attach(2, e, 2);
}
static uint32_t attach_wrap(void)
{
	struct entry e = {UINT64_MAX - 15, 64};

	return attach(2, &e, 1);
}
static uint32_t attach_too_many(void)
{
	struct virtio_gpu_resource_attach_backing c = {
	    hdr(VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING), virtio_le32(2),
	    virtio_le32(GPU_MODEL_MAX_BACKING_ENTRIES + 1)};
	uint32_t len = (uint32_t)(sizeof(c) + 16ull * (c.nr_entries));
	uint8_t *p = gp(CMD_GPA, len);
	struct virtio_gpu_ctrl_hdr resp;

	/* All entries present and in RAM: only the count is wrong. */
	memset(p, 0, len);
	memcpy(p, &c, sizeof(c));
	for (uint32_t i = 0; i < c.nr_entries; i++) {
		virtio_st_le64(p + sizeof(c) + 16 * i, BACK_GPA);
		virtio_st_le32(p + sizeof(c) + 16 * i + 8, 4);
	}
	ck_assert_uint_eq(post(CTRLQ, &len, 1, sizeof(resp)), sizeof(resp));
	memcpy(&resp, gp(RESP_GPA, sizeof(resp)), sizeof(resp));
	return virtio_le32(resp.type);
}
static uint32_t attach_missing(void)
{
	struct virtio_gpu_resource_attach_backing c = {
	    hdr(VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING), virtio_le32(2),
	    virtio_le32(3)};
	uint8_t buf[sizeof(c) + 32] = {0};

	memcpy(buf, &c, sizeof(c)); /* two entries of three */
	return ctrl(buf, sizeof(buf));
}
static uint32_t detach_unknown(void)
{
	return detach(9);
}
static uint32_t detach_none(void)
{
	return detach(2);
}
static uint32_t unknown_cmd(void)
{
	struct virtio_gpu_ctrl_hdr c = hdr(VIRTIO_GPU_CMD_GET_CAPSET);

	return ctrl(&c, sizeof(c));
}
static uint32_t short_cmd(void)
{
	struct virtio_gpu_resource_create_2d c = {
	    hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D), virtio_le32(9),
	    virtio_le32(VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM), virtio_le32(8),
	    virtio_le32(8)};

	return ctrl(&c, sizeof(c) - 1);
}
static uint32_t short_hdr(void)
{
	struct virtio_gpu_ctrl_hdr c = hdr(VIRTIO_GPU_CMD_GET_DISPLAY_INFO);

	return ctrl(&c, sizeof(c) - 4);
}
static uint32_t edid_unnegotiated(void)
{
	struct virtio_gpu_get_edid c = {hdr(VIRTIO_GPU_CMD_GET_EDID), 0, 0};

	return ctrl(&c, sizeof(c));
}

static const struct bad_case bad_cases[] = {
    {"create id 0", create_id0, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID},
    {"create dup", create_dup, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID},
    {"create format", create_format, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER},
    {"create w 0", create_w0, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY},
    {"create h 0", create_h0, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY},
    {"create wrap", create_wrap, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY},
    {"create budget", create_budget, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY},
    {"unref unknown", unref_unknown, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID},
    {"unref shown", unref_shown, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER},
    {"xfer unknown", xfer_unknown, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID},
    {"xfer no backing", xfer_no_backing, VIRTIO_GPU_RESP_ERR_UNSPEC},
    {"xfer x", xfer_x, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER},
    {"xfer y", xfer_y, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER},
    {"xfer w", xfer_w, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER},
    {"xfer h", xfer_h, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER},
    {"xfer x+w", xfer_xw, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER},
    {"xfer y+h", xfer_yh, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER},
    {"xfer wrap", xfer_wrap, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER},
    {"xfer short", xfer_short, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER},
    {"xfer offset", xfer_offset, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER},
    {"flush unknown", flush_unknown, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID},
    {"flush outside", flush_outside, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER},
    {"scanout id", scanout_id, VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID},
    {"scanout unknown", scanout_unknown,
     VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID},
    {"scanout outside", scanout_outside, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER},
    {"scanout tiny", scanout_tiny, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER},
    {"attach unknown", attach_unknown, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID},
    {"attach again", attach_again, VIRTIO_GPU_RESP_ERR_UNSPEC},
    {"attach outside", attach_outside, VIRTIO_GPU_RESP_ERR_UNSPEC},
    {"attach wrap", attach_wrap, VIRTIO_GPU_RESP_ERR_UNSPEC},
    {"attach too many", attach_too_many, VIRTIO_GPU_RESP_ERR_UNSPEC},
    {"attach missing", attach_missing, VIRTIO_GPU_RESP_ERR_UNSPEC},
    {"detach unknown", detach_unknown, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID},
    {"detach none", detach_none, VIRTIO_GPU_RESP_ERR_UNSPEC},
    {"unknown command", unknown_cmd, VIRTIO_GPU_RESP_ERR_UNSPEC},
    {"short command", short_cmd, VIRTIO_GPU_RESP_ERR_UNSPEC},
    {"short header", short_hdr, VIRTIO_GPU_RESP_ERR_UNSPEC},
    {"edid unnegotiated", edid_unnegotiated, VIRTIO_GPU_RESP_ERR_UNSPEC},
};
#define NBAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

static void setup_small_budget(void)
{
	struct gpu_model_options o = {.budget = 64u << 10};

	setup_with(&o, 0);
}

/*
 * GPU-N-02, GPU-N-03, GPU-N-05: each malformed command (looped over
 * the table) gets its exact 0x12xx response and changes nothing: the
 * resources, their bytes, the pixels shown and the host copy (flushed
 * again after) stay; the device is not NEEDS_RESET.
 */
START_TEST(malformed_refused)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct backing b;
	uint8_t *ref, *before = malloc(32 * 32 * 4);
	uint64_t resources, bytes, errors;

	ck_assert_ptr_nonnull(before);
	shown_resource(1, &b, &ref);
	ck_assert_uint_eq(create(2, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 16, 16),
			  VIRTIO_GPU_RESP_OK_NODATA);
	resources = stats()->resources;
	bytes = stats()->resource_bytes;
	errors = stats()->errors;
	memcpy(before, disp->shadow, 32 * 32 * 4);

	ck_assert_msg(bc->send() == bc->expect, "%s", bc->what);
	ck_assert(!broken());
	ck_assert_uint_eq(stats()->errors, errors + 1);
	ck_assert_uint_eq(stats()->resources, resources);
	ck_assert_uint_eq(stats()->resource_bytes, bytes);
	ck_assert(disp->enabled);
	ck_assert_uint_eq(disp->width, 32);
	ck_assert(!memcmp(before, disp->shadow, 32 * 32 * 4));
	/* The host copy too, and resource 2 has still no backing. */
	ck_assert_uint_eq(flush(1, rect(0, 0, 32, 32)),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert(!memcmp(before, disp->shadow, 32 * 32 * 4));
	ck_assert_uint_eq(transfer(2, rect(0, 0, 1, 1), 0),
			  VIRTIO_GPU_RESP_ERR_UNSPEC);
	free(before);
	free(ref);
	free(b.logical);
}
END_TEST

/* Response buffers too small: no partial response, nothing done. */
START_TEST(response_too_small)
{
	struct virtio_gpu_resource_create_2d c = {
	    hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D), virtio_le32(1),
	    virtio_le32(VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM), virtio_le32(8),
	    virtio_le32(8)};
	struct virtio_gpu_ctrl_hdr info = hdr(VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
	uint8_t resp[64], fill[64];
	uint32_t len = sizeof(c);

	memset(fill, 0xee, sizeof(fill));
	ck_assert_uint_eq(ctrl_raw(&c, sizeof(c), resp, 23), 0);
	ck_assert(!memcmp(resp, fill, 23));
	ck_assert_uint_eq(stats()->resources, 0);
	/* No writable buffer at all. */
	memcpy(gp(CMD_GPA, len), &c, len);
	ck_assert_uint_eq(post(CTRLQ, &len, 1, 0), 0);
	ck_assert_uint_eq(stats()->resources, 0);
	/* A data reply (408 bytes) into 64. */
	ck_assert_uint_eq(ctrl_raw(&info, sizeof(info), resp, sizeof(resp)), 0);
	ck_assert(!memcmp(resp, fill, sizeof(resp)));
	ck_assert_uint_eq(stats()->errors, 3);
	ck_assert(!broken());
	/* The device goes on. */
	ck_assert_uint_eq(ctrl(&c, sizeof(c)), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(stats()->resources, 1);
}
END_TEST

/*
 * VQ-V-01: a command split anywhere over descriptors, and attach's
 * entries in descriptors after the command's, read as one.
 */
START_TEST(command_split_over_descriptors)
{
	struct virtio_gpu_resource_create_2d c = {
	    hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D), virtio_le32(4),
	    virtio_le32(VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM), virtio_le32(16),
	    virtio_le32(16)};
	struct virtio_gpu_resource_attach_backing a = {
	    hdr(VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING), virtio_le32(4),
	    virtio_le32(2)};
	const uint32_t ccuts[3] = {5, 20, 15}, acuts[3] = {32, 7, 25};
	uint8_t *p = gp(CMD_GPA, 64);
	struct virtio_gpu_ctrl_hdr resp;

	memcpy(p, &c, sizeof(c));
	ck_assert_uint_eq(post(CTRLQ, ccuts, 3, sizeof(resp)), sizeof(resp));
	memcpy(&resp, gp(RESP_GPA, sizeof(resp)), sizeof(resp));
	ck_assert_uint_eq(virtio_le32(resp.type), VIRTIO_GPU_RESP_OK_NODATA);
	memset(p, 0, 64);
	memcpy(p, &a, sizeof(a));
	virtio_st_le64(p + 32, BACK_GPA);
	virtio_st_le32(p + 40, 512);
	virtio_st_le64(p + 48, BACK_GPA + 8192);
	virtio_st_le32(p + 56, 512);
	ck_assert_uint_eq(post(CTRLQ, acuts, 3, sizeof(resp)), sizeof(resp));
	memcpy(&resp, gp(RESP_GPA, sizeof(resp)), sizeof(resp));
	ck_assert_uint_eq(virtio_le32(resp.type), VIRTIO_GPU_RESP_OK_NODATA);
	/* The two entries make exactly the 1024 bytes of the resource. */
	ck_assert_uint_eq(transfer(4, rect(0, 0, 16, 16), 0),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(transfer(4, rect(0, 0, 16, 16), 4),
			  VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(detach(4), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(transfer(4, rect(0, 0, 16, 16), 0),
			  VIRTIO_GPU_RESP_ERR_UNSPEC);
}
END_TEST

/* Tests: EDID -------------------------------------------------------- */

static uint32_t get_edid(uint32_t scanout, struct virtio_gpu_resp_edid *r)
{
	struct virtio_gpu_get_edid c = {hdr(VIRTIO_GPU_CMD_GET_EDID),
					virtio_le32(scanout), 0};

	memset(r, 0, sizeof(*r));
	return ctrl_raw(&c, sizeof(c), r, sizeof(*r));
}

static void expect_edid(const struct virtio_gpu_resp_edid *r, uint32_t w,
			uint32_t h)
{
	static const uint8_t header[8] = {0,	0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0};
	const uint8_t *e = r->edid, *d = r->edid + 54;
	uint8_t sum = 0;

	ck_assert_uint_eq(virtio_le32(r->hdr.type), VIRTIO_GPU_RESP_OK_EDID);
	ck_assert_uint_eq(virtio_le32(r->size), 128);
	ck_assert(!memcmp(e, header, 8));
	for (unsigned i = 0; i < 128; i++)
		sum += e[i];
	ck_assert_uint_eq(sum, 0);
	ck_assert_uint_eq(e[18], 1); /* version 1.4 */
	ck_assert_uint_eq(e[19], 4);
	ck_assert(e[24] & 0x02); /* the first DTD is the preferred mode */
	ck_assert_uint_ne(d[0] | d[1], 0); /* a timing, not a descriptor */
	ck_assert_uint_eq(d[2] | (d[4] >> 4) << 8, w);
	ck_assert_uint_eq(d[5] | (d[7] >> 4) << 8, h);
}

/* GPU-N-01: GET_EDID describes the current mode. */
START_TEST(edid_block)
{
	struct virtio_gpu_resp_edid r;

	ck_assert_uint_eq(get_edid(0, &r), sizeof(r));
	expect_edid(&r, 1024, 768);
	ck_assert_int_eq(gpu_model_set_display_size(dev, 1, 1920, 1200), 0);
	ck_assert_uint_eq(get_edid(1, &r), sizeof(r));
	expect_edid(&r, 1920, 1200);
	ck_assert_uint_eq(get_edid(2, &r), sizeof(r.hdr));
	ck_assert_uint_eq(virtio_le32(r.hdr.type),
			  VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
}
END_TEST

/* GPU-N-01: a size on another scanout connects it (as QEMU). */
START_TEST(second_scanout_connects)
{
	struct virtio_gpu_resp_display_info info;

	display_info(&info);
	ck_assert_uint_eq(info.pmodes[1].enabled, 0);
	ck_assert_int_eq(gpu_model_set_display_size(dev, 1, 1280, 720), 0);
	display_info(&info);
	ck_assert_uint_eq(virtio_le32(info.pmodes[1].enabled), 1);
	ck_assert_uint_eq(virtio_le32(info.pmodes[1].r.width), 1280);
	ck_assert_uint_eq(virtio_le32(info.pmodes[0].r.width), 1024);
}
END_TEST

/* Tests: cursor ------------------------------------------------------ */

/* GPU-D-02 (the device's view), GPU-N-06. */
START_TEST(cursor_update_and_move)
{
	uint32_t len = 64 * 64 * 4;
	struct backing b;
	uint8_t *ref = calloc(len, 1);
	uint64_t errors;

	ck_assert_ptr_nonnull(ref);
	backing_make(&b, BACK_GPA, &len, 1, 0, 11);
	ck_assert_uint_eq(create(5, VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM, 64, 64),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(attach(5, b.e, 1), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(transfer(5, rect(0, 0, 64, 64), 0),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(create(6, VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM, 32, 64),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert(!disp->cursor_visible);

	cursor_cmd(VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 100, 50, 5, 3, 7);
	ck_assert(disp->cursor_visible);
	ck_assert_int_eq(disp->cursor_x, 100);
	ck_assert_int_eq(disp->cursor_y, 50);
	ck_assert_uint_eq(disp->cursor_hot_x, 3);
	ck_assert_uint_eq(disp->cursor_hot_y, 7);
	for (unsigned i = 0; i < 64 * 64; i++) {
		const uint8_t *s = b.logical + 4 * i; /* A, R, G, B */
		const uint8_t *d = disp->cursor_image + 4 * i;

		if (d[0] != s[3] || d[1] != s[2] || d[2] != s[1] ||
		    d[3] != s[0])
			ck_abort_msg("cursor pixel %u", i);
	}
	/* MOVE_CURSOR: pos only; resource and hotspot fields are noise. */
	cursor_cmd(VIRTIO_GPU_CMD_MOVE_CURSOR, 0, (uint32_t)-5, 9, 0, 60, 60);
	ck_assert(disp->cursor_visible);
	ck_assert_int_eq(disp->cursor_x, -5);
	ck_assert_int_eq(disp->cursor_y, 9);
	ck_assert_uint_eq(disp->cursor_hot_x, 3);

	/* Ignored: not 64x64, unknown, no such scanout, unknown type. */
	errors = stats()->errors;
	cursor_cmd(VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 1, 1, 6, 0, 0);
	cursor_cmd(VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 1, 1, 99, 0, 0);
	cursor_cmd(VIRTIO_GPU_CMD_MOVE_CURSOR, 1, 1, 1, 0, 0, 0);
	cursor_cmd(VIRTIO_GPU_CMD_RESOURCE_FLUSH, 0, 1, 1, 0, 0, 0);
	ck_assert_uint_eq(stats()->errors, errors + 4);
	ck_assert(disp->cursor_visible);
	ck_assert_int_eq(disp->cursor_x, -5);

	cursor_cmd(VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 2, 2, 0, 0, 0);
	ck_assert(!disp->cursor_visible);
	ck_assert_uint_eq(stats()->cursor_commands, 7);
	free(ref);
	free(b.logical);
}
END_TEST

/* Tests: reset ------------------------------------------------------- */

/* Reset frees every resource, blanks the scanout, hides the cursor. */
START_TEST(reset_frees_everything)
{
	struct backing b;
	uint8_t *ref;

	shown_resource(1, &b, &ref);
	ck_assert_uint_eq(create(2, VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM, 64, 64),
			  VIRTIO_GPU_RESP_OK_NODATA);
	cursor_cmd(VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 4, 4, 2, 0, 0);
	ck_assert(disp->cursor_visible);
	ck_assert_int_eq(gpu_model_set_display_size(dev, 0, 800, 600), 0);
	ck_assert_uint_eq(stats()->resources, 2);

	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(stats()->resources, 0);
	ck_assert_uint_eq(stats()->resource_bytes, 0);
	ck_assert(!disp->enabled);
	ck_assert(!disp->cursor_visible);
	ck_assert_uint_eq(cfg(offsetof(struct virtio_gpu_config, events_read)),
			  0);
	/* The whole budget is back, and the ids are free again. */
	bring_up(0);
	ck_assert_uint_eq(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 128, 128),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(create(2, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 64, 64),
			  VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	free(ref);
	free(b.logical);
}
END_TEST

/* Tests: deferred ---------------------------------------------------- */

/* The pixel path in deferred mode: completions late, on the loop. */
START_TEST(deferred_pixels)
{
	const uint32_t w = 24, h = 20;
	const uint32_t lens[2] = {w * h * 2 + 6, w * h * 2 - 6};
	struct backing b;
	uint8_t *ref = calloc(w * h * 4, 1);

	ck_assert_ptr_nonnull(ref);
	backing_make(&b, BACK_GPA, lens, 2, 100, 17);
	ck_assert_uint_eq(create(1, VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM, w, h),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(attach(1, b.e, b.n), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(set_scanout(0, 1, rect(0, 0, w, h)),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(transfer(1, rect(3, 2, 17, 15), 2 * w * 4 + 12),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(flush(1, rect(0, 0, w, h)),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ref_transfer(ref, w, b.logical, 2 * w * 4 + 12, 3, 2, 17, 15);
	expect_shadow(ref, w, 5, 0, 0, 0, 0, w, h);
	free(ref);
	free(b.logical);
}
END_TEST

static Suite *gpu_dev_suite(void)
{
	Suite *s = suite_create("gpu_dev");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, identity_and_config);
	tcase_add_test(tc, options_shape_the_device);
	tcase_add_test(tc, bad_options_refused);
	tcase_add_test(tc, display_info_modes);
	tcase_add_test(tc, display_size_event);
	tcase_add_test(tc, fence_echoed);
	suite_add_tcase(s, tc);

	tc = tcase_create("pixels");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, pixels_full_rect, 0, NFORMATS);
	tcase_add_test(tc, pixels_partial_rect_scattered);
	tcase_add_test(tc, scanout_disable);
	tcase_add_test(tc, response_too_small);
	tcase_add_test(tc, command_split_over_descriptors);
	tcase_add_test(tc, cursor_update_and_move);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_checked_fixture(tc, setup_small_budget, teardown);
	tcase_add_loop_test(tc, malformed_refused, 0, NBAD);
	tcase_add_test(tc, reset_frees_everything);
	suite_add_tcase(s, tc);

	tc = tcase_create("edid");
	tcase_add_checked_fixture(tc, setup_edid, teardown);
	tcase_add_test(tc, edid_block);
	tcase_add_test(tc, second_scanout_connects);
	suite_add_tcase(s, tc);

	tc = tcase_create("deferred");
	tcase_add_checked_fixture(tc, setup_deferred, teardown);
	tcase_add_test(tc, deferred_pixels);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(gpu_dev_suite)
