/* SPDX-License-Identifier: MIT */
/*
 * The virtio-gpu device model (§5.7), 2D: resources in host memory,
 * backing as guest scatter lists, scanout 0 on a display (display.h).
 *
 * Every command is copied once out of the chain, then checked the way
 * QEMU's hw/display/virtio-gpu.c checks it; a refused command gets its
 * 0x12xx response and changes nothing. Bad commands are not ring
 * violations: the device never goes NEEDS_RESET for them.
 */
#include "devices/gpu/gpu_model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_types.h"
#include "sim/trace.h"

#define BPP VIRTIO_GPU_BYTES_PER_PIXEL
#define GPU_EDID_BLOCK 128u
#define GPU_EDID_MAX_ACTIVE 4095u /* a detailed timing's 12-bit fields */
#define GPU_QUEUE_SIZE_MAX 32768u
#define GPU_SCANOUT_MIN 16u /* QEMU refuses smaller scanout rectangles */

/* Entry lengths are 32-bit, so the sum of QEMU's maximum never wraps. */
_Static_assert((uint64_t)GPU_MODEL_MAX_BACKING_ENTRIES *UINT32_MAX <
		   UINT64_MAX / 2,
	       "backing length sum fits");

struct gpu_backing {
	uint64_t addr; /* checked against guest RAM at attach */
	uint32_t len;
};

struct gpu_resource {
	struct gpu_resource *next;
	uint32_t id, format, width, height;
	uint8_t *pixels; /* the host copy: width * 4 bytes a row */
	uint64_t bytes;
	struct gpu_backing *backing; /* NULL: none attached */
	uint32_t nr_backing;
	uint64_t backing_bytes;
	uint32_t scanouts; /* bit i: shown on scanout i */
};

struct gpu_scanout {
	uint32_t width, height;	  /* the mode display info reports */
	bool connected;		  /* reported enabled */
	struct gpu_resource *res; /* shown, or NULL: disabled */
	struct virtio_gpu_rect r; /* the part of res shown */
};

struct gpu_model {
	struct virtio_dev vdev;
	struct display *display; /* scanout 0 */
	uint8_t config[sizeof(struct virtio_gpu_config)];
	uint32_t events_read;
	uint32_t num_scanouts;
	uint64_t budget;
	struct gpu_scanout scanout[VIRTIO_GPU_MAX_SCANOUTS];
	struct gpu_resource *resources;
	struct gpu_model_stats stats;
};

/* One control command: its copy, and the response being built. */
struct gpu_cmd {
	const struct vq_elem *elem;
	struct virtio_gpu_ctrl_hdr hdr;
	union {
		struct virtio_gpu_resource_create_2d create;
		struct virtio_gpu_resource_unref unref;
		struct virtio_gpu_set_scanout set_scanout;
		struct virtio_gpu_resource_flush flush;
		struct virtio_gpu_transfer_to_host_2d transfer;
		struct virtio_gpu_resource_attach_backing attach;
		struct virtio_gpu_resource_detach_backing detach;
		struct virtio_gpu_get_edid get_edid;
		struct virtio_gpu_ctrl_hdr hdr_only;
	} c;
	union {
		struct virtio_gpu_ctrl_hdr hdr;
		struct virtio_gpu_resp_display_info info;
		struct virtio_gpu_resp_edid edid;
	} resp;
	size_t resp_len; /* a data reply's size; 0: the header alone */
};

static const struct virtio_dev_ops gpu_model_ops;

static struct gpu_model *to_gpu(struct virtio_dev *dev)
{
	return (struct gpu_model *)((char *)dev -
				    offsetof(struct gpu_model, vdev));
}

/* Config --------------------------------------------------------------- */

static void gpu_render_config(struct gpu_model *g)
{
	uint8_t *c = g->config;

	memset(c, 0, sizeof(g->config)); /* events_clear reads 0 */
	virtio_st_le32(c + offsetof(struct virtio_gpu_config, events_read),
		       g->events_read);
	virtio_st_le32(c + offsetof(struct virtio_gpu_config, num_scanouts),
		       g->num_scanouts);
}

/*
 * GPU-D-01: 1 bits written to events_clear clear events_read; anything
 * written to events_read or elsewhere is forgotten by re-rendering.
 */
static void gpu_model_config_write(struct virtio_dev *dev, uint32_t off,
				   unsigned len)
{
	struct gpu_model *g = to_gpu(dev);
	uint32_t clear = virtio_ld_le32(
	    g->config + offsetof(struct virtio_gpu_config, events_clear));

	if (off < offsetof(struct virtio_gpu_config, events_clear) &&
	    virtio_dev_strict(dev))
		virtio_dev_violation(dev, STRICT_GPU_D_01,
				     "events_read written (%u bytes at %u)",
				     len, off);
	if (off < offsetof(struct virtio_gpu_config, events_clear))
		trace_gpu_events_read(dev->env->trace, dev->name, dev->id);
	(void)len;
	g->events_read &= ~clear;
	gpu_render_config(g);
}

