/* SPDX-License-Identifier: MIT */
/*
 * pci_regs.h - PCI configuration space as the PCI Local Bus 3.0 and PCIe
 * base specifications lay it out: type 0/1 header registers, command and
 * status bits, BAR encodings and capability ids. Freestanding, shared by
 * the driver stack (drivers/pci) and the host bridge (sim/pci_host).
 */
#ifndef VIRTSIM_WIRE_PCI_REGS_H
#define VIRTSIM_WIRE_PCI_REGS_H

#ifdef __cplusplus
extern "C" {
#endif

#define PCI_MAX_BUSES 256u
#define PCI_MAX_DEVICES 32u
#define PCI_MAX_FUNCTIONS 8u
#define PCI_CONFIG_SIZE 4096u /* per function, PCIe extended space */
#define PCI_ECAM_FUNCTION_SHIFT 12
#define PCI_ECAM_BUS_SHIFT 20

/* Type 0/1 configuration header (PCI Local Bus 3.0 §6.1). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION_ID 0x08
#define PCI_PROG_IF 0x09
#define PCI_SUBCLASS 0x0a
#define PCI_CLASS 0x0b
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_PRIMARY_BUS 0x18   /* type 1 */
#define PCI_SECONDARY_BUS 0x19 /* type 1 */
#define PCI_SUBORDINATE_BUS 0x1a
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c /* type 0 */
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

#define PCI_COMMAND_IO 0x1u
#define PCI_COMMAND_MEMORY 0x2u
#define PCI_COMMAND_MASTER 0x4u
#define PCI_COMMAND_INTX_DISABLE 0x400u

#define PCI_STATUS_INTERRUPT 0x8u
#define PCI_STATUS_CAP_LIST 0x10u

#define PCI_HEADER_TYPE_MASK 0x7fu
#define PCI_HEADER_TYPE_MULTI_FUNCTION 0x80u
#define PCI_HEADER_TYPE_NORMAL 0
#define PCI_HEADER_TYPE_BRIDGE 1
#define PCI_HEADER_TYPE_CARDBUS 2

#define PCI_CLASS_BRIDGE 0x06
#define PCI_SUBCLASS_BRIDGE_HOST 0x00
#define PCI_SUBCLASS_BRIDGE_PCI 0x04

#define PCI_BAR_SPACE_IO 0x1u
#define PCI_BAR_MEM_TYPE_MASK 0x6u
#define PCI_BAR_MEM_TYPE_32 0x0u
#define PCI_BAR_MEM_TYPE_1M 0x2u /* below 1 MiB, PCI 2.x; treated as 32 */
#define PCI_BAR_MEM_TYPE_64 0x4u
#define PCI_BAR_MEM_PREFETCH 0x8u
#define PCI_BAR_MEM_MASK (~0xfu)
#define PCI_BAR_IO_MASK (~0x3u)

#define PCI_NUM_BARS 6u        /* type 0 header */
#define PCI_NUM_BARS_BRIDGE 2u /* type 1 header */

#define PCI_CAP_ID_VNDR 0x09
#define PCI_CAP_ID_MSIX 0x11
#define PCI_CAP_ID_EXP 0x10
/* Capabilities live after the standard header, dword aligned (§6.7). */
#define PCI_CAP_MIN_OFFSET 0x40u
#define PCI_CAP_MAX_COUNT ((256u - PCI_CAP_MIN_OFFSET) / 4u)

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_WIRE_PCI_REGS_H */
