/*
 * imap.c - IMAP analyzer: capabilities, STARTTLS, LOGIN and AUTHENTICATE.
 *
 * Follows RFC 9051 and RFC 3501 (tagged commands and responses section 2.2,
 * literals 4.3, STARTTLS 6.2.1, AUTHENTICATE 6.2.2, LOGIN 6.2.3, CAPABILITY
 * 7.2.2 and the CAPABILITY response code 7.1), RFC 7888 (non-synchronising
 * literals "{n+}"), RFC 4959 (SASL-IR) and RFC 2971 (ID).
 *
 * Commands wait in a small table until the tagged response with their tag
 * completes them, in any order.  A line ending in a literal announcement
 * "{n}" is followed by n bytes of data and then the rest of the same line;
 * those bytes are skipped where they lie, counted down in 64 bits, so a
 * message body in a FETCH response or an APPEND is never read as protocol.
 * Only a LOGIN user name given as a literal is copied, up to the size of a
 * credential's user name.
 */
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/sasl.h"
#include "mem.h"
#include "util.h"

#define IMAP_BUFMAX 16384
#define IMAP_PIPE_MAX 32    /* commands awaiting completion */
#define IMAP_TAG_MAX 32     /* tag bytes compared; longer tags are cut */
#define IMAP_TAIL 24        /* end of a skipped line kept for "{n}" */
#define IMAP_SIZE_DIGITS 19 /* literal sizes below 10^19 fit in 64 bits */
#define IMAP_ID_MAX 64      /* ID name or version kept */

enum imap_cmd {
	IMAP_CMD_OTHER,
	IMAP_CMD_STARTTLS,
	IMAP_CMD_LOGIN,
	IMAP_CMD_AUTHENTICATE,
	IMAP_CMD_ID,
};

/* What the client's next bytes are. */
enum imap_cstate {
	IMAP_C_LINE,    /* a new command, or a SASL answer after "+" */
	IMAP_C_CONT,    /* the rest of a command after a literal */
	IMAP_C_LITWAIT, /* a synchronising literal waits for the "+" */
	IMAP_C_LITERAL, /* literal data */
};

/* What the server's next bytes are. */
enum imap_sstate {
	IMAP_S_LINE,    /* a new response */
	IMAP_S_CONT,    /* the rest of a response after a literal */
	IMAP_S_LITERAL, /* literal data */
};

struct imap_pending {
	char tag[IMAP_TAG_MAX];
	uint8_t taglen;
	uint8_t kind; /* enum imap_cmd */
	int16_t cred; /* LOGIN credential recorded, or -1 */
};

struct imap {
	struct imap_pending pend[IMAP_PIPE_MAX]; /* oldest first */
	unsigned int npend;

	/* The command being read, which literals may split. */
	enum imap_cstate cstate;
	enum imap_cmd ckind;
	char ctag[IMAP_TAG_MAX];
	uint8_t ctaglen;
	uint8_t carg;             /* LOGIN arguments complete so far */
	bool lit_user;            /* the literal is LOGIN's user name */
	bool lit_pass;            /* the literal is LOGIN's password */
	uint64_t lit_left;        /* client literal bytes still to come */
	char user[CRED_USER_MAX]; /* LOGIN user name (not secret) */
	size_t userlen;

	enum imap_sstate sstate;
	uint64_t slit_left; /* server literal bytes still to come */

	/* Overlong lines are skipped, keeping their end for a literal. */
	bool discard[2];
	uint8_t tail[2][IMAP_TAIL];
	size_t taillen[2];
	bool resync[2]; /* bytes were lost before the next line */

	bool server_seen;
	bool srv_gap;          /* responses were lost */
	bool starttls_pending; /* STARTTLS sent, not completed */
	bool tls_go;           /* the server agreed to start TLS */
	bool sasl_cont;        /* a "+" awaits the client's SASL answer */
	struct sasl sasl;
};

struct imap_verb {
	const char *name;
	enum imap_cmd kind;
};

