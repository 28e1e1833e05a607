/*
 * test_tls.c - unit tests of the TLS handshake parser (analyzers/tls.c).
 *
 * Real sessions, with the facts tshark reads in them (data/tls_sessions.h),
 * are fed the way the engine would: as captured, cut at every byte of
 * every flight, byte by byte, in random pieces, and with their handshake
 * messages spread over records of every size.  Crafted input covers what
 * the captures lack: draft retry requests, SSLv2 servers, oversized and
 * empty messages, garbage, gaps, one-sided streams.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "analyzers/tls.h"
#include "mem.h"
#include "analyzers/x509.h"
#include "tests/unit/data/tls_sessions.h"
#include "util.h"

/* What the engine keeps per direction between calls. */
#define TEST_BUFMAX 20480

/* The engine, as far as the parser can tell. */
struct feeder {
	struct tls_parser *p;
	uint8_t pend[2][TEST_BUFMAX]; /* bytes not consumed yet */
	size_t len[2];
};

/* A run of one direction's bytes, or a gap. */
struct flight {
	bool from_server;
	size_t off;
	size_t len;
	uint32_t gap;
};

static struct feeder *
feeder_new(void)
{
	struct feeder *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->p = tls_parser_new();
	assert_non_null(f->p);
	return f;
}

static void
feeder_free(struct feeder *f)
{
	tls_parser_free(f->p);
	free(f);
}

/*
 * Hands n bytes to the parser as the engine does: appended to what it left,
 * once more with full set when the buffer is full and nothing was taken.
 */
static void
feed(struct feeder *f, bool server, const uint8_t *b, size_t n)
{
	int d = server ? 1 : 0;
	size_t take, used;

	while (n > 0) {
		take = MIN(n, TEST_BUFMAX - f->len[d]);
		memcpy(f->pend[d] + f->len[d], b, take);
		f->len[d] += take;
		b += take;
		n -= take;
		used =
		    tls_parser_feed(f->p, server, f->pend[d], f->len[d], false);
		assert_true(used <= f->len[d]);
		if (used == 0 && f->len[d] == TEST_BUFMAX) {
			used = tls_parser_feed(
			    f->p, server, f->pend[d], f->len[d], true);
			assert_true(used > 0);
		}
		memmove(f->pend[d], f->pend[d] + used, f->len[d] - used);
		f->len[d] -= used;
	}
}

static void
gap(struct feeder *f, bool server, uint32_t len)
{
	f->len[server ? 1 : 0] = 0;
	tls_parser_gap(f->p, server, len);
}

static void
hex(char *out, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	out[2 * n] = '\0';
}

/* Fails the test, naming the session and how it was fed. */
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			fail_msg("%s (%s %zu): %s", s->name, how, at, #cond);  \
	} while (0)

/* Compares what the parser found with what tshark found. */
static void
check_facts(const struct tv_session *s, const struct tls_parser *p,
    const char *how, size_t at)
{
	const struct tls_facts *f = tls_parser_facts(p);
	const uint8_t *der;
	uint8_t md[32];
	char sha[65];
	size_t len;

	CHECK(tls_parser_stream(p, false) == s->client_stream);
	CHECK(tls_parser_stream(p, true) == s->server_stream);
	CHECK(f->client_hello == s->client_hello);
	CHECK(f->sslv2_hello == s->sslv2_hello);
	CHECK(f->server_hello == s->server_hello);
	CHECK(f->hello_retry == s->hello_retry);
	CHECK(f->established == s->established);
	CHECK(f->client_version == s->client_version);
	CHECK(f->version == s->version);
	CHECK(f->have_cipher == s->have_cipher);
	CHECK(f->cipher == s->cipher);
	CHECK(f->group == s->group);
	CHECK(f->client_share == s->client_share);
	CHECK(strcmp(f->sni, s->sni) == 0);
	CHECK(strcmp(f->alpn, s->alpn) == 0);
	CHECK(strcmp(f->ja3, s->ja3) == 0);
	CHECK(strcmp(tls_parser_ja3_string(p), s->ja3_full) == 0);
	CHECK(f->alert == s->alert);
	CHECK(f->alert_level == s->alert_level);
	CHECK(f->alert_description == s->alert_description);
	CHECK(f->alert_from_server == s->alert_from_server);

	/* The fingerprint is that of the DER the parser hands out. */
	CHECK(f->have_certificate == (s->cert_sha256[0] != '\0'));
	der = tls_parser_certificate(p, &len);
	CHECK((der != NULL) == f->have_certificate);
	if (der != NULL) {
		hex(sha, f->cert_sha256, sizeof(f->cert_sha256));
		CHECK(strcmp(sha, s->cert_sha256) == 0);
		CHECK(EVP_Digest(der, len, md, NULL, EVP_sha256(), NULL) == 1);
		CHECK(memcmp(md, f->cert_sha256, sizeof(md)) == 0);
	}
}

/* Merges segments into flights: same direction, no gap between. */
static size_t
flights_of(const struct tv_session *s, struct flight *fl, size_t max)
{
	const struct tv_seg *g;
	size_t i, n = 0;

	for (i = 0; i < s->nsegs; i++) {
		g = &s->segs[i];
		if (n > 0 && g->gap == 0 && fl[n - 1].gap == 0 &&
		    fl[n - 1].from_server == g->from_server) {
			fl[n - 1].len += g->len;
			continue;
		}
		assert_true(n < max);
		fl[n].from_server = g->from_server;
		fl[n].off = g->off;
		fl[n].len = g->len;
		fl[n].gap = g->gap;
		n++;
	}
	return n;
}

/*
 * Feeds the flights; flight cut is fed in two pieces split at byte at, and
 * with chunk set the others go in pieces of chunk bytes.
 */
static struct feeder *
replay(const struct tv_session *s, const struct flight *fl, size_t n,
    size_t cut, size_t at, size_t chunk)
{
	struct feeder *f = feeder_new();
	const uint8_t *b;
	size_t i, k;

	for (i = 0; i < n; i++) {
		b = s->bytes + fl[i].off;
		if (fl[i].gap != 0) {
			gap(f, fl[i].from_server, fl[i].gap);
		} else if (i == cut) {
			feed(f, fl[i].from_server, b, at);
			feed(f, fl[i].from_server, b + at, fl[i].len - at);
		} else if (chunk > 0) {
			for (k = 0; k < fl[i].len; k += chunk)
				feed(f, fl[i].from_server, b + k,
				    MIN(chunk, fl[i].len - k));
		} else {
			feed(f, fl[i].from_server, b, fl[i].len);
		}
	}
	return f;
}

#define MAX_FLIGHTS 64

