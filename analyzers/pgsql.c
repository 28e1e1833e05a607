/*
 * pgsql.c - PostgreSQL analyzer: SSLRequest and the login.
 *
 * Follows the frontend/backend protocol 3.0 of the PostgreSQL
 * documentation, chapter "Frontend/Backend Protocol": "Message Flow"
 * (Start-up, SSL and GSSAPI session encryption), "Message Formats" and,
 * for SCRAM, RFC 5802 and RFC 7677.
 *
 * A client opens with untyped messages (Int32 length, Int32 code):
 * SSLRequest, GSSENCRequest, CancelRequest or the StartupMessage, whose
 * parameters name the user, the database and the application.  The
 * server answers an SSLRequest with one byte, 'S' (TLS follows) or 'N'.
 * From the StartupMessage on, every message is a type byte and an Int32
 * length; the server asks for a password in clear (AuthenticationCleartext
 * Password), an MD5 digest (AuthenticationMD5Password) or a SASL exchange,
 * the client answers with 'p' messages, and AuthenticationOk or an
 * ErrorResponse ends the login.  Nothing after it is analysed.
 *
 * Messages are read whole, up to PGSQL_MSG_MAX bytes; longer ones are
 * skipped by their length without being kept.  Passwords are never copied:
 * the analyzer only notes that one went by, and how.
 */
#include <string.h>

#include "analyzers/analyzer.h"
#include "mem.h"
#include "util.h"

#define PGSQL_MSG_MAX 65536 /* longest message read whole */
#define PGSQL_BUFMAX PGSQL_MSG_MAX
#define PGSQL_STARTUP_MAX 10000 /* the server's own start-up packet cap */

/* Untyped start-up codes ("Message Formats"). */
#define PGSQL_CODE_CANCEL 80877102
#define PGSQL_CODE_SSL 80877103
#define PGSQL_CODE_GSSENC 80877104
#define PGSQL_PROTO_MAJOR 3

#define PGSQL_BAD ((size_t)-1) /* a message length that cannot be */

/* AuthenticationRequest codes. */
#define PGSQL_AUTH_OK 0
#define PGSQL_AUTH_CLEARTEXT 3
#define PGSQL_AUTH_MD5 5
#define PGSQL_AUTH_GSS 7
#define PGSQL_AUTH_GSS_CONTINUE 8
#define PGSQL_AUTH_SSPI 9
#define PGSQL_AUTH_SASL 10
#define PGSQL_AUTH_SASL_CONTINUE 11
#define PGSQL_AUTH_SASL_FINAL 12

/* What the client's next 'p' message answers. */
enum pgsql_ask {
	PGSQL_ASK_NONE,
	PGSQL_ASK_CLEARTEXT,
	PGSQL_ASK_MD5,
	PGSQL_ASK_SASL,
	PGSQL_ASK_GSS,
	PGSQL_ASK_SSPI,
	PGSQL_ASK_MORE, /* a later step of an exchange already recorded */
};

struct pgsql {
	bool started;       /* the StartupMessage was seen: messages typed */
	bool ssl_wait;      /* SSLRequest sent, the one-byte answer awaited */
	bool gss_wait;      /* GSSENCRequest sent, answer awaited */
	enum pgsql_ask ask; /* what the next 'p' answers */
	int cred;           /* the login awaiting its verdict, or -1 */
	uint64_t skip[2];   /* bytes of an oversized message yet to skip */
	bool lost[2];       /* framing lost: the direction is not read */
	char user[CRED_USER_MAX]; /* the StartupMessage's user, no secret */
	size_t userlen;           /* bytes of user */
};

/* Reads a big-endian Int32. */
static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Length of the NUL-terminated string at p[0..n), or n when unterminated. */
static size_t
cstr_len(const uint8_t *p, size_t n)
{
	return span_until(p, n, '\0');
}

/* Stops reading direction d: its framing is lost. */
static void
pgsql_lose(struct pgsql *st, struct session *s, enum dir d, bool garbage)
{
	st->lost[d] = true;
	if (garbage)
		s->anomalies |= SESSION_ANOM_GARBAGE;
	if (st->lost[DIR_TO_SERVER] && st->lost[DIR_TO_CLIENT])
		s->done = true;
}

/*
 * Keeps the StartupMessage parameters plainsight reports: user (the login
 * name) and application_name (the client's self-description).  Pairs of
 * NUL-terminated strings end with an empty name.  Returns -1 when a string
 * runs past the message.
 */
