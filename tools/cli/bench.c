/* SPDX-License-Identifier: MIT */
/*
 * bench.c - the bench workload: what a block request costs through the
 * whole stack (driver, HAL, virtqueue, transport, model, backend), case
 * by case (queue depth x request size x pattern x buffer), against the
 * host doing the same work in the same run: pread/pwrite of the image
 * with the same sizes and offsets, or for a null disk (null:SIZE) a
 * memcpy of each request's bytes. QD 1 uses the blocking calls, deeper
 * queues the token API with that many requests in flight.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drivers/virtio/virtio_blk.h"
#include "tools/cli/json.h"
#include "tools/cli/progress.h"
#include "tools/cli/workload.h"
#include "tools/vm/blk_class.h"
#include "tools/vm/guest.h"

#define BENCH_ROUNDS 3	      /* each figure: the best of this many */
#define BENCH_DEFAULT_S 1.0   /* per case, both sides, all rounds */
#define BENCH_CLOCK_EVERY 16u /* requests between looks at the clock */

struct bench_case {
	uint32_t qd, bs, rw, buf;
};

struct bench_result {
	struct bench_case c;
	uint64_t requests;	/* in the best round */
	double ns, baseline_ns; /* per request, best round of each */
};

struct bench {
	struct virtio_blk *b;
	const struct hal *hal;
	unsigned unit;
	int fd;		 /* the image for the baseline; -1: memcpy */
	uint64_t blocks; /* bs-sized blocks on the disk */
	uint64_t seed;
	/* This case's buffers: qd of bs bytes each, DMA or the user's. */
	struct dma_buf dma;
	uint8_t *host;
	uint8_t *data;
	uint8_t *other; /* the memcpy baseline's far side, bs bytes */
	/* Token API state, sized for the deepest queue. */
	struct virtio_blk_req *req;
	uint32_t *owner; /* token -> index into req */
	uint32_t *free;	 /* indices of requests not in flight */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool is_write(uint32_t rw)
{
	return rw == CLI_BENCH_WRITE || rw == CLI_BENCH_RANDWRITE;
}

/* The offsets, as a generator both sides replay from the same seed. */
struct bench_pos {
	uint64_t x, next, blocks;
	bool random;
};

static uint64_t pos_next(struct bench_pos *p)
{
	uint64_t block;

	if (!p->random) {
		block = p->next;
		p->next = p->next + 1 == p->blocks ? 0 : p->next + 1;
		return block;
	}
	p->x ^= p->x << 13; /* xorshift64 */
	p->x ^= p->x >> 7;
	p->x ^= p->x << 17;
	return p->x % p->blocks;
}

static struct bench_pos pos_start(const struct bench *bn,
				  const struct bench_case *c)
{
	return (struct bench_pos){.x = bn->seed | 1,
				  .blocks = bn->blocks,
				  .random = c->rw == CLI_BENCH_RANDREAD ||
					    c->rw == CLI_BENCH_RANDWRITE};
}

/*
 * How long a round may take, or how many requests it makes: exactly one
 * of them bounds it.
 */
struct bench_limit {
	uint64_t requests; /* 0: until deadline */
	uint64_t ns;
};

static bool limit_reached(const struct bench_limit *l, uint64_t n, uint64_t t0)
{
	if (l->requests)
		return n >= l->requests;
	return n % BENCH_CLOCK_EVERY == 0 && n && now_ns() - t0 >= l->ns;
}

/* QD 1: the blocking calls, one request at a time. */
static int stack_sync(struct bench *bn, const struct bench_case *c,
		      const struct bench_limit *l, uint64_t *n_out,
		      uint64_t *ns)
{
	struct bench_pos pos = pos_start(bn, c);
	uint64_t t0 = now_ns(), n = 0;
	uint32_t sectors = c->bs / VIRTIO_BLK_SECTOR_SIZE;
	bool write = is_write(c->rw);
	int err = 0;

	while (!limit_reached(l, n, t0)) {
		uint64_t sector = pos_next(&pos) * sectors;

		err = write ? virtio_blk_write(bn->b, sector, bn->data, c->bs)
			    : virtio_blk_read(bn->b, sector, bn->data, c->bs);
		if (err)
			return blk_op_failed(bn->unit, write ? "write" : "read",
					     err);
		n++;
	}
	*ns = now_ns() - t0;
	*n_out = n;
	return 0;
}

/* Wait for the next finished request; its token, or an exit status. */
static int next_done(struct bench *bn, uint16_t *token)
{
	int r;

	while ((r = virtio_blk_poll(bn->b, token)) == 0) {
		if (hal_wait(bn->hal) == -HAL_EIDLE &&
		    (r = virtio_blk_poll(bn->b, token)) == 0)
			return blk_op_failed(bn->unit, "poll",
					     -VIRTIO_ERR_NOT_READY);
	}
	return r < 0 ? blk_op_failed(bn->unit, "poll", r) : 0;
}

/* QD > 1: the token API, up to qd requests in flight. */
static int stack_async(struct bench *bn, const struct bench_case *c,
		       const struct bench_limit *l, uint64_t *n_out,
		       uint64_t *ns)
{
	struct bench_pos pos = pos_start(bn, c);
	uint64_t t0 = now_ns(), n = 0, submitted = 0;
	uint32_t sectors = c->bs / VIRTIO_BLK_SECTOR_SIZE, nfree = c->qd;
	uint32_t type = is_write(c->rw) ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
	bool stop = false;
	int err, ret = 0;

	for (uint32_t i = 0; i < c->qd; i++)
		bn->free[i] = c->qd - 1 - i;
	while (!stop || nfree < c->qd) {
		uint16_t token;
		uint32_t i;

		/* Fill the queue; the limit counts what was submitted. */
		while (!stop && nfree) {
			if (l->requests
				? submitted >= l->requests
				: limit_reached(l, n, t0) && n >= c->qd) {
				stop = true;
				break;
			}
			i = bn->free[nfree - 1];
			err = virtio_blk_submit(
			    bn->b, &bn->req[i], type, pos_next(&pos) * sectors,
			    bn->data + (size_t)i * c->bs, c->bs);
			if (err == -VIRTIO_ERR_QUEUE_FULL && nfree < c->qd)
				break; /* the ring holds fewer than qd */
			if (err) {
				ret = blk_op_failed(bn->unit, "submit", err);
				goto fail;
			}
			bn->owner[bn->req[i].token] = i;
			nfree--;
			submitted++;
		}
		if (nfree == c->qd)
			break;
		ret = next_done(bn, &token);
		if (ret)
			goto fail;
		i = bn->owner[token];
		err = virtio_blk_complete(bn->b, token, &bn->req[i]);
		if (err) {
			ret = blk_op_failed(bn->unit, "complete", err);
			goto fail;
		}
		bn->free[nfree++] = i;
		n++;
	}
	*ns = now_ns() - t0;
	*n_out = n;
	return 0;
fail:
	/* Take back every request still out before the buffers go. */
	virtio_blk_stop(bn->b);
	return ret;
}

/* The host does the same: pread/pwrite of the image, or a memcpy. */
static int baseline(struct bench *bn, const struct bench_case *c,
		    const struct bench_limit *l, uint64_t *n_out, uint64_t *ns)
{
	struct bench_pos pos = pos_start(bn, c);
	uint64_t t0 = now_ns(), n = 0;
	bool write = is_write(c->rw);

	while (!limit_reached(l, n, t0)) {
		uint8_t *p = bn->data + (size_t)(n % c->qd) * c->bs;
		off_t off = (off_t)(pos_next(&pos) * c->bs);
		ssize_t got;

		if (bn->fd < 0) {
			if (write)
				memcpy(bn->other, p, c->bs);
			else
				memcpy(p, bn->other, c->bs);
			/* Keep the copy from being optimised away. */
			__asm__ volatile(""
					 :
					 : "r"(p), "r"(bn->other)
					 : "memory");
			n++;
			continue;
		}
		got = write ? pwrite(bn->fd, p, c->bs, off)
			    : pread(bn->fd, p, c->bs, off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got != (ssize_t)c->bs) {
			fprintf(stderr,
				"virtsim: bench: host %s of blk%u's "
				"image: %s\n",
				write ? "pwrite" : "pread", bn->unit,
				got < 0 ? strerror(errno) : "short transfer");
			return EXIT_OP_FAILED;
		}
		n++;
	}
	*ns = now_ns() - t0;
	*n_out = n;
	return 0;
}

static void buffers_put(struct bench *bn)
{
	if (bn->dma.p)
		dma_buf_put(&bn->dma);
	free(bn->host);
	free(bn->other);
	bn->dma.p = NULL;
	bn->host = bn->other = NULL;
}

static int buffers_get(struct bench *bn, const struct bench_case *c)
{
	size_t len = (size_t)c->qd * c->bs;

	if (c->buf == CLI_BENCH_DMA) {
		if (dma_buf_get(&bn->dma, bn->hal, len)) {
			bn->dma.p = NULL;
			fprintf(stderr,
				"virtsim: bench: no %zu KiB of DMA memory for "
				"qd=%" PRIu32 " bs=%" PRIu32 " (try --mem)\n",
				len >> 10, c->qd, c->bs);
			return EXIT_USAGE;
		}
		bn->data = bn->dma.p;
	} else {
		/* Page-aligned, as a user's I/O buffer would be; C11 wants
		 * the size a multiple of the alignment. */
		bn->host = aligned_alloc(HAL_PAGE_SIZE,
					 (len + HAL_PAGE_SIZE - 1) &
					     ~(size_t)(HAL_PAGE_SIZE - 1));
		if (!bn->host)
			goto oom;
		memset(bn->host, 0x5a, len); /* fault the pages in now */
		bn->data = bn->host;
	}
	bn->other = calloc(1, c->bs);
	if (!bn->other)
		goto oom;
	return 0;
oom:
	buffers_put(bn);
	fprintf(stderr, "virtsim: bench: out of memory\n");
	return EXIT_OP_FAILED;
}

/* One case: BENCH_ROUNDS rounds of the stack then the host, the best. */
static int run_case(struct bench *bn, const struct bench_case *c,
		    const struct cli_options *o, struct bench_result *res)
{
	double per_side =
	    o->bench_time_s > 0 ? o->bench_time_s : BENCH_DEFAULT_S;
	struct bench_limit l = {
	    .requests = o->requests,
	    .ns = (uint64_t)(per_side * 1e9 / (2 * BENCH_ROUNDS))};
	int ret = buffers_get(bn, c);

	*res = (struct bench_result){.c = *c};
	for (unsigned r = 0; r < BENCH_ROUNDS && !ret; r++) {
		uint64_t n = 1, ns = 0;

		ret = c->qd == 1 ? stack_sync(bn, c, &l, &n, &ns)
				 : stack_async(bn, c, &l, &n, &ns);
		if (ret)
			break;
		if (!r || (double)ns / (double)n < res->ns) {
			res->ns = (double)ns / (double)n;
			res->requests = n;
		}
		ret = baseline(bn, c, &l, &n, &ns);
		if (!ret && (!r || (double)ns / (double)n < res->baseline_ns))
			res->baseline_ns = (double)ns / (double)n;
	}
	buffers_put(bn);
	return ret;
}

/* "512", "4k", "1M" */
static const char *size_name(uint32_t bs, char *buf, size_t len)
{
	if (bs % (1u << 20) == 0)
		snprintf(buf, len, "%" PRIu32 "M", bs >> 20);
	else if (bs % 1024 == 0)
		snprintf(buf, len, "%" PRIu32 "k", bs >> 10);
	else
		snprintf(buf, len, "%" PRIu32, bs);
	return buf;
}

static void print_result(const struct bench_result *r, struct json *json)
{
	char bs[16];

	if (json) {
		json_begin_object(json, NULL);
		json_uint(json, "qd", r->c.qd);
		json_uint(json, "bs", r->c.bs);
		json_string(json, "rw", cli_bench_rw_name(r->c.rw));
		json_string(json, "buf", cli_bench_buf_name(r->c.buf));
		json_uint(json, "requests", r->requests);
		json_double(json, "ns_per_request", r->ns);
		json_double(json, "iops", 1e9 / r->ns);
		json_double(json, "mib_s", 1e9 / r->ns * r->c.bs / (1 << 20));
		json_double(json, "baseline_ns_per_request", r->baseline_ns);
		json_double(json, "ratio", r->ns / r->baseline_ns);
		json_end_object(json);
	}
	printf("%6" PRIu32 " %6s  %-9s  %-4s %10" PRIu64 " %11.1f %10.0f "
	       "%9.1f %12.1f %6.2f\n",
	       r->c.qd, size_name(r->c.bs, bs, sizeof(bs)),
	       cli_bench_rw_name(r->c.rw), cli_bench_buf_name(r->c.buf),
	       r->requests, r->ns, 1e9 / r->ns,
	       1e9 / r->ns * r->c.bs / (1 << 20), r->baseline_ns,
	       r->ns / r->baseline_ns);
}

/* The case lists, the defaults where none was given. */
static unsigned bench_cases(const struct cli_options *o,
			    struct bench_case *cases, size_t max)
{
	static const uint32_t qd[] = {1, 32}, bs[] = {4096, 65536};
	static const uint32_t rw[] = {CLI_BENCH_RANDREAD};
	static const uint32_t buf[] = {CLI_BENCH_HOST};
	const uint32_t *lq = o->bench_nqd ? o->bench_qd : qd;
	const uint32_t *lb = o->bench_nbs ? o->bench_bs : bs;
	const uint32_t *lr = o->bench_nrw ? o->bench_rw : rw;
	const uint32_t *lf = o->bench_nbuf ? o->bench_buf : buf;
	unsigned nq = o->bench_nqd ? o->bench_nqd : 2;
	unsigned nb = o->bench_nbs ? o->bench_nbs : 2;
	unsigned nr = o->bench_nrw ? o->bench_nrw : 1;
	unsigned nf = o->bench_nbuf ? o->bench_nbuf : 1;
	unsigned n = 0;

