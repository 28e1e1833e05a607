/*
 * flow.h - the flow table: one entry per TCP or UDP conversation, keyed by
 * its 5-tuple in either direction.
 *
 * The table has a fixed capacity.  Flows sit on one of a few timeout lists,
 * each kept in order of last activity, so expiry looks only at list heads.
 * When the table is full the least valuable flow is evicted: a closed one
 * first, then a half-open one (a SYN flood fills those), then the idlest.
 * Flows are allocated in slabs and recycled, never per packet.  The owner
 * (the engine) hangs its analysis state off each flow and is told, through
 * a callback, before any flow is recycled.
 */
#ifndef PLAINSIGHT_FLOW_H
#define PLAINSIGHT_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "capture/decode.h"

/* Timeout classes, one list each. */
enum flow_list {
	FLOW_LIST_NEW,         /* TCP without an answer yet */
	FLOW_LIST_ESTABLISHED, /* TCP both ways */
	FLOW_LIST_CLOSED,      /* TCP after FIN both ways or RST */
	FLOW_LIST_UDP,
	FLOW_LIST_COUNT,
};

/* Why a flow ended. */
enum flow_end {
	FLOW_END_CLOSED,  /* FIN or RST, then quiet */
	FLOW_END_TIMEOUT, /* idle past its timeout */
	FLOW_END_EVICTED, /* the table was full */
	FLOW_END_SHUTDOWN /* the capture ended */
};

struct flow_key {
	uint8_t addr[2][16]; /* endpoint 0 sorts before endpoint 1 */
	uint16_t port[2];
	uint8_t ip_version;
	uint8_t proto;
};

/*
 * Laid out for the packet path: the fields a lookup compares fill the
 * first cache line, those every packet updates the second.
 */
struct flow {
	uint32_t hash;
	uint8_t list;              /* enum flow_list */
	uint8_t tcp_flags_seen[2]; /* TCP_* seen from each endpoint */
	int8_t client;             /* endpoint index of the client, -1 */
	struct flow *hnext;        /* hash chain */
	struct flow_key key;

	/* Kept by the engine; zero when the flow is created. */
	uint8_t stage;        /* the engine's progress with it */
	uint8_t ndpi_packets; /* packets given to nDPI */
	uint16_t ndpi_master; /* nDPI's verdict, once known */
	uint16_t ndpi_app;
	uint8_t app; /* what an analyzer showed it to carry (app_proto) */

	struct timeval last_seen;
	uint64_t packets[2]; /* sent by endpoint 0 and 1 */
	uint64_t bytes[2];   /* payload bytes sent by each */
	void *owner;         /* analysis state, or NULL */
	void *ndpi;          /* nDPI's flow state while classifying */

	struct flow *prev, *next; /* timeout list */
	struct timeval first_seen;
	uint64_t id;     /* 1, 2, ... in order of creation */
	uint32_t isn[2]; /* SYN sequence number of each */
};

struct flow_stats {
	uint64_t created;
	uint64_t evicted; /* recycled while still active */
	uint64_t expired;
	uint64_t alloc_failures;
};

struct flow_table;

/* Called before a flow is recycled; the flow is still fully valid. */
typedef void flow_end_cb(void *arg, struct flow *f, enum flow_end why);

/*
 * Returns a table holding at most max_flows flows, calling end_cb before
 * recycling any of them, or NULL when out of memory.
 */
struct flow_table *flow_table_new(
    size_t max_flows, flow_end_cb *end_cb, void *arg);

/* Ends every flow (FLOW_END_SHUTDOWN) and frees the table; t may be NULL. */
void flow_table_free(struct flow_table *t);

/*
 * Finds the flow of pkt, or creates it (evicting one if the table is full).
 * *from receives the index of the sending endpoint in the key (0 or 1) and
 * *created whether the flow is new.  Returns NULL only when no flow could
 * be had at all (out of memory), which is counted.
 */
struct flow *flow_lookup(struct flow_table *t, const struct packet *pkt,
    const struct timeval *ts, int *from, bool *created);

/* Moves f to list l and marks it active at ts. */
void flow_touch(struct flow_table *t, struct flow *f, enum flow_list l,
    const struct timeval *ts);

/* Ends and recycles flows idle past their timeout at time now. */
void flow_expire(struct flow_table *t, const struct timeval *now);

/* Ends and recycles one flow now. */
void flow_remove(struct flow_table *t, struct flow *f, enum flow_end why);

const struct flow_stats *flow_table_stats(const struct flow_table *t);

/* Bytes one flow takes in the table. */
size_t flow_size(void);
size_t flow_table_count(const struct flow_table *t);
size_t flow_table_memory(const struct flow_table *t);

#endif
