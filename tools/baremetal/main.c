/* SPDX-License-Identifier: MIT */
/*
 * main.c - the bare-metal guest: the driver stack on QEMU's real VirtIO
 * devices (aarch64 virt machine).
 *
 * The same guest-side platform code as the simulator's guest
 * (drivers/platform): every virtio-mmio slot is probed, the PCIe bus is
 * enumerated through ECAM, BARs assigned, functions probed; the device
 * table is printed; then every device found is brought up through its
 * adapter and exercised (disks.c, net_gpu.c). Each check prints one
 * "PASS: ..." or "FAIL: ..." line; the last line says how many of each
 * ("bm: done, N passed, M failed"), and the guest powers off.
 */
#include "tools/baremetal/bm.h"

#include "drivers/adapter/adapter.h"
#include "drivers/pci/pci.h"
#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_pci.h"
#include "hal/aarch64-virt/board.h"
#include "hal/aarch64-virt/fdt.h"
#include "tools/baremetal/bm_print.h"

const struct hal *bm_hal;
static struct platform plat;
static unsigned passed, failed;

bool bm_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	bm_printf(ok ? "PASS: " : "FAIL: ");
	va_start(ap, fmt);
	bm_vprintf(fmt, ap);
	va_end(ap);
	bm_printf("\n");
	if (ok)
		passed++;
	else
		failed++;
	return ok;
}

/* pcie@10000000 interrupt-map: pin p of device d is SPI 3 + (d + p - 1) % 4. */
static unsigned virt_intx_route(void *ctx, uint32_t bdf, uint8_t pin)
{
	unsigned dev = (bdf >> 3) & 31u;

	if (pin < 1 || pin > 4)
		return VIRTIO_NO_IRQ;
	return BOARD_GIC_SPI(BOARD_PCI_INTX_SPI + (dev + pin - 1) % 4);
}

static const char *virtio_name(uint32_t id)
{
	switch (id) {
	case 0:
		return "-";
	case VIRTIO_ID_NET:
		return "virtio-net";
	case VIRTIO_ID_BLOCK:
		return "virtio-blk";
	case VIRTIO_ID_GPU:
		return "virtio-gpu";
	}
	return "virtio-?";
}

static const char *irq_str(unsigned line, char *buf, size_t n)
{
	if (line == VIRTIO_NO_IRQ)
		return "-";
	bm_snprintf(buf, n, "%u", line);
	return buf;
}

static void print_table(void)
{
	char irq[12];

	bm_printf("MMIO slots (%u probed; empty ones not shown)\n"
		  "slot  address     ver  id  type     name        irq\n",
		  plat.mmio_count);
	for (unsigned i = 0; i < plat.mmio_count; i++) {
		const struct platform_mmio_slot *s = &plat.mmio[i];

		if (!s->dev.device_id)
			continue;
		bm_printf("%4u  0x%08lx  v%-2u %3u  %-7s  %-10s  %s\n", i,
			  (unsigned long)s->base, s->version, s->dev.device_id,
			  s->dev.found ? dev_type_name(s->dev.type) : "none",
			  virtio_name(s->dev.device_id),
			  irq_str(s->dev.irq_line, irq, sizeof(irq)));
	}
	bm_printf("PCI functions (%u)\n"
		  "bdf      vendor:device  class   id  type     name        "
		  "irq  bars\n",
		  plat.pci_count);
	for (unsigned i = 0; i < plat.pci_count; i++) {
		const struct platform_pci_function *f = &plat.pci[i];

		bm_printf(
		    "%02x:%02x.%u  %04x:%04x      %02x%02x  %3u  %-7s  "
		    "%-10s  %-3s ",
		    f->bdf >> 8, (f->bdf >> 3) & 31, f->bdf & 7,
		    f->info.vendor_id, f->info.device_id, f->info.class_code,
		    f->info.subclass, f->dev.device_id,
		    f->dev.found ? dev_type_name(f->dev.type) : "none",
		    virtio_name(f->dev.device_id),
		    irq_str(f->dev.found ? f->dev.irq_line : VIRTIO_NO_IRQ, irq,
			    sizeof(irq)));
		for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
			const struct pci_bar_info *bar = &f->bars[b];
			static const char *const kind[] = {"", "mem32", "mem64",
							   "io"};

			if (bar->type == PCI_BAR_NONE)
				continue;
			bm_printf(" bar%u:%s@0x%lx+0x%lx", b, kind[bar->type],
				  (unsigned long)bar->address,
				  (unsigned long)bar->size);
		}
		if (f->bar_error)
			bm_printf(" (bar error %d)", f->bar_error);
		bm_printf("\n");
	}
}