/* Resources ------------------------------------------------------------ */

static struct gpu_resource *gpu_find(struct gpu_model *g, uint32_t id)
{
	for (struct gpu_resource *r = g->resources; r; r = r->next)
		if (r->id == id)
			return r;
	return NULL;
}

static void gpu_resource_free(struct gpu_model *g, struct gpu_resource *res)
{
	struct gpu_resource **p = &g->resources;

	while (*p != res)
		p = &(*p)->next;
	*p = res->next;
	g->stats.resources--;
	g->stats.resource_bytes -= res->bytes;
	free(res->backing);
	free(res->pixels);
	free(res);
}

/*
 * QEMU's bounds check, each term on its own and none a sum that could
 * wrap: the rectangle lies inside the resource. (The first two terms
 * follow from the last two; they stay to read as QEMU's list.)
 */
static bool gpu_rect_inside(const struct virtio_gpu_rect *r,
			    const struct gpu_resource *res)
{
	return r->x <= res->width && r->y <= res->height &&
	       r->width <= res->width && r->height <= res->height &&
	       r->x <= res->width - r->width && r->y <= res->height - r->height;
}

static void gpu_rect_le(struct virtio_gpu_rect *r)
{
	r->x = virtio_le32(r->x);
	r->y = virtio_le32(r->y);
	r->width = virtio_le32(r->width);
	r->height = virtio_le32(r->height);
}

static uint32_t gpu_refuse(struct gpu_model *g, uint32_t code, const char *why)
{
	trace_gpu_refused(g->vdev.env->trace, g->vdev.name, g->vdev.id, code,
			  why);
	return code;
}

/* Show @s's part of its resource, [x, y, w, h] in resource coordinates. */
static void gpu_scanout_show(struct gpu_model *g, unsigned id, uint32_t x,
			     uint32_t y, uint32_t w, uint32_t h)
{
	const struct gpu_scanout *s = &g->scanout[id];
	const struct gpu_resource *res = s->res;
	size_t stride = (size_t)res->width * BPP;

	if (id != 0 || !w || !h)
		return; /* only scanout 0 has a display */
	display_update(g->display, x - s->r.x, y - s->r.y, w, h, res->format,
		       res->pixels + y * stride + (size_t)x * BPP, stride);
}

static void gpu_scanout_disable(struct gpu_model *g, unsigned id)
{
	struct gpu_scanout *s = &g->scanout[id];

	if (s->res)
		s->res->scanouts &= ~(1u << id);
	s->res = NULL;
	s->r = (struct virtio_gpu_rect){0};
	if (id == 0)
		display_set_mode(g->display, false, s->width, s->height);
}

/* Commands ------------------------------------------------------------- */

static uint32_t gpu_get_display_info(struct gpu_model *g, struct gpu_cmd *c)
{
	struct virtio_gpu_resp_display_info *info = &c->resp.info;

	/* As QEMU: only connected scanouts report a mode. */
	for (unsigned i = 0; i < g->num_scanouts; i++) {
		const struct gpu_scanout *s = &g->scanout[i];

		if (!s->connected)
			continue;
		info->pmodes[i].r.width = virtio_le32(s->width);
		info->pmodes[i].r.height = virtio_le32(s->height);
		info->pmodes[i].enabled = virtio_le32(1);
	}
	c->resp_len = sizeof(*info);
	return VIRTIO_GPU_RESP_OK_DISPLAY_INFO;
}

