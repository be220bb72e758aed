/* SPDX-License-Identifier: MIT */
/*
 * adapter.c - the core abstraction's tables: VirtIO device ids to device
 * types, VirtIO errors to device errors, and MMIO probing. PCI probing
 * lives with the PCI transport.
 */
#include "drivers/adapter/adapter.h"

#include "drivers/virtio/mmio_transport.h"
#include "drivers/virtio/virtio.h"

bool as_dev_type(uint32_t virtio_device_id, enum dev_type *type)
{
	enum dev_type t;

	switch (virtio_device_id) {
#ifdef VIRTSIM_HAVE_BLK
	case VIRTIO_ID_BLOCK:
		t = DEV_TYPE_BLOCK;
		break;
#endif
#ifdef VIRTSIM_HAVE_NET
	case VIRTIO_ID_NET:
		t = DEV_TYPE_NET;
		break;
#endif
#ifdef VIRTSIM_HAVE_GPU
	case VIRTIO_ID_GPU:
		t = DEV_TYPE_DISPLAY;
		break;
#endif
	default:
		/* Other types, and drivers left out of the build: none. */
		return false;
	}
	if (type)
		*type = t;
	return true;
}

enum dev_err as_dev_err(int virtio_error)
{
	/* unsigned negation: INT_MIN must not overflow */
	unsigned e = virtio_error < 0 ? 0u - (unsigned)virtio_error
				      : (unsigned)virtio_error;

	switch (e) {
	case VIRTIO_ERR_QUEUE_FULL:
		return DEV_ERR_BAD_STATE;
	case VIRTIO_ERR_NOT_READY:
		return DEV_ERR_AGAIN;
	case VIRTIO_ERR_WRONG_TOKEN:
		return DEV_ERR_BAD_STATE;
	case VIRTIO_ERR_ALREADY_USED:
		return DEV_ERR_ALREADY_EXISTS;
	case VIRTIO_ERR_INVALID_PARAM:
		return DEV_ERR_INVALID_PARAM;
	case VIRTIO_ERR_DMA_ERROR:
		return DEV_ERR_NO_MEMORY;
	case VIRTIO_ERR_IO_ERROR:
		return DEV_ERR_IO;
	case VIRTIO_ERR_UNSUPPORTED:
		return DEV_ERR_UNSUPPORTED;
	case VIRTIO_ERR_CONFIG_SPACE_TOO_SMALL:
		return DEV_ERR_BAD_STATE;
	case VIRTIO_ERR_CONFIG_SPACE_MISSING:
		return DEV_ERR_BAD_STATE;
	}
	return DEV_ERR_BAD_STATE; /* the table's default row */
}

bool probe_mmio_device(const struct hal *hal, uint64_t reg_paddr, size_t size,
		       struct virtio_mmio_transport *transport,
		       enum dev_type *type)
{
	enum dev_type t;

	if (!hal || !transport)
		return false;
	/* Bad header or empty slot (MMIO-D-04/05/06): none, silently. */
	if (virtio_mmio_transport_init(transport, hal, reg_paddr, size))
		return false;
	if (!as_dev_type(transport->device_id, &t))
		return false;
	if (type)
		*type = t;
	return true;
}
