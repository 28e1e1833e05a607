/*
 * pop3.c - POP3 analyzer: capabilities, STLS, USER/PASS, APOP and AUTH.
 *
 * Follows RFC 1939 (status indicators section 3, multi-line responses
 * and dot-stuffing section 3, USER/PASS and APOP section 7), RFC 2449
 * (CAPA section 5, PIPELINING section 6.6), RFC 2595 (STLS section 4) and
 * RFC 5034 (AUTH, "+" continuations and "*" to cancel, section 4).
 *
 * Commands wait in a small ring until their status line ("+OK" or "-ERR")
 * arrives, in order.  Only some commands answer "+OK" with a multi-line
 * response ended by "." alone on a line: CAPA and a bare AUTH are read for
 * what they list, message text from RETR and TOP and the listings of LIST
 * and UIDL are skipped where they lie, without being buffered.
 */
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/sasl.h"
#include "mem.h"
#include "util.h"

#define POP3_BUFMAX 8192
#define POP3_PIPE_MAX 32 /* commands awaiting a status line */

/* What a status line answers. */
enum pop3_cmd {
	POP3_CMD_NONE, /* nothing: an unsolicited line */
	POP3_CMD_GREETING,
	POP3_CMD_USER,
	POP3_CMD_PASS,
	POP3_CMD_APOP,
	POP3_CMD_AUTH,
	POP3_CMD_AUTH_LIST, /* AUTH without a mechanism lists them */
	POP3_CMD_STLS,
	POP3_CMD_CAPA,
	POP3_CMD_MULTI, /* RETR, TOP, and LIST or UIDL without argument */
	POP3_CMD_OTHER,
};

/* What the server's next line is. */
enum pop3_sstate {
	POP3_S_LINE,     /* a status line */
	POP3_S_CAPA,     /* a capability, or the closing "." */
	POP3_S_AUTHLIST, /* a mechanism name, or the closing "." */
	POP3_S_BODY,     /* text to skip up to the closing "." */
};

struct pop3_pending {
	uint8_t kind; /* enum pop3_cmd */
	int16_t cred; /* credential recorded when the command was sent */
};

struct pop3 {
	struct pop3_pending pipe[POP3_PIPE_MAX]; /* oldest at head */
	unsigned int head;
	unsigned int npipe;

	enum pop3_sstate sstate;
	bool bol;        /* skipped text is at the start of a line */
	bool capa_stls;  /* this CAPA response listed STLS */
	bool multi_gap;  /* a multi-line response lost bytes */
	bool discard[2]; /* skipping the rest of an overlong line */
	bool resync[2];  /* bytes were lost before the next line */

	bool server_seen;
	bool replied; /* a status line was read (the first greets) */
	bool srv_gap; /* status lines were lost */

	bool starttls_pending; /* STLS sent, status not yet read */
	bool tls_go;           /* the server agreed to start TLS */
	bool sasl_cont;        /* a "+" awaits the client's SASL answer */
	struct sasl sasl;

	char user[CRED_USER_MAX]; /* USER argument, for PASS (not secret) */
	size_t userlen;
};

struct pop3_verb {
	const char *name;
	enum pop3_cmd kind;
};

static const struct pop3_verb pop3_verbs[] = {
	{ "USER", POP3_CMD_USER },
	{ "PASS", POP3_CMD_PASS },
	{ "APOP", POP3_CMD_APOP },
	{ "AUTH", POP3_CMD_AUTH },
	{ "STLS", POP3_CMD_STLS },
	{ "CAPA", POP3_CMD_CAPA },
	{ "RETR", POP3_CMD_MULTI },
	{ "TOP", POP3_CMD_MULTI },
	{ "LIST", POP3_CMD_MULTI },
	{ "UIDL", POP3_CMD_MULTI },
	{ "STAT", POP3_CMD_OTHER },
	{ "DELE", POP3_CMD_OTHER },
	{ "NOOP", POP3_CMD_OTHER },
	{ "RSET", POP3_CMD_OTHER },
	{ "QUIT", POP3_CMD_OTHER },
	{ "LAST", POP3_CMD_OTHER },
	{ "UTF8", POP3_CMD_OTHER },
};

