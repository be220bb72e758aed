/*
 * workloads.c - the workload table.
 */
#include "tools/cli/workload.h"

const struct workload *const workloads[] = {
    &selftest_workload,
    &probe_workload,
#ifdef VIRTSIM_HAVE_BLK
    &blk_read_workload,
    &blk_write_workload,
#endif
    NULL,
};