/* Detailed timing descriptor (EDID 1.4 §3.10.2) for @w x @h at ~60 Hz. */
static void gpu_edid_timing(uint8_t *d, uint32_t w, uint32_t h)
{
	/* Reduced blanking, as CVT-RB: short fixed porches. */
	const uint32_t hblank = 160, hfront = 48, hsync = 32;
	const uint32_t vblank = 30, vfront = 3, vsync = 6;
	uint64_t clock = ((uint64_t)(w + hblank) * (h + vblank) * 60 + 9999) /
			 10000;				   /* 10 kHz units */
	uint32_t wmm = w * 254 / 960, hmm = h * 254 / 960; /* 96 dpi */

	if (clock > 0xffff)
		clock = 0xffff; /* a huge mode refreshes slower */
	d[0] = (uint8_t)clock;
	d[1] = (uint8_t)(clock >> 8);
	d[2] = (uint8_t)w;
	d[3] = (uint8_t)hblank;
	d[4] = (uint8_t)((w >> 8) << 4 | hblank >> 8);
	d[5] = (uint8_t)h;
	d[6] = (uint8_t)vblank;
	d[7] = (uint8_t)((h >> 8) << 4 | vblank >> 8);
	d[8] = (uint8_t)hfront;
	d[9] = (uint8_t)hsync;
	d[10] = (uint8_t)((vfront & 15) << 4 | (vsync & 15));
	d[11] = (uint8_t)((hfront >> 8) << 6 | (hsync >> 8) << 4 |
			  (vfront >> 4) << 2 | vsync >> 4);
	d[12] = (uint8_t)wmm;
	d[13] = (uint8_t)hmm;
	d[14] = (uint8_t)((wmm >> 8) << 4 | hmm >> 8);
	d[17] = 0x1a; /* digital separate sync, hsync +, vsync - */
}

/* An EDID 1.4 base block whose preferred mode is @w x @h. */
static void gpu_edid_build(uint8_t *e, uint32_t w, uint32_t h)
{
	static const uint8_t header[8] = {0x00, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0x00};
	/* sRGB primaries and white point, 10-bit fixed point. */
	static const uint8_t srgb[10] = {0xee, 0x91, 0xa3, 0x54, 0x4c,
					 0x99, 0x26, 0x0f, 0x50, 0x54};
	static const char name[13] = "virtsim\n     ";
	uint32_t wcm = w * 254 / 9600, hcm = h * 254 / 9600;
	uint8_t sum = 0;

	memset(e, 0, GPU_EDID_BLOCK);
	memcpy(e, header, sizeof(header));
	e[8] = 0x5a; /* manufacturer "VSM", 5-bit letters, big-endian */
	e[9] = 0x6d;
	e[10] = 0x01; /* product code */
	e[16] = 1;    /* week */
	e[17] = 34;   /* 2024 - 1990 */
	e[18] = 1;    /* EDID 1.4 */
	e[19] = 4;
	e[20] = 0xa5; /* digital, 8 bits per colour, DisplayPort */
	e[21] = (uint8_t)(wcm ? wcm < 255 ? wcm : 255 : 1);
	e[22] = (uint8_t)(hcm ? hcm < 255 ? hcm : 255 : 1);
	e[23] = 120;  /* gamma 2.2 */
	e[24] = 0x06; /* sRGB default, preferred timing is native */
	memcpy(e + 25, srgb, sizeof(srgb));
	for (unsigned i = 38; i < 54; i++)
		e[i] = 0x01; /* standard timings unused */
	gpu_edid_timing(e + 54, w, h);
	e[75] = 0xfc; /* second descriptor: the monitor's name */
	memcpy(e + 77, name, sizeof(name));
	e[93] = 0x10; /* third and fourth: dummy descriptors */
	e[111] = 0x10;
	for (unsigned i = 0; i < GPU_EDID_BLOCK - 1; i++)
		sum += e[i];
	e[GPU_EDID_BLOCK - 1] = (uint8_t)-sum;
}

static uint32_t gpu_get_edid(struct gpu_model *g, struct gpu_cmd *c)
{
	uint32_t id = virtio_le32(c->c.get_edid.scanout);
	const struct gpu_scanout *s;

	if (!virtio_dev_has_feature(&g->vdev, VIRTIO_GPU_F_EDID))
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_UNSPEC,
				  "GET_EDID without EDID negotiated");
	if (id >= g->num_scanouts)
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
				  "GET_EDID: no such scanout");
	s = &g->scanout[id];
	/* A base block cannot describe it (QEMU adds DisplayID; we don't). */
	if (s->width > GPU_EDID_MAX_ACTIVE || s->height > GPU_EDID_MAX_ACTIVE)
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_UNSPEC,
				  "GET_EDID: mode too large for EDID 1.4");
	gpu_edid_build(c->resp.edid.edid, s->width, s->height);
	c->resp.edid.size = virtio_le32(GPU_EDID_BLOCK);
	c->resp_len = sizeof(c->resp.edid);
	return VIRTIO_GPU_RESP_OK_EDID;
}