/*
 * The kind of verb p[0..n), or POP3_CMD_NONE when unknown.
 * XXX: unknown commands are taken to get one-line answers; a multi-line
 * answer to one (XTND, say) is read as status lines.
 */
static enum pop3_cmd
pop3_verb_kind(const uint8_t *p, size_t n)
{
	size_t i;

	n = span_until(p, n, ' ');
	for (i = 0; i < ARRAY_SIZE(pop3_verbs); i++) {
		if (ascii_equal(p, n, pop3_verbs[i].name))
			return pop3_verbs[i].kind;
	}
	return POP3_CMD_NONE;
}

static void
pop3_push(struct pop3 *st, struct session *s, enum pop3_cmd kind, int cred)
{
	struct pop3_pending *e;

	if (st->npipe == POP3_PIPE_MAX) {
		s->anomalies |= SESSION_ANOM_PIPELINE_OVERFLOW;
		return;
	}
	e = &st->pipe[(st->head + st->npipe) % POP3_PIPE_MAX];
	e->kind = (uint8_t)kind;
	e->cred = (int16_t)cred;
	st->npipe++;
}

/* Takes the oldest waiting command into *e; false when none waits. */
static bool
pop3_pop(struct pop3 *st, struct pop3_pending *e)
{
	if (st->npipe == 0)
		return false;
	*e = st->pipe[st->head];
	st->head = (st->head + 1) % POP3_PIPE_MAX;
	st->npipe--;
	return true;
}

/* True for bytes that never occur in a command or status line. */
static bool
pop3_binary(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			return true;
	}
	return false;
}

/* AUTH [mechanism [initial-response]] (RFC 5034 section 4). */
static void
pop3_auth(struct pop3 *st, struct session *s, const uint8_t *arg, size_t alen,
    const struct timeval *ts, bool trunc)
{
	size_t mlen, ir;

	mlen = span_until(arg, alen, ' ');
	if (mlen == 0) {
		pop3_push(st, s, POP3_CMD_AUTH_LIST, -1);
		return;
	}
	sasl_start(&st->sasl, arg, mlen);
	st->sasl_cont = false;
	ir = mlen + skip_blanks(arg + mlen, alen - mlen);
	if (ir < alen)
		(void)sasl_client(
		    &st->sasl, s, ts, trunc ? NULL : arg + ir, alen - ir);
	pop3_push(st, s, POP3_CMD_AUTH, -1);
}

/* One command line: verb, blanks, arguments. */
static void
pop3_command(struct pop3 *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts, bool trunc)
{
	enum pop3_cmd kind = pop3_verb_kind(p, n);
	size_t vlen = span_until(p, n, ' '), at, w;
	int cred;

	at = vlen + skip_blanks(p + vlen, n - vlen);
	switch (kind) {
	case POP3_CMD_USER:
		/*
		 * The name is one argument (RFC 1939 section 3); whatever a
		 * client adds after it could be a password, and is not kept.
		 */
		w = span_until(p + at, n - at, ' ');
		st->userlen = MIN(w, CRED_USER_MAX - 1);
		memcpy(st->user, p + at, st->userlen);
		pop3_push(st, s, kind, -1);
		break;
	case POP3_CMD_PASS:
		/* The password is on this line: the login is made. */
		cred = sasl_record(
		    s, ts, "USER", (const uint8_t *)st->user, st->userlen);
		pop3_push(st, s, kind, cred);
		break;
	case POP3_CMD_APOP:
		w = span_until(p + at, n - at, ' ');
		cred = sasl_record(s, ts, "APOP", p + at, w);
		pop3_push(st, s, kind, cred);
		break;
	case POP3_CMD_AUTH:
		pop3_auth(st, s, p + at, n - at, ts, trunc);
		break;
	case POP3_CMD_STLS:
		s->starttls_attempted = true;
		s->starttls_seen = *ts;
		st->starttls_pending = true;
		pop3_push(st, s, kind, -1);
		break;
	case POP3_CMD_MULTI:
		/* LIST and UIDL answer one line when given a message. */
		if (at < n &&
		    (ascii_word(p, n, "LIST") || ascii_word(p, n, "UIDL")))
			kind = POP3_CMD_OTHER;
		pop3_push(st, s, kind, -1);
		break;
	case POP3_CMD_NONE:
		pop3_push(st, s, POP3_CMD_OTHER, -1);
		break;
	default:
		pop3_push(st, s, kind, -1);
		break;
	}
}

