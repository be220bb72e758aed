/* SPDX-License-Identifier: MIT */
/*
 * adapter.h - the VirtIO driver stack seen through the driver-facing device
 * model (drivers/base): probing over MMIO and PCI, the device-type and
 * error mapping tables of the core abstraction, and per-class wrappers.
 */
#ifndef VIRTSIM_DRIVERS_ADAPTER_H
#define VIRTSIM_DRIVERS_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/base/dev.h"
#include "hal/hal.h"

#ifdef __cplusplus
extern "C" {
#endif

struct virtio_mmio_transport;
struct virtio_pci_transport;
struct pci_root;
struct pci_function_info;

/*
 * Device type mapping: Block -> Block, Network -> Net, GPU -> Display;
 * false ("none") for every other VirtIO device id, and for ids whose
 * driver was left out of the build (--disable-blk/net/gpu).
 */
bool as_dev_type(uint32_t virtio_device_id, enum dev_type *type);

/*
 * Error mapping, exactly the seed's table: QueueFull -> BadState,
 * NotReady -> Again, WrongToken -> BadState, AlreadyUsed -> AlreadyExists,
 * InvalidParam -> InvalidParam, DmaError -> NoMemory, IoError -> Io,
 * Unsupported -> Unsupported, ConfigSpaceTooSmall -> BadState,
 * ConfigSpaceMissing -> BadState, anything else -> BadState.
 * Accepts the error negated or not; returns the positive enum dev_err.
 */
enum dev_err as_dev_err(int virtio_error);

/*
 * What a device wrapper returns for VirtIO result @virtio_err: 0, or the
 * device error it maps to, negated. The VirtIO error itself goes to
 * *@last (the wrapper's last_error), so a caller can name both.
 */
static inline int as_dev_result(int virtio_err, int *last)
{
	if (!virtio_err)
		return 0;
	*last = virtio_err < 0 ? virtio_err : -virtio_err;
	return -(int)as_dev_err(virtio_err);
}

/*
 * Probe the MMIO window at @reg_paddr (@size bytes): validate the header
 * (magic, version 1 or 2, device id 0 = empty slot), map the device type.
 * On success fills @transport and @type and returns true; returns false
 * ("none") for an invalid header, an empty slot or an unsupported type.
 */
bool probe_mmio_device(const struct hal *hal, uint64_t reg_paddr,
		       size_t size, struct virtio_mmio_transport *transport,
		       enum dev_type *type);

/*
 * Probe PCI function @bdf of @root described by @info: the VirtIO device
 * type from vendor 0x1af4 and the device id (transitional 0x1000..0x103f,
 * modern 0x1040 and up), then as_dev_type, then the PCI transport. False
 * ("none") for a non-VirtIO function, an unsupported type, or a transport
 * that cannot be created.
 */
bool probe_pci_device(struct pci_root *root, uint32_t bdf,
		      const struct pci_function_info *info,
		      struct virtio_pci_transport *transport,
		      enum dev_type *type);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_DRIVERS_ADAPTER_H */
