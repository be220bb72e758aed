/* SPDX-License-Identifier: MIT */
#include "sim/guest_mem.h"

#include <errno.h>
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
	mem->host = NULL;
	mem->size = 0;
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
