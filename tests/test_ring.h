/* SPDX-License-Identifier: MIT */
/*
 * test_ring.h - the driver's side of a split ring (§2.7), written by hand
 * in guest memory: what the device-model tests post chains with and read
 * the used ring back through, so no suite carries its own copy.
 */
#ifndef VIRTSIM_TESTS_TEST_RING_H
#define VIRTSIM_TESTS_TEST_RING_H

#include <stdint.h>

struct guest_mem;

/* One queue's three parts in guest RAM, @size entries each. */
struct test_ring {
	const struct guest_mem *mem;
	uint64_t desc, avail, used;
	uint16_t size;
};

/* The host view of [@gpa, @gpa + @len); the test fails unless it is RAM. */
void *test_gpa(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

/* Descriptor @i of the table at @table (a ring's own or an indirect one). */
void test_desc_at(const struct guest_mem *mem, uint64_t table, unsigned i,
		  uint64_t addr, uint32_t len, uint16_t flags, uint16_t next);

/* The available ring's idx, and its entry for running count @pos. */
uint16_t test_ring_avail_idx(const struct test_ring *r);
void test_ring_set_avail_idx(const struct test_ring *r, uint16_t idx);
void test_ring_avail_put(const struct test_ring *r, uint16_t pos,
			 uint16_t head);
/* Make @head available: the entry at idx, then idx + 1. */
void test_ring_avail_add(const struct test_ring *r, uint16_t head);

/* The used ring's idx, and the id and len of element @i (a running count). */
uint16_t test_ring_used_idx(const struct test_ring *r);
uint32_t test_ring_used_id(const struct test_ring *r, unsigned i);
uint32_t test_ring_used_len(const struct test_ring *r, unsigned i);

#endif /* VIRTSIM_TESTS_TEST_RING_H */
