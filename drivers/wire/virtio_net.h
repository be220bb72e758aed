/* SPDX-License-Identifier: MIT */
/*
 * virtio_net.h - the network device (§5.1): feature bits, the header
 * that precedes every frame, and the configuration layout.
 * Freestanding, shared by drivers/ and devices/.
 */
#ifndef VIRTSIM_WIRE_VIRTIO_NET_H
#define VIRTSIM_WIRE_VIRTIO_NET_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/wire/wire_assert.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Feature bits (§5.1.3). */
#define VIRTIO_NET_F_CSUM 0
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_CTRL_GUEST_OFFLOADS 2
#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_GUEST_TSO4 7
#define VIRTIO_NET_F_GUEST_TSO6 8
#define VIRTIO_NET_F_GUEST_ECN 9
#define VIRTIO_NET_F_GUEST_UFO 10
#define VIRTIO_NET_F_HOST_TSO4 11
#define VIRTIO_NET_F_HOST_TSO6 12
#define VIRTIO_NET_F_HOST_ECN 13
#define VIRTIO_NET_F_HOST_UFO 14
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_F_CTRL_VQ 17
#define VIRTIO_NET_F_CTRL_RX 18
#define VIRTIO_NET_F_CTRL_VLAN 19
#define VIRTIO_NET_F_GUEST_ANNOUNCE 21
#define VIRTIO_NET_F_MQ 22
#define VIRTIO_NET_F_CTRL_MAC_ADDR 23
#define VIRTIO_NET_F_SPEED_DUPLEX 63

/* Config status bits. */
#define VIRTIO_NET_S_LINK_UP 1u
#define VIRTIO_NET_S_ANNOUNCE 2u

/* Queues of a device without MQ or a control queue. */
#define VIRTIO_NET_RX_QUEUE 0
#define VIRTIO_NET_TX_QUEUE 1

/* Header flags and GSO types (§5.1.6). */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1u
#define VIRTIO_NET_HDR_F_DATA_VALID 2u
#define VIRTIO_NET_HDR_F_RSC_INFO 4u
#define VIRTIO_NET_HDR_GSO_NONE 0u
#define VIRTIO_NET_HDR_GSO_TCPV4 1u
#define VIRTIO_NET_HDR_GSO_UDP 3u
#define VIRTIO_NET_HDR_GSO_TCPV6 4u
#define VIRTIO_NET_HDR_GSO_UDP_L4 5u
#define VIRTIO_NET_HDR_GSO_ECN 0x80u

/*
 * The header before every frame, both ways. With VERSION_1 or MRG_RXBUF
 * it is 12 bytes, num_buffers included; a legacy device without
 * MRG_RXBUF uses the first 10 (§5.1.6.1).
 */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

#define VIRTIO_NET_HDR_SIZE 12u
#define VIRTIO_NET_HDR_LEGACY_SIZE 10u

/* Ethernet framing around the MTU. */
#define VIRTIO_NET_ETH_HLEN 14u
#define VIRTIO_NET_ETH_ALEN 6u
#define VIRTIO_NET_ETH_ZLEN 60u /* shortest frame, without the FCS */
#define VIRTIO_NET_MTU_DEFAULT 1500u
#define VIRTIO_NET_MTU_MIN 68u /* NET-V-02 */

struct virtio_net_config {
	uint8_t mac[VIRTIO_NET_ETH_ALEN];
	uint16_t status;
	uint16_t max_virtqueue_pairs;
	uint16_t mtu;
	uint32_t speed;
	uint8_t duplex;
	uint8_t rss_max_key_size;
	uint16_t rss_max_indirection_table_length;
	uint32_t supported_hash_types;
};

WIRE_STATIC_ASSERT(sizeof(struct virtio_net_hdr) == 12, "virtio_net_hdr");
WIRE_STATIC_ASSERT(offsetof(struct virtio_net_hdr, num_buffers) == 10,
		   "virtio_net_hdr.num_buffers");
WIRE_STATIC_ASSERT(offsetof(struct virtio_net_config, status) == 6,
		   "net_config.status");
WIRE_STATIC_ASSERT(offsetof(struct virtio_net_config, mtu) == 10,
		   "net_config.mtu");
WIRE_STATIC_ASSERT(offsetof(struct virtio_net_config, speed) == 12,
		   "net_config.speed");
WIRE_STATIC_ASSERT(sizeof(struct virtio_net_config) == 24, "net_config");

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_WIRE_VIRTIO_NET_H */
