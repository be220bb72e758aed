/* SPDX-License-Identifier: MIT */
/*
 * gpu_class.c - the virtio-gpu device class: sub-options, the model on a
 * display, the driver as a display device, the probe report.
 */
#include "tools/vm/gpu_class.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/wire/virtio_config.h"
#include "tools/vm/device_options.h"
#include "tools/vm/gpu_host.h"

#ifdef VIRTSIM_HAVE_GPU
#include "drivers/adapter/display_device.h"

static void gpu_options_init(void *opts)
{
	*(struct gpu_options *)opts = (struct gpu_options){0};
}

/* One dimension of WIDTHxHEIGHT: decimal, 1 .. @max; -1 if not. */
static int parse_dimension(const char *s, size_t n, uint32_t max, uint32_t *v)
{
	uint64_t x = 0;

	if (!n || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (!x || x > max)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

/* "1280x800" into @o's mode. */
static int parse_resolution(struct gpu_options *o, const char *s, char *err,
			    size_t errlen)
{
	const char *x = strchr(s, 'x');

	if (!x ||
	    parse_dimension(s, (size_t)(x - s), GPU_MODEL_MAX_WIDTH,
			    &o->model.width) ||
	    parse_dimension(x + 1, strlen(x + 1), GPU_MODEL_MAX_HEIGHT,
			    &o->model.height))
		return vm_option_error(
		    err, errlen,
		    "bad size '%s': want WIDTHxHEIGHT, e.g. 1280x800, "
		    "each from 1 to %u",
		    s, GPU_MODEL_MAX_WIDTH);
	return 0;
}

static int gpu_parse(void *opts, const char *key, const char *value, char *err,
		     size_t errlen)
{
	struct gpu_options *o = opts;
	uint64_t v;

	if (!key)
		return parse_resolution(o, value, err, errlen);
	if (!strcmp(key, "display") && value) {
		if (!strcmp(value, "sdl"))
			o->display = DISPLAY_SDL;
		else if (!strcmp(value, "headless"))
			o->display = DISPLAY_HEADLESS;
		else if (!strcmp(value, "auto"))
			o->display = DISPLAY_AUTO;
		else
			return vm_option_error(
			    err, errlen,
			    "display=%s: want sdl, headless or auto", value);
	} else if (!strcmp(key, "edid")) {
		int on = vm_parse_on_off(value);

		if (on < 0)
			return vm_option_error(err, errlen,
					       "edid=%s: want on or off",
					       value ? value : "");
		o->model.edid = on;
	} else if (!strcmp(key, "scanouts") && value) {
		if (vm_parse_u64(value, &v) || !v ||
		    v > VIRTIO_GPU_MAX_SCANOUTS)
			return vm_option_error(err, errlen,
					       "scanouts=%s: want 1 to %u",
					       value, VIRTIO_GPU_MAX_SCANOUTS);
		o->model.num_scanouts = (uint32_t)v;
	} else if (!strcmp(key, "budget") && value) {
		if (vm_parse_size(value, &v) || v < (1u << 20) ||
		    v > (4ull << 30))
			return vm_option_error(
			    err, errlen, "budget=%s: want a size from 1M to 4G",
			    value);
		o->model.budget = v;
	} else if (!strcmp(key, "queue_size") && value) {
		if (vm_parse_u64(value, &v) || v < 4 || v > 1024 ||
		    (v & (v - 1)))
			return vm_option_error(
			    err, errlen,
			    "queue_size=%s: want a power of 2 from 4 "
			    "to 1024",
			    value);
		o->model.queue_size = (uint16_t)v;
	} else {
		return vm_option_error(
		    err, errlen,
		    "unknown option '%s%s%s' (display=sdl|headless|"
		    "auto, edid=on|off, scanouts=N, budget=SIZE, "
		    "queue_size=N, %s)",
		    key, value ? "=" : "", value ? value : "",
		    VM_DEVICE_COMMON_USAGE);
	}
	return 0;
}

static int gpu_create(struct vm_device *d, struct sim_env *env,
		      const void *opts, char *err, size_t errlen)
{
	static const struct gpu_options none;
	const struct gpu_options *o = opts ? opts : &none;
	struct gpu_model_options mo = o->model;
	struct display *disp;

	if (!mo.width) {
		mo.width = 1024;
		mo.height = 768;
	}
	disp =
	    display_create(o->display, env, mo.width, mo.height, err, errlen);
	if (!disp)
		return -EINVAL;
	errno = 0;
	d->model = gpu_model_create(env, disp, &mo); /* owns disp */
	if (!d->model) {
		int e = errno ? errno : ENOMEM;

		snprintf(err, errlen, "gpu%u: %s", d->unit,
			 e == EINVAL ? "bad options" : strerror(e));
		return -e;
	}
	return 0;
}

static void gpu_destroy(struct vm_device *d)
{
	gpu_model_destroy(d->model);
	d->model = NULL;
}

static int gpu_bring_up(struct vm_device *d, struct virtio_transport *t,
			unsigned irq_line, bool poll)
{
	struct virtio_gpu_options go = {.use_irq =
					    !poll && irq_line != VIRTIO_NO_IRQ};
	struct virtio_gpu_display_device *gd = calloc(1, sizeof(*gd));
	int ret;

	if (!gd)
		return -DEV_ERR_NO_MEMORY;
	ret = virtio_gpu_display_init(gd, t, &go, irq_line);
	if (ret) {
		d->virtio_error = gd->last_error;
		free(gd);
		return ret;
	}
	d->driver = gd;
	return 0;
}

static void gpu_teardown(struct vm_device *d)
{
	virtio_gpu_display_destroy(d->driver);
	free(d->driver);
	d->driver = NULL;
}

/* "1280x800, 1 scanout, edid, sdl" */
static void gpu_describe(const struct vm_device *d, char *buf, size_t len)
{
	const struct virtio_gpu_display_device *gd = d->driver;
	const struct display *disp = gpu_model_display(d->model);

	snprintf(buf, len, "%ux%u, %u scanout%s%s, %s", gd->width, gd->height,
		 gd->gpu.num_scanouts, gd->gpu.num_scanouts == 1 ? "" : "s",
		 gd->gpu.has_edid ? ", edid" : "",
		 disp ? disp->ops->name : "no display");
}

struct virtio_gpu_display_device *vm_gpu(struct vm *vm, unsigned n)
{
	struct vm_device *d = vm_device(vm, &gpu_class, n);

	return d ? d->driver : NULL;
}

struct display *vm_gpu_display(struct vm *vm, unsigned n)
{
	struct vm_device *d = vm_device(vm, &gpu_class, n);

	return d ? gpu_model_display(d->model) : NULL;
}

int gpu_op_failed(const struct virtio_gpu_display_device *gd, unsigned unit,
		  const char *what, int dev_err)
{
	char answer[48] = "", cause[48] = "";

	if (gd->gpu.last_error)
		snprintf(answer, sizeof(answer), " (the device answered 0x%x)",
			 gd->gpu.last_error);
	/* A failure of the wrapper's own (no VirtIO error) names no cause. */
	if (gd->last_error)
		snprintf(cause, sizeof(cause), "%s -> ",
			 virtio_error_name(gd->last_error));
	fprintf(stderr, "virtsim: gpu%u: %s failed: %s%s%s\n", unit, what,
		cause, dev_err_name(dev_err), answer);
	return 1;
}

/* The default selftest machine: a headless GPU on MMIO v2 and on PCI. */
static const struct gpu_options gpu_selftest_options = {
    .display = DISPLAY_HEADLESS,
    .model = {.width = 640, .height = 480, .edid = true},
};
static const struct vm_device_config gpu_selftest_devices[] = {
    {&gpu_class, &gpu_selftest_options, VM_TRANSPORT_MMIO, 2},
    {&gpu_class, &gpu_selftest_options, VM_TRANSPORT_PCI, 0},
};

const struct device_class gpu_class = {
    .name = "gpu",
    .title = "virtio-gpu",
    .virtio_id = VIRTIO_ID_GPU,
    .type = DEV_TYPE_DISPLAY,
    .first_word = "a size (WIDTHxHEIGHT)",
    .usage = "WIDTHxHEIGHT (scanout 0's mode, e.g. 1280x800, at most "
	     "8192x8192); display=sdl (a window titled virtsim), headless "
	     "(memory only) or auto (sdl when a display is there, the "
	     "default); edid=on (offer EDID); scanouts=N (1 to 16); "
	     "budget=SIZE (host memory for resources, default 256M); "
	     "queue_size=N",
    .options_size = sizeof(struct gpu_options),
    .options_init = gpu_options_init,
    .parse = gpu_parse,
    .create = gpu_create,
    .destroy = gpu_destroy,
    .bring_up = gpu_bring_up,
    .teardown = gpu_teardown,
    .describe = gpu_describe,
    .selftest_devices = gpu_selftest_devices,
    .selftest_device_count =
	sizeof(gpu_selftest_devices) / sizeof(gpu_selftest_devices[0]),
    .selftest = gpu_selftest,
    .fault_cases = gpu_fault_cases,
    .fault_op = gpu_fault_op,
    .fault_main_op = "flush",
    .fault_unreachable = "every call waits for what it posts, "
			 "at most two chains on a queue of at least four",
};

#else  /* !VIRTSIM_HAVE_GPU */
const struct device_class gpu_class = {
    .name = "gpu",
    .title = "virtio-gpu",
    .disabled = "--disable-gpu",
    .virtio_id = VIRTIO_ID_GPU,
    .type = DEV_TYPE_DISPLAY,
};

struct virtio_gpu_display_device *vm_gpu(struct vm *vm, unsigned n)
{
	return NULL;
}

struct display *vm_gpu_display(struct vm *vm, unsigned n)
{
	return NULL;
}

int gpu_op_failed(const struct virtio_gpu_display_device *gd, unsigned unit,
		  const char *what, int dev_err)
{
	return 1;
}
#endif /* VIRTSIM_HAVE_GPU */
