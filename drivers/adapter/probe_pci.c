/* SPDX-License-Identifier: MIT */
/*
 * probe_pci.c - probe_pci_device: a PCI function to a driver-facing
 * device type and a VirtIO PCI transport, in the order of the core
 * abstraction (device type, as_dev_type, then the transport).
 */
#include "drivers/adapter/adapter.h"
#include "drivers/pci/pci.h"
#include "drivers/virtio/pci_transport.h"

bool probe_pci_device(struct pci_root *root, uint32_t bdf,
		      const struct pci_function_info *info,
		      struct virtio_pci_transport *transport,
		      enum dev_type *type)
{
	enum dev_type dt;
	uint32_t id;

	if (!root || !info || !transport || !type)
		return false;
	id = virtio_pci_device_type(info);
	if (id == 0)
		return false; /* not a VirtIO function */
	if (!as_dev_type(id, &dt))
		return false; /* a type this build has no driver for */
	if (virtio_pci_transport_init(transport, root, bdf) != 0)
		return false;
	*type = dt;
	return true;
}
