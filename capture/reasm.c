/*
 * reasm.c - TCP reassembly (RFC 9293 sequence space, modulo 2^32).
 */
#include "capture/reasm.h"

#include <stdlib.h>
#include <string.h>

#include "capture/decode.h"
#include "mem.h"
#include "util.h"

/* Data further ahead than this, and not acknowledged, is not believed. */
#define REASM_MAX_AHEAD (64u << 20)
/* An ACK further ahead than this is not believed either. */
#define REASM_MAX_ACK_AHEAD (1u << 30)

struct reasm_seg {
	struct reasm_seg *next;
	uint32_t seq;
	uint32_t len;
	uint8_t data[];
};

/* Sequence comparisons across the 2^32 wrap. */
static inline int32_t
seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static inline bool
seq_lt(uint32_t a, uint32_t b)
{
	return seq_diff(a, b) < 0;
}

static inline bool
seq_leq(uint32_t a, uint32_t b)
{
	return seq_diff(a, b) <= 0;
}

void
reasm_init(struct reasm *r, struct reasm_mem *mem, size_t dir_cap,
    const struct reasm_ops *ops, void *arg)
{
	memset(r, 0, sizeof(*r));
	r->mem = mem;
	r->dir_cap = dir_cap;
	r->ops = ops;
	r->arg = arg;
}

void
reasm_start(struct reasm *r, int d, uint32_t isn)
{
	struct reasm_dir *rd = &r->dir[d];

	rd->started = true;
	rd->syn = true;
	rd->next_seq = isn + 1;
}

static void
seg_free(struct reasm *r, struct reasm_dir *rd, struct reasm_seg *s)
{
	rd->held_bytes -= s->len;
	r->mem->used -= sizeof(*s) + s->len;
	mem_free(s);
}

void
reasm_cleanup(struct reasm *r)
{
	struct reasm_seg *s, *next;
	int d;

	for (d = 0; d < 2; d++) {
		for (s = r->dir[d].held; s != NULL; s = next) {
			next = s->next;
			seg_free(r, &r->dir[d], s);
		}
		r->dir[d].held = NULL;
	}
}

/* Hands bytes starting at seq to the receiver, skipping what it has. */
static void
deliver(struct reasm *r, int d, uint32_t seq, const uint8_t *p, size_t n)
{
	struct reasm_dir *rd = &r->dir[d];
	uint32_t skip;

	if (seq_lt(seq, rd->next_seq)) {
		skip = rd->next_seq - seq;
		if (skip >= n) {
			r->mem->retransmits++;
			return;
		}
		r->mem->retransmits++;
		p += skip;
		n -= skip;
	}
	rd->next_seq += (uint32_t)n;
	rd->delivered += n;
	r->ops->data(r->arg, d, p, n);
}

/* Reports the hole up to seq as lost and moves past it. */
static void
skip_to(struct reasm *r, int d, uint32_t seq)
{
	struct reasm_dir *rd = &r->dir[d];
	uint32_t len = seq - rd->next_seq;

	rd->gaps++;
	rd->gap_bytes += len;
	rd->next_seq = seq;
	r->ops->gap(r->arg, d, len);
}

/* Delivers held segments that have become contiguous. */
static void
drain(struct reasm *r, int d)
{
	struct reasm_dir *rd = &r->dir[d];
	struct reasm_seg *s;

	while ((s = rd->held) != NULL && seq_leq(s->seq, rd->next_seq)) {
		rd->held = s->next;
		deliver(r, d, s->seq, s->data, s->len);
		seg_free(r, rd, s);
	}
}

/* Gives up on the hole before the first held segment. */
static void
give_up_hole(struct reasm *r, int d)
{
	skip_to(r, d, r->dir[d].held->seq);
	drain(r, d);
}

static bool
room_for(const struct reasm *r, const struct reasm_dir *rd, size_t n)
{
	return rd->held_bytes + n <= r->dir_cap &&
	    r->mem->used + sizeof(struct reasm_seg) + n <= r->mem->cap;
}

/* Copies one piece into the held list after prev (NULL: at the head). */
static bool
hold_piece(struct reasm *r, struct reasm_dir *rd, struct reasm_seg **prevp,
    uint32_t seq, const uint8_t *p, size_t n)
{
	struct reasm_seg *s;

	s = mem_alloc(sizeof(*s) + n);
	if (s == NULL)
		return false;
	s->seq = seq;
	s->len = (uint32_t)n;
	memcpy(s->data, p, n);
	if (*prevp == NULL) {
		s->next = rd->held;
		rd->held = s;
	} else {
		s->next = (*prevp)->next;
		(*prevp)->next = s;
	}
	*prevp = s;
	rd->held_bytes += n;
	r->mem->used += sizeof(*s) + n;
	return true;
}

/* Frees the held segment furthest ahead. */
static void
drop_furthest(struct reasm *r, struct reasm_dir *rd)
{
	struct reasm_seg **pp = &rd->held;

	while ((*pp)->next != NULL)
		pp = &(*pp)->next;
	r->mem->dropped_ahead++;
	seg_free(r, rd, *pp);
	*pp = NULL;
}

/*
 * Makes room under the caps while the receiver's acknowledgements are in
 * view.  Data it has not acknowledged may never have reached it (a sender
 * can put any bytes far ahead in the sequence space), so the hole is kept
 * open for the bytes that fill it and the data furthest ahead yields
 * instead.  Returns false when the new segment itself is what yields.
 */
