/*
 * engine.c - the packet path.
 *
 * For each frame: decode it, find its flow, count it.  While nDPI has not
 * named the flow's protocol, offer it the packet.  Flows plainsight analyses
 * (chosen by server port, by nDPI, or by their first bytes) are reassembled
 * and their streams handed to an analyzer; all others are only counted.
 * When a flow ends its session, if it had one, is judged and stored.
 *
 * The common case allocates nothing: flows are recycled from slabs, in-order
 * segments go to the analyzer straight from the capture buffer, and nDPI's
 * state lives only for the first packets of a flow.
 */
#include "engine.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/findings.h"
#include "analyzers/registry.h"
#include "capture/classify.h"
#include "capture/decode.h"
#include "capture/flow.h"
#include "capture/reasm.h"
#include "inventory.h"
#include "log.h"
#include "mem.h"
#include "netset.h"
#include "util.h"

/* Flow stage bits (struct flow stage). */
#define STAGE_CLASSIFIED 0x01 /* nDPI has settled */
#define STAGE_DECIDED 0x02    /* analysed or only counted, for good */
#define STAGE_TLS 0x04        /* its session spoke TLS */

/* The service inventory is written out this often, in capture seconds. */
#define SERVICE_FLUSH_INTERVAL 60
/* Services kept in memory between writes. */
#define SERVICE_MAX 65536

/* Bytes of an undecided flow kept for the analyzer it may get. */
#define PENDING_MAX 8192
/* First size of a buffer that grows on demand. */
#define BUF_START 256
/* Reclaiming stops when memory is back under this share of the budget. */
#define RECLAIM_TARGET(budget) ((budget) / 8 * 7)
/* Hand-overs between analyzers in one session before giving up. */
#define MAX_SWITCHES 8
/* Checksums count as reliable after this many good ones... */
#define CHECKSUM_SAMPLE 100
/* ... with fewer than one bad in this many. */
#define CHECKSUM_BAD_RATIO 10

struct stream {
	uint8_t *buf; /* bytes the analyzer left for later */
	size_t len;
	size_t cap;
};

/* A record of the pending log: data or a gap, from one endpoint. */
struct pending_rec {
	uint8_t gap;  /* 1: a gap of len bytes, no data follows */
	uint8_t from; /* sending endpoint */
	uint32_t len;
	struct timeval ts;
};

struct analysis {
	struct engine *e;
	struct flow *f;
	struct session s;
	struct reasm r;
	struct stream st[2];       /* by enum dir */
	const struct analyzer *an; /* NULL while undecided or done */
	void *state;
	const struct analyzer *held_an; /* suspended during a hand-over */
	void *held_state;
	uint8_t *pending; /* log of an undecided flow */
	size_t pending_len;
	size_t pending_cap;
	bool decided;    /* an analyzer was chosen */
	bool finished;   /* analyzers have ended */
	bool in_reasm;   /* reassembly is calling us back */
	bool started[2]; /* endpoint's bytes have begun to arrive */
	unsigned int switches;
	struct analysis *prev, *next; /* engine's list, least active first */
};

/* Analyses in order of last activity, for reclaiming memory. */
struct analysis_list {
	struct analysis *head;
	struct analysis *tail;
};

/*
 * Flows holding nDPI state, oldest first, in a ring of fixed size: when it
 * is full the oldest still classifying is settled by a guess.  Entries of
 * flows that settled since, or were recycled, are stale and skipped.
 */
struct classify_ring {
	struct {
		struct flow *f;
		uint64_t id;
	} * slot;
	size_t size;
	size_t head; /* oldest entry */
	size_t count;
};

struct engine {
	struct engine_config cfg;
	struct flow_table *flows;
	struct classifier *cls;
	struct reasm_mem rmem;
	size_t budget;   /* bytes of traffic-driven memory allowed */
	size_t mem_base; /* counted memory before the first packet */
	struct analysis_list active;   /* analyses still parsing */
	struct analysis_list finished; /* analyses waiting for flow end */
	struct classify_ring ring;
	struct inventory *inv;
	time_t last_service_flush;
	struct timeval now; /* time of the packet in hand */
	time_t last_expire;
	uint64_t checksums_checked;   /* in this input */
	uint64_t checksums_bad;       /* in this input */
	struct flow_stats flow_stats; /* kept when the table is freed */
	struct engine_stats stats;
};

static const struct reasm_ops engine_reasm_ops;

static void analysis_finish(struct engine *e, struct analysis *a);
static void stream_drain(struct engine *e, struct analysis *a, enum dir d);

static void
list_unlink(struct analysis_list *l, struct analysis *a)
{
	if (a->prev != NULL)
		a->prev->next = a->next;
	else
		l->head = a->next;
	if (a->next != NULL)
		a->next->prev = a->prev;
	else
		l->tail = a->prev;
	a->prev = a->next = NULL;
}

static void
list_append(struct analysis_list *l, struct analysis *a)
{
	a->next = NULL;
	a->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = a;
	else
		l->head = a;
	l->tail = a;
}

/* The list an analysis is on. */
static struct analysis_list *
list_of(struct engine *e, struct analysis *a)
{
	return a->finished ? &e->finished : &e->active;
}

/* Marks an analysis as the most recently active of its list. */
static void
list_touch(struct engine *e, struct analysis *a)
{
	struct analysis_list *l = list_of(e, a);

	if (l->tail == a)
		return;
	list_unlink(l, a);
	list_append(l, a);
}

/* The analyzer's view of an endpoint's bytes. */
static enum dir
dir_of(const struct flow *f, int from)
{
	return from == f->client ? DIR_TO_SERVER : DIR_TO_CLIENT;
}

/*
 * Settles which endpoint is the client when no SYN said so: a server
 * greeting gives the server away, then a port plainsight knows, then the
 * lower port (clients use high ephemeral ones).
 */
static void
guess_client(struct flow *f, int from, const uint8_t *p, size_t n)
{
	struct app_choice c;

	if (n > 0 && registry_is_greeting(p, n)) {
		f->client = (int8_t)(1 - from);
		return;
	}
	if (registry_port(f->key.port[0], IPPROTO_TCP, &c))
		f->client = 1;
	else if (registry_port(f->key.port[1], IPPROTO_TCP, &c))
		f->client = 0;
	else
		f->client = f->key.port[0] < f->key.port[1] ? 1 : 0;
}