static const struct imap_verb imap_verbs[] = {
	{ "STARTTLS", IMAP_CMD_STARTTLS },
	{ "LOGIN", IMAP_CMD_LOGIN },
	{ "AUTHENTICATE", IMAP_CMD_AUTHENTICATE },
	{ "ID", IMAP_CMD_ID },
};

static enum imap_cmd
imap_verb_kind(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(imap_verbs); i++) {
		if (ascii_equal(p, n, imap_verbs[i].name))
			return imap_verbs[i].kind;
	}
	return IMAP_CMD_OTHER;
}

/* True for bytes that never occur in a command or response line. */
static bool
imap_ctl(uint8_t c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static bool
imap_binary(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (imap_ctl(p[i]))
			return true;
	}
	return false;
}

/* Length of the word at p, up to a space. */
static size_t
imap_word(const uint8_t *p, size_t n)
{
	return span_until(p, n, ' ');
}

/* True for a tag: atom characters but "+" (RFC 9051 section 9, tag). */
static bool
imap_tag_ok(const uint8_t *p, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (p[i] <= ' ' || p[i] >= 0x7f || p[i] == '(' || p[i] == ')' ||
		    p[i] == '{' || p[i] == '%' || p[i] == '*' || p[i] == '"' ||
		    p[i] == '\\' || p[i] == '+')
			return false;
	}
	return true;
}

/*
 * Reads a literal announcement ending line p[0..n): "{size}" or "{size+}"
 * (RFC 9051 section 4.3, RFC 7888 section 3), possibly after "~" for
 * literal8.  Sets *size and *sync; false when the line has none.
 */
static bool
imap_literal(const uint8_t *p, size_t n, uint64_t *size, bool *sync)
{
	size_t end, i;

	if (n < 3 || p[n - 1] != '}')
		return false;
	end = n - 1;
	*sync = p[end - 1] != '+';
	if (!*sync)
		end--;
	for (i = end; i > 0 && p[i - 1] >= '0' && p[i - 1] <= '9'; i--)
		;
	if (i == 0 || i == end || p[i - 1] != '{' || end - i > IMAP_SIZE_DIGITS)
		return false;
	*size = 0;
	for (; i < end; i++)
		*size = *size * 10 + (uint64_t)(p[i] - '0');
	return true;
}

/* True when p[0..n) is nothing but a literal announcement. */
static bool
imap_literal_only(const uint8_t *p, size_t n)
{
	uint64_t size;
	bool sync;

	return n > 0 && p[0] == '{' && span_until(p, n, '}') == n - 1 &&
	    imap_literal(p, n, &size, &sync);
}

/*
 * Skips a quoted string starting at p[0] == '"', undoing "\" escapes into
 * out (capacity CRED_USER_MAX) unless out is NULL.  Returns the offset
 * after the closing quote, or n when there is none.
 */
static size_t
imap_quoted(const uint8_t *p, size_t n, char *out, size_t *olen)
{
	size_t i;

	for (i = 1; i < n && p[i] != '"'; i++) {
		if (p[i] == '\\' && i + 1 < n)
			i++;
		if (out != NULL && *olen + 1 < CRED_USER_MAX) {
			out[(*olen)++] = (char)p[i];
			out[*olen] = '\0';
		}
	}
	return i < n ? i + 1 : n;
}

static struct imap_pending *
imap_find(struct imap *st, const uint8_t *tag, size_t n)
{
	unsigned int i;

	n = MIN(n, IMAP_TAG_MAX);
	for (i = 0; i < st->npend; i++) {
		if (st->pend[i].taglen == n &&
		    memcmp(st->pend[i].tag, tag, n) == 0)
			return &st->pend[i];
	}
	return NULL;
}

static void
imap_remove(struct imap *st, struct imap_pending *e)
{
	size_t at = (size_t)(e - st->pend);

	memmove(e, e + 1, (st->npend - at - 1) * sizeof(*e));
	st->npend--;
}

