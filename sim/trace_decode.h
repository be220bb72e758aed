/* SPDX-License-Identifier: MIT */
/*
 * trace_decode.h - names for what trace lines would otherwise print in
 * hex: VirtIO MMIO registers, virtio-pci common configuration fields and
 * PCI configuration header registers, device status bits and feature
 * bits (per device type), as the VirtIO specification names them.
 */
#ifndef VIRTSIM_SIM_TRACE_DECODE_H
#define VIRTSIM_SIM_TRACE_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* The register at @off of a VirtIO MMIO window ("QueueNotify"); NULL if
 * none starts there. Offsets from 0x100 on are the device's config. */
const char *trace_mmio_reg_name(uint64_t off);
/* The field of struct virtio_pci_common_cfg at @off ("queue_select"). */
const char *trace_pci_common_name(uint64_t off);
/* The register at @reg of a PCI type 0 configuration header ("Command"),
 * "BAR0".."BAR5", or NULL. */
const char *trace_pci_cfg_name(unsigned reg);
/*
 * "ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK", bits no name covers as
 * "0x10"; "0" when @status is 0. Writes at most @len bytes to @buf, which
 * it returns.
 */
char *trace_decode_status(char *buf, size_t len, unsigned status);
/*
 * "VERSION_1|RING_EVENT_IDX|BLK_F_FLUSH": the transport bits, and the
 * device bits of VirtIO device type @device_id; others as "bit50". "0"
 * when @features is 0. Returns @buf.
 */
char *trace_decode_features(char *buf, size_t len, unsigned device_id,
			    uint64_t features);

#endif /* VIRTSIM_SIM_TRACE_DECODE_H */
