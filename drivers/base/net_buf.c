/* SPDX-License-Identifier: MIT */
/*
 * net_buf.c - the network buffer pool: two DMA areas, one of buffers and
 * one of descriptors followed by the pool's private book (a stack of
 * free indices and one free bit per buffer).
 *
 * A buffer is known by its descriptor's address, never by what the
 * descriptor says: the caller holds descriptors and may have scribbled
 * on them (or kept one past its free), so the free list lives apart from
 * them, free checks the address and the free bit, and the fields are
 * rewritten from the pool's geometry.
 */
#include "drivers/base/net_buf.h"

#include <string.h>

/* Buffers start on a cache line, as NIC drivers like them. */
#define NET_BUF_ALIGN 64u

static size_t nb_pages(size_t bytes)
{
	return (bytes + HAL_PAGE_SIZE - 1) / HAL_PAGE_SIZE;
}

/* Descriptors, the free stack (4-byte aligned after them), free bits. */
static size_t nb_stack_off(size_t capacity)
{
	return (capacity * sizeof(struct net_buf) + 3) & ~(size_t)3;
}

static size_t nb_book_bytes(size_t capacity)
{
	return nb_stack_off(capacity) + capacity * sizeof(uint32_t) +
	       (capacity + 7) / 8;
}

static bool nb_is_free(const struct net_buf_pool *p, size_t i)
{
	return p->free_bits[i / 8] & (1u << (i % 8));
}

/* Index of @b in the descriptor area, or capacity if it is not in it. */
static size_t nb_index(const struct net_buf_pool *p, const struct net_buf *b)
{
	uintptr_t base = (uintptr_t)p->descs, at = (uintptr_t)b;

	if (!p->descs || !b || at < base || (at - base) % sizeof(*b) ||
	    (at - base) / sizeof(*b) >= p->capacity)
		return p->capacity;
	return (at - base) / sizeof(*b);
}

/* Descriptor @i as the pool hands it out: geometry, nothing in it. */
static struct net_buf *nb_reset(struct net_buf_pool *p, size_t i, bool free)
{
	struct net_buf *b = &p->descs[i];

	b->buf = p->data + i * p->stride;
	b->paddr = p->data_paddr + (uint64_t)(i * p->stride);
	b->capacity = p->buf_len;
	b->header_len = 0;
	b->packet_len = 0;
	b->next = NULL;
	b->index = (uint32_t)i;
	b->in_pool = free;
	return b;
}

/*
 * Buffer offsets divide by the stride without a division instruction
 * (Granlund and Montgomery): stride = odd << shift, and an offset is a
 * multiple of it exactly when its low shift bits are 0 and (offset >>
 * shift) times the odd part's inverse modulo 2^64 is small; that product
 * is then the quotient.
 */
static void nb_exact_division(struct net_buf_pool *p)
{
	uint64_t odd, inv;

	p->stride_shift = (unsigned)__builtin_ctzll(p->stride);
	odd = p->stride >> p->stride_shift;
	inv = odd; /* right to 3 bits; each step doubles them */
	for (unsigned k = 0; k < 5; k++)
		inv *= 2 - odd * inv;
	p->stride_inverse = inv;
}

static void nb_push(struct net_buf_pool *p, size_t i)
{
	nb_reset(p, i, true);
	p->free_bits[i / 8] |= (uint8_t)(1u << (i % 8));
	p->free_stack[p->free_count++] = (uint32_t)i;
}

static void nb_free_dma(struct net_buf_pool *p)
{
	if (p->data_pages)
		hal_dma_free(p->hal, p->data_paddr, p->data, p->data_pages);
	if (p->descs_pages)
		hal_dma_free(p->hal, p->descs_paddr, p->descs, p->descs_pages);
}