/* Starts reading a command: remembers its tag and awaits completion. */
static void
imap_begin(struct imap *st, struct session *s, const uint8_t *tag, size_t n,
    enum imap_cmd kind)
{
	struct imap_pending *e;

	n = MIN(n, IMAP_TAG_MAX);
	memcpy(st->ctag, tag, n);
	st->ctaglen = (uint8_t)n;
	st->ckind = kind;
	st->carg = 0;
	st->lit_user = st->lit_pass = false;
	st->userlen = 0;
	st->user[0] = '\0';
	if (st->npend == IMAP_PIPE_MAX) {
		s->anomalies |= SESSION_ANOM_PIPELINE_OVERFLOW;
		return;
	}
	e = &st->pend[st->npend++];
	memcpy(e->tag, tag, n);
	e->taglen = (uint8_t)n;
	e->kind = (uint8_t)kind;
	e->cred = -1;
}

/* LOGIN's password went by: the login is recorded (RFC 9051 6.2.3). */
static void
imap_login_sent(struct imap *st, struct session *s, const struct timeval *ts)
{
	struct imap_pending *e;
	int cred;

	cred =
	    sasl_record(s, ts, "LOGIN", (const uint8_t *)st->user, st->userlen);
	e = imap_find(st, (const uint8_t *)st->ctag, st->ctaglen);
	if (e != NULL)
		e->cred = (int16_t)cred;
}

/*
 * Reads LOGIN's arguments, user name then password, each an atom, a
 * quoted string or a literal (RFC 9051 section 6.2.3), from a piece of the
 * command between literals.  A literal announced at the end of the piece
 * is flagged for imap_lit_done().
 */
static void
imap_login_args(struct imap *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts, bool trunc)
{
	size_t i = 0, w;

	while (st->carg < 2) {
		i += skip_blanks(p + i, n - i);
		if (i >= n)
			return;
		if (!trunc && imap_literal_only(p + i, n - i)) {
			st->lit_user = st->carg == 0;
			st->lit_pass = st->carg == 1;
			return;
		}

		/* Only the user name is copied; the password is stepped over.
		 */
		if (p[i] == '"') {
			w = imap_quoted(p + i, n - i,
			    st->carg == 0 ? st->user : NULL, &st->userlen);
		} else {
			w = imap_word(p + i, n - i);
			if (st->carg == 0) {
				st->userlen = MIN(w, CRED_USER_MAX - 1);
				memcpy(st->user, p + i, st->userlen);
			}
		}
		i += w;
		st->carg++;
		if (st->carg == 2)
			imap_login_sent(st, s, ts);
	}
}

/* Reads one string of an ID list into out; returns the offset after it. */
static size_t
imap_id_string(const uint8_t *p, size_t n, char *out, size_t *olen)
{
	char buf[CRED_USER_MAX] = "";
	size_t w, len = 0;

	if (n > 0 && p[0] == '"') {
		w = imap_quoted(p, n, buf, &len);
	} else {
		w = span_until(p, n, ' ');
		w = MIN(w, span_until(p, n, ')'));
	}
	*olen = MIN(len, IMAP_ID_MAX - 1);
	memcpy(out, buf, *olen);
	out[*olen] = '\0';
	return w;
}

/*
 * ID ("name" "x" "version" "y" ...) (RFC 2971 section 3.1): the client
 * names itself "x y".
 * XXX: values sent as literals are not read, nor is what follows them.
 */