static uint32_t gpu_create_2d(struct gpu_model *g, struct gpu_cmd *c)
{
	uint32_t id = virtio_le32(c->c.create.resource_id);
	uint32_t format = virtio_le32(c->c.create.format);
	uint32_t w = virtio_le32(c->c.create.width);
	uint32_t h = virtio_le32(c->c.create.height);
	uint64_t room = g->budget - g->stats.resource_bytes;
	struct gpu_resource *res;

	if (id == 0)
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID,
				  "CREATE_2D: resource id 0 (GPU-N-02)");
	if (gpu_find(g, id))
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID,
				  "CREATE_2D: resource id in use");
	if (!display_format_known(format))
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
				  "CREATE_2D: unknown format");
	/* w * h fits 64 bits; compared to room / 4 it cannot wrap. */
	if (!w || !h || (uint64_t)w * h > room / BPP)
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY,
				  "CREATE_2D: empty, or over the budget");
	res = calloc(1, sizeof(*res));
	if (res)
		res->pixels = calloc((size_t)w * h, BPP);
	if (!res || !res->pixels) {
		free(res);
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY,
				  "CREATE_2D: host out of memory");
	}
	res->id = id;
	res->format = format;
	res->width = w;
	res->height = h;
	res->bytes = (uint64_t)w * h * BPP;
	res->next = g->resources;
	g->resources = res;
	g->stats.resources++;
	g->stats.resource_bytes += res->bytes;
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/* The resource @id names, or NULL with the error in *@code. */
static struct gpu_resource *gpu_lookup(struct gpu_model *g, uint32_t id,
				       const char *cmd, uint32_t *code)
{
	struct gpu_resource *res = gpu_find(g, id);

	if (!res)
		*code =
		    gpu_refuse(g, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID, cmd);
	return res;
}

/*
 * QEMU destroys a resource a scanout shows and disables the scanout; we
 * refuse instead (the driver must SET_SCANOUT 0 first), so a scanout
 * never goes dark behind the driver's back.
 */
static uint32_t gpu_unref(struct gpu_model *g, struct gpu_cmd *c)
{
	uint32_t code = 0;
	struct gpu_resource *res =
	    gpu_lookup(g, virtio_le32(c->c.unref.resource_id),
		       "UNREF: no such resource", &code);

	if (!res)
		return code;
	if (res->scanouts)
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
				  "UNREF: resource on a scanout");
	gpu_resource_free(g, res);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/*
 * ATTACH_BACKING: the entries follow the command. Every failure of the
 * list is ERR_UNSPEC, as QEMU's virtio_gpu_create_mapping_iov answers.
 */
static uint32_t gpu_attach(struct gpu_model *g, struct gpu_cmd *c)
{
	const struct guest_mem *mem = g->vdev.env->mem;
	uint32_t n = virtio_le32(c->c.attach.nr_entries);
	uint32_t code = 0;
	struct gpu_resource *res =
	    gpu_lookup(g, virtio_le32(c->c.attach.resource_id),
		       "ATTACH_BACKING: no such resource", &code);
	struct virtio_gpu_mem_entry ent;
	struct gpu_backing *b;
	uint64_t total = 0;

	if (!res)
		return code;
	if (res->backing)
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_UNSPEC,
				  "ATTACH_BACKING: already has backing");
	if (n > GPU_MODEL_MAX_BACKING_ENTRIES)
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_UNSPEC,
				  "ATTACH_BACKING: too many entries");
	if (c->elem->out_bytes - sizeof(c->c.attach) <
	    (uint64_t)n * sizeof(ent))
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_UNSPEC,
				  "ATTACH_BACKING: entries missing");
	b = calloc(n ? n : 1, sizeof(*b));
	if (!b)
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY,
				  "ATTACH_BACKING: host out of memory");
	for (uint32_t i = 0; i < n; i++) {
		vq_elem_read(c->elem,
			     sizeof(c->c.attach) + (uint64_t)i * sizeof(ent),
			     &ent, sizeof(ent));
		b[i].addr = virtio_le64(ent.addr);
		b[i].len = virtio_le32(ent.length);
		if (!guest_mem_range_ok(mem, b[i].addr, b[i].len)) {
			free(b);
			return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_UNSPEC,
					  "ATTACH_BACKING: entry not in RAM");
		}
		total += b[i].len; /* cannot wrap: see the _Static_assert */
	}
	res->backing = b;
	res->nr_backing = n;
	res->backing_bytes = total;
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/* As QEMU (find_check_resource with backing required): ERR_UNSPEC. */
static uint32_t gpu_detach(struct gpu_model *g, struct gpu_cmd *c)
{
	uint32_t code = 0;
	struct gpu_resource *res =
	    gpu_lookup(g, virtio_le32(c->c.detach.resource_id),
		       "DETACH_BACKING: no such resource", &code);

	if (!res)
		return code;
	if (!res->backing)
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_UNSPEC,
				  "DETACH_BACKING: no backing");
	free(res->backing);
	res->backing = NULL;
	res->nr_backing = 0;
	res->backing_bytes = 0;
	return VIRTIO_GPU_RESP_OK_NODATA;
}

