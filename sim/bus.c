/* SPDX-License-Identifier: MIT */
#include "sim/bus.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "sim/trace.h"

void bus_init(struct bus *bus, struct trace *trace)
{
	memset(bus, 0, sizeof(*bus));
	bus->trace = trace;
}

int bus_map(struct bus *bus, uint64_t base, uint64_t size,
	    const struct bus_region_ops *ops, void *opaque, const char *name)
{
	unsigned i;

	if (size == 0 || base + size - 1 < base)
		return -EINVAL;
	if (bus->count == BUS_MAX_REGIONS)
		return -ENOSPC;
	for (i = 0; i < bus->count; i++) {
		const struct bus_region *r = &bus->regions[i];

		if (base <= r->base + (r->size - 1) && r->base <= base + (size - 1))
			return -EEXIST;
		if (r->base > base)
			break;
	}
	memmove(&bus->regions[i + 1], &bus->regions[i],
		(bus->count - i) * sizeof(bus->regions[0]));
	bus->regions[i] = (struct bus_region){base, size, ops, opaque, name};
	bus->count++;
	bus->last_hit = 0;
	trace_bus_map(bus->trace, name, base, base + size);
	return 0;
}

int bus_unmap(struct bus *bus, uint64_t base)
{
	for (unsigned i = 0; i < bus->count; i++) {
		if (bus->regions[i].base != base)
			continue;
		trace_bus_unmap(bus->trace, bus->regions[i].name, base);
		memmove(&bus->regions[i], &bus->regions[i + 1],
			(bus->count - i - 1) * sizeof(bus->regions[0]));
		bus->count--;
		bus->last_hit = 0;
		return 0;
	}
	return -ENOENT;
}

static bool region_contains(const struct bus_region *r, uint64_t addr,
			    unsigned size)
{
	return addr >= r->base && addr - r->base < r->size &&
	       size <= r->size - (addr - r->base);
}

const struct bus_region *bus_find(struct bus *bus, uint64_t addr,
				  unsigned size)
{
	unsigned lo = 0, hi = bus->count;

	if (bus->last_hit < bus->count &&
	    region_contains(&bus->regions[bus->last_hit], addr, size))
		return &bus->regions[bus->last_hit];
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct bus_region *r = &bus->regions[mid];

		if (addr < r->base) {
			hi = mid;
		} else if (addr - r->base >= r->size) {
			lo = mid + 1;
		} else {
			if (!region_contains(r, addr, size))
				return NULL;
			bus->last_hit = mid;
			return r;
		}
	}
	return NULL;
}

static inline const struct bus_region *
bus_check(struct bus *bus, uint64_t addr, unsigned size, const char *what)
{
	const struct bus_region *r = bus_find(bus, addr, size);

	if (!r) {
		bus->unmapped++;
		trace_bus_unmapped(bus->trace, what, addr, size);
		return NULL;
	}
	if ((size != 1 && size != 2 && size != 4) ||
	    (r->ops->sizes && !(r->ops->sizes & (1u << size))) ||
	    (r->ops->aligned_only && (addr & (size - 1)))) {
		bus->bad_access++;
		trace_bus_refused(bus->trace, what, r->name, addr - r->base,
				  size);
		return NULL;
	}
	return r;
}

static inline uint32_t bus_do_read(struct bus *bus, uint64_t addr,
				   unsigned size)
{
	const struct bus_region *r = bus_check(bus, addr, size, "read");
	uint32_t val;

	if (!r)
		return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	val = r->ops->read ? r->ops->read(r->opaque, addr - r->base, size)
			   : 0;
	if (!r->ops->traced)
		trace_bus_read(bus->trace, r->name, addr - r->base, size, val);
	return val;
}

static inline void bus_do_write(struct bus *bus, uint64_t addr, uint32_t val,
				unsigned size)
{
	const struct bus_region *r = bus_check(bus, addr, size, "write");

	if (!r)
		return;
	if (!r->ops->traced)
		trace_bus_write(bus->trace, r->name, addr - r->base, size, val);
	if (r->ops->write)
		r->ops->write(r->opaque, addr - r->base, val, size);
}

/* Thread mode: an access is one step of the machine, under its lock. */
uint32_t bus_read(struct bus *bus, uint64_t addr, unsigned size)
{
	uint32_t val;

	if (!bus->lock)
		return bus_do_read(bus, addr, size);
	pthread_mutex_lock(bus->lock);
	val = bus_do_read(bus, addr, size);
	pthread_mutex_unlock(bus->lock);
	return val;
}

void bus_write(struct bus *bus, uint64_t addr, uint32_t val, unsigned size)
{
	if (!bus->lock) {
		bus_do_write(bus, addr, val, size);
		return;
	}
	pthread_mutex_lock(bus->lock);
	bus_do_write(bus, addr, val, size);
	pthread_mutex_unlock(bus->lock);
}