static void
imap_id(struct session *s, const uint8_t *p, size_t n)
{
	char key[IMAP_ID_MAX], val[IMAP_ID_MAX];
	char name[IMAP_ID_MAX] = "", version[IMAP_ID_MAX] = "";
	char both[2 * IMAP_ID_MAX];
	size_t i, klen, vlen, nlen = 0, verlen = 0;

	i = skip_blanks(p, n);
	if (i >= n || p[i] != '(')
		return;
	for (i++; i < n && p[i] != ')' && p[i] != '{';) {
		i += skip_blanks(p + i, n - i);
		i += imap_id_string(p + i, n - i, key, &klen);
		i += skip_blanks(p + i, n - i);
		if (i >= n || p[i] == '{' || p[i] == ')')
			break;
		i += imap_id_string(p + i, n - i, val, &vlen);
		if (ascii_equal((const uint8_t *)key, klen, "name")) {
			memcpy(name, val, vlen + 1);
			nlen = vlen;
		} else if (ascii_equal((const uint8_t *)key, klen, "version")) {
			memcpy(version, val, vlen + 1);
			verlen = vlen;
		}
	}
	if (nlen == 0)
		return;
	memcpy(both, name, nlen);
	if (verlen > 0) {
		both[nlen] = ' ';
		memcpy(both + nlen + 1, version, verlen);
		nlen += verlen + 1;
	}
	session_set_client_name(s, (const uint8_t *)both, nlen);
}

/* AUTHENTICATE mechanism [initial-response] (RFC 9051 6.2.2, RFC 4959). */
static void
imap_authenticate(struct imap *st, struct session *s, const uint8_t *p,
    size_t n, const struct timeval *ts, bool trunc)
{
	size_t mlen, ir;

	mlen = imap_word(p, n);
	if (mlen == 0)
		return;
	sasl_start(&st->sasl, p, mlen);
	st->sasl_cont = false;
	ir = mlen + skip_blanks(p + mlen, n - mlen);
	if (ir < n)
		(void)sasl_client(
		    &st->sasl, s, ts, trunc ? NULL : p + ir, n - ir);
}

/* Enters literal data announced by the client, or waits for the "+". */
static void
imap_client_literal(struct imap *st, uint64_t size, bool sync)
{
	st->lit_left = size;
	if (sync && st->server_seen && !st->srv_gap)
		st->cstate = IMAP_C_LITWAIT;
	else
		st->cstate = IMAP_C_LITERAL;
}

/* The client's literal is over: the command goes on after it. */
static void
imap_lit_done(struct imap *st, struct session *s, const struct timeval *ts)
{
	st->cstate = IMAP_C_CONT;
	if (st->lit_user)
		st->carg = 1;
	if (st->lit_pass) {
		st->carg = 2;
		imap_login_sent(st, s, ts);
	}
	st->lit_user = st->lit_pass = false;
}

/*
 * The end of a piece of a command: a literal announcement continues it,
 * anything else completes it.
 */
static void
imap_piece_end(struct imap *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts, bool trunc)
{
	uint64_t size;
	bool sync;

	if (!trunc && imap_literal(p, n, &size, &sync)) {
		imap_client_literal(st, size, sync);
		if (st->cstate == IMAP_C_LITERAL && size == 0)
			imap_lit_done(st, s, ts);
		return;
	}
	st->cstate = IMAP_C_LINE;
}

/* The first line of a command: tag, name, arguments. */
static void
imap_command(struct imap *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts, bool trunc)
{
	size_t tlen, at, vlen;
	enum imap_cmd kind;

	tlen = imap_word(p, n);
	if (!imap_tag_ok(p, tlen) || tlen >= n)
		return;
	at = tlen + 1;
	vlen = imap_word(p + at, n - at);
	kind = imap_verb_kind(p + at, vlen);
	imap_begin(st, s, p, tlen, kind);
	at += vlen;
	at += skip_blanks(p + at, n - at);

	switch (kind) {
	case IMAP_CMD_STARTTLS:
		s->starttls_attempted = true;
		s->starttls_seen = *ts;
		st->starttls_pending = true;
		break;
	case IMAP_CMD_LOGIN:
		imap_login_args(st, s, p + at, n - at, ts, trunc);
		break;
	case IMAP_CMD_AUTHENTICATE:
		imap_authenticate(st, s, p + at, n - at, ts, trunc);
		break;
	case IMAP_CMD_ID:
		imap_id(s, p + at, n - at);
		break;
	case IMAP_CMD_OTHER:
		break;
	}
	imap_piece_end(st, s, p, n, ts, trunc);
}