	for (unsigned r = 0; r < nr; r++)
		for (unsigned f = 0; f < nf; f++)
			for (unsigned b = 0; b < nb; b++)
				for (unsigned q = 0; q < nq && n < max; q++)
					cases[n++] = (struct bench_case){
					    lq[q], lb[b], lr[r], lf[f]};
	return n;
}

/* Refused before anything runs: exit status 2 and one line. */
static int bench_check(const struct bench *bn, const struct bench_case *cases,
		       unsigned n, bool readonly)
{
	uint64_t bytes = virtio_blk_capacity(bn->b) * VIRTIO_BLK_SECTOR_SIZE;

	for (unsigned i = 0; i < n; i++) {
		if (is_write(cases[i].rw) && readonly) {
			fprintf(stderr,
				"virtsim: bench: --rw %s: blk%u is read-only\n",
				cli_bench_rw_name(cases[i].rw), bn->unit);
			return EXIT_USAGE;
		}
		if (cases[i].bs > bytes) {
			fprintf(stderr,
				"virtsim: bench: --bs %" PRIu32 ": larger than "
				"blk%u (%" PRIu64 " bytes)\n",
				cases[i].bs, bn->unit, bytes);
			return EXIT_USAGE;
		}
		if (cases[i].bs % virtio_blk_block_size(bn->b)) {
			fprintf(stderr,
				"virtsim: bench: --bs %" PRIu32 ": not a "
				"multiple of blk%u's block size (%" PRIu32
				" bytes)\n",
				cases[i].bs, bn->unit,
				virtio_blk_block_size(bn->b));
			return EXIT_USAGE;
		}
		if (cases[i].bs > bn->b->max_req) {
			fprintf(stderr,
				"virtsim: bench: --bs %" PRIu32 ": blk%u takes "
				"at most %" PRIu32 " bytes a request\n",
				cases[i].bs, bn->unit, bn->b->max_req);
			return EXIT_USAGE;
		}
	}
	return 0;
}

static int bench_run(struct vm *vm, const struct cli_options *o,
		     struct json *json)
{
	struct bench_case cases[CLI_BENCH_MAX * CLI_BENCH_MAX * CLI_BENCH_MAX *
				CLI_BENCH_MAX];
	struct bench bn = {.b = vm_virtio_blk(vm, o->unit),
			   .hal = machine_hal(&vm->machine),
			   .unit = o->unit,
			   .seed = o->seed};
	unsigned n = bench_cases(o, cases, sizeof(cases) / sizeof(cases[0]));
	uint32_t max_qd = 0;
	bool writes = false;
	struct progress line;
	const char *path = vm_disk_path(vm, o->unit);
	double lo = 0, hi = 0;
	int ret;

