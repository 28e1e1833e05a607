/*
 * ftp.c - FTP control connection analyzer: USER/PASS logins, FEAT and
 * AUTH TLS.
 *
 * Follows RFC 959 (commands section 4.1, replies and multi-line replies
 * section 4.2, the login sequence section 5.4), RFC 2389 (FEAT section 3),
 * RFC 2228 (AUTH section 3) and RFC 4217 (AUTH TLS section 4, its place in
 * the FEAT reply section 6).  AUTH TLS is FTP's STARTTLS and is recorded in
 * the same session fields as mail's.
 *
 * Client commands wait in a small ring until their final reply arrives;
 * a 1yz reply is preliminary and leaves the command waiting (RFC 959
 * section 4.2).  A multi-line reply runs from "xyz-" to the first line
 * that starts with the same code and a space; the lines in between are
 * text, whatever they start with.  Only the secret of a PASS line is ever
 * near this code, and it is never copied: a login is recorded, with the
 * USER name, when PASS goes by.
 */
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/sasl.h"
#include "mem.h"
#include "util.h"

#define FTP_BUFMAX 8192
#define FTP_PIPE_MAX 32 /* commands awaiting a reply */
#define FTP_IAC 0xff    /* Telnet "interpret as command" (RFC 854) */

/* What a reply answers. */
enum ftp_cmd {
	FTP_CMD_NONE, /* nothing: an unsolicited reply */
	FTP_CMD_GREETING,
	FTP_CMD_USER,
	FTP_CMD_PASS,
	FTP_CMD_ACCT,
	FTP_CMD_AUTH_TLS, /* AUTH TLS, AUTH SSL and their variants */
	FTP_CMD_FEAT,
	FTP_CMD_CLNT, /* CLNT or CSID: the client names itself */
	FTP_CMD_AUTH, /* AUTH with another mechanism (RFC 2228) */
	FTP_CMD_OTHER,
};

struct ftp_pending {
	uint8_t kind; /* enum ftp_cmd */
	bool ssl;     /* AUTH SSL, which some servers answer with 334 */
	int16_t cred; /* the login a PASS or ACCT reply settles, or -1 */
};

struct ftp {
	struct ftp_pending pipe[FTP_PIPE_MAX]; /* oldest at head */
	unsigned int head;
	unsigned int npipe;

	bool discard[2]; /* skipping the rest of an overlong line */
	bool resync[2];  /* bytes were lost before the next line */

	bool server_seen; /* any byte from the server yet */
	bool greeted;     /* the greeting (or a first reply) was read */
	bool srv_gap;     /* replies were lost since the last one read */

	bool in_reply;             /* inside a multi-line reply */
	uint16_t code;             /* its code */
	struct ftp_pending target; /* the command it answers */
	bool feat_auth;            /* this FEAT reply listed AUTH TLS or SSL */

	bool starttls_pending; /* AUTH TLS sent, reply not yet read */
	bool tls_go;           /* the server agreed to start TLS */
	int acct_cred;         /* login a 332 left waiting for ACCT, or -1 */

	char user[CRED_USER_MAX]; /* USER argument, for PASS (not secret) */
	size_t userlen;
};

struct ftp_verb {
	const char *name;
	enum ftp_cmd kind;
};

/*
 * Commands of RFC 959 section 4.1 and later extensions (RFC 2228, 2389,
 * 2428, 2640, 3659, 4217, 7151, and the X* forms of RFC 1123): only they
 * are believed after a loss.
 */