static uint16_t
server_port(const struct flow *f)
{
	return f->key.port[1 - f->client];
}

/* True when endpoint i of f lies in the internal networks. */
static bool
is_internal(const struct engine *e, const struct flow *f, int i)
{
	return e->cfg.internal != NULL &&
	    netset_contains(e->cfg.internal, f->key.ip_version, f->key.addr[i]);
}

static void
session_identify(struct analysis *a, uint16_t vlan)
{
	struct flow *f = a->f;
	struct session *s = &a->s;
	int c = f->client;

	s->flow_id = f->id;
	s->ip_version = f->key.ip_version;
	memcpy(s->client_ip, f->key.addr[c], 16);
	memcpy(s->server_ip, f->key.addr[1 - c], 16);
	s->client_port = f->key.port[c];
	s->server_port = f->key.port[1 - c];
	s->vlan = vlan;
	s->transport = f->key.proto;
	s->first_seen = f->first_seen;
	s->starttls_offered = -1;
	s->client_internal = (int8_t)is_internal(a->e, f, c);
	s->server_internal = (int8_t)is_internal(a->e, f, 1 - c);
}

static struct analysis *
analysis_new(struct engine *e, struct flow *f, const struct packet *pkt)
{
	struct analysis *a;
	int d;

	a = mem_calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->e = e;
	a->f = f;
	list_append(&e->active, a);
	reasm_init(&a->r, &e->rmem, e->cfg.reasm_dir_cap, &engine_reasm_ops, a);

	/* Streams start at the SYN when one was seen before. */
	for (d = 0; d < 2; d++) {
		if (f->tcp_flags_seen[d] & TCP_SYN)
			reasm_start(&a->r, d, f->isn[d]);
	}
	session_identify(a, pkt->vlan);
	f->owner = a;
	return a;
}

static void
stream_free(struct analysis *a)
{
	int d;

	for (d = 0; d < 2; d++) {
		mem_free(a->st[d].buf);
		a->st[d].buf = NULL;
		a->st[d].len = a->st[d].cap = 0;
	}
	mem_free(a->pending);
	a->pending = NULL;
	a->pending_len = a->pending_cap = 0;
}

/*
 * Grows the buffer at *buf (capacity *cap) to hold need bytes, doubling
 * from a small start, never beyond max.  Most leftovers are a partial line:
 * buffers stay small unless the traffic makes them grow.
 */
static bool
grow(uint8_t **buf, size_t *cap, size_t need, size_t max)
{
	size_t ncap = *cap != 0 ? *cap : BUF_START;
	uint8_t *nbuf;

	if (need <= *cap)
		return true;
	while (ncap < need && ncap < max)
		ncap *= 2;
	ncap = MIN(ncap, max);
	if (ncap < need)
		return false;
	nbuf = mem_realloc(*buf, ncap);
	if (nbuf == NULL)
		return false;
	*buf = nbuf;
	*cap = ncap;
	return true;
}

static void
destroy_analyzers(struct analysis *a)
{
	if (a->an != NULL)
		a->an->destroy(a->state);
	if (a->held_an != NULL)
		a->held_an->destroy(a->held_state);
	a->an = a->held_an = NULL;
	a->state = a->held_state = NULL;
}

/* Hands the session to analyzer to, resuming it if it was suspended. */
static void
switch_analyzer(struct engine *e, struct analysis *a, const struct analyzer *to)
{
	const struct analyzer *old = a->an;
	void *old_state = a->state;

	if (++a->switches > MAX_SWITCHES) {
		analysis_finish(e, a);
		return;
	}
	if (to == a->held_an) {
		a->an = a->held_an;
		a->state = a->held_state;
	} else {
		if (a->held_an != NULL)
			a->held_an->destroy(a->held_state);
		a->an = to;
		a->state = to->create(&a->s);
		if (a->state == NULL) {
			e->stats.alloc_failures++;
			a->an = NULL;
		}
	}
	a->held_an = old;
	a->held_state = old_state;
	if (a->an == NULL)
		analysis_finish(e, a);
}

/*
 * Honours what the analyzer asked for during its last call.  Returns true
 * when the analyzer in charge changed (or analysis stopped).
 */
static bool
apply_requests(struct engine *e, struct analysis *a)
{
	const struct analyzer *to = a->s.switch_to;

	if (to != NULL) {
		a->s.switch_to = NULL;
		switch_analyzer(e, a, to);
		return true;
	}
	if (a->s.done && !a->finished) {
		analysis_finish(e, a);
		return true;
	}
	return false;
}

static size_t
call_parse(struct analysis *a, enum dir d, const uint8_t *p, size_t n,
    unsigned int flags)
{
	size_t used;

	used = a->an->parse(a->state, &a->s, d, p, n, &a->e->now, flags);
	return used > n ? n : used;
}

/* The analyzer cannot take these bytes: tell it they are lost. */
static void
stream_lose(struct engine *e, struct analysis *a, enum dir d, size_t n)
{
	e->stats.stream_drops += n;
	a->s.anomalies |= SESSION_ANOM_LONG_LINE;
	if (a->an != NULL)
		a->an->gap(a->state, &a->s, d, n);
}

/* Parses what waits in direction d until the analyzer stops consuming. */
static void
stream_drain(struct engine *e, struct analysis *a, enum dir d)
{
	struct stream *st = &a->st[d];
	unsigned int flags;
	size_t used;

	unsigned int switches = a->switches;

	while (st->len > 0 && a->an != NULL) {
		flags = st->len >= a->an->bufmax ? PARSE_FULL : 0;
		used = call_parse(a, d, st->buf, st->len, flags);
		if (used > 0) {
			memmove(st->buf, st->buf + used, st->len - used);
			st->len -= used;
		}
		if (apply_requests(e, a))
			continue;
		if (used == 0) {
			if (flags & PARSE_FULL) {
				stream_lose(e, a, d, st->len);
				st->len = 0;
			}
			break;
		}
	}

	/* A new analyzer also gets what waits in the other direction. */
	if (a->switches != switches)
		stream_drain(e, a, (enum dir)(1 - d));
}

