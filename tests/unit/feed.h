/*
 * feed.h - runs a mail analyzer over a scripted session the way the engine
 * does, and checks the facts it recorded; shared by the analyzer tests.
 *
 * A session is a table of chunks, each what one side sent at once, in
 * capture order (SRV/CLI), with losses (GAP_SRV/GAP_CLI) between them.
 * The feeder keeps, per direction, the bytes the analyzer left unconsumed,
 * appends the next bytes and calls parse() again; when bufmax bytes wait
 * and none was taken it calls once more with PARSE_FULL and drops them if
 * that takes nothing either.  Like the engine, it drops what waits in a
 * direction when bytes of it are lost.  When the analyzer hands the session to
 * TLS, the run stops there, or, for cases marked resume, goes on with the same
 * analyzer as the engine does when no TLS follows.
 *
 * Each case runs whole, with every chunk cut in two at each offset, and a
 * byte at a time: the facts must come out the same every way.
 */
#ifndef PLAINSIGHT_TEST_FEED_H
#define PLAINSIGHT_TEST_FEED_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "mem.h"
#include "util.h"

#define FEED_MAX_CREDS 4
#define FEED_MAX_SECRETS 4
#define FEED_GAP ((const char *)0)
#define FEED_SAMPLE 128      /* cuts tried at each end of long chunks */
#define FEED_NOISE_CHUNKS 24 /* chunks per random session */
#define FEED_NOISE_LEN 700   /* longest random chunk */

struct feed_chunk {
	enum dir dir;
	const char *text; /* FEED_GAP for lost bytes; NULL dir 0 len 0 ends */
	uint64_t len;     /* bytes of text, or bytes lost */
};

#define CLI(t)                                                                 \
	{                                                                      \
		DIR_TO_SERVER, (t), sizeof(t) - 1                              \
	}
#define SRV(t)                                                                 \
	{                                                                      \
		DIR_TO_CLIENT, (t), sizeof(t) - 1                              \
	}
#define GAP_CLI(n)                                                             \
	{                                                                      \
		DIR_TO_SERVER, FEED_GAP, (n)                                   \
	}
#define GAP_SRV(n)                                                             \
	{                                                                      \
		DIR_TO_CLIENT, FEED_GAP, (n)                                   \
	}
#define FEED_END                                                               \
	{                                                                      \
		DIR_TO_SERVER, NULL, 0                                         \
	}

struct feed_cred {
	const char *mech;
	const char *user; /* as sent; compared in session_printable() form */
	enum exposure exposure;
	enum outcome outcome;
	unsigned int count; /* 0 stands for 1 */
	unsigned int chunk; /* 1-based chunk that sent the secret; 0: any */
};

struct feed_expect {
	int offered; /* -1, 0 or 1 */
	bool attempted;
	unsigned int starttls_chunk; /* 1-based chunk of STARTTLS; 0: any */
	bool accepted;
	enum starttls_result result;
	bool switched;    /* the session was handed to TLS */
	bool check_rest;  /* compare rest[] at the hand-over */
	uint64_t rest[2]; /* bytes per direction left for TLS */
	bool cleartext_after_tls;
	bool stripped;
	bool login_disabled;
	const char *client_name;  /* NULL for "" */
	const char *auth_offered; /* NULL for "" */
	unsigned int ncreds;
	struct feed_cred creds[FEED_MAX_CREDS];
	uint32_t anomalies; /* exactly the SESSION_ANOM_* bits to be set */
	const char *secrets[FEED_MAX_SECRETS]; /* to be found nowhere */
};

struct feed_case {
	const char *name;
	const struct feed_chunk *chunks;
	bool resume; /* go on with the analyzer after a hand-over to TLS */
	struct feed_expect expect;
};

struct feed {
	const struct analyzer *a;
	const struct feed_case *c;
	struct session s;
	void *state;
	uint8_t *buf[2];
	size_t len[2];
	bool stopped; /* handed over to TLS, run over */
	bool switched;
	bool bad_switch; /* handed to something else than TLS */
	bool overrun;    /* parse() claimed more than it was given */
	uint64_t rest[2];
};

static void
feed_init(struct feed *f, const struct analyzer *a, const struct feed_case *c)
{
	memset(f, 0, sizeof(*f));
	f->a = a;
	f->c = c;
	f->s.starttls_offered = -1;
	f->s.flow_id = 1;
	f->state = a->create(&f->s);
	f->buf[0] = malloc(a->bufmax);
	f->buf[1] = malloc(a->bufmax);
}

