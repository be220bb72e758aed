/* SPDX-License-Identifier: MIT */
/*
 * virt_hal.c - struct hal_ops on QEMU's aarch64 virt machine.
 *
 * Memory: one level-1 translation table (4 KiB granule, 39-bit VA,
 * 1 GiB blocks) maps virtual = physical: the first GiB (GIC, PL011,
 * virtio-mmio, PCI memory window) as Device-nGnRnE, RAM as normal
 * write-back cacheable, the high PCIe ECAM as Device-nGnRnE. The virt
 * machine's devices are DMA-coherent ("dma-coherent" in its device
 * tree), so DMA memory needs no cache maintenance and any RAM buffer can
 * be shared as it is: share returns its address, nothing is bounced.
 *
 * Interrupts: through the GIC (gic.c). PSTATE.I stays masked; hal wait sleeps
 * in WFI (which wakes on a pending interrupt, masked or not), then acknowledges
 * every pending one at the CPU interface and calls its handlers, as hal.h asks
 * ("delivered here and nowhere else"). The virtual timer bounds each sleep to 1
 * ms, so a wait on a device that polls (or never interrupts) cannot hang.
 */
#include "hal/aarch64-virt/virt_hal.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "hal/aarch64-virt/board.h"
#include "hal/aarch64-virt/gic.h"
#include "hal/aarch64-virt/pl011.h"

/* DMA pool: 8 MiB of static, page-aligned RAM, first fit. */
#define DMA_POOL_PAGES 2048u
static uint8_t dma_pool[DMA_POOL_PAGES * HAL_PAGE_SIZE]
    __attribute__((aligned(HAL_PAGE_SIZE)));
static uint8_t dma_used[DMA_POOL_PAGES]; /* 1: page taken */
static unsigned dma_pages_used;

#define IRQ_SLOTS 32u
struct irq_slot {
	unsigned line;
	void (*handler)(void *arg);
	void *arg;
};
static struct irq_slot irq_slots[IRQ_SLOTS];
static unsigned irq_count;
static uint64_t irq_delivered;

/* Translation table: 512 level-1 entries of 1 GiB each. */
static uint64_t mmu_l1[512] __attribute__((aligned(4096)));
#define PTE_BLOCK 0x1ull
#define PTE_AF (1ull << 10)
#define PTE_SH_INNER (3ull << 8)
#define PTE_ATTR(i) ((uint64_t)(i) << 2)
#define PTE_XN ((1ull << 54) | (1ull << 53))
#define MAIR_DEVICE 0x00ull /* attr 0: Device-nGnRnE */
#define MAIR_NORMAL 0xffull /* attr 1: normal, inner/outer WB RW-allocate */

static void mmu_enable(void)
{
	uint64_t tcr, sctlr;

	/* [0, 1 GiB): devices; [1, 2 GiB): RAM; 256 GiB: the high ECAM. */
	mmu_l1[0] = 0x00000000ull | PTE_BLOCK | PTE_AF | PTE_ATTR(0) | PTE_XN;
	mmu_l1[1] =
	    0x40000000ull | PTE_BLOCK | PTE_AF | PTE_SH_INNER | PTE_ATTR(1);
	mmu_l1[BOARD_PCI_ECAM_BASE >> 30] =
	    (BOARD_PCI_ECAM_BASE & ~0x3fffffffull) | PTE_BLOCK | PTE_AF |
	    PTE_ATTR(0) | PTE_XN;
	/* T0SZ 25 (39-bit VA, walks start at level 1), inner shareable
	 * write-back walks, 4 KiB granule, TTBR1 walks off, IPS 40 bits. */
	tcr = 25ull | (1ull << 8) | (1ull << 10) | (3ull << 12) | (0ull << 14) |
	      (1ull << 23) | (2ull << 32);
	__asm__ volatile("msr mair_el1, %0\n"
			 "msr tcr_el1, %1\n"
			 "msr ttbr0_el1, %2\n"
			 "dsb ish\n"
			 "tlbi vmalle1\n"
			 "dsb ish\n"
			 "isb\n" ::"r"(MAIR_DEVICE | (MAIR_NORMAL << 8)),
			 "r"(tcr), "r"((uint64_t)(uintptr_t)mmu_l1)
			 : "memory");
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	sctlr |= (1ull << 0) | (1ull << 2) | (1ull << 12); /* M, C, I */
	__asm__ volatile("msr sctlr_el1, %0\n"
			 "isb\n" ::"r"(sctlr)
			 : "memory");
}

