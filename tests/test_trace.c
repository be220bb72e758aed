/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the trace: the decoders (register, status and feature
 * names), the line every event of sim/trace_events.h prints (sequence
 * number, virtual time, category, device and queue), that a disabled
 * category prints nothing, and that events never touch the hash.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "drivers/wire/virtio_config.h"
#include "drivers/wire/virtio_mmio.h"
#include "sim/trace.h"
#include "sim/trace_decode.h"
#include "tests/testutil.h"

START_TEST(status_names)
{
	char buf[96];

	ck_assert_str_eq(trace_decode_status(buf, sizeof(buf), 0), "0");
	ck_assert_str_eq(trace_decode_status(buf, sizeof(buf), 0xf),
			 "ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK");
	ck_assert_str_eq(trace_decode_status(buf, sizeof(buf), 0xc0),
			 "DEVICE_NEEDS_RESET|FAILED");
	ck_assert_str_eq(trace_decode_status(buf, sizeof(buf), 0x31),
			 "ACKNOWLEDGE|0x30");
	/* A short buffer is cut, never overrun, and stays a string. */
	trace_decode_status(buf, 8, 0xf);
	ck_assert_uint_lt(strlen(buf), 8);
}
END_TEST

START_TEST(feature_names)
{
	char buf[512];
	uint64_t f = VIRTIO_BIT(VIRTIO_F_VERSION_1) |
		     VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | VIRTIO_BIT(9);

	ck_assert_str_eq(
	    trace_decode_features(buf, sizeof(buf), VIRTIO_ID_BLOCK, f),
	    "BLK_F_FLUSH|RING_EVENT_IDX|VERSION_1");
	/* Device bits mean what the device type says. */
	ck_assert_str_eq(trace_decode_features(buf, sizeof(buf), VIRTIO_ID_NET,
					       VIRTIO_BIT(5)),
			 "NET_F_MAC");
	ck_assert_str_eq(trace_decode_features(buf, sizeof(buf), VIRTIO_ID_GPU,
					       VIRTIO_BIT(1)),
			 "GPU_F_EDID");
	ck_assert_str_eq(trace_decode_features(buf, sizeof(buf), 99,
					       VIRTIO_BIT(5) | VIRTIO_BIT(50)),
			 "bit5|bit50");
	ck_assert_str_eq(
	    trace_decode_features(buf, sizeof(buf), VIRTIO_ID_BLOCK, 0), "0");
	trace_decode_features(buf, 10, VIRTIO_ID_BLOCK, f);
	ck_assert_uint_lt(strlen(buf), 10);
}
END_TEST

START_TEST(register_names)
{
	ck_assert_str_eq(trace_mmio_reg_name(VIRTIO_MMIO_QUEUE_NOTIFY),
			 "QueueNotify");
	ck_assert_str_eq(trace_mmio_reg_name(VIRTIO_MMIO_STATUS), "Status");
	ck_assert_str_eq(trace_mmio_reg_name(VIRTIO_MMIO_DRIVER_FEATURES),
			 "DriverFeatures");
	ck_assert_str_eq(trace_mmio_reg_name(VIRTIO_MMIO_CONFIG + 8), "Config");
	ck_assert_ptr_null(trace_mmio_reg_name(0x018));
	ck_assert_ptr_null(trace_mmio_reg_name(VIRTIO_MMIO_WINDOW_SIZE));
	ck_assert_str_eq(trace_pci_common_name(0x14), "device_status");
	ck_assert_str_eq(trace_pci_common_name(0x15), "config_generation");
	ck_assert_str_eq(trace_pci_common_name(0x16), "queue_select");
	ck_assert_str_eq(trace_pci_common_name(0x24), "queue_desc_hi");
	ck_assert_ptr_null(trace_pci_common_name(0x17));
	ck_assert_ptr_null(trace_pci_common_name(0x40));
	ck_assert_str_eq(trace_pci_cfg_name(0x04), "Command");
	ck_assert_str_eq(trace_pci_cfg_name(0x14), "BAR1");
	ck_assert_ptr_null(trace_pci_cfg_name(0x01));
}
END_TEST

/* The trace under test writes to a memory stream. */
static struct trace t;
static char *text;
static size_t text_len;
static FILE *out;
static uint64_t now;

static void trace_setup(unsigned mask)
{
	out = open_memstream(&text, &text_len);
	ck_assert_ptr_nonnull(out);
	trace_init(&t, mask, out);
	now = 1234567;
	t.clock = &now;
}

static void trace_teardown(void)
{
	fclose(out);
	free(text);
	text = NULL;
}

/* A value for an argument of type T: a string, or 1. */
#define DUMMY(T) _Generic((T)0, const char * : "s", default : 1)
#define D_0(f)
#define D_1(f, T, a) , DUMMY(T)
#define D_2(f, T, a, ...) , DUMMY(T) D_1(f, __VA_ARGS__)
#define D_3(f, T, a, ...) , DUMMY(T) D_2(f, __VA_ARGS__)
#define D_4(f, T, a, ...) , DUMMY(T) D_3(f, __VA_ARGS__)
#define D_5(f, T, a, ...) , DUMMY(T) D_4(f, __VA_ARGS__)
#define D_6(f, T, a, ...) , DUMMY(T) D_5(f, __VA_ARGS__)
#define D_7(f, T, a, ...) , DUMMY(T) D_6(f, __VA_ARGS__)
#define D_8(f, T, a, ...) , DUMMY(T) D_7(f, __VA_ARGS__)
#define D_9(f, T, a, ...) , DUMMY(T) D_8(f, __VA_ARGS__)
#define D_10(f, T, a, ...) , DUMMY(T) D_9(f, __VA_ARGS__)
#define DUMMIES(...) TRACE_CAT_(D_, TRACE_NPAIRS_(__VA_ARGS__))(__VA_ARGS__)
#define WHERE_NONE
#define WHERE_DEV , "dev-x", 7
#define WHERE_DEVQ , "dev-x", 7, 3