/*
 * Offers n bytes of direction d to the analyzer.  When nothing waits they
 * are parsed in place; what the analyzer leaves is kept for the next call.
 */
static void
stream_input(struct engine *e, struct analysis *a, enum dir d, const uint8_t *p,
    size_t n)
{
	struct stream *st = &a->st[d];
	unsigned int switches = a->switches;
	size_t used, take;

	while (n > 0 && a->an != NULL) {
		if (st->len == 0) {
			used = call_parse(a, d, p, n, 0);
			p += used;
			n -= used;
			if (apply_requests(e, a))
				continue;
			if (n == 0)
				break;
		}
		if (!grow(&st->buf, &st->cap, MIN(st->len + n, a->an->bufmax),
			a->an->bufmax)) {
			stream_lose(e, a, d, n);
			return;
		}
		take = MIN(n, st->cap - st->len);
		memcpy(st->buf + st->len, p, take);
		st->len += take;
		p += take;
		n -= take;
		stream_drain(e, a, d);
	}
	if (a->switches != switches && a->an != NULL)
		stream_drain(e, a, (enum dir)(1 - d));
}

/* Appends a record to an undecided flow's log; false when full. */
static bool
pending_add(struct engine *e, struct analysis *a, int from, bool gap,
    const uint8_t *p, size_t n)
{
	struct pending_rec rec;
	size_t need = sizeof(rec) + (gap ? 0 : n);

	if (need > PENDING_MAX - a->pending_len ||
	    !grow(&a->pending, &a->pending_cap, a->pending_len + need,
		PENDING_MAX))
		return false;
	memset(&rec, 0, sizeof(rec));
	rec.gap = gap;
	rec.from = (uint8_t)from;
	rec.len = (uint32_t)n;
	rec.ts = e->now;
	memcpy(a->pending + a->pending_len, &rec, sizeof(rec));
	if (!gap)
		memcpy(a->pending + a->pending_len + sizeof(rec), p, n);
	a->pending_len += need;
	return true;
}

/* First bytes each endpoint sent, from the pending log. */
static void
pending_first(const struct analysis *a, const uint8_t *first[2], size_t len[2])
{
	struct pending_rec rec;
	size_t off = 0;

	first[0] = first[1] = NULL;
	len[0] = len[1] = 0;
	while (off + sizeof(rec) <= a->pending_len) {
		memcpy(&rec, a->pending + off, sizeof(rec));
		off += sizeof(rec);
		if (!rec.gap && first[rec.from] == NULL) {
			first[rec.from] = a->pending + off;
			len[rec.from] = rec.len;
		}
		if (!rec.gap)
			off += rec.len;
	}
}

/* Hands the log of a newly decided flow to its analyzer, in order. */
static void
pending_replay(struct engine *e, struct analysis *a)
{
	struct pending_rec rec;
	struct timeval now = e->now;
	uint8_t *log = a->pending;
	size_t off = 0, len = a->pending_len;

	a->pending = NULL;
	a->pending_len = a->pending_cap = 0;
	while (off + sizeof(rec) <= len && a->an != NULL) {
		memcpy(&rec, log + off, sizeof(rec));
		off += sizeof(rec);
		e->now = rec.ts;
		if (rec.gap) {
			a->an->gap(
			    a->state, &a->s, dir_of(a->f, rec.from), rec.len);
			continue;
		}
		stream_input(e, a, dir_of(a->f, rec.from), log + off, rec.len);
		off += rec.len;
	}
	e->now = now;
	mem_free(log);
}

static void decide(
    struct engine *e, struct flow *f, struct analysis *a, bool final);
static void settle_now(struct engine *e, struct flow *f, struct analysis *a);

/*
 * Tells the analyzer that bytes of endpoint from are missing: len of them
 * (0 when unknown), counted as a gap when they were seen to be lost.
 */
static void
lose(struct analysis *a, int from, uint64_t len, bool counted)
{
	enum dir d;

	if (counted) {
		a->e->stats.tcp_gaps++;
		a->s.gaps++;
		a->s.anomalies |= SESSION_ANOM_GAP;
	}
	if (a->an != NULL) {
		d = dir_of(a->f, from);
		a->st[d].len = 0;
		a->an->gap(a->state, &a->s, d, len);
		return;
	}
	if (!a->decided && !a->finished)
		pending_add(
		    a->e, a, from, true, NULL, (size_t)MIN(len, UINT32_MAX));
}

static void
on_data(void *arg, int from, const uint8_t *p, size_t n)
{
	struct analysis *a = arg;

	/*
	 * A direction picked up without its SYN starts somewhere in the
	 * middle: the analyzer resynchronises as after a loss.
	 */
	if (!a->started[from]) {
		a->started[from] = true;
		if (!(a->f->tcp_flags_seen[from] & TCP_SYN))
			lose(a, from, 0, false);
	}

	/* An undecided flow whose log is full must be decided now. */
	if (!a->decided && !a->finished &&
	    !pending_add(a->e, a, from, false, p, n))
		settle_now(a->e, a->f, a);
	if (a->an != NULL)
		stream_input(a->e, a, dir_of(a->f, from), p, n);
}

static void
on_gap(void *arg, int from, uint64_t len)
{
	struct analysis *a = arg;

	a->started[from] = true;
	lose(a, from, len, true);
}

static const struct reasm_ops engine_reasm_ops = {
	.data = on_data,
	.gap = on_gap,
};

/* Stops analysing: nothing more can be learnt from this session. */
static void
analysis_finish(struct engine *e, struct analysis *a)
{
	if (a->finished)
		return;
	list_unlink(&e->active, a);
	a->finished = true;
	list_append(&e->finished, a);
	if (a->s.tls_spoken &&
	    (a->s.tls != TLS_MODE_NONE ||
		a->s.starttls_result == STARTTLS_RESULT_OK))
		a->f->stage |= STAGE_TLS;
	if (a->an != NULL)
		a->an->end(a->state, &a->s);
	if (a->held_an != NULL)
		a->held_an->end(a->held_state, &a->s);
	destroy_analyzers(a);
	stream_free(a);

	/* Reassembly frees its segments once it has returned. */
	if (!a->in_reasm)
		reasm_cleanup(&a->r);
}

