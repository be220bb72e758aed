/* SPDX-License-Identifier: MIT */
/*
 * pl011.c - PL011 transmit (PrimeCell UART TRM: UARTDR at 0x000,
 * UARTFR at 0x018 with TXFF, bit 5, set while the FIFO is full).
 */
#include "hal/aarch64-virt/pl011.h"

#include "hal/aarch64-virt/board.h"
#include "hal/aarch64-virt/virt_hal.h"

#define PL011_DR 0x000u
#define PL011_FR 0x018u
#define PL011_FR_TXFF (1u << 5)

void pl011_putc(char c)
{
	while (virt_mmio_read(BOARD_PL011_BASE + PL011_FR, 4) & PL011_FR_TXFF)
		;
	virt_mmio_write(BOARD_PL011_BASE + PL011_DR, (uint8_t)c, 4);
}

void pl011_puts(const char *s)
{
	while (*s)
		pl011_putc(*s++);
}