/*
 * True when a client line answers a SASL challenge: after a "+", or a
 * line with no space (base64 or "*") while the secret is yet to come.
 */
static bool
imap_sasl_turn(const struct imap *st, const uint8_t *p, size_t n)
{
	if (!sasl_active(&st->sasl))
		return false;
	return st->sasl_cont ||
	    (!sasl_sent(&st->sasl) && span_until(p, n, ' ') == n);
}

/* One client line without its line end; trunc: cut by the buffer cap. */
static void
imap_client_line(struct imap *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts, bool trunc)
{
	if (imap_binary(p, n)) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		st->cstate = IMAP_C_LINE;
		return;
	}
	if (st->tls_go && n > 0)
		s->cleartext_after_tls = true;

	if (st->cstate == IMAP_C_CONT) {
		if (st->ckind == IMAP_CMD_LOGIN)
			imap_login_args(st, s, p, n, ts, trunc);
		imap_piece_end(st, s, p, n, ts, trunc);
		return;
	}
	if (imap_sasl_turn(st, p, n)) {
		st->sasl_cont = false;
		(void)sasl_client(&st->sasl, s, ts, trunc ? NULL : p, n);
		return;
	}
	imap_command(st, s, p, n, ts, trunc);
}

/* Literal data from the client; a LOGIN user name is kept. */
static size_t
imap_client_data(struct imap *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	size_t take = n, i;

	if ((uint64_t)take > st->lit_left)
		take = (size_t)st->lit_left;
	for (i = 0; st->lit_user && i < take; i++) {
		if (st->userlen + 1 < CRED_USER_MAX)
			st->user[st->userlen++] = (char)p[i];
	}
	st->lit_left -= take;
	if (st->lit_left == 0)
		imap_lit_done(st, s, ts);
	return take;
}

/*
 * Skips the rest of an overlong line.  Its last bytes are kept: a literal
 * announced at its end must still be honoured.
 */
static size_t
imap_discard(struct imap *st, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts)
{
	size_t lf = span_until(p, n, '\n'), keep, len;
	uint8_t *t = st->tail[d];
	uint64_t size;
	bool sync;

	keep = MIN(lf, IMAP_TAIL);
	if (st->taillen[d] + keep > IMAP_TAIL) {
		len = st->taillen[d] + keep - IMAP_TAIL;
		memmove(t, t + len, st->taillen[d] - len);
		st->taillen[d] -= len;
	}
	memcpy(t + st->taillen[d], p + lf - keep, keep);
	st->taillen[d] += keep;
	if (lf == n)
		return n;

	st->discard[d] = false;
	len = trim_end(t, st->taillen[d]);
	if (!imap_literal(t, len, &size, &sync)) {
		if (d == DIR_TO_SERVER)
			st->cstate = IMAP_C_LINE;
		else
			st->sstate = IMAP_S_LINE;
	} else if (d == DIR_TO_SERVER) {
		st->lit_user = st->lit_pass = false;
		imap_client_literal(st, size, sync);
		if (st->cstate == IMAP_C_LITERAL && size == 0)
			imap_lit_done(st, s, ts);
	} else {
		st->slit_left = size;
		st->sstate = size > 0 ? IMAP_S_LITERAL : IMAP_S_CONT;
	}
	return lf + 1;
}

/*
 * True when a line may start a command (client) or a response (server)
 * after lost bytes; anything else is the tail of a broken line.
 */
static bool
imap_line_start(enum dir d, const uint8_t *p, size_t n)
{
	size_t tlen = imap_word(p, n), w;

	if (d == DIR_TO_CLIENT && n > 0 && (p[0] == '*' || p[0] == '+'))
		return true;
	if (!imap_tag_ok(p, tlen) || tlen >= n)
		return false;
	w = imap_word(p + tlen + 1, n - tlen - 1);
	if (d == DIR_TO_SERVER)
		return w > 0;
	return ascii_equal(p + tlen + 1, w, "OK") ||
	    ascii_equal(p + tlen + 1, w, "NO") ||
	    ascii_equal(p + tlen + 1, w, "BAD");
}