/* Frees a finished analysis; its flow goes on being counted. */
static void
analysis_free(struct engine *e, struct flow *f, struct analysis *a)
{
	reasm_cleanup(&a->r);
	list_unlink(list_of(e, a), a);
	session_cleanup(&a->s);
	f->owner = NULL;
	mem_free(a);
}

/* What nDPI's verdict means for the analysis of a flow. */
static bool
choice_from_ndpi(const struct flow *f, struct app_choice *c)
{
	static const struct {
		enum classify_kind kind;
		enum app_proto proto;
		enum tls_mode tls;
	} kinds[] = {
		{ CLASSIFY_SMTP, APP_SMTP, TLS_MODE_NONE },
		{ CLASSIFY_IMAP, APP_IMAP, TLS_MODE_NONE },
		{ CLASSIFY_POP3, APP_POP3, TLS_MODE_NONE },
		{ CLASSIFY_SMTPS, APP_SMTP, TLS_MODE_IMPLICIT },
		{ CLASSIFY_IMAPS, APP_IMAP, TLS_MODE_IMPLICIT },
		{ CLASSIFY_POP3S, APP_POP3, TLS_MODE_IMPLICIT },
		{ CLASSIFY_SOCKS, APP_SOCKS, TLS_MODE_NONE },
		{ CLASSIFY_TLS, APP_TLS, TLS_MODE_IMPLICIT },
		{ CLASSIFY_HTTP, APP_HTTP, TLS_MODE_NONE },
		{ CLASSIFY_FTP, APP_FTP, TLS_MODE_NONE },
		{ CLASSIFY_TELNET, APP_TELNET, TLS_MODE_NONE },
		{ CLASSIFY_LDAP, APP_LDAP, TLS_MODE_NONE },
		{ CLASSIFY_SNMP, APP_SNMP, TLS_MODE_NONE },
		{ CLASSIFY_MYSQL, APP_MYSQL, TLS_MODE_NONE },
		{ CLASSIFY_POSTGRES, APP_POSTGRES, TLS_MODE_NONE },
	};
	enum classify_kind k = classify_kind(f);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (kinds[i].kind == k) {
			c->proto = kinds[i].proto;
			c->tls = kinds[i].tls;
			return true;
		}
	}
	return false;
}

/* What nDPI says a TLS flow carries, or APP_UNKNOWN. */
static enum app_proto
inner_from_ndpi(const struct flow *f)
{
	struct app_choice c;

	if (!(f->stage & STAGE_CLASSIFIED) || !choice_from_ndpi(f, &c))
		return APP_UNKNOWN;
	return c.proto == APP_TLS || c.proto == APP_SOCKS ? APP_UNKNOWN
							  : c.proto;
}

/* A TLS hello on a cleartext mail port means TLS from the first byte. */
static void
refine_choice(const uint8_t *client_first, size_t n, struct app_choice *c)
{
	struct app_choice seen;

	if (c->tls == TLS_MODE_NONE && n > 0 &&
	    registry_sniff(NULL, 0, client_first, n, &seen) &&
	    seen.proto == APP_TLS)
		c->tls = TLS_MODE_IMPLICIT;
}

/* Starts analysing with the chosen analyzer and replays the log. */
static void
attach(struct engine *e, struct flow *f, struct analysis *a,
    const struct app_choice *c)
{
	const struct analyzer *an = registry_analyzer(c);

	if (an == NULL) {
		analysis_finish(e, a);
		return;
	}
	a->decided = true;
	a->s.protocol = c->proto;
	a->s.tls = c->tls;
	a->state = an->create(&a->s);
	if (a->state == NULL) {
		e->stats.alloc_failures++;
		analysis_finish(e, a);
		return;
	}
	a->an = an;
	f->stage |= STAGE_DECIDED;
	pending_replay(e, a);
}

/*
 * Decides what to do with a flow, as early as possible: by server port, by
 * nDPI's verdict, or by the first bytes seen.  final is true when no more
 * evidence will come (nDPI gave up, the log is full, the flow ended).
 */
static void
decide(struct engine *e, struct flow *f, struct analysis *a, bool final)
{
	const uint8_t *first[2];
	size_t len[2];
	struct app_choice c;
	bool chosen;

	pending_first(a, first, len);

	/* Until an analyzer starts, a greeting may reveal the server. */
	if (first[f->client] != NULL &&
	    registry_is_greeting(first[f->client], len[f->client]) &&
	    !(f->tcp_flags_seen[f->client] & TCP_SYN)) {
		f->client = (int8_t)(1 - f->client);
		session_identify(a, a->s.vlan);
	}

	chosen = registry_port(server_port(f), f->key.proto, &c);
	if (!chosen && (f->stage & STAGE_CLASSIFIED))
		chosen = choice_from_ndpi(f, &c);
	if (!chosen && (final || (f->stage & STAGE_CLASSIFIED)) &&
	    !classify_known(f))
		chosen = registry_sniff(first[1 - f->client],
		    len[1 - f->client], first[f->client], len[f->client], &c);
	if (chosen) {
		refine_choice(first[f->client], len[f->client], &c);
		attach(e, f, a, &c);
		return;
	}
	if (final || (f->stage & STAGE_CLASSIFIED)) {
		f->stage |= STAGE_DECIDED;
		analysis_finish(e, a);
	}
}

/* No more evidence will come: nDPI's best guess, then decide. */
static void
settle_now(struct engine *e, struct flow *f, struct analysis *a)
{
	if (!(f->stage & STAGE_CLASSIFIED)) {
		classify_giveup(e->cls, f);
		f->stage |= STAGE_CLASSIFIED;
	}
	decide(e, f, a, true);
}