/* Feeds a session segment by segment, as captured. */
static struct feeder *
replay_captured(const struct tv_session *s)
{
	struct feeder *f = feeder_new();
	const struct tv_seg *g;

	for (g = s->segs; g < s->segs + s->nsegs; g++) {
		if (g->gap != 0)
			gap(f, g->from_server, g->gap);
		else
			feed(f, g->from_server, s->bytes + g->off, g->len);
	}
	return f;
}

/*
 * The anomalies of the captured sessions: none, but in invalid_reads,
 * where tshark also reports a malformed ClientHello (one byte where an
 * extension block would start) and an "Ignored Unknown Record" from the
 * server.
 */
static uint32_t
anomalies_of(const struct tv_session *s)
{
	if (strcmp(s->name, "invalid_reads") == 0)
		return TLS_ANOM_MALFORMED | TLS_ANOM_GARBAGE;
	return 0;
}

/* Every session, segment by segment as captured. */
static void
test_sessions_as_captured(void **state)
{
	const struct tv_session *s;
	struct feeder *f;
	const char *how = "as captured";
	size_t i, at = 0;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(tv_sessions); i++) {
		s = &tv_sessions[i];
		f = replay_captured(s);
		check_facts(s, f->p, how, at);
		CHECK(tls_parser_done(f->p) == s->established);
		CHECK(tls_parser_facts(f->p)->anomalies == anomalies_of(s));
		feeder_free(f);
	}
}

/* Every flight of every session cut in two at every byte. */
static void
test_sessions_every_split(void **state)
{
	struct flight fl[MAX_FLIGHTS];
	const struct tv_session *s;
	struct feeder *f;
	size_t i, n, c, at;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(tv_sessions); i++) {
		s = &tv_sessions[i];
		n = flights_of(s, fl, MAX_FLIGHTS);
		for (c = 0; c < n; c++) {
			for (at = 0; at <= fl[c].len && fl[c].gap == 0; at++) {
				f = replay(s, fl, n, c, at, 0);
				check_facts(s, f->p, "split", at);
				feeder_free(f);
			}
		}
	}
}

/* Byte by byte, then in pseudo-random pieces (a fixed sequence). */
static void
test_sessions_small_pieces(void **state)
{
	struct flight fl[MAX_FLIGHTS];
	const struct tv_session *s;
	struct feeder *f;
	uint32_t seed = 12345;
	size_t i, n, round, chunk;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(tv_sessions); i++) {
		s = &tv_sessions[i];
		n = flights_of(s, fl, MAX_FLIGHTS);
		for (round = 0; round < 16; round++) {
			seed = seed * 1103515245 + 12345;
			chunk = round == 0 ? 1 : 1 + (seed >> 16) % 700;
			f = replay(s, fl, n, SIZE_MAX, 0, chunk);
			check_facts(s, f->p, "pieces of", chunk);
			feeder_free(f);
		}
	}
}

/*
 * Rewrites the handshake records at the start of b[0..n) as records of
 * frag bytes: the same handshake messages, cut elsewhere (RFC 8446 section
 * 5.1 allows any fragmentation).  Returns the new length.
 */
static size_t
refragment(const uint8_t *b, size_t n, size_t frag, uint8_t *out, size_t size)
{
	uint8_t *hs;
	size_t hlen = 0, off = 0, len, o = 0, k, piece;
	uint8_t v0 = b[1], v1 = b[2];

	/* Gather the bodies of the leading handshake records. */
	hs = malloc(n);
	assert_non_null(hs);
	while (off + 5 <= n && b[off] == 22) {
		len = (size_t)b[off + 3] << 8 | b[off + 4];
		assert_true(off + 5 + len <= n);
		memcpy(hs + hlen, b + off + 5, len);
		hlen += len;
		off += 5 + len;
	}

	/* Cut them anew, then the rest as it was. */
	for (k = 0; k < hlen; k += piece) {
		piece = MIN(frag, hlen - k);
		assert_true(o + 5 + piece <= size);
		out[o++] = 22;
		out[o++] = v0;
		out[o++] = v1;
		out[o++] = (uint8_t)(piece >> 8);
		out[o++] = (uint8_t)piece;
		memcpy(out + o, hs + k, piece);
		o += piece;
	}
	assert_true(o + n - off <= size);
	memcpy(out + o, b + off, n - off);
	free(hs);
	return o + n - off;
}

/* The bytes of one direction of a session, gaps left out. */
static size_t
direction_bytes(
    const struct tv_session *s, bool server, uint8_t *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < s->nsegs; i++) {
		if (s->segs[i].gap != 0 || s->segs[i].from_server != server)
			continue;
		assert_true(o + s->segs[i].len <= size);
		memcpy(out + o, s->bytes + s->segs[i].off, s->segs[i].len);
		o += s->segs[i].len;
	}
	return o;
}

/*
 * Handshake messages spread over records of every size from 1 to 300
 * bytes, client and server alike.  Sessions whose flights interleave
 * (retry requests) or have gaps are left to the other tests.
 */
static void
test_sessions_refragmented(void **state)
{
	static const char *const names[] = { "ssl3", "tls10_rc4_md5", "tls12",
		"tls12_mutual", "tls13", "tls13_kyber", "tls13_draft28_a" };
	static uint8_t cb[32768], sb[32768], cr[262144], sr[262144];
	const struct tv_session *s = NULL;
	struct feeder *f;
	const char *how = "fragment";
	size_t i, j, nc, ns, ncr, nsr, at;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		for (j = 0; j < ARRAY_SIZE(tv_sessions); j++) {
			if (strcmp(tv_sessions[j].name, names[i]) == 0)
				s = &tv_sessions[j];
		}
		assert_non_null(s);
		nc = direction_bytes(s, false, cb, sizeof(cb));
		ns = direction_bytes(s, true, sb, sizeof(sb));
		for (at = 1; at <= 300; at++) {
			ncr = refragment(cb, nc, at, cr, sizeof(cr));
			nsr = refragment(sb, ns, at, sr, sizeof(sr));
			f = feeder_new();
			feed(f, false, cr, ncr);
			feed(f, true, sr, nsr);
			check_facts(s, f->p, how, at);
			feeder_free(f);
		}
	}
}

/*
 * Facts the captures' own projects expect, beside tshark's: Suricata's
 * JA3 for the draft 28 sessions (suricata-verify tls13-draft28 test.yaml),
 * Arkime's version and cipher (its tests/pcap .test files), the ground truth
 * for the pre-standard versions (*.expected.json).
 */
