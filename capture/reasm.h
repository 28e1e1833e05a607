/*
 * reasm.h - TCP stream reassembly, one instance per analysed flow.
 *
 * Each direction's bytes are delivered once and in order.  Segments that
 * arrive ahead of a hole are copied and held, within a per-direction and a
 * global cap.  Where copies overlap, the first copy seen wins: bytes once
 * delivered or held are never replaced by a later retransmission.  A hole is
 * declared lost, and reported to the receiver as a gap, when the other side
 * acknowledges data past it (the segment crossed the wire but not the
 * capture), when a cap forces the held bytes out, or at the end of the flow.
 * In-order segments are delivered straight from the packet, without a copy.
 */
#ifndef PLAINSIGHT_REASM_H
#define PLAINSIGHT_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Memory for held segments, shared by all flows of an engine. */
struct reasm_mem {
	size_t used;            /* bytes held, headers included */
	size_t cap;             /* never more than this */
	uint64_t cap_hits;      /* a cap forced a gap */
	uint64_t retransmits;   /* segments (or parts) already seen */
	uint64_t bogus;         /* segments far outside the window */
	uint64_t dropped_ahead; /* unacknowledged data dropped for room */
};

struct reasm_ops {
	/* n in-order bytes sent by endpoint d. */
	void (*data)(void *arg, int d, const uint8_t *p, size_t n);
	/* len bytes sent by endpoint d were lost. */
	void (*gap)(void *arg, int d, uint64_t len);
};

struct reasm_seg;

struct reasm_dir {
	uint32_t next_seq; /* next byte to deliver */
	uint32_t acked;    /* highest ACK the peer sent for it */
	uint32_t fin_seq;  /* sequence number of the FIN */
	bool started;      /* next_seq is known */
	bool syn;          /* started from a SYN */
	bool acked_valid;
	bool peer_acks; /* the peer's acknowledgements are seen */
	bool fin;
	struct reasm_seg *held; /* ahead of next_seq, sorted, disjoint */
	size_t held_bytes;      /* payload bytes in held */
	uint64_t delivered;     /* bytes delivered */
	uint32_t gaps;          /* holes reported */
	uint64_t gap_bytes;
};

struct reasm {
	struct reasm_dir dir[2]; /* by sending endpoint */
	struct reasm_mem *mem;
	size_t dir_cap; /* held payload per direction */
	const struct reasm_ops *ops;
	void *arg;
};

/*
 * Prepares r; held segments are charged to mem and each direction holds at
 * most dir_cap bytes.  ops receive the stream with arg.
 */
void reasm_init(struct reasm *r, struct reasm_mem *mem, size_t dir_cap,
    const struct reasm_ops *ops, void *arg);

/*
 * Sets where endpoint d's stream starts when its SYN (initial sequence
 * number isn) was seen before reassembly began.
 */
void reasm_start(struct reasm *r, int d, uint32_t isn);

/* Frees held segments without delivering them. */
void reasm_cleanup(struct reasm *r);

/*
 * Takes one TCP segment sent by endpoint d: its flags, sequence and
 * acknowledgement numbers and payload.  Delivers whatever became contiguous
 * through ops, and handles the ACK as news about the other direction.
 */
void reasm_segment(struct reasm *r, int d, uint8_t flags, uint32_t seq,
    uint32_t ack, const uint8_t *p, size_t n);

/* Delivers everything still held, reporting the holes as gaps. */
void reasm_flush(struct reasm *r);

/* True when endpoint d's FIN has been reached in order. */
bool reasm_closed(const struct reasm *r, int d);

#endif