/* Fire every event of the list once, in list order. */
static void fire_all(void)
{
#define FIRE_(name, cat, where, decode, fmt, ...) \
	trace_##name(&t WHERE_##where DUMMIES(fmt, ##__VA_ARGS__));
	TRACE_EVENTS(FIRE_)
#undef FIRE_
}

static const char *category_name(unsigned cat)
{
	static const char *const names[] = {
#define NAME_(id, name, help) name,
	    TRACE_CATEGORIES(NAME_)
#undef NAME_
	};

	return names[__builtin_ctz(cat)];
}

START_TEST(every_event_line)
{
	const char *line;
	unsigned e = 0;

	trace_setup(TRACE_ALL);
	fire_all();
	fflush(out);
	ck_assert_uint_eq(t.seq, TRACE_NUM_EVENTS);
	for (line = text; *line; e++) {
		const struct trace_event_info *ev = &trace_event_info[e];
		const char *end = strchr(line, '\n');
		char want[128];
		int n;

		ck_assert_msg(end, "event %s: no line", ev->name);
		ck_assert_uint_lt(e, TRACE_NUM_EVENTS);
		/* SEQ TIMEus CATEGORY, the category padded to 5. */
		n = snprintf(want, sizeof(want), "%u 1234.567us %-5s ", e + 1,
			     category_name(ev->cat));
		ck_assert_msg(!strncmp(line, want, (size_t)n),
			      "event %s: line '%.*s' does not start '%s'",
			      ev->name, (int)(end - line), line, want);
		if (ev->where == 1)
			snprintf(want, sizeof(want), "dev-x#7 ");
		else if (ev->where == 2)
			snprintf(want, sizeof(want), "dev-x#7 q3 ");
		if (ev->where)
			ck_assert_msg(!strncmp(line + n, want, strlen(want)),
				      "event %s: line '%.*s' lacks '%s'",
				      ev->name, (int)(end - line), line, want);
		line = end + 1;
	}
	ck_assert_uint_eq(e, TRACE_NUM_EVENTS);
	/* Printing is not hashing: only sched_record() folds events. */
	ck_assert_uint_eq(t.events, 0);
	trace_teardown();
}
END_TEST

START_TEST(disabled_prints_nothing)
{
	trace_setup(0);
	fire_all();
	fflush(out);
	ck_assert_uint_eq(text_len, 0);
	ck_assert_uint_eq(t.seq, 0);
	trace_teardown();
	/* One category: only its events print. */
	trace_setup(TRACE_VQ);
	fire_all();
	fflush(out);
	ck_assert_uint_eq(t.seq, 4);
	ck_assert_ptr_nonnull(strstr(text, "vq    dev-x#7 q3 push head=1"));
	trace_teardown();
}
END_TEST

START_TEST(decoded_lines)
{
	trace_setup(TRACE_ALL);
	t.clock = NULL; /* no machine: no time column */
	trace_vmmio_write(&t, "virtio-blk", 0, 0, VIRTIO_MMIO_STATUS, 4, 0xf, 0,
			  VIRTIO_ID_BLOCK);
	trace_vmmio_read(&t, "virtio-blk", 0, 0, VIRTIO_MMIO_DEVICE_FEATURES, 4,
			 1, 1, VIRTIO_ID_BLOCK);
	trace_vmmio_write(&t, "virtio-blk", 0, 2, VIRTIO_MMIO_QUEUE_NOTIFY, 4,
			  2, 0, VIRTIO_ID_BLOCK);
	trace_vpci_write(&t, "virtio-net", 1, 0, 0x14, 1, 3, 0, VIRTIO_ID_NET);
	trace_dev_features(&t, "virtio-blk", 0,
			   VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(9),
			   VIRTIO_ID_BLOCK);
	trace_dev_status(&t, "virtio-blk", 0, 3, 0xb);
	trace_irq_level(&t, 16, 1);
	trace_pci_cfg_write(&t, 0, 1, 0, 4, 2, 6);
	fflush(out);
	ck_assert_str_eq(
	    text, "1 mmio  virtio-blk#0 q0 write 0x070 size=4 val=0xf "
		  "[Status: ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK]\n"
		  "2 mmio  virtio-blk#0 q0 read  0x010 size=4 val=0x1 "
		  "[DeviceFeatures: VERSION_1]\n"
		  "3 mmio  virtio-blk#0 q2 write 0x050 size=4 val=0x2 "
		  "[QueueNotify]\n"
		  "4 mmio  virtio-net#1 q0 write bar+0x0014 size=1 val=0x3 "
		  "[device_status: ACKNOWLEDGE|DRIVER]\n"
		  "5 dev   virtio-blk#0 features 0x100000200 "
		  "(BLK_F_FLUSH|VERSION_1)\n"
		  "6 dev   virtio-blk#0 status 0x03 -> 0x0b "
		  "(ACKNOWLEDGE|DRIVER|FEATURES_OK)\n"
		  "7 irq   line 16 raised\n"
		  "8 pci   00:01.0 cfg write 0x004 size=2 val=0x6 [Command]\n");
	trace_teardown();
}
END_TEST

static Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, status_names);
	tcase_add_test(tc, feature_names);
	tcase_add_test(tc, register_names);
	suite_add_tcase(s, tc);
	tc = tcase_create("lines");
	tcase_add_test(tc, every_event_line);
	tcase_add_test(tc, disabled_prints_nothing);
	tcase_add_test(tc, decoded_lines);
	suite_add_tcase(s, tc);
	return s;
}

VIRTSIM_TEST_MAIN(trace_suite)