static void
test_sessions_other_sources(void **state)
{
	static const struct {
		const char *name;
		const char *version;
		uint16_t cipher;
		const char *ja3;
	} want[] = {
		{ "tls13_draft28_a", "TLSv1.3", 0x1302,
		    "43202faa1c8c1760d6f7f4bd9adde4ab" },
		{ "tls13_draft28_b", "TLSv1.3", 0x1302,
		    "d00857e0c8e7a7f35e446508c6233460" },
		{ "ssl3", "SSLv3", 0xc011, NULL },
		{ "tls10_rc4_md5", "TLSv1.0", 0x0004, NULL },
		{ "tls12", "TLSv1.2", 0xc02f, NULL },
		{ "tls13_draft18", "TLSv1.3", 0x1301, NULL },
		{ "tls13", "TLSv1.3", 0x1302, NULL },
		{ "tls13_fizz", "TLSv1.3", 0x1301, NULL },
		{ "sslv2_hello", "TLSv1.0", 0x0039, NULL },
	};
	const struct tv_session *s;
	const struct tls_facts *tf;
	struct feeder *f;
	size_t i, j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		for (j = 0; j < ARRAY_SIZE(tv_sessions); j++) {
			s = &tv_sessions[j];
			if (strcmp(s->name, want[i].name) != 0)
				continue;
			f = replay_captured(s);
			tf = tls_parser_facts(f->p);
			assert_string_equal(
			    tls_version_name(tf->version), want[i].version);
			assert_int_equal(tf->cipher, want[i].cipher);
			if (want[i].ja3 != NULL)
				assert_string_equal(tf->ja3, want[i].ja3);
			feeder_free(f);
		}
	}
}

/* Builds crafted messages: a byte buffer with big-endian writers. */
struct msg {
	uint8_t b[160000];
	size_t n;
};

static void
put8(struct msg *m, unsigned int v)
{
	assert_true(m->n < sizeof(m->b));
	m->b[m->n++] = (uint8_t)v;
}

static void
put16(struct msg *m, unsigned int v)
{
	put8(m, v >> 8);
	put8(m, v);
}

static void
put24(struct msg *m, unsigned int v)
{
	put8(m, v >> 16);
	put16(m, v);
}

