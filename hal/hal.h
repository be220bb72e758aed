/* SPDX-License-Identifier: MIT */
/*
 * hal.h - the only door from the driver stack to the platform.
 *
 * Everything in drivers/ reaches memory, registers and interrupts through
 * struct hal. The simulated HAL (sim/sim_hal.c) implements it on guest RAM
 * and the simulated bus; a bare-metal port implements the same ops table
 * with real pointers. Freestanding: only <stdint.h>, <stddef.h>, <stdbool.h>.
 */
#ifndef VIRTSIM_HAL_H
#define VIRTSIM_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HAL_PAGE_SIZE 4096u

/* Direction of a shared buffer, as seen by the device. */
enum hal_dma_dir {
	HAL_DMA_TO_DEVICE = 1,   /* device reads it */
	HAL_DMA_FROM_DEVICE = 2, /* device writes it */
	HAL_DMA_BOTH = 3,
};

/* HAL functions return 0 or one of these, negated. */
enum hal_err {
	HAL_ENOMEM = 1, /* no DMA memory (or a bounce buffer) left */
	HAL_EINVAL,     /* bad argument: zero length, unaligned, unknown buffer */
	HAL_EIDLE,      /* wait: nothing pending and nothing can make progress */
};

struct hal_ops {
	/*
	 * Allocate @pages zeroed, page-aligned, physically contiguous pages.
	 * *paddr is the device-visible address, *vaddr the driver's pointer.
	 */
	int (*dma_alloc)(void *ctx, size_t pages, uint64_t *paddr, void **vaddr);
	int (*dma_free)(void *ctx, uint64_t paddr, void *vaddr, size_t pages);
	/*
	 * Make @buf visible to the device and return its device address.
	 * A buffer outside DMA-able memory is bounced; unshare copies a
	 * FROM_DEVICE bounce back into @buf and releases the mapping.
	 */
	int (*share)(void *ctx, void *buf, size_t len, enum hal_dma_dir dir,
		     uint64_t *paddr);
	int (*unshare)(void *ctx, uint64_t paddr, void *buf, size_t len,
		       enum hal_dma_dir dir);
	/* mmio_phys_to_virt: a handle for the MMIO accessors, 0 on failure. */
	uintptr_t (*mmio_map)(void *ctx, uint64_t paddr, size_t size);
	/*
	 * @size is 1, 2 or 4 bytes; values are in CPU order (the registers
	 * are little-endian: a big-endian CPU's HAL swaps).
	 *
	 * Ordering: an MMIO write must reach the device only after every
	 * earlier store to DMA memory (descriptors, ring entries, the
	 * avail index, request headers) is visible to it, so that a
	 * notify never overtakes the ring it announces: on Arm a "dsb st"
	 * (or "dmb oshst") before the store, what Linux's writel does; on
	 * x86 a compiler barrier. An MMIO read must complete before any
	 * later load from DMA memory (a barrier after the load on Arm):
	 * reading an interrupt status, then the used ring, sees the ring as
	 * the device left it. Drivers rely on both and add no barrier of
	 * their own around MMIO.
	 */
	uint32_t (*mmio_read)(void *ctx, uintptr_t addr, unsigned size);
	void (*mmio_write)(void *ctx, uintptr_t addr, uint32_t val,
			   unsigned size);
	/* Lines may be shared: several (handler, arg) pairs on one line. */
	int (*irq_register)(void *ctx, unsigned line,
			    void (*handler)(void *arg), void *arg);
	void (*irq_unregister)(void *ctx, unsigned line,
			       void (*handler)(void *arg), void *arg);
	/*
	 * Idle the CPU until something happens (WFI): pending interrupts are
	 * delivered to their handlers here and nowhere else. Returns 0, or
	 * -HAL_EIDLE when nothing is pending and nothing could become so.
	 */
	int (*wait)(void *ctx);
	/*
	 * Optional (NULL: the platform has no clock for drivers): monotonic
	 * nanoseconds from any origin, a free-running timer on hardware, the
	 * event loop's virtual clock in the simulator. Drivers only measure
	 * how long a device made no progress with it (virtio_device_wait).
	 */
	uint64_t (*now_ns)(void *ctx);
};

struct hal {
	const struct hal_ops *ops;
	void *ctx;
};

static inline int hal_dma_alloc(const struct hal *h, size_t pages,
				uint64_t *paddr, void **vaddr)
{
	return h->ops->dma_alloc(h->ctx, pages, paddr, vaddr);
}

static inline int hal_dma_free(const struct hal *h, uint64_t paddr,
			       void *vaddr, size_t pages)
{
	return h->ops->dma_free(h->ctx, paddr, vaddr, pages);
}

static inline int hal_share(const struct hal *h, void *buf, size_t len,
			    enum hal_dma_dir dir, uint64_t *paddr)
{
	return h->ops->share(h->ctx, buf, len, dir, paddr);
}

static inline int hal_unshare(const struct hal *h, uint64_t paddr, void *buf,
			      size_t len, enum hal_dma_dir dir)
{
	return h->ops->unshare(h->ctx, paddr, buf, len, dir);
}

static inline uintptr_t hal_mmio_map(const struct hal *h, uint64_t paddr,
				     size_t size)
{
	return h->ops->mmio_map(h->ctx, paddr, size);
}

static inline uint8_t hal_mmio_read8(const struct hal *h, uintptr_t addr)
{
	return (uint8_t)h->ops->mmio_read(h->ctx, addr, 1);
}

static inline uint16_t hal_mmio_read16(const struct hal *h, uintptr_t addr)
{
	return (uint16_t)h->ops->mmio_read(h->ctx, addr, 2);
}

static inline uint32_t hal_mmio_read32(const struct hal *h, uintptr_t addr)
{
	return h->ops->mmio_read(h->ctx, addr, 4);
}

static inline void hal_mmio_write8(const struct hal *h, uintptr_t addr,
				   uint8_t val)
{
	h->ops->mmio_write(h->ctx, addr, val, 1);
}

static inline void hal_mmio_write16(const struct hal *h, uintptr_t addr,
				    uint16_t val)
{
	h->ops->mmio_write(h->ctx, addr, val, 2);
}

static inline void hal_mmio_write32(const struct hal *h, uintptr_t addr,
				    uint32_t val)
{
	h->ops->mmio_write(h->ctx, addr, val, 4);
}

static inline int hal_irq_register(const struct hal *h, unsigned line,
				   void (*handler)(void *arg), void *arg)
{
	return h->ops->irq_register(h->ctx, line, handler, arg);
}

static inline void hal_irq_unregister(const struct hal *h, unsigned line,
				      void (*handler)(void *arg), void *arg)
{
	h->ops->irq_unregister(h->ctx, line, handler, arg);
}

static inline int hal_wait(const struct hal *h)
{
	return h->ops->wait(h->ctx);
}

/* The clock of hal_ops.now_ns; without one, a clock that never moves. */
static inline uint64_t hal_now_ns(const struct hal *h)
{
	return h->ops->now_ns ? h->ops->now_ns(h->ctx) : 0;
}

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_HAL_H */
