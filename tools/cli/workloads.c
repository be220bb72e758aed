/* SPDX-License-Identifier: MIT */
/*
 * workloads.c - the workload table.
 */
#include "tools/cli/workload.h"

const struct workload *const workloads[] = {
    &selftest_workload, &probe_workload,
#ifdef VIRTSIM_HAVE_BLK
    &blk_read_workload, &blk_write_workload, &bench_workload,
#endif
#ifdef VIRTSIM_HAVE_NET
    &net_ping_workload, &net_fetch_workload, &net_serve_workload,
#endif
#ifdef VIRTSIM_HAVE_GPU
    &gpu_demo_workload, &gpu_bench_workload,
#endif
    &faults_workload,	&soak_workload,	     NULL,
};
