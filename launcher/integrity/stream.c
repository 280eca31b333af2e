/* SPDX-License-Identifier: MIT */
/* The integrity probe's payload (integrity/stream.h). */
#include "integrity/stream.h"

#include <string.h>

/* splitmix64: a good mix of the word's index, so no region repeats within a transfer. */
static uint64_t word(uint64_t i)
{
	uint64_t z = i * 0x9e3779b97f4a7c15ull + 0x6d7074637275ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void lr_stream_fill(uint8_t *buf, uint64_t off, size_t len)
{
	size_t done = 0;
	while (done < len) {
		uint64_t pos = off + done, w = word(pos / 8);
		uint8_t b[8];
		for (int k = 0; k < 8; k++)
			b[k] = (uint8_t)(w >> (8 * k));
		size_t from = (size_t)(pos % 8), n = 8 - from;
		if (n > len - done)
			n = len - done;
		memcpy(buf + done, b + from, n);
		done += n;
	}
}

void lr_stream_check_init(struct lr_stream_check *c)
{
	c->checked = 0;
	c->first_wrong = -1;
	c->shift = 0;
}

/* Where got[0, n) was sent, within LR_STREAM_NEAR of at; 0 when nowhere. */
static int64_t source_of(uint64_t at, const uint8_t *got, size_t n, uint8_t *scratch)
{
	uint64_t lo = at > LR_STREAM_NEAR ? at - LR_STREAM_NEAR : 0;
	size_t span = (size_t)(at - lo) + LR_STREAM_NEAR + n;
	lr_stream_fill(scratch, lo, span);
	const uint8_t *p = scratch;
	while ((p = memmem(p, span - (size_t)(p - scratch), got, n))) {
		uint64_t src = lo + (uint64_t)(p - scratch);
		if (src != at)
			return (int64_t)src - (int64_t)at;
		p++;
	}
	return 0;
}

void lr_stream_check(struct lr_stream_check *c, const uint8_t *got, size_t len, uint8_t *scratch)
{
	uint8_t want[4096];
	size_t done = 0;
	while (done < len && c->first_wrong < 0) {
		size_t n = len - done < sizeof(want) ? len - done : sizeof(want);
		lr_stream_fill(want, c->checked + done, n);
		for (size_t i = 0; i < n; i++) {
			if (got[done + i] == want[i])
				continue;
			c->first_wrong = (int64_t)(c->checked + done + i);
			/* 64 bytes name their origin; fewer left in this read: what there is. */
			size_t probe = len - done - i < 64 ? len - done - i : 64;
			if (probe >= 16)
				c->shift = source_of(c->checked + done + i, got + done + i, probe,
				                     scratch);
			break;
		}
		done += n;
	}
	c->checked += len;
}