static int
pgsql_params(struct pgsql *st, struct session *s, const uint8_t *p, size_t n)
{
	size_t off = 0, klen, vlen;
	const uint8_t *key, *val;

	while (off < n && p[off] != '\0') {
		key = p + off;
		klen = cstr_len(key, n - off);
		if (klen == n - off)
			return -1;
		off += klen + 1;
		val = p + off;
		vlen = cstr_len(val, n - off);
		if (vlen == n - off)
			return -1;
		off += vlen + 1;
		if (ascii_equal(key, klen, "user")) {
			st->userlen = MIN(vlen, sizeof(st->user));
			memcpy(st->user, val, st->userlen);
		} else if (ascii_equal(key, klen, "application_name")) {
			session_set_client_name(s, val, vlen);
		}
	}
	return 0;
}

/*
 * One untyped start-up message of len bytes.  An SSLRequest waits for the
 * server's one-byte answer; a CancelRequest connection carries nothing
 * else; the StartupMessage (protocol 3, any minor version) makes the
 * following messages typed.
 */
static void
pgsql_startup(struct pgsql *st, struct session *s, const uint8_t *p, size_t len,
    const struct timeval *ts)
{
	uint32_t code = get_be32(p + 4);

	if (code == PGSQL_CODE_SSL && len == 8) {
		s->starttls_attempted = true;
		s->starttls_seen = *ts;
		st->ssl_wait = true;
	} else if (code == PGSQL_CODE_GSSENC && len == 8) {
		st->gss_wait = true;
	} else if (code == PGSQL_CODE_CANCEL && len == 16) {
		s->done = true;
	} else if (code >> 16 == PGSQL_PROTO_MAJOR) {
		st->started = true;
		if (pgsql_params(st, s, p + 8, len - 8) != 0)
			s->anomalies |= SESSION_ANOM_GARBAGE;
	} else {
		pgsql_lose(st, s, DIR_TO_SERVER, true);
	}
}

/*
 * The SASLInitialResponse: the mechanism chosen, NUL-terminated, then the
 * client-first-message.  SCRAM sends a proof that reveals nothing
 * reusable; the user name inside it is ignored by the server, which takes
 * the StartupMessage's (hence that one is recorded).
 */
static int
pgsql_sasl(struct pgsql *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	char mech[CRED_MECH_MAX];
	size_t mlen = cstr_len(p, n);
	enum exposure e = EXPOSURE_UNKNOWN;

	session_printable(mech, sizeof(mech), p, mlen);
	if (ascii_prefix(p, mlen, "SCRAM-"))
		e = EXPOSURE_NONE;
	return session_add_credential(
	    s, ts, mech[0] != '\0' ? mech : "SASL", st->user, st->userlen, e);
}

/* True for "md5" and 32 lower-case hex digits, NUL-terminated. */
static bool
pgsql_md5_answer(const uint8_t *p, size_t n)
{
	size_t i;

	if (n != 36 || memcmp(p, "md5", 3) != 0 || p[35] != '\0')
		return false;
	for (i = 3; i < 35; i++) {
		if (!((p[i] >= '0' && p[i] <= '9') ||
			(p[i] >= 'a' && p[i] <= 'f')))
			return false;
	}
	return true;
}

/*
 * What a 'p' message answers when the server's request was not seen (a
 * capture of the client side only): an MD5 answer and a SCRAM initial
 * response have their own shapes, GSSAPI tokens start with an ASN.1
 * application tag (RFC 2743 section 3.1), NTLM with its signature; a
 * NUL-terminated string is a password.  Anything else is not guessed.
 */
static enum pgsql_ask
pgsql_guess(const uint8_t *p, size_t n)
{
	size_t len = cstr_len(p, n);

	if (pgsql_md5_answer(p, n))
		return PGSQL_ASK_MD5;
	if (ascii_prefix(p, len, "SCRAM-") && n - len >= 5)
		return PGSQL_ASK_SASL;
	if (n >= 8 && memcmp(p, "NTLMSSP\0", 8) == 0)
		return PGSQL_ASK_SSPI;
	if (n > 0 && p[0] == 0x60)
		return PGSQL_ASK_GSS;
	if (n > 0 && len == n - 1)
		return PGSQL_ASK_CLEARTEXT;
	return PGSQL_ASK_NONE;
}

/*
 * A PasswordMessage ('p'), read as what the server asked for.  An MD5
 * answer is "md5" and hex of md5(md5(password || user) || salt): the salt
 * was sent in clear, so each guess is checked offline.  An SSPI token
 * that is NTLM is open to offline guessing too; Kerberos is not.
 */
