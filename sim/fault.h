/* SPDX-License-Identifier: MIT */
/*
 * fault.h - a machine's fault injector: named fault points where real
 * systems fail, armed by a plan, fired from the seeded fault stream.
 *
 * Every point is declared once, in FAULT_POINTS: `--fault help`, the plan
 * parser and the fault campaign all read that list. A point is a place
 * in the HAL, a transport, the device-side queue or a device model that
 * asks fault_fire() whether to fail this time; what failing means is
 * that place's (the list's text says it). An unarmed point costs one
 * load and a predicted-not-taken branch.
 *
 * A plan arms a point with
 *   count=N  fire at most N times (default: every time it may)
 *   after=N  let the first N hits pass
 *   prob=P   fire with probability P, drawn from the fault stream
 *   dev=N    only for device instance N (the machine's N-th device)
 * so the same seed and plan give the same faults.
 */
#ifndef VIRTSIM_SIM_FAULT_H
#define VIRTSIM_SIM_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "drivers/wire/wire_assert.h"
#include "sim/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X(ID, "name", "where it fires: what it does"); order is --fault help's. */
#define FAULT_POINTS(X)                                                       \
	X(HAL_DMA_ALLOC, "hal-dma-alloc",                                     \
	  "HAL: a DMA allocation fails (out of memory)")                      \
	X(HAL_SHARE, "hal-share",                                             \
	  "HAL: sharing a buffer with the device fails")                      \
	X(BAD_MAGIC, "bad-magic",                                             \
	  "MMIO: a MagicValue read gives 0; the probe says none")             \
	X(BAD_VERSION, "bad-version",                                         \
	  "MMIO: a Version read gives 3; the probe says none")                \
	X(DEVICE_ID_ZERO, "device-id-zero",                                   \
	  "MMIO: a DeviceID read gives 0 (an empty slot); PCI, at attach: "   \
	  "config device id 0x1040 (VirtIO id 0); the probe says none")       \
	X(PCI_NO_COMMON_CFG, "pci-no-common-cfg",                             \
	  "PCI, at attach: no COMMON_CFG capability; the probe says none")    \
	X(PCI_NO_NOTIFY_CFG, "pci-no-notify-cfg",                             \
	  "PCI, at attach: no NOTIFY_CFG capability; the probe says none")    \
	X(PCI_NO_ISR_CFG, "pci-no-isr-cfg",                                   \
	  "PCI, at attach: no ISR_CFG capability; the probe says none")       \
	X(NO_DEVICE_CFG, "no-device-cfg",                                     \
	  "PCI, at attach: no DEVICE_CFG capability (ConfigSpaceMissing)")    \
	X(PCI_NO_PCI_CFG, "pci-no-pci-cfg",                                   \
	  "PCI, at attach: no PCI_CFG capability (drivers need none)")        \
	X(CONFIG_SHORT, "config-short",                                       \
	  "PCI, at attach: DEVICE_CFG is 4 bytes long (ConfigSpaceTooSmall);" \
	  " MMIO has no config length")                                       \
	X(PCI_CAP_LOOP, "pci-cap-loop",                                       \
	  "PCI, at attach: the capability list loops; the probe says none")   \
	X(PCI_CAP_OUTSIDE_BAR, "pci-cap-outside-bar",                         \
	  "PCI, at attach: DEVICE_CFG runs past its BAR "                     \
	  "(ConfigSpaceMissing)")                                             \
	X(PCI_ODD_CAPS, "pci-odd-caps",                                       \
	  "PCI, at attach: capabilities to skip first (PCI-D-05..07)")        \
	X(FEATURES_OK_DROPPED, "features-ok-dropped",                         \
	  "device: setting FEATURES_OK is refused, the re-read lacks it "     \
	  "(Unsupported); modern interfaces only")                            \
	X(NEEDS_RESET, "needs-reset",                                         \
	  "device: a notify of a live queue sets NEEDS_RESET, not run "       \
	  "(IoError)")                                                        \
	X(QUEUE_IN_USE, "queue-in-use",                                       \
	  "transport: an unused queue reads in use (QueueReady, QueuePFN, "   \
	  "queue_enable): set-up says AlreadyUsed")                           \
	X(QUEUE_MAX_SMALL, "queue-max-small",                                 \
	  "transport: QueueNumMax (PCI: queue_size before it is written) "    \
	  "reads 1: too short for a request (blk: InvalidParam)")             \
	X(QUEUE_STALL, "queue-stall",                                         \
	  "queue: at a notify the device stops taking from the queue until "  \
	  "reset; the ring fills (QueueFull)")                                \
	X(USED_WRONG_ID, "used-wrong-id",                                     \
	  "queue: a completion's used entry names id queue-size, no chain "   \
	  "(WrongToken)")                                                     \
	X(USED_BAD_LEN, "used-bad-len",                                       \
	  "queue: a completion's used length is one past the writable "       \
	  "buffers (IoError)")                                                \
	X(USED_DUPLICATE, "used-duplicate",                                   \
	  "queue: a completion is put on the used ring twice (AlreadyUsed)")  \
	X(USED_IDX_JUMP, "used-idx-jump",                                     \
	  "queue: after a completion used->idx jumps a ring's size on "       \
	  "(IoError)")                                                        \
	X(BLK_IOERR, "blk-ioerr",                                             \
	  "blk: a request completes with IOERR (after its I/O)")              \
	X(BLK_UNSUPP, "blk-unsupp", "blk: a request completes with UNSUPP")   \
	X(BLK_BAD_STATUS, "blk-bad-status",                                   \
	  "blk: a request completes with status 0x7f, none the spec defines") \
	X(BLK_SHORT, "blk-short",                                             \
	  "blk: a read completes OK, used length covering half its data")     \
	X(BLK_READ_ERR, "blk-read-err",                                       \
	  "blk: the backing file's read fails (EIO): the request IOERR")      \
	X(BLK_WRITE_ERR, "blk-write-err",                                     \
	  "blk: the backing file's write fails (EIO): the request IOERR")     \
	X(BLK_FLUSH_ERR, "blk-flush-err",                                     \
	  "blk: the backing file's fsync fails (EIO): the request IOERR")     \
	X(NET_LINK_DOWN, "net-link-down",                                     \
	  "net: a hit per frame; while it fires the link is down (config "    \
	  "change), frames dropped")                                          \
	X(NET_DROP_TX, "net-drop-tx",                                         \
	  "net: a transmitted frame is lost on the wire (tx_dropped)")        \
	X(NET_DROP_RX, "net-drop-rx",                                         \
	  "net: a received frame is lost before any buffer (rx_dropped)")     \
	X(NET_RX_BAD_HDR, "net-rx-bad-hdr",                                   \
	  "net: a received frame's 12-byte header has num_buffers 0")         \
	X(GPU_ERROR, "gpu-error",                                             \
	  "gpu: a control command (each is a hit) is answered ERR_UNSPEC, "   \
	  "not run")                                                          \
	X(HOSTILE, "hostile",                                                 \
	  "device: a hit at each hand-off (a completion reaching the used "   \
	  "ring, an interrupt raised, a read of the config generation); a "   \
	  "fire mutates it, one kind drawn from the fault stream: at a "      \
	  "completion a used id past the ring (to 2^32-1) or of a head not "  \
	  "in flight, a used length past the buffers (1 byte to 2^32-1), "    \
	  "used-duplicate, used-idx-jump or needs-reset; at "                 \
	  "an interrupt one more later with no used entry behind it, or a "   \
	  "storm of 2 to 64; at a generation read the generation moves "      \
	  "with no config change")

