/* SPDX-License-Identifier: MIT */
/*
 * The simulated HAL. DMA memory is guest RAM handed out page by page;
 * buffers a driver shares from outside guest RAM are bounced through DMA
 * pages, as a swiotlb would, or mapped in place in the DMA map window,
 * as an IOMMU would (enum sim_dma). Every allocation and share is on the
 * books.
 */
#include "sim/sim_hal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sched.h"
#include "sim/trace.h"

struct sim_hal_share {
	uint64_t paddr; /* the key; 0 marks a free slot */
	void *buf;      /* the driver's buffer */
	size_t len;
	uint32_t bounce_pages; /* 0: buf is guest RAM or mapped, in place */
	uint32_t refs;         /* one buffer may be shared more than once */
	bool mapped;	       /* in the map window (SIM_DMA_MAP) */
};

#define SHARE_CAP 8192u /* power of 2; more live shares is a driver leak */

static const char *const sim_dma_names[] = {
    [SIM_DMA_BOUNCE] = "bounce",
    [SIM_DMA_MAP] = "map",
};

const char *sim_dma_name(enum sim_dma dma)
{
	return (unsigned)dma < sizeof(sim_dma_names) / sizeof(sim_dma_names[0])
		   ? sim_dma_names[dma]
		   : NULL;
}

int sim_dma_parse(const char *name, enum sim_dma *dma)
{
	for (unsigned d = 0;
	     d < sizeof(sim_dma_names) / sizeof(sim_dma_names[0]); d++) {
		if (name && !strcmp(name, sim_dma_names[d])) {
			*dma = (enum sim_dma)d;
			return 0;
		}
	}
	return -1;
}

static uint8_t *page_host(const struct sim_hal *sh, uint64_t page)
{
	return sh->mem->host + page * HAL_PAGE_SIZE;
}

static uint64_t page_paddr(const struct sim_hal *sh, uint64_t page)
{
	return sh->mem->base + page * HAL_PAGE_SIZE;
}

/* Put @n pages from @first on the books; zeroed if @zero. */
static void pages_take(struct sim_hal *sh, uint64_t first, uint64_t n,
		       bool zero)
{
	memset(&sh->page_used[first], 1, n);
	sh->page_run[first] = (uint32_t)n;
	sh->pages_in_use += n;
	if (zero)
		memset(page_host(sh, first), 0, n * HAL_PAGE_SIZE);
}

/*
 * Pages [@first, +@n) got a new owner: a remembered bounce run among
 * them no longer holds only its last buffer's bytes (see bounce_alloc).
 */
static void forget_runs(struct sim_hal *sh, uint64_t first, uint64_t n)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; i < sh->recent_count; i++) {
		const struct sim_hal_run *r = &sh->recent[i];

		if (r->first < first + n && first < r->first + r->pages)
			continue;
		sh->recent[kept++] = *r;
	}
	sh->recent_count = kept;
}

/*
 * First fit from a rotating cursor. DMA allocations are zeroed (the HAL
 * contract); bounce pages are not, share() overwrites what the device sees.
 */
static int pages_alloc(struct sim_hal *sh, uint64_t n, bool zero,
		       uint64_t *first)
{
	uint64_t scanned = 0, run = 0;

	if (n == 0 || n > sh->pages || n > UINT32_MAX)
		return -HAL_EINVAL;
	while (scanned < sh->pages + n) {
		uint64_t p = (sh->next_fit + scanned) % sh->pages;

		scanned++;
		if (p == 0)
			run = 0; /* a run never wraps around the end of RAM */
		if (sh->page_used[p]) {
			run = 0;
			continue;
		}
		if (++run == n) {
			uint64_t s = p + 1 - n;

			pages_take(sh, s, n, zero);
			forget_runs(sh, s, n);
			sh->next_fit = (p + 1) % sh->pages;
			*first = s;
			return 0;
		}
	}
	sh->stats.alloc_failures++;
	return -HAL_ENOMEM;
}

/* How deep into sh->recent a bounce looks for a run of its size. */
#define RECENT_LOOK 16u

/*
 * Pages for a bounce of @buf: a run of @n pages a bounce freed last, if
 * one is still free (LIFO: the warmest first), else first fit. *@own
 * says whether the pages hold nothing but @buf's own earlier bytes (the
 * run last bounced this very buffer), so need no zeroing.
 */
