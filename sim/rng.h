/* SPDX-License-Identifier: MIT */
/*
 * rng.h - deterministic random streams: xoshiro256** (Blackman & Vigna,
 * public domain) seeded through splitmix64.
 *
 * Every consumer (data pattern, scheduler, faults) draws from its own
 * stream, derived from one root seed and a stream id, so that one seed
 * reproduces a whole run and no consumer shifts another's draws.
 */
#ifndef VIRTSIM_SIM_RNG_H
#define VIRTSIM_SIM_RNG_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rng {
	uint64_t s[4];
};

/* Seed @r from @seed through splitmix64 (any seed, 0 included, is fine). */
void rng_seed(struct rng *r, uint64_t seed);
/*
 * Seed @r as stream @stream_id of @root_seed: the same pair always gives
 * the same sequence, different ids under one root give different ones.
 */
void rng_init_stream(struct rng *r, uint64_t root_seed, uint64_t stream_id);
/* The next 64 random bits. */
uint64_t rng_next(struct rng *r);
/* Uniform in [0, @n), without modulo bias; 0 (and no draw) when @n is 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform in [@lo, @hi], both included; needs @lo <= @hi. */
uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi);
/*
 * True with probability @p. p <= 0 (or NaN) is never and p >= 1 always,
 * and neither draws, so a fault that is off leaves its stream untouched.
 */
bool rng_chance(struct rng *r, double p);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_SIM_RNG_H */
