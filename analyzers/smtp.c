/*
 * smtp.c - SMTP analyzer: capabilities, STARTTLS and AUTH logins.
 *
 * Follows RFC 5321 (commands section 4.1.1, replies 4.2, message text and
 * dot-stuffing 4.5.2), RFC 2920 (PIPELINING: replies come in command
 * order), RFC 3207 (STARTTLS), RFC 4954 (AUTH) and RFC 3030 (BDAT).
 *
 * Client commands wait in a small ring until the server's reply to them is
 * complete; a reply is read line by line (multi-line replies continue with
 * "250-") and acted on when its last line arrives.  Message text after DATA
 * and BDAT chunks is skipped where it lies, without being buffered, so that
 * nothing in a message is ever taken for a command or a capability.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/sasl.h"
#include "mem.h"
#include "util.h"

#define SMTP_BUFMAX 8192
#define SMTP_PIPE_MAX 32    /* commands awaiting a reply */
#define SMTP_SIZE_DIGITS 19 /* BDAT sizes below 10^19 fit in 64 bits */

/* What a reply answers. */
enum smtp_cmd {
	SMTP_CMD_NONE, /* nothing: an unsolicited reply, or an unknown verb */
	SMTP_CMD_GREETING,
	SMTP_CMD_HELO,
	SMTP_CMD_EHLO,
	SMTP_CMD_STARTTLS,
	SMTP_CMD_AUTH,
	SMTP_CMD_DATA,
	SMTP_CMD_BDAT,
	SMTP_CMD_BODY, /* the end of message text, answered like a command */
	SMTP_CMD_OTHER,
};

/* What the client's next bytes are. */
enum smtp_cmode {
	SMTP_C_CMD,       /* command lines, or SASL answers after a 334 */
	SMTP_C_DATA_WAIT, /* DATA sent; the body waits for the 354 */
	SMTP_C_BODY,      /* message text up to "." alone on a line */
	SMTP_C_BDAT,      /* bdat_left bytes of a BDAT chunk */
};

struct smtp {
	uint8_t pipe[SMTP_PIPE_MAX]; /* enum smtp_cmd awaiting replies */
	unsigned int head;           /* oldest entry of pipe */
	unsigned int npipe;          /* entries in pipe */

	enum smtp_cmode cmode;
	uint64_t bdat_left; /* bytes of the BDAT chunk still to come */
	bool bol;           /* message text is at the start of a line */
	bool body_gap;      /* message text was lost: its end may be too */
	bool discard[2];    /* skipping the rest of an overlong line */
	bool resync[2];     /* bytes were lost before the next line */

	bool server_seen; /* any byte from the server yet */
	bool replied;     /* a reply was read (the first is the greeting) */
	bool srv_gap;     /* replies were lost since the last one read */

	bool in_reply;        /* inside a multi-line reply */
	uint16_t code;        /* its code */
	enum smtp_cmd target; /* the command it answers */
	unsigned int rlines;  /* lines of it so far */
	bool reply_starttls;  /* an EHLO reply listed STARTTLS */

	bool starttls_pending; /* STARTTLS sent, reply not yet read */
	bool tls_go;           /* the server agreed to start TLS */
	bool sasl_cont;        /* a 334 awaits the client's answer */
	struct sasl sasl;
};

struct smtp_verb {
	const char *name;
	enum smtp_cmd kind;
};

/* Verbs of RFC 5321 and common extensions; LHLO is LMTP's EHLO. */
static const struct smtp_verb smtp_verbs[] = {
	{ "HELO", SMTP_CMD_HELO },
	{ "EHLO", SMTP_CMD_EHLO },
	{ "LHLO", SMTP_CMD_EHLO },
	{ "STARTTLS", SMTP_CMD_STARTTLS },
	{ "AUTH", SMTP_CMD_AUTH },
	{ "DATA", SMTP_CMD_DATA },
	{ "BDAT", SMTP_CMD_BDAT },
	{ "MAIL", SMTP_CMD_OTHER },
	{ "RCPT", SMTP_CMD_OTHER },
	{ "RSET", SMTP_CMD_OTHER },
	{ "NOOP", SMTP_CMD_OTHER },
	{ "QUIT", SMTP_CMD_OTHER },
	{ "VRFY", SMTP_CMD_OTHER },
	{ "EXPN", SMTP_CMD_OTHER },
	{ "HELP", SMTP_CMD_OTHER },
	{ "TURN", SMTP_CMD_OTHER },
	{ "ETRN", SMTP_CMD_OTHER },
	{ "ATRN", SMTP_CMD_OTHER },
	{ "XCLIENT", SMTP_CMD_OTHER },
	{ "XFORWARD", SMTP_CMD_OTHER },
};

