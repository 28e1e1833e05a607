/*
 * fuzz_stream.h - runs one analyzer over a fuzzed TCP session the way the
 * engine does; shared by the analyzer fuzz targets.
 *
 * The input is a script of chunks.  Each chunk starts with a control byte:
 * bit 0 the direction (1 = server to client); bit 7 set makes it a loss of
 * (bits 1-6) * 97 bytes, or of an unknown number when those bits are zero;
 * otherwise the next two bytes give the chunk length (little-endian, cut to
 * what is left) and the chunk's bytes follow.
 *
 * Like the engine, the harness keeps what the analyzer leaves unconsumed,
 * up to its bufmax, presents it again with PARSE_FULL when that much waits,
 * drops it when even then nothing is taken, drops what waits before a loss,
 * and honours hand-overs (STARTTLS to TLS, back again when no TLS follows,
 * a proxy to what it tunnels) up to the engine's limit of eight.
 *
 * After the session ends, the facts it holds must be usable as they are:
 * strings terminated within their arrays, counts within their bounds.
 */
#ifndef PLAINSIGHT_FUZZ_STREAM_H
#define PLAINSIGHT_FUZZ_STREAM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "util.h"

#define FUZZ_MAX_SWITCHES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_stream {
	const struct analyzer *an; /* in charge, or NULL once over */
	void *state;
	const struct analyzer *held_an; /* the one before a hand-over */
	void *held_state;
	unsigned int switches;
	struct session s;
	uint8_t *buf[2];
	size_t len[2];
	size_t cap[2];
};

static void
fuzz_check_string(const char *p, size_t size)
{
	if (strnlen(p, size) == size)
		abort();
}

/* What the analyzers wrote into the session must be usable as it is. */
static void
fuzz_check_session(const struct session *s)
{
	unsigned int i;

	fuzz_check_string(s->client_name, sizeof(s->client_name));
	fuzz_check_string(s->auth_offered, sizeof(s->auth_offered));
	fuzz_check_string(s->stripped_detail, sizeof(s->stripped_detail));
	fuzz_check_string(s->webmail, sizeof(s->webmail));
	fuzz_check_string(s->ndpi_protocol, sizeof(s->ndpi_protocol));
	if (s->ncreds > s->creds_alloc || s->ncreds > SESSION_MAX_CREDS)
		abort();
	for (i = 0; i < s->ncreds; i++) {
		fuzz_check_string(
		    s->creds[i].username, sizeof(s->creds[i].username));
		fuzz_check_string(
		    s->creds[i].mechanism, sizeof(s->creds[i].mechanism));
		(void)exposure_name(s->creds[i].exposure);
		(void)outcome_name(s->creds[i].outcome);
	}
	(void)app_proto_name(s->protocol);
	(void)tls_mode_name(s->tls);
	(void)starttls_result_name(s->starttls_result);
}

/* Makes the buffer of direction d able to hold n bytes (up to bufmax). */
static int
fuzz_grow(struct fuzz_stream *f, int d, size_t n)
{
	uint8_t *p;

	if (n <= f->cap[d])
		return 0;
	p = realloc(f->buf[d], n);
	if (p == NULL)
		return -1;
	f->buf[d] = p;
	f->cap[d] = n;
	return 0;
}

/* Nothing more to learn: both analyzers settle and go, as in the engine. */
static void
fuzz_finish(struct fuzz_stream *f)
{
	if (f->an != NULL) {
		f->an->end(f->state, &f->s);
		f->an->destroy(f->state);
		f->an = NULL;
	}
	if (f->held_an != NULL) {
		f->held_an->end(f->held_state, &f->s);
		f->held_an->destroy(f->held_state);
		f->held_an = NULL;
	}
}

static void
fuzz_switch(struct fuzz_stream *f, const struct analyzer *to)
{
	const struct analyzer *old = f->an;
	void *old_state = f->state;

	if (++f->switches > FUZZ_MAX_SWITCHES) {
		fuzz_finish(f);
		return;
	}
	if (to == f->held_an) {
		f->an = f->held_an;
		f->state = f->held_state;
	} else {
		if (f->held_an != NULL)
			f->held_an->destroy(f->held_state);
		f->an = to;
		f->state = to->create(&f->s);
	}
	f->held_an = old;
	f->held_state = old_state;
	if (f->state == NULL) {
		f->an = NULL;
		fuzz_finish(f);
	}
}