static void
putb(struct msg *m, const void *p, size_t n)
{
	assert_true(m->n + n <= sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void
putfill(struct msg *m, uint8_t c, size_t n)
{
	assert_true(m->n + n <= sizeof(m->b));
	memset(m->b + m->n, c, n);
	m->n += n;
}

/* Wraps body as one handshake message of type in one record. */
static void
put_handshake(struct msg *m, uint8_t type, const struct msg *body)
{
	put8(m, 22);
	put16(m, 0x0303);
	put16(m, body->n + 4);
	put8(m, type);
	put24(m, body->n);
	putb(m, body->b, body->n);
}

static void
put_record(struct msg *m, uint8_t type, const void *body, size_t n)
{
	put8(m, type);
	put16(m, 0x0303);
	put16(m, n);
	putb(m, body, n);
}

/*
 * A ClientHello: TLS 1.2 legacy version, ciphers, no session id, and the
 * extensions given (already encoded, or none).
 */
static void
client_hello_body(
    struct msg *m, const uint16_t *ciphers, size_t nc, const struct msg *ext)
{
	size_t i;

	put16(m, 0x0303);
	putfill(m, 0x11, 32);
	put8(m, 0);
	put16(m, 2 * nc);
	for (i = 0; i < nc; i++)
		put16(m, ciphers[i]);
	put8(m, 1);
	put8(m, 0);
	if (ext != NULL) {
		put16(m, ext->n);
		putb(m, ext->b, ext->n);
	}
}

static void
server_hello_body(struct msg *m, uint16_t version, const uint8_t *random,
    uint16_t cipher, const struct msg *ext)
{
	put16(m, version);
	if (random != NULL)
		putb(m, random, 32);
	else
		putfill(m, 0x22, 32);
	put8(m, 0);
	put16(m, cipher);
	put8(m, 0);
	if (ext != NULL) {
		put16(m, ext->n);
		putb(m, ext->b, ext->n);
	}
}

static struct msg *
msg_new(void)
{
	struct msg *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	return m;
}

/* An SNI extension naming host (raw bytes, hostile ones too). */
static void
put_sni(struct msg *m, const void *host, size_t n)
{
	put16(m, 0);
	put16(m, n + 5);
	put16(m, n + 3);
	put8(m, 0);
	put16(m, n);
	putb(m, host, n);
}

/*
 * The draft form of a retry: handshake type 6 (draft-ietf-tls-tls13-18
 * section 4.1.4), then the real ServerHello in the old draft layout.
 */
static void
test_retry_request_draft(void **state)
{
	static const uint16_t ciphers[] = { 0x1301 };
	struct msg *ch = msg_new(), *body = msg_new(), *srv = msg_new();
	struct msg *ext = msg_new();
	const struct tls_facts *tf;
	struct feeder *f = feeder_new();

	(void)state;
	client_hello_body(body, ciphers, 1, NULL);
	put_handshake(ch, 1, body);

	/* Retry: version, cipher, a key_share asking for group 23. */
	body->n = 0;
	put16(body, 0x7f12);
	put16(body, 0x1301);
	put16(body, 6);
	put16(body, 40);
	put16(body, 2);
	put16(body, 23);
	put_handshake(srv, 6, body);

	/* Draft 18 ServerHello: version, random, cipher, extensions. */
	body->n = 0;
	put16(body, 0x7f12);
	putfill(body, 0x33, 32);
	put16(body, 0x1301);
	put16(ext, 40);
	put16(ext, 6);
	put16(ext, 23);
	put16(ext, 2);
	put16(ext, 0xabcd);
	put16(body, ext->n);
	putb(body, ext->b, ext->n);
	put_handshake(srv, 2, body);
	put_record(srv, 23, "\x01\x02\x03", 3);

	feed(f, false, ch->b, ch->n);
	feed(f, true, srv->b, srv->n);
	feed(f, false, (const uint8_t *)"\x17\x03\x03\x00\x01\x00", 6);
	tf = tls_parser_facts(f->p);
	assert_true(tf->hello_retry);
	assert_true(tf->server_hello);
	assert_int_equal(tf->version, 0x7f12);
	assert_int_equal(tf->group, 23);
	assert_true(tf->established);
	assert_true(tls_parser_done(f->p));
	assert_int_equal(tf->anomalies, 0);
	feeder_free(f);
	free(ext);
	free(srv);
	free(body);
	free(ch);
}

/*
 * An RFC 8446 retry (the special random) must not end the server's
 * cleartext: the real ServerHello and its certificate-less flight follow.
 */
static void
test_retry_request_rfc(void **state)
{
	static const uint8_t hrr[32] = { 0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a,
		0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
		0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e,
		0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c };
	static const uint16_t ciphers[] = { 0x1301, 0x1302 };
	struct msg *cli = msg_new(), *body = msg_new(), *srv = msg_new();
	struct msg *ext = msg_new();
	const struct tls_facts *tf;
	struct feeder *f = feeder_new();
	uint8_t md[32];

	(void)state;

	/* The constant is SHA-256("HelloRetryRequest"). */
	assert_int_equal(
	    EVP_Digest("HelloRetryRequest", 17, md, NULL, EVP_sha256(), NULL),
	    1);
	assert_memory_equal(md, hrr, 32);

	client_hello_body(body, ciphers, 2, NULL);
	put_handshake(cli, 1, body);
	put16(ext, 43);
	put16(ext, 2);
	put16(ext, 0x0304);
	put16(ext, 51);
	put16(ext, 2);
	put16(ext, 24);
	body->n = 0;
	server_hello_body(body, 0x0303, hrr, 0x1302, ext);
	put_handshake(srv, 2, body);
	put_record(srv, 20, "\x01", 1);
	feed(f, false, cli->b, cli->n);
	feed(f, true, srv->b, srv->n);

	/* Second flight: dummy CCS, second ClientHello, still cleartext. */
	cli->n = 0;
	put_record(cli, 20, "\x01", 1);
	body->n = 0;
	client_hello_body(body, ciphers, 2, NULL);
	put_handshake(cli, 1, body);
	feed(f, false, cli->b, cli->n);
	assert_false(tls_parser_facts(f->p)->established);

	srv->n = 0;
	ext->n = 0;
	put16(ext, 43);
	put16(ext, 2);
	put16(ext, 0x0304);
	put16(ext, 51);
	put16(ext, 6);
	put16(ext, 24);
	put16(ext, 2);
	put16(ext, 0x0101);
	body->n = 0;
	server_hello_body(body, 0x0303, NULL, 0x1302, ext);
	put_handshake(srv, 2, body);
	put_record(srv, 23, "encrypted", 9);
	feed(f, true, srv->b, srv->n);

	/* A cleartext-looking alert after the switch is not believed. */
	feed(f, true, (const uint8_t *)"\x15\x03\x03\x00\x02\x02\x28", 7);
	feed(f, false, (const uint8_t *)"\x17\x03\x03\x00\x02\xff\xff", 7);
	tf = tls_parser_facts(f->p);
	assert_true(tf->hello_retry);
	assert_true(tf->server_hello);
	assert_int_equal(tf->version, 0x0304);
	assert_int_equal(tf->cipher, 0x1302);
	assert_int_equal(tf->group, 24);
	assert_false(tf->alert);
	assert_true(tf->established);
	assert_true(tls_parser_done(f->p));
	feeder_free(f);
	free(ext);
	free(srv);
	free(body);
	free(cli);
}

/*
 * SSLv2 both ways: CLIENT-HELLO, SERVER-HELLO with a certificate,
 * CLIENT-MASTER-KEY, then encrypted records with 2- and 3-byte headers.
 */
static void
test_sslv2_session(void **state)
{
	static const uint8_t cert[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	struct msg *cli = msg_new(), *srv = msg_new();
	const struct tls_facts *tf;
	struct feeder *f = feeder_new();
	const uint8_t *der;
	size_t len;

	(void)state;

	/* CLIENT-HELLO: version 2, 3 cipher specs, no session, 16 bytes. */
	put16(cli, 0x8000 | (9 + 9 + 16));
	put8(cli, 1);
	put16(cli, 0x0002);
	put16(cli, 9);
	put16(cli, 0);
	put16(cli, 16);
	putb(cli, "\x01\x00\x80\x07\x00\xc0\x03\x00\x80", 9);
	putfill(cli, 0x44, 16);

	/* SERVER-HELLO: no hit, X.509, version 2, cert, one spec, id. */
	put16(srv, 0x8000 | (11 + sizeof(cert) + 3 + 16));
	put8(srv, 4);
	put8(srv, 0);
	put8(srv, 1);
	put16(srv, 0x0002);
	put16(srv, sizeof(cert));
	put16(srv, 3);
	put16(srv, 16);
	putb(srv, cert, sizeof(cert));
	putb(srv, "\x01\x00\x80", 3);
	putfill(srv, 0x55, 16);
	put16(srv, 0x8000 | 20); /* SERVER-VERIFY, encrypted */
	putfill(srv, 0x66, 20);

	feed(f, false, cli->b, cli->n);
	feed(f, true, srv->b, srv->n);
	assert_int_equal(tls_parser_stream(f->p, false), TLS_STREAM_TLS);
	assert_int_equal(tls_parser_stream(f->p, true), TLS_STREAM_TLS);

	/* CLIENT-MASTER-KEY in the clear, then a 3-byte-header record. */
	cli->n = 0;
	put16(cli, 0x8000 | 11);
	put8(cli, 2);
	putfill(cli, 0x77, 10);
	put8(cli, 0x00);
	put8(cli, 8);
	put8(cli, 3);
	putfill(cli, 0x88, 8);
	feed(f, false, cli->b, cli->n);

	tf = tls_parser_facts(f->p);
	assert_true(tf->client_hello);
	assert_true(tf->sslv2_hello);
	assert_int_equal(tf->client_version, TLS_VERSION_SSL2);
	assert_true(tf->server_hello);
	assert_int_equal(tf->version, TLS_VERSION_SSL2);
	assert_false(tf->have_cipher);
	assert_string_equal(tf->ja3, "");
	assert_true(tf->have_certificate);
	der = tls_parser_certificate(f->p, &len);
	assert_int_equal(len, sizeof(cert));
	assert_memory_equal(der, cert, sizeof(cert));
	assert_true(tf->established);
	assert_true(tls_parser_done(f->p));
	assert_int_equal(tf->anomalies, 0);
	feeder_free(f);
	free(srv);
	free(cli);
}

/* What the first bytes of a direction say, and what is consumed. */
static void
test_stream_detection(void **state)
{
	static const struct {
		const char *bytes;
		size_t n;
		enum tls_stream want;
		size_t consumed;
	} cases[] = {
		{ "220 smtp.example.com ESMTP\r\n", 28, TLS_STREAM_NOT_TLS, 0 },
		{ "* OK IMAP4rev1 ready\r\n", 22, TLS_STREAM_NOT_TLS, 0 },
		{ "+OK POP3\r\n", 10, TLS_STREAM_NOT_TLS, 0 },
		{ "GET / HTTP/1.1\r\n", 16, TLS_STREAM_NOT_TLS, 0 },
		{ "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10,
		    TLS_STREAM_TLS, 10 },
		{ "\x15\x03\x03\x00\x02\x02\x28", 7, TLS_STREAM_TLS, 7 },
		{ "\x17\x03\x03\x00\x01\x00", 6, TLS_STREAM_TLS, 6 },
		{ "\x16\x03\x05\x00\x05", 5, TLS_STREAM_NOT_TLS, 0 },
		{ "\x16\x02\x01\x00\x05", 5, TLS_STREAM_NOT_TLS, 0 },
		{ "\x16\x03\x01\x00\x00", 5, TLS_STREAM_NOT_TLS, 0 },
		{ "\x16\x03\x01\xff\xff", 5, TLS_STREAM_NOT_TLS, 0 },
		{ "\x18\x03\x01\x00\x05", 5, TLS_STREAM_NOT_TLS, 0 },
		{ "\x16\x03\x01", 3, TLS_STREAM_UNKNOWN, 0 },
		{ "\x16", 1, TLS_STREAM_UNKNOWN, 0 },
		{ "\x80\x2e\x01\x03\x01", 5, TLS_STREAM_TLS, 5 },
		{ "\x80\x2e\x01\x00\x02", 5, TLS_STREAM_TLS, 5 },
		{ "\x80\x2e\x01\x01\x00", 5, TLS_STREAM_NOT_TLS, 0 },
		{ "\x80\x2e\x02\x03\x01", 5, TLS_STREAM_NOT_TLS, 0 },
		{ "\x80\x05\x01\x03\x01", 5, TLS_STREAM_NOT_TLS, 0 },
		{ "\x80\x03\x00\x00\x01", 5, TLS_STREAM_TLS, 5 },
		{ "\x80\x30\x04\x00\x01\x00\x02", 7, TLS_STREAM_TLS, 7 },
		{ "\x80\x30\x04\x00\x01\x03\x00", 7, TLS_STREAM_NOT_TLS, 0 },
		{ "\xff\xfe\xfd", 3, TLS_STREAM_NOT_TLS, 0 },
	};
	struct tls_parser *p;
	size_t i, used;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		p = tls_parser_new();
		assert_non_null(p);
		used = tls_parser_feed(p, true, (const uint8_t *)cases[i].bytes,
		    cases[i].n, false);
		if (tls_parser_stream(p, true) != cases[i].want ||
		    used != cases[i].consumed)
			fail_msg("case %zu: stream %d used %zu", i,
			    (int)tls_parser_stream(p, true), used);
		assert_int_equal(
		    tls_parser_stream(p, false), TLS_STREAM_UNKNOWN);
		tls_parser_free(p);
	}

	/* Too few bytes and no room for more: decided, and consumed. */
	p = tls_parser_new();
	assert_non_null(p);
	assert_int_equal(
	    tls_parser_feed(p, false, (const uint8_t *)"\x16\x03", 2, true), 2);
	assert_int_equal(tls_parser_stream(p, false), TLS_STREAM_NOT_TLS);
	assert_int_equal(
	    tls_parser_feed(p, false, (const uint8_t *)"abc", 3, false), 0);
	assert_int_equal(
	    tls_parser_feed(p, false, (const uint8_t *)"abc", 3, true), 3);
	tls_parser_free(p);
	tls_parser_free(NULL);
}

/*
 * The trap of implicit TLS: a ClientHello answered by a cleartext
 * greeting.  The server's bytes stay for a cleartext analyzer.
 */
static void
test_cleartext_reply(void **state)
{
	static const char greeting[] = "220 mail.example.com ESMTP ready\r\n";
	const struct tv_session *s = NULL;
	struct tls_parser *p;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(tv_sessions); i++) {
		if (strcmp(tv_sessions[i].name, "tls12") == 0)
			s = &tv_sessions[i];
	}
	assert_non_null(s);
	p = tls_parser_new();
	assert_non_null(p);
	assert_int_equal(tls_parser_feed(p, false, s->bytes + s->segs[0].off,
			     s->segs[0].len, false),
	    s->segs[0].len);
	assert_int_equal(tls_parser_feed(p, true, (const uint8_t *)greeting,
			     sizeof(greeting) - 1, false),
	    0);
	assert_int_equal(tls_parser_stream(p, false), TLS_STREAM_TLS);
	assert_int_equal(tls_parser_stream(p, true), TLS_STREAM_NOT_TLS);
	assert_true(tls_parser_facts(p)->client_hello);
	assert_false(tls_parser_facts(p)->server_hello);
	assert_false(tls_parser_done(p));
	tls_parser_free(p);
}

/* One direction only: the facts of that side, never established. */
static void
test_one_direction(void **state)
{
	struct flight fl[MAX_FLIGHTS];
	const struct tv_session *s;
	const struct tls_facts *tf;
	struct feeder *f;
	size_t i, j, n;
	int side;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(tv_sessions); i++) {
		s = &tv_sessions[i];
		n = flights_of(s, fl, MAX_FLIGHTS);
		for (side = 0; side < 2; side++) {
			f = feeder_new();
			for (j = 0; j < n; j++) {
				if (fl[j].from_server != (side == 1))
					continue;
				if (fl[j].gap != 0)
					gap(f, side == 1, fl[j].gap);
				else
					feed(f, side == 1, s->bytes + fl[j].off,
					    fl[j].len);
			}
			tf = tls_parser_facts(f->p);
			assert_false(tf->established);
			if (side == 0) {
				assert_int_equal(
				    tf->client_hello, s->client_hello);
				assert_string_equal(tf->ja3, s->ja3);
				assert_false(tf->server_hello);
			} else {
				assert_false(tf->client_hello);
				assert_int_equal(
				    tf->server_hello, s->server_hello);
				assert_int_equal(tf->cipher, s->cipher);
			}
			feeder_free(f);
		}
	}
}