/*
 * What a fire of "hostile" does, one drawn per fire among the kinds of
 * the hand-off it hit (X(ID, "name", site)). The used-* and needs-reset
 * kinds are those points' own effects.
 */
#define FAULT_HOSTILE_KINDS(X)                     \
	X(WRONG_ID, "used-wrong-id", COMPLETION)   \
	X(STRAY_ID, "used-stray-id", COMPLETION)   \
	X(BAD_LEN, "used-bad-len", COMPLETION)     \
	X(DUPLICATE, "used-duplicate", COMPLETION) \
	X(IDX_JUMP, "used-idx-jump", COMPLETION)   \
	X(NEEDS_RESET, "needs-reset", COMPLETION)  \
	X(IRQ_NO_USED, "irq-no-used", INTERRUPT)   \
	X(IRQ_STORM, "irq-storm", INTERRUPT)       \
	X(GEN_FLAP, "generation-flap", GENERATION)

enum fault_hostile_kind {
#define FAULT_HOSTILE_ENUM_(id, name, site) FAULT_HOSTILE_##id,
	FAULT_HOSTILE_KINDS(FAULT_HOSTILE_ENUM_)
#undef FAULT_HOSTILE_ENUM_
	    FAULT_HOSTILE_NUM_KINDS
};

/* The hand-offs where "hostile" is asked. */
enum fault_hostile_site {
	FAULT_HOSTILE_AT_COMPLETION,
	FAULT_HOSTILE_AT_INTERRUPT,
	FAULT_HOSTILE_AT_GENERATION,
};

