# tools/: the virtsim CLI and benchmarks
