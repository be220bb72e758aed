/* SPDX-License-Identifier: MIT */
/*
 * The PCIe host bridge: ECAM configuration window, type 0 header
 * semantics for registered functions (write masks, BAR sizing and
 * mapping, command and status registers, capability list) and INTx
 * routing with a wired OR per line.
 */
#include "sim/pci_host.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "sim/trace.h"

#define PCI_CMD_WRITABLE \
	(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE)
#define PCI_BAR_END (PCI_BAR0 + 4 * PCI_NUM_BARS)

static bool ranges_overlap(unsigned a, unsigned alen, unsigned b, unsigned blen)
{
	return a < b + blen && b < a + alen;
}

void pci_function_init(struct pci_function *f,
		       const struct pci_function_ops *ops, const char *name,
		       uint16_t vendor, uint16_t device, uint8_t revision,
		       uint8_t class_code, uint8_t subclass, uint8_t prog_if,
		       uint8_t pin)
{
	memset(f, 0, sizeof(*f));
	f->ops = ops;
	f->name = name;
	pci_cfg_set16(f, PCI_VENDOR_ID, vendor);
	pci_cfg_set16(f, PCI_DEVICE_ID, device);
	pci_cfg_set8(f, PCI_REVISION_ID, revision);
	pci_cfg_set8(f, PCI_PROG_IF, prog_if);
	pci_cfg_set8(f, PCI_SUBCLASS, subclass);
	pci_cfg_set8(f, PCI_CLASS, class_code);
	pci_cfg_set8(f, PCI_HEADER_TYPE, PCI_HEADER_TYPE_NORMAL);
	pci_cfg_set8(f, PCI_INTERRUPT_PIN, pin <= 4 ? pin : 0);
	/* Command: memory decode, bus master, INTx disable; no IO space. */
	f->wmask[PCI_COMMAND] = (uint8_t)PCI_CMD_WRITABLE;
	f->wmask[PCI_COMMAND + 1] = (uint8_t)(PCI_CMD_WRITABLE >> 8);
	f->wmask[0x0c] = 0xff; /* cache line size */
	f->wmask[PCI_INTERRUPT_LINE] = 0xff;
	f->cap_next_free = PCI_CAP_MIN_OFFSET;
}

void pci_function_set_subsystem(struct pci_function *f, uint16_t vendor,
				uint16_t id)
{
	pci_cfg_set16(f, PCI_SUBSYSTEM_VENDOR_ID, vendor);
	pci_cfg_set16(f, PCI_SUBSYSTEM_ID, id);
}

void pci_function_set_writable(struct pci_function *f, unsigned reg,
			       unsigned len)
{
	for (unsigned i = reg; i < reg + len && i < PCI_CONFIG_SIZE; i++)
		f->wmask[i] = 0xff;
}

int pci_function_set_bar(struct pci_function *f, unsigned index, uint64_t size,
			 bool is64, bool prefetchable,
			 const struct bus_region_ops *ops, void *opaque)
{
	unsigned reg = PCI_BAR0 + 4 * index;
	uint64_t mask;

	if (index >= PCI_NUM_BARS || (is64 && index + 1 >= PCI_NUM_BARS) ||
	    size < 16 || (size & (size - 1)) || (!is64 && size > 1ull << 31) ||
	    !ops || f->bar[index].size || (is64 && f->bar[index + 1].size) ||
	    (index > 0 && f->bar[index - 1].is64)) /* its upper half */
		return -EINVAL;
	f->bar[index] = (struct pci_bar){
	    .size = size,
	    .is64 = is64,
	    .prefetchable = prefetchable,
	    .ops = ops,
	    .opaque = opaque,
	};
	/* Sizing falls out of the mask: all ones read back as ~(size - 1). */
	mask = ~(size - 1);
	pci_cfg_set32(f, reg,
		      (is64 ? PCI_BAR_MEM_TYPE_64 : PCI_BAR_MEM_TYPE_32) |
			  (prefetchable ? PCI_BAR_MEM_PREFETCH : 0));
	for (unsigned i = 0; i < 4; i++)
		f->wmask[reg + i] =
		    (uint8_t)((mask & PCI_BAR_MEM_MASK) >> 8 * i);
	if (is64) {
		pci_cfg_set32(f, reg + 4, 0);
		for (unsigned i = 0; i < 4; i++)
			f->wmask[reg + 4 + i] = (uint8_t)(mask >> (32 + 8 * i));
	}
	return 0;
}