static int bounce_alloc(struct sim_hal *sh, const void *buf, size_t len,
			uint64_t n, uint64_t *first, bool *own)
{
	for (uint32_t i = sh->recent_count, looked = 0;
	     i-- > 0 && looked++ < RECENT_LOOK;) {
		struct sim_hal_run *r = &sh->recent[i];

		if (r->pages != n || memchr(&sh->page_used[r->first], 1, n))
			continue;
		*first = r->first;
		*own = r->buf == buf && r->len == len;
		memmove(r, r + 1, (sh->recent_count - i - 1) * sizeof(*r));
		sh->recent_count--;
		pages_take(sh, *first, n, false);
		sh->stats.bounce_reuses++;
		return 0;
	}
	*own = false;
	return pages_alloc(sh, n, false, first);
}

/* Remember a freed bounce run; when full, the older half is forgotten. */
static void bounce_remember(struct sim_hal *sh, uint64_t first, uint32_t n,
			    const void *buf, size_t len)
{
	if (sh->recent_count == SIM_HAL_RECENT) {
		sh->recent_count = SIM_HAL_RECENT / 2;
		memmove(sh->recent, sh->recent + SIM_HAL_RECENT / 2,
			sh->recent_count * sizeof(sh->recent[0]));
	}
	sh->recent[sh->recent_count++] =
	    (struct sim_hal_run){first, n, len, buf};
}

/* Free the allocation of @n pages starting at @first, or count why not. */
static int pages_free(struct sim_hal *sh, uint64_t first, uint64_t n)
{
	if (first >= sh->pages || sh->page_run[first] != n) {
		if (first < sh->pages && !sh->page_used[first])
			sh->stats.double_frees++;
		else
			sh->stats.bad_frees++;
		return -HAL_EINVAL;
	}
	memset(&sh->page_used[first], 0, n);
	sh->page_run[first] = 0;
	sh->pages_in_use -= n;
	return 0;
}

static int sim_dma_alloc(void *ctx, size_t pages, uint64_t *paddr,
			 void **vaddr)
{
	struct sim_hal *sh = ctx;
	uint64_t first;
	int ret = fault_fire(sh->env->faults, FAULT_HAL_DMA_ALLOC, FAULT_ANY_DEV)
		      ? -HAL_ENOMEM
		      : pages_alloc(sh, pages, true, &first);

	if (ret) {
		trace_hal_alloc_fail(sh->env->trace, pages);
		return ret;
	}
	sh->stats.dma_allocs++;
	*paddr = page_paddr(sh, first);
	*vaddr = page_host(sh, first);
	trace_hal_alloc(sh->env->trace, pages, *paddr);
	return 0;
}

static int sim_dma_free(void *ctx, uint64_t paddr, void *vaddr, size_t pages)
{
	struct sim_hal *sh = ctx;
	uint64_t first = (paddr - sh->mem->base) / HAL_PAGE_SIZE;
	int ret;

	trace_hal_free(sh->env->trace, pages, paddr);
	if (!guest_mem_range_ok(sh->mem, paddr, 1) || paddr % HAL_PAGE_SIZE ||
	    vaddr != page_host(sh, first)) {
		sh->stats.bad_frees++;
		return -HAL_EINVAL;
	}
	ret = pages_free(sh, first, pages);
	if (!ret)
		sh->stats.dma_frees++;
	return ret;
}

static uint32_t share_slot(uint64_t paddr)
{
	return (uint32_t)((paddr >> 3) * 0x9e3779b97f4a7c15ull >> 40) &
	       (SHARE_CAP - 1);
}

/*
 * Linear probing without tombstones: a removal shifts the entries after
 * it back (share_remove), so a lookup of an absent address ends at the
 * first empty slot however many shares came and went before.
 */
static struct sim_hal_share *share_find(struct sim_hal *sh, uint64_t paddr)
{
	for (uint32_t i = 0, s = share_slot(paddr); i < SHARE_CAP;
	     i++, s = (s + 1) & (SHARE_CAP - 1)) {
		struct sim_hal_share *e = &sh->shares[s];

		if (e->paddr == paddr)
			return e;
		if (!e->paddr)
			return NULL;
	}
	return NULL;
}

static struct sim_hal_share *share_insert(struct sim_hal *sh, uint64_t paddr)
{
	if (sh->share_count == SHARE_CAP)
		return NULL;
	for (uint32_t s = share_slot(paddr);; s = (s + 1) & (SHARE_CAP - 1)) {
		struct sim_hal_share *e = &sh->shares[s];

		if (!e->paddr) {
			e->paddr = paddr;
			sh->share_count++;
			return e;
		}
	}
}

