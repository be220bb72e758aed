/* SPDX-License-Identifier: MIT */
/*
 * gpu_bench.c - the gpu-bench workload: what a frame costs on GPU 0.
 * Full-frame transfer plus flush, per second, against a memcpy of the
 * same frame in the same run (the floor: the device must at least copy
 * the frame once); and the latency of a 64x64 dirty-rectangle flush.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/adapter/display_device.h"
#include "tools/cli/workload.h"
#include "tools/vm/gpu_class.h"
#include "tools/vm/gpu_pattern.h"
#include "tools/vm/guest.h"

#define BENCH_MIN_MS 300.0 /* each figure: at least this long, ... */
#define BENCH_BEST_OF 3	   /* ... best of this many */

/* Run @step until BENCH_MIN_MS passed; the best ms per step of 3 runs. */
static double best_ms_per_step(int (*step)(void *arg, uint64_t i), void *arg,
			       int *err)
{
	double best = 0;

	for (unsigned run = 0; run < BENCH_BEST_OF; run++) {
		double t0 = guest_now_ms(), t;
		uint64_t n = 0;

		do {
			*err = step(arg, n++);
			if (*err)
				return 0;
			t = guest_now_ms() - t0;
		} while (t < BENCH_MIN_MS);
		if (!run || t / (double)n < best)
			best = t / (double)n;
	}
	return best;
}

struct bench {
	struct display_device *dd;
	struct display_framebuffer fb;
	uint8_t *copy;
};

static int full_flush(void *arg, uint64_t i)
{
	struct bench *b = arg;

	b->dd->ops->damage(b->dd, 0, 0, b->fb.width, b->fb.height);
	return b->dd->ops->flush(b->dd);
}

static int frame_memcpy(void *arg, uint64_t i)
{
	struct bench *b = arg;

	memcpy(b->copy, b->fb.base, b->fb.size);
	/* Keep the copy from being optimised away. */
	__asm__ volatile("" : : "r"(b->copy) : "memory");
	return 0;
}

/* A 64x64 square that walks over the screen, one flush each. */
static int square_flush(void *arg, uint64_t i)
{
	struct bench *b = arg;
	uint32_t w = b->fb.width, h = b->fb.height;
	uint32_t cols = w > 64 ? w / 64 : 1, rows = h > 64 ? h / 64 : 1;

	b->dd->ops->damage(b->dd, (uint32_t)(i % cols) * 64,
			   (uint32_t)(i / cols % rows) * 64, 64, 64);
	return b->dd->ops->flush(b->dd);
}

static int gpu_bench_run(struct vm *vm, const struct cli_options *o,
			 struct json *json)
{
	struct virtio_gpu_display_device *gd = vm_gpu(vm, 0);
	struct bench b = {.dd = virtio_gpu_display_base(gd)};
	double flush_ms, copy_ms = 0, square_ms = 0;
	int err = 0;

	b.dd->ops->fb(b.dd, &b.fb);
	b.copy = malloc(b.fb.size);
	if (!b.copy) {
		fprintf(stderr, "virtsim: gpu-bench: out of memory\n");
		return EXIT_OP_FAILED;
	}
	gpu_pattern_draw(b.fb.base, b.fb.width, b.fb.height, b.fb.stride, 0,
			 "GPU BENCH");
	flush_ms = best_ms_per_step(full_flush, &b, &err);
	if (!err)
		copy_ms = best_ms_per_step(frame_memcpy, &b, &err);
	if (!err)
		square_ms = best_ms_per_step(square_flush, &b, &err);
	free(b.copy);
	if (err)
		return gpu_op_failed(gd, 0, "flush", err);
	printf("gpu0: %ux%u full-frame transfer+flush: %.1f/s (%.0f MiB/s); "
	       "memcpy of the frame: %.1f/s; flush/memcpy rate %.2f\n",
	       b.fb.width, b.fb.height, 1000 / flush_ms,
	       (double)b.fb.size / (1 << 20) * 1000 / flush_ms, 1000 / copy_ms,
	       copy_ms / flush_ms);
	printf("gpu0: 64x64 dirty-rectangle transfer+flush: %.2f us\n",
	       square_ms * 1000);
	if (json) {
		json_uint(json, "width", b.fb.width);
		json_uint(json, "height", b.fb.height);
		json_double(json, "full_flushes_s", 1000 / flush_ms);
		json_double(json, "full_flush_mib_s",
			    (double)b.fb.size / (1 << 20) * 1000 / flush_ms);
		json_double(json, "memcpy_s", 1000 / copy_ms);
		json_double(json, "ratio", copy_ms / flush_ms);
		json_double(json, "rect_flush_us", square_ms * 1000);
	}
	return 0;
}

const struct workload gpu_bench_workload = {
    .name = "gpu-bench",
    .help = "measure full-frame transfer+flush (per second, and against "
	    "a memcpy of the frame) and a 64x64 dirty-rectangle flush (us)",
    .cls = &gpu_class,
    .run = gpu_bench_run,
};
