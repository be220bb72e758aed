/*
 * as_dev_type_stub.c - TEMPORARY fallback for test_pci_probe while
 * drivers/adapter/adapter.c (the real as_dev_type) is not in this tree.
 * It sits in its own archive linked after libvirtsim.a, so once adapter.c
 * is built into libvirtsim.a the real one resolves the symbol first and
 * this member is never pulled in. Remove it (and libpcistub.a in
 * tests/pci_drivers.mk) after the merge.
 */
#include "drivers/adapter/adapter.h"
#include "drivers/virtio/virtio_spec.h"

bool as_dev_type(uint32_t virtio_device_id, enum dev_type *type)
{
	switch (virtio_device_id) {
	case VIRTIO_ID_BLOCK:
		*type = DEV_TYPE_BLOCK;
		return true;
	case VIRTIO_ID_NET:
		*type = DEV_TYPE_NET;
		return true;
	case VIRTIO_ID_GPU:
		*type = DEV_TYPE_DISPLAY;
		return true;
	}
	return false;
}