static const struct ftp_verb ftp_verbs[] = {
	{ "USER", FTP_CMD_USER },
	{ "PASS", FTP_CMD_PASS },
	{ "ACCT", FTP_CMD_ACCT },
	{ "AUTH", FTP_CMD_AUTH },
	{ "FEAT", FTP_CMD_FEAT },
	{ "CLNT", FTP_CMD_CLNT },
	{ "CSID", FTP_CMD_CLNT },
	{ "CWD", FTP_CMD_OTHER },
	{ "CDUP", FTP_CMD_OTHER },
	{ "SMNT", FTP_CMD_OTHER },
	{ "QUIT", FTP_CMD_OTHER },
	{ "REIN", FTP_CMD_OTHER },
	{ "PORT", FTP_CMD_OTHER },
	{ "PASV", FTP_CMD_OTHER },
	{ "TYPE", FTP_CMD_OTHER },
	{ "STRU", FTP_CMD_OTHER },
	{ "MODE", FTP_CMD_OTHER },
	{ "RETR", FTP_CMD_OTHER },
	{ "STOR", FTP_CMD_OTHER },
	{ "STOU", FTP_CMD_OTHER },
	{ "APPE", FTP_CMD_OTHER },
	{ "ALLO", FTP_CMD_OTHER },
	{ "REST", FTP_CMD_OTHER },
	{ "RNFR", FTP_CMD_OTHER },
	{ "RNTO", FTP_CMD_OTHER },
	{ "ABOR", FTP_CMD_OTHER },
	{ "DELE", FTP_CMD_OTHER },
	{ "RMD", FTP_CMD_OTHER },
	{ "MKD", FTP_CMD_OTHER },
	{ "PWD", FTP_CMD_OTHER },
	{ "LIST", FTP_CMD_OTHER },
	{ "NLST", FTP_CMD_OTHER },
	{ "SITE", FTP_CMD_OTHER },
	{ "SYST", FTP_CMD_OTHER },
	{ "STAT", FTP_CMD_OTHER },
	{ "HELP", FTP_CMD_OTHER },
	{ "NOOP", FTP_CMD_OTHER },
	{ "OPTS", FTP_CMD_OTHER },
	{ "EPRT", FTP_CMD_OTHER },
	{ "EPSV", FTP_CMD_OTHER },
	{ "LPRT", FTP_CMD_OTHER },
	{ "LPSV", FTP_CMD_OTHER },
	{ "MDTM", FTP_CMD_OTHER },
	{ "SIZE", FTP_CMD_OTHER },
	{ "MLST", FTP_CMD_OTHER },
	{ "MLSD", FTP_CMD_OTHER },
	{ "PBSZ", FTP_CMD_OTHER },
	{ "PROT", FTP_CMD_OTHER },
	{ "CCC", FTP_CMD_OTHER },
	{ "ADAT", FTP_CMD_OTHER },
	{ "MIC", FTP_CMD_OTHER },
	{ "CONF", FTP_CMD_OTHER },
	{ "ENC", FTP_CMD_OTHER },
	{ "LANG", FTP_CMD_OTHER },
	{ "HOST", FTP_CMD_OTHER },
	{ "XCWD", FTP_CMD_OTHER },
	{ "XCUP", FTP_CMD_OTHER },
	{ "XMKD", FTP_CMD_OTHER },
	{ "XPWD", FTP_CMD_OTHER },
	{ "XRMD", FTP_CMD_OTHER },
};

/*
 * AUTH arguments that ask for TLS (RFC 4217 section 4); TLS-C, TLS-P and
 * SSL come from the drafts before it and are still sent.
 */
static const char *const ftp_tls_mechs[] = { "TLS", "SSL", "TLS-C", "TLS-P" };

/* The kind of verb p[0..n), or FTP_CMD_NONE when unknown. */
static enum ftp_cmd
ftp_verb_kind(const uint8_t *p, size_t n)
{
	size_t i, vlen;

	vlen = span_until(p, n, ' ');
	for (i = 0; i < ARRAY_SIZE(ftp_verbs); i++) {
		if (ascii_equal(p, vlen, ftp_verbs[i].name))
			return ftp_verbs[i].kind;
	}
	return FTP_CMD_NONE;
}

/* True when p[0..n) names a TLS mechanism of AUTH. */
static bool
ftp_tls_mech(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ftp_tls_mechs); i++) {
		if (ascii_equal(p, n, ftp_tls_mechs[i]))
			return true;
	}
	return false;
}

static void
ftp_push(
    struct ftp *st, struct session *s, enum ftp_cmd kind, bool ssl, int cred)
{
	struct ftp_pending *e;

	if (st->npipe == FTP_PIPE_MAX) {
		s->anomalies |= SESSION_ANOM_PIPELINE_OVERFLOW;
		return;
	}
	e = &st->pipe[(st->head + st->npipe) % FTP_PIPE_MAX];
	e->kind = (uint8_t)kind;
	e->ssl = ssl;
	e->cred = (int16_t)cred;
	st->npipe++;
}

static void
ftp_pop(struct ftp *st)
{
	if (st->npipe == 0)
		return;
	st->head = (st->head + 1) % FTP_PIPE_MAX;
	st->npipe--;
}

