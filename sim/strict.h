/* SPDX-License-Identifier: MIT */
/*
 * strict.h - a machine's strict checker: the driver MUSTs of
 * spec-checklist.md that the device side can observe, each checked at
 * the one place that sees it (device core, device-side queue, MMIO or
 * PCI front-end, device model).
 *
 * Every checked rule is declared once, in STRICT_RULES: `--strict help`
 * and the checks read that list. Strict is off when the environment's
 * checker is NULL; a check then costs one load and a predicted branch,
 * and the device behaves exactly as without it. On, a violation is
 * reported to the checker's hook; the device then goes on as it would
 * have (ignoring, refusing, or NEEDS_RESET), and the hook decides
 * whether the run stops.
 */
#ifndef VIRTSIM_SIM_STRICT_H
#define VIRTSIM_SIM_STRICT_H

#include <stdbool.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* X(ID, "checklist ID", "what the device saw"); order is --strict help's. */
#define STRICT_RULES(X)                                                       \
	X(INIT_D_01, "INIT-D-01",                                             \
	  "status: DRIVER set without ACKNOWLEDGE, or FEATURES_OK or "        \
	  "DRIVER_OK without DRIVER")                                         \
	X(INIT_D_02, "INIT-D-02", "status: a bit cleared without a reset")    \
	X(INIT_D_07, "INIT-D-07",                                             \
	  "status: DRIVER_OK set before FEATURES_OK (modern interface)")      \
	X(INIT_D_08, "INIT-D-08",                                             \
	  "config: device config written before FEATURES_OK (modern)")        \
	X(INIT_D_09, "INIT-D-09",                                             \
	  "features: driver features written after FEATURES_OK")              \
	X(INIT_D_11, "INIT-D-11",                                             \
	  "notify: a queue notified before DRIVER_OK (modern interface)")     \
	X(INIT_D_12, "INIT-D-12",                                             \
	  "queue: a head made available again while the device holds it")     \
	X(FEAT_D_01, "FEAT-D-01",                                             \
	  "features: a feature accepted that was not offered (at "            \
	  "FEATURES_OK; legacy: at the write)")                               \
	X(FEAT_D_07, "FEAT-D-07",                                             \
	  "features: VERSION_1 offered, not accepted at FEATURES_OK")         \
	X(VQ_D_01, "VQ-D-01",                                                 \
	  "queue: enabled with a ring misaligned (desc 16, avail 2, used 4)") \
	X(VQ_D_02, "VQ-D-02",                                                 \
	  "chain: a device-readable buffer after a writable one")             \
	X(VQ_D_03, "VQ-D-03", "chain: longer than 4 GiB in total")            \
	X(VQ_D_05, "VQ-D-05", "chain: INDIRECT without INDIRECT_DESC")        \
	X(VQ_D_06, "VQ-D-06", "chain: INDIRECT inside an indirect table")     \
	X(VQ_D_07, "VQ-D-07",                                                 \
	  "chain: longer than its table (the queue size): a loop")            \
	X(VQ_D_08, "VQ-D-08", "chain: INDIRECT and NEXT on one descriptor")   \
	X(VQ_D_10, "VQ-D-10",                                                 \
	  "avail->idx moved back (or more than the queue size ahead, which "  \
	  "looks the same)")                                                  \
	X(VQ_D_11, "VQ-D-11",                                                 \
	  "avail->flags other than 0 or 1 without EVENT_IDX")                 \
	X(VQ_D_12, "VQ-D-12", "avail->flags not 0 with EVENT_IDX")            \
	X(MMIO_D_01, "MMIO-D-01",                                             \
	  "MMIO: a read-only or unknown register written, or a write-only "   \
	  "or unknown one read")                                              \
	X(MMIO_D_02, "MMIO-D-02",                                             \
	  "MMIO: a control register accessed not as an aligned 32-bit "       \
	  "access")                                                           \
	X(MMIO_D_09, "MMIO-D-09", "MMIO: QueueNum above QueueNumMax")         \
	X(MMIO_D_10, "MMIO-D-10",                                             \
	  "MMIO: QueueNum or a ring address written while QueueReady is 1")   \
	X(MMIO_D_12, "MMIO-D-12",                                             \
	  "MMIO: undefined bits written to InterruptACK")                     \
	X(PCI_D_04, "PCI-D-04",                                               \
	  "PCI: a common config write not at a field's own width")            \
	X(PCI_D_10, "PCI-D-10",                                               \
	  "PCI: device_feature, num_queues, config_generation, "              \
	  "queue_notify_off or queue_notif_config_data written")              \
	X(PCI_D_12, "PCI-D-12",                                               \
	  "PCI: queue_size written with 0 or not a power of 2")               \
	X(PCI_D_15, "PCI-D-15", "PCI: queue_enable written with 0")           \
	X(PCI_D_18, "PCI-D-18",                                               \
	  "PCI: a PCI_CFG access whose length is not 1, 2 or 4, or whose "    \
	  "offset is not a multiple of it")                                   \
	X(PCI_D_19, "PCI-D-19",                                               \
	  "PCI: a PCI_CFG access outside the BAR range of the capabilities")  \
	X(PCI_D_23, "PCI-D-23",                                               \
	  "PCI: a notify not written as 16 bits (no NOTIFICATION_DATA)")      \
	X(PCI_D_24, "PCI-D-24",                                               \
	  "PCI: a notify value that is not the queue index of its address")   \
	X(BLK_D_03, "BLK-D-03",                                               \
	  "blk: a request reads or writes past capacity")                     \
	X(BLK_D_05, "BLK-D-05",                                               \
	  "blk: IN or OUT data length not a multiple of 512")                 \
	X(NET_D_01, "NET-D-01",                                               \
	  "net: a device config field written (modern interface)")            \
	X(GPU_D_01, "GPU-D-01", "gpu: events_read written")

enum strict_rule {
#define STRICT_ENUM_(id, name, help) STRICT_##id,
	STRICT_RULES(STRICT_ENUM_)
#undef STRICT_ENUM_
	    STRICT_NUM_RULES
};

/* A machine's checker; NULL in the environment when strict is off. */
struct strict {
	/*
	 * Called at every violation, after it is counted; NULL: only
	 * counted. @what says what happened, without the rule's ID.
	 */
	void (*violation)(void *opaque, enum strict_rule rule,
			  const char *device, const char *what);
	void *opaque;
	unsigned violations;
	enum strict_rule first; /* the first one's rule, once violations */
};

const char *strict_rule_id(enum strict_rule r);
const char *strict_rule_help(enum strict_rule r);
/* `--strict help`: every checked rule, one line each. */
void strict_print_rules(FILE *out);

/* Whether strict checking is on (@s is the environment's). */
static inline bool strict_on(const struct strict *s)
{
	return __builtin_expect(s != NULL, 0);
}

/* A violation of @r seen by @device: count it and call the hook. */
void strict_report(struct strict *s, const char *device, enum strict_rule r,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Whether a violation stopped the run (the HAL's wait then idles). */
static inline bool strict_tripped(const struct strict *s)
{
	return s && s->violations;
}

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_SIM_STRICT_H */