static uint32_t gpu_set_scanout(struct gpu_model *g, struct gpu_cmd *c)
{
	struct virtio_gpu_rect r = c->c.set_scanout.r;
	uint32_t id = virtio_le32(c->c.set_scanout.scanout_id);
	uint32_t code = 0;
	struct gpu_resource *res;
	struct gpu_scanout *s;

	gpu_rect_le(&r);
	if (id >= g->num_scanouts)
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID,
				  "SET_SCANOUT: no such scanout");
	s = &g->scanout[id];
	if (!c->c.set_scanout.resource_id) {
		gpu_scanout_disable(g, id); /* GPU-N-03 */
		return VIRTIO_GPU_RESP_OK_NODATA;
	}
	res = gpu_lookup(g, virtio_le32(c->c.set_scanout.resource_id),
			 "SET_SCANOUT: no such resource", &code);
	if (!res)
		return code;
	if (!gpu_rect_inside(&r, res) || r.width < GPU_SCANOUT_MIN ||
	    r.height < GPU_SCANOUT_MIN)
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
				  "SET_SCANOUT: rectangle outside resource");
	if (id == 0 && display_set_mode(g->display, true, r.width, r.height))
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY,
				  "SET_SCANOUT: no memory for the display");
	if (s->res)
		s->res->scanouts &= ~(1u << id);
	s->res = res;
	s->r = r;
	res->scanouts |= 1u << id;
	/* The scanout shows the resource at once, as QEMU's surface does. */
	gpu_scanout_show(g, id, r.x, r.y, r.width, r.height);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/* GPU-N-04: every scanout showing the resource gets its part. */
static uint32_t gpu_flush(struct gpu_model *g, struct gpu_cmd *c)
{
	struct virtio_gpu_rect r = c->c.flush.r;
	uint32_t code = 0;
	struct gpu_resource *res =
	    gpu_lookup(g, virtio_le32(c->c.flush.resource_id),
		       "RESOURCE_FLUSH: no such resource", &code);

	if (!res)
		return code;
	gpu_rect_le(&r);
	if (!gpu_rect_inside(&r, res))
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
				  "RESOURCE_FLUSH: rectangle outside resource");
	g->stats.flushes++;
	for (unsigned i = 0; i < g->num_scanouts; i++) {
		const struct gpu_scanout *s = &g->scanout[i];
		uint32_t x0, y0, x1, y1;

		if (!(res->scanouts & (1u << i)))
			continue;
		/* Both rectangles lie inside the resource: no sum wraps. */
		x0 = r.x > s->r.x ? r.x : s->r.x;
		y0 = r.y > s->r.y ? r.y : s->r.y;
		x1 = r.x + r.width < s->r.x + s->r.width ? r.x + r.width
							 : s->r.x + s->r.width;
		y1 = r.y + r.height < s->r.y + s->r.height
			 ? r.y + r.height
			 : s->r.y + s->r.height;
		if (x0 >= x1 || y0 >= y1)
			continue;
		gpu_scanout_show(g, i, x0, y0, x1 - x0, y1 - y0);
		g->stats.flush_pixels += (uint64_t)(x1 - x0) * (y1 - y0);
	}
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/*
 * Copy backing bytes [@off, @off + @len) to @dst. @cur (entry index) and
 * @base (its first byte's offset) carry the walk across rows, which come
 * in increasing order. The caller checked the range against
 * backing_bytes; every entry goes through the checked guest copy.
 */
static bool gpu_backing_read(const struct gpu_model *g,
			     const struct gpu_resource *res, uint32_t *cur,
			     uint64_t *base, uint64_t off, uint8_t *dst,
			     uint64_t len)
{
	while (len) {
		const struct gpu_backing *b = &res->backing[*cur];
		uint64_t in, n;

		if (off >= *base + b->len) {
			*base += b->len;
			++*cur;
			continue;
		}
		in = off - *base;
		n = b->len - in < len ? b->len - in : len;
		if (guest_mem_read(g->vdev.env->mem, b->addr + in, dst, n))
			return false;
		dst += n;
		off += n;
		len -= n;
	}
	return true;
}