static uint64_t cnt_freq(void)
{
	uint64_t f;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	return f ? f : 62500000u;
}

uint64_t virt_now_ns(void)
{
	uint64_t c, f = cnt_freq();

	__asm__ volatile("isb\nmrs %0, cntvct_el0" : "=r"(c));
	return c / f * 1000000000ull + c % f * 1000000000ull / f;
}

static void timer_arm(uint64_t ns)
{
	uint64_t ticks = cnt_freq() * ns / 1000000000ull;

	__asm__ volatile("msr cntv_tval_el0, %0\n"
			 "msr cntv_ctl_el0, %1\n"
			 "isb" ::"r"(ticks ? ticks : 1),
			 "r"(1ull));
}

static void timer_stop(void)
{
	__asm__ volatile("msr cntv_ctl_el0, %0\nisb" ::"r"(0ull));
}

static int vh_dma_alloc(void *ctx, size_t pages, uint64_t *paddr, void **vaddr)
{
	if (!pages || pages > DMA_POOL_PAGES || !paddr || !vaddr)
		return -HAL_EINVAL;
	for (size_t start = 0; start + pages <= DMA_POOL_PAGES;) {
		size_t n = 0;

		while (n < pages && !dma_used[start + n])
			n++;
		if (n < pages) {
			start += n + 1;
			continue;
		}
		memset(&dma_used[start], 1, pages);
		dma_pages_used += (unsigned)pages;
		*vaddr = &dma_pool[start * HAL_PAGE_SIZE];
		memset(*vaddr, 0, pages * HAL_PAGE_SIZE);
		*paddr = (uint64_t)(uintptr_t)*vaddr;
		return 0;
	}
	return -HAL_ENOMEM;
}

static int vh_dma_free(void *ctx, uint64_t paddr, void *vaddr, size_t pages)
{
	uintptr_t off = (uintptr_t)vaddr - (uintptr_t)dma_pool;

	if ((uintptr_t)vaddr < (uintptr_t)dma_pool || off % HAL_PAGE_SIZE ||
	    paddr != (uint64_t)(uintptr_t)vaddr ||
	    off / HAL_PAGE_SIZE + pages > DMA_POOL_PAGES)
		return -HAL_EINVAL;
	for (size_t i = 0; i < pages; i++) {
		if (!dma_used[off / HAL_PAGE_SIZE + i])
			return -HAL_EINVAL;
	}
	memset(&dma_used[off / HAL_PAGE_SIZE], 0, pages);
	dma_pages_used -= (unsigned)pages;
	return 0;
}

/* Identity mapped and coherent: a buffer's address is its DMA address. */
static int vh_share(void *ctx, void *buf, size_t len, enum hal_dma_dir dir,
		    uint64_t *paddr)
{
	if (!buf || !len || !paddr)
		return -HAL_EINVAL;
	*paddr = (uint64_t)(uintptr_t)buf;
	return 0;
}

static int vh_unshare(void *ctx, uint64_t paddr, void *buf, size_t len,
		      enum hal_dma_dir dir)
{
	if (paddr != (uint64_t)(uintptr_t)buf)
		return -HAL_EINVAL;
	/* Later loads from @buf come after the device's writes. */
	__asm__ volatile("dmb oshld" ::: "memory");
	return 0;
}

static uintptr_t vh_mmio_map(void *ctx, uint64_t paddr, size_t size)
{
	return (uintptr_t)paddr;
}

static uint32_t vh_mmio_read(void *ctx, uintptr_t addr, unsigned size)
{
	return virt_mmio_read(addr, size);
}

static void vh_mmio_write(void *ctx, uintptr_t addr, uint32_t val,
			  unsigned size)
{
	virt_mmio_write(addr, val, size);
}

static bool line_in_use(unsigned line)
{
	for (unsigned i = 0; i < irq_count; i++) {
		if (irq_slots[i].line == line)
			return true;
	}
	return false;
}

static int vh_irq_register(void *ctx, unsigned line, void (*handler)(void *),
			   void *arg)
{
	/* SPIs only: SGIs and PPIs are not device lines here. */
	if (line < 32 || line >= GIC_MAX_INTID || !handler ||
	    irq_count == IRQ_SLOTS)
		return -HAL_EINVAL;
	irq_slots[irq_count++] = (struct irq_slot){line, handler, arg};
	gic_enable(line, true);
	return 0;
}