/*
 * Handshake messages announcing 16 MB, records announcing 64 KB: cut,
 * flagged, never allocated.
 */
static void
test_oversized(void **state)
{
	static const uint16_t ciphers[] = { 0x002f };
	struct msg *m = msg_new(), *body = msg_new();
	struct tls_parser *p;
	size_t before, after;
	size_t i;

	(void)state;

	/* A ClientHello whose header says 0xffffff, then 200 KB of it. */
	p = tls_parser_new();
	assert_non_null(p);
	before = mem_used();
	put8(m, 22);
	put16(m, 0x0301);
	put16(m, 16384);
	put8(m, 1);
	put24(m, 0xffffff);
	putfill(m, 0x41, 16384 - 4);
	assert_int_equal(tls_parser_feed(p, false, m->b, m->n, false), m->n);
	m->n = 0;
	put8(m, 22);
	put16(m, 0x0301);
	put16(m, 16384);
	putfill(m, 0x42, 16384);
	for (i = 0; i < 12; i++)
		assert_int_equal(
		    tls_parser_feed(p, false, m->b, m->n, false), m->n);
	after = mem_used();
	assert_true(after < before + 2 * TLS_HS_MAX);
	assert_true(tls_parser_facts(p)->anomalies & TLS_ANOM_OVERSIZED);
	assert_false(tls_parser_facts(p)->client_hello);
	tls_parser_free(p);

	/* A real ClientHello over the limit: cut, not read. */
	p = tls_parser_new();
	assert_non_null(p);
	client_hello_body(body, ciphers, 1, NULL);
	putfill(body, 0, TLS_HS_MAX);
	m->n = 0;
	put8(m, 1);
	put24(m, body->n);
	putb(m, body->b, body->n);
	for (i = 0; i < m->n; i += 16384) {
		uint8_t hdr[5] = { 22, 3, 3, 0, 0 };
		size_t len = MIN(16384, m->n - i);

		hdr[3] = (uint8_t)(len >> 8);
		hdr[4] = (uint8_t)len;
		assert_int_equal(tls_parser_feed(p, false, hdr, 5, false), 5);
		assert_int_equal(
		    tls_parser_feed(p, false, m->b + i, len, false), len);
	}
	assert_false(tls_parser_facts(p)->client_hello);
	assert_true(tls_parser_facts(p)->anomalies & TLS_ANOM_OVERSIZED);
	tls_parser_free(p);

	/* A certificate chain over the limit: the leaf still counts. */
	p = tls_parser_new();
	assert_non_null(p);
	body->n = 0;
	server_hello_body(body, 0x0303, NULL, 0x002f, NULL);
	m->n = 0;
	put_handshake(m, 2, body);
	assert_int_equal(tls_parser_feed(p, true, m->b, m->n, false), m->n);
	body->n = 0;
	put8(body, 11);
	put24(body, 3 + 3 + 5 + 3 + 100000);
	put24(body, 3 + 5 + 3 + 100000);
	put24(body, 5);
	putb(body, "\x30\x03\x02\x01\x07", 5);
	put24(body, 100000);
	putfill(body, 0x30, 100000);
	for (i = 0; i < body->n; i += 16384) {
		m->n = 0;
		put_record(m, 22, body->b + i, MIN(16384, body->n - i));
		assert_int_equal(
		    tls_parser_feed(p, true, m->b, m->n, false), m->n);
	}
	assert_true(tls_parser_facts(p)->have_certificate);
	assert_true(tls_parser_facts(p)->anomalies & TLS_ANOM_OVERSIZED);
	tls_parser_free(p);

	/* A record over 2^14 + 2048 after a good start: garbage. */
	p = tls_parser_new();
	assert_non_null(p);
	m->n = 0;
	put_record(m, 21, "\x01\x00", 2);
	put8(m, 23);
	put16(m, 0x0303);
	put16(m, 0xffff);
	assert_int_equal(tls_parser_feed(p, true, m->b, m->n, false), m->n);
	assert_true(tls_parser_facts(p)->anomalies & TLS_ANOM_GARBAGE);
	assert_true(tls_parser_facts(p)->alert);
	assert_int_equal(tls_parser_facts(p)->alert_level, 1);
	tls_parser_free(p);
	free(body);
	free(m);
}