/* Why a session ended; a flow closed by FIN or RST says so to the end. */
static const char *
end_name(const struct flow *f, enum flow_end why)
{
	if (f->list == FLOW_LIST_CLOSED && why != FLOW_END_EVICTED)
		return "closed";
	switch (why) {
	case FLOW_END_CLOSED:
		return "closed";
	case FLOW_END_TIMEOUT:
		return "timeout";
	case FLOW_END_EVICTED:
		return "evicted";
	case FLOW_END_SHUTDOWN:
		break;
	}
	return "capture_end";
}

/*
 * Remembers what the analysis showed a flow to carry, for the inventory:
 * where nDPI named nothing, an analyzer that read the protocol without
 * stumbling; where nDPI named something else (LDAP on a port nDPI takes
 * for MQTT), an analyzer that found logins or a STARTTLS offer.
 */
static void
note_protocol(struct flow *f, const struct session *s)
{
	bool evidence;

	if (s->tls != TLS_MODE_NONE || (s->anomalies & SESSION_ANOM_GARBAGE))
		return;
	evidence =
	    s->ncreds > 0 || s->starttls_offered >= 0 || s->starttls_attempted;
	if (evidence || !((f->stage & STAGE_CLASSIFIED) && classify_known(f)))
		f->app = (uint8_t)s->protocol;
}

/* Judges and stores the session of a flow that has ended. */
static void
analysis_store(
    struct engine *e, struct flow *f, struct analysis *a, enum flow_end why)
{
	struct finding found[FINDINGS_MAX];
	struct session *s = &a->s;
	int c = f->client;
	size_t n;

	s->last_seen = f->last_seen;
	s->client_bytes = f->bytes[c];
	s->server_bytes = f->bytes[1 - c];
	if (f->key.proto == IPPROTO_TCP && !(f->tcp_flags_seen[c] & TCP_SYN))
		s->anomalies |= SESSION_ANOM_MIDSTREAM;
	if (f->packets[0] == 0 || f->packets[1] == 0)
		s->anomalies |= SESSION_ANOM_ONE_SIDED;
	if (f->stage & STAGE_CLASSIFIED)
		classify_name(
		    e->cls, f, s->ndpi_protocol, sizeof(s->ndpi_protocol));

	/* A proxy that tunnelled nothing plainsight knows is not a session. */
	if (s->protocol == APP_SOCKS || s->protocol == APP_UNKNOWN)
		return;

	/*
	 * TLS chosen by port or nDPI that never showed a hello (ciphertext
	 * picked up mid-way) has nothing to tell.
	 */
	if (s->tls == TLS_MODE_IMPLICIT && !s->tls_spoken)
		return;

	/* TLS from the start: name what it carries, ALPN first. */
	if (s->tls == TLS_MODE_IMPLICIT &&
	    (s->protocol == APP_TLS || s->tlsf.alpn[0] != '\0'))
		s->protocol = registry_tls_inner(
		    s->tlsf.alpn, s->server_port, inner_from_ndpi(f));
	note_protocol(f, s);
	n = findings_evaluate(s, &e->cfg.policy, found, ARRAY_SIZE(found));
	if (store_session(e->cfg.store, s, end_name(f, why), found, n) != 0) {
		if (e->stats.store_errors++ == 0)
			log_error("store", "%s", store_error(e->cfg.store));
		return;
	}
	e->stats.sessions++;
	e->stats.findings += n;
	e->stats.credentials += s->ncreds;
}

static int
write_service(void *arg, const struct service *sv)
{
	struct engine *e = arg;

	return store_service(e->cfg.store, sv);
}

/* Writes what the inventory counted since it was last written. */
static void
flush_services(struct engine *e)
{
	if (inventory_flush(e->inv, write_service, e) != 0 &&
	    e->stats.store_errors++ == 0)
		log_error("store", "%s", store_error(e->cfg.store));
}

/*
 * The name of what f carried: as nDPI gave it, unless an analyzer showed
 * otherwise; then as its port tells.
 */
static const char *
service_name(const struct engine *e, const struct flow *f, int server,
    char *buf, size_t size)
{
	const char *name, *seen;
	size_t len;

	seen = registry_ndpi_name(f->app);
	if ((f->stage & STAGE_CLASSIFIED) && classify_known(f)) {
		name = classify_name(e->cls, f, buf, size);
		/* "HTTP.Google" is HTTP: nDPI's finer name stays. */
		len = strcspn(name, ".");
		if (seen == NULL ||
		    (strlen(seen) == len && strncmp(name, seen, len) == 0))
			return name;
		return seen;
	}
	if (seen != NULL)
		return seen;
	name = registry_service_name(f->key.port[server], f->key.proto);
	return name != NULL ? name : "Unknown";
}

/*
 * Raises cleartext_internal_service the first time an internal server is
 * seen serving a protocol that carries secrets in the clear to an internal
 * client (recommendation 2).
 */
static void
cleartext_service_finding(
    struct engine *e, struct service *sv, const struct inv_flow *fl)
{
	struct finding fd;
	enum severity sev;
	const char *what;

	if (sv->reported || fl->encrypted || !fl->server_internal ||
	    !fl->client_internal ||
	    !findings_cleartext_protocol(sv->protocol, &sev, &what))
		return;
	sv->reported = true;
	memset(&fd, 0, sizeof(fd));
	fd.kind = "cleartext_internal_service";
	fd.severity = sev;
	fd.recommendation = 2;
	fd.seen = fl->first_seen;
	snprintf(fd.detail, sizeof(fd.detail),
	    "%s served in clear text to internal clients: %s", sv->protocol,
	    what);
	if (store_service_finding(e->cfg.store, sv, &fd) != 0) {
		if (e->stats.store_errors++ == 0)
			log_error("store", "%s", store_error(e->cfg.store));
		return;
	}
	e->stats.findings++;
}

/*
 * Counts an ended flow in the service inventory.  Flows that carried no
 * payload (refused connections, scans, SYN floods) are not services.
 */
