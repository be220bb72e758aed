/* SPDX-License-Identifier: MIT */
/*
 * virtio_config.h - device status bits (§2.1), the reserved transport and
 * queue feature bits (§6) and the device ids (§5), named as the VirtIO
 * specification names them. Freestanding, shared by drivers/ and devices/.
 */
#ifndef VIRTSIM_WIRE_VIRTIO_CONFIG_H
#define VIRTSIM_WIRE_VIRTIO_CONFIG_H

#include "drivers/wire/virtio_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Device status (§2.1). */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE 1u
#define VIRTIO_CONFIG_S_DRIVER 2u
#define VIRTIO_CONFIG_S_DRIVER_OK 4u
#define VIRTIO_CONFIG_S_FEATURES_OK 8u
#define VIRTIO_CONFIG_S_NEEDS_RESET 64u
#define VIRTIO_CONFIG_S_FAILED 128u

/* Reserved (transport and queue) feature bits (§6). */
#define VIRTIO_F_NOTIFY_ON_EMPTY 24
#define VIRTIO_F_ANY_LAYOUT 27
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED 34
#define VIRTIO_F_IN_ORDER 35
#define VIRTIO_F_ORDER_PLATFORM 36
#define VIRTIO_F_SR_IOV 37
#define VIRTIO_F_NOTIFICATION_DATA 38
#define VIRTIO_F_NOTIF_CONFIG_DATA 39
#define VIRTIO_F_RING_RESET 40
#define VIRTIO_F_ADMIN_VQ 41

/* Device ids (§5). 0 marks an empty MMIO slot. */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG 4
#define VIRTIO_ID_BALLOON 5
#define VIRTIO_ID_SCSI 8
#define VIRTIO_ID_9P 9
#define VIRTIO_ID_GPU 16
#define VIRTIO_ID_INPUT 18
#define VIRTIO_ID_VSOCK 19
#define VIRTIO_ID_FS 26

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_WIRE_VIRTIO_CONFIG_H */
