/* SPDX-License-Identifier: MIT */
/*
 * virtio.c - the transport-independent part of the VirtIO driver core:
 * error names, consistent config access and the initialisation sequence
 * of §3.1 shared by every transport and device driver.
 */
#include "drivers/virtio/virtio.h"

/* Bounds for loops that wait on the device; a real one answers at once. */
#define VIRTIO_CONFIG_RETRIES 1000
#define VIRTIO_RESET_SPINS (1u << 20)

/*
 * Transport feature bits (24..41) this core implements. Any other bit in
 * that range is never accepted, whatever the device driver asks for
 * (FEAT-D-04): the split virtqueue has no packed ring, IN_ORDER, ...
 */
#define VIRTIO_TRANSPORT_F_HANDLED                                           \
	(VIRTIO_BIT(VIRTIO_F_ANY_LAYOUT) | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | \
	 VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_F_VERSION_1) |     \
	 VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM))
#define VIRTIO_TRANSPORT_F_RANGE (((1ull << 26) - 1) << 24) /* 24..49 */

const char *virtio_error_name(int err)
{
	switch (err < 0 ? 0u - (unsigned)err : (unsigned)err) {
	case VIRTIO_ERR_QUEUE_FULL:
		return "QueueFull";
	case VIRTIO_ERR_NOT_READY:
		return "NotReady";
	case VIRTIO_ERR_WRONG_TOKEN:
		return "WrongToken";
	case VIRTIO_ERR_ALREADY_USED:
		return "AlreadyUsed";
	case VIRTIO_ERR_INVALID_PARAM:
		return "InvalidParam";
	case VIRTIO_ERR_DMA_ERROR:
		return "DmaError";
	case VIRTIO_ERR_IO_ERROR:
		return "IoError";
	case VIRTIO_ERR_UNSUPPORTED:
		return "Unsupported";
	case VIRTIO_ERR_CONFIG_SPACE_TOO_SMALL:
		return "ConfigSpaceTooSmall";
	case VIRTIO_ERR_CONFIG_SPACE_MISSING:
		return "ConfigSpaceMissing";
	}
	return "Unknown";
}

int virtio_transport_config_read(struct virtio_transport *t, uint32_t off,
				 void *buf, size_t len)
{
	uint32_t before, after;
	int err;

	if (!buf && len)
		return -VIRTIO_ERR_INVALID_PARAM;
	/*
	 * §2.5.1 (INIT-D-04): a read spanning several accesses is only
	 * consistent if the generation did not move under it.
	 */
	for (int i = 0; i < VIRTIO_CONFIG_RETRIES; i++) {
		before = t->ops->config_generation(t);
		err = t->ops->config_read(t, off, buf, len);
		if (err)
			return err;
		after = t->ops->config_generation(t);
		if (before == after)
			return 0;
	}
	return -VIRTIO_ERR_NOT_READY;
}

int virtio_transport_config_write(struct virtio_transport *t, uint32_t off,
				  const void *buf, size_t len)
{
	if (!buf && len)
		return -VIRTIO_ERR_INVALID_PARAM;
	return t->ops->config_write(t, off, buf, len);
}

int virtio_transport_reset(struct virtio_transport *t)
{
	virtio_transport_set_status(t, 0);
	/* §2.4.2 (INIT-N-01, PCI-D-14): the reset is complete only once
	 * status reads back 0. */
	for (unsigned i = 0; i < VIRTIO_RESET_SPINS; i++) {
		if (virtio_transport_get_status(t) == 0)
			return 0;
	}
	/* Not an error the device reported (that is IO_ERROR): it did not
	 * answer in time, and may yet. */
	return -VIRTIO_ERR_NOT_READY;
}

/* Add @bits to the status, never clearing one (INIT-D-02). */
static void virtio_status_add(struct virtio_transport *t, uint8_t bits)
{
	uint8_t s = virtio_transport_get_status(t);

	/* NEEDS_RESET is the device's to set, not ours to write back. */
	s &= (uint8_t)~VIRTIO_CONFIG_S_NEEDS_RESET;
	virtio_transport_set_status(t, (uint8_t)(s | bits));
}

int virtio_transport_begin_init(struct virtio_transport *t, uint64_t supported,
				uint64_t *negotiated)
{
	bool legacy = virtio_transport_is_legacy(t);
	uint64_t offered, accept;
	int err;

	/* §3.1.1 (INIT-D-07): reset, ACKNOWLEDGE, DRIVER, features. A
	 * device still busy with its last life is not initialised. */
	err = virtio_transport_reset(t);
	if (err)
		goto fail;
	virtio_status_add(t, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	virtio_status_add(t, VIRTIO_CONFIG_S_DRIVER);

	offered = t->ops->device_features(t);
	accept = supported & ~VIRTIO_TRANSPORT_F_RANGE;
	accept |= supported & VIRTIO_TRANSPORT_F_HANDLED;
	if (legacy) {
		/* Legacy: 32 feature bits, and ANY_LAYOUT must be taken
		 * when offered (LEG-D-06); our framing suits both. */
		offered &= 0xffffffffull;
		accept |= VIRTIO_BIT(VIRTIO_F_ANY_LAYOUT);
	} else {
		/* FEAT-D-07: VERSION_1 is accepted whenever offered; a
		 * modern device without it has no mode we can drive. */
		accept |= VIRTIO_BIT(VIRTIO_F_VERSION_1);
		/* FEAT-D-08: every address a driver hands out comes from
		 * hal_dma_alloc or hal_share, which give device-visible
		 * (bus) addresses: what ACCESS_PLATFORM asks for. A device
		 * behind an IOMMU may refuse FEATURES_OK without it. */
		accept |= VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM);
		accept &= ~VIRTIO_BIT(VIRTIO_F_ANY_LAYOUT);
		if (!(offered & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
			err = -VIRTIO_ERR_UNSUPPORTED;
			goto fail;
		}
	}
	/* FEAT-D-01: never accept a bit the device did not offer. */
	accept &= offered;
	t->ops->set_driver_features(t, accept);

	if (!legacy) {
		/* LEG-D-04: legacy devices have no FEATURES_OK step. */
		virtio_status_add(t, VIRTIO_CONFIG_S_FEATURES_OK);
		if (!(virtio_transport_get_status(t) &
		      VIRTIO_CONFIG_S_FEATURES_OK)) {
			err = -VIRTIO_ERR_UNSUPPORTED;
			goto fail;
		}
	}
	if (negotiated)
		*negotiated = accept;
	return 0;

fail:
	/* INIT-D-10 / FEAT-D-05: give up and tell the device. */
	virtio_transport_set_failed(t);
	return err;
}

void virtio_transport_finish_init(struct virtio_transport *t)
{
	virtio_status_add(t, VIRTIO_CONFIG_S_DRIVER_OK);
}

void virtio_transport_set_failed(struct virtio_transport *t)
{
	virtio_status_add(t, VIRTIO_CONFIG_S_FAILED);
}