static void
feed_cleanup(struct feed *f)
{
	f->a->destroy(f->state);
	session_cleanup(&f->s);
	free(f->buf[0]);
	free(f->buf[1]);
}

/* Presents what waits in direction d, as the engine does. */
static void
feed_parse(struct feed *f, enum dir d, const struct timeval *ts)
{
	size_t used;

	used = f->a->parse(f->state, &f->s, d, f->buf[d], f->len[d], ts, 0);
	if (used == 0 && f->len[d] == f->a->bufmax && f->s.switch_to == NULL) {
		used = f->a->parse(
		    f->state, &f->s, d, f->buf[d], f->len[d], ts, PARSE_FULL);
		if (used == 0)
			used = f->len[d];
	}
	if (used > f->len[d]) {
		f->overrun = true;
		used = f->len[d];
	}
	memmove(f->buf[d], f->buf[d] + used, f->len[d] - used);
	f->len[d] -= used;

	if (f->s.switch_to != NULL) {
		f->switched = true;
		if (f->s.switch_to != &tls_analyzer)
			f->bad_switch = true;
		f->s.switch_to = NULL;
		if (!f->c->resume) {
			f->stopped = true;
			f->rest[0] = f->len[0];
			f->rest[1] = f->len[1];
		}
	}
}

/* Appends n bytes sent in direction d and lets the analyzer read them. */
static void
feed_bytes(struct feed *f, enum dir d, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	size_t take;

	while (n > 0 && !f->stopped) {
		take = MIN(n, f->a->bufmax - f->len[d]);
		memcpy(f->buf[d] + f->len[d], p, take);
		f->len[d] += take;
		p += take;
		n -= take;
		feed_parse(f, d, ts);
	}
	if (f->stopped)
		f->rest[d] += n;
}

/*
 * Runs the session, cutting every chunk at offset cut (0: whole) or, with
 * bytewise, feeding one byte at a time.
 */
static void
feed_run(struct feed *f, size_t cut, bool bytewise)
{
	const struct feed_chunk *k;
	struct timeval ts;
	size_t i, first;

	for (k = f->c->chunks, i = 0; k->text != NULL || k->len != 0;
	     k++, i++) {
		ts.tv_sec = 1000 + (time_t)i;
		ts.tv_usec = 0;
		if (k->text == FEED_GAP) {
			/* The engine drops what waited before the hole. */
			f->len[k->dir] = 0;
			if (!f->stopped)
				f->a->gap(f->state, &f->s, k->dir, k->len);
			continue;
		}
		if (bytewise) {
			for (first = 0; first < k->len; first++)
				feed_bytes(f, k->dir,
				    (const uint8_t *)k->text + first, 1, &ts);
			continue;
		}
		first = MIN(cut, (size_t)k->len);
		feed_bytes(f, k->dir, (const uint8_t *)k->text, first, &ts);
		feed_bytes(f, k->dir, (const uint8_t *)k->text + first,
		    (size_t)k->len - first, &ts);
	}
	f->a->end(f->state, &f->s);
}

static bool
feed_mem_has(const void *hay, size_t n, const char *needle)
{
	return memmem(hay, n, needle, strlen(needle)) != NULL;
}

static const char *
feed_str(const char *p)
{
	return p == NULL ? "" : p;
}

static char feed_why[512];

static const char *feed_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static const char *
feed_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(feed_why, sizeof(feed_why), fmt, ap);
	va_end(ap);
	return feed_why;
}

static const char *
feed_check_cred(const struct feed *f, unsigned int i)
{
	const struct feed_cred *want = &f->c->expect.creds[i];
	const struct credential *got = &f->s.creds[i];
	char user[CRED_USER_MAX];
	unsigned int count = want->count == 0 ? 1 : want->count;

	session_printable(user, sizeof(user), (const uint8_t *)want->user,
	    strlen(want->user));
	if (strcmp(got->mechanism, want->mech) != 0)
		return feed_fail("cred %u mechanism %s, want %s", i,
		    got->mechanism, want->mech);
	if (strcmp(got->username, user) != 0)
		return feed_fail(
		    "cred %u user '%s', want '%s'", i, got->username, user);
	if (got->exposure != want->exposure)
		return feed_fail("cred %u exposure %s, want %s", i,
		    exposure_name(got->exposure),
		    exposure_name(want->exposure));
	if (got->outcome != want->outcome)
		return feed_fail("cred %u outcome %d, want %d", i,
		    (int)got->outcome, (int)want->outcome);
	if (got->count != count)
		return feed_fail(
		    "cred %u count %u, want %u", i, got->count, count);
	if (want->chunk != 0 && got->seen.tv_sec != 1000 + want->chunk - 1)
		return feed_fail("cred %u seen in chunk %ld, want %u", i,
		    (long)got->seen.tv_sec - 999, want->chunk);
	return NULL;
}

