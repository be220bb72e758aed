/* SPDX-License-Identifier: MIT */
/*
 * gic.h - the interrupt controller of QEMU's virt machine (GICv2 or
 * GICv3), as the HAL uses it: interrupts are acknowledged by polling the
 * CPU interface (in hal wait), never taken as exceptions.
 */
#ifndef VIRTSIM_HAL_AARCH64_VIRT_GIC_H
#define VIRTSIM_HAL_AARCH64_VIRT_GIC_H

#include <stdbool.h>
#include <stdint.h>

/* Interrupt ids from here on are special (1023: none pending). */
#define GIC_MAX_INTID 1020u

/* Distributor, CPU 0's interface (and redistributor): all off. */
void gic_init(void);
/* Enable or disable interrupt @id: an SPI, or one of CPU 0's PPIs. */
void gic_enable(unsigned id, bool on);
/* Acknowledge the highest pending interrupt: its IAR value (the id in
 * bits 0..23; GIC_MAX_INTID and up: nothing pending). */
uint32_t gic_ack(void);
/* End the interrupt gic_ack returned @iar for. */
void gic_eoi(uint32_t iar);
/* 2 or 3, once gic_init ran. */
unsigned gic_version(void);

#endif /* VIRTSIM_HAL_AARCH64_VIRT_GIC_H */