enum fault_point {
#define FAULT_ENUM_(id, name, help) FAULT_##id,
	FAULT_POINTS(FAULT_ENUM_)
#undef FAULT_ENUM_
	FAULT_NUM_POINTS
};

WIRE_STATIC_ASSERT(FAULT_NUM_POINTS <= 64, "armed is a 64-bit mask");

#define FAULT_ANY_DEV UINT32_MAX
#define FAULT_MAX_ARMS 64u

/* One line of a plan. */
struct fault_arm {
	enum fault_point point;
	uint64_t count; /* fires at most; 0: no limit */
	uint64_t after; /* hits that pass first */
	double prob;	/* 0 < prob <= 1 */
	uint32_t dev;	/* FAULT_ANY_DEV, or one device instance */
	/* Book-keeping: hits this arm saw (dev matching), fires it made. */
	uint64_t seen, fired;
};

struct fault_injector {
	uint64_t armed; /* bit per point with an arm */
	struct fault_arm arms[FAULT_MAX_ARMS];
	unsigned narms;
	uint64_t hits[FAULT_NUM_POINTS], fires[FAULT_NUM_POINTS];
	struct rng *rng; /* the fault stream; NULL: prob= draws nothing */
	/* Hostile kinds a fire may pick (bit per kind); 0: every kind.
	 * A test hook: no plan sets it. */
	uint32_t hostile_only;
};

/* Empty injector drawing from @rng. */
void fault_init(struct fault_injector *f, struct rng *rng);

/* "hal-dma-alloc" -> point; -1 if no point has that name. */
int fault_point_parse(const char *name, enum fault_point *p);
const char *fault_point_name(enum fault_point p);
const char *fault_point_help(enum fault_point p);
/* Whether @p fires in a device (dev= applies), not in the HAL. */
bool fault_point_has_device(enum fault_point p);
/* `--fault help`: every point, one line each. */
void fault_print_points(FILE *out);

/*
 * Parse "POINT[,count=N][,after=N][,prob=P][,dev=N]" into @arm. Returns
 * 0, or -1 with one line in @err naming the bad part.
 */
int fault_arm_parse(const char *spec, struct fault_arm *arm, char *err,
		    size_t errlen);
/* Add @arm; -1 when the plan is full. */
int fault_add(struct fault_injector *f, const struct fault_arm *arm);

/* Whether any arm of point @p exists. */
static inline bool fault_armed(const struct fault_injector *f,
			       enum fault_point p)
{
	return f && (f->armed >> p & 1);
}

bool fault_fire_slow(struct fault_injector *f, enum fault_point p,
		     uint32_t dev);

/*
 * A hit of point @p in device instance @dev (FAULT_ANY_DEV where there
 * is no device, as in the HAL): true if the fault fires now.
 */
static inline bool fault_fire(struct fault_injector *f, enum fault_point p,
			      uint32_t dev)
{
	if (__builtin_expect(!fault_armed(f, p), 1))
		return false;
	return fault_fire_slow(f, p, dev);
}

/*
 * A hit of "hostile" at @site of device @dev: false, or true with the
 * mutation to make in *@kind, drawn from the fault stream among the
 * site's kinds (those hostile_only allows; with none, no hit).
 */
bool fault_hostile(struct fault_injector *f, enum fault_hostile_site site,
		   uint32_t dev, enum fault_hostile_kind *kind);
const char *fault_hostile_name(enum fault_hostile_kind k);

/* One line per armed point: "fault hal-dma-alloc: 12 hits, 1 fired". */
void fault_report(const struct fault_injector *f, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_SIM_FAULT_H */