int pci_function_add_cap(struct pci_function *f, uint8_t id, unsigned len)
{
	unsigned off = f->cap_next_free;

	if (len < 2)
		return -EINVAL;
	if (off + len > 0x100)
		return -ENOSPC;
	memset(&f->cfg[off], 0, len);
	f->cfg[off] = id;
	if (f->cap_last)
		f->cfg[f->cap_last + 1] = (uint8_t)off;
	else
		f->cfg[PCI_CAPABILITY_LIST] = (uint8_t)off;
	f->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	f->cap_last = (uint8_t)off;
	f->cap_next_free = (uint16_t)((off + len + 3) & ~3u);
	return (int)off;
}

static uint64_t pci_bar_programmed(const struct pci_function *f, unsigned i)
{
	uint64_t addr = pci_cfg_get32(f, PCI_BAR0 + 4 * i) & PCI_BAR_MEM_MASK;

	if (f->bar[i].is64)
		addr |= (uint64_t)pci_cfg_get32(f, PCI_BAR0 + 4 * (i + 1))
			<< 32;
	return addr;
}

static bool pci_host_in_window(const struct pci_host *h, uint64_t addr,
			       uint64_t size)
{
	return addr >= h->mmio_base && addr - h->mmio_base < h->mmio_size &&
	       size <= h->mmio_size - (addr - h->mmio_base);
}

/* The host's trace; a function not on a host yet traces nothing. */
static struct trace *fn_trace(const struct pci_function *f)
{
	static struct trace untraced;

	return f->host ? f->host->bus->trace : &untraced;
}

static void pci_bar_unmap(struct pci_function *f, unsigned i)
{
	struct pci_bar *b = &f->bar[i];

	if (!b->mapped)
		return;
	bus_unmap(f->host->bus, b->addr);
	b->mapped = false;
	trace_pci_bar_unmap(fn_trace(f), f->bus, f->dev, f->fn, f->name, i,
			    b->addr);
}

/*
 * Make every BAR's bus mapping match the header: decoded while memory
 * space is on and the BAR holds an address inside the host's window.
 * Returns true if a mapping went away (others may now fit).
 */
static bool pci_function_update_bars(struct pci_function *f)
{
	struct pci_host *h = f->host;
	bool mem = pci_function_mem_enabled(f), unmapped = false;

	if (!h)
		return false;
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		struct pci_bar *b = &f->bar[i];
		uint64_t addr = pci_bar_programmed(f, i);
		bool want =
		    mem && b->size && pci_host_in_window(h, addr, b->size);
		int ret;

		if (b->mapped && (!want || addr != b->addr)) {
			pci_bar_unmap(f, i);
			unmapped = true;
		}
		if (!want || b->mapped)
			continue;
		ret =
		    bus_map(h->bus, addr, b->size, b->ops, b->opaque, f->name);
		if (ret) {
			trace_pci_bar_off(fn_trace(f), f->bus, f->dev, f->fn,
					  f->name, i, addr,
					  ret == -EEXIST
					      ? "overlaps another region"
					      : strerror(-ret));
			continue;
		}
		b->mapped = true;
		b->addr = addr;
		trace_pci_bar_map(fn_trace(f), f->bus, f->dev, f->fn, f->name,
				  i, addr, b->size);
	}
	return unmapped;
}

static void pci_host_update_all_bars(struct pci_host *h)
{
	for (unsigned i = 0; i < h->fn_count; i++)
		pci_function_update_bars(h->fns[i]);
}