/*
 * XXX: a command past the ring is not tracked; replies may then be taken
 * for the wrong command until the ring empties (354, 334 and a pending
 * STARTTLS's 220 realign it).
 */
static void
smtp_push(struct smtp *st, struct session *s, enum smtp_cmd kind)
{
	if (st->npipe == SMTP_PIPE_MAX) {
		s->anomalies |= SESSION_ANOM_PIPELINE_OVERFLOW;
		return;
	}
	st->pipe[(st->head + st->npipe) % SMTP_PIPE_MAX] = (uint8_t)kind;
	st->npipe++;
}

static enum smtp_cmd
smtp_peek(const struct smtp *st)
{
	return st->npipe == 0 ? SMTP_CMD_NONE
			      : (enum smtp_cmd)st->pipe[st->head];
}

static void
smtp_pop(struct smtp *st)
{
	if (st->npipe == 0)
		return;
	st->head = (st->head + 1) % SMTP_PIPE_MAX;
	st->npipe--;
}

/* The kind of verb p[0..n), or SMTP_CMD_NONE when unknown. */
static enum smtp_cmd
smtp_verb_kind(const uint8_t *p, size_t n)
{
	size_t i, vlen;

	vlen = span_until(p, n, ' ');
	vlen = span_until(p, vlen, '\t');
	for (i = 0; i < ARRAY_SIZE(smtp_verbs); i++) {
		if (ascii_equal(p, vlen, smtp_verbs[i].name))
			return smtp_verbs[i].kind;
	}
	return SMTP_CMD_NONE;
}

/* True for bytes that never occur in a command or reply line. */
static bool
smtp_ctl(uint8_t c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* True when a line holds control bytes or starts with a non-ASCII one. */
static bool
smtp_binary(const uint8_t *p, size_t n)
{
	size_t i;

	if (n > 0 && p[0] >= 0x80)
		return true;
	for (i = 0; i < n; i++) {
		if (smtp_ctl(p[i]))
			return true;
	}
	return false;
}

/*
 * Offset just after the last control or non-ASCII byte of a line, 0 when
 * there is none.  Binary glued before a command (a proxy handshake
 * without a line end, say) leaves the command readable after it.
 */
static size_t
smtp_salvage(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = n; i > 0; i--) {
		if (smtp_ctl(p[i - 1]) || p[i - 1] >= 0x80)
			return i;
	}
	return 0;
}

/*
 * True for a keyword masked by a middlebox: STARTTLS's eight letters
 * overwritten by X's, the last one sometimes left as another letter
 * ("XXXXXXXA").
 */
static bool
smtp_masked(const uint8_t *p, size_t n)
{
	size_t i;

	if (n != 8)
		return false;
	for (i = 0; i < 7; i++) {
		if (p[i] != 'X' && p[i] != 'x')
			return false;
	}
	return (p[7] >= 'A' && p[7] <= 'Z') || (p[7] >= 'a' && p[7] <= 'z');
}

/*
 * True for greeting text a middlebox replaced by asterisks: no letter
 * left, and asterisks for at least half of what is not blank.
 */
static bool
smtp_masked_greeting(const uint8_t *p, size_t n)
{
	size_t i, stars = 0, other = 0;

	for (i = 0; i < n; i++) {
		if ((p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= 'a' && p[i] <= 'z'))
			return false;
		if (p[i] == '*')
			stars++;
		else if (p[i] != ' ' && p[i] != '\t')
			other++;
	}
	return stars >= 4 && stars >= other;
}

/* Marks STARTTLS as stripped, naming the masked word in the detail. */
static void
smtp_stripped(struct session *s, const char *where, const uint8_t *p, size_t n)
{
	char word[16], what[64];

	session_printable(word, sizeof(word), p, n);
	snprintf(what, sizeof(what), "%s %s", where, word);
	session_set_stripped(s, what);
}

