/* SPDX-License-Identifier: MIT */
/*
 * pci.c - PCI root complex through ECAM (PCIe base spec §7.2.2):
 * configuration access, enumeration, BAR sizing and assignment, command
 * register and capability lists. Every access goes through the HAL.
 */
#include "drivers/pci/pci.h"

#include <string.h>

#define PCI_ECAM_BUS_SIZE (1ull << PCI_ECAM_BUS_SHIFT)
#define PCI_4GIB (1ull << 32)

const char *pci_error_name(int err)
{
	switch (err < 0 ? 0u - (unsigned)err : (unsigned)err) {
	case PCI_ERR_NO_DEVICE:
		return "NoDevice";
	case PCI_ERR_INVALID:
		return "Invalid";
	case PCI_ERR_BAD_CAP:
		return "BadCap";
	case PCI_ERR_NO_SPACE:
		return "NoSpace";
	case PCI_ERR_UNSUPPORTED:
		return "Unsupported";
	case PCI_ERR_NO_WINDOW:
		return "NoWindow";
	}
	return "Unknown";
}

int pci_root_init(struct pci_root *root, const struct hal *hal,
		  uint64_t ecam_paddr, unsigned buses)
{
	if (!root || !hal)
		return -PCI_ERR_INVALID;
	memset(root, 0, sizeof(*root));
	/* Each bus takes 1 MiB of ECAM; the window starts on a bus boundary. */
	if (buses == 0 || buses > PCI_MAX_BUSES ||
	    ecam_paddr % PCI_ECAM_BUS_SIZE ||
	    ecam_paddr + buses * PCI_ECAM_BUS_SIZE < ecam_paddr)
		return -PCI_ERR_INVALID;
	root->ecam = hal_mmio_map(hal, ecam_paddr, buses * PCI_ECAM_BUS_SIZE);
	if (!root->ecam)
		return -PCI_ERR_NO_DEVICE;
	root->hal = hal;
	root->ecam_paddr = ecam_paddr;
	root->buses = buses;
	return 0;
}

void pci_root_set_mmio_window(struct pci_root *root, uint64_t base,
			      uint64_t size)
{
	/* A window running past the top of the address space is clipped. */
	if (size > UINT64_MAX - base)
		size = UINT64_MAX - base;
	root->mmio_base = base;
	root->mmio_size = size;
	root->mmio_next = base;
}

/* The ECAM handle of @reg of @bdf, or 0 when no function could answer. */
static uintptr_t pci_config_addr(struct pci_root *root, uint32_t bdf,
				 unsigned reg, unsigned size)
{
	if (!root || !root->ecam || bdf > 0xffffu ||
	    pci_bdf_bus(bdf) >= root->buses || reg >= PCI_CONFIG_SIZE ||
	    reg % size)
		return 0;
	return root->ecam + ((uintptr_t)bdf << PCI_ECAM_FUNCTION_SHIFT) + reg;
}

uint8_t pci_config_read8(struct pci_root *root, uint32_t bdf, unsigned reg)
{
	uintptr_t a = pci_config_addr(root, bdf, reg, 1);

	return a ? hal_mmio_read8(root->hal, a) : 0xffu;
}

uint16_t pci_config_read16(struct pci_root *root, uint32_t bdf, unsigned reg)
{
	uintptr_t a = pci_config_addr(root, bdf, reg, 2);

	return a ? hal_mmio_read16(root->hal, a) : 0xffffu;
}

uint32_t pci_config_read32(struct pci_root *root, uint32_t bdf, unsigned reg)
{
	uintptr_t a = pci_config_addr(root, bdf, reg, 4);

	return a ? hal_mmio_read32(root->hal, a) : 0xffffffffu;
}

void pci_config_write8(struct pci_root *root, uint32_t bdf, unsigned reg,
		       uint8_t val)
{
	uintptr_t a = pci_config_addr(root, bdf, reg, 1);

	if (a)
		hal_mmio_write8(root->hal, a, val);
}

void pci_config_write16(struct pci_root *root, uint32_t bdf, unsigned reg,
			uint16_t val)
{
	uintptr_t a = pci_config_addr(root, bdf, reg, 2);

	if (a)
		hal_mmio_write16(root->hal, a, val);
}

void pci_config_write32(struct pci_root *root, uint32_t bdf, unsigned reg,
			uint32_t val)
{
	uintptr_t a = pci_config_addr(root, bdf, reg, 4);

	if (a)
		hal_mmio_write32(root->hal, a, val);
}

static bool pci_present(struct pci_root *root, uint32_t bdf)
{
	return pci_config_read16(root, bdf, PCI_VENDOR_ID) != 0xffffu;
}