/*
 * True when a client line answers a SASL challenge: after a "+", or, with
 * the server's lines missing, a line that is no POP3 verb while the
 * secret is yet to come.
 */
static bool
pop3_sasl_turn(const struct pop3 *st, const uint8_t *p, size_t n)
{
	if (!sasl_active(&st->sasl))
		return false;
	if (st->sasl_cont)
		return true;
	return (!st->server_seen || st->srv_gap) && !sasl_sent(&st->sasl) &&
	    pop3_verb_kind(p, n) == POP3_CMD_NONE;
}

/* One client line without its line end; trunc: cut by the buffer cap. */
static void
pop3_client_line(struct pop3 *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts, bool trunc)
{
	if (pop3_binary(p, n)) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		return;
	}
	if (st->tls_go && n > 0)
		s->cleartext_after_tls = true;

	/* The client speaks again: a response that lost its "." is over. */
	if (st->multi_gap) {
		st->multi_gap = false;
		st->sstate = POP3_S_LINE;
	}
	if (pop3_sasl_turn(st, p, n)) {
		st->sasl_cont = false;
		(void)sasl_client(&st->sasl, s, ts, trunc ? NULL : p, n);
		return;
	}
	if (n > 0)
		pop3_command(st, s, p, n, ts, trunc);
}

/* STLS answered: +OK goes ahead (RFC 2595 section 4), -ERR refuses. */
static void
pop3_stls_done(struct pop3 *st, struct session *s, bool ok)
{
	st->starttls_pending = false;
	if (!ok) {
		s->starttls_result = STARTTLS_RESULT_REFUSED;
		return;
	}
	s->starttls_accepted = true;
	s->starttls_result = STARTTLS_RESULT_NONE;
	s->switch_to = &tls_analyzer;
	st->tls_go = true;
	st->npipe = 0;
	st->sasl_cont = false;
}

/* True for a first client byte that cannot start a command line. */
static bool
pop3_tls_byte(uint8_t c)
{
	return c == 0x16 || (c < 0x20 && c != '\r' && c != '\n') || c >= 0x7f;
}

/*
 * After a loss the next line may be the tail of a broken one: it is
 * dropped unless it starts like a command or a status line.
 */
static bool
pop3_resync_drop(struct pop3 *st, enum dir d, const uint8_t *p, size_t n)
{
	st->resync[d] = false;
	if (d == DIR_TO_SERVER)
		return pop3_verb_kind(p, n) == POP3_CMD_NONE;
	return !(ascii_prefix(p, n, "+OK") || ascii_prefix(p, n, "-ERR") ||
	    (n > 0 && p[0] == '+'));
}

/* Skips the rest of an overlong line, up to and including its LF. */
static size_t
pop3_discard(struct pop3 *st, enum dir d, const uint8_t *p, size_t n)
{
	size_t lf = span_until(p, n, '\n');

	if (lf == n)
		return n;
	st->discard[d] = false;
	return lf + 1;
}

static size_t
pop3_client(struct pop3 *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	size_t lf;

	if (st->discard[DIR_TO_SERVER])
		return pop3_discard(st, DIR_TO_SERVER, p, n);

	/*
	 * A TLS handshake may overtake the +OK to STLS; with no +OK to wait
	 * for, it says the server went ahead.
	 */
	if (st->starttls_pending && pop3_tls_byte(p[0])) {
		if (p[0] == 0x16 && (!st->server_seen || st->srv_gap))
			pop3_stls_done(st, s, true);
		return 0;
	}

	lf = span_until(p, n, '\n');
	if (lf == n)
		return 0;
	if (st->resync[DIR_TO_SERVER] &&
	    pop3_resync_drop(st, DIR_TO_SERVER, p, trim_end(p, lf)))
		return lf + 1;
	pop3_client_line(st, s, p, trim_end(p, lf), ts, false);
	return lf + 1;
}

/*
 * Skips multi-line text in place, up to and including the "." line that
 * ends it (RFC 1939 section 3: a line starting with ".." is text).
 */
