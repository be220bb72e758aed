/* SPDX-License-Identifier: MIT */
#include "sim/trace.h"

#include <string.h>

#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_mmio.h"
#include "drivers/wire/virtio_pci.h"
#include "sim/trace_decode.h"

/* FNV-1a offset basis: the hash of a run with no events. */
#define TRACE_HASH_BASIS 0xcbf29ce484222325ull

static const struct {
	const char *name;
	const char *help;
} trace_categories[] = {
#define TRACE_NAME_(id, name, help) {name, help},
	TRACE_CATEGORIES(TRACE_NAME_)
#undef TRACE_NAME_
};

int trace_parse(const char *list, unsigned *mask, const char **bad)
{
	static char word[32];
	const char *p = list;

	*mask = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		unsigned i;

		if (n == 3 && !strncmp(p, "all", 3)) {
			*mask |= TRACE_ALL;
			goto next;
		}
		for (i = 0; i < TRACE_NUM_CATEGORIES; i++) {
			if (strlen(trace_categories[i].name) == n &&
			    !strncmp(p, trace_categories[i].name, n))
				break;
		}
		if (i == TRACE_NUM_CATEGORIES) {
			snprintf(word, sizeof(word), "%.*s", (int)n, p);
			if (bad)
				*bad = word;
			return -1;
		}
		*mask |= 1u << i;
next:
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

void trace_init(struct trace *t, unsigned mask, FILE *out)
{
	t->mask = mask;
	t->out = out;
	t->hash = TRACE_HASH_BASIS;
	t->events = 0;
	t->seq = 0;
	t->clock = NULL;
}

void trace_print_categories(FILE *out, int indent)
{
	for (unsigned i = 0; i < TRACE_NUM_CATEGORIES; i++)
		fprintf(out, "%*s%-6s %s\n", indent, "",
			trace_categories[i].name, trace_categories[i].help);
}

/* The line's start: its number, the virtual time, the category. */
static FILE *trace_begin(struct trace *t, unsigned bit)
{
	FILE *out = t->out ? t->out : stderr;

	/* Thread mode: device threads trace too; a line is one piece. */
	flockfile(out);
	fprintf(out, "%" PRIu64 " ",
		__atomic_add_fetch(&t->seq, 1, __ATOMIC_RELAXED));
	if (t->clock)
		fprintf(out, "%" PRIu64 ".%03" PRIu64 "us ", *t->clock / 1000,
			*t->clock % 1000);
	fprintf(out, "%-5s ", trace_categories[bit].name);
	return out;
}

#define TRACE_WHERE_PUT_NONE
#define TRACE_WHERE_PUT_DEV fprintf(out, "%s#%u ", dev, id);
#define TRACE_WHERE_PUT_DEVQ fprintf(out, "%s#%u q%u ", dev, id, q);

/*
 * Decoders, one per DECODE word of the list: each gets the stream and
 * the event's arguments, where first, and appends to the line.
 */
#define trace_dec_none(...) ((void)0)
#define trace_dec_level(out, line, level) \
	fputs((level) ? " raised" : " lowered", out)
#define trace_dec_status(out, dev, id, old, status) decode_status(out, status)
#define trace_dec_status_bits(out, dev, id, bits) decode_status(out, bits)
#define trace_dec_status_paren(out, dev, id, q, status, broken) \
	decode_status(out, status)
#define trace_dec_features(out, dev, id, features, device_id) \
	decode_features(out, device_id, features)
#define trace_dec_mmio_reg(out, dev, id, q, off, size, val, sel, device_id) \
	decode_mmio_reg(out, off, val, sel, device_id)
#define trace_dec_pci_reg(out, dev, id, q, off, size, val, sel, device_id) \
	decode_pci_reg(out, off, val, sel, device_id)
#define trace_dec_pci_cfg_reg(out, bus, slot, fn, reg, size, val) \
	decode_pci_cfg_reg(out, reg)

static void decode_status(FILE *out, unsigned status)
{
	char buf[96];

	fprintf(out, " (%s)", trace_decode_status(buf, sizeof(buf), status));
}

static void decode_features(FILE *out, unsigned device_id, uint64_t features)
{
	char buf[512];

	fprintf(out, " (%s)",
		trace_decode_features(buf, sizeof(buf), device_id, features));
}

/* A features window's 32 bits, as the bits they are of the 64. */
static void decode_window(FILE *out, const char *reg, unsigned val,
			  unsigned sel, unsigned device_id)
{
	char buf[512];

	if (sel > 1) {
		fprintf(out, " [%s window %u]", reg, sel);
		return;
	}
	fprintf(out, " [%s: %s]", reg,
		trace_decode_features(buf, sizeof(buf), device_id,
				      (uint64_t)val << (32 * sel)));
}

static void decode_mmio_reg(FILE *out, uint64_t off, unsigned val, unsigned sel,
			    unsigned device_id)
{
	const char *reg = trace_mmio_reg_name(off);
	char buf[96];

	if (!reg) {
		fputs(" [?]", out);
	} else if (off >= VIRTIO_MMIO_CONFIG) {
		fprintf(out, " [%s+0x%" PRIx64 "]", reg,
			off - VIRTIO_MMIO_CONFIG);
	} else if (off == VIRTIO_MMIO_STATUS) {
		fprintf(out, " [%s: %s]", reg,
			trace_decode_status(buf, sizeof(buf), val));
	} else if (off == VIRTIO_MMIO_DEVICE_FEATURES ||
		   off == VIRTIO_MMIO_DRIVER_FEATURES) {
		decode_window(out, reg, val, sel, device_id);
	} else {
		fprintf(out, " [%s]", reg);
	}
}

/*
 * virtio-pci: @off is the BAR offset; the front-end's layout
 * (devices/virtio/virtio_pci.h) has one capability per 4K region, in
 * the order common, ISR, device, notify.
 */
static void decode_pci_reg(FILE *out, uint64_t off, unsigned val, unsigned sel,
			   unsigned device_id)
{
	static const char *const regions[] = {"common", "isr", "device",
					      "notify"};
	uint64_t region = off / 0x1000, in = off % 0x1000;
	const char *field;
	char buf[96];

	if (region >= 4) {
		fputs(" [?]", out);
		return;
	}
	if (region != 0) {
		fprintf(out, " [%s+0x%" PRIx64 "]", regions[region], in);
		return;
	}
	field = trace_pci_common_name(in);
	if (!field)
		fprintf(out, " [common+0x%" PRIx64 "]", in);
	else if (in == offsetof(struct virtio_pci_common_cfg, device_status))
		fprintf(out, " [%s: %s]", field,
			trace_decode_status(buf, sizeof(buf), val & 0xff));
	else if (in == offsetof(struct virtio_pci_common_cfg, device_feature) ||
		 in == offsetof(struct virtio_pci_common_cfg, driver_feature))
		decode_window(out, field, val, sel, device_id);
	else
		fprintf(out, " [%s]", field);
}

static void decode_pci_cfg_reg(FILE *out, unsigned reg)
{
	const char *name = trace_pci_cfg_name(reg);

	if (name)
		fprintf(out, " [%s]", name);
	else if (reg >= 0x40)
		fputs(reg >= 0x100 ? " [extended]" : " [capabilities]", out);
}

/*
 * The emitters: arguments past the format's conversions are the
 * decoder's (and the probe's), which C allows and -Wformat flags.
 */
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#define TRACE_CALL_(f, ...) f(__VA_ARGS__)
#define TRACE_EV_EMIT_(name, cat, where, decode, fmt, ...)             \
	void trace_emit_##name(                                        \
	    struct trace *t TRACE_WHERE_PARAMS_##where TRACE_PARAMS_(  \
		fmt, ##__VA_ARGS__))                                   \
	{                                                              \
		FILE *out = trace_begin(t, TRACE_BIT_##cat);           \
                                                                       \
		TRACE_WHERE_PUT_##where fprintf(                       \
		    out, fmt TRACE_NAMES_(fmt, ##__VA_ARGS__));        \
		TRACE_CALL_(trace_dec_##decode,                        \
			    out TRACE_WHERE_ARGS_##where TRACE_NAMES_( \
				fmt, ##__VA_ARGS__));                  \
		fputc('\n', out);                                      \
		funlockfile(out);                                      \
	}
TRACE_EVENTS(TRACE_EV_EMIT_)
#undef TRACE_EV_EMIT_

#define TRACE_WHERE_NONE 0
#define TRACE_WHERE_DEV 1
#define TRACE_WHERE_DEVQ 2
const struct trace_event_info trace_event_info[TRACE_NUM_EVENTS] = {
#define TRACE_EV_INFO_(name, cat, where, decode, fmt, ...) \
	{#name, TRACE_##cat, TRACE_WHERE_##where},
    TRACE_EVENTS(TRACE_EV_INFO_)
#undef TRACE_EV_INFO_
};

void trace_print_help(FILE *out)
{
	fprintf(out, "Trace categories (--trace LIST: a comma list, or 'all'),"
		     " and their events\n(USDT probes virtsim:EVENT in a "
		     "build configured --enable-usdt):\n");
	for (unsigned i = 0; i < TRACE_NUM_CATEGORIES; i++) {
		int col = 4;

		fprintf(out, "  %-6s %s\n   ", trace_categories[i].name,
			trace_categories[i].help);
		for (unsigned e = 0; e < TRACE_NUM_EVENTS; e++) {
			const char *name = trace_event_info[e].name;

			if (trace_event_info[e].cat != 1u << i)
				continue;
			if (col + 1 + (int)strlen(name) > 78) {
				fputs("\n   ", out);
				col = 4;
			}
			col += fprintf(out, " %s", name);
		}
		fputc('\n', out);
	}
	fprintf(out, "Each line: SEQ TIMEus CATEGORY [DEVICE#ID [qQUEUE]] "
		     "EVENT...\n");
}