/* The wired OR of one INTx line over the functions routed to it. */
static void pci_host_update_line(struct pci_host *h, unsigned line)
{
	bool level = false;

	for (unsigned i = 0; i < h->fn_count; i++) {
		const struct pci_function *f = h->fns[i];

		if (f->cfg[PCI_INTERRUPT_PIN] && f->intx_line == line &&
		    f->intx_asserted &&
		    !(pci_cfg_get16(f, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE))
			level = true;
	}
	irq_set_level(h->irq, line, level);
}

void pci_function_set_irq(struct pci_function *f, bool level)
{
	if (!f->cfg[PCI_INTERRUPT_PIN])
		return;
	if (f->intx_asserted != level)
		trace_pci_intx(fn_trace(f), f->bus, f->dev, f->fn, f->name,
			       level ? "asserted" : "deasserted");
	f->intx_asserted = level;
	/* The status bit shows the function's state even with INTx disabled. */
	if (level)
		f->cfg[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
	else
		f->cfg[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTERRUPT;
	if (f->host)
		pci_host_update_line(f->host, f->intx_line);
}

uint32_t pci_function_config_read(struct pci_function *f, unsigned reg,
				  unsigned size)
{
	uint32_t val = 0;

	if ((size != 1 && size != 2 && size != 4) || reg % size ||
	    reg >= PCI_CONFIG_SIZE)
		return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	if (f->ops && f->ops->config_read)
		f->ops->config_read(f, reg, size);
	for (unsigned i = 0; i < size; i++)
		val |= (uint32_t)f->cfg[reg + i] << (8 * i);
	return val;
}

void pci_function_config_write(struct pci_function *f, unsigned reg,
			       uint32_t val, unsigned size)
{
	uint16_t old_cmd = pci_cfg_get16(f, PCI_COMMAND), cmd;

	if ((size != 1 && size != 2 && size != 4) || reg % size ||
	    reg >= PCI_CONFIG_SIZE)
		return;
	for (unsigned i = 0; i < size; i++) {
		uint8_t m = f->wmask[reg + i], b = (uint8_t)(val >> (8 * i));

		f->cfg[reg + i] = (uint8_t)((f->cfg[reg + i] & ~m) | (b & m));
	}
	cmd = pci_cfg_get16(f, PCI_COMMAND);
	if (cmd != old_cmd)
		trace_pci_command(fn_trace(f), f->bus, f->dev, f->fn, f->name,
				  old_cmd, cmd);
	if (ranges_overlap(reg, size, PCI_COMMAND, 2) ||
	    ranges_overlap(reg, size, PCI_BAR0, PCI_BAR_END - PCI_BAR0)) {
		if (pci_function_update_bars(f))
			pci_host_update_all_bars(f->host);
	}
	if (f->host && f->cfg[PCI_INTERRUPT_PIN] &&
	    ((cmd ^ old_cmd) & PCI_COMMAND_INTX_DISABLE))
		pci_host_update_line(f->host, f->intx_line);
	if (f->ops && f->ops->config_write)
		f->ops->config_write(f, reg, val, size);
}

struct pci_function *pci_host_function(struct pci_host *h, unsigned bus,
				       unsigned dev, unsigned fn)
{
	for (unsigned i = 0; i < h->fn_count; i++) {
		struct pci_function *f = h->fns[i];

		if (f->bus == bus && f->dev == dev && f->fn == fn)
			return f;
	}
	return NULL;
}

static bool pci_host_device_used(struct pci_host *h, unsigned bus, unsigned dev)
{
	for (unsigned i = 0; i < h->fn_count; i++) {
		if (h->fns[i]->bus == bus && h->fns[i]->dev == dev)
			return true;
	}
	return false;
}

int pci_host_free_device(struct pci_host *h, unsigned bus)
{
	for (unsigned dev = 0; dev < PCI_MAX_DEVICES; dev++) {
		if (!pci_host_device_used(h, bus, dev))
			return (int)dev;
	}
	return -ENOSPC;
}

unsigned pci_host_intx_line(const struct pci_host *h, unsigned dev,
			    unsigned pin)
{
	/* The standard swizzle: INTA of device 1 lands on INTB, ... */
	return h->irq_base + (dev + pin - 1) % 4;
}

int pci_host_add_function(struct pci_host *h, struct pci_function *f,
			  unsigned bus, unsigned dev, unsigned fn)
{
	bool multi;

	if (bus >= h->buses || dev >= PCI_MAX_DEVICES ||
	    fn >= PCI_MAX_FUNCTIONS || !f)
		return -EINVAL;
	if (pci_host_function(h, bus, dev, fn))
		return -EEXIST;
	if (h->fn_count == PCI_HOST_MAX_FUNCTIONS)
		return -ENOSPC;
	multi = fn != 0 || pci_host_device_used(h, bus, dev);
	f->host = h;
	f->bus = (uint8_t)bus;
	f->dev = (uint8_t)dev;
	f->fn = (uint8_t)fn;
	if (f->cfg[PCI_INTERRUPT_PIN]) {
		f->intx_line =
		    pci_host_intx_line(h, dev, f->cfg[PCI_INTERRUPT_PIN]);
		/* What firmware would have written: the routed line. */
		f->cfg[PCI_INTERRUPT_LINE] = (uint8_t)f->intx_line;
	}
	h->fns[h->fn_count++] = f;
	if (multi) {
		/* Every function of the device says so; function 0 decides. */
		for (unsigned i = 0; i < h->fn_count; i++) {
			if (h->fns[i]->bus == bus && h->fns[i]->dev == dev)
				h->fns[i]->cfg[PCI_HEADER_TYPE] |=
				    PCI_HEADER_TYPE_MULTI_FUNCTION;
		}
	}
	trace_pci_add(h->bus->trace, bus, dev, fn, f->name,
		      pci_cfg_get16(f, PCI_VENDOR_ID),
		      pci_cfg_get16(f, PCI_DEVICE_ID),
		      multi ? ", multi-function" : "");
	pci_function_update_bars(f);
	return 0;
}

static int pci_ecam_decode(struct pci_host *h, uint64_t off,
			   struct pci_function **f)
{
	unsigned bus = (unsigned)(off >> 20), dev = (off >> 15) & 0x1f,
		 fn = (off >> 12) & 7;

	*f = bus < h->buses ? pci_host_function(h, bus, dev, fn) : NULL;
	return (int)(off & 0xfff);
}

static uint32_t pci_ecam_read(void *opaque, uint64_t off, unsigned size)
{
	struct pci_host *h = opaque;
	struct pci_function *f;
	int reg = pci_ecam_decode(h, off, &f);
	uint32_t val;

	h->config_reads++;
	if (!f) {
		h->unclaimed++;
		return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	}
	val = pci_function_config_read(f, (unsigned)reg, size);
	trace_pci_cfg_read(h->bus->trace, f->bus, f->dev, f->fn, (unsigned)reg,
			   size, val);
	return val;
}

static void pci_ecam_write(void *opaque, uint64_t off, uint32_t val,
			   unsigned size)
{
	struct pci_host *h = opaque;
	struct pci_function *f;
	int reg = pci_ecam_decode(h, off, &f);

	h->config_writes++;
	if (!f) {
		h->unclaimed++;
		trace_pci_cfg_absent(h->bus->trace, off);
		return;
	}
	trace_pci_cfg_write(h->bus->trace, f->bus, f->dev, f->fn, (unsigned)reg,
			    size, val);
	pci_function_config_write(f, (unsigned)reg, val, size);
}

static const struct bus_region_ops pci_ecam_ops = {
    .read = pci_ecam_read,
    .write = pci_ecam_write,
    .traced = true, /* as cfg read/write, in the pci category */
    .sizes = BUS_SIZE_8 | BUS_SIZE_16 | BUS_SIZE_32,
    .aligned_only = true,
};

int pci_host_init(struct pci_host *h, struct bus *bus, struct irq_ctl *irq,
		  uint64_t ecam_base, unsigned buses, uint64_t mmio_base,
		  uint64_t mmio_size, unsigned irq_base)
{
	int ret;

	memset(h, 0, sizeof(*h));
	if (buses == 0 || buses > PCI_HOST_MAX_BUSES ||
	    (ecam_base & ((1ull << PCI_ECAM_BUS_SHIFT) - 1)) ||
	    irq_base + 4 > IRQ_MAX_LINES)
		return -EINVAL;
	h->bus = bus;
	h->irq = irq;
	h->ecam_base = ecam_base;
	h->buses = buses;
	h->mmio_base = mmio_base;
	h->mmio_size = mmio_size;
	h->irq_base = irq_base;
	ret = bus_map(bus, ecam_base, (uint64_t)buses << PCI_ECAM_BUS_SHIFT,
		      &pci_ecam_ops, h, "pci-ecam");
	if (ret)
		return ret;
	h->ecam_mapped = true;
	pci_function_init(&h->bridge, NULL, "pci-host-bridge",
			  PCI_HOST_BRIDGE_VENDOR, PCI_HOST_BRIDGE_DEVICE, 0,
			  PCI_CLASS_BRIDGE, PCI_SUBCLASS_BRIDGE_HOST, 0, 0);
	return pci_host_add_function(h, &h->bridge, 0, 0, 0);
}

void pci_host_destroy(struct pci_host *h)
{
	for (unsigned i = 0; i < h->fn_count; i++) {
		struct pci_function *f = h->fns[i];

		for (unsigned b = 0; b < PCI_NUM_BARS; b++)
			pci_bar_unmap(f, b);
		if (f->cfg[PCI_INTERRUPT_PIN] && f->intx_asserted) {
			f->intx_asserted = false;
			pci_host_update_line(h, f->intx_line);
		}
	}
	for (unsigned i = 0; i < h->fn_count; i++) {
		struct pci_function *f = h->fns[i];

		h->fns[i] = NULL;
		if (f->ops && f->ops->release)
			f->ops->release(f);
	}
	h->fn_count = 0;
	if (h->ecam_mapped)
		bus_unmap(h->bus, h->ecam_base);
	h->ecam_mapped = false;
}
