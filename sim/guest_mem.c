/* SPDX-License-Identifier: MIT */
#include "sim/guest_mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int guest_mem_init(struct guest_mem *mem, uint64_t base, uint64_t size)
{
	void *p;

	if (size == 0 || size % 4096 || base % 4096 || base + size < base)
		return -EINVAL;
	/* MAP_NORESERVE: a large --mem costs nothing until the guest uses it. */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	mem->host = p;
	mem->base = base;
	mem->size = size;
	return 0;
}

void guest_mem_destroy(struct guest_mem *mem)
{
	if (mem->host)
		munmap(mem->host, mem->size);
	free(mem->maps);
	free(mem->map_free);
	mem->host = NULL;
	mem->size = 0;
	mem->maps = NULL;
	mem->map_free = NULL;
	mem->map_nfree = 0;
}

static int guest_mem_map_init(struct guest_mem *mem)
{
	mem->maps = calloc(GUEST_MEM_MAP_SLOTS, sizeof(*mem->maps));
	mem->map_free = calloc(GUEST_MEM_MAP_SLOTS, sizeof(*mem->map_free));
	if (!mem->maps || !mem->map_free) {
		free(mem->maps);
		free(mem->map_free);
		mem->maps = NULL;
		mem->map_free = NULL;
		return -ENOMEM;
	}
	/* Slot 0 on top. */
	for (uint32_t i = 0; i < GUEST_MEM_MAP_SLOTS; i++)
		mem->map_free[i] = GUEST_MEM_MAP_SLOTS - 1 - i;
	mem->map_nfree = GUEST_MEM_MAP_SLOTS;
	return 0;
}

/* The seqlock's writer side (struct guest_mem_map). */
static void map_set(struct guest_mem_map *m, uint8_t *host, uint64_t len,
		    bool writable)
{
	uint32_t seq = m->seq;

	__atomic_store_n(&m->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&m->host, host, __ATOMIC_RELAXED);
	__atomic_store_n(&m->len, len, __ATOMIC_RELAXED);
	__atomic_store_n(&m->writable, writable, __ATOMIC_RELAXED);
	__atomic_store_n(&m->seq, seq + 2, __ATOMIC_RELEASE);
}

int guest_mem_map(struct guest_mem *mem, void *host, uint64_t len,
		  bool writable, uint64_t *gpa)
{
	uint32_t slot;

	if (!host || len == 0)
		return -EINVAL;
	if (len > GUEST_MEM_MAP_SLOT_SIZE)
		return -E2BIG;
	if (!mem->maps && guest_mem_map_init(mem))
		return -ENOMEM;
	if (!mem->map_nfree)
		return -ENOSPC;
	slot = mem->map_free[--mem->map_nfree];
	map_set(&mem->maps[slot], host, len, writable);
	*gpa =
	    GUEST_MEM_MAP_BASE + ((uint64_t)slot << GUEST_MEM_MAP_SLOT_SHIFT);
	return 0;
}

/* The slot @gpa falls in, or GUEST_MEM_MAP_SLOTS if none. */
static uint32_t guest_mem_map_slot(uint64_t gpa)
{
	uint64_t slot = (gpa - GUEST_MEM_MAP_BASE) >> GUEST_MEM_MAP_SLOT_SHIFT;

	return gpa < GUEST_MEM_MAP_BASE || slot >= GUEST_MEM_MAP_SLOTS
		   ? GUEST_MEM_MAP_SLOTS
		   : (uint32_t)slot;
}

int guest_mem_unmap(struct guest_mem *mem, uint64_t gpa)
{
	uint32_t slot = guest_mem_map_slot(gpa);

	if (!mem->maps || slot == GUEST_MEM_MAP_SLOTS ||
	    gpa % GUEST_MEM_MAP_SLOT_SIZE || !mem->maps[slot].host)
		return -EINVAL;
	map_set(&mem->maps[slot], NULL, 0, false);
	mem->map_free[mem->map_nfree++] = slot;
	return 0;
}

unsigned guest_mem_mapped(const struct guest_mem *mem)
{
	return mem->maps ? GUEST_MEM_MAP_SLOTS - mem->map_nfree : 0;
}

void *guest_mem_map_span(const struct guest_mem *mem, uint64_t gpa,
			 uint64_t len, bool write)
{
	uint32_t slot = guest_mem_map_slot(gpa), seq;
	uint64_t off = gpa & (GUEST_MEM_MAP_SLOT_SIZE - 1), map_len;
	const struct guest_mem_map *m;
	uint8_t *host;
	bool writable;

	if (slot == GUEST_MEM_MAP_SLOTS)
		return NULL;
	/* The seqlock's reader side: a slot changing meanwhile is none (a
	 * driver does not hand a device a buffer it is unsharing). */
	m = &mem->maps[slot];
	seq = __atomic_load_n(&m->seq, __ATOMIC_ACQUIRE);
	host = __atomic_load_n(&m->host, __ATOMIC_RELAXED);
	map_len = __atomic_load_n(&m->len, __ATOMIC_RELAXED);
	writable = __atomic_load_n(&m->writable, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if ((seq & 1) || __atomic_load_n(&m->seq, __ATOMIC_RELAXED) != seq)
		return NULL;
	if (!host || off > map_len || len > map_len - off ||
	    (write && !writable))
		return NULL;
	return host + off;
}

int guest_mem_read(const struct guest_mem *mem, uint64_t gpa, void *dst,
		   size_t len)
{
	const void *src = guest_mem_span(mem, gpa, len);

	if (!src)
		return -1;
	memcpy(dst, src, len);
	return 0;
}

int guest_mem_write(const struct guest_mem *mem, uint64_t gpa,
		    const void *src, size_t len)
{
	void *dst = guest_mem_span(mem, gpa, len);

	if (!dst)
		return -1;
	memcpy(dst, src, len);
	return 0;
}