/* Empty records and messages move on; nothing loops. */
static void
test_zero_lengths(void **state)
{
	static const uint16_t ciphers[] = { 0x002f };
	struct msg *m = msg_new(), *body = msg_new(), *e = msg_new();
	struct tls_parser *p;
	const struct tls_facts *tf;

	(void)state;
	p = tls_parser_new();
	assert_non_null(p);

	/* HelloRequest (empty), a zero-length handshake record. */
	put_record(m, 22, "\x00\x00\x00\x00", 4);
	put_record(m, 22, "", 0);
	client_hello_body(body, ciphers, 1, e);
	put_handshake(m, 1, body);
	put_record(m, 23, "", 0);
	put_record(m, 23, "", 0);
	assert_int_equal(tls_parser_feed(p, false, m->b, m->n, false), m->n);
	tf = tls_parser_facts(p);
	assert_true(tf->client_hello);
	assert_string_equal(tls_parser_ja3_string(p), "771,47,,,");

	/* Server: hello, empty ServerHelloDone, CCS, empty records. */
	m->n = 0;
	body->n = 0;
	server_hello_body(body, 0x0303, NULL, 0x002f, NULL);
	put_handshake(m, 2, body);
	put_record(m, 22, "\x0e\x00\x00\x00", 4);
	put_record(m, 20, "\x01", 1);
	put_record(m, 22, "", 0);
	put_record(m, 23, "", 0);
	assert_int_equal(tls_parser_feed(p, true, m->b, m->n, false), m->n);
	assert_int_equal(tf->cipher, 0x002f);
	assert_true(tf->established);
	assert_int_equal(tf->anomalies, 0);
	tls_parser_free(p);
	free(e);
	free(body);
	free(m);
}

