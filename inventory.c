/*
 * inventory.c - the service map: a hash table of entries, emptied into the
 * database by inventory_flush().
 */
#include "inventory.h"

#include <stdio.h>
#include <string.h>

#include "mem.h"

struct inventory {
	struct service **buckets;
	size_t nbuckets; /* a power of two */
	size_t count;
	size_t max;
};

struct inventory *
inventory_new(size_t max)
{
	struct inventory *inv;

	inv = mem_calloc(1, sizeof(*inv));
	if (inv == NULL)
		return NULL;
	inv->max = max;
	inv->nbuckets = 1024;
	while (inv->nbuckets < max)
		inv->nbuckets <<= 1;
	inv->buckets = mem_calloc(inv->nbuckets, sizeof(*inv->buckets));
	if (inv->buckets == NULL) {
		mem_free(inv);
		return NULL;
	}
	return inv;
}

void
inventory_clear(struct inventory *inv)
{
	struct service *sv, *next;
	size_t i;

	for (i = 0; i < inv->nbuckets; i++) {
		for (sv = inv->buckets[i]; sv != NULL; sv = next) {
			next = sv->next;
			mem_free(sv);
		}
		inv->buckets[i] = NULL;
	}
	inv->count = 0;
}

void
inventory_free(struct inventory *inv)
{
	if (inv == NULL)
		return;
	inventory_clear(inv);
	mem_free(inv->buckets);
	mem_free(inv);
}

static uint64_t
key_hash(const struct inv_flow *fl)
{
	uint8_t key[16 + 2 + 1 + SERVICE_PROTO_MAX];
	size_t n;

	memset(key, 0, sizeof(key));
	memcpy(key, fl->server_ip, 16);
	key[16] = (uint8_t)(fl->server_port >> 8);
	key[17] = (uint8_t)fl->server_port;
	key[18] = fl->transport;
	n = strnlen(fl->protocol, SERVICE_PROTO_MAX - 1);
	memcpy(key + 19, fl->protocol, n);
	return hll_hash(key, 19 + n);
}

static bool
matches(const struct service *sv, const struct inv_flow *fl)
{
	return sv->port == fl->server_port && sv->transport == fl->transport &&
	    sv->ip_version == fl->ip_version &&
	    memcmp(sv->ip, fl->server_ip, 16) == 0 &&
	    strncmp(sv->protocol, fl->protocol, SERVICE_PROTO_MAX - 1) == 0;
}

static struct service *
create(struct inventory *inv, const struct inv_flow *fl, size_t b)
{
	struct service *sv;

	if (inv->count >= inv->max)
		return NULL;
	sv = mem_calloc(1, sizeof(*sv));
	if (sv == NULL)
		return NULL;
	memcpy(sv->ip, fl->server_ip, 16);
	sv->ip_version = fl->ip_version;
	sv->transport = fl->transport;
	sv->port = fl->server_port;
	snprintf(sv->protocol, sizeof(sv->protocol), "%s", fl->protocol);
	sv->server_internal = fl->server_internal;
	sv->first_seen = fl->first_seen;
	sv->last_seen = fl->last_seen;
	hll_init(&sv->clients);
	sv->next = inv->buckets[b];
	inv->buckets[b] = sv;
	inv->count++;
	return sv;
}

struct service *
inventory_add(struct inventory *inv, const struct inv_flow *fl)
{
	struct service *sv;
	size_t b = key_hash(fl) & (inv->nbuckets - 1);

	for (sv = inv->buckets[b]; sv != NULL; sv = sv->next) {
		if (matches(sv, fl))
			break;
	}
	if (sv == NULL && (sv = create(inv, fl, b)) == NULL)
		return NULL;

	if (sv->sessions == 0 || timercmp(&fl->first_seen, &sv->first_seen, <))
		sv->first_seen = fl->first_seen;
	if (timercmp(&fl->last_seen, &sv->last_seen, >))
		sv->last_seen = fl->last_seen;
	sv->sessions++;
	sv->encrypted_sessions += fl->encrypted;
	sv->internal_sessions += fl->client_internal;
	sv->bytes += fl->bytes;
	hll_add(&sv->clients, hll_hash(fl->client_ip, 16));
	return sv;
}

size_t
inventory_count(const struct inventory *inv)
{
	return inv->count;
}

bool
inventory_full(const struct inventory *inv)
{
	return inv->count >= inv->max;
}

/* Zeroes what an entry counted since the last flush. */
static void
reset(struct service *sv)
{
	sv->sessions = 0;
	sv->encrypted_sessions = 0;
	sv->internal_sessions = 0;
	sv->bytes = 0;
	hll_init(&sv->clients);
	timerclear(&sv->first_seen);
	timerclear(&sv->last_seen);
}

int
inventory_flush(struct inventory *inv,
    int (*fn)(void *arg, const struct service *sv), void *arg)
{
	struct service *sv;
	size_t i;
	int rc;

	for (i = 0; i < inv->nbuckets; i++) {
		for (sv = inv->buckets[i]; sv != NULL; sv = sv->next) {
			if (sv->sessions == 0)
				continue;
			rc = fn(arg, sv);
			if (rc != 0)
				return rc;
			reset(sv);
		}
	}
	return 0;
}