static void share_remove(struct sim_hal *sh, struct sim_hal_share *e)
{
	uint32_t hole = (uint32_t)(e - sh->shares);

	for (uint32_t s = (hole + 1) & (SHARE_CAP - 1); sh->shares[s].paddr;
	     s = (s + 1) & (SHARE_CAP - 1)) {
		uint32_t home = share_slot(sh->shares[s].paddr);

		/* It may fill the hole unless its home lies after the hole,
		 * up to where it is now (cyclically). */
		if (((s - home) & (SHARE_CAP - 1)) >=
		    ((s - hole) & (SHARE_CAP - 1))) {
			sh->shares[hole] = sh->shares[s];
			hole = s;
		}
	}
	sh->shares[hole] = (struct sim_hal_share){0};
	sh->share_count--;
}

/*
 * SIM_DMA_MAP: put @buf in the map window. Fails (and the caller
 * bounces) for a buffer larger than a slot, or with every slot taken.
 */
static int share_map(struct sim_hal *sh, void *buf, size_t len,
		     enum hal_dma_dir dir, uint64_t *paddr)
{
	int ret =
	    guest_mem_map(sh->mem, buf, len, dir & HAL_DMA_FROM_DEVICE, paddr);
	struct sim_hal_share *e;

	if (ret)
		return ret;
	e = share_insert(sh, *paddr);
	if (!e) {
		guest_mem_unmap(sh->mem, *paddr);
		return -ENOMEM;
	}
	*e = (struct sim_hal_share){*paddr, buf, len, 0, 1, true};
	sh->stats.maps++;
	trace_hal_map(sh->env->trace, len, *paddr);
	return 0;
}

static int sim_share(void *ctx, void *buf, size_t len, enum hal_dma_dir dir,
		     uint64_t *paddr)
{
	struct sim_hal *sh = ctx;
	struct sim_hal_share *e;
	uint64_t first, pages;
	bool own;

	if (!buf || len == 0 || !(dir & HAL_DMA_BOTH))
		return -HAL_EINVAL;
	if (fault_fire(sh->env->faults, FAULT_HAL_SHARE, FAULT_ANY_DEV)) {
		trace_hal_share_fault(sh->env->trace, len);
		return -HAL_ENOMEM;
	}
	sh->stats.shares++;
	if (guest_mem_gpa_of(sh->mem, buf, len, paddr)) {
		e = share_find(sh, *paddr);
		if (e && e->len == len && !e->bounce_pages) {
			e->refs++;
			return 0;
		}
		if (e)
			return -HAL_EINVAL; /* overlapping in-place shares */
		e = share_insert(sh, *paddr);
		if (!e)
			return -HAL_ENOMEM;
		*e = (struct sim_hal_share){*paddr, buf, len, 0, 1, false};
		return 0;
	}
	if (sh->dma == SIM_DMA_MAP && !share_map(sh, buf, len, dir, paddr))
		return 0;
	/* Bounce: the device sees a copy in guest RAM. */
	pages = (len + HAL_PAGE_SIZE - 1) / HAL_PAGE_SIZE;
	if (bounce_alloc(sh, buf, len, pages, &first, &own))
		return -HAL_ENOMEM;
	*paddr = page_paddr(sh, first);
	e = share_insert(sh, *paddr);
	if (!e) {
		pages_free(sh, first, pages);
		return -HAL_ENOMEM;
	}
	*e =
	    (struct sim_hal_share){*paddr, buf, len, (uint32_t)pages, 1, false};
	/*
	 * What the device reads is the buffer; what it only writes needs
	 * none of it. But a short or failed device write must not hand the
	 * driver, at unshare, stale bytes another buffer left on these
	 * pages (the swiotlb info leak, CVE-2022-0854): they are zeroed,
	 * unless all they hold is this buffer's own earlier bytes, as when
	 * a driver bounces the same buffer request after request.
	 */
	if (dir & HAL_DMA_TO_DEVICE)
		memcpy(page_host(sh, first), buf, len);
	else if (!own)
		memset(page_host(sh, first), 0, len);
	sh->stats.bounces++;
	trace_hal_bounce(sh->env->trace, len, *paddr);
	return 0;
}

static int sim_unshare(void *ctx, uint64_t paddr, void *buf, size_t len,
		       enum hal_dma_dir dir)
{
	struct sim_hal *sh = ctx;
	struct sim_hal_share *e = share_find(sh, paddr);
	uint64_t first;