static size_t
pop3_body(struct pop3 *st, const uint8_t *p, size_t n)
{
	size_t i = 0, lf;

	while (i < n) {
		if (st->bol && p[i] == '.') {
			if (n - i < 2 || (p[i + 1] == '\r' && n - i < 3))
				return i;
			if (p[i + 1] == '\n' ||
			    (p[i + 1] == '\r' && p[i + 2] == '\n')) {
				st->sstate = POP3_S_LINE;
				st->multi_gap = false;
				return i + (p[i + 1] == '\n' ? 2 : 3);
			}
		}
		lf = span_until(p + i, n - i, '\n');
		if (lf == n - i) {
			st->bol = false;
			return n;
		}
		i += lf + 1;
		st->bol = true;
	}
	return i;
}

/* True for STLS masked by a middlebox ("XXXX" in its place). */
static bool
pop3_masked(const uint8_t *p, size_t n)
{
	return ascii_equal(p, n, "XXXX") || ascii_equal(p, n, "XXXXXXXX");
}

/* A CAPA line (RFC 2449 section 5), or the "." that ends the list. */
static void
pop3_capa_line(struct pop3 *st, struct session *s, const uint8_t *p, size_t n)
{
	size_t kw = span_until(p, n, ' '), i, w;

	if (n == 1 && p[0] == '.') {
		/* An offer, once made, stands. */
		if (!st->capa_stls && s->starttls_offered != 1)
			s->starttls_offered = 0;
		st->sstate = POP3_S_LINE;
		return;
	}
	if (ascii_equal(p, kw, "STLS")) {
		s->starttls_offered = 1;
		st->capa_stls = true;
	} else if (pop3_masked(p, kw)) {
		session_set_stripped(s, "POP3 capability XXXX");
	} else if (ascii_equal(p, kw, "SASL")) {
		for (i = kw; i < n; i += w) {
			i += skip_blanks(p + i, n - i);
			w = span_until(p + i, n - i, ' ');
			if (w > 0)
				session_add_auth_offered(s, p + i, w);
		}
	}
}

/* A line of the mechanism list a bare AUTH may get, or the final ".". */
static void
pop3_authlist_line(
    struct pop3 *st, struct session *s, const uint8_t *p, size_t n)
{
	if (n == 1 && p[0] == '.')
		st->sstate = POP3_S_LINE;
	else if (n > 0 && p[0] != '.')
		session_add_auth_offered(s, p, span_until(p, n, ' '));
}

/* A status line answers the oldest waiting command. */
static void
pop3_status(struct pop3 *st, struct session *s, bool ok)
{
	struct pop3_pending e = { POP3_CMD_NONE, -1 };
	enum outcome o = ok ? OUTCOME_ACCEPTED : OUTCOME_REJECTED;

	if (st->replied || st->npipe > 0)
		(void)pop3_pop(st, &e);
	else
		e.kind = POP3_CMD_GREETING;
	st->replied = true;

	switch ((enum pop3_cmd)e.kind) {
	case POP3_CMD_PASS:
	case POP3_CMD_APOP:
		sasl_outcome(s, e.cred, o);
		break;
	case POP3_CMD_AUTH:
		st->sasl_cont = false;
		sasl_finish(&st->sasl, s, o);
		break;
	case POP3_CMD_STLS:
		pop3_stls_done(st, s, ok);
		break;
	case POP3_CMD_CAPA:
		st->sstate = ok ? POP3_S_CAPA : POP3_S_LINE;
		st->capa_stls = false;
		break;
	case POP3_CMD_AUTH_LIST:
		st->sstate = ok ? POP3_S_AUTHLIST : POP3_S_LINE;
		break;
	case POP3_CMD_MULTI:
		st->sstate = ok ? POP3_S_BODY : POP3_S_LINE;
		st->bol = true;
		break;
	default:
		break;
	}
}

/* One status line: "+OK", "-ERR" or a "+" continuation (RFC 5034 4). */
static void
pop3_server_line(struct pop3 *st, struct session *s, const uint8_t *p, size_t n)
{
	if (pop3_binary(p, n)) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		return;
	}
	switch (st->sstate) {
	case POP3_S_CAPA:
		pop3_capa_line(st, s, p, n);
		return;
	case POP3_S_AUTHLIST:
		pop3_authlist_line(st, s, p, n);
		return;
	case POP3_S_LINE:
	case POP3_S_BODY:
		break;
	}
	if (ascii_prefix(p, n, "+OK"))
		pop3_status(st, s, true);
	else if (ascii_prefix(p, n, "-ERR"))
		pop3_status(st, s, false);
	else if (n > 0 && p[0] == '+' && sasl_active(&st->sasl))
		st->sasl_cont = true;
}

