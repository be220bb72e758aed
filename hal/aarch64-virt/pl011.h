/* SPDX-License-Identifier: MIT */
/*
 * pl011.h - the console: QEMU virt's PL011 UART (pl011@9000000),
 * transmit only, polled. QEMU needs no baud rate set up.
 */
#ifndef VIRTSIM_HAL_AARCH64_VIRT_PL011_H
#define VIRTSIM_HAL_AARCH64_VIRT_PL011_H

void pl011_putc(char c);
void pl011_puts(const char *s);

#endif /* VIRTSIM_HAL_AARCH64_VIRT_PL011_H */