/* Honours a hand-over or a stop; true when the analyzer changed. */
static int
fuzz_requests(struct fuzz_stream *f)
{
	const struct analyzer *to = f->s.switch_to;

	if (to != NULL) {
		f->s.switch_to = NULL;
		fuzz_switch(f, to);
		return 1;
	}
	if (f->s.done && f->an != NULL) {
		fuzz_finish(f);
		return 1;
	}
	return 0;
}

/* Parses what waits in direction d until the analyzer takes no more. */
static void
fuzz_drain(struct fuzz_stream *f, int d, const struct timeval *ts)
{
	unsigned int flags;
	size_t used;

	while (f->len[d] > 0 && f->an != NULL) {
		flags = f->len[d] >= f->an->bufmax ? PARSE_FULL : 0;
		used = f->an->parse(f->state, &f->s, (enum dir)d, f->buf[d],
		    f->len[d], ts, flags);
		if (used > f->len[d])
			abort(); /* claimed bytes it was not given */
		memmove(f->buf[d], f->buf[d] + used, f->len[d] - used);
		f->len[d] -= used;
		if (fuzz_requests(f)) {
			if (f->an != NULL)
				fuzz_drain(f, 1 - d, ts);
			continue;
		}
		if (used == 0) {
			if (flags & PARSE_FULL) {
				f->an->gap(
				    f->state, &f->s, (enum dir)d, f->len[d]);
				f->len[d] = 0;
			}
			break;
		}
	}
}

static void
fuzz_input(struct fuzz_stream *f, int d, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	size_t take;

	while (n > 0 && f->an != NULL) {
		if (fuzz_grow(f, d, MAX(f->an->bufmax, f->len[d])) != 0)
			return;
		take =
		    f->len[d] < f->an->bufmax ? f->an->bufmax - f->len[d] : 0;
		take = MIN(n, take);
		memcpy(f->buf[d] + f->len[d], p, take);
		f->len[d] += take;
		p += take;
		n -= take;
		fuzz_drain(f, d, ts);
		if (take == 0 && f->len[d] >= f->an->bufmax)
			f->len[d] = 0; /* a new analyzer with a smaller limit */
	}
}

/*
 * Runs analyzer a over the scripted session in data, as protocol proto on
 * server port port (datagram: one call per chunk, flagged PARSE_DATAGRAM).
 */
static int
fuzz_stream_run(const struct analyzer *a, enum app_proto proto, uint16_t port,
    int datagram, const uint8_t *data, size_t size)
{
	static struct fuzz_stream f;
	struct timeval ts = { 1000, 0 };
	size_t off = 0, n;
	uint8_t ctl;
	int d;

	memset(&f.s, 0, sizeof(f.s));
	f.s.flow_id = 1;
	f.s.ip_version = 4;
	f.s.client_ip[0] = 10;
	f.s.server_ip[0] = 10;
	f.s.server_ip[3] = 1;
	f.s.client_port = 40000;
	f.s.server_port = port;
	f.s.transport = datagram ? 17 : 6;
	f.s.client_internal = f.s.server_internal = -1;
	f.s.starttls_offered = -1;
	f.s.protocol = proto;
	f.an = a;
	f.state = a->create(&f.s);
	f.held_an = NULL;
	f.held_state = NULL;
	f.switches = 0;
	f.len[0] = f.len[1] = 0;
	if (f.state == NULL)
		return 0;

	while (off < size && f.an != NULL) {
		ctl = data[off++];
		d = ctl & 1;
		ts.tv_usec = (ts.tv_usec + 1000) % 1000000;
		if (ctl & 0x80) {
			f.len[d] = 0;
			f.an->gap(f.state, &f.s, (enum dir)d,
			    (uint64_t)((ctl >> 1) & 0x3f) * 97);
			continue;
		}
		n = off + 2 <= size ? (size_t)(data[off] | data[off + 1] << 8)
				    : 0;
		off = MIN(off + 2, size);
		n = MIN(n, size - off);
		if (datagram) {
			(void)f.an->parse(f.state, &f.s, (enum dir)d,
			    data + off, n, &ts, PARSE_DATAGRAM);
			(void)fuzz_requests(&f);
		} else {
			fuzz_input(&f, d, data + off, n, &ts);
		}
		off += n;
	}
	fuzz_finish(&f);
	fuzz_check_session(&f.s);
	session_cleanup(&f.s);
	return 0;
}

#endif
