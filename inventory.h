/*
 * inventory.h - the services seen: one entry per server address, port,
 * transport and protocol, counted as flows end.
 *
 * Entries are kept in memory and handed to storage in batches, so that the
 * inventory costs a hash lookup per flow, never a database write.  The
 * number of entries is capped; when full, the owner flushes it.
 */
#ifndef PLAINSIGHT_INVENTORY_H
#define PLAINSIGHT_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "hll.h"

#define SERVICE_PROTO_MAX 48

struct service {
	uint8_t ip[16]; /* server address, IPv4 in the first 4 bytes */
	uint8_t ip_version;
	uint8_t transport; /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t port;
	char protocol[SERVICE_PROTO_MAX]; /* as nDPI names it */
	bool server_internal;
	struct timeval first_seen;
	struct timeval last_seen;
	uint64_t sessions;           /* flows */
	uint64_t encrypted_sessions; /* ... in TLS, SSH, QUIC, IPsec ... */
	uint64_t internal_sessions;  /* ... from internal clients */
	uint64_t bytes;              /* payload, both ways */
	struct hll clients;          /* distinct client addresses */
	bool reported;               /* a cleartext finding was raised */
	struct service *next;        /* hash chain */
};

/* What the engine knows of a flow that has ended. */
struct inv_flow {
	uint8_t ip_version;
	const uint8_t *server_ip;
	const uint8_t *client_ip;
	uint16_t server_port;
	uint8_t transport;
	const char *protocol;
	struct timeval first_seen;
	struct timeval last_seen;
	uint64_t bytes;
	bool encrypted;
	bool server_internal;
	bool client_internal;
};

struct inventory;

/* Returns an inventory of at most max entries, or NULL. */
struct inventory *inventory_new(size_t max);

/* Frees inv; inv may be NULL. */
void inventory_free(struct inventory *inv);

/*
 * Counts an ended flow in its service.  Returns the service, or NULL when
 * the inventory is full (flush it and add again) or out of memory.
 */
struct service *inventory_add(struct inventory *inv, const struct inv_flow *fl);

/* Entries held, and whether no more fit. */
size_t inventory_count(const struct inventory *inv);
bool inventory_full(const struct inventory *inv);

/*
 * Calls fn for every entry that counted flows since the last flush, then
 * zeroes their counts.  Entries stay, so that what was reported about a
 * service is remembered.  Returns 0, or the first non-zero value of fn.
 */
int inventory_flush(struct inventory *inv,
    int (*fn)(void *arg, const struct service *sv), void *arg);

/* Forgets every entry (after a flush, when the inventory is full). */
void inventory_clear(struct inventory *inv);

#endif