int pci_function_info_read(struct pci_root *root, uint32_t bdf,
			   struct pci_function_info *info)
{
	uint8_t hdr;

	if (!info)
		return -PCI_ERR_INVALID;
	memset(info, 0, sizeof(*info));
	/* An unclaimed configuration read returns all ones. */
	info->vendor_id = pci_config_read16(root, bdf, PCI_VENDOR_ID);
	if (info->vendor_id == 0xffffu)
		return -PCI_ERR_NO_DEVICE;
	info->device_id = pci_config_read16(root, bdf, PCI_DEVICE_ID);
	info->revision = pci_config_read8(root, bdf, PCI_REVISION_ID);
	info->prog_if = pci_config_read8(root, bdf, PCI_PROG_IF);
	info->subclass = pci_config_read8(root, bdf, PCI_SUBCLASS);
	info->class_code = pci_config_read8(root, bdf, PCI_CLASS);
	hdr = pci_config_read8(root, bdf, PCI_HEADER_TYPE);
	info->header_type = hdr & PCI_HEADER_TYPE_MASK;
	info->multi_function = hdr & PCI_HEADER_TYPE_MULTI_FUNCTION;
	if (info->header_type == PCI_HEADER_TYPE_NORMAL) {
		info->subsystem_vendor_id =
			pci_config_read16(root, bdf, PCI_SUBSYSTEM_VENDOR_ID);
		info->subsystem_id =
			pci_config_read16(root, bdf, PCI_SUBSYSTEM_ID);
	}
	info->interrupt_pin = pci_config_read8(root, bdf, PCI_INTERRUPT_PIN);
	info->interrupt_line = pci_config_read8(root, bdf, PCI_INTERRUPT_LINE);
	return 0;
}

static bool pci_bit_test(const uint8_t *map, unsigned n)
{
	return map[n / 8] & (1u << (n % 8));
}

static void pci_bit_set(uint8_t *map, unsigned n)
{
	map[n / 8] |= (uint8_t)(1u << (n % 8));
}

static void pci_bit_clear(uint8_t *map, unsigned n)
{
	map[n / 8] &= (uint8_t)~(1u << (n % 8));
}

void pci_enum_begin(struct pci_enum *it, struct pci_root *root, unsigned bus)
{
	memset(it, 0, sizeof(*it));
	it->root = root;
	it->bus = bus;
	if (!root || bus >= root->buses) {
		it->done = true;
		return;
	}
	pci_bit_set(it->visited, bus);
}

/*
 * Move to the lowest pending bus. Firmware numbers buses depth first, so
 * taking the lowest pending one walks the hierarchy depth first without a
 * stack: a bridge's subtree has the numbers right after its secondary bus.
 */
static bool pci_enum_next_bus(struct pci_enum *it)
{
	for (unsigned b = 0; b < it->root->buses; b++) {
		if (!pci_bit_test(it->pending, b))
			continue;
		pci_bit_clear(it->pending, b);
		pci_bit_set(it->visited, b);
		it->bus = b;
		it->dev = 0;
		it->fn = 0;
		it->multi = false;
		return true;
	}
	return false;
}

static void pci_enum_note_bridge(struct pci_enum *it, uint32_t bdf)
{
	unsigned sec = pci_config_read8(it->root, bdf, PCI_SECONDARY_BUS);

	/* 0: not numbered yet (we do not renumber); each bus once. */
	if (sec == 0 || sec >= it->root->buses || pci_bit_test(it->visited, sec))
		return;
	pci_bit_set(it->pending, sec);
}

int pci_enum_next(struct pci_enum *it, uint32_t *bdf,
		  struct pci_function_info *info)
{
	struct pci_function_info tmp;
	uint32_t cur;
	int err;

	if (!info)
		info = &tmp;
	while (!it->done) {
		if (it->dev >= PCI_MAX_DEVICES) {
			if (!pci_enum_next_bus(it))
				it->done = true;
			continue;
		}
		cur = PCI_BDF(it->bus, it->dev, it->fn);
		err = pci_function_info_read(it->root, cur, info);
		/* Functions 1..7 exist only behind a multi-function fn 0. */
		if (it->fn == 0)
			it->multi = err == 0 && info->multi_function;
		if (!it->multi || it->fn == PCI_MAX_FUNCTIONS - 1) {
			it->dev++;
			it->fn = 0;
		} else {
			it->fn++;
		}
		if (err)
			continue;
		if (info->header_type == PCI_HEADER_TYPE_BRIDGE)
			pci_enum_note_bridge(it, cur);
		if (bdf)
			*bdf = cur;
		return 1;
	}
	return 0;
}

