/*
 * flow.c - fixed-capacity flow table with timeout lists.
 */
#include "capture/flow.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util.h"

/* Idle timeouts in seconds, per list. */
static const long flow_timeouts[FLOW_LIST_COUNT] = {
	[FLOW_LIST_NEW] = 30,
	[FLOW_LIST_ESTABLISHED] = 900,
	[FLOW_LIST_CLOSED] = 10,
	[FLOW_LIST_UDP] = 60,
};

/* Eviction order when the table is full: cheapest loss first. */
static const enum flow_list flow_evict_order[FLOW_LIST_COUNT] = {
	FLOW_LIST_CLOSED,
	FLOW_LIST_NEW,
	FLOW_LIST_UDP,
	FLOW_LIST_ESTABLISHED,
};

#define FLOW_SLAB 4096
/* Buckets to start with; the array doubles when flows outnumber them. */
#define FLOW_BUCKETS_MIN 65536

struct flow_slab {
	struct flow_slab *next;
	struct flow flows[FLOW_SLAB];
};

struct flow_lru {
	struct flow *head; /* least recently active */
	struct flow *tail;
};

struct flow_table {
	struct flow **buckets;
	size_t nbuckets; /* a power of two */
	size_t max_flows;
	size_t count;     /* flows in use */
	size_t allocated; /* flows in slabs */
	struct flow_slab *slabs;
	struct flow *free; /* recycled flows, chained by hnext */
	struct flow_lru lists[FLOW_LIST_COUNT];
	uint64_t seed[2]; /* keyed hashing against collision floods */
	uint64_t next_id;
	flow_end_cb *end_cb;
	void *arg;
	struct flow_stats stats;
};

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/*
 * Hash of a normalised key, keyed with a random seed so that a sender who
 * knows the function cannot aim all its flows at one bucket.
 */
static uint32_t
key_hash(const struct flow_table *t, const struct flow_key *k)
{
	uint64_t w[5], h = t->seed[0];
	size_t i;

	memcpy(w, k->addr, sizeof(k->addr));
	w[4] = (uint64_t)k->port[0] << 32 | (uint64_t)k->port[1] << 16 |
	    (uint64_t)k->ip_version << 8 | k->proto;
	for (i = 0; i < ARRAY_SIZE(w); i++)
		h = mix64(h ^ w[i] ^ t->seed[1]);
	return (uint32_t)h;
}

/*
 * Builds the key of pkt with the lower endpoint first and returns the
 * sender's index in it.
 */
static int
key_build(struct flow_key *k, const struct packet *pkt)
{
	int c;

	memset(k, 0, sizeof(*k));
	k->ip_version = pkt->ip_version;
	k->proto = pkt->proto;
	c = memcmp(pkt->src, pkt->dst, sizeof(pkt->src));
	if (c < 0 || (c == 0 && pkt->sport <= pkt->dport)) {
		memcpy(k->addr[0], pkt->src, 16);
		memcpy(k->addr[1], pkt->dst, 16);
		k->port[0] = pkt->sport;
		k->port[1] = pkt->dport;
		return 0;
	}
	memcpy(k->addr[0], pkt->dst, 16);
	memcpy(k->addr[1], pkt->src, 16);
	k->port[0] = pkt->dport;
	k->port[1] = pkt->sport;
	return 1;
}

static bool
key_equal(const struct flow_key *a, const struct flow_key *b)
{
	return a->port[0] == b->port[0] && a->port[1] == b->port[1] &&
	    a->proto == b->proto && a->ip_version == b->ip_version &&
	    memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

static void
lru_unlink(struct flow_table *t, struct flow *f)
{
	struct flow_lru *l = &t->lists[f->list];

	if (f->prev != NULL)
		f->prev->next = f->next;
	else
		l->head = f->next;
	if (f->next != NULL)
		f->next->prev = f->prev;
	else
		l->tail = f->prev;
	f->prev = f->next = NULL;
}

static void
lru_append(struct flow_table *t, struct flow *f, enum flow_list list)
{
	struct flow_lru *l = &t->lists[list];

	f->list = (uint8_t)list;
	f->next = NULL;
	f->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = f;
	else
		l->head = f;
	l->tail = f;
}

struct flow_table *
flow_table_new(size_t max_flows, flow_end_cb *end_cb, void *arg)
{
	struct flow_table *t;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	if (max_flows < 16)
		max_flows = 16;
	t->max_flows = max_flows;

	/* The bucket array grows with the flows (see grow_buckets()). */
	t->nbuckets = FLOW_BUCKETS_MIN;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (t->buckets == NULL) {
		free(t);
		return NULL;
	}
	if (getrandom(t->seed, sizeof(t->seed), 0) != sizeof(t->seed)) {
		t->seed[0] = (uint64_t)(uintptr_t)t ^ 0x9e3779b97f4a7c15ULL;
		t->seed[1] = (uint64_t)(uintptr_t)&t ^ 0xbf58476d1ce4e5b9ULL;
	}
	t->end_cb = end_cb;
	t->arg = arg;
	return t;
}

void
flow_table_free(struct flow_table *t)
{
	struct flow_slab *s, *next;
	int l;

	if (t == NULL)
		return;
	for (l = 0; l < FLOW_LIST_COUNT; l++) {
		while (t->lists[l].head != NULL)
			flow_remove(t, t->lists[l].head, FLOW_END_SHUTDOWN);
	}
	for (s = t->slabs; s != NULL; s = next) {
		next = s->next;
		free(s);
	}
	free(t->buckets);
	free(t);
}

/* Takes a flow from the free list, growing the slabs within the cap. */
static struct flow *
flow_alloc(struct flow_table *t)
{
	struct flow_slab *s;
	struct flow *f;
	size_t i;

	if (t->free == NULL && t->allocated < t->max_flows) {
		s = malloc(sizeof(*s));
		if (s == NULL) {
			t->stats.alloc_failures++;
			return NULL;
		}
		s->next = t->slabs;
		t->slabs = s;
		for (i = 0; i < FLOW_SLAB; i++) {
			s->flows[i].hnext = t->free;
			t->free = &s->flows[i];
		}
		t->allocated += FLOW_SLAB;
	}
	f = t->free;
	if (f != NULL)
		t->free = f->hnext;
	return f;
}

/* Recycles the least valuable flow to make room. */
static void
flow_evict_one(struct flow_table *t)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(flow_evict_order); i++) {
		if (t->lists[flow_evict_order[i]].head != NULL) {
			t->stats.evicted++;
			flow_remove(t, t->lists[flow_evict_order[i]].head,
			    FLOW_END_EVICTED);
			return;
		}
	}
}

