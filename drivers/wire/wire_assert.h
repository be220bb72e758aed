/* SPDX-License-Identifier: MIT */
/*
 * wire_assert.h - WIRE_STATIC_ASSERT: a compile-time check of a wire
 * layout that C and C++ users of the headers both get (_Static_assert is
 * C11's spelling, static_assert C++11's).
 */
#ifndef VIRTSIM_WIRE_ASSERT_H
#define VIRTSIM_WIRE_ASSERT_H

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
#define WIRE_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define WIRE_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_WIRE_ASSERT_H */