static bool
make_room_acked(struct reasm *r, struct reasm_dir *rd, uint32_t seq, size_t n)
{
	struct reasm_seg *last;

	while (!room_for(r, rd, n)) {
		if (rd->held == NULL)
			return false;
		for (last = rd->held; last->next != NULL; last = last->next)
			;
		if (seq_leq(last->seq, seq)) {
			r->mem->dropped_ahead++;
			return false;
		}
		drop_furthest(r, rd);
	}
	return true;
}

/*
 * Holds a segment that starts ahead of next_seq, trimming what overlaps
 * segments already held (the first copy wins).  When a cap would be
 * exceeded and the receiver's acknowledgements are seen, the data furthest
 * ahead yields; without them (a one-sided capture), the oldest hole is
 * given up until the segment fits or becomes deliverable.
 */
static void
hold(struct reasm *r, int d, uint32_t seq, const uint8_t *p, size_t n)
{
	struct reasm_dir *rd = &r->dir[d];
	struct reasm_seg *prev = NULL, *cur;
	size_t len;

	if (rd->peer_acks && !make_room_acked(r, rd, seq, n))
		return;
	while (!room_for(r, rd, n)) {
		if (rd->held == NULL || seq_lt(seq, rd->held->seq)) {
			r->mem->cap_hits++;
			skip_to(r, d, seq);
			deliver(r, d, seq, p, n);
			drain(r, d);
			return;
		}
		r->mem->cap_hits++;
		give_up_hole(r, d);
		if (seq_leq(seq, rd->next_seq)) {
			deliver(r, d, seq, p, n);
			drain(r, d);
			return;
		}
	}

	cur = rd->held;
	while (cur != NULL && seq_leq(cur->seq + cur->len, seq)) {
		prev = cur;
		cur = cur->next;
	}
	while (n > 0) {
		if (cur == NULL || seq_lt(seq, cur->seq)) {
			len = n;
			if (cur != NULL && (size_t)(cur->seq - seq) < len)
				len = cur->seq - seq;
			if (!hold_piece(r, rd, &prev, seq, p, len))
				return;
		} else {
			len = cur->seq + cur->len - seq;
			if (len > n)
				len = n;
			r->mem->retransmits++;
			prev = cur;
			cur = cur->next;
		}
		seq += (uint32_t)len;
		p += len;
		n -= len;
	}
}

/*
 * The peer acknowledged data of direction d up to ack: a hole it covers
 * will never be seen.
 */
static void
peer_ack(struct reasm *r, int d, uint32_t ack)
{
	struct reasm_dir *rd = &r->dir[d];

	if (rd->started)
		rd->peer_acks = true;
	if (!rd->started || seq_leq(ack, rd->next_seq) ||
	    (uint32_t)(ack - rd->next_seq) > REASM_MAX_ACK_AHEAD)
		return;
	if (!rd->acked_valid || seq_lt(rd->acked, ack)) {
		rd->acked = ack;
		rd->acked_valid = true;
	}
	if (rd->held != NULL && seq_leq(rd->held->seq, ack))
		give_up_hole(r, d);
}

static void
data_segment(struct reasm *r, int d, uint32_t seq, const uint8_t *p, size_t n)
{
	struct reasm_dir *rd = &r->dir[d];
	uint32_t ahead;

	/* Picked up mid-stream: the first bytes seen set the start. */
	if (!rd->started) {
		rd->started = true;
		rd->next_seq = seq;
	}

	if (seq_leq(seq, rd->next_seq)) {
		deliver(r, d, seq, p, n);
		drain(r, d);
		return;
	}

	/* Ahead of a hole.  Lost for sure if the peer already has it. */
	ahead = seq - rd->next_seq;
	if (rd->acked_valid && seq_leq(seq, rd->acked)) {
		skip_to(r, d, seq);
		deliver(r, d, seq, p, n);
		drain(r, d);
		return;
	}
	if (ahead > REASM_MAX_AHEAD) {
		r->mem->bogus++;
		return;
	}
	hold(r, d, seq, p, n);
}

void
reasm_segment(struct reasm *r, int d, uint8_t flags, uint32_t seq, uint32_t ack,
    const uint8_t *p, size_t n)
{
	struct reasm_dir *rd = &r->dir[d];

	/*
	 * A SYN sets the start.  A later SYN from the same side before any
	 * data replaces it: some stacks answer with several SYN-ACKs of
	 * different initial numbers, and the last one is the one used.
	 */
	if (flags & TCP_SYN) {
		if (!rd->started || (rd->delivered == 0 && rd->held == NULL)) {
			rd->started = true;
			rd->syn = true;
			rd->next_seq = seq + 1;
		}
		seq++;
	}

	if (n > 0)
		data_segment(r, d, seq, p, n);
	if ((flags & TCP_FIN) && !rd->fin) {
		rd->fin = true;
		rd->fin_seq = seq + (uint32_t)n;
	}
	if (flags & TCP_ACK)
		peer_ack(r, 1 - d, ack);
}

void
reasm_flush(struct reasm *r)
{
	struct reasm_dir *rd;
	uint32_t end;
	int d;

	for (d = 0; d < 2; d++) {
		rd = &r->dir[d];
		while (rd->held != NULL)
			give_up_hole(r, d);

		/*
		 * Acknowledged bytes that never showed up; the FIN takes a
		 * sequence number of its own, which the peer acknowledges.
		 */
		if (!rd->acked_valid)
			continue;
		end = rd->acked;
		if (rd->fin && seq_lt(rd->fin_seq, end))
			end = rd->fin_seq;
		if (seq_lt(rd->next_seq, end))
			skip_to(r, d, end);
	}
}

bool
reasm_closed(const struct reasm *r, int d)
{
	const struct reasm_dir *rd = &r->dir[d];

	return rd->fin && rd->next_seq == rd->fin_seq;
}
