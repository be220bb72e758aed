/* SPDX-License-Identifier: MIT */
/*
 * platform.c - MMIO probing and PCI enumeration, BAR assignment and
 * probing, for whatever machine the HAL reaches.
 */
#include "drivers/platform/platform.h"

#include <string.h>

#include "drivers/adapter/adapter.h"
#include "drivers/wire/virtio_mmio.h"

void platform_init(struct platform *p, const struct hal *hal)
{
	memset(p, 0, sizeof(*p));
	p->hal = hal;
}

static void platform_probe_slot(struct platform *p,
				struct platform_mmio_slot *s,
				const struct platform_mmio_window *w)
{
	uintptr_t regs = hal_mmio_map(p->hal, w->base, w->size);

	s->base = w->base;
	s->dev.irq_line = w->irq_line;
	/* What the header says, for the device table, even for "none". */
	if (regs && w->size >= VIRTIO_MMIO_CONFIG) {
		s->version =
		    hal_mmio_read32(p->hal, regs + VIRTIO_MMIO_VERSION);
		s->dev.device_id =
		    hal_mmio_read32(p->hal, regs + VIRTIO_MMIO_DEVICE_ID);
	}
	s->dev.found = probe_mmio_device(p->hal, w->base, w->size,
					 &s->transport, &s->dev.type);
	if (!s->dev.found)
		return;
	/* The window's line is the platform's knowledge, not the device's. */
	s->transport.irq_line = w->irq_line;
	s->dev.transport = &s->transport.base;
}

void platform_probe_mmio(struct platform *p,
			 const struct platform_mmio_window *w, unsigned n)
{
	for (unsigned i = 0; i < n && p->mmio_count < PLATFORM_MAX_MMIO; i++)
		platform_probe_slot(p, &p->mmio[p->mmio_count++], &w[i]);
}

/* Firmware's part: BARs from the window, decoding and bus mastering on. */
static void platform_setup_function(struct platform *p,
				    struct platform_pci_function *f)
{
	struct pci_root *root = &p->pci_root;
	unsigned nbars = pci_bar_count(f->info.header_type);

	f->bar_error = pci_assign_bars(root, f->bdf);
	if (!f->bar_error)
		pci_enable(root, f->bdf);
	for (unsigned b = 0; b < nbars; b++) {
		if (pci_bar_info_read(root, f->bdf, b, &f->bars[b]))
			continue;
		if (f->bars[b].type == PCI_BAR_MEM64)
			b++; /* the upper half stays PCI_BAR_NONE */
	}
}

/* The line the transport takes: the platform's routing over its guess. */
static void platform_route_intx(const struct platform_pci_root *root,
				struct platform_pci_function *f)
{
	uint8_t pin = f->info.interrupt_pin;

	if (pin == 0 || pin > 4)
		return; /* no INTx: the transport said VIRTIO_NO_IRQ */
	if (root->intx_route)
		f->transport.irq_line =
		    root->intx_route(root->intx_ctx, f->bdf, pin);
	else if (root->line_zero_assigned && f->info.interrupt_line == 0)
		f->transport.irq_line = 0;
}

int platform_probe_pci(struct platform *p, const struct platform_pci_root *root)
{
	struct pci_function_info info;
	struct pci_enum it;
	uint32_t bdf;
	int ret;

	ret = pci_root_init(&p->pci_root, p->hal, root->ecam_base, root->buses);
	if (ret)
		return ret;
	p->has_pci = true;
	pci_root_set_mmio_window(&p->pci_root, root->mmio_base,
				 root->mmio_size);
	pci_enum_begin(&it, &p->pci_root, 0);
	while (p->pci_count < PLATFORM_MAX_PCI &&
	       pci_enum_next(&it, &bdf, &info) > 0) {
		struct platform_pci_function *f = &p->pci[p->pci_count++];

		f->bdf = bdf;
		f->info = info;
		f->dev.device_id = virtio_pci_device_type(&info);
		platform_setup_function(p, f);
		f->dev.found = probe_pci_device(&p->pci_root, bdf, &info,
						&f->transport, &f->dev.type);
		if (!f->dev.found)
			continue;
		platform_route_intx(root, f);
		f->dev.irq_line = f->transport.irq_line;
		f->dev.transport = &f->transport.base;
	}
	return 0;
}