int net_buf_pool_init(struct net_buf_pool *p, const struct hal *hal,
		      size_t capacity, size_t buf_len)
{
	size_t stride;
	uint8_t *book;
	void *v;

	if (!p)
		return -DEV_ERR_INVALID_PARAM;
	memset(p, 0, sizeof(*p));
	if (!hal || capacity == 0 || capacity > UINT32_MAX ||
	    buf_len < NET_BUF_MIN_LEN || buf_len > NET_BUF_MAX_LEN)
		return -DEV_ERR_INVALID_PARAM;
	stride = (buf_len + NET_BUF_ALIGN - 1) & ~(size_t)(NET_BUF_ALIGN - 1);
	/* Both areas' sizes must fit a size_t. */
	if (capacity > SIZE_MAX / stride ||
	    capacity > SIZE_MAX / (sizeof(struct net_buf) + 8))
		return -DEV_ERR_INVALID_PARAM;
	p->hal = hal;
	p->capacity = capacity;
	p->buf_len = buf_len;
	p->stride = stride;
	nb_exact_division(p);
	if (hal_dma_alloc(hal, nb_pages(nb_book_bytes(capacity)),
			  &p->descs_paddr, &v))
		goto no_memory;
	p->descs = v;
	p->descs_pages = nb_pages(nb_book_bytes(capacity));
	if (hal_dma_alloc(hal, nb_pages(capacity * stride), &p->data_paddr, &v))
		goto no_memory;
	p->data = v;
	p->data_pages = nb_pages(capacity * stride);

	book = (uint8_t *)p->descs;
	memset(book, 0, nb_book_bytes(capacity));
	p->free_stack = (uint32_t *)(void *)(book + nb_stack_off(capacity));
	p->free_bits = (uint8_t *)(p->free_stack + capacity);
	/* The stack pops from the top: buffer 0 goes out first. */
	for (size_t i = capacity; i-- > 0;)
		nb_push(p, i);
	return 0;

no_memory:
	nb_free_dma(p);
	memset(p, 0, sizeof(*p));
	return -DEV_ERR_NO_MEMORY;
}

size_t net_buf_pool_destroy(struct net_buf_pool *p)
{
	size_t out;

	if (!p || !p->hal)
		return 0;
	out = p->capacity - p->free_count;
	nb_free_dma(p);
	memset(p, 0, sizeof(*p));
	return out;
}

struct net_buf *net_buf_pool_alloc(struct net_buf_pool *p)
{
	size_t i;

	if (!p || !p->hal || p->free_count == 0)
		return NULL;
	/* Last freed first: its lines are the likeliest in cache. */
	i = p->free_stack[--p->free_count];
	p->free_bits[i / 8] &= (uint8_t) ~(1u << (i % 8));
	return nb_reset(p, i, false);
}

int net_buf_pool_free(struct net_buf_pool *p, struct net_buf *b)
{
	size_t i;

	if (!p || !p->hal)
		return -DEV_ERR_INVALID_PARAM;
	i = nb_index(p, b);
	if (i >= p->capacity)
		return -DEV_ERR_INVALID_PARAM; /* not one of ours */
	if (nb_is_free(p, i))
		return -DEV_ERR_INVALID_PARAM; /* freed twice */
	nb_push(p, i);
	return 0;
}

size_t net_buf_pool_index(const struct net_buf_pool *p, const struct net_buf *b)
{
	if (!p || !p->hal)
		return 0;
	return nb_index(p, b);
}

bool net_buf_pool_owns(const struct net_buf_pool *p, const struct net_buf *b)
{
	return p && p->hal && nb_index(p, b) < p->capacity;
}

bool net_buf_pool_is_free(const struct net_buf_pool *p, const struct net_buf *b)
{
	return net_buf_pool_owns(p, b) && nb_is_free(p, nb_index(p, b));
}

struct net_buf *net_buf_pool_find(const struct net_buf_pool *p,
				  const void *data)
{
	uint64_t off, i;

	if (!p || !p->data || !data || (const uint8_t *)data < p->data)
		return NULL;
	off = (uint64_t)((const uint8_t *)data - p->data);
	if (off & ((1ull << p->stride_shift) - 1))
		return NULL;
	/* Not a multiple of the stride: a product above every index. */
	i = (off >> p->stride_shift) * p->stride_inverse;
	return i < p->capacity ? &p->descs[i] : NULL;
}
