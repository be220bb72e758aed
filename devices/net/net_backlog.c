/* SPDX-License-Identifier: MIT */
/*
 * The net model's receive backlog: frames copied into one byte ring,
 * records in a second ring. With frames queued, the bytes in use run
 * from the oldest frame's offset to tail, or wrap: [first, end) and
 * [0, tail). Every frame is at least one byte long, so tail > first
 * exactly when the region does not wrap.
 */
#include "devices/net/net_backlog.h"

#include <stdlib.h>
#include <string.h>

bool net_backlog_push(struct net_backlog *b, const void *frame, size_t len)
{
	uint32_t off, first;

	if (!len || len > NET_BACKLOG_BYTES || b->count == NET_BACKLOG_FRAMES)
		return false;
	if (!b->buf) {
		b->buf = malloc(NET_BACKLOG_BYTES);
		if (!b->buf)
			return false;
	}
	if (!b->count) {
		off = 0;
	} else {
		first = b->rec[b->head].off;
		if (b->tail > first) {
			if (NET_BACKLOG_BYTES - b->tail >= len)
				off = b->tail;
			else if (first >= len)
				off = 0; /* wrap: the end is too short */
			else
				return false;
		} else if (first - b->tail >= len) {
			off = b->tail;
		} else {
			return false;
		}
	}
	memcpy(b->buf + off, frame, len);
	b->rec[(b->head + b->count) % NET_BACKLOG_FRAMES].off = off;
	b->rec[(b->head + b->count) % NET_BACKLOG_FRAMES].len = (uint32_t)len;
	b->count++;
	b->tail = off + (uint32_t)len;
	b->bytes += len;
	return true;
}

const uint8_t *net_backlog_peek(const struct net_backlog *b, size_t *len)
{
	if (!b->count) {
		*len = 0;
		return NULL;
	}
	*len = b->rec[b->head].len;
	return b->buf + b->rec[b->head].off;
}

void net_backlog_pop(struct net_backlog *b)
{
	if (!b->count)
		return;
	b->bytes -= b->rec[b->head].len;
	b->head = (b->head + 1) % NET_BACKLOG_FRAMES;
	if (!--b->count) {
		b->head = 0;
		b->tail = 0;
	}
}

unsigned net_backlog_clear(struct net_backlog *b)
{
	unsigned n = b->count;

	b->head = b->count = 0;
	b->tail = 0;
	b->bytes = 0;
	return n;
}

void net_backlog_release(struct net_backlog *b)
{
	net_backlog_clear(b);
	free(b->buf);
	b->buf = NULL;
}