/* Parses a decimal size of at most SMTP_SIZE_DIGITS digits. */
static bool
smtp_size(const uint8_t *p, size_t n, uint64_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
		if (i == SMTP_SIZE_DIGITS)
			return false;
		*v = *v * 10 + (uint64_t)(p[i] - '0');
	}
	return i > 0 && (i == n || p[i] == ' ' || p[i] == '\t');
}

/*
 * Splits a reply line: three digits, then a space, a hyphen for more
 * lines to come, or nothing (RFC 5321 section 4.2.1).
 */
static bool
smtp_reply_parse(
    const uint8_t *p, size_t n, uint16_t *code, bool *last, size_t *text)
{
	if (n < 3 || p[0] < '1' || p[0] > '5' || p[1] < '0' || p[1] > '9' ||
	    p[2] < '0' || p[2] > '9')
		return false;
	if (n > 3 && p[3] != ' ' && p[3] != '-' && p[3] != '\t')
		return false;
	*code = (uint16_t)((p[0] - '0') * 100 + (p[1] - '0') * 10 + p[2] - '0');
	*last = n == 3 || p[3] != '-';
	*text = n > 3 ? 4 : 3;
	return true;
}

/* Skips the rest of an overlong line, up to and including its LF. */
static size_t
smtp_discard(struct smtp *st, enum dir d, const uint8_t *p, size_t n)
{
	size_t lf = span_until(p, n, '\n');

	if (lf == n)
		return n;
	st->discard[d] = false;
	return lf + 1;
}

/*
 * Skips message text in place, up to and including the "." line that
 * ends it (RFC 5321 section 4.5.2: a line starting with ".." is text).  A
 * bare LF ends lines too.  Only a line start that may still become "."
 * CRLF is left unconsumed.
 */
