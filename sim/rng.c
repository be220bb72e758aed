/* SPDX-License-Identifier: MIT */
/*
 * xoshiro256** and splitmix64 as published at https://prng.di.unimi.it/
 * (public domain), with Lemire's nearly divisionless bounded draw.
 */
#include "sim/rng.h"

#include <assert.h>

#define SPLITMIX_GAMMA 0x9e3779b97f4a7c15ull
/* Keeps stream ids apart from root seeds: (a, b) and (b, a) differ. */
#define STREAM_SALT 0x6a09e667f3bcc909ull

/* The splitmix64 finaliser: a bijection on 64-bit values. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t splitmix64_next(uint64_t *x)
{
	*x += SPLITMIX_GAMMA;
	return mix64(*x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void rng_seed(struct rng *r, uint64_t seed)
{
	/*
	 * Four outputs of one splitmix64 sequence are four distinct mix64
	 * images, so at most one is 0: never the all-zero state xoshiro
	 * cannot leave.
	 */
	for (unsigned i = 0; i < 4; i++)
		r->s[i] = splitmix64_next(&seed);
}

void rng_init_stream(struct rng *r, uint64_t root_seed, uint64_t stream_id)
{
	/* For a fixed root this is a bijection of the id: distinct states. */
	rng_seed(r, mix64(root_seed) ^ mix64(stream_id ^ STREAM_SALT));
}

uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	unsigned __int128 m;
	uint64_t low;

	if (n == 0)
		return 0;
	m = (unsigned __int128)rng_next(r) * n;
	low = (uint64_t)m;
	if (low < n) {
		/* 2^64 mod n: the low products that would over-weight some
		 * values. */
		uint64_t threshold = -n % n;

		while (low < threshold) {
			m = (unsigned __int128)rng_next(r) * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
	assert(lo <= hi);
	if (hi - lo == UINT64_MAX)
		return rng_next(r);
	return lo + rng_below(r, hi - lo + 1);
}

bool rng_chance(struct rng *r, double p)
{
	if (!(p > 0))
		return false;
	if (p >= 1)
		return true;
	/* The top 53 bits as a double in [0, 1), every value exact. */
	return (double)(rng_next(r) >> 11) * 0x1p-53 < p;
}