unsigned pci_bar_count(uint8_t header_type)
{
	switch (header_type & PCI_HEADER_TYPE_MASK) {
	case PCI_HEADER_TYPE_NORMAL:
		return PCI_NUM_BARS;
	case PCI_HEADER_TYPE_BRIDGE:
		return PCI_NUM_BARS_BRIDGE;
	}
	return 0;
}

static unsigned pci_bar_reg(unsigned bar)
{
	return PCI_BAR0 + 4u * bar;
}

static bool pci_bar_is_mem64(uint32_t lo)
{
	return !(lo & PCI_BAR_SPACE_IO) &&
	       (lo & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64;
}

/* The lowest set bit of a size mask is the size (Linux pci_size()). */
static uint64_t pci_mask_size(uint64_t mask)
{
	return mask & (~mask + 1);
}

int pci_bar_info_read(struct pci_root *root, uint32_t bdf, unsigned bar,
		      struct pci_bar_info *info)
{
	unsigned count, reg, i;
	uint32_t lo, hi = 0, lo_mask, hi_mask = 0;
	uint16_t cmd;

	if (!info)
		return -PCI_ERR_INVALID;
	memset(info, 0, sizeof(*info));
	if (!pci_present(root, bdf))
		return -PCI_ERR_NO_DEVICE;
	count = pci_bar_count(pci_config_read8(root, bdf, PCI_HEADER_TYPE));
	if (bar >= count)
		return -PCI_ERR_INVALID;
	/* The upper half of a 64-bit BAR is no BAR of its own. */
	for (i = 0; i < bar;)
		i += pci_bar_is_mem64(pci_config_read32(root, bdf,
							pci_bar_reg(i)))
			     ? 2
			     : 1;
	if (i != bar)
		return 0;

	reg = pci_bar_reg(bar);
	lo = pci_config_read32(root, bdf, reg);
	if (pci_bar_is_mem64(lo) && bar + 1 >= count)
		return -PCI_ERR_INVALID;
	if (!(lo & PCI_BAR_SPACE_IO) &&
	    (lo & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_MASK)
		return -PCI_ERR_UNSUPPORTED; /* reserved memory type */

	/* Decoding off while the BAR reads as its size mask. */
	cmd = pci_command_read(root, bdf);
	pci_command_write(root, bdf,
			  cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	pci_config_write32(root, bdf, reg, 0xffffffffu);
	lo_mask = pci_config_read32(root, bdf, reg);
	pci_config_write32(root, bdf, reg, lo);
	if (pci_bar_is_mem64(lo)) {
		hi = pci_config_read32(root, bdf, reg + 4);
		pci_config_write32(root, bdf, reg + 4, 0xffffffffu);
		hi_mask = pci_config_read32(root, bdf, reg + 4);
		pci_config_write32(root, bdf, reg + 4, hi);
	}
	pci_command_write(root, bdf, cmd);

	if (lo & PCI_BAR_SPACE_IO) {
		lo_mask &= PCI_BAR_IO_MASK;
		/* 16-bit IO decoders leave the upper half zero. */
		if (lo_mask && !(lo_mask & 0xffff0000u))
			lo_mask |= 0xffff0000u;
		info->type = PCI_BAR_IO;
		info->address = lo & PCI_BAR_IO_MASK;
		info->size = pci_mask_size(lo_mask);
	} else if (pci_bar_is_mem64(lo)) {
		info->type = PCI_BAR_MEM64;
		info->address = (uint64_t)hi << 32 | (lo & PCI_BAR_MEM_MASK);
		info->size = pci_mask_size((uint64_t)hi_mask << 32 |
					   (lo_mask & PCI_BAR_MEM_MASK));
	} else {
		info->type = PCI_BAR_MEM32;
		info->address = lo & PCI_BAR_MEM_MASK;
		info->size = pci_mask_size(lo_mask & PCI_BAR_MEM_MASK);
	}
	info->prefetchable = info->type != PCI_BAR_IO &&
			     (lo & PCI_BAR_MEM_PREFETCH);
	if (info->size == 0) {
		/* Nothing sticks: the BAR is not implemented. */
		memset(info, 0, sizeof(*info));
	}
	return 0;
}

/* Take a naturally aligned @size range below @limit from the window. */
static int pci_window_alloc(struct pci_root *root, uint64_t size,
			    uint64_t limit, uint64_t *addr)
{
	uint64_t end = root->mmio_base + root->mmio_size;
	uint64_t start;

	if (root->mmio_size == 0)
		return -PCI_ERR_NO_WINDOW;
	if (limit > end)
		limit = end;
	if (root->mmio_next > UINT64_MAX - (size - 1))
		return -PCI_ERR_NO_SPACE;
	start = (root->mmio_next + size - 1) & ~(size - 1);
	if (start >= limit || size > limit - start)
		return -PCI_ERR_NO_SPACE;
	root->mmio_next = start + size;
	*addr = start;
	return 0;
}

static int pci_bar_program(struct pci_root *root, uint32_t bdf, unsigned bar,
			   struct pci_bar_info *info)
{
	unsigned reg = pci_bar_reg(bar);
	uint64_t limit, addr;
	uint16_t cmd;
	int err;

	if (info->type == PCI_BAR_NONE)
		return 0;
	if (info->type == PCI_BAR_IO)
		return -PCI_ERR_UNSUPPORTED;
	/* A 32-bit BAR cannot hold an address above 4 GiB. */
	limit = info->type == PCI_BAR_MEM32 ? PCI_4GIB : UINT64_MAX;
	err = pci_window_alloc(root, info->size, limit, &addr);
	if (err)
		return err;

	cmd = pci_command_read(root, bdf);
	pci_command_write(root, bdf,
			  cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	/* The type bits are read-only: writing the address keeps them. */
	pci_config_write32(root, bdf, reg, (uint32_t)addr);
	if (info->type == PCI_BAR_MEM64)
		pci_config_write32(root, bdf, reg + 4, (uint32_t)(addr >> 32));
	pci_command_write(root, bdf, cmd);
	info->address = addr;
	return 0;
}

int pci_bar_assign(struct pci_root *root, uint32_t bdf, unsigned bar,
		   struct pci_bar_info *info)
{
	struct pci_bar_info tmp;
	int err;

	if (!info)
		info = &tmp;
	err = pci_bar_info_read(root, bdf, bar, info);
	if (err)
		return err;
	return pci_bar_program(root, bdf, bar, info);
}

int pci_assign_bars(struct pci_root *root, uint32_t bdf)
{
	struct pci_bar_info info;
	unsigned count;
	int err;

	if (!pci_present(root, bdf))
		return -PCI_ERR_NO_DEVICE;
	count = pci_bar_count(pci_config_read8(root, bdf, PCI_HEADER_TYPE));
	for (unsigned bar = 0; bar < count;
	     bar += info.type == PCI_BAR_MEM64 ? 2 : 1) {
		err = pci_bar_info_read(root, bdf, bar, &info);
		if (err)
			return err;
		if (info.type == PCI_BAR_IO)
			continue; /* no IO window: left as it is */
		err = pci_bar_program(root, bdf, bar, &info);
		if (err)
			return err;
	}
	return 0;
}

uint16_t pci_command_read(struct pci_root *root, uint32_t bdf)
{
	return pci_config_read16(root, bdf, PCI_COMMAND);
}

void pci_command_write(struct pci_root *root, uint32_t bdf, uint16_t cmd)
{
	pci_config_write16(root, bdf, PCI_COMMAND, cmd);
}

void pci_enable(struct pci_root *root, uint32_t bdf)
{
	uint16_t cmd = pci_command_read(root, bdf);

	pci_command_write(root, bdf,
			  cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

void pci_cap_iter_begin(struct pci_cap_iter *it, struct pci_root *root,
			uint32_t bdf)
{
	uint16_t status;

	memset(it, 0, sizeof(*it));
	it->root = root;
	it->bdf = bdf;
	status = pci_config_read16(root, bdf, PCI_STATUS);
	/* All ones: nothing answers, so there is no list to walk. */
	if (status == 0xffffu || !(status & PCI_STATUS_CAP_LIST))
		return;
	it->next = pci_config_read8(root, bdf, PCI_CAPABILITY_LIST);
}

int pci_cap_iter_next(struct pci_cap_iter *it, uint8_t *offset, uint8_t *id)
{
	unsigned slot;
	uint8_t pos = it->next;

	if (it->error)
		return it->error;
	if (pos == 0)
		return 0;
	/* §6.7: after the header and dword aligned; each slot once. */
	if (pos < PCI_CAP_MIN_OFFSET || pos % 4)
		goto bad;
	slot = (pos - PCI_CAP_MIN_OFFSET) / 4u;
	if (it->seen & (1ull << slot))
		goto bad; /* a loop */
	it->seen |= 1ull << slot;
	if (offset)
		*offset = pos;
	if (id)
		*id = pci_config_read8(it->root, it->bdf, pos);
	it->next = pci_config_read8(it->root, it->bdf, pos + 1u);
	return 1;

bad:
	it->error = -PCI_ERR_BAD_CAP;
	return it->error;
}

int pci_find_capability(struct pci_root *root, uint32_t bdf, uint8_t id)
{
	struct pci_cap_iter it;
	uint8_t off = 0, cid = 0;
	int r;

	pci_cap_iter_begin(&it, root, bdf);
	while ((r = pci_cap_iter_next(&it, &off, &cid)) > 0) {
		if (cid == id)
			return off;
	}
	return r;
}
