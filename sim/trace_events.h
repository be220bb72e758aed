/* SPDX-License-Identifier: MIT */
/*
 * trace_events.h - every trace event of the machine, declared once.
 *
 *   E(name, CATEGORY, WHERE, DECODE, "format", type, arg, type, arg, ...)
 *
 * WHERE is what the event is about, printed before the format and passed
 * first to the probe: NONE, DEV (device name and instance) or DEVQ (and
 * a queue). DECODE names a decoder in trace.c that appends to the line
 * (none: nothing); arguments past the format's conversions are for it and
 * for the probe. From this list sim/trace.h makes trace_<name>(t, ...)
 * call sites (a disabled category costs one load and a branch) and, with
 * --enable-usdt, a probe virtsim:<name> at each of them; sim/trace.c
 * makes the text lines. Arguments: integers and const char * only.
 */
#ifndef VIRTSIM_SIM_TRACE_EVENTS_H
#define VIRTSIM_SIM_TRACE_EVENTS_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

/* clang-format off */
#define TRACE_EVENTS(E)							\
	/* sim/bus.c */							\
	E(bus_map, MMIO, NONE, none,					\
	  "map %s [0x%" PRIx64 ", 0x%" PRIx64 ")",			\
	  const char *, region, uint64_t, base, uint64_t, end)		\
	E(bus_unmap, MMIO, NONE, none, "unmap %s at 0x%" PRIx64,	\
	  const char *, region, uint64_t, base)				\
	E(bus_unmapped, MMIO, NONE, none,				\
	  "unmapped %s addr=0x%" PRIx64 " size=%u",			\
	  const char *, what, uint64_t, addr, unsigned, size)		\
	E(bus_refused, MMIO, NONE, none,				\
	  "refused %s %s+0x%" PRIx64 " size=%u",			\
	  const char *, what, const char *, region, uint64_t, off,	\
	  unsigned, size)						\
	E(bus_read, MMIO, NONE, none,					\
	  "read  %s+0x%03" PRIx64 " size=%u val=0x%x",			\
	  const char *, region, uint64_t, off, unsigned, size,		\
	  unsigned, val)						\
	E(bus_write, MMIO, NONE, none,					\
	  "write %s+0x%03" PRIx64 " size=%u val=0x%x",			\
	  const char *, region, uint64_t, off, unsigned, size,		\
	  unsigned, val)						\
	/* devices/virtio/virtio_mmio.c: registers, decoded */		\
	E(vmmio_read, MMIO, DEVQ, mmio_reg,				\
	  "read  0x%03" PRIx64 " size=%u val=0x%x",			\
	  uint64_t, off, unsigned, size, unsigned, val,			\
	  unsigned, features_sel, unsigned, device_id)			\
	E(vmmio_write, MMIO, DEVQ, mmio_reg,				\
	  "write 0x%03" PRIx64 " size=%u val=0x%x",			\
	  uint64_t, off, unsigned, size, unsigned, val,			\
	  unsigned, features_sel, unsigned, device_id)			\
	E(vmmio_read_size, MMIO, DEV, none,				\
	  "%u-byte read of register 0x%03" PRIx64 " ignored",		\
	  unsigned, size, uint64_t, off)				\
	E(vmmio_read_unknown, MMIO, DEV, none,				\
	  "read of write-only or unknown register 0x%03" PRIx64,	\
	  uint64_t, off)						\
	E(vmmio_queue_size, MMIO, DEVQ, none, "queue size %u refused",	\
	  unsigned, size)						\
	E(vmmio_queue_frozen, MMIO, DEVQ, none,				\
	  "queue layout write while live ignored")			\
	E(vmmio_empty_write, MMIO, NONE, none,				\
	  "empty slot: write 0x%03" PRIx64 " ignored", uint64_t, off)	\
	E(vmmio_write_size, MMIO, DEV, none,				\
	  "%u-byte write of register 0x%03" PRIx64 " ignored",		\
	  unsigned, size, uint64_t, off)				\
	E(vmmio_align, MMIO, DEV, none, "QueueAlign %u refused",	\
	  unsigned, val)						\
	E(vmmio_write_unknown, MMIO, DEV, none,				\
	  "write 0x%x to read-only or unknown register 0x%03" PRIx64	\
	  " ignored", unsigned, val, uint64_t, off)			\
	/* devices/virtio/vq_dev.c */					\
	E(vq_reject, VQ, DEVQ, none,					\
	  "reject chain at avail %u: %s (%s)",				\
	  unsigned, avail, const char *, error, const char *, detail)	\
	E(vq_pop, VQ, DEVQ, none,					\
	  "pop head=%u out=%u/%" PRIu64 " in=%u/%" PRIu64,		\
	  unsigned, head, unsigned, n_out, uint64_t, out_bytes,		\
	  unsigned, n_in, uint64_t, in_bytes)				\
	E(vq_push, VQ, DEVQ, none, "push head=%u len=%u used_idx=%u",	\
	  unsigned, head, unsigned, len, unsigned, used_idx)		\
	E(vq_used_jump, VQ, DEVQ, none, "used_idx jumps %u to %u",	\
	  unsigned, n, unsigned, used_idx)				\
	/* sim/irq.c */							\
	E(irq_level, IRQ, NONE, level, "line %u", unsigned, line,	\
	  unsigned, level)						\
	E(irq_deliver, IRQ, NONE, none, "line %u delivered",		\
	  unsigned, line)						\
	/* sim/pci_host.c: bus:dev.fn first */				\
	E(pci_bar_unmap, PCI, NONE, none,				\
	  "%02x:%02x.%u %s: BAR%u unmapped from 0x%" PRIx64,		\
	  unsigned, bus, unsigned, slot, unsigned, fn,			\
	  const char *, name, unsigned, bar, uint64_t, addr)		\
	E(pci_bar_off, PCI, NONE, none,					\
	  "%02x:%02x.%u %s: BAR%u at 0x%" PRIx64 " not decoded: %s",	\
	  unsigned, bus, unsigned, slot, unsigned, fn,			\
	  const char *, name, unsigned, bar, uint64_t, addr,		\
	  const char *, why)						\
	E(pci_bar_map, PCI, NONE, none,					\
	  "%02x:%02x.%u %s: BAR%u mapped at 0x%" PRIx64			\
	  " size 0x%" PRIx64,						\
	  unsigned, bus, unsigned, slot, unsigned, fn,			\
	  const char *, name, unsigned, bar, uint64_t, addr,		\
	  uint64_t, size)						\
	E(pci_intx, PCI, NONE, none, "%02x:%02x.%u %s: INTx %s",	\
	  unsigned, bus, unsigned, slot, unsigned, fn,			\
	  const char *, name, const char *, what)			\
	E(pci_command, PCI, NONE, none,					\
	  "%02x:%02x.%u %s: command 0x%04x -> 0x%04x",			\
	  unsigned, bus, unsigned, slot, unsigned, fn,			\
	  const char *, name, unsigned, old, unsigned, cmd)		\
	E(pci_add, PCI, NONE, none,					\
	  "%02x:%02x.%u %s: added (%04x:%04x)%s",			\
	  unsigned, bus, unsigned, slot, unsigned, fn,			\
	  const char *, name, unsigned, vendor, unsigned, device,	\
	  const char *, multi)						\
	E(pci_cfg_read, PCI, NONE, pci_cfg_reg,				\
	  "%02x:%02x.%u cfg read  0x%03x size=%u val=0x%x",		\
	  unsigned, bus, unsigned, slot, unsigned, fn,			\
	  unsigned, reg, unsigned, size, unsigned, val)			\
	E(pci_cfg_absent, PCI, NONE, none,				\
	  "cfg write to absent function at ECAM+0x%" PRIx64 " dropped",	\
	  uint64_t, off)						\
	E(pci_cfg_write, PCI, NONE, pci_cfg_reg,			\
	  "%02x:%02x.%u cfg write 0x%03x size=%u val=0x%x",		\
	  unsigned, bus, unsigned, slot, unsigned, fn,			\
	  unsigned, reg, unsigned, size, unsigned, val)			\
	/* devices/virtio/virtio_pci.c: BAR registers, decoded */	\
	E(vpci_read, MMIO, DEVQ, pci_reg,				\
	  "read  bar+0x%04" PRIx64 " size=%u val=0x%x",			\
	  uint64_t, off, unsigned, size, unsigned, val,			\
	  unsigned, features_sel, unsigned, device_id)			\
	E(vpci_write, MMIO, DEVQ, pci_reg,				\
	  "write bar+0x%04" PRIx64 " size=%u val=0x%x",			\
	  uint64_t, off, unsigned, size, unsigned, val,			\
	  unsigned, features_sel, unsigned, device_id)			\
	E(vpci_queue_size, PCI, DEVQ, none, "queue size %u refused",	\
	  unsigned, size)						\
	E(vpci_queue_enable, PCI, DEVQ, none,				\
	  "queue_enable=%u ignored", unsigned, val)			\
	E(vpci_queue_missing, PCI, DEVQ, none,				\
	  "%s of missing queue ignored", const char *, what)		\
	E(vpci_queue_live, PCI, DEVQ, none, "%s of live queue ignored",	\
	  const char *, what)						\
	E(vpci_ring_addr_size, PCI, DEV, none,				\
	  "%u-byte write of ring address 0x%02x ignored",		\
	  unsigned, size, unsigned, off)				\
	E(vpci_queue_reset, PCI, DEV, none,				\
	  "queue_reset without RING_RESET ignored")			\
	E(vpci_common_ignored, PCI, DEV, none,				\
	  "common cfg write 0x%x at 0x%02x size %u ignored",		\
	  unsigned, val, unsigned, off, unsigned, size)			\
	E(vpci_notify_size, PCI, DEV, none,				\
	  "%u-byte notify at 0x%x ignored", unsigned, size,		\
	  unsigned, off)						\
	E(vpci_notify_other, PCI, DEVQ, none,				\
	  "notify at queue %u's address", unsigned, at)			\
	E(vpci_notify_no_master, PCI, DEVQ, none,			\
	  "notify dropped: bus master off")				\
	E(vpci_isr_write, PCI, DEV, none, "ISR write ignored")		\
	E(vpci_cfg_window, PCI, DEV, none,				\
	  "PCI_CFG access bar %u offset 0x%x length %u ignored",	\
	  unsigned, bar, unsigned, off, unsigned, len)			\
	/* devices/virtio/virtio_dev.c: status, features, queues */	\
	E(dev_reset, DEV, DEV, none, "reset")				\
	E(dev_unoffered, DEV, DEV, features,				\
	  "refuse FEATURES_OK: unoffered 0x%" PRIx64,			\
	  uint64_t, features, unsigned, device_id)			\
	E(dev_no_version_1, DEV, DEV, none,				\
	  "refuse FEATURES_OK: no VERSION_1")				\
	E(dev_no_access_platform, DEV, DEV, none,			\
	  "refuse FEATURES_OK: no ACCESS_PLATFORM")			\
	E(dev_dma, DEV, DEV, none, "DMA %s", const char *, state)	\
	E(dev_model_refuses, DEV, DEV, features,			\
	  "model refuses features 0x%" PRIx64,				\
	  uint64_t, features, unsigned, device_id)			\
	E(dev_features_ok_dropped, DEV, DEV, none,			\
	  "refuse FEATURES_OK: fault features-ok-dropped")		\
	E(dev_status_clear, DEV, DEV, status_bits,			\
	  "driver tried to clear status 0x%x", unsigned, status)	\
	E(dev_driver_ok_early, DEV, DEV, none,				\
	  "DRIVER_OK without FEATURES_OK refused")			\
	E(dev_status, DEV, DEV, status, "status 0x%02x -> 0x%02x",	\
	  unsigned, old, unsigned, status)				\
	E(dev_features, DEV, DEV, features, "features 0x%" PRIx64,	\
	  uint64_t, features, unsigned, device_id)			\
	E(dev_features_window, DEV, DEV, none,				\
	  "driver features window %u ignored", unsigned, sel)		\
	E(dev_features_late, DEV, DEV, none,				\
	  "features written after FEATURES_OK")				\
	E(dev_config_range, DEV, DEV, none,				\
	  "config write at %u out of range", unsigned, off)		\
	E(dev_config_hostile, DEV, DEV, none,				\
	  "fault hostile %s: generation %u", const char *, kind,	\
	  unsigned, generation)						\
	E(dev_config_changed, DEV, DEV, none,				\
	  "config changed, generation %u", unsigned, generation)	\
	E(dev_queue_rings, DEV, DEVQ, none,				\
	  "queue size %u desc 0x%" PRIx64 " avail 0x%" PRIx64		\
	  " used 0x%" PRIx64 " refused: rings not in RAM",		\
	  unsigned, size, uint64_t, desc, uint64_t, avail,		\
	  uint64_t, used)						\
	E(dev_queue_nomem, DEV, DEVQ, none,				\
	  "queue refused: no memory for %u requests", unsigned, size)	\
	E(dev_queue_enable, DEV, DEVQ, none,				\
	  "queue enabled, size %u", unsigned, size)			\
	E(dev_queue_stop, DEV, DEVQ, none,				\
	  "queue stopped with %u requests in flight",			\
	  unsigned, in_flight)						\
	E(dev_notify_missing, DEV, DEVQ, none,				\
	  "notify for missing queue ignored")				\
	E(dev_notify_ignored, DEV, DEVQ, status_paren,			\
	  "notify ignored (status 0x%02x%s)", unsigned, status,	\
	  const char *, broken)						\
	E(dev_queue_stall, DEV, DEVQ, none, "fault queue-stall")	\
	E(dev_req_hostile, DEV, DEVQ, none,				\
	  "head %u: fault hostile %s", unsigned, head,			\
	  const char *, kind)						\
	E(dev_irq_hostile, DEV, DEVQ, none,				\
	  "fault hostile %s: %u more %s", const char *, kind,		\
	  unsigned, n, const char *, what)				\
	E(dev_error_again, DEV, DEV, none,				\
	  "further guest error while broken")				\
	E(dev_needs_reset, DEV, DEV, none, "needs reset: %s",		\
	  const char *, reason)						\
	E(dev_strict, DEV, DEV, none, "strict: %s %s",			\
	  const char *, rule, const char *, what)			\
	/* devices/virtio/virtio_dev.c: requests */			\
	E(req_start, REQ, DEVQ, none,					\
	  "start head=%u out=%" PRIu64 " in=%" PRIu64,			\
	  unsigned, head, uint64_t, out_bytes, uint64_t, in_bytes)	\
	E(req_complete, REQ, DEVQ, none, "complete head=%u len=%u",	\
	  unsigned, head, unsigned, len)				\
	/* devices/blk */						\
	E(blk_config_ro, BLK, DEV, none,				\
	  "driver wrote read-only config [%u, %u)", unsigned, off,	\
	  unsigned, end)						\
	E(blk_misaligned, BLK, DEV, none,				\
	  "%s of %zu bytes at sector %" PRIu64				\
	  " not aligned to %u-byte blocks",				\
	  const char *, op, size_t, len, uint64_t, sector,		\
	  unsigned, blk_size)						\
	E(blk_req, BLK, DEVQ, none,					\
	  "head=%u type=%u sector=%" PRIu64 " len=%zu status=%u",	\
	  unsigned, head, unsigned, type, uint64_t, sector,		\
	  size_t, len, unsigned, status)				\
	/* devices/net */						\
	E(net_config_ro, DEV, DEV, none,				\
	  "driver wrote read-only config [%u, %u)", unsigned, off,	\
	  unsigned, end)						\
	E(net_link, NET, DEV, none, "link %s", const char *, state)	\
	E(net_tx, NET, DEV, none, "tx frame of %zu bytes",		\
	  size_t, len)							\
	E(net_tx_drop, NET, DEV, none,					\
	  "tx frame of %zu bytes dropped: %s", size_t, len,		\
	  const char *, why)						\
	E(net_rx, NET, DEV, none, "rx frame of %zu bytes",		\
	  size_t, len)							\
	E(net_rx_drop, NET, DEV, none,					\
	  "rx frame of %zu bytes dropped: %s", size_t, len,		\
	  const char *, why)						\
	E(net_rx_small, NET, DEV, none,					\
	  "rx buffer of %" PRIu64 " bytes is too small for a "		\
	  "%zu-byte frame", uint64_t, room, size_t, len)		\
	E(net_rx_room, NET, DEV, none,					\
	  "rx ring holds %" PRIu64 " bytes, too few for a "		\
	  "%zu-byte frame", uint64_t, room, size_t, len)		\
	E(net_rx_backlog_drop, NET, DEV, none,				\
	  "%u waiting rx frames dropped: %s", unsigned, n,		\
	  const char *, why)						\
	E(net_slirp_error, NET, NONE, none, "slirp: guest error: %s",	\
	  const char *, msg)						\
	/* devices/gpu */						\
	E(gpu_events_read, DEV, DEV, none,				\
	  "driver wrote events_read (ignored)")				\
	E(gpu_refused, DEV, DEV, none, "refused (0x%x): %s",		\
	  unsigned, code, const char *, why)				\
	E(gpu_no_room, DEV, DEV, none, "no room for a response")	\
	E(gpu_resp_size, DEV, DEV, none,				\
	  "response of %zu bytes does not fit", size_t, len)		\
	/* sim/sim_hal.c */						\
	E(hal_alloc_fail, HAL, NONE, none, "dma_alloc pages=%zu failed",	\
	  size_t, pages)						\
	E(hal_alloc, HAL, NONE, none,					\
	  "dma_alloc pages=%zu paddr=0x%" PRIx64, size_t, pages,	\
	  uint64_t, paddr)						\
	E(hal_free, HAL, NONE, none,					\
	  "dma_free pages=%zu paddr=0x%" PRIx64, size_t, pages,		\
	  uint64_t, paddr)						\
	E(hal_share_fault, HAL, NONE, none, "share len=%zu: fault",	\
	  size_t, len)							\
	E(hal_bounce, HAL, NONE, none,					\
	  "bounce len=%zu paddr=0x%" PRIx64, size_t, len,		\
	  uint64_t, paddr)						\
	E(hal_map, HAL, NONE, none,					\
	  "map len=%zu paddr=0x%" PRIx64, size_t, len, uint64_t, paddr)	\
	E(hal_unshare_unknown, HAL, NONE, none,				\
	  "unshare of unknown buffer paddr=0x%" PRIx64 " len=%zu",	\
	  uint64_t, paddr, size_t, len)					\
	/* sim/sched.h: the hashed events (the hash is not made here) */	\
	E(sched_notify, SCHED, DEVQ, none, "notify")			\
	E(sched_complete, SCHED, DEVQ, none,				\
	  "complete head=%" PRIu64 " len=%" PRIu64, uint64_t, head,	\
	  uint64_t, len)						\
	E(sched_irq, SCHED, DEVQ, none, "irq %s", const char *, what)	\
	E(sched_deliver, SCHED, NONE, none, "cpu deliver lines 0x%" PRIx64,	\
	  uint64_t, lines)
/* clang-format on */

#endif /* VIRTSIM_SIM_TRACE_EVENTS_H */