/* Lengths inside lengths that do not add up. */
static void
test_malformed_hellos(void **state)
{
	static const uint16_t ciphers[] = { 0x1301, 0x002f };
	static const struct {
		const char *what;
		const char *ext;
		size_t n;
	} bad[] = {
		{ "extension longer than its block", "\x00\x00\x00\x09\x00",
		    5 },
		{ "SNI list past the extension",
		    "\x00\x00\x00\x05\x00\x07\x00\x00\x01", 9 },
		{ "SNI name past its list",
		    "\x00\x00\x00\x07\x00\x05\x00\x00\x09\x61\x62", 11 },
		{ "empty ALPN name", "\x00\x10\x00\x03\x00\x01\x00", 7 },
		{ "odd groups list", "\x00\x0a\x00\x03\x00\x01\x17", 7 },
		{ "versions past the extension", "\x00\x2b\x00\x02\x08\x03",
		    6 },
		{ "odd versions list", "\x00\x2b\x00\x02\x01\x03", 6 },
		{ "key share past its list",
		    "\x00\x33\x00\x06\x00\x04\x00\x1d\x00\x20", 10 },
		{ "truncated extension header", "\x00\x00\x00", 3 },
	};
	struct msg *m = msg_new(), *body = msg_new(), *e = msg_new();
	struct tls_parser *p;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		p = tls_parser_new();
		assert_non_null(p);
		e->n = 0;
		putb(e, bad[i].ext, bad[i].n);
		body->n = 0;
		client_hello_body(body, ciphers, 2, e);
		m->n = 0;
		put_handshake(m, 1, body);
		assert_int_equal(
		    tls_parser_feed(p, false, m->b, m->n, false), m->n);
		if (tls_parser_facts(p)->client_hello ||
		    !(tls_parser_facts(p)->anomalies & TLS_ANOM_MALFORMED))
			fail_msg("%s: accepted", bad[i].what);
		tls_parser_free(p);
	}

	/* Cipher list of odd length, session id past the end. */
	p = tls_parser_new();
	assert_non_null(p);
	m->n = 0;
	put_record(m, 22, "\x01\x00\x00\x27\x03\x03", 6);
	assert_int_equal(tls_parser_feed(p, false, m->b, m->n, false), m->n);
	m->n = 0;
	body->n = 0;
	putfill(body, 0, 32);
	put8(body, 0);
	put16(body, 3);
	put8(body, 0);
	put16(body, 0);
	put_record(m, 22, body->b, body->n);
	assert_int_equal(tls_parser_feed(p, false, m->b, m->n, false), m->n);
	assert_false(tls_parser_facts(p)->client_hello);
	assert_true(tls_parser_facts(p)->anomalies & TLS_ANOM_MALFORMED);
	tls_parser_free(p);
	free(e);
	free(body);
	free(m);
}

/* Hostile SNI and ALPN bytes come out printable; GREASE is skipped. */
static void
test_names_and_grease(void **state)
{
	static const uint16_t ciphers[] = { 0x0a0a, 0x1301, 0xfafa, 0x00ff };
	struct msg *m = msg_new(), *body = msg_new(), *e = msg_new();
	struct tls_parser *p = tls_parser_new();
	const struct tls_facts *tf;

	(void)state;
	assert_non_null(p);
	put16(e, 0x1a1a);
	put16(e, 0);
	put_sni(e, "evil\x01\n\xff.example\x7f", 16);
	put16(e, 16);
	put16(e, 9);
	put16(e, 7);
	put8(e, 2);
	putb(e, "h2", 2);
	put8(e, 3);
	putb(e, "\x00x\x80", 3);
	put16(e, 10);
	put16(e, 8);
	put16(e, 6);
	put16(e, 0x2a2a);
	put16(e, 29);
	put16(e, 23);
	put16(e, 43);
	put16(e, 7);
	put8(e, 6);
	put16(e, 0x3a3a);
	put16(e, 0x0304);
	put16(e, 0x7f1c);
	put16(e, 51);
	put16(e, 12);
	put16(e, 10);
	put16(e, 0x4a4a);
	put16(e, 1);
	put8(e, 0);
	put16(e, 29);
	put16(e, 1);
	put8(e, 0);
	client_hello_body(body, ciphers, 4, e);
	put_handshake(m, 1, body);
	assert_int_equal(tls_parser_feed(p, false, m->b, m->n, false), m->n);
	tf = tls_parser_facts(p);
	assert_true(tf->client_hello);
	assert_string_equal(tf->sni, "evil???.example?");
	assert_string_equal(tf->alpn, "h2");
	assert_int_equal(tf->client_version, 0x0304);
	assert_int_equal(tf->client_share, 29);
	assert_string_equal(
	    tls_parser_ja3_string(p), "771,4865-255,0-16-10-43-51,29-23,");
	tls_parser_free(p);
	free(e);
	free(body);
	free(m);
}

/* A JA3 longer than the kept text: cut text, digest of the whole. */
static void
test_long_ja3(void **state)
{
	uint16_t ciphers[2000];
	struct msg *m = msg_new(), *body = msg_new();
	struct tls_parser *p = tls_parser_new();
	char *full, md_hex[33];
	uint8_t md[16];
	size_t i, o;

	(void)state;
	assert_non_null(p);
	full = malloc(16384);
	assert_non_null(full);
	o = (size_t)snprintf(full, 16384, "771,");
	for (i = 0; i < ARRAY_SIZE(ciphers); i++) {
		ciphers[i] = (uint16_t)(0xc000 + i);
		o += (size_t)snprintf(full + o, 16384 - o, "%s%u",
		    i > 0 ? "-" : "", 0xc000 + (unsigned int)i);
	}
	o += (size_t)snprintf(full + o, 16384 - o, ",,,");
	client_hello_body(body, ciphers, ARRAY_SIZE(ciphers), NULL);
	put_handshake(m, 1, body);
	assert_int_equal(tls_parser_feed(p, false, m->b, m->n, false), m->n);

	assert_int_equal(strlen(tls_parser_ja3_string(p)), TLS_JA3_STR_MAX - 1);
	assert_memory_equal(
	    tls_parser_ja3_string(p), full, TLS_JA3_STR_MAX - 1);
	assert_int_equal(EVP_Digest(full, o, md, NULL, EVP_md5(), NULL), 1);
	hex(md_hex, md, sizeof(md));
	assert_string_equal(tls_parser_facts(p)->ja3, md_hex);
	free(full);
	tls_parser_free(p);
	free(body);
	free(m);
}

/* Find a session by name. */
static const struct tv_session *
session(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tv_sessions); i++) {
		if (strcmp(tv_sessions[i].name, name) == 0)
			return &tv_sessions[i];
	}
	fail_msg("no session %s", name);
	return NULL;
}

/*
 * Gaps: inside a record the boundaries hold; across records the parser
 * finds the next header; at the very start it waits for one.
 */
static void
test_gaps(void **state)
{
	const struct tv_session *s = session("tls12");
	static uint8_t cb[8192], sb[8192];
	struct tls_parser *p;
	const struct tls_facts *tf;
	size_t nc, ns, cut;

	(void)state;
	nc = direction_bytes(s, false, cb, sizeof(cb));
	ns = direction_bytes(s, true, sb, sizeof(sb));

	/* Lose 100 bytes of the certificate: the rest still reads. */
	p = tls_parser_new();
	assert_non_null(p);
	tls_parser_feed(p, false, cb, nc, false);
	tls_parser_feed(p, true, sb, 2000, false);
	tls_parser_gap(p, true, 100);
	tls_parser_feed(p, true, sb + 2100, ns - 2100, false);
	tf = tls_parser_facts(p);
	assert_true(tf->server_hello);
	assert_false(tf->have_certificate);
	assert_true(tf->established);
	assert_int_equal(tf->anomalies, 0);
	tls_parser_free(p);

	/* Lose the server's header bytes at every place in its flight. */
	for (cut = 0; cut + 40 < ns; cut += 7) {
		p = tls_parser_new();
		assert_non_null(p);
		tls_parser_feed(p, false, cb, nc, false);
		tls_parser_feed(p, true, sb, cut, false);
		tls_parser_gap(p, true, 40);
		(void)tls_parser_feed(
		    p, true, sb + cut + 40, ns - cut - 40, false);
		tf = tls_parser_facts(p);
		assert_true(tf->client_hello);
		assert_string_equal(tf->ja3, s->ja3);
		tls_parser_free(p);
	}

	/* A gap before the first byte: resynchronised on the next record. */
	p = tls_parser_new();
	assert_non_null(p);
	tls_parser_gap(p, false, 3);
	assert_int_equal(
	    tls_parser_feed(p, false, cb + 3, nc - 3, false), nc - 3);
	assert_int_equal(tls_parser_stream(p, false), TLS_STREAM_TLS);
	tls_parser_free(p);
}