/* TRANSFER_TO_HOST_2D, as QEMU: rows of the resource's stride from offset. */
static uint32_t gpu_transfer(struct gpu_model *g, struct gpu_cmd *c)
{
	struct virtio_gpu_rect r = c->c.transfer.r;
	uint64_t off = virtio_le64(c->c.transfer.offset);
	uint32_t code = 0, cur = 0;
	struct gpu_resource *res =
	    gpu_lookup(g, virtio_le32(c->c.transfer.resource_id),
		       "TRANSFER_TO_HOST_2D: no such resource", &code);
	uint64_t stride, row_len, span, base = 0;
	bool ok = true;

	if (!res)
		return code;
	if (!res->backing)
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_UNSPEC,
				  "TRANSFER_TO_HOST_2D: no backing");
	gpu_rect_le(&r);
	if (!gpu_rect_inside(&r, res))
		return gpu_refuse(
		    g, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
		    "TRANSFER_TO_HOST_2D: rectangle outside resource");
	stride = (uint64_t)res->width * BPP;
	row_len = (uint64_t)r.width * BPP;
	span = r.height && r.width ? stride * (r.height - 1) + row_len : 0;
	/* QEMU copies what there is; a short copy is refused here. */
	if (off > res->backing_bytes || span > res->backing_bytes - off)
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
				  "TRANSFER_TO_HOST_2D: backing too short");
	if (span && r.width == res->width) /* whole rows: one copy */
		ok = gpu_backing_read(g, res, &cur, &base, off,
				      res->pixels + r.y * stride, span);
	else
		for (uint32_t row = 0; span && row < r.height && ok; row++)
			ok = gpu_backing_read(
			    g, res, &cur, &base, off + stride * row,
			    res->pixels + (r.y + row) * stride + r.x * BPP,
			    row_len);
	if (!ok) /* entries were RAM at attach, and RAM never moves */
		return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_UNSPEC,
				  "TRANSFER_TO_HOST_2D: backing not in RAM");
	g->stats.transfers++;
	g->stats.transfer_bytes += r.height * row_len;
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/* Dispatch --------------------------------------------------------------- */

static const struct gpu_cmd_type {
	uint32_t type;
	size_t len; /* of the command, header included */
	uint32_t (*run)(struct gpu_model *g, struct gpu_cmd *c);
} gpu_cmd_types[] = {
    {VIRTIO_GPU_CMD_GET_DISPLAY_INFO, sizeof(struct virtio_gpu_ctrl_hdr),
     gpu_get_display_info},
    {VIRTIO_GPU_CMD_RESOURCE_CREATE_2D,
     sizeof(struct virtio_gpu_resource_create_2d), gpu_create_2d},
    {VIRTIO_GPU_CMD_RESOURCE_UNREF, sizeof(struct virtio_gpu_resource_unref),
     gpu_unref},
    {VIRTIO_GPU_CMD_SET_SCANOUT, sizeof(struct virtio_gpu_set_scanout),
     gpu_set_scanout},
    {VIRTIO_GPU_CMD_RESOURCE_FLUSH, sizeof(struct virtio_gpu_resource_flush),
     gpu_flush},
    {VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D,
     sizeof(struct virtio_gpu_transfer_to_host_2d), gpu_transfer},
    {VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING,
     sizeof(struct virtio_gpu_resource_attach_backing), gpu_attach},
    {VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING,
     sizeof(struct virtio_gpu_resource_detach_backing), gpu_detach},
    {VIRTIO_GPU_CMD_GET_EDID, sizeof(struct virtio_gpu_get_edid), gpu_get_edid},
};

/* Read, check and run one command; returns the response type. */
static uint32_t gpu_run(struct gpu_model *g, struct gpu_cmd *c)
{
	uint32_t type = virtio_le32(c->hdr.type);

	for (size_t i = 0; i < sizeof(gpu_cmd_types) / sizeof(gpu_cmd_types[0]);
	     i++) {
		const struct gpu_cmd_type *t = &gpu_cmd_types[i];

		if (t->type != type)
			continue;
		if (vq_elem_read(c->elem, 0, &c->c, t->len) != t->len)
			return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_UNSPEC,
					  "command shorter than its struct");
		/* Injected: a well-formed command fails, changing nothing. */
		if (fault_fire(g->vdev.env->faults, FAULT_GPU_ERROR,
			       g->vdev.id))
			return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_UNSPEC,
					  "fault");
		return t->run(g, c);
	}
	return gpu_refuse(g, VIRTIO_GPU_RESP_ERR_UNSPEC, "unknown command");
}

