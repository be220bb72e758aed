/* SPDX-License-Identifier: MIT */
/*
 * net_backlog.h - frames waiting for receive buffers: a bounded FIFO of
 * copies in one byte ring, each frame contiguous (a frame that does not
 * fit before the end of the ring starts again at its beginning). The
 * ring is allocated when the first frame has to wait, then reused: the
 * steady state allocates nothing. Private to the net model.
 */
#ifndef VIRTSIM_DEVICES_NET_BACKLOG_H
#define VIRTSIM_DEVICES_NET_BACKLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_BACKLOG_FRAMES 256u
#define NET_BACKLOG_BYTES (1u << 20)

struct net_backlog {
	uint8_t *buf; /* NET_BACKLOG_BYTES once a frame waited */
	struct {
		uint32_t off, len;
	} rec[NET_BACKLOG_FRAMES];
	unsigned head, count; /* oldest record, records queued */
	uint32_t tail;	      /* where the next frame's bytes go */
	uint64_t bytes;	      /* bytes queued */
};

/*
 * Queue a copy of @frame (@len > 0 and at most NET_BACKLOG_BYTES); false
 * when the backlog is full or its ring cannot be allocated.
 */
bool net_backlog_push(struct net_backlog *b, const void *frame, size_t len);
/* The oldest frame, or NULL (and *@len 0) when empty. */
const uint8_t *net_backlog_peek(const struct net_backlog *b, size_t *len);
/* Forget the oldest frame. */
void net_backlog_pop(struct net_backlog *b);
/* Forget every frame; returns how many there were. */
unsigned net_backlog_clear(struct net_backlog *b);
/* Free the ring. */
void net_backlog_release(struct net_backlog *b);

#endif /* VIRTSIM_DEVICES_NET_BACKLOG_H */