static size_t
pop3_server(struct pop3 *st, struct session *s, const uint8_t *p, size_t n)
{
	size_t lf;

	if (st->discard[DIR_TO_CLIENT])
		return pop3_discard(st, DIR_TO_CLIENT, p, n);
	if (st->sstate == POP3_S_BODY)
		return pop3_body(st, p, n);

	lf = span_until(p, n, '\n');
	if (lf == n)
		return 0;
	if (st->resync[DIR_TO_CLIENT] && st->sstate == POP3_S_LINE &&
	    pop3_resync_drop(st, DIR_TO_CLIENT, p, trim_end(p, lf)))
		return lf + 1;
	st->resync[DIR_TO_CLIENT] = false;
	st->srv_gap = false;
	pop3_server_line(st, s, p, trim_end(p, lf));
	return lf + 1;
}

/*
 * The buffer is full and nothing could be consumed: read the head of the
 * overlong line as the line and skip the rest, or drop what overtook a
 * STLS answer that never came.
 */
static size_t
pop3_full(struct pop3 *st, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts)
{
	if (d == DIR_TO_SERVER && st->starttls_pending && pop3_tls_byte(p[0])) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		return n;
	}
	s->anomalies |= SESSION_ANOM_LONG_LINE;
	if (d == DIR_TO_SERVER)
		pop3_client_line(st, s, p, n, ts, true);
	else if (st->sstate == POP3_S_LINE)
		pop3_server_line(st, s, p, n);
	st->discard[d] = true;
	return n;
}

static size_t
pop3_parse(void *state, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts, unsigned int flags)
{
	struct pop3 *st = state;
	size_t off = 0, used;

	if (d == DIR_TO_CLIENT && n > 0)
		st->server_seen = true;

	/* Pipelining (RFC 2449 section 6.6): take every complete line. */
	while (off < n && s->switch_to == NULL) {
		if (d == DIR_TO_SERVER)
			used = pop3_client(st, s, p + off, n - off, ts);
		else
			used = pop3_server(st, s, p + off, n - off);
		if (used == 0)
			break;
		off += used;
	}
	if (off == 0 && n > 0 && (flags & PARSE_FULL) && s->switch_to == NULL)
		off = pop3_full(st, s, d, p, n, ts);
	return off;
}

/*
 * Bytes were lost.  A multi-line response may have lost its ".": the
 * client's next command says it is over.  Lost status lines leave the ring
 * out of step, so it is emptied; the next line is checked before it is
 * believed.
 */
static void
pop3_gap(void *state, struct session *s, enum dir d, uint64_t len)
{
	struct pop3 *st = state;

	(void)s;
	(void)len;
	st->discard[d] = false;
	if (d == DIR_TO_SERVER) {
		st->resync[d] = true;
		return;
	}
	if (st->sstate != POP3_S_LINE) {
		st->multi_gap = true;
		st->bol = false;
		return;
	}
	st->resync[d] = true;
	st->srv_gap = true;
	st->npipe = 0;
	st->sasl_cont = false;
}

static void
pop3_end(void *state, struct session *s)
{
	struct pop3 *st = state;

	(void)s;
	sasl_reset(&st->sasl);
}

static void *
pop3_create(struct session *s)
{
	struct pop3 *st;

	(void)s;
	st = mem_calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	sasl_reset(&st->sasl);
	st->bol = true;
	return st;
}

static void
pop3_destroy(void *state)
{
	struct pop3 *st = state;

	if (st == NULL)
		return;
	explicit_bzero(st, sizeof(*st));
	mem_free(st);
}

const struct analyzer pop3_analyzer = {
	.name = "pop3",
	.bufmax = POP3_BUFMAX,
	.create = pop3_create,
	.parse = pop3_parse,
	.gap = pop3_gap,
	.end = pop3_end,
	.destroy = pop3_destroy,
};