/* The STARTTLS command completed: OK goes ahead (RFC 9051 6.2.1). */
static void
imap_starttls_done(struct imap *st, struct session *s, bool ok)
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
	st->npend = 0;
	st->sasl_cont = false;
}

/* True for a first client byte that cannot start a command line. */
static bool
imap_tls_byte(uint8_t c)
{
	return c == 0x16 || (c < 0x20 && c != '\r' && c != '\n') || c >= 0x7f;
}

static size_t
imap_client(struct imap *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	size_t lf;

	if (st->discard[DIR_TO_SERVER])
		return imap_discard(st, s, DIR_TO_SERVER, p, n, ts);
	switch (st->cstate) {
	case IMAP_C_LITERAL:
		return imap_client_data(st, s, p, n, ts);
	case IMAP_C_LITWAIT:
		return 0;
	case IMAP_C_LINE:
	case IMAP_C_CONT:
		break;
	}

	/*
	 * A TLS handshake may overtake the OK to STARTTLS; with no OK to
	 * wait for, it says the server went ahead.
	 */
	if (st->starttls_pending && st->cstate == IMAP_C_LINE &&
	    imap_tls_byte(p[0])) {
		if (p[0] == 0x16 && (!st->server_seen || st->srv_gap))
			imap_starttls_done(st, s, true);
		return 0;
	}

	lf = span_until(p, n, '\n');
	if (lf == n)
		return 0;
	if (st->resync[DIR_TO_SERVER]) {
		st->resync[DIR_TO_SERVER] = false;
		st->cstate = IMAP_C_LINE;
		if (!imap_line_start(DIR_TO_SERVER, p, trim_end(p, lf)))
			return lf + 1;
	}
	imap_client_line(st, s, p, trim_end(p, lf), ts, false);
	return lf + 1;
}

/* Reads a capability list up to its end or a "]" (RFC 9051 7.2.2). */
static void
imap_caps(struct session *s, const uint8_t *p, size_t n)
{
	bool starttls = false;
	size_t i = 0, w;

	n = span_until(p, n, ']');
	while (i < n) {
		i += skip_blanks(p + i, n - i);
		w = imap_word(p + i, n - i);
		if (ascii_equal(p + i, w, "STARTTLS"))
			starttls = true;
		else if (ascii_equal(p + i, w, "LOGINDISABLED"))
			s->login_disabled = true;
		else if (w > 5 && ascii_prefix(p + i, w, "AUTH="))
			session_add_auth_offered(s, p + i + 5, w - 5);
		else if (ascii_equal(p + i, w, "XXXXXXXX"))
			session_set_stripped(s, "IMAP capability XXXXXXXX");
		i += w;
	}

	/* An offer, once made, stands: lists after login leave it out. */
	if (starttls)
		s->starttls_offered = 1;
	else if (s->starttls_offered != 1)
		s->starttls_offered = 0;
}

/* A status response's text: a [CAPABILITY ...] code lists capabilities. */
static void
imap_resp_code(struct session *s, const uint8_t *p, size_t n)
{
	if (n > 12 && p[0] == '[' && ascii_prefix(p + 1, n - 1, "CAPABILITY "))
		imap_caps(s, p + 12, n - 12);
}

