/* SPDX-License-Identifier: MIT */
/*
 * test_transport.h - the shared part of a scripted virtio transport for
 * driver tests: the test plays the device, and this holds what it offers
 * and what the driver wrote, so each suite's fake only adds its queues,
 * its status rules and its config space.
 */
#ifndef VIRTSIM_TESTS_TEST_TRANSPORT_H
#define VIRTSIM_TESTS_TEST_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/virtio/virtio.h"

struct irq_ctl;
struct machine;

/* A suite's fake embeds this first, so its ops can cast from base. */
struct test_transport {
	struct virtio_transport base;
	uint32_t type;
	uint64_t dev_features, drv_features;
	uint8_t status;
	bool legacy;
	uint16_t qmax[16];   /* max_queue_size; 0 past the end */
	uint32_t isr;	     /* cause ack_interrupt returns (and clears) */
	struct irq_ctl *irq; /* ack_interrupt lowers @line on it */
	unsigned line;	     /* also what irq_line returns */
};

/*
 * On @m's DMA memory and interrupt lines, with the suite's @ops; the rest
 * of @tt stays as the caller left it (zeroed, as a rule).
 */
void test_transport_init(struct test_transport *tt,
			 const struct virtio_transport_ops *ops,
			 struct machine *m);

uint32_t test_transport_device_type(struct virtio_transport *t);
uint64_t test_transport_device_features(struct virtio_transport *t);
void test_transport_set_driver_features(struct virtio_transport *t, uint64_t f);
uint8_t test_transport_get_status(struct virtio_transport *t);
uint16_t test_transport_max_queue_size(struct virtio_transport *t, uint16_t q);
uint32_t test_transport_ack_interrupt(struct virtio_transport *t);
bool test_transport_is_legacy(struct virtio_transport *t);
unsigned test_transport_irq_line(struct virtio_transport *t);

/* The ops every scripted transport shares, for its ops table. */
#define TEST_TRANSPORT_OPS                                         \
	.device_type = test_transport_device_type,                 \
	.device_features = test_transport_device_features,         \
	.set_driver_features = test_transport_set_driver_features, \
	.get_status = test_transport_get_status,                   \
	.max_queue_size = test_transport_max_queue_size,           \
	.ack_interrupt = test_transport_ack_interrupt,             \
	.is_legacy = test_transport_is_legacy

#endif /* VIRTSIM_TESTS_TEST_TRANSPORT_H */