static size_t
smtp_body(struct smtp *st, struct session *s, const uint8_t *p, size_t n)
{
	size_t i = 0, lf;

	while (i < n) {
		if (st->bol && p[i] == '.') {
			if (n - i < 2 || (p[i + 1] == '\r' && n - i < 3))
				return i;
			if (p[i + 1] == '\n' ||
			    (p[i + 1] == '\r' && p[i + 2] == '\n')) {
				st->cmode = SMTP_C_CMD;
				smtp_push(st, s, SMTP_CMD_BODY);
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

/* Skips BDAT chunk bytes in place (RFC 3030 section 2). */
static size_t
smtp_bdat(struct smtp *st, size_t n)
{
	size_t take = n;

	if ((uint64_t)take > st->bdat_left)
		take = (size_t)st->bdat_left;
	st->bdat_left -= take;
	if (st->bdat_left == 0)
		st->cmode = SMTP_C_CMD;
	return take;
}

/* Starts the message text, with the 354 or without a server to give it. */
static void
smtp_body_start(struct smtp *st)
{
	st->cmode = SMTP_C_BODY;
	st->bol = true;
	st->body_gap = false;
}

/*
 * AUTH mechanism [initial-response] (RFC 4954 section 4).  A response too
 * long for the buffer went by unread.
 */
static void
smtp_auth(struct smtp *st, struct session *s, const uint8_t *arg, size_t alen,
    const struct timeval *ts, bool trunc)
{
	size_t mlen, ir;

	mlen = span_until(arg, alen, ' ');
	if (mlen == 0)
		return;
	sasl_start(&st->sasl, arg, mlen);
	st->sasl_cont = false;
	ir = mlen + skip_blanks(arg + mlen, alen - mlen);
	if (ir < alen)
		(void)sasl_client(
		    &st->sasl, s, ts, trunc ? NULL : arg + ir, alen - ir);
}

/* BDAT size [LAST]: the chunk follows the command line at once. */
static void
smtp_bdat_cmd(
    struct smtp *st, struct session *s, const uint8_t *arg, size_t alen)
{
	uint64_t size;

	if (!smtp_size(arg, alen, &size)) {
		smtp_push(st, s, SMTP_CMD_OTHER);
		return;
	}
	smtp_push(st, s, SMTP_CMD_BDAT);
	if (size > 0) {
		st->cmode = SMTP_C_BDAT;
		st->bdat_left = size;
	}
}

/* One command line: verb, blanks, argument. */
static void
smtp_command(struct smtp *st, struct session *s, const uint8_t *line,
    size_t len, const struct timeval *ts, bool trunc)
{
	enum smtp_cmd kind;
	const uint8_t *arg;
	size_t vlen, alen;

	vlen = span_until(line, len, ' ');
	vlen = span_until(line, vlen, '\t');
	arg = line + vlen + skip_blanks(line + vlen, len - vlen);
	alen = (size_t)(line + len - arg);
	kind = smtp_verb_kind(line, vlen);

	switch (kind) {
	case SMTP_CMD_HELO:
	case SMTP_CMD_EHLO:
		if (alen > 0)
			session_set_client_name(s, arg, alen);
		smtp_push(st, s, kind);
		break;
	case SMTP_CMD_STARTTLS:
		s->starttls_attempted = true;
		s->starttls_seen = *ts;
		st->starttls_pending = true;
		smtp_push(st, s, kind);
		break;
	case SMTP_CMD_AUTH:
		smtp_auth(st, s, arg, alen, ts, trunc);
		smtp_push(st, s, kind);
		break;
	case SMTP_CMD_DATA:
		/* Without a server to answer 354, the text follows at once. */
		smtp_push(st, s, kind);
		if (st->server_seen)
			st->cmode = SMTP_C_DATA_WAIT;
		else
			smtp_body_start(st);
		break;
	case SMTP_CMD_BDAT:
		smtp_bdat_cmd(st, s, arg, alen);
		break;
	default:
		if (smtp_masked(line, vlen))
			smtp_stripped(s, "client command", line, vlen);
		smtp_push(st, s, SMTP_CMD_OTHER);
		break;
	}
}

/*
 * True when a client line answers a SASL challenge: after a 334, or, when
 * the server's replies are missing, any line that is no SMTP verb while
 * the secret has not gone by yet.
 */
static bool
smtp_sasl_turn(const struct smtp *st, const uint8_t *line, size_t len)
{
	if (!sasl_active(&st->sasl))
		return false;
	if (st->sasl_cont)
		return true;
	return (!st->server_seen || st->srv_gap) && !sasl_sent(&st->sasl) &&
	    smtp_verb_kind(line, len) == SMTP_CMD_NONE;
}

/* One client line without its line end; trunc: cut by the buffer cap. */
static void
smtp_client_line(struct smtp *st, struct session *s, const uint8_t *line,
    size_t len, const struct timeval *ts, bool trunc)
{
	size_t skip;

	if (smtp_binary(line, len)) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		skip = smtp_salvage(line, len);
		if (smtp_verb_kind(line + skip, len - skip) == SMTP_CMD_NONE)
			return;
		line += skip;
		len -= skip;
	}

	/* Once the server agreed to TLS, anything readable is a leak. */
	if (st->tls_go && len > 0)
		s->cleartext_after_tls = true;

	if (smtp_sasl_turn(st, line, len)) {
		st->sasl_cont = false;
		(void)sasl_client(&st->sasl, s, ts, trunc ? NULL : line, len);
		return;
	}
	if (len > 0)
		smtp_command(st, s, line, len, ts, trunc);
}

/*
 * After a loss the next line may be the tail of a broken one: it is
 * dropped unless it starts like a command or a reply.  Segments mostly end
 * at line ends in SMTP, so a whole line is often all there is.
 */
static bool
smtp_resync_drop(struct smtp *st, enum dir d, const uint8_t *p, size_t n)
{
	uint16_t code;
	size_t text;
	bool last;

	st->resync[d] = false;
	n = trim_end(p, n);
	if (d == DIR_TO_SERVER)
		return smtp_verb_kind(p, n) == SMTP_CMD_NONE;
	return !smtp_reply_parse(p, n, &code, &last, &text);
}

/* The reply to STARTTLS: 220 go ahead (RFC 3207 section 4), or refusal. */
static void
smtp_starttls_done(struct smtp *st, struct session *s, uint16_t code)
{
	st->starttls_pending = false;
	if (code / 100 == 2) {
		s->starttls_accepted = true;
		s->starttls_result = STARTTLS_RESULT_NONE;
		s->switch_to = &tls_analyzer;
		st->tls_go = true;
		st->npipe = 0;
		st->sasl_cont = false;
	} else if (code / 100 == 4 || code / 100 == 5) {
		s->starttls_result = STARTTLS_RESULT_REFUSED;
	}
}

/* True for a first client byte that cannot start a command line. */
static bool
smtp_tls_byte(uint8_t c)
{
	return c == 0x16 || (c < 0x20 && c != '\r' && c != '\n') || c >= 0x7f;
}

static size_t
smtp_client(struct smtp *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	size_t lf;

	if (st->discard[DIR_TO_SERVER])
		return smtp_discard(st, DIR_TO_SERVER, p, n);
	switch (st->cmode) {
	case SMTP_C_BODY:
		return smtp_body(st, s, p, n);
	case SMTP_C_BDAT:
		return smtp_bdat(st, n);
	case SMTP_C_DATA_WAIT:
		return 0;
	case SMTP_C_CMD:
		break;
	}

	/*
	 * A TLS handshake may overtake the reply to STARTTLS: leave it for
	 * the TLS analyzer.  With no reply to wait for (one-sided capture,
	 * or replies lost), a TLS record says the server went ahead.
	 */
	if (st->starttls_pending && smtp_tls_byte(p[0])) {
		if (p[0] == 0x16 && (!st->server_seen || st->srv_gap))
			smtp_starttls_done(st, s, 220);
		return 0;
	}

	lf = span_until(p, n, '\n');
	if (lf == n)
		return 0;
	if (st->resync[DIR_TO_SERVER] &&
	    smtp_resync_drop(st, DIR_TO_SERVER, p, lf))
		return lf + 1;
	smtp_client_line(st, s, p, trim_end(p, lf), ts, false);
	return lf + 1;
}

/* EHLO keyword lines: STARTTLS, AUTH mechanisms, masked keywords. */
static void
smtp_ehlo_line(struct smtp *st, struct session *s, const uint8_t *p, size_t n)
{
	size_t kw, i, w;

	kw = span_until(p, n, ' ');
	if (ascii_equal(p, kw, "STARTTLS")) {
		s->starttls_offered = 1;
		st->reply_starttls = true;
		return;
	}
	if (smtp_masked(p, kw)) {
		smtp_stripped(s, "EHLO reply", p, kw);
		return;
	}

	/* "AUTH PLAIN LOGIN" (RFC 4954) or the older "AUTH=PLAIN LOGIN". */
	if (!ascii_prefix(p, n, "AUTH") || n < 5 ||
	    (p[4] != ' ' && p[4] != '='))
		return;
	for (i = 5; i < n; i += w) {
		i += skip_blanks(p + i, n - i);
		w = span_until(p + i, n - i, ' ');
		if (w > 0)
			session_add_auth_offered(s, p + i, w);
	}
}

/*
 * The reply to EHLO ended.  A positive one is the capability list (RFC
 * 5321 section 4.1.1.1); a permanent error comes from a server without
 * extensions.  A later list without STARTTLS (after TLS, say) never
 * undoes an earlier offer.
 */
static void
smtp_ehlo_done(struct smtp *st, struct session *s, uint16_t code)
{
	if (code / 100 != 2 && code / 100 != 5)
		return;
	if (!st->reply_starttls && s->starttls_offered != 1)
		s->starttls_offered = 0;
}

/* The final reply to AUTH: 235 accepted, 4xx or 5xx not (RFC 4954 6). */
static void
smtp_auth_done(struct smtp *st, struct session *s, uint16_t code)
{
	st->sasl_cont = false;
	if (code / 100 == 2)
		sasl_finish(&st->sasl, s, OUTCOME_ACCEPTED);
	else if (code / 100 == 4 || code / 100 == 5)
		sasl_finish(&st->sasl, s, OUTCOME_REJECTED);
	else
		sasl_reset(&st->sasl);
}

/* The reply to DATA: 354 lets the text come, anything else refuses it. */
static void
smtp_data_done(struct smtp *st, uint16_t code)
{
	if (st->cmode != SMTP_C_DATA_WAIT)
		return;
	if (code == 354)
		smtp_body_start(st);
	else
		st->cmode = SMTP_C_CMD;
}

/* The last line of a reply arrived: act on the command it answers. */
static void
smtp_reply_end(struct smtp *st, struct session *s)
{
	st->in_reply = false;

	/* A 354 only ever answers DATA, even one the ring had no room for. */
	if (st->code == 354 && st->target != SMTP_CMD_DATA)
		smtp_data_done(st, st->code);
	switch (st->target) {
	case SMTP_CMD_NONE:
	case SMTP_CMD_GREETING:
		return;
	case SMTP_CMD_EHLO:
		smtp_ehlo_done(st, s, st->code);
		break;
	case SMTP_CMD_STARTTLS:
		smtp_starttls_done(st, s, st->code);
		break;
	case SMTP_CMD_AUTH:
		if (st->code == 334) {
			st->sasl_cont = true;
			return;
		}
		smtp_auth_done(st, s, st->code);
		break;
	case SMTP_CMD_DATA:
		smtp_data_done(st, st->code);
		break;
	default:
		break;
	}
	smtp_pop(st);
}

/*
 * Realigns the ring on replies only one command can get (354 for DATA,
 * 334 for AUTH, 220 for a pending STARTTLS) when commands before it lost
 * their replies, to an overflow or a gap.
 */
static void
smtp_sync(struct smtp *st, uint16_t code)
{
	enum smtp_cmd want = SMTP_CMD_NONE;
	unsigned int i;

	if (code == 354)
		want = SMTP_CMD_DATA;
	else if (code == 334)
		want = SMTP_CMD_AUTH;
	else if (code == 220 && st->starttls_pending)
		want = SMTP_CMD_STARTTLS;
	if (want == SMTP_CMD_NONE || smtp_peek(st) == want)
		return;
	for (i = 1; i < st->npipe; i++) {
		if (st->pipe[(st->head + i) % SMTP_PIPE_MAX] == want) {
			st->head = (st->head + i) % SMTP_PIPE_MAX;
			st->npipe -= i;
			return;
		}
	}
}

/* The first line of a reply: find the command it answers. */
static void
smtp_reply_begin(struct smtp *st, struct session *s, uint16_t code)
{
	enum smtp_cmd head;

	/* The server only answers text whose end it saw. */
	if (st->cmode == SMTP_C_BODY && st->body_gap) {
		st->cmode = SMTP_C_CMD;
		st->npipe = 0;
		smtp_push(st, s, SMTP_CMD_BODY);
	}
	if (st->replied)
		smtp_sync(st, code);

	/*
	 * The greeting is the first reply, unless a command is waiting and
	 * the reply cannot be a greeting (a capture that starts late).
	 */
	head = smtp_peek(st);
	if (!st->replied &&
	    (head == SMTP_CMD_NONE ||
		(code == 220 && head != SMTP_CMD_STARTTLS)))
		st->target = SMTP_CMD_GREETING;
	else
		st->target = head;
	st->replied = true;
	st->srv_gap = false;
	st->in_reply = true;
	st->code = code;
	st->rlines = 0;
	st->reply_starttls = false;
}

/* One reply line without its line end. */
static void
smtp_reply_line(
    struct smtp *st, struct session *s, const uint8_t *line, size_t len)
{
	uint16_t code;
	size_t text, skip;
	bool last;

	if (!smtp_reply_parse(line, len, &code, &last, &text)) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		skip = smtp_salvage(line, len);
		if (skip == 0 ||
		    !smtp_reply_parse(
			line + skip, len - skip, &code, &last, &text))
			return;
		line += skip;
		len -= skip;
	}

	/* A reply's lines share one code; another code starts a new reply. */
	if (st->in_reply && code != st->code) {
		st->in_reply = false;
		if (st->target != SMTP_CMD_NONE &&
		    st->target != SMTP_CMD_GREETING)
			smtp_pop(st);
	}
	if (!st->in_reply)
		smtp_reply_begin(st, s, code);
	st->rlines++;

	if (st->target == SMTP_CMD_GREETING &&
	    smtp_masked_greeting(line + text, len - text))
		session_set_stripped(s, "greeting masked with asterisks");
	if (st->target == SMTP_CMD_EHLO && code / 100 == 2 && st->rlines > 1)
		smtp_ehlo_line(st, s, line + text, len - text);
	if (last)
		smtp_reply_end(st, s);
}

static size_t
smtp_server(struct smtp *st, struct session *s, const uint8_t *p, size_t n)
{
	size_t lf;

	if (st->discard[DIR_TO_CLIENT])
		return smtp_discard(st, DIR_TO_CLIENT, p, n);
	lf = span_until(p, n, '\n');
	if (lf == n)
		return 0;
	if (st->resync[DIR_TO_CLIENT] &&
	    smtp_resync_drop(st, DIR_TO_CLIENT, p, lf))
		return lf + 1;
	smtp_reply_line(st, s, p, trim_end(p, lf));
	return lf + 1;
}

/*
 * The engine's buffer is full and nothing could be consumed: read what is
 * there of the line as the whole line and skip the rest of it; or, when
 * waiting for a reply that never came, give up waiting.
 */
static size_t
smtp_full(struct smtp *st, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts)
{
	if (d == DIR_TO_SERVER && st->cmode == SMTP_C_DATA_WAIT) {
		smtp_body_start(st);
		return smtp_body(st, s, p, n);
	}
	if (d == DIR_TO_SERVER && st->starttls_pending && smtp_tls_byte(p[0])) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		return n;
	}
	s->anomalies |= SESSION_ANOM_LONG_LINE;
	if (d == DIR_TO_SERVER)
		smtp_client_line(st, s, p, n, ts, true);
	else
		smtp_reply_line(st, s, p, n);
	st->discard[d] = true;
	return n;
}

static size_t
smtp_parse(void *state, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts, unsigned int flags)
{
	struct smtp *st = state;
	size_t off = 0, used;

	if (d == DIR_TO_CLIENT && n > 0)
		st->server_seen = true;

	/* Pipelining: take every complete line there is. */
	while (off < n && s->switch_to == NULL) {
		if (d == DIR_TO_SERVER)
			used = smtp_client(st, s, p + off, n - off, ts);
		else
			used = smtp_server(st, s, p + off, n - off);
		if (used == 0)
			break;
		off += used;
	}
	if (off == 0 && n > 0 && (flags & PARSE_FULL) && s->switch_to == NULL)
		off = smtp_full(st, s, d, p, n, ts);
	return off;
}

/*
 * Bytes were lost.  In a BDAT chunk the loss shortens it; in message text
 * the "." may have been lost, so the server's next reply will tell.  In
 * lines, the next line is checked before it is believed.  Lost replies
 * leave the ring out of step: it is emptied, and whatever the client
 * waited for is taken as granted.
 */
static void
smtp_gap(void *state, struct session *s, enum dir d, uint64_t len)
{
	struct smtp *st = state;

	(void)s;
	if (d == DIR_TO_SERVER) {
		if (st->cmode == SMTP_C_BDAT && len < st->bdat_left) {
			st->bdat_left -= len;
		} else if (st->cmode == SMTP_C_BDAT) {
			st->resync[d] = len > st->bdat_left;
			st->cmode = SMTP_C_CMD;
		} else if (st->cmode == SMTP_C_BODY) {
			st->body_gap = true;
			st->bol = false;
		} else {
			st->resync[d] = true;
		}
		return;
	}
	st->resync[d] = true;
	st->in_reply = false;
	st->npipe = 0;
	st->srv_gap = true;
	st->sasl_cont = false;
	if (st->cmode == SMTP_C_DATA_WAIT)
		smtp_body_start(st);
}

static void
smtp_end(void *state, struct session *s)
{
	struct smtp *st = state;

	(void)s;
	sasl_reset(&st->sasl);
}

static void *
smtp_create(struct session *s)
{
	struct smtp *st;

	(void)s;
	st = mem_calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	sasl_reset(&st->sasl);
	st->bol = true;
	return st;
}

static void
smtp_destroy(void *state)
{
	struct smtp *st = state;

	if (st == NULL)
		return;
	explicit_bzero(st, sizeof(*st));
	mem_free(st);
}

const struct analyzer smtp_analyzer = {
	.name = "smtp",
	.bufmax = SMTP_BUFMAX,
	.create = smtp_create,
	.parse = smtp_parse,
	.gap = smtp_gap,
	.end = smtp_end,
	.destroy = smtp_destroy,
};