static void vh_irq_unregister(void *ctx, unsigned line, void (*handler)(void *),
			      void *arg)
{
	for (unsigned i = 0; i < irq_count; i++) {
		if (irq_slots[i].line == line &&
		    irq_slots[i].handler == handler &&
		    irq_slots[i].arg == arg) {
			irq_slots[i] = irq_slots[--irq_count];
			break;
		}
	}
	if (!line_in_use(line))
		gic_enable(line, false);
}

/* Acknowledge and handle every pending interrupt. */
static void gic_dispatch(void)
{
	for (;;) {
		uint32_t iar = gic_ack();
		unsigned id = iar & 0xffffffu;

		if (id >= GIC_MAX_INTID)
			break; /* 1023: nothing (more) pending */
		if (id == BOARD_VTIMER_INTID) {
			timer_stop();
		} else {
			for (unsigned i = 0; i < irq_count; i++) {
				if (irq_slots[i].line == id) {
					irq_slots[i].handler(irq_slots[i].arg);
					irq_delivered++;
				}
			}
		}
		gic_eoi(iar);
	}
}

static int vh_wait(void *ctx)
{
	/* Nothing can interrupt: the caller polls, so just return. */
	if (!irq_count)
		return 0;
	timer_arm(1000000);
	__asm__ volatile("dsb sy\nwfi" ::: "memory");
	gic_dispatch();
	timer_stop();
	return 0;
}

static uint64_t vh_now_ns(void *ctx)
{
	return virt_now_ns();
}

static const struct hal_ops virt_hal_ops = {
    .dma_alloc = vh_dma_alloc,
    .dma_free = vh_dma_free,
    .share = vh_share,
    .unshare = vh_unshare,
    .mmio_map = vh_mmio_map,
    .mmio_read = vh_mmio_read,
    .mmio_write = vh_mmio_write,
    .irq_register = vh_irq_register,
    .irq_unregister = vh_irq_unregister,
    .wait = vh_wait,
    .now_ns = vh_now_ns,
};

static const struct hal virt_hal = {&virt_hal_ops, NULL};

const struct hal *virt_hal_init(void)
{
	mmu_enable();
	gic_init();
	/* The virtual timer's PPI bounds each sleep in wait. */
	gic_enable(BOARD_VTIMER_INTID, true);
	return &virt_hal;
}

unsigned virt_hal_dma_pages_used(void)
{
	return dma_pages_used;
}

unsigned virt_hal_dma_pages_total(void)
{
	return DMA_POOL_PAGES;
}

uint64_t virt_hal_irqs(void)
{
	return irq_delivered;
}

unsigned virt_hal_gic_version(void)
{
	return gic_version();
}

/* start.S: the exception level QEMU entered the image at. */
extern uint32_t bm_entry_el;

void bm_exit(int code)
{
	(void)code; /* PSCI SYSTEM_OFF has no status; the console says it */
	/* QEMU implements PSCI at the level above the guest's: EL2 (HVC)
	 * when it starts us at EL1, EL3 (SMC) when it gave us EL2. */
	if (bm_entry_el == 2)
		__asm__ volatile(
		    "mov x0, %0\n"
		    "smc #0\n" ::"r"((uint64_t)BOARD_PSCI_SYSTEM_OFF)
		    : "x0", "memory");
	__asm__ volatile("mov x0, %0\n"
			 "hvc #0\n" ::"r"((uint64_t)BOARD_PSCI_SYSTEM_OFF)
			 : "x0", "memory");
	for (;;)
		__asm__ volatile("wfi");
}

static void put_hex(uint64_t v)
{
	static const char digits[] = "0123456789abcdef";

	pl011_puts("0x");
	for (int s = 60; s >= 0; s -= 4)
		pl011_putc(digits[(v >> s) & 15]);
}

/* From every exception vector (start.S): report and power off. */
void bm_trap(uint64_t vector, uint64_t esr, uint64_t elr, uint64_t far)
    __attribute__((noreturn));
void bm_trap(uint64_t vector, uint64_t esr, uint64_t elr, uint64_t far)
{
	pl011_puts("\nFAIL: exception vector ");
	put_hex(vector);
	pl011_puts(" esr ");
	put_hex(esr);
	pl011_puts(" elr ");
	put_hex(elr);
	pl011_puts(" far ");
	put_hex(far);
	pl011_puts("\n");
	bm_exit(1);
}