	for (unsigned i = 0; i < n; i++) {
		max_qd = cases[i].qd > max_qd ? cases[i].qd : max_qd;
		writes |= is_write(cases[i].rw);
	}
	ret = bench_check(&bn, cases, n, bn.b->readonly);
	if (ret)
		return ret;
	bn.fd = vm_disk_host_fd(vm, o->unit, writes);
	if (bn.fd < 0 && errno) {
		fprintf(stderr, "virtsim: bench: blk%u's image %s: %s\n",
			o->unit, path ? path : "", strerror(errno));
		return EXIT_USAGE;
	}
	progress_init(&line);
	bn.req = calloc(max_qd, sizeof(*bn.req));
	bn.free = calloc(max_qd, sizeof(*bn.free));
	bn.owner = calloc(bn.b->vq.size, sizeof(*bn.owner));
	if (!bn.req || !bn.free || !bn.owner) {
		fprintf(stderr, "virtsim: bench: out of memory\n");
		ret = EXIT_OP_FAILED;
		goto out;
	}
	printf("bench: blk%u, %" PRIu64 " MiB%s, %s mode, %s, dma %s; "
	       "baseline: %s\n",
	       o->unit, virtio_blk_capacity(bn.b) >> 11,
	       bn.fd < 0 ? " null disk" : "", sim_mode_name(o->mode),
	       o->poll ? "polling" : "interrupts", sim_dma_name(o->dma),
	       bn.fd < 0 ? "memcpy of each request's bytes"
			 : "pread/pwrite of the image, same sizes and "
			   "offsets");
	printf("%6s %6s  %-9s  %-4s %10s %11s %10s %9s %12s %6s\n", "qd", "bs",
	       "rw", "buf", "requests", "ns/request", "IOPS", "MiB/s",
	       bn.fd < 0 ? "memcpy ns" : "host ns", "ratio");
	fflush(stdout);
	if (json) {
		json_stringf(json, "disk", "blk%u", o->unit);
		json_uint(json, "bytes",
			  virtio_blk_capacity(bn.b) * VIRTIO_BLK_SECTOR_SIZE);
		json_bool(json, "null_disk", bn.fd < 0);
		json_bool(json, "poll", o->poll);
		json_string(json, "baseline",
			    bn.fd < 0 ? "memcpy" : "pread/pwrite");
		json_begin_array(json, "cases");
	}
	for (unsigned i = 0; i < n && !ret; i++) {
		struct bench_result r;
		char bs[16];

		progress_show(&line,
			      "bench: case %u/%u: qd=%" PRIu32
			      " bs=%s rw=%s buf=%s",
			      i + 1, n, cases[i].qd,
			      size_name(cases[i].bs, bs, sizeof(bs)),
			      cli_bench_rw_name(cases[i].rw),
			      cli_bench_buf_name(cases[i].buf));
		bn.blocks = virtio_blk_capacity(bn.b) * VIRTIO_BLK_SECTOR_SIZE /
			    cases[i].bs;
		ret = run_case(&bn, &cases[i], o, &r);
		progress_clear(&line);
		if (ret)
			break;
		print_result(&r, json);
		fflush(stdout);
		lo =
		    !i || r.ns / r.baseline_ns < lo ? r.ns / r.baseline_ns : lo;
		hi =
		    !i || r.ns / r.baseline_ns > hi ? r.ns / r.baseline_ns : hi;
	}
	if (json)
		json_end_array(json);
	if (!ret)
		printf("bench: %u case%s; stack/%s ratio %.2f to %.2f\n", n,
		       n == 1 ? "" : "s", bn.fd < 0 ? "memcpy" : "host", lo,
		       hi);
	if (!ret && json) {
		json_double(json, "ratio_min", lo);
		json_double(json, "ratio_max", hi);
	}
out:
	if (bn.fd >= 0)
		close(bn.fd);
	free(bn.req);
	free(bn.free);
	free(bn.owner);
	return ret;
}

const struct workload bench_workload = {
    .name = "bench",
    .help = "time block requests through the whole stack, per case of "
	    "--qd, --bs, --rw and --buf, against the host doing the same "
	    "(pread/pwrite of the image, or memcpy for a null disk); "
	    "--rw write and randwrite overwrite the disk",
    .cls = &blk_class,
    .takes = CLI_OPT_DISK | CLI_OPT_QD | CLI_OPT_BS | CLI_OPT_RW | CLI_OPT_BUF |
	     CLI_OPT_TIME | CLI_OPT_REQUESTS,
    .run = bench_run,
};
