/* SPDX-License-Identifier: MIT */
#include "tests/test_transport.h"

#include "sim/irq.h"
#include "sim/machine.h"

static struct test_transport *to_tt(struct virtio_transport *t)
{
	return (struct test_transport *)t;
}

void test_transport_init(struct test_transport *tt,
			 const struct virtio_transport_ops *ops,
			 struct machine *m)
{
	tt->base.ops = ops;
	tt->base.hal = machine_hal(m);
	tt->irq = &m->irq;
}

uint32_t test_transport_device_type(struct virtio_transport *t)
{
	return to_tt(t)->type;
}

uint64_t test_transport_device_features(struct virtio_transport *t)
{
	return to_tt(t)->dev_features;
}

void test_transport_set_driver_features(struct virtio_transport *t, uint64_t f)
{
	to_tt(t)->drv_features = f;
}

uint8_t test_transport_get_status(struct virtio_transport *t)
{
	return to_tt(t)->status;
}

uint16_t test_transport_max_queue_size(struct virtio_transport *t, uint16_t q)
{
	struct test_transport *tt = to_tt(t);

	return q < sizeof(tt->qmax) / sizeof(tt->qmax[0]) ? tt->qmax[q] : 0;
}

uint32_t test_transport_ack_interrupt(struct virtio_transport *t)
{
	struct test_transport *tt = to_tt(t);
	uint32_t cause = tt->isr;

	tt->isr = 0;
	irq_set_level(tt->irq, tt->line, false);
	return cause;
}

bool test_transport_is_legacy(struct virtio_transport *t)
{
	return to_tt(t)->legacy;
}

unsigned test_transport_irq_line(struct virtio_transport *t)
{
	return to_tt(t)->line;
}