static void
count_service(struct engine *e, struct flow *f)
{
	struct inv_flow fl;
	struct service *sv;
	char name[SERVICE_PROTO_MAX];
	int c = f->client < 0 ? 0 : f->client;

	if (f->bytes[0] + f->bytes[1] == 0)
		return;
	memset(&fl, 0, sizeof(fl));
	fl.ip_version = f->key.ip_version;
	fl.server_ip = f->key.addr[1 - c];
	fl.client_ip = f->key.addr[c];
	fl.server_port = f->key.port[1 - c];
	fl.transport = f->key.proto;
	fl.protocol = service_name(e, f, 1 - c, name, sizeof(name));
	fl.first_seen = f->first_seen;
	fl.last_seen = f->last_seen;
	fl.bytes = f->bytes[0] + f->bytes[1];
	fl.encrypted = (f->stage & STAGE_TLS) ||
	    ((f->stage & STAGE_CLASSIFIED) && classify_encrypted(e->cls, f));
	fl.server_internal = is_internal(e, f, 1 - c);
	fl.client_internal = is_internal(e, f, c);

	sv = inventory_add(e->inv, &fl);
	if (sv == NULL && inventory_full(e->inv)) {
		flush_services(e);
		inventory_clear(e->inv);
		sv = inventory_add(e->inv, &fl);
	}
	if (sv == NULL) {
		e->stats.alloc_failures++;
		return;
	}
	cleartext_service_finding(e, sv, &fl);
}

/* Called by the flow table before a flow is recycled. */
static void
flow_ended(void *arg, struct flow *f, enum flow_end why)
{
	struct engine *e = arg;
	struct analysis *a = f->owner;

	if (f->ndpi != NULL) {
		classify_giveup(e->cls, f);
		f->stage |= STAGE_CLASSIFIED;
	}
	if (a != NULL) {
		if (!a->finished) {
			a->in_reasm = true;
			reasm_flush(&a->r);
			a->in_reasm = false;
			if (!a->decided && !a->finished)
				settle_now(e, f, a);
		}
		analysis_finish(e, a);
		if (a->decided)
			analysis_store(e, f, a, why);
		analysis_free(e, f, a);
	}
	count_service(e, f);
}

/*
 * Over budget: frees memory held for flows, cheapest loss first.  An
 * analysis that has finished only waits for its flow's end to record byte
 * counts: storing it now loses nothing else.  An analysis still parsing is
 * stored as it stands, and its flow is only counted from then on.  An
 * undecided flow's log is dropped with it.
 */
static void
reclaim(struct engine *e)
{
	struct analysis *a;
	struct flow *f;
	enum flow_end why;

	while (mem_used() > e->mem_base + RECLAIM_TARGET(e->budget)) {
		a = e->finished.head != NULL ? e->finished.head
					     : e->active.head;
		if (a == NULL)
			return;
		f = a->f;

		/*
		 * A closed connection only waits for late retransmissions:
		 * what it held is delivered, and its session is complete.
		 */
		why = FLOW_END_EVICTED;
		if (f->list == FLOW_LIST_CLOSED) {
			why = FLOW_END_CLOSED;
			if (!a->finished) {
				a->in_reasm = true;
				reasm_flush(&a->r);
				a->in_reasm = false;
			}
		}
		if (a->finished || why == FLOW_END_CLOSED)
			e->stats.analyses_early++;
		else
			e->stats.analyses_evicted++;
		f->stage |= STAGE_DECIDED;
		analysis_finish(e, a);
		if (a->decided)
			analysis_store(e, f, a, why);
		analysis_free(e, f, a);
	}
}

/*
 * Enters a flow that just started classifying in the ring, settling the
 * oldest classifying flow by a guess when the ring is full.
 */
static void
ring_push(struct engine *e, struct flow *f)
{
	struct classify_ring *r = &e->ring;
	struct flow *old;
	size_t i;

	while (r->count == r->size) {
		i = r->head;
		old = r->slot[i].f;
		r->head = (r->head + 1) % r->size;
		r->count--;
		if (old->id != r->slot[i].id || old->ndpi == NULL)
			continue;
		e->stats.classify_abandoned++;
		classify_giveup(e->cls, old);
		old->stage |= STAGE_CLASSIFIED;
		if (old->owner != NULL &&
		    !((struct analysis *)old->owner)->decided)
			settle_now(e, old, old->owner);
	}
	i = (r->head + r->count) % r->size;
	r->slot[i].f = f;
	r->slot[i].id = f->id;
	r->count++;
}

size_t
engine_flow_memory(size_t max_flows)
{
	/* A flow, its share of a slab, and one bucket pointer. */
	return max_flows * (flow_size() + sizeof(void *));
}

size_t
engine_default_flows(size_t memory_cap)
{
	return memory_cap / 3 / (flow_size() + sizeof(void *));
}

struct engine *
engine_new(const struct engine_config *cfg)
{
	struct engine *e;

	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		log_error("engine", "out of memory");
		return NULL;
	}
	e->cfg = *cfg;
	/*
	 * The flow table takes its share and an eighth is left for what is
	 * not counted (the database's page cache, the allocator's free lists);
	 * analysis gets the rest.
	 */
	e->budget = cfg->memory_cap - cfg->memory_cap / 8 -
	    engine_flow_memory(cfg->max_flows);
	e->rmem.cap = e->budget / 2;

	/* About 4 KiB of nDPI state per flow it is still classifying. */
	e->ring.size = MAX(e->budget / 4 / 4096, 1024);
	e->ring.slot = calloc(e->ring.size, sizeof(*e->ring.slot));
	e->flows = flow_table_new(cfg->max_flows, flow_ended, e);
	e->cls = classify_new();
	if (e->flows == NULL || e->cls == NULL || e->ring.slot == NULL) {
		log_error("engine", "cannot set up the flow table or nDPI");
		engine_free(e);
		return NULL;
	}

	/* nDPI's tables are there for good: the budget is for traffic. */
	e->mem_base = mem_used();
	e->inv = inventory_new(SERVICE_MAX);
	if (e->inv == NULL) {
		log_error("engine", "out of memory");
		engine_free(e);
		return NULL;
	}
	return e;
}

void
engine_finish(struct engine *e)
{
	if (e->flows == NULL)
		return;
	e->flow_stats = *flow_table_stats(e->flows);
	e->stats.flows = e->flow_stats.created;
	flow_table_free(e->flows);
	e->flows = NULL;
	flush_services(e);
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	flow_table_free(e->flows);
	inventory_free(e->inv);
	classify_free(e->cls);
	free(e->ring.slot);
	free(e);
}