static const char *
feed_check_secrets(const struct feed *f)
{
	const char *secret;
	size_t i, size;

	size = mem_size(f->state);
	for (i = 0; i < FEED_MAX_SECRETS; i++) {
		secret = f->c->expect.secrets[i];
		if (secret == NULL)
			continue;
		if (feed_mem_has(&f->s, sizeof(f->s), secret) ||
		    (f->s.ncreds > 0 &&
			feed_mem_has(f->s.creds,
			    f->s.ncreds * sizeof(*f->s.creds), secret)))
			return feed_fail("secret '%s' in the session", secret);
		if (feed_mem_has(f->state, size, secret))
			return feed_fail("secret '%s' in the state", secret);
	}
	return NULL;
}

static const char *
feed_check_starttls(const struct feed *f)
{
	const struct feed_expect *e = &f->c->expect;
	const struct session *s = &f->s;

	if (s->starttls_offered != e->offered)
		return feed_fail(
		    "offered %d, want %d", s->starttls_offered, e->offered);
	if (s->starttls_attempted != e->attempted)
		return feed_fail("attempted %d", s->starttls_attempted);
	if (e->starttls_chunk != 0 &&
	    s->starttls_seen.tv_sec != 1000 + e->starttls_chunk - 1)
		return feed_fail(
		    "starttls seen at %ld", (long)s->starttls_seen.tv_sec);
	if (s->starttls_accepted != e->accepted)
		return feed_fail("accepted %d", s->starttls_accepted);
	if (s->starttls_result != e->result)
		return feed_fail("result %d, want %d", (int)s->starttls_result,
		    (int)e->result);
	if (f->switched != e->switched || f->bad_switch)
		return feed_fail(
		    "switched %d (bad %d)", f->switched, f->bad_switch);
	if (e->check_rest &&
	    (f->rest[0] != e->rest[0] || f->rest[1] != e->rest[1]))
		return feed_fail("left for TLS %llu/%llu, want %llu/%llu",
		    (unsigned long long)f->rest[0],
		    (unsigned long long)f->rest[1],
		    (unsigned long long)e->rest[0],
		    (unsigned long long)e->rest[1]);
	if (s->cleartext_after_tls != e->cleartext_after_tls)
		return feed_fail(
		    "cleartext_after_tls %d", s->cleartext_after_tls);
	if (s->starttls_stripped != e->stripped)
		return feed_fail("stripped %d (%s)", s->starttls_stripped,
		    s->stripped_detail);
	return NULL;
}

/* The first difference between the session and the expected facts. */
static const char *
feed_check(const struct feed *f)
{
	const struct feed_expect *e = &f->c->expect;
	const struct session *s = &f->s;
	const char *why;
	unsigned int i;

	if (f->overrun)
		return "parse() consumed more than it was given";
	why = feed_check_starttls(f);
	if (why != NULL)
		return why;
	if (s->login_disabled != e->login_disabled)
		return feed_fail("login_disabled %d", s->login_disabled);
	if (strcmp(s->client_name, feed_str(e->client_name)) != 0)
		return feed_fail("client_name '%s'", s->client_name);
	if (strcmp(s->auth_offered, feed_str(e->auth_offered)) != 0)
		return feed_fail("auth_offered '%s'", s->auth_offered);
	if (s->anomalies != e->anomalies)
		return feed_fail(
		    "anomalies %#x, want %#x", s->anomalies, e->anomalies);
	if (s->ncreds != e->ncreds)
		return feed_fail(
		    "%u credentials, want %u", s->ncreds, e->ncreds);
	for (i = 0; i < e->ncreds && i < FEED_MAX_CREDS; i++) {
		why = feed_check_cred(f, i);
		if (why != NULL)
			return why;
	}
	return feed_check_secrets(f);
}

/* Length of the longest chunk of a case. */
static size_t
feed_longest(const struct feed_case *c)
{
	const struct feed_chunk *k;
	size_t max = 0;

	for (k = c->chunks; k->text != NULL || k->len != 0; k++) {
		if (k->text != FEED_GAP && k->len > max)
			max = (size_t)k->len;
	}
	return max;
}