/* The oldest waiting command, or an empty one. */
static struct ftp_pending
ftp_peek(const struct ftp *st)
{
	struct ftp_pending none = { FTP_CMD_NONE, false, -1 };

	return st->npipe == 0 ? none : st->pipe[st->head];
}

/* True for bytes that never occur in a command or reply line. */
static bool
ftp_binary(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			return true;
	}
	return n > 0 && p[0] >= 0x80;
}

/* True for a first client byte that cannot start a command line. */
static bool
ftp_tls_byte(uint8_t c)
{
	return c == 0x16 || (c < 0x20 && c != '\r' && c != '\n') || c >= 0x7f;
}

/*
 * Length of the Telnet commands before a command line: clients send ABOR
 * after IAC IP and IAC DM (RFC 959 section 4.1.3), and options are
 * negotiated with three-byte IAC WILL/WONT/DO/DONT sequences (RFC 854).
 */
static size_t
ftp_skip_telnet(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (n - i >= 2 && p[i] == FTP_IAC && p[i + 1] != FTP_IAC) {
		if (p[i + 1] >= 251 && p[i + 1] <= 254)
			i += MIN(3, n - i);
		else
			i += 2;
	}
	return i;
}

/*
 * Splits a reply line: three digits, then a space, a hyphen for more
 * lines to come, or nothing (RFC 959 section 4.2).
 */
static bool
ftp_reply_parse(const uint8_t *p, size_t n, uint16_t *code, bool *multi)
{
	if (n < 3 || p[0] < '1' || p[0] > '5' || p[1] < '0' || p[1] > '9' ||
	    p[2] < '0' || p[2] > '9')
		return false;
	if (n > 3 && p[3] != ' ' && p[3] != '-')
		return false;
	*code = (uint16_t)((p[0] - '0') * 100 + (p[1] - '0') * 10 + p[2] - '0');
	*multi = n > 3 && p[3] == '-';
	return true;
}

/* Skips the rest of an overlong line, up to and including its LF. */
static size_t
ftp_discard(struct ftp *st, enum dir d, const uint8_t *p, size_t n)
{
	size_t lf = span_until(p, n, '\n');

	if (lf == n)
		return n;
	st->discard[d] = false;
	return lf + 1;
}

/*
 * USER name (RFC 959 section 4.1.1).  The whole argument is the name:
 * Windows accounts hold spaces, and FTP puts nothing secret after it.
 */
static void
ftp_user(struct ftp *st, struct session *s, const uint8_t *arg, size_t alen)
{
	st->userlen = MIN(trim_end(arg, alen), CRED_USER_MAX - 1);
	memcpy(st->user, arg, st->userlen);
	ftp_push(st, s, FTP_CMD_USER, false, -1);
}

/*
 * PASS: the password is on this line, so the login is made.  Anonymous
 * logins count too: the "password" is often an address, but the server
 * cannot tell it from a real one, and neither can an eavesdropper.
 */
static void
ftp_pass(struct ftp *st, struct session *s, const struct timeval *ts)
{
	int cred;

	cred =
	    sasl_record(s, ts, "USER", (const uint8_t *)st->user, st->userlen);
	ftp_push(st, s, FTP_CMD_PASS, false, cred);
}

/* AUTH mechanism (RFC 2228 section 3; RFC 4217 section 4). */
static void
ftp_auth(struct ftp *st, struct session *s, const uint8_t *arg, size_t alen,
    const struct timeval *ts)
{
	size_t mlen = span_until(arg, alen, ' ');

	/*
	 * XXX: AUTH GSSAPI and the ADAT exchange that follows (RFC 2228)
	 * are not read, so such logins are not recorded.
	 */
	if (!ftp_tls_mech(arg, mlen)) {
		ftp_push(st, s, FTP_CMD_AUTH, false, -1);
		return;
	}
	s->starttls_attempted = true;
	s->starttls_seen = *ts;
	st->starttls_pending = true;
	ftp_push(st, s, FTP_CMD_AUTH_TLS, ascii_equal(arg, mlen, "SSL"), -1);
}

