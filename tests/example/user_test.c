/* SPDX-License-Identifier: MIT */
/*
 * An outside user's test, built against the installed libvirtsim with
 * pkg-config only (tests/example.sh):
 *
 *   cc user_test.c $(pkg-config --cflags --libs virtsim check)
 *
 * It builds a machine with one disk, lets the driver stack probe it and
 * checks a write/read round trip through the block device operations,
 * in the sync and the deferred execution mode.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <virtsim/tools/vm/blk_class.h>
#include <virtsim/tools/vm/vm.h>

START_TEST(my_driver_round_trip)
{
	char path[] = "/tmp/virtsim-user-XXXXXX", err[256];
	struct blk_options disk = {0};
	struct vm_device_config dev = {.cls = &blk_class, .options = &disk};
	struct vm_config cfg = {.mode = _i ? SIM_MODE_DEFERRED : SIM_MODE_SYNC,
				.seed = 42,
				.devices = &dev,
				.device_count = 1};
	static struct vm vm;
	struct block_device *bd;
	static unsigned char out[4096], in[4096];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 1 << 20), 0);
	close(fd);
	disk.path = path;
	ck_assert_msg(vm_create(&vm, &cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(vm_probe(&vm, err, sizeof(err)) == 0, "%s", err);
	bd = vm_disk(&vm, 0);
	ck_assert_ptr_nonnull(bd);
	ck_assert_uint_eq(bd->ops->num_blocks(bd), 2048);
	memset(out, 0xa5, sizeof(out));
	ck_assert_int_eq(bd->ops->write_block(bd, 10, out, sizeof(out)), 0);
	ck_assert_int_eq(bd->ops->flush(bd), 0);
	ck_assert_int_eq(bd->ops->read_block(bd, 10, in, sizeof(in)), 0);
	ck_assert_mem_eq(in, out, sizeof(out));
	ck_assert_uint_eq(vm_destroy(&vm, true), 0);
	unlink(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("user_example");
	TCase *tc = tcase_create("blk");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, my_driver_round_trip, 0, 2);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