	if (!e || e->buf != buf || e->len != len) {
		sh->stats.unknown_unshares++;
		trace_hal_unshare_unknown(sh->env->trace, paddr, len);
		return -HAL_EINVAL;
	}
	sh->stats.unshares++;
	if (--e->refs)
		return 0;
	if (e->mapped) {
		guest_mem_unmap(sh->mem, paddr);
	} else if (e->bounce_pages) {
		first = (paddr - sh->mem->base) / HAL_PAGE_SIZE;
		if (dir & HAL_DMA_FROM_DEVICE)
			memcpy(buf, page_host(sh, first), len);
		if (!pages_free(sh, first, e->bounce_pages))
			bounce_remember(sh, first, e->bounce_pages, buf, len);
	}
	share_remove(sh, e);
	return 0;
}

static uintptr_t sim_mmio_map(void *ctx, uint64_t paddr, size_t size)
{
	/* MMIO handles are guest-physical addresses: accesses go to the bus. */
	if (size == 0 || paddr + size < paddr || paddr > UINTPTR_MAX)
		return 0;
	return (uintptr_t)paddr;
}

/*
 * The ordering hal.h asks of MMIO: a write after every earlier store to
 * guest memory (a device thread reading the rings after the notify sees
 * them), a read before every later load. The bus and the front-ends may
 * lock too; these fences do not rely on it.
 */
static uint32_t sim_mmio_read(void *ctx, uintptr_t addr, unsigned size)
{
	struct sim_hal *sh = ctx;
	uint32_t v = bus_read(sh->bus, addr, size);

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return v;
}

static void sim_mmio_write(void *ctx, uintptr_t addr, uint32_t val,
			   unsigned size)
{
	struct sim_hal *sh = ctx;

	__atomic_thread_fence(__ATOMIC_RELEASE);
	bus_write(sh->bus, addr, val, size);
}

static int sim_irq_register(void *ctx, unsigned line,
			    void (*handler)(void *arg), void *arg)
{
	struct sim_hal *sh = ctx;

	return irq_register(sh->irq, line, handler, arg) ? -HAL_EINVAL : 0;
}

static void sim_irq_unregister(void *ctx, unsigned line,
			       void (*handler)(void *arg), void *arg)
{
	struct sim_hal *sh = ctx;

	irq_unregister(sh->irq, line, handler, arg);
}

/* Take pending interrupts: their handlers run here and nowhere else. */
static bool sim_deliver(struct sim_hal *sh)
{
	struct sim_threads *st = sh->env->threads;

	if (!irq_dispatch(sh->irq))
		return false;
	/* Thread mode: the trace hash is the devices' too. */
	if (st)
		pthread_mutex_lock(&st->lock);
	sched_record(sh->env, SCHED_DELIVER, "cpu", 0, 0, sh->irq->dispatched,
		     0);
	if (st)
		pthread_mutex_unlock(&st->lock);
	return true;
}

/* Thread mode: no device busy, or an interrupt to take (unlocked). */
static bool cpu_may_go(const void *arg)
{
	const struct sim_hal *sh = arg;

	return !__atomic_load_n(&sh->env->threads->busy, __ATOMIC_RELAXED) ||
	       irq_deliverable(sh->irq);
}

/*
 * Thread mode: devices run on their own threads. The CPU spins a while,
 * then sleeps while any has work and none has raised an interrupt
 * (checked and slept on under the machine lock: a device going idle
 * cannot slip between), then takes interrupts here, in the driver's
 * thread. A device that finished work since the last wait is progress
 * too (the driver polls again), even if it raised nothing: idle means
 * none did.
 */
static int sim_wait_threads(struct sim_hal *sh)
{
	struct sim_threads *st = sh->env->threads;
	bool tripped, moved;

	/* A device's turn takes about a microsecond: spin for it first
	 * (sim_threads_spin), then sleep under the lock. */
	if (!cpu_may_go(sh))
		sim_threads_spin(st, cpu_may_go, sh);
	pthread_mutex_lock(&st->lock);
	while (st->busy && !irq_deliverable(sh->irq) &&
	       !strict_tripped(sh->env->strict))
		pthread_cond_wait(&st->wake, &st->lock);
	tripped = strict_tripped(sh->env->strict);
	moved = st->turns != sh->turns_seen;
	sh->turns_seen = st->turns;
	pthread_mutex_unlock(&st->lock);
	if (tripped)
		return -HAL_EIDLE;
	if (sim_deliver(sh) || moved)
		return 0;
	/* Every device idle and nothing to take: as in sync mode. */
	if (evloop_step(sh->env->loop, -1) != EVLOOP_RAN)
		return -HAL_EIDLE;
	sim_deliver(sh);
	return 0;
}