/*
 * The offset after cut to cut chunks at: every one for short sessions; for
 * long chunks every one near both ends and a sample in between.
 */
static size_t
feed_next_cut(size_t cut, size_t longest)
{
	if (longest <= 2 * FEED_SAMPLE || cut < FEED_SAMPLE ||
	    cut + FEED_SAMPLE >= longest)
		return cut + 1;
	return MIN(cut + longest / FEED_SAMPLE, longest - FEED_SAMPLE);
}

/*
 * Runs one case whole, cut at each offset, then byte by byte; returns the
 * first failure, or NULL, with where it happened in where.
 */
static const char *
feed_case_run(const struct analyzer *a, const struct feed_case *c, char *where,
    size_t wsize)
{
	const char *why = NULL;
	struct feed f;
	size_t cut, longest = feed_longest(c);

	for (cut = 0; cut <= longest + 1 && why == NULL;
	     cut = feed_next_cut(cut, longest)) {
		feed_init(&f, a, c);
		if (cut <= longest)
			feed_run(&f, cut, false);
		else
			feed_run(&f, 0, true);
		why = feed_check(&f);
		if (why != NULL && cut <= longest)
			snprintf(where, wsize, "chunks cut at %zu", cut);
		else if (why != NULL)
			snprintf(where, wsize, "byte by byte");
		feed_cleanup(&f);
	}
	return why;
}

/* A small deterministic generator (xorshift32), so runs repeat. */
static uint32_t
feed_rand(uint32_t *seed)
{
	*seed ^= *seed << 13;
	*seed ^= *seed >> 17;
	*seed ^= *seed << 5;
	return *seed;
}

/* Fills p[0..n) with random bytes and protocol words. */
static void
feed_noise(uint8_t *p, size_t n, const char *const *words, size_t nwords,
    uint32_t *seed)
{
	size_t i = 0, w;
	const char *word;

	while (i < n) {
		if (feed_rand(seed) % 3 == 0 || nwords == 0) {
			p[i++] = (uint8_t)feed_rand(seed);
			continue;
		}
		word = words[feed_rand(seed) % nwords];
		for (w = 0; word[w] != '\0' && i < n; w++)
			p[i++] = (uint8_t)word[w];
	}
}

/*
 * Feeds sessions of random bytes mixed with the given protocol words, with
 * losses, in both directions: the analyzer must neither crash nor claim
 * bytes it was not given, and must keep the session's strings terminated.
 */
static void
feed_garbage(const struct analyzer *a, const char *const *words, size_t nwords,
    unsigned int runs)
{
	struct feed_chunk chunks[FEED_NOISE_CHUNKS + 1];
	static uint8_t noise[FEED_NOISE_CHUNKS][FEED_NOISE_LEN];
	struct feed_case c;
	struct feed f;
	uint32_t seed = 0x2545f491;
	unsigned int run, i, len;

	memset(&c, 0, sizeof(c));
	c.name = "noise";
	c.chunks = chunks;
	c.resume = true;
	for (run = 0; run < runs; run++) {
		for (i = 0; i < FEED_NOISE_CHUNKS; i++) {
			len = 1 + feed_rand(&seed) % FEED_NOISE_LEN;
			chunks[i].dir = (enum dir)(feed_rand(&seed) % 2);
			chunks[i].text = (const char *)noise[i];
			chunks[i].len = len;
			feed_noise(noise[i], len, words, nwords, &seed);
			if (feed_rand(&seed) % 16 == 0) {
				chunks[i].text = FEED_GAP;
				chunks[i].len = 1 + feed_rand(&seed) % 5000;
			}
		}
		chunks[FEED_NOISE_CHUNKS] = (struct feed_chunk)FEED_END;
		feed_init(&f, a, &c);
		feed_run(&f, feed_rand(&seed) % FEED_NOISE_LEN, false);
		if (f.overrun)
			fail_msg("run %u: parse() overran its input", run);
		if (strnlen(f.s.client_name, SESSION_NAME_MAX) ==
			SESSION_NAME_MAX ||
		    strnlen(f.s.auth_offered, SESSION_AUTHLIST_MAX) ==
			SESSION_AUTHLIST_MAX ||
		    f.s.ncreds > SESSION_MAX_CREDS)
			fail_msg("run %u: session fields overflowed", run);
		feed_cleanup(&f);
	}
}

#endif