static void
pgsql_password(struct pgsql *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	const char *mech = NULL;
	enum exposure e = EXPOSURE_NONE;

	if (st->ask == PGSQL_ASK_NONE && st->cred < 0)
		st->ask = pgsql_guess(p, n);
	switch (st->ask) {
	case PGSQL_ASK_CLEARTEXT:
		mech = "PASSWORD";
		e = EXPOSURE_CLEARTEXT;
		break;
	case PGSQL_ASK_MD5:
		mech = "MD5";
		e = EXPOSURE_CRACKABLE;
		break;
	case PGSQL_ASK_GSS:
		mech = "GSSAPI";
		break;
	case PGSQL_ASK_SSPI:
		mech = "SSPI";
		if (n >= 8 && memcmp(p, "NTLMSSP\0", 8) == 0) {
			mech = "NTLM";
			e = EXPOSURE_CRACKABLE;
		}
		break;
	case PGSQL_ASK_SASL:
		st->cred = pgsql_sasl(st, s, p, n, ts);
		st->ask = PGSQL_ASK_MORE;
		return;
	case PGSQL_ASK_NONE:
	case PGSQL_ASK_MORE:
		return;
	}
	st->cred =
	    session_add_credential(s, ts, mech, st->user, st->userlen, e);
	st->ask = PGSQL_ASK_MORE;
}

/*
 * Frames one typed message at p[0..n): a type byte, then an Int32 length
 * that counts itself.  Returns 0 to wait for more, PGSQL_BAD for a length
 * below 4, or the bytes used: the whole message (whole set), or, for one
 * too long to keep, what is there, the rest left to skip.
 */
static size_t
pgsql_frame(
    struct pgsql *st, enum dir d, const uint8_t *p, size_t n, bool *whole)
{
	uint64_t total;

	*whole = false;
	if (n < 5)
		return 0;
	if (get_be32(p + 1) < 4)
		return PGSQL_BAD;
	total = (uint64_t)get_be32(p + 1) + 1;
	if (total > PGSQL_MSG_MAX) {
		st->skip[d] = total - n;
		return n;
	}
	if (n < total)
		return 0;
	*whole = true;
	return (size_t)total;
}

/* What the client sends: start-up messages, then typed ones. */
static size_t
pgsql_client(struct pgsql *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts, bool full)
{
	size_t used = 0, len;
	bool whole;

	while (used < n && !st->lost[DIR_TO_SERVER] && !s->done &&
	    s->switch_to == NULL) {
		/* Bytes after a request wait for the server's answer. */
		if (st->ssl_wait || st->gss_wait) {
			if (full)
				pgsql_lose(st, s, DIR_TO_SERVER, true);
			break;
		}
		if (!st->started) {
			/* PostgreSQL 17 direct TLS: a ClientHello at once. */
			if (used == 0 && n - used >= 2 && p[0] == 0x16 &&
			    p[1] == 0x03) {
				s->tls = TLS_MODE_IMPLICIT;
				s->switch_to = &tls_analyzer;
				break;
			}
			if (n - used < 8)
				break;
			len = get_be32(p + used);
			if (len < 8 || len > PGSQL_STARTUP_MAX) {
				pgsql_lose(st, s, DIR_TO_SERVER, true);
				break;
			}
			if (n - used < len)
				break;
			pgsql_startup(st, s, p + used, len, ts);
			used += len;
			continue;
		}
		len =
		    pgsql_frame(st, DIR_TO_SERVER, p + used, n - used, &whole);
		if (len == PGSQL_BAD) {
			pgsql_lose(st, s, DIR_TO_SERVER, true);
			break;
		}
		if (len == 0)
			break;
		if (whole && p[used] == 'p')
			pgsql_password(st, s, p + used + 5, len - 5, ts);
		used += len;
	}
	if (st->lost[DIR_TO_SERVER] || s->done)
		return n;
	return used;
}

/*
 * An AuthenticationRequest ('R').  The SASL request lists the server's
 * mechanisms, NUL-terminated, ending with an empty one.
 */
static void
pgsql_auth(struct pgsql *st, struct session *s, const uint8_t *p, size_t n)
{
	uint32_t code;
	size_t off, len;

	if (n < 4)
		return;
	code = get_be32(p);
	switch (code) {
	case PGSQL_AUTH_OK:
		session_credential_outcome(s, st->cred, OUTCOME_ACCEPTED);
		s->done = true;
		break;
	case PGSQL_AUTH_CLEARTEXT:
		st->ask = PGSQL_ASK_CLEARTEXT;
		session_add_auth_offered(s, (const uint8_t *)"PASSWORD", 8);
		break;
	case PGSQL_AUTH_MD5:
		st->ask = PGSQL_ASK_MD5;
		session_add_auth_offered(s, (const uint8_t *)"MD5", 3);
		break;
	case PGSQL_AUTH_GSS:
		st->ask = PGSQL_ASK_GSS;
		break;
	case PGSQL_AUTH_SSPI:
		st->ask = PGSQL_ASK_SSPI;
		break;
	case PGSQL_AUTH_SASL:
		st->ask = PGSQL_ASK_SASL;
		for (off = 4; off < n && p[off] != '\0'; off += len + 1) {
			len = cstr_len(p + off, n - off);
			session_add_auth_offered(s, p + off, len);
		}
		break;
	default:
		/* GSS and SASL continuations answer what is recorded. */
		break;
	}
}

