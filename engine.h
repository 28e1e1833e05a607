/*
 * engine.h - from packets to stored sessions.
 *
 * The engine owns the flow table, nDPI, reassembly and the analyzers of one
 * stream of packets.  Everything it keeps is reached from struct engine, so
 * that several engines could later each own a shard of the flows (hashed by
 * their 5-tuple) in threads of their own.
 */
#ifndef PLAINSIGHT_ENGINE_H
#define PLAINSIGHT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "analyzers/findings.h"
#include "storage/store.h"

enum checksum_mode {
	CHECKSUM_AUTO, /* skip bad ones once checksums proved reliable */
	CHECKSUM_ON,   /* always skip packets with bad checksums */
	CHECKSUM_OFF,  /* never look */
};

struct engine_config {
	size_t max_flows;     /* flows tracked at once */
	size_t memory_cap;    /* bytes for the flow table and per-flow state */
	size_t reasm_dir_cap; /* bytes held per direction of a flow */
	enum checksum_mode checksum;
	struct findings_policy policy; /* what counts as a finding */
	const struct netset *internal; /* internal networks; borrowed */
	struct store *store;           /* where sessions go; borrowed */
};

struct engine_stats {
	uint64_t packets;
	uint64_t bytes;     /* on the wire */
	uint64_t truncated; /* cut by the snap length */
	uint64_t malformed;
	uint64_t fragments;
	uint64_t not_ip;          /* ARP, LLC and the like */
	uint64_t other_ip;        /* ICMP and other transports */
	uint64_t checksum_errors; /* in analysed flows */
	uint64_t checksum_skipped;
	uint64_t tcp_packets;
	uint64_t udp_packets;
	uint64_t sessions; /* stored */
	uint64_t findings;
	uint64_t credentials;
	uint64_t store_errors;
	uint64_t stream_drops;       /* bytes an analyzer could not take */
	uint64_t alloc_failures;     /* malloc said no */
	uint64_t analyses_evicted;   /* cut short to free memory */
	uint64_t analyses_early;     /* complete, stored early for memory */
	uint64_t classify_abandoned; /* nDPI made to guess, to free memory */
	uint64_t tcp_gaps;
	uint64_t flows;       /* flows tracked, once the capture ended */
	struct timeval first; /* earliest capture time seen */
	struct timeval last;  /* latest */
};

struct engine;

/*
 * Memory the flow table takes for max_flows flows, and the number of flows
 * a third of a memory budget holds: the rest is for their analysis.
 */
size_t engine_flow_memory(size_t max_flows);
size_t engine_default_flows(size_t memory_cap);

/* Returns a new engine, or NULL (with a message logged). */
struct engine *engine_new(const struct engine_config *cfg);

/*
 * Processes one frame of link type dlt captured at ts: caplen bytes were
 * kept of wirelen.
 */
void engine_packet(struct engine *e, int dlt, const struct timeval *ts,
    const uint8_t *frame, size_t caplen, size_t wirelen);

/*
 * A live capture that saw no packet for a while: moves the engine's clock
 * to now (never back) so that idle flows time out and are stored.
 */
void engine_tick(struct engine *e, const struct timeval *now);

/*
 * The next packets come from another file: whether checksums can be
 * trusted (--checksum auto) is judged anew.
 */
void engine_new_input(struct engine *e);

/* Ends every flow, storing what they found. */
void engine_finish(struct engine *e);

/* Frees e (after engine_finish()); e may be NULL. */
void engine_free(struct engine *e);

const struct engine_stats *engine_stats(const struct engine *e);

/*
 * Named counters for the run's record: nDPI, flow table and reassembly
 * figures.  Returns how many were written to out (at most max).
 */
size_t engine_counters(
    const struct engine *e, struct store_counter *out, size_t max);

#endif
