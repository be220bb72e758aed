/* SPDX-License-Identifier: MIT */
/*
 * start.S - entry of the bare-metal guest on QEMU's aarch64 virt machine.
 *
 * QEMU (-kernel with an ELF and no firmware) jumps to _start at EL1 with
 * the MMU off, or at EL2 with -machine virtualization=on: then EL1 is
 * entered first. The data endianness is set before the first data
 * access (instruction fetches are little-endian whatever SCTLR_EL1.EE
 * says, so this code runs the same in both builds). Then FP/SIMD is
 * enabled (the build uses -mgeneral-regs-only; enabled anyway, so that
 * a compiler-generated SIMD copy does not trap), the stack set, .bss
 * cleared, the vectors installed and bm_main called; its return value
 * goes to bm_exit (PSCI SYSTEM_OFF). bm_entry_el says where QEMU
 * started us: PSCI is an HVC call without EL2, an SMC with it.
 */
#define SCTLR_EL1_EE (1 << 25)
#define SCTLR_EL1_E0E (1 << 24)
#define SCTLR_EL1_M (1 << 0)
#define SCTLR_EL1_A (1 << 1)
#define SCTLR_EL1_C (1 << 2)
#define HCR_EL2_RW (1 << 31)
#define CPACR_EL1_FPEN (3 << 20)

	.section .text.boot, "ax"
	.global _start
_start:
	mrs	x19, CurrentEL
	lsr	x19, x19, #2		/* kept for bm_entry_el below */
	cmp	x19, #2
	b.ne	1f
	/* EL2: EL1 runs AArch64; eret there with DAIF masked. */
	mov	x0, #HCR_EL2_RW
	msr	hcr_el2, x0
	mov	x0, #0x3c5		/* EL1h, D A I F masked */
	msr	spsr_el2, x0
	adr	x0, 1f
	msr	elr_el2, x0
	eret
1:
	mrs	x0, sctlr_el1
	/* MMU, data cache and alignment checks off until bm_mmu_enable. */
	bic	x0, x0, #SCTLR_EL1_M
	bic	x0, x0, #SCTLR_EL1_A
	bic	x0, x0, #SCTLR_EL1_C
#ifdef __AARCH64EB__
	orr	x0, x0, #SCTLR_EL1_EE
	orr	x0, x0, #SCTLR_EL1_E0E
#else
	bic	x0, x0, #SCTLR_EL1_EE
	bic	x0, x0, #SCTLR_EL1_E0E
#endif
	msr	sctlr_el1, x0
	isb
	mov	x0, #CPACR_EL1_FPEN
	msr	cpacr_el1, x0
	isb
	msr	daifset, #0xf		/* interrupts are taken in hal wait */

	adrp	x0, __stack_top
	add	x0, x0, :lo12:__stack_top
	mov	sp, x0

	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
2:	cmp	x0, x1
	b.hs	3f
	str	xzr, [x0], #8
	b	2b
3:
	adrp	x0, bm_entry_el
	str	w19, [x0, :lo12:bm_entry_el]
	adrp	x0, bm_vectors
	add	x0, x0, :lo12:bm_vectors
	msr	vbar_el1, x0
	isb

	bl	bm_main
	bl	bm_exit
4:	wfi
	b	4b

/*
 * Exception vectors: 16 entries of 128 bytes. No exception is expected
 * (interrupts stay masked; hal wait takes them from the GIC itself), so
 * every entry reports what happened and powers off.
 */
	.macro	vector idx
	.balign	128
	mov	x0, #\idx
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	b	bm_trap
	.endm

	.section .bss
	.balign	4
	.global	bm_entry_el
bm_entry_el:
	.word	0

	.section .text.vectors, "ax"
	.balign	2048
	.global	bm_vectors
bm_vectors:
	vector	0
	vector	1
	vector	2
	vector	3
	vector	4
	vector	5
	vector	6
	vector	7
	vector	8
	vector	9
	vector	10
	vector	11
	vector	12
	vector	13
	vector	14
	vector	15