/*
 * The CPU idles: device work waiting on the event loop runs now, one
 * step at a time, and only here: virtual time moves while the guest
 * waits, never under it.
 */
static int sim_wait(void *ctx)
{
	struct sim_hal *sh = ctx;

	if (sh->env->threads)
		return sim_wait_threads(sh);
	/* Strict: after a violation the run stops where the guest waits. */
	if (strict_tripped(sh->env->strict))
		return -HAL_EIDLE;
	if (sim_deliver(sh))
		return 0;
	if (evloop_step(sh->env->loop, -1) != EVLOOP_RAN)
		return -HAL_EIDLE;
	sim_deliver(sh);
	return 0;
}

/* The driver's clock is the machine's virtual one: it moves only while
 * the CPU waits, as the event loop runs timers (thread mode: real time). */
static uint64_t sim_now_ns(void *ctx)
{
	struct sim_hal *sh = ctx;

	return sim_env_now(sh->env);
}

static const struct hal_ops sim_hal_ops = {
	.dma_alloc = sim_dma_alloc,
	.dma_free = sim_dma_free,
	.share = sim_share,
	.unshare = sim_unshare,
	.mmio_map = sim_mmio_map,
	.mmio_read = sim_mmio_read,
	.mmio_write = sim_mmio_write,
	.irq_register = sim_irq_register,
	.irq_unregister = sim_irq_unregister,
	.wait = sim_wait,
	.now_ns = sim_now_ns,
};

int sim_hal_init(struct sim_hal *sh, struct sim_env *env, struct bus *bus,
		 struct irq_ctl *irq)
{
	struct guest_mem *mem = env->mem;

	memset(sh, 0, sizeof(*sh));
	sh->hal.ops = &sim_hal_ops;
	sh->hal.ctx = sh;
	sh->env = env;
	sh->mem = mem;
	sh->bus = bus;
	sh->irq = irq;
	sh->pages = mem->size / HAL_PAGE_SIZE;
	sh->page_used = calloc(sh->pages, 1);
	sh->page_run = calloc(sh->pages, sizeof(*sh->page_run));
	sh->shares = calloc(SHARE_CAP, sizeof(*sh->shares));
	if (!sh->page_used || !sh->page_run || !sh->shares) {
		sim_hal_destroy(sh, false);
		return -ENOMEM;
	}
	return 0;
}

uint64_t sim_hal_errors(const struct sim_hal *sh)
{
	return sh->stats.double_frees + sh->stats.bad_frees +
	       sh->stats.unknown_unshares;
}

unsigned sim_hal_destroy(struct sim_hal *sh, bool report)
{
	unsigned leaks = 0;
	uint64_t errors = sim_hal_errors(sh);

	if (report && errors)
		fprintf(stderr,
			"virtsim: HAL: %" PRIu64 " double free(s), %" PRIu64
			" bad free(s), %" PRIu64 " unshare(s) of unknown buffers\n",
			sh->stats.double_frees, sh->stats.bad_frees,
			sh->stats.unknown_unshares);
	for (uint64_t p = 0; sh->page_run && p < sh->pages; p++) {
		if (!sh->page_run[p])
			continue;
		leaks++;
		if (report)
			fprintf(stderr,
				"virtsim: HAL: DMA leak: %" PRIu32
				" page(s) at 0x%" PRIx64 " still allocated\n",
				sh->page_run[p], page_paddr(sh, p));
	}
	for (uint32_t i = 0; sh->shares && i < SHARE_CAP; i++) {
		if (!sh->shares[i].paddr || sh->shares[i].bounce_pages)
			continue; /* bounce pages were counted as DMA leaks */
		leaks++;
		if (report)
			fprintf(stderr,
				"virtsim: HAL: buffer at 0x%" PRIx64
				" (%zu bytes) still shared\n",
				sh->shares[i].paddr, sh->shares[i].len);
	}
	free(sh->page_used);
	free(sh->page_run);
	free(sh->shares);
	sh->page_used = NULL;
	sh->page_run = NULL;
	sh->shares = NULL;
	return leaks + (unsigned)errors;
}