/* One command line: verb, blanks, argument. */
static void
ftp_command(struct ftp *st, struct session *s, const uint8_t *line, size_t len,
    const struct timeval *ts)
{
	enum ftp_cmd kind;
	const uint8_t *arg;
	size_t vlen, alen;

	vlen = span_until(line, len, ' ');
	arg = line + vlen + skip_blanks(line + vlen, len - vlen);
	alen = (size_t)(line + len - arg);
	kind = ftp_verb_kind(line, vlen);

	switch (kind) {
	case FTP_CMD_USER:
		ftp_user(st, s, arg, alen);
		break;
	case FTP_CMD_PASS:
		ftp_pass(st, s, ts);
		break;
	case FTP_CMD_ACCT:
		/* An account is asked for after 332 (RFC 959 section 5.4). */
		ftp_push(st, s, kind, false, st->acct_cred);
		break;
	case FTP_CMD_AUTH:
		ftp_auth(st, s, arg, alen, ts);
		break;
	case FTP_CMD_CLNT:
		if (alen > 0)
			session_set_client_name(s, arg, alen);
		ftp_push(st, s, kind, false, -1);
		break;
	case FTP_CMD_FEAT:
		ftp_push(st, s, kind, false, -1);
		break;
	default:
		/* The server answers unknown verbs too (500, 502). */
		ftp_push(st, s, FTP_CMD_OTHER, false, -1);
		break;
	}
}

/* One client line without its line end. */
static void
ftp_client_line(struct ftp *st, struct session *s, const uint8_t *line,
    size_t len, const struct timeval *ts)
{
	size_t skip = ftp_skip_telnet(line, len);

	line += skip;
	len -= skip;
	if (ftp_binary(line, len)) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		return;
	}

	/* Once the server agreed to TLS, anything readable is a leak. */
	if (st->tls_go && len > 0)
		s->cleartext_after_tls = true;
	if (len > 0)
		ftp_command(st, s, line, len, ts);
}

/*
 * After a loss the next line may be the tail of a broken one: it is
 * dropped unless it starts like a command or a reply.
 */
static bool
ftp_resync_drop(struct ftp *st, enum dir d, const uint8_t *p, size_t n)
{
	uint16_t code;
	bool multi;
	size_t skip;

	st->resync[d] = false;
	n = trim_end(p, n);
	if (d == DIR_TO_SERVER) {
		skip = ftp_skip_telnet(p, n);
		return ftp_verb_kind(p + skip, n - skip) == FTP_CMD_NONE;
	}
	return !ftp_reply_parse(p, n, &code, &multi);
}

/* The reply to AUTH TLS: 234 go ahead (RFC 4217 section 4), or refusal. */
static void
ftp_auth_done(struct ftp *st, struct session *s, uint16_t code, bool ssl)
{
	st->starttls_pending = false;

	/*
	 * Servers of the AUTH SSL draft accept with 334, which RFC 2228
	 * otherwise uses for an ADAT exchange that TLS never has.
	 */
	if (code == 234 || (code == 334 && ssl)) {
		s->starttls_accepted = true;
		s->starttls_result = STARTTLS_RESULT_NONE;
		s->switch_to = &tls_analyzer;
		st->tls_go = true;
		st->npipe = 0;
	} else if (code / 100 == 4 || code / 100 == 5) {
		s->starttls_result = STARTTLS_RESULT_REFUSED;
	}
}

/*
 * The final reply to PASS or ACCT (RFC 959 section 5.4): 2yz logs in
 * (230, or 202 when no password was needed), 332 asks for an account
 * and leaves the login open, 4yz and 5yz refuse it.
 */
static void
ftp_login_done(struct ftp *st, struct session *s, int cred, uint16_t code)
{
	if (code == 331 || code == 332) {
		st->acct_cred = cred;
		return;
	}
	st->acct_cred = -1;
	if (code / 100 == 2)
		sasl_outcome(s, cred, OUTCOME_ACCEPTED);
	else if (code / 100 == 4 || code / 100 == 5)
		sasl_outcome(s, cred, OUTCOME_REJECTED);
}

/*
 * The reply to FEAT ended.  A positive one lists the features (RFC 2389
 * section 3.2); an error says nothing about AUTH TLS.  A later list
 * without it never undoes an earlier offer.
 */
static void
ftp_feat_done(struct ftp *st, struct session *s, uint16_t code)
{
	if (code / 100 != 2)
		return;
	if (st->feat_auth)
		s->starttls_offered = 1;
	else if (s->starttls_offered != 1)
		s->starttls_offered = 0;
}