/* A tagged OK, NO or BAD completes the command with that tag. */
static void
imap_tagged(struct imap *st, struct session *s, const uint8_t *tag, size_t tlen,
    bool ok)
{
	struct imap_pending *e = imap_find(st, tag, tlen);
	enum outcome o = ok ? OUTCOME_ACCEPTED : OUTCOME_REJECTED;
	enum imap_cmd kind;
	int cred;

	if (e == NULL)
		return;

	/* A refused synchronising literal is never sent. */
	if (st->cstate == IMAP_C_LITWAIT && st->ctaglen == e->taglen &&
	    memcmp(st->ctag, e->tag, e->taglen) == 0)
		st->cstate = IMAP_C_LINE;
	kind = (enum imap_cmd)e->kind;
	cred = e->cred;
	imap_remove(st, e);

	switch (kind) {
	case IMAP_CMD_STARTTLS:
		imap_starttls_done(st, s, ok);
		break;
	case IMAP_CMD_LOGIN:
		sasl_outcome(s, cred, o);
		break;
	case IMAP_CMD_AUTHENTICATE:
		st->sasl_cont = false;
		sasl_finish(&st->sasl, s, o);
		break;
	case IMAP_CMD_ID:
	case IMAP_CMD_OTHER:
		break;
	}
}

/* A "+" continuation request: for AUTHENTICATE, or for a literal. */
static void
imap_continue(struct imap *st, struct session *s, const struct timeval *ts)
{
	if (st->cstate == IMAP_C_LITWAIT) {
		st->cstate = IMAP_C_LITERAL;
		if (st->lit_left == 0)
			imap_lit_done(st, s, ts);
	} else if (sasl_active(&st->sasl)) {
		st->sasl_cont = true;
	}
}

/* One response line, untagged "*", continuation "+" or tagged. */
static void
imap_response(struct imap *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	size_t tlen, at, w, rest;
	bool ok;

	if (p[0] == '+') {
		imap_continue(st, s, ts);
		return;
	}
	tlen = imap_word(p, n);
	if (tlen >= n)
		return;
	at = tlen + 1;
	w = imap_word(p + at, n - at);
	ok = ascii_equal(p + at, w, "OK");
	rest = at + w + skip_blanks(p + at + w, n - at - w);

	if (tlen == 1 && p[0] == '*') {
		if (ascii_equal(p + at, w, "CAPABILITY"))
			imap_caps(s, p + rest, n - rest);
		else if (ok || ascii_equal(p + at, w, "PREAUTH"))
			imap_resp_code(s, p + rest, n - rest);
		return;
	}
	if (!ok && !ascii_equal(p + at, w, "NO") &&
	    !ascii_equal(p + at, w, "BAD"))
		return;
	if (ok)
		imap_resp_code(s, p + rest, n - rest);
	imap_tagged(st, s, p, tlen, ok);
}

/* One server line: a response, or the rest of one after a literal. */
static void
imap_server_line(struct imap *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts, bool trunc)
{
	uint64_t size;
	bool sync, first = st->sstate == IMAP_S_LINE;

	if (imap_binary(p, n)) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		st->sstate = IMAP_S_LINE;
		return;
	}
	if (first && n > 0)
		imap_response(st, s, p, n, ts);

	/* Any response but a continuation request may carry literals. */
	st->sstate = IMAP_S_LINE;
	if (!trunc && !(first && n > 0 && p[0] == '+') &&
	    imap_literal(p, n, &size, &sync)) {
		st->slit_left = size;
		st->sstate = size > 0 ? IMAP_S_LITERAL : IMAP_S_CONT;
	}
}

static size_t
imap_server(struct imap *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	size_t lf, take;

	if (st->discard[DIR_TO_CLIENT])
		return imap_discard(st, s, DIR_TO_CLIENT, p, n, ts);
	if (st->sstate == IMAP_S_LITERAL) {
		take = n;
		if ((uint64_t)take > st->slit_left)
			take = (size_t)st->slit_left;
		st->slit_left -= take;
		if (st->slit_left == 0)
			st->sstate = IMAP_S_CONT;
		return take;
	}

	lf = span_until(p, n, '\n');
	if (lf == n)
		return 0;
	if (st->resync[DIR_TO_CLIENT]) {
		st->resync[DIR_TO_CLIENT] = false;
		st->sstate = IMAP_S_LINE;
		if (!imap_line_start(DIR_TO_CLIENT, p, trim_end(p, lf)))
			return lf + 1;
	}
	st->srv_gap = false;
	imap_server_line(st, s, p, trim_end(p, lf), ts, false);
	return lf + 1;
}