/*
 * Doubles the bucket array once flows outnumber buckets, so that chains
 * stay short while the array stays as small, and as cache-friendly, as the
 * traffic allows.  When memory is short the table goes on with longer
 * chains.
 */
static void
grow_buckets(struct flow_table *t)
{
	struct flow **nb, *f, *next;
	size_t i, n = t->nbuckets * 2, b;

	nb = calloc(n, sizeof(*nb));
	if (nb == NULL)
		return;
	for (i = 0; i < t->nbuckets; i++) {
		for (f = t->buckets[i]; f != NULL; f = next) {
			next = f->hnext;
			b = f->hash & (n - 1);
			f->hnext = nb[b];
			nb[b] = f;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = n;
}

struct flow *
flow_lookup(struct flow_table *t, const struct packet *pkt,
    const struct timeval *ts, int *from, bool *created)
{
	struct flow_key key;
	struct flow *f;
	uint32_t h;
	size_t b;

	*from = key_build(&key, pkt);
	h = key_hash(t, &key);
	b = h & (t->nbuckets - 1);
	for (f = t->buckets[b]; f != NULL; f = f->hnext) {
		if (f->hash == h && key_equal(&f->key, &key)) {
			*created = false;
			return f;
		}
	}

	/* A new flow: make room first if the table is at its cap. */
	if (t->count >= t->max_flows)
		flow_evict_one(t);
	if (t->count >= t->nbuckets) {
		grow_buckets(t);
		b = h & (t->nbuckets - 1);
	}
	f = flow_alloc(t);
	if (f == NULL)
		return NULL;
	memset(f, 0, sizeof(*f));
	f->key = key;
	f->hash = h;
	f->id = ++t->next_id;
	f->first_seen = f->last_seen = *ts;
	f->hnext = t->buckets[b];
	t->buckets[b] = f;
	lru_append(
	    t, f, pkt->proto == IPPROTO_UDP ? FLOW_LIST_UDP : FLOW_LIST_NEW);
	t->count++;
	t->stats.created++;
	*created = true;
	return f;
}

void
flow_touch(struct flow_table *t, struct flow *f, enum flow_list l,
    const struct timeval *ts)
{
	/*
	 * Timeouts count in seconds, so a flow is moved to the tail of its
	 * list at most once a second: busy flows then cost no writes to their
	 * neighbours.  The list stays ordered to within a second.
	 */
	if (f->list == l && f->last_seen.tv_sec == ts->tv_sec) {
		f->last_seen = *ts;
		return;
	}
	f->last_seen = *ts;
	if (t->lists[f->list].tail == f && f->list == l)
		return;
	lru_unlink(t, f);
	lru_append(t, f, l);
}

void
flow_remove(struct flow_table *t, struct flow *f, enum flow_end why)
{
	struct flow **pp;

	if (t->end_cb != NULL)
		t->end_cb(t->arg, f, why);

	for (pp = &t->buckets[f->hash & (t->nbuckets - 1)]; *pp != NULL;
	     pp = &(*pp)->hnext) {
		if (*pp == f) {
			*pp = f->hnext;
			break;
		}
	}
	lru_unlink(t, f);
	f->hnext = t->free;
	t->free = f;
	t->count--;
}

void
flow_expire(struct flow_table *t, const struct timeval *now)
{
	struct flow *f;
	int l;

	for (l = 0; l < FLOW_LIST_COUNT; l++) {
		while ((f = t->lists[l].head) != NULL &&
		    now->tv_sec - f->last_seen.tv_sec > flow_timeouts[l]) {
			t->stats.expired++;
			flow_remove(t, f,
			    l == FLOW_LIST_CLOSED ? FLOW_END_CLOSED
						  : FLOW_END_TIMEOUT);
		}
	}
}

const struct flow_stats *
flow_table_stats(const struct flow_table *t)
{
	return &t->stats;
}

size_t
flow_size(void)
{
	return sizeof(struct flow);
}

size_t
flow_table_count(const struct flow_table *t)
{
	return t->count;
}

size_t
flow_table_memory(const struct flow_table *t)
{
	return t->nbuckets * sizeof(*t->buckets) +
	    (t->allocated / FLOW_SLAB) * sizeof(struct flow_slab);
}