/* The last line of a reply arrived: act on the command it answers. */
static void
ftp_reply_end(struct ftp *st, struct session *s)
{
	const struct ftp_pending *t = &st->target;

	st->in_reply = false;
	switch ((enum ftp_cmd)t->kind) {
	case FTP_CMD_GREETING:
		/* 120 promises the greeting for later (RFC 959 5.4). */
		if (st->code != 120)
			st->greeted = true;
		return;
	case FTP_CMD_PASS:
	case FTP_CMD_ACCT:
		ftp_login_done(st, s, t->cred, st->code);
		break;
	case FTP_CMD_AUTH_TLS:
		ftp_auth_done(st, s, st->code, t->ssl);
		break;
	case FTP_CMD_FEAT:
		ftp_feat_done(st, s, st->code);
		break;
	default:
		break;
	}

	/* A preliminary reply leaves the command waiting for its final one. */
	if (st->code / 100 != 1 && t->kind != FTP_CMD_NONE)
		ftp_pop(st);

	/* 421: the server closes the connection (RFC 959 section 4.2). */
	if (st->code == 421)
		st->npipe = 0;
}

/*
 * Realigns the ring on replies only one command gets (331 and 332 to
 * USER, 234 to AUTH) when commands before it lost their replies, to an
 * overflow or a gap.
 */
static void
ftp_sync(struct ftp *st, uint16_t code)
{
	enum ftp_cmd want = FTP_CMD_NONE;
	unsigned int i;

	if (code == 331)
		want = FTP_CMD_USER;
	else if (code == 234)
		want = FTP_CMD_AUTH_TLS;
	if (want == FTP_CMD_NONE || ftp_peek(st).kind == want)
		return;
	for (i = 1; i < st->npipe; i++) {
		if (st->pipe[(st->head + i) % FTP_PIPE_MAX].kind == want) {
			st->head = (st->head + i) % FTP_PIPE_MAX;
			st->npipe -= i;
			return;
		}
	}
}

/* The first line of a reply: find the command it answers. */
static void
ftp_reply_begin(struct ftp *st, uint16_t code)
{
	if (!st->greeted && (code == 120 || code == 220) &&
	    ftp_peek(st).kind != FTP_CMD_AUTH_TLS) {
		st->target.kind = FTP_CMD_GREETING;
	} else {
		st->greeted = true;
		ftp_sync(st, code);
		st->target = ftp_peek(st);
	}
	st->srv_gap = false;
	st->in_reply = true;
	st->code = code;
	st->feat_auth = false;
}

/*
 * A line of a FEAT reply: " AUTH TLS" (RFC 4217 section 6), where some
 * servers list several mechanisms ("AUTH TLS;SSL;") and some repeat the
 * code in front ("211-AUTH TLS").
 */
static void
ftp_feat_line(struct ftp *st, const uint8_t *p, size_t n)
{
	size_t i, w;

	if (n >= 4 && p[3] == '-' && p[0] >= '0' && p[0] <= '9') {
		p += 4;
		n -= 4;
	}
	i = skip_blanks(p, n);
	if (!ascii_word(p + i, n - i, "AUTH"))
		return;
	for (i += 4; i < n; i += w) {
		while (i < n && (p[i] == ' ' || p[i] == ';' || p[i] == ','))
			i++;
		w = 0;
		while (i + w < n && p[i + w] != ' ' && p[i + w] != ';' &&
		    p[i + w] != ',')
			w++;
		if (w > 0 && ftp_tls_mech(p + i, w))
			st->feat_auth = true;
	}
}

/* True for the line that ends the multi-line reply being read. */
static bool
ftp_reply_last(const struct ftp *st, const uint8_t *p, size_t n)
{
	uint16_t code;
	bool multi;

	return ftp_reply_parse(p, n, &code, &multi) && code == st->code &&
	    !multi;
}

/* One reply line without its line end. */
static void
ftp_reply_line(
    struct ftp *st, struct session *s, const uint8_t *line, size_t len)
{
	uint16_t code;
	bool multi;

	/* Inside a multi-line reply every other line is text. */
	if (st->in_reply) {
		if (ftp_reply_last(st, line, len))
			ftp_reply_end(st, s);
		else if (st->target.kind == FTP_CMD_FEAT)
			ftp_feat_line(st, line, len);
		return;
	}
	if (!ftp_reply_parse(line, len, &code, &multi)) {
		if (len > 0)
			s->anomalies |= SESSION_ANOM_GARBAGE;
		return;
	}
	ftp_reply_begin(st, code);
	if (!multi)
		ftp_reply_end(st, s);
}