const struct engine_stats *
engine_stats(const struct engine *e)
{
	return &e->stats;
}

/*
 * In auto mode a bad checksum only costs the packet once checksums have
 * proved reliable in this input (each file is judged on its own): captures
 * taken on a sending host with checksum offload, or rewritten by an
 * anonymiser, are full of bad ones that are not errors on the wire.
 */
static bool
checksum_pass(struct engine *e, const struct packet *pkt)
{
	if (e->cfg.checksum == CHECKSUM_OFF)
		return true;
	e->checksums_checked++;
	if (cap_checksums_ok(pkt))
		return true;
	e->stats.checksum_errors++;
	e->checksums_bad++;
	if (e->cfg.checksum == CHECKSUM_ON ||
	    (e->checksums_checked >= CHECKSUM_SAMPLE &&
		e->checksums_bad * CHECKSUM_BAD_RATIO < e->checksums_checked)) {
		e->stats.checksum_skipped++;
		return false;
	}
	return true;
}

/* Keeps the flow on the timeout list its TCP state calls for. */
static void
tcp_state(struct engine *e, struct flow *f, int from, const struct packet *pkt)
{
	enum flow_list l = FLOW_LIST_NEW;
	uint8_t fl = pkt->tcp_flags;

	/* The last SYN before any data gives the initial sequence number. */
	if ((fl & TCP_SYN) && f->bytes[from] == pkt->payload_len)
		f->isn[from] = pkt->seq;
	f->tcp_flags_seen[from] |= fl;
	if (f->client < 0) {
		if ((fl & (TCP_SYN | TCP_ACK)) == TCP_SYN)
			f->client = (int8_t)from;
		else if ((fl & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
			f->client = (int8_t)(1 - from);
	}

	/* A reset from either side, or a FIN from both, closes the flow. */
	if (((f->tcp_flags_seen[0] | f->tcp_flags_seen[1]) & TCP_RST) ||
	    ((f->tcp_flags_seen[0] & f->tcp_flags_seen[1]) & TCP_FIN))
		l = FLOW_LIST_CLOSED;
	else if (f->packets[0] > 0 && f->packets[1] > 0)
		l = FLOW_LIST_ESTABLISHED;
	flow_touch(e->flows, f, l, &e->now);
}

static void
classify(struct engine *e, struct flow *f, const struct packet *pkt)
{
	bool fresh = f->ndpi == NULL;

	/*
	 * nDPI learns from payload: packets without any (acknowledgements,
	 * mostly) cost a full pass through it and are not offered.
	 */
	if (pkt->payload_len == 0)
		return;
	if (classify_packet(e->cls, f, pkt, &e->now))
		f->stage |= STAGE_CLASSIFIED;
	else if (fresh && f->ndpi != NULL)
		ring_push(e, f);
}

/*
 * True when a flow with data may need an analyzer: its server port is one
 * plainsight knows, or nDPI has not named it yet, or named a mail protocol.
 */
static bool
worth_analysing(const struct flow *f)
{
	struct app_choice c;

	if (registry_port(server_port(f), f->key.proto, &c))
		return true;
	if (!(f->stage & STAGE_CLASSIFIED))
		return true;
	return choice_from_ndpi(f, &c);
}

/*
 * A connection seen first through a FIN or RST with data, and no SYN, is
 * the tail of one that ended before (a late retransmission after its flow
 * was closed): there is nothing to analyse in it.
 */
static bool
closing_remnant(const struct flow *f, const struct packet *pkt)
{
	return (pkt->tcp_flags & (TCP_FIN | TCP_RST)) != 0 &&
	    !((f->tcp_flags_seen[0] | f->tcp_flags_seen[1]) & TCP_SYN) &&
	    f->packets[0] + f->packets[1] == 1;
}

/* Frees the analysis of a flow that will not be analysed. */
static void
analysis_drop(struct engine *e, struct flow *f, struct analysis *a)
{
	analysis_finish(e, a);
	analysis_free(e, f, a);
}

static void
tcp_packet(struct engine *e, struct flow *f, int from, const struct packet *pkt)
{
	struct analysis *a = f->owner;
	bool was_classified = (f->stage & STAGE_CLASSIFIED) != 0;

	tcp_state(e, f, from, pkt);
	if (!was_classified)
		classify(e, f, pkt);

	/* The first data decides, or starts a log while nDPI thinks. */
	if (a == NULL && !(f->stage & STAGE_DECIDED) && pkt->payload_len > 0) {
		if (f->client < 0)
			guess_client(f, from, pkt->payload, pkt->payload_len);
		if (!worth_analysing(f) || closing_remnant(f, pkt)) {
			f->stage |= STAGE_DECIDED;
			return;
		}
		a = analysis_new(e, f, pkt);
		if (a == NULL) {
			f->stage |= STAGE_DECIDED;
			return;
		}
		decide(e, f, a, false);
	}
	if (a == NULL)
		return;
	if (a->finished) {
		if (!a->decided)
			analysis_drop(e, f, a);
		return;
	}

	if (!checksum_pass(e, pkt))
		return;
	list_touch(e, a);
	a->in_reasm = true;
	reasm_segment(&a->r, from, pkt->tcp_flags, pkt->seq, pkt->ack,
	    pkt->payload, pkt->payload_len);
	a->in_reasm = false;
	if (a->finished) {
		reasm_cleanup(&a->r);
		if (!a->decided)
			analysis_drop(e, f, a);
		return;
	}

	/* Undecided: a verdict from nDPI settles it. */
	if (!a->decided && (f->stage & STAGE_CLASSIFIED) != was_classified) {
		decide(e, f, a, false);
		if (a->finished && !a->decided)
			analysis_drop(e, f, a);
	}
}

static void
count_decode(struct engine *e, enum decode_result r)
{
	switch (r) {
	case DECODE_TRUNCATED:
		e->stats.truncated++;
		break;
	case DECODE_MALFORMED:
		e->stats.malformed++;
		break;
	case DECODE_FRAGMENT:
		e->stats.fragments++;
		break;
	case DECODE_OTHER:
		e->stats.not_ip++;
		break;
	case DECODE_OK:
		break;
	}
}

/*
 * UDP: datagrams of the protocols plainsight analyses go to their analyzer
 * whole, one by one; there is nothing to reassemble.
 */
static void
udp_packet(struct engine *e, struct flow *f, int from, const struct packet *pkt)
{
	struct analysis *a = f->owner;
	struct app_choice c;

	flow_touch(e->flows, f, FLOW_LIST_UDP, &e->now);
	if (!(f->stage & STAGE_CLASSIFIED))
		classify(e, f, pkt);
	if (a == NULL && !(f->stage & STAGE_DECIDED) && pkt->payload_len > 0) {
		f->stage |= STAGE_DECIDED;
		if (!registry_port(server_port(f), IPPROTO_UDP, &c) &&
		    !((f->stage & STAGE_CLASSIFIED) && choice_from_ndpi(f, &c)))
			return;
		a = analysis_new(e, f, pkt);
		if (a == NULL)
			return;
		attach(e, f, a, &c);
	}
	if (a == NULL || a->an == NULL || !checksum_pass(e, pkt))
		return;
	list_touch(e, a);
	call_parse(
	    a, dir_of(f, from), pkt->payload, pkt->payload_len, PARSE_DATAGRAM);
	apply_requests(e, a);
}

/*
 * The client of a UDP flow: the side that sent first, unless it sent from
 * a service port to an ephemeral one (a reply whose request was missed).
 */
static int8_t
udp_client(const struct flow *f, int from)
{
	uint16_t mine = f->key.port[from], theirs = f->key.port[1 - from];

	if (mine < 1024 && theirs >= 1024)
		return (int8_t)(1 - from);
	return (int8_t)from;
}

/* Checks the memory budget after each packet, when nothing is in flight. */
static void
check_budget(struct engine *e)
{
	if (mem_used() > e->mem_base + e->budget)
		reclaim(e);
}

/* Moves the engine's clock; timeouts run on it, once a second. */
static void
clock_set(struct engine *e, const struct timeval *ts)
{
	e->now = *ts;
	if (ts->tv_sec == e->last_expire)
		return;
	e->last_expire = ts->tv_sec;
	flow_expire(e->flows, ts);
	if (ts->tv_sec - e->last_service_flush >= SERVICE_FLUSH_INTERVAL) {
		e->last_service_flush = ts->tv_sec;
		flush_services(e);
	}
}

void
engine_new_input(struct engine *e)
{
	e->checksums_checked = 0;
	e->checksums_bad = 0;
}

void
engine_tick(struct engine *e, const struct timeval *now)
{
	if (e->stats.packets > 0 && timercmp(now, &e->now, >))
		clock_set(e, now);
}

void
engine_packet(struct engine *e, int dlt, const struct timeval *ts,
    const uint8_t *frame, size_t caplen, size_t wirelen)
{
	struct packet pkt;
	enum decode_result r;
	struct flow *f;
	bool created;
	int from;

	/* Files read in a row need not be in time order. */
	if (e->stats.packets++ == 0 || timercmp(ts, &e->stats.first, <))
		e->stats.first = *ts;
	if (timercmp(ts, &e->stats.last, >))
		e->stats.last = *ts;
	e->stats.bytes += wirelen;
	clock_set(e, ts);

	r = cap_decode(dlt, frame, caplen, wirelen, &pkt);
	if (r != DECODE_OK) {
		count_decode(e, r);
		return;
	}
	if (pkt.proto == IPPROTO_TCP)
		e->stats.tcp_packets++;
	else
		e->stats.udp_packets++;

	f = flow_lookup(e->flows, &pkt, ts, &from, &created);
	if (f == NULL)
		return;
	if (created)
		f->client =
		    (int8_t)(pkt.proto == IPPROTO_UDP ? udp_client(f, from)
						      : -1);
	f->packets[from]++;
	f->bytes[from] += pkt.payload_len;

	if (pkt.proto == IPPROTO_TCP)
		tcp_packet(e, f, from, &pkt);
	else
		udp_packet(e, f, from, &pkt);
	check_budget(e);
}

size_t
engine_counters(const struct engine *e, struct store_counter *out, size_t max)
{
	const struct classify_stats *cs = classify_stats(e->cls);
	const struct engine_stats *s = &e->stats;
	struct store_counter all[] = {
		{ "tcp_packets", s->tcp_packets },
		{ "udp_packets", s->udp_packets },
		{ "not_ip_frames", s->not_ip },
		{ "malformed_frames", s->malformed },
		{ "checksum_errors", s->checksum_errors },
		{ "checksum_skipped", s->checksum_skipped },
		{ "credentials", s->credentials },
		{ "store_errors", s->store_errors },
		{ "stream_bytes_dropped", s->stream_drops },
		{ "alloc_failures", s->alloc_failures },
		{ "analyses_evicted", s->analyses_evicted },
		{ "analyses_stored_early", s->analyses_early },
		{ "classify_abandoned", s->classify_abandoned },
		{ "memory_peak", mem_peak() },
		{ "reasm_cap_hits", e->rmem.cap_hits },
		{ "reasm_retransmits", e->rmem.retransmits },
		{ "reasm_out_of_window", e->rmem.bogus },
		{ "reasm_dropped_ahead", e->rmem.dropped_ahead },
		{ "ndpi_flows", cs->flows },
		{ "ndpi_detected", cs->detected },
		{ "ndpi_guessed", cs->guessed },
	};
	const struct flow_stats *fs;
	size_t i, n = 0;

	fs = e->flows != NULL ? flow_table_stats(e->flows) : &e->flow_stats;
	for (i = 0; i < ARRAY_SIZE(all) && n < max; i++)
		out[n++] = all[i];
	if (n + 3 <= max) {
		out[n++] =
		    (struct store_counter){ "flows_created", fs->created };
		out[n++] =
		    (struct store_counter){ "flows_evicted", fs->evicted };
		out[n++] =
		    (struct store_counter){ "flows_expired", fs->expired };
	}
	return n;
}
