/* SPDX-License-Identifier: MIT */
/*
 * gic.c - QEMU virt's interrupt controller: a GICv2 (the default) or a
 * GICv3 (-machine gic-version=3), told apart by ID_AA64PFR0_EL1.GIC (a
 * GICv3 CPU interface is system registers). Every SPI level-triggered,
 * priority 0xa0, to CPU 0: group 0 on a GICv2 (signalled as IRQ), group
 * 1 with affinity routing on a GICv3.
 */
#include "hal/aarch64-virt/gic.h"

#include "hal/aarch64-virt/board.h"
#include "hal/aarch64-virt/virt_hal.h"

/* Registers (GIC architecture specifications v2 4.3-4.4, v3 12). */
#define GICD_CTLR 0x000u
#define GICD_ISENABLER 0x100u
#define GICD_ICENABLER 0x180u
#define GICD_ICPENDR 0x280u
#define GICD_IPRIORITYR 0x400u
#define GICD_ITARGETSR 0x800u
#define GICD_ICFGR 0xc00u
#define GICD_IGROUPR 0x080u
#define GICD_IROUTER 0x6000u /* GICv3: 64 bits per SPI */
#define GICD_CTLR_RWP (1u << 31)
#define GICR_WAKER 0x0014u
#define GICR_WAKER_SLEEP (1u << 1)
#define GICR_WAKER_ASLEEP (1u << 2)
#define GICR_SGI 0x10000u /* SGI_base: SGI and PPI registers */
#define GICC_CTLR 0x000u
#define GICC_PMR 0x004u
#define GICC_IAR 0x00cu
#define GICC_EOIR 0x010u

static bool gic_v3;

static void gicd_wr(uint32_t off, uint32_t v)
{
	virt_mmio_write(BOARD_GICD_BASE + off, v, 4);
}

static void gicc_wr(uint32_t off, uint32_t v)
{
	virt_mmio_write(BOARD_GICC_BASE + off, v, 4);
}

static uint32_t gicc_rd(uint32_t off)
{
	return virt_mmio_read(BOARD_GICC_BASE + off, 4);
}

static void gicr_wr(uint32_t off, uint32_t v)
{
	virt_mmio_write(BOARD_GICR_BASE + off, v, 4);
}

static uint32_t gicr_rd(uint32_t off)
{
	return virt_mmio_read(BOARD_GICR_BASE + off, 4);
}

/* GICv3 spec 12.1.4: wait for a distributor register write to land. */
static void gicd_wait_rwp(void)
{
	while (virt_mmio_read(BOARD_GICD_BASE + GICD_CTLR, 4) & GICD_CTLR_RWP)
		;
}

static bool gic_has_sysregs(void)
{
	uint64_t pfr0;

	__asm__ volatile("mrs %0, id_aa64pfr0_el1" : "=r"(pfr0));
	return (pfr0 >> 24) & 0xf;
}

/* GICv3: wake CPU 0's redistributor; PPIs group 1, off, priority. */
static void gicv3_cpu_init(void)
{
	gicr_wr(GICR_WAKER, gicr_rd(GICR_WAKER) & ~GICR_WAKER_SLEEP);
	while (gicr_rd(GICR_WAKER) & GICR_WAKER_ASLEEP)
		;
	gicr_wr(GICR_SGI + GICD_IGROUPR, 0xffffffffu);
	gicr_wr(GICR_SGI + GICD_ICENABLER, 0xffffffffu);
	for (unsigned id = 0; id < 32; id += 4)
		gicr_wr(GICR_SGI + GICD_IPRIORITYR + id, 0xa0a0a0a0u);
	/* System register interface on, all priorities, group 1 on. */
	__asm__ volatile("msr icc_sre_el1, %0\n"
			 "isb\n"
			 "msr icc_pmr_el1, %1\n"
			 "msr icc_igrpen1_el1, %2\n"
			 "isb" ::"r"(7ull),
			 "r"(0xffull), "r"(1ull));
}

void gic_init(void)
{
	gic_v3 = gic_has_sysregs();
	gicd_wr(GICD_CTLR, 0);
	if (gic_v3)
		gicd_wait_rwp();
	/* SPIs: off, not pending, level-triggered, to CPU 0, priority 0xa0. */
	for (unsigned id = 32; id < GIC_MAX_INTID; id += 32) {
		gicd_wr(GICD_ICENABLER + id / 8, 0xffffffffu);
		gicd_wr(GICD_ICPENDR + id / 8, 0xffffffffu);
		gicd_wr(GICD_IGROUPR + id / 8, gic_v3 ? 0xffffffffu : 0);
	}
	for (unsigned id = 32; id < GIC_MAX_INTID; id += 16)
		gicd_wr(GICD_ICFGR + id / 4, 0);
	for (unsigned id = 32; id < GIC_MAX_INTID; id += 4)
		gicd_wr(GICD_IPRIORITYR + id, 0xa0a0a0a0u);
	if (gic_v3) {
		/* Affinity routing: each SPI to affinity 0.0.0.0. */
		for (unsigned id = 32; id < GIC_MAX_INTID; id++) {
			gicd_wr(GICD_IROUTER + id * 8, 0);
			gicd_wr(GICD_IROUTER + id * 8 + 4, 0);
		}
		/* ARE, EnableGrp1, EnableGrp0 (one security state, DS). */
		gicd_wr(GICD_CTLR, (1u << 4) | 3u);
		gicd_wait_rwp();
		gicv3_cpu_init();
	} else {
		for (unsigned id = 0; id < GIC_MAX_INTID; id += 4)
			gicd_wr(GICD_IPRIORITYR + id, 0xa0a0a0a0u);
		for (unsigned id = 32; id < GIC_MAX_INTID; id += 4)
			gicd_wr(GICD_ITARGETSR + id, 0x01010101u);
		gicd_wr(GICD_CTLR, 1);
		gicc_wr(GICC_PMR, 0xff);
		gicc_wr(GICC_CTLR, 1);
	}
}

/* Lines below 32 are CPU 0's PPIs: the redistributor's on a GICv3. */
void gic_enable(unsigned line, bool on)
{
	uint32_t off = (on ? GICD_ISENABLER : GICD_ICENABLER) + (line / 32) * 4;

	if (gic_v3 && line < 32)
		gicr_wr(GICR_SGI + off, 1u << (line % 32));
	else
		gicd_wr(off, 1u << (line % 32));
	if (gic_v3 && line >= 32)
		gicd_wait_rwp();
}

uint32_t gic_ack(void)
{
	uint64_t iar;

	if (!gic_v3)
		return gicc_rd(GICC_IAR);
	__asm__ volatile("mrs %0, icc_iar1_el1\n"
			 "dsb sy"
			 : "=r"(iar)::"memory");
	return (uint32_t)iar;
}

void gic_eoi(uint32_t iar)
{
	if (!gic_v3) {
		gicc_wr(GICC_EOIR, iar);
		return;
	}
	__asm__ volatile("msr icc_eoir1_el1, %0\n"
			 "isb" ::"r"((uint64_t)iar)
			 : "memory");
}

unsigned gic_version(void)
{
	return gic_v3 ? 3 : 2;
}