static size_t
ftp_client(struct ftp *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	size_t lf;

	if (st->discard[DIR_TO_SERVER])
		return ftp_discard(st, DIR_TO_SERVER, p, n);

	/*
	 * A TLS handshake may overtake the reply to AUTH TLS: leave it for
	 * the TLS analyzer.  With no reply to wait for (one-sided capture,
	 * or replies lost), a TLS record says the server went ahead.
	 */
	if (st->starttls_pending && ftp_tls_byte(p[0])) {
		if (p[0] == 0x16 && (!st->server_seen || st->srv_gap))
			ftp_auth_done(st, s, 234, false);
		return 0;
	}

	lf = span_until(p, n, '\n');
	if (lf == n)
		return 0;
	if (st->resync[DIR_TO_SERVER] &&
	    ftp_resync_drop(st, DIR_TO_SERVER, p, lf))
		return lf + 1;
	ftp_client_line(st, s, p, trim_end(p, lf), ts);
	return lf + 1;
}

static size_t
ftp_server(struct ftp *st, struct session *s, const uint8_t *p, size_t n)
{
	size_t lf;

	if (st->discard[DIR_TO_CLIENT])
		return ftp_discard(st, DIR_TO_CLIENT, p, n);
	lf = span_until(p, n, '\n');
	if (lf == n)
		return 0;
	if (st->resync[DIR_TO_CLIENT] &&
	    ftp_resync_drop(st, DIR_TO_CLIENT, p, lf))
		return lf + 1;
	ftp_reply_line(st, s, p, trim_end(p, lf));
	return lf + 1;
}

/*
 * The engine's buffer is full and nothing could be consumed: read what is
 * there of the line as the whole line and skip the rest of it; or drop
 * what overtook an AUTH TLS reply that never came.
 */
static size_t
ftp_full(struct ftp *st, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts)
{
	if (d == DIR_TO_SERVER && st->starttls_pending && ftp_tls_byte(p[0])) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		return n;
	}
	s->anomalies |= SESSION_ANOM_LONG_LINE;
	if (d == DIR_TO_SERVER)
		ftp_client_line(st, s, p, n, ts);
	else
		ftp_reply_line(st, s, p, n);
	st->discard[d] = true;
	return n;
}

static size_t
ftp_parse(void *state, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts, unsigned int flags)
{
	struct ftp *st = state;
	size_t off = 0, used;

	if (d == DIR_TO_CLIENT && n > 0)
		st->server_seen = true;

	/* Commands may come several at once: take every complete line. */
	while (off < n && s->switch_to == NULL) {
		if (d == DIR_TO_SERVER)
			used = ftp_client(st, s, p + off, n - off, ts);
		else
			used = ftp_server(st, s, p + off, n - off);
		if (used == 0)
			break;
		off += used;
	}
	if (off == 0 && n > 0 && (flags & PARSE_FULL) && s->switch_to == NULL)
		off = ftp_full(st, s, d, p, n, ts);
	return off;
}

/*
 * Bytes were lost; the next line is checked before it is believed.  Lost
 * replies leave the ring out of step: it is emptied, and a pending AUTH
 * TLS is then taken as granted if TLS follows.
 * XXX: commands lost in the client's direction still get replies, which
 * are taken for the next commands' until 331 or 234 realigns the ring.
 */
static void
ftp_gap(void *state, struct session *s, enum dir d, uint64_t len)
{
	struct ftp *st = state;

	(void)s;
	(void)len;
	st->discard[d] = false;
	st->resync[d] = true;
	if (d == DIR_TO_SERVER)
		return;
	st->in_reply = false;
	st->npipe = 0;
	st->srv_gap = true;
	st->greeted = true;
}

/* A login whose reply never came keeps an unknown outcome. */
static void
ftp_end(void *state, struct session *s)
{
	(void)state;
	(void)s;
}

static void *
ftp_create(struct session *s)
{
	struct ftp *st;

	(void)s;
	st = mem_calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->acct_cred = -1;
	return st;
}

static void
ftp_destroy(void *state)
{
	struct ftp *st = state;

	if (st == NULL)
		return;
	explicit_bzero(st, sizeof(*st));
	mem_free(st);
}

const struct analyzer ftp_analyzer = {
	.name = "ftp",
	.bufmax = FTP_BUFMAX,
	.create = ftp_create,
	.parse = ftp_parse,
	.gap = ftp_gap,
	.end = ftp_end,
	.destroy = ftp_destroy,
};
