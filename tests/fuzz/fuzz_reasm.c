/*
 * fuzz_reasm.c - libFuzzer target for TCP reassembly: segments of both
 * directions in any order, overlapping, retransmitted, with holes, SYNs,
 * FINs and RSTs anywhere, across the 2^32 wrap.
 *
 * The input gives two initial sequence numbers, which directions start at
 * a SYN, then segments of 6 bytes each: flags and direction, sequence and
 * acknowledgement offsets, and a length.  The payload is not taken from the
 * input: the byte at sequence number s is always (s & 0xff), so every
 * delivered byte tells where it belongs.  Reassembly must hand each
 * direction its bytes in order, each gap advancing the position by what it
 * reports, and must keep its memory within the caps and give all of it back.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "capture/decode.h"
#include "capture/reasm.h"

#define FUZZ_MEM_CAP (256u * 1024)
#define FUZZ_DIR_CAP (64u * 1024)
#define FUZZ_SEG_MAX (255u * 8)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_track {
	bool known[2];         /* the position below is known */
	uint32_t pos[2];       /* sequence number of the next byte due */
	uint64_t delivered[2]; /* bytes handed over */
};

static void
on_data(void *arg, int d, const uint8_t *p, size_t n)
{
	struct fuzz_track *t = arg;
	size_t i;

	if (d != 0 && d != 1)
		abort();
	if (n == 0)
		return;
	if (!t->known[d]) {
		t->known[d] = true;
		t->pos[d] = p[0];
	}
	for (i = 0; i < n; i++) {
		if (p[i] != (uint8_t)(t->pos[d] + i))
			abort(); /* a byte delivered out of its place */
	}
	t->pos[d] += (uint32_t)n;
	t->delivered[d] += n;
}

static void
on_gap(void *arg, int d, uint64_t len)
{
	struct fuzz_track *t = arg;

	if (d != 0 && d != 1)
		abort();
	t->pos[d] += (uint32_t)len;
}

static const struct reasm_ops ops = {
	.data = on_data,
	.gap = on_gap,
};

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t payload[FUZZ_SEG_MAX];
	struct reasm_mem mem = { .cap = FUZZ_MEM_CAP };
	struct fuzz_track t = { { false, false }, { 0, 0 }, { 0, 0 } };
	struct reasm r;
	uint32_t isn[2], seq, ack;
	size_t off, n, i;
	uint8_t ctl, flags;
	int d;

	if (size < 9)
		return 0;
	isn[0] = get32(data);
	isn[1] = get32(data + 4);
	reasm_init(&r, &mem, FUZZ_DIR_CAP, &ops, &t);
	for (d = 0; d < 2; d++) {
		if (data[8] & (1u << d)) {
			reasm_start(&r, d, isn[d]);
			t.known[d] = true;
			t.pos[d] = isn[d] + 1;
		}
	}

	for (off = 9; off + 6 <= size; off += 6) {
		ctl = data[off];
		d = ctl & 1;
		flags = 0;
		if (ctl & 0x02)
			flags |= TCP_SYN;
		if (ctl & 0x04)
			flags |= TCP_FIN;
		if (ctl & 0x08)
			flags |= TCP_RST;
		if (!(ctl & 0x10))
			flags |= TCP_ACK;
		/* Offsets mostly near the stream, sometimes far off. */
		seq =
		    isn[d] + 1 + (uint32_t)(data[off + 1] | data[off + 2] << 8);
		if (ctl & 0x20)
			seq -= 0x8000;
		if (ctl & 0x40)
			seq += 0x7fff0000u;
		ack = isn[1 - d] + 1 +
		    (uint32_t)(data[off + 3] | data[off + 4] << 8);
		n = (size_t)data[off + 5] * 8;
		if (ctl & 0x80)
			n = data[off + 5] & 7;
		/* A SYN takes a number: its data starts one further. */
		for (i = 0; i < n; i++)
			payload[i] = (uint8_t)(seq + i + !!(flags & TCP_SYN));
		/* Before any data a SYN may move the start. */
		if ((flags & TCP_SYN) && t.delivered[d] == 0)
			t.known[d] = false;
		reasm_segment(&r, d, flags, seq, ack, payload, n);
		if (mem.used > mem.cap || r.dir[0].held_bytes > FUZZ_DIR_CAP ||
		    r.dir[1].held_bytes > FUZZ_DIR_CAP)
			abort();
	}
	reasm_flush(&r);
	(void)reasm_closed(&r, 0);
	(void)reasm_closed(&r, 1);
	reasm_cleanup(&r);
	if (mem.used != 0)
		abort(); /* held memory not given back */
	return 0;
}