/*
 * The server's one-byte answer to an SSLRequest or GSSENCRequest.  'S'
 * starts TLS at once; 'G' starts GSSAPI encryption, of which nothing can
 * be read: the analysis stops.  An ErrorResponse instead (servers older
 * than 7.2) is read as a message.  Returns the bytes used.
 */
static size_t
pgsql_answer(struct pgsql *st, struct session *s, uint8_t c)
{
	bool ssl = st->ssl_wait;

	st->ssl_wait = st->gss_wait = false;
	if (ssl) {
		s->starttls_offered = (int8_t)(c == 'S');
		if (c == 'S') {
			s->starttls_accepted = true;
			s->switch_to = &tls_analyzer;
			return 1;
		}
		s->starttls_result = STARTTLS_RESULT_REFUSED;
	} else if (c == 'G') {
		/* XXX: no session fact says GSSAPI encryption was used. */
		s->done = true;
		return 1;
	}
	return c == 'N' ? 1 : 0;
}

/* What the server sends: answers to requests, then typed messages. */
static size_t
pgsql_server(struct pgsql *st, struct session *s, const uint8_t *p, size_t n)
{
	size_t used = 0, len;
	bool whole;

	while (used < n && !st->lost[DIR_TO_CLIENT] && !s->done &&
	    s->switch_to == NULL) {
		if (st->ssl_wait || st->gss_wait) {
			used += pgsql_answer(st, s, p[used]);
			continue;
		}
		len =
		    pgsql_frame(st, DIR_TO_CLIENT, p + used, n - used, &whole);
		if (len == PGSQL_BAD) {
			pgsql_lose(st, s, DIR_TO_CLIENT, true);
			break;
		}
		if (len == 0)
			break;
		if (whole && p[used] == 'R') {
			pgsql_auth(st, s, p + used + 5, len - 5);
		} else if (whole && p[used] == 'E') {
			/* An error ends the login, and the connection. */
			session_credential_outcome(
			    s, st->cred, OUTCOME_REJECTED);
			s->done = true;
		}
		used += len;
	}
	if (st->lost[DIR_TO_CLIENT] || s->done)
		return n;
	return used;
}

static void *
pgsql_create(struct session *s)
{
	struct pgsql *st;

	(void)s;
	st = mem_calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->cred = -1;
	return st;
}

static void
pgsql_destroy(void *state)
{
	mem_free(state);
}

static size_t
pgsql_parse(void *state, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts, unsigned int flags)
{
	struct pgsql *st = state;
	size_t take;

	/* The rest of an oversized message goes by unread. */
	take = (size_t)MIN((uint64_t)n, st->skip[d]);
	st->skip[d] -= take;
	if (take == n || st->lost[d])
		return n;
	if (d == DIR_TO_SERVER)
		return take +
		    pgsql_client(st, s, p + take, n - take, ts,
			(flags & PARSE_FULL) != 0);
	return take + pgsql_server(st, s, p + take, n - take);
}

/*
 * Bytes lost inside a message being skipped shorten the skip; any other
 * loss leaves no way to find the next message in a binary stream, and the
 * login happens at the start anyway: that direction is no longer read.
 */
static void
pgsql_gap(void *state, struct session *s, enum dir d, uint64_t len)
{
	struct pgsql *st = state;

	if (len > 0 && len <= st->skip[d]) {
		st->skip[d] -= len;
		return;
	}
	st->skip[d] = 0;
	pgsql_lose(st, s, d, false);
}

/* A login without a verdict keeps its unknown outcome. */
static void
pgsql_end(void *state, struct session *s)
{
	(void)state;
	(void)s;
}

const struct analyzer pgsql_analyzer = {
	.name = "pgsql",
	.bufmax = PGSQL_BUFMAX,
	.create = pgsql_create,
	.parse = pgsql_parse,
	.gap = pgsql_gap,
	.end = pgsql_end,
	.destroy = pgsql_destroy,
};