/* Garbage after a good start: flagged, searched past, or given up. */
static void
test_garbage(void **state)
{
	const struct tv_session *s = session("tls12");
	static uint8_t buf[200000], sb[8192];
	struct tls_parser *p;
	struct feeder *f;
	size_t ns, i, n;

	(void)state;
	ns = direction_bytes(s, true, sb, sizeof(sb));

	/* An unknown content type between records, then the rest. */
	memcpy(buf, "\x15\x03\x03\x00\x02\x01\x00", 7);
	memcpy(buf + 7, "\x63\x03\x03\x00\x10GARBAGEGARBAGE!!", 21);
	memcpy(buf + 28, sb, ns);
	n = 28 + ns;
	f = feeder_new();
	feed(f, true, buf, n);
	assert_true(tls_parser_facts(f->p)->anomalies & TLS_ANOM_GARBAGE);
	assert_true(tls_parser_facts(f->p)->server_hello);
	assert_int_equal(tls_parser_facts(f->p)->cipher, s->cipher);
	feeder_free(f);

	/* Endless garbage: the direction is given up, bytes consumed. */
	p = tls_parser_new();
	assert_non_null(p);
	memcpy(buf, "\x16\x03\x01\x00\x01\x00", 6);
	for (i = 6; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 0x30) | 0x80;
	buf[6] = 0x99;
	assert_int_equal(
	    tls_parser_feed(p, true, buf, sizeof(buf), false), sizeof(buf));
	assert_true(tls_parser_facts(p)->anomalies & TLS_ANOM_GAVE_UP);
	assert_int_equal(tls_parser_feed(p, true, buf, 100, false), 100);
	tls_parser_free(p);
}

/*
 * Every byte of a real handshake flipped, one at a time: nothing crashes,
 * nothing reads out of bounds (run under AddressSanitizer or valgrind),
 * every byte is consumed.
 */
static void
test_mutations(void **state)
{
	static const char *const names[] = { "tls12_mutual", "tls13_kyber",
		"sslv2_hello", "tls13_draft18" };
	static const uint8_t masks[] = { 0xff, 0x80, 0x01, 0x7f };
	static uint8_t cb[16384], sb[16384];
	const struct tv_session *s;
	struct feeder *f;
	size_t i, k, v, nc, ns;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		s = session(names[i]);
		for (k = 0; k < 2048; k++) {
			for (v = 0; v < ARRAY_SIZE(masks); v++) {
				nc = direction_bytes(s, false, cb, sizeof(cb));
				ns = direction_bytes(s, true, sb, sizeof(sb));
				if (k < nc)
					cb[k] ^= masks[v];
				if (k < ns)
					sb[k] ^= masks[v];
				f = feeder_new();
				feed(f, false, cb, nc);
				feed(f, true, sb, ns);
				(void)tls_parser_done(f->p);
				feeder_free(f);
			}
		}
	}
}

/* The leaf the parser keeps is a certificate libcrypto reads. */
static void
test_certificate_facts(void **state)
{
	const struct tv_session *s = session("sslv2_hello");
	struct cert_facts c;
	struct feeder *f;
	const uint8_t *der;
	size_t i, len;

	(void)state;
	f = feeder_new();
	for (i = 0; i < s->nsegs; i++)
		feed(f, s->segs[i].from_server, s->bytes + s->segs[i].off,
		    s->segs[i].len);
	der = tls_parser_certificate(f->p, &len);
	assert_non_null(der);
	assert_int_equal(x509_facts(der, len, &c), 0);
	assert_string_equal(c.sha256_hex, s->cert_sha256);

	/* Suricata's sslv2-tls-upgrade-01 expects this subject. */
	assert_string_equal(c.cn, "sigdb.secteam.netscreen.com");
	assert_non_null(strstr(c.subject, "O=NetScreen Technologies\\, Inc."));
	feeder_free(f);
}

static void
test_version_names(void **state)
{
	static const struct {
		uint16_t v;
		const char *name;
		bool tls13;
	} cases[] = {
		{ 0x0002, "SSLv2", false },
		{ 0x0300, "SSLv3", false },
		{ 0x0301, "TLSv1.0", false },
		{ 0x0302, "TLSv1.1", false },
		{ 0x0303, "TLSv1.2", false },
		{ 0x0304, "TLSv1.3", true },
		{ 0x7f12, "TLSv1.3", true },
		{ 0x7f1c, "TLSv1.3", true },
		{ 0xfb1a, "TLSv1.3", true },
		{ 0x0305, NULL, false },
		{ 0x0000, NULL, false },
		{ 0x0a0a, NULL, false },
		{ 0xfeff, NULL, false },
		{ 0x0200, NULL, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (cases[i].name == NULL)
			assert_null(tls_version_name(cases[i].v));
		else
			assert_string_equal(
			    tls_version_name(cases[i].v), cases[i].name);
		assert_int_equal(
		    tls_version_is_tls13(cases[i].v), cases[i].tls13);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sessions_as_captured),
		cmocka_unit_test(test_sessions_every_split),
		cmocka_unit_test(test_sessions_small_pieces),
		cmocka_unit_test(test_sessions_refragmented),
		cmocka_unit_test(test_sessions_other_sources),
		cmocka_unit_test(test_retry_request_draft),
		cmocka_unit_test(test_retry_request_rfc),
		cmocka_unit_test(test_sslv2_session),
		cmocka_unit_test(test_stream_detection),
		cmocka_unit_test(test_cleartext_reply),
		cmocka_unit_test(test_one_direction),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_zero_lengths),
		cmocka_unit_test(test_malformed_hellos),
		cmocka_unit_test(test_names_and_grease),
		cmocka_unit_test(test_long_ja3),
		cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_certificate_facts),
		cmocka_unit_test(test_version_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