static void gpu_control(struct gpu_model *g, struct virtio_req *req)
{
	const struct vq_elem *e = &req->elem;
	struct gpu_cmd c = {.elem = e};
	uint32_t flags, type = VIRTIO_GPU_RESP_ERR_UNSPEC;
	size_t len;

	g->stats.commands++;
	/*
	 * Every state-changing command answers with the header alone:
	 * without room for it, nothing is run.
	 */
	if (e->in_bytes < sizeof(c.resp.hdr)) {
		trace_gpu_no_room(g->vdev.env->trace, g->vdev.name, g->vdev.id);
		g->stats.errors++;
		virtio_dev_complete(req, 0);
		return;
	}
	if (vq_elem_read(e, 0, &c.hdr, sizeof(c.hdr)) == sizeof(c.hdr))
		type = gpu_run(g, &c);
	else
		gpu_refuse(g, type, "command shorter than its header");
	len = c.resp_len ? c.resp_len : sizeof(c.resp.hdr);
	if (type >= VIRTIO_GPU_RESP_ERR_UNSPEC || len > e->in_bytes)
		g->stats.errors++;
	if (len > e->in_bytes) { /* a data reply too big: none at all */
		trace_gpu_resp_size(g->vdev.env->trace, g->vdev.name,
				    g->vdev.id, len);
		virtio_dev_complete(req, 0);
		return;
	}
	c.resp.hdr.type = virtio_le32(type);
	flags = virtio_le32(c.hdr.flags);
	if (flags & VIRTIO_GPU_FLAG_FENCE) {
		/* GPU-V-01; ring_idx only means something with CONTEXT_INIT,
		 * which is not offered. ctx_id is echoed as QEMU does. */
		c.resp.hdr.flags = virtio_le32(VIRTIO_GPU_FLAG_FENCE);
		c.resp.hdr.fence_id = c.hdr.fence_id;
		c.resp.hdr.ctx_id = c.hdr.ctx_id;
	}
	vq_elem_write(e, 0, &c.resp, len);
	virtio_dev_complete(req, (uint32_t)len);
}

/* Cursor queue: no responses (used length 0); a bad command is ignored. */
static void gpu_cursor(struct gpu_model *g, struct virtio_req *req)
{
	struct virtio_gpu_update_cursor cmd;
	struct gpu_resource *res = NULL;
	uint32_t type, id, scanout;
	int32_t x, y;

	g->stats.cursor_commands++;
	if (vq_elem_read(&req->elem, 0, &cmd, sizeof(cmd)) != sizeof(cmd)) {
		gpu_refuse(g, 0, "cursor command too short");
		goto ignored;
	}
	type = virtio_le32(cmd.hdr.type);
	id = virtio_le32(cmd.resource_id);
	scanout = virtio_le32(cmd.pos.scanout_id);
	/* Positions may be negative (partly off screen) in two's complement. */
	x = (int32_t)virtio_le32(cmd.pos.x);
	y = (int32_t)virtio_le32(cmd.pos.y);
	if (scanout >= g->num_scanouts) {
		gpu_refuse(g, 0, "cursor on no such scanout");
		goto ignored;
	}
	if (type == VIRTIO_GPU_CMD_UPDATE_CURSOR && id) {
		res = gpu_find(g, id);
		if (!res || res->width != VIRTIO_GPU_CURSOR_SIZE ||
		    res->height != VIRTIO_GPU_CURSOR_SIZE) {
			gpu_refuse(g, 0, "UPDATE_CURSOR: no 64x64 resource");
			goto ignored;
		}
	} else if (type != VIRTIO_GPU_CMD_UPDATE_CURSOR &&
		   type != VIRTIO_GPU_CMD_MOVE_CURSOR) {
		gpu_refuse(g, 0, "unknown cursor command");
		goto ignored;
	}
	if (scanout == 0) { /* only scanout 0 has a display */
		/* GPU-N-06: MOVE_CURSOR takes pos alone. */
		if (type == VIRTIO_GPU_CMD_UPDATE_CURSOR)
			display_cursor_image(g->display, res ? res->format : 0,
					     res ? res->pixels : NULL,
					     virtio_le32(cmd.hot_x),
					     virtio_le32(cmd.hot_y));
		display_cursor_move(g->display, x, y);
	}
	virtio_dev_complete(req, 0);
	return;
ignored:
	g->stats.errors++;
	virtio_dev_complete(req, 0);
}

static void gpu_model_queue_notify(struct virtio_dev *dev, unsigned q)
{
	struct gpu_model *g = to_gpu(dev);
	struct virtio_req *req;

	while (virtio_dev_pop_req(dev, q, &req) > 0) {
		if (q == VIRTIO_GPU_CONTROL_QUEUE)
			gpu_control(g, req);
		else
			gpu_cursor(g, req);
	}
}

/* Reset: no resource, no scanout, no cursor, no event (the modes stay:
 * they are the host's displays). */
static void gpu_model_reset(struct virtio_dev *dev)
{
	struct gpu_model *g = to_gpu(dev);

	for (unsigned i = 0; i < g->num_scanouts; i++)
		gpu_scanout_disable(g, i);
	while (g->resources)
		gpu_resource_free(g, g->resources);
	display_cursor_image(g->display, 0, NULL, 0, 0);
	g->events_read = 0;
	gpu_render_config(g);
}

