/*
 * tls_analyzer.c - TLS as a session analyzer: implicit TLS from the first
 * byte, and the handshake that must follow an accepted STARTTLS.
 *
 * The handshake parser (tls.c) does the reading; this file decides what the
 * session becomes.  After STARTTLS (RFC 3207 section 4, RFC 2595 section
 * 3.1) the next bytes must be a TLS handshake: if the client goes on in
 * clear text instead, STARTTLS failed and the mail analyzer resumes.  On an
 * implicit-TLS port, a server that answers in clear text was never speaking
 * TLS: the session is handed to the cleartext analyzer of its protocol.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/tls.h"
#include "analyzers/x509.h"
#include "mem.h"

/* A ClientHello, a certificate chain and a ServerHello fit. */
#define TLS_BUFMAX ((size_t)20 * 1024)

struct tls_an {
	struct tls_parser *parser;
	bool after_starttls; /* began at a STARTTLS go-ahead */
	bool cert_read;      /* the certificate was handed to libcrypto */
};

static void *
tls_create(struct session *s)
{
	struct tls_an *t;

	t = mem_calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->parser = tls_parser_new();
	if (t->parser == NULL) {
		mem_free(t);
		return NULL;
	}
	t->after_starttls = s->starttls_accepted;
	return t;
}

static void
tls_destroy(void *state)
{
	struct tls_an *t = state;

	if (t == NULL)
		return;
	tls_parser_free(t->parser);
	mem_free(t);
}

/* Something other than TLS came: give the session back to clear text. */
static void
not_tls(struct tls_an *t, struct session *s, enum dir d)
{
	if (t->after_starttls) {
		s->starttls_result = STARTTLS_RESULT_FAILED;
		if (d == DIR_TO_SERVER)
			s->cleartext_after_tls = true;
	} else {
		if (s->tlsf.client_hello)
			s->anomalies |= SESSION_ANOM_TLS_TO_CLEARTEXT;
		s->tls = TLS_MODE_NONE;
	}
	s->switch_to = analyzer_for_proto(s->protocol);
	if (s->switch_to == NULL)
		s->done = true;
}

/*
 * Reads the server certificate once it has been seen (TLS 1.2 and older
 * send it in the clear).  A certificate libcrypto cannot read is left out.
 */
static void
read_certificate(struct tls_an *t, struct session *s)
{
	const uint8_t *der;
	size_t len;

	if (t->cert_read || !s->tlsf.have_certificate)
		return;
	der = tls_parser_certificate(t->parser, &len);
	if (der == NULL)
		return;
	t->cert_read = true;
	s->cert = mem_alloc(sizeof(*s->cert));
	if (s->cert != NULL && x509_facts(der, len, s->cert) != 0) {
		mem_free(s->cert);
		s->cert = NULL;
	}
}

/* Copies the parser's facts and settles STARTTLS once TLS is clear. */
static void
update(struct tls_an *t, struct session *s)
{
	s->tlsf = *tls_parser_facts(t->parser);
	if (tls_parser_stream(t->parser, false) == TLS_STREAM_TLS ||
	    tls_parser_stream(t->parser, true) == TLS_STREAM_TLS)
		s->tls_spoken = true;
	read_certificate(t, s);
	if (t->after_starttls && s->tlsf.server_hello &&
	    s->starttls_result == STARTTLS_RESULT_NONE) {
		s->starttls_result = STARTTLS_RESULT_OK;
		s->tls = TLS_MODE_STARTTLS;
	}
}

static size_t
tls_parse(void *state, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts, unsigned int flags)
{
	struct tls_an *t = state;
	bool from_server = d == DIR_TO_CLIENT;
	size_t used;

	(void)ts;
	used = tls_parser_feed(
	    t->parser, from_server, p, n, (flags & PARSE_FULL) != 0);
	if (tls_parser_stream(t->parser, from_server) == TLS_STREAM_NOT_TLS) {
		update(t, s);
		not_tls(t, s, d);
		return 0;
	}
	update(t, s);
	if (tls_parser_done(t->parser))
		s->done = true;
	return used;
}

static void
tls_gap(void *state, struct session *s, enum dir d, uint64_t len)
{
	struct tls_an *t = state;

	(void)s;
	tls_parser_gap(t->parser, d == DIR_TO_CLIENT, len);
}

/*
 * The session is over.  After a STARTTLS go-ahead, TLS counts as used when
 * either side was seen speaking it (a one-sided capture shows only one);
 * with no TLS at all, STARTTLS failed.
 */
static void
tls_end(void *state, struct session *s)
{
	struct tls_an *t = state;

	update(t, s);
	if (!t->after_starttls || s->starttls_result != STARTTLS_RESULT_NONE)
		return;
	if (tls_parser_stream(t->parser, false) == TLS_STREAM_TLS ||
	    tls_parser_stream(t->parser, true) == TLS_STREAM_TLS) {
		s->starttls_result = STARTTLS_RESULT_OK;
		s->tls = TLS_MODE_STARTTLS;
	} else {
		s->starttls_result = STARTTLS_RESULT_FAILED;
	}
}

const struct analyzer tls_analyzer = {
	.name = "tls",
	.bufmax = TLS_BUFMAX,
	.create = tls_create,
	.parse = tls_parse,
	.gap = tls_gap,
	.end = tls_end,
	.destroy = tls_destroy,
};