/*
 * The buffer is full and nothing could be consumed: read the head of the
 * overlong line as the line and skip the rest, or stop waiting for a "+"
 * or a STARTTLS verdict that did not come.
 */
static size_t
imap_full(struct imap *st, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts)
{
	if (d == DIR_TO_SERVER && st->cstate == IMAP_C_LITWAIT) {
		st->cstate = IMAP_C_LITERAL;
		return imap_client_data(st, s, p, n, ts);
	}
	if (d == DIR_TO_SERVER && st->starttls_pending && imap_tls_byte(p[0])) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		return n;
	}
	s->anomalies |= SESSION_ANOM_LONG_LINE;
	if (d == DIR_TO_SERVER)
		imap_client_line(st, s, p, n, ts, true);
	else
		imap_server_line(st, s, p, n, ts, true);

	/* The line's end, with any literal, comes in later bytes. */
	st->discard[d] = true;
	st->taillen[d] = MIN(n, IMAP_TAIL);
	memcpy(st->tail[d], p + n - st->taillen[d], st->taillen[d]);
	return n;
}

static size_t
imap_parse(void *state, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts, unsigned int flags)
{
	struct imap *st = state;
	size_t off = 0, used;

	if (d == DIR_TO_CLIENT && n > 0)
		st->server_seen = true;
	while (off < n && s->switch_to == NULL) {
		if (d == DIR_TO_SERVER)
			used = imap_client(st, s, p + off, n - off, ts);
		else
			used = imap_server(st, s, p + off, n - off, ts);
		if (used == 0)
			break;
		off += used;
	}
	if (off == 0 && n > 0 && (flags & PARSE_FULL) && s->switch_to == NULL)
		off = imap_full(st, s, d, p, n, ts);
	return off;
}

/* Lost literal data shortens the literal; anything else forces a resync. */
static void
imap_lose(uint64_t *left, uint64_t len, bool *resync)
{
	if (len < *left) {
		*left -= len;
		return;
	}
	*resync = len > *left;
	*left = 0;
}

static void
imap_gap(void *state, struct session *s, enum dir d, uint64_t len)
{
	struct imap *st = state;

	(void)s;
	st->discard[d] = false;
	if (d == DIR_TO_SERVER) {
		if (st->cstate == IMAP_C_LITERAL) {
			imap_lose(&st->lit_left, len, &st->resync[d]);
			if (st->lit_left == 0)
				st->cstate =
				    st->resync[d] ? IMAP_C_LINE : IMAP_C_CONT;
		} else {
			st->resync[d] = true;
		}
		return;
	}

	/* A lost "+" must not hold the client's literal back. */
	st->srv_gap = true;
	if (st->cstate == IMAP_C_LITWAIT)
		st->cstate = IMAP_C_LITERAL;
	if (st->sstate == IMAP_S_LITERAL) {
		imap_lose(&st->slit_left, len, &st->resync[d]);
		if (st->slit_left == 0)
			st->sstate = st->resync[d] ? IMAP_S_LINE : IMAP_S_CONT;
	} else {
		st->resync[d] = true;
	}
}

static void
imap_end(void *state, struct session *s)
{
	struct imap *st = state;

	(void)s;
	sasl_reset(&st->sasl);
}

static void *
imap_create(struct session *s)
{
	struct imap *st;

	(void)s;
	st = mem_calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	sasl_reset(&st->sasl);
	return st;
}

static void
imap_destroy(void *state)
{
	struct imap *st = state;

	if (st == NULL)
		return;
	explicit_bzero(st, sizeof(*st));
	mem_free(st);
}

const struct analyzer imap_analyzer = {
	.name = "imap",
	.bufmax = IMAP_BUFMAX,
	.create = imap_create,
	.parse = imap_parse,
	.gap = imap_gap,
	.end = imap_end,
	.destroy = imap_destroy,
};