/* Every request completes inside queue_notify: no queue_stop needed. */
static const struct virtio_dev_ops gpu_model_ops = {
    .device_id = VIRTIO_ID_GPU,
    .num_queues = 2,
    .queue_size_max = GPU_MODEL_QUEUE_SIZE,
    .config_write = gpu_model_config_write,
    .queue_notify = gpu_model_queue_notify,
    .reset = gpu_model_reset,
};

/* Host side ------------------------------------------------------------ */

static bool gpu_size_ok(uint32_t w, uint32_t h)
{
	return w && h && w <= GPU_MODEL_MAX_WIDTH && h <= GPU_MODEL_MAX_HEIGHT;
}

static void gpu_model_resized(void *opaque, uint32_t width, uint32_t height)
{
	gpu_model_set_display_size(opaque, 0, width, height);
}

struct virtio_dev *gpu_model_create(struct sim_env *env,
				    struct display *display,
				    const struct gpu_model_options *opts)
{
	struct gpu_model_options o = {0};
	uint64_t features =
	    VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	struct gpu_model *g;

	if (opts)
		o = *opts;
	if (!o.width && !o.height) {
		o.width = 1024;
		o.height = 768;
	}
	if (!o.num_scanouts)
		o.num_scanouts = 1;
	if (!gpu_size_ok(o.width, o.height) ||
	    o.num_scanouts > VIRTIO_GPU_MAX_SCANOUTS ||
	    o.queue_size & (o.queue_size - 1) ||
	    o.queue_size > GPU_QUEUE_SIZE_MAX) {
		display_destroy(display); /* ours even on failure */
		errno = EINVAL;
		return NULL;
	}
	if (!display)
		display = display_headless_create();
	g = calloc(1, sizeof(*g));
	if (!g || !display ||
	    display_set_mode(display, false, o.width, o.height)) {
		display_destroy(display);
		free(g);
		errno = ENOMEM;
		return NULL;
	}
	g->display = display;
	g->num_scanouts = o.num_scanouts;
	g->budget = o.budget ? o.budget : GPU_MODEL_BUDGET;
	for (unsigned i = 0; i < g->num_scanouts; i++) {
		g->scanout[i].width = o.width;
		g->scanout[i].height = o.height;
	}
	g->scanout[0].connected = true; /* the one display there is */
	if (o.edid)
		features |= VIRTIO_BIT(VIRTIO_GPU_F_EDID);
	gpu_render_config(g);
	virtio_dev_init(&g->vdev, &gpu_model_ops, "virtio-gpu", env, features,
			g->config, sizeof(g->config));
	if (o.queue_size)
		g->vdev.queue_size_max = o.queue_size;
	display->listener = (struct display_listener){
	    .resized = gpu_model_resized,
	    .opaque = &g->vdev,
	};
	return &g->vdev;
}

void gpu_model_destroy(struct virtio_dev *dev)
{
	struct gpu_model *g;

	if (!dev)
		return;
	g = to_gpu(dev);
	virtio_dev_release(dev);
	while (g->resources)
		gpu_resource_free(g, g->resources);
	g->display->listener = (struct display_listener){0};
	display_destroy(g->display);
	free(g);
}

/* @dev as a GPU model, or NULL if it is none. */
static struct gpu_model *as_gpu(const struct virtio_dev *dev)
{
	if (!dev || dev->ops != &gpu_model_ops)
		return NULL;
	return to_gpu((struct virtio_dev *)dev);
}

const struct gpu_model_stats *gpu_model_stats(const struct virtio_dev *dev)
{
	return as_gpu(dev) ? &as_gpu(dev)->stats : NULL;
}

struct display *gpu_model_display(const struct virtio_dev *dev)
{
	return as_gpu(dev) ? as_gpu(dev)->display : NULL;
}

/*
 * GPU-N-01. As QEMU's ui_info, a size on any scanout also connects it:
 * a host display is there now.
 */
int gpu_model_set_display_size(struct virtio_dev *dev, uint32_t scanout,
			       uint32_t width, uint32_t height)
{
	struct gpu_model *g = as_gpu(dev);

	if (!g || scanout >= g->num_scanouts || !gpu_size_ok(width, height))
		return -EINVAL;
	g->scanout[scanout].width = width;
	g->scanout[scanout].height = height;
	g->scanout[scanout].connected = true;
	g->events_read |= VIRTIO_GPU_EVENT_DISPLAY;
	gpu_render_config(g);
	virtio_dev_config_changed(dev);
	return 0;
}
