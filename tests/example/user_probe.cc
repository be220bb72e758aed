// SPDX-License-Identifier: MIT
// A C++ user of the installed library: a machine with one scratch disk,
// probed, then a block written, flushed and read back through the driver
// stack. Prints "blocks N" and "round trip ok"; exit status 1 on error.
#include <cstdio>
#include <cstring>

#include <virtsim/drivers/base/dev.h>
#include <virtsim/tools/vm/blk_class.h>
#include <virtsim/tools/vm/vm.h>

static struct vm vm;

int main()
{
	struct blk_options disk = {};
	struct vm_device_config dev = {};
	struct vm_config cfg = {};
	static unsigned char out[4096], in[4096];
	char err[256];

	disk.scratch_size = 1 << 20;
	dev.cls = &blk_class;
	dev.options = &disk;
	cfg.seed = 7;
	cfg.devices = &dev;
	cfg.device_count = 1;
	if (vm_create(&vm, &cfg, err, sizeof(err)) ||
	    vm_probe(&vm, err, sizeof(err))) {
		std::fprintf(stderr, "user_probe: %s\n", err);
		return 1;
	}
	struct block_device *bd = vm_disk(&vm, 0);
	if (!bd)
		return 1;
	std::printf("blocks %llu\n",
		    (unsigned long long)bd->ops->num_blocks(bd));
	std::memset(out, 0x5a, sizeof(out));
	bool ok = bd->ops->write_block(bd, 3, out, sizeof(out)) == 0 &&
		  bd->ops->flush(bd) == 0 &&
		  bd->ops->read_block(bd, 3, in, sizeof(in)) == 0 &&
		  std::memcmp(in, out, sizeof(in)) == 0;
	std::printf("round trip %s\n", ok ? "ok" : "FAILED");
	return vm_destroy(&vm, true) == 0 && ok ? 0 : 1;
}