static void run_devices(void)
{
	unsigned nblk = 0, nnet = 0, ngpu = 0;

	for (unsigned i = 0; i < plat.mmio_count + plat.pci_count; i++) {
		bool mmio = i < plat.mmio_count;
		struct platform_device *d =
		    mmio ? &plat.mmio[i].dev
			 : &plat.pci[i - plat.mmio_count].dev;
		char where[24];

		if (!d->found)
			continue;
		if (mmio)
			bm_snprintf(where, sizeof(where), "mmio%u", i);
		else
			bm_snprintf(where, sizeof(where), "pci%02x:%02x.%u",
				    plat.pci[i - plat.mmio_count].bdf >> 8,
				    (plat.pci[i - plat.mmio_count].bdf >> 3) &
					31,
				    plat.pci[i - plat.mmio_count].bdf & 7);
		switch (d->type) {
		case DEV_TYPE_BLOCK:
			bm_disk_test(d, where);
			nblk++;
			break;
		case DEV_TYPE_NET:
			bm_net_test(d, where);
			nnet++;
			break;
		case DEV_TYPE_DISPLAY:
			bm_gpu_test(d, where);
			ngpu++;
			break;
		default:
			break;
		}
	}
	bm_printf("bm: devices tested: %u block, %u net, %u display\n", nblk,
		  nnet, ngpu);
}

/*
 * The PCIe ECAM from QEMU's device tree when it left one at the bottom of
 * RAM (it moves to 0x3f000000, 16 buses, with highmem=off), else the
 * high one of board.h.
 */
static void pci_ecam(uint64_t *base, unsigned *buses, const char **from)
{
	const void *fdt = fdt_at(BOARD_RAM_BASE);
	uint64_t addr, size;

	*base = BOARD_PCI_ECAM_BASE;
	*buses = BOARD_PCI_ECAM_BUSES;
	*from = "board.h";
	if (fdt && fdt_root_child_reg(fdt, "pcie@", 0, &addr, &size) &&
	    size >= (1u << 20) && size <= 256ull << 20) {
		*base = addr;
		*buses = (unsigned)(size >> 20); /* 1 MiB of ECAM per bus */
		*from = "the device tree";
	}
}

int bm_main(void)
{
	static struct platform_mmio_window w[BOARD_VIRTIO_MMIO_COUNT];
	struct platform_pci_root root = {
	    .ecam_base = BOARD_PCI_ECAM_BASE,
	    .buses = BOARD_PCI_ECAM_BUSES,
	    .mmio_base = BOARD_PCI_MMIO_BASE,
	    .mmio_size = BOARD_PCI_MMIO_SIZE,
	    .intx_route = virt_intx_route,
	    .intx_ctx = NULL,
	};
	const struct hal *hal = virt_hal_init();
	const char *ecam_from;
	int err;

	bm_printf("bm: virtsim bare-metal guest, %s-endian, EL%u, GICv%u\n",
#ifdef __AARCH64EB__
		  "big",
#else
		  "little",
#endif
		  bm_current_el(), virt_hal_gic_version());
	bm_hal = hal;
	platform_init(&plat, hal);
	for (unsigned i = 0; i < BOARD_VIRTIO_MMIO_COUNT; i++)
		w[i] = (struct platform_mmio_window){
		    BOARD_VIRTIO_MMIO_BASE + i * BOARD_VIRTIO_MMIO_STRIDE,
		    BOARD_VIRTIO_MMIO_STRIDE,
		    BOARD_GIC_SPI(BOARD_VIRTIO_MMIO_SPI + i)};
	platform_probe_mmio(&plat, w, BOARD_VIRTIO_MMIO_COUNT);
	pci_ecam(&root.ecam_base, &root.buses, &ecam_from);
	err = platform_probe_pci(&plat, &root);
	bm_check(err == 0, "pci: ECAM at 0x%lx, %u buses, from %s (%d)",
		 (unsigned long)root.ecam_base, root.buses, ecam_from, err);
	print_table();
	run_devices();
	bm_check(virt_hal_dma_pages_used() == 0,
		 "dma: every page back in the pool (%u used)",
		 virt_hal_dma_pages_used());
	bm_printf("bm: done, %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
