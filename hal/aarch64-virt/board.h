/* SPDX-License-Identifier: MIT */
/*
 * board.h - QEMU's aarch64 "virt" machine, as its own device tree says.
 *
 * Every address below was read from the tree QEMU 7.2 generates:
 *   qemu-system-aarch64 -machine virt,dumpdtb=virt.dtb -cpu cortex-a57
 *   dtc -I dtb -O dts virt.dtb
 * (the node each value comes from is named beside it). They are fixed by
 * hw/arm/virt.c's memory map (base_memmap, extended_memmap), so a
 * bare-metal guest may hard-code them as firmware for this board does.
 */
#ifndef VIRTSIM_HAL_AARCH64_VIRT_BOARD_H
#define VIRTSIM_HAL_AARCH64_VIRT_BOARD_H

/* memory@40000000: reg = <0x00 0x40000000 ...>; the size is -m's. */
#define BOARD_RAM_BASE 0x40000000ull

/* pl011@9000000: reg = <0x00 0x9000000 0x00 0x1000>. */
#define BOARD_PL011_BASE 0x09000000ull

/*
 * intc@8000000 (compatible "arm,cortex-a15-gic", a GICv2): reg =
 * <0x00 0x8000000 0x00 0x10000 0x00 0x8010000 0x00 0x10000>, the
 * distributor then the CPU interface.
 */
#define BOARD_GICD_BASE 0x08000000ull
#define BOARD_GICC_BASE 0x08010000ull
/*
 * With -machine gic-version=3 the node is "arm,gic-v3": reg = <0x00
 * 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0xf60000>, the distributor
 * at the same place, then the redistributors (CPU 0's first, 128 KiB:
 * RD_base, then SGI_base); the CPU interface is system registers.
 */
#define BOARD_GICR_BASE 0x080a0000ull

/*
 * virtio_mmio@a000000 .. virtio_mmio@a003e00: 32 nodes, reg = <0x00
 * 0xa000000 + 0x200 * i 0x00 0x200>, interrupts = <0x00 0x10 + i 0x01>
 * (SPI 16 + i, GIC interrupt id 32 + 16 + i).
 */
#define BOARD_VIRTIO_MMIO_BASE 0x0a000000ull
#define BOARD_VIRTIO_MMIO_STRIDE 0x200u
#define BOARD_VIRTIO_MMIO_COUNT 32u
#define BOARD_VIRTIO_MMIO_SPI 16u

/* GIC interrupt ids: SPI n is id 32 + n (GICv2 §2.2.1). */
#define BOARD_GIC_SPI(n) (32u + (n))
/* timer: interrupts = <0x01 0x0d ... 0x01 0x0b ...>: PPI 11 is the
 * virtual timer (the third entry), interrupt id 16 + 11. */
#define BOARD_VTIMER_INTID 27u

/*
 * pcie@10000000 (compatible "pci-host-ecam-generic"):
 *   reg = <0x40 0x10000000 0x00 0x10000000>: the high ECAM, 256 MiB at
 *   0x4010000000, bus-range = <0x00 0xff>. With -machine highmem=off it
 *   is the low one, reg = <0x00 0x3f000000 0x00 0x1000000> (16 buses):
 *   the guest takes it from the tree QEMU leaves in RAM (fdt.c), these
 *   are the fallback.
 *   ranges = <0x1000000 0x00 0x00 0x00 0x3eff0000 0x00 0x10000   I/O
 *             0x2000000 0x00 0x10000000 0x00 0x10000000 0x00 0x2eff0000
 *                                                      32-bit memory
 *             0x3000000 0x80 0x00 0x80 0x00 0x80 0x00>  64-bit memory
 *   The BARs go into the 32-bit window (a 64-bit BAR fits there too).
 *   interrupt-map: INTx pin p (1..4) of device d goes to GIC SPI
 *   3 + (d + p - 1) % 4 (entries <d << 11 0 0 p gic 0 0 0 spi 4>, level).
 */
#define BOARD_PCI_ECAM_BASE 0x4010000000ull
#define BOARD_PCI_ECAM_BUSES 256u
#define BOARD_PCI_MMIO_BASE 0x10000000ull
#define BOARD_PCI_MMIO_SIZE 0x2eff0000ull
#define BOARD_PCI_INTX_SPI 3u

/* psci: method = "hvc", compatible "arm,psci-1.0": SYSTEM_OFF. */
#define BOARD_PSCI_SYSTEM_OFF 0x84000008u

#endif /* VIRTSIM_HAL_AARCH64_VIRT_BOARD_H */
