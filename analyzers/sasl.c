/*
 * sasl.c - which SASL client message gives a login away, and whose login
 * it is (RFC 4422).
 *
 * Where each mechanism puts the user name and the secret:
 *   PLAIN        RFC 4616 section 2: authzid NUL authcid NUL passwd
 *   LOGIN        draft-murchison-sasl-login-00 section 2: the user name,
 *                then the password, each a message of its own
 *   CRAM-MD5     RFC 2195 section 2: "user hexdigest"
 *   DIGEST-MD5   RFC 2831 section 2.1.2: username="..." in the response
 *   NTLM         [MS-NLMP] section 2.2.1.3: AUTHENTICATE_MESSAGE fields
 *   XOAUTH2      Google's XOAUTH2 format: "user=" ^A "auth=Bearer " ^A ^A
 *   OAUTHBEARER  RFC 7628 section 3.1: GS2 header "n,a=user,", token
 *   SCRAM-*      RFC 5802 section 7: "n,,n=user,r=..." then the proof
 *   GSSAPI       RFC 4752: a Kerberos token, no readable name
 *   EXTERNAL     RFC 4422 appendix A: the authorization identity only
 *   ANONYMOUS    RFC 4505: trace information only
 *
 * A message is decoded into a buffer on the stack, read, and wiped before
 * the function returns; only user names are kept.
 */
#include "analyzers/sasl.h"

#include <string.h>

#include "util.h"

/* Decoded messages longer than this are counted but not read. */
#define SASL_MSG_MAX 12288

/* The fixed part of an NTLM AUTHENTICATE_MESSAGE ([MS-NLMP] 2.2.1.3). */
#define NTLM_SIG_LEN 8
#define NTLM_TYPE_OFF 8
#define NTLM_DOMAIN_OFF 28
#define NTLM_USER_OFF 36
#define NTLM_FLAGS_OFF 60
#define NTLM_NEGOTIATE_UNICODE 0x00000001u

struct sasl_mechdef {
	const char *name;
	bool prefix; /* name is a family prefix, such as "SCRAM-" */
	enum sasl_mech kind;
	enum exposure exposure;
};

static const struct sasl_mechdef sasl_mechs[] = {
	{ "PLAIN", false, SASL_MECH_PLAIN, EXPOSURE_CLEARTEXT },
	{ "LOGIN", false, SASL_MECH_LOGIN, EXPOSURE_CLEARTEXT },
	{ "CRAM-", true, SASL_MECH_CRAM, EXPOSURE_CRACKABLE },
	{ "DIGEST-MD5", false, SASL_MECH_DIGEST, EXPOSURE_CRACKABLE },
	{ "NTLM", false, SASL_MECH_NTLM, EXPOSURE_CRACKABLE },
	{ "XOAUTH2", false, SASL_MECH_XOAUTH2, EXPOSURE_TOKEN },
	{ "OAUTHBEARER", false, SASL_MECH_OAUTHBEARER, EXPOSURE_TOKEN },
	{ "SCRAM-", true, SASL_MECH_SCRAM, EXPOSURE_NONE },
	{ "GSSAPI", false, SASL_MECH_GSSAPI, EXPOSURE_NONE },
	{ "EXTERNAL", false, SASL_MECH_EXTERNAL, EXPOSURE_NONE },
	{ "ANONYMOUS", false, SASL_MECH_ANONYMOUS, EXPOSURE_NONE },
};

/* Logins that are not SASL mechanisms but are recorded the same way. */
static const struct sasl_mechdef sasl_logins[] = {
	{ "USER", false, SASL_MECH_UNKNOWN, EXPOSURE_CLEARTEXT },
	{ "APOP", false, SASL_MECH_UNKNOWN, EXPOSURE_CRACKABLE },
};

/* The entry of table t (size n) naming mech, or NULL. */
static const struct sasl_mechdef *
sasl_lookup(const struct sasl_mechdef *t, size_t n, const char *mech)
{
	size_t i, len;

	for (i = 0; i < n; i++) {
		len = strlen(t[i].name);
		if (t[i].prefix && strlen(mech) > len &&
		    strncmp(mech, t[i].name, len) == 0)
			return &t[i];
		if (!t[i].prefix && strcmp(mech, t[i].name) == 0)
			return &t[i];
	}
	return NULL;
}

enum exposure
sasl_exposure(const char *mech)
{
	const struct sasl_mechdef *d;

	d = sasl_lookup(sasl_mechs, ARRAY_SIZE(sasl_mechs), mech);
	if (d == NULL)
		d = sasl_lookup(sasl_logins, ARRAY_SIZE(sasl_logins), mech);
	return d == NULL ? EXPOSURE_UNKNOWN : d->exposure;
}

void
sasl_reset(struct sasl *x)
{
	explicit_bzero(x, sizeof(*x));
	x->cred = -1;
}

/* True for the characters of a mechanism name (RFC 4422 section 3.1). */
static bool
sasl_namechar(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

void
sasl_start(struct sasl *x, const uint8_t *p, size_t n)
{
	const struct sasl_mechdef *d;
	size_t i;

	sasl_reset(x);
	for (i = 0; i < n && i + 1 < sizeof(x->mech) && sasl_namechar(p[i]);
	     i++) {
		x->mech[i] = (char)p[i];
		if (x->mech[i] >= 'a' && x->mech[i] <= 'z')
			x->mech[i] = (char)(x->mech[i] - ('a' - 'A'));
	}
	x->mech[i] = '\0';
	if (i == 0)
		memcpy(x->mech, "UNKNOWN", sizeof("UNKNOWN"));

	d = sasl_lookup(sasl_mechs, ARRAY_SIZE(sasl_mechs), x->mech);
	x->kind = d == NULL ? SASL_MECH_UNKNOWN : d->kind;
	x->active = true;
}

bool
sasl_active(const struct sasl *x)
{
	return x->active;
}

bool
sasl_sent(const struct sasl *x)
{
	return x->sent;
}

/* Appends byte c to a user name of capacity CRED_USER_MAX. */
static void
sasl_put(char *out, size_t *olen, uint8_t c)
{
	if (*olen + 1 < CRED_USER_MAX) {
		out[(*olen)++] = (char)c;
		out[*olen] = '\0';
	}
}

/* Copies p[0..n) as a user name, truncated to CRED_USER_MAX. */
static void
sasl_copy(char *out, size_t *olen, const uint8_t *p, size_t n)
{
	size_t i;

	*olen = 0;
	out[0] = '\0';
	for (i = 0; i < n; i++)
		sasl_put(out, olen, p[i]);
}

/*
 * PLAIN: authzid NUL authcid NUL passwd (RFC 4616 section 2).  The login
 * is the authcid, or the authzid when a client leaves authcid empty.
 * Without two NULs the message is malformed; with none at all it may be
 * nothing but the password, so no name is taken from it.
 */
static void
sasl_plain_user(const uint8_t *m, size_t len, char *out, size_t *olen)
{
	size_t first, second;

	first = span_until(m, len, '\0');
	if (first == len)
		return;
	second = first + 1 + span_until(m + first + 1, len - first - 1, '\0');
	if (second == len || second == first + 1)
		sasl_copy(out, olen, m, first);
	else
		sasl_copy(out, olen, m + first + 1, second - first - 1);
}

/* CRAM-MD5: the name is everything before the last space (RFC 2195). */
static void
sasl_cram_user(const uint8_t *m, size_t len, char *out, size_t *olen)
{
	size_t i;

	for (i = len; i > 0; i--) {
		if (m[i - 1] == ' ') {
			sasl_copy(out, olen, m, i - 1);
			return;
		}
	}
}

/*
 * Skips one DIGEST-MD5 directive value at m[i..len), a quoted-string or a
 * token (RFC 2831 section 7.2), copying it unquoted into out when out is
 * not NULL.  Returns the offset after the value.
 */
static size_t
sasl_digest_value(
    const uint8_t *m, size_t len, size_t i, char *out, size_t *olen)
{
	bool quoted = i < len && m[i] == '"';

	if (quoted)
		i++;
	while (i < len) {
		if (quoted && m[i] == '"')
			return i + 1;
		if (!quoted && m[i] == ',')
			return i;
		if (quoted && m[i] == '\\' && i + 1 < len)
			i++;
		if (out != NULL)
			sasl_put(out, olen, m[i]);
		i++;
	}
	return i;
}

/* DIGEST-MD5: the username directive of the response (RFC 2831 2.1.2). */
static void
sasl_digest_user(const uint8_t *m, size_t len, char *out, size_t *olen)
{
	size_t i = 0, key;
	bool wanted;

	while (i < len) {
		/* Directives are separated by commas and optional blanks. */
		while (i < len &&
		    (m[i] == ',' || m[i] == ' ' || m[i] == '\t' ||
			m[i] == '\r' || m[i] == '\n'))
			i++;
		key = i;
		while (i < len && m[i] != '=' && m[i] != ',')
			i++;
		if (i >= len || m[i] != '=')
			continue;
		wanted = ascii_equal(
		    m + key, trim_end(m + key, i - key), "username");
		i = sasl_digest_value(m, len, i + 1, wanted ? out : NULL, olen);
		if (wanted)
			return;
	}
}

static uint16_t
sasl_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t
sasl_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	    ((uint32_t)p[3] << 24);
}

/* The NTLM message type of m, or 0 when m is no NTLM message. */
static uint32_t
sasl_ntlm_type(const uint8_t *m, size_t len)
{
	if (len < NTLM_TYPE_OFF + 4 || memcmp(m, "NTLMSSP", NTLM_SIG_LEN) != 0)
		return 0;
	return sasl_le32(m + NTLM_TYPE_OFF);
}

/*
 * Finds the payload of the security buffer described at m[at..at+8): a
 * 16-bit length, a 16-bit maximum and a 32-bit offset from the start of
 * the message ([MS-NLMP] 2.2.1.3).  False when it lies outside m.
 */
static bool
sasl_ntlm_field(
    const uint8_t *m, size_t len, size_t at, size_t *off, size_t *flen)
{
	uint32_t o;
	uint16_t l;

	if (len < at + 8)
		return false;
	l = sasl_le16(m + at);
	o = sasl_le32(m + at + 4);
	if (o > len || l > len - o)
		return false;
	*off = o;
	*flen = l;
	return true;
}

/*
 * Appends NTLM text: UTF-16LE when the message says so, else OEM bytes.
 * Characters outside printable ASCII become '?': the name is for people,
 * and a code page guess would be no better.
 */
static void
sasl_ntlm_text(
    const uint8_t *p, size_t n, bool unicode, char *out, size_t *olen)
{
	size_t i;
	uint16_t c;

	for (i = 0; i < n; i += unicode ? 2 : 1) {
		if (unicode && i + 1 >= n)
			break;
		c = unicode ? sasl_le16(p + i) : p[i];
		sasl_put(out, olen, c >= 0x20 && c < 0x7f ? (uint8_t)c : '?');
	}
}

/* NTLM AUTHENTICATE_MESSAGE: "domain\user", or "user" with no domain. */
static void
sasl_ntlm_user(const uint8_t *m, size_t len, char *out, size_t *olen)
{
	size_t doff, dlen, uoff, ulen;
	bool unicode = true;

	/* Messages from before NTLMv2 may stop short of the flags. */
	if (len >= NTLM_FLAGS_OFF + 4)
		unicode = (sasl_le32(m + NTLM_FLAGS_OFF) &
			      NTLM_NEGOTIATE_UNICODE) != 0;
	if (!sasl_ntlm_field(m, len, NTLM_USER_OFF, &uoff, &ulen))
		return;
	if (sasl_ntlm_field(m, len, NTLM_DOMAIN_OFF, &doff, &dlen) &&
	    dlen > 0) {
		sasl_ntlm_text(m + doff, dlen, unicode, out, olen);
		sasl_put(out, olen, '\\');
	}
	sasl_ntlm_text(m + uoff, ulen, unicode, out, olen);
}

/* XOAUTH2: the "user=" field of a ^A-separated list. */
static void
sasl_xoauth2_user(const uint8_t *m, size_t len, char *out, size_t *olen)
{
	size_t i = 0, field;

	while (i < len) {
		field = span_until(m + i, len - i, 0x01);
		if (field > 5 && memcmp(m + i, "user=", 5) == 0) {
			sasl_copy(out, olen, m + i + 5, field - 5);
			return;
		}
		i += field + 1;
	}
}

/*
 * Copies a saslname ending at the first ',' and undoes its escapes: "=2C"
 * for ',' and "=3D" for '=' (RFC 5802 section 5.1, RFC 5801 section 4).
 */
static void
sasl_saslname(const uint8_t *p, size_t n, char *out, size_t *olen)
{
	size_t i = 0;

	*olen = 0;
	out[0] = '\0';
	while (i < n && p[i] != ',') {
		if (n - i >= 3 && ascii_equal(p + i, 3, "=2C")) {
			sasl_put(out, olen, ',');
			i += 3;
		} else if (n - i >= 3 && ascii_equal(p + i, 3, "=3D")) {
			sasl_put(out, olen, '=');
			i += 3;
		} else {
			sasl_put(out, olen, p[i++]);
		}
	}
}

/*
 * Reads a GS2 header, gs2-cb-flag "," [ "a=" saslname ] "," (RFC 5801
 * section 4).  Sets *authzid to the offset of the saslname, or to len when
 * there is none; returns the offset after the header, or len when m does
 * not start with one.
 */
static size_t
sasl_gs2(const uint8_t *m, size_t len, size_t *authzid)
{
	size_t i;

	*authzid = len;
	i = span_until(m, len, ',');
	if (i == len)
		return len;
	i++;
	if (len - i >= 2 && m[i] == 'a' && m[i + 1] == '=') {
		*authzid = i + 2;
		i += 2 + span_until(m + i + 2, len - i - 2, ',');
	}
	if (i >= len || m[i] != ',')
		return len;
	return i + 1;
}

/* OAUTHBEARER: the authzid of the GS2 header (RFC 7628 section 3.1). */
static void
sasl_oauthbearer_user(const uint8_t *m, size_t len, char *out, size_t *olen)
{
	size_t a;

	(void)sasl_gs2(m, len, &a);
	if (a < len)
		sasl_saslname(m + a, len - a, out, olen);
}

/* SCRAM client-first message: the "n=" attribute after the GS2 header. */
static void
sasl_scram_user(const uint8_t *m, size_t len, char *out, size_t *olen)
{
	size_t a, i;

	i = sasl_gs2(m, len, &a);
	while (i < len) {
		if (len - i >= 2 && m[i] == 'n' && m[i + 1] == '=') {
			sasl_saslname(m + i + 2, len - i - 2, out, olen);
			return;
		}
		i += span_until(m + i, len - i, ',') + 1;
	}
}

/* LOGIN: the first message names the user, the second is the password. */
static bool
sasl_login_step(
    struct sasl *x, const uint8_t *m, size_t len, char *out, size_t *olen)
{
	if (x->nmsg == 1) {
		if (m != NULL)
			sasl_copy(x->user, &x->userlen, m, len);
		return false;
	}
	sasl_copy(out, olen, (const uint8_t *)x->user, x->userlen);
	return true;
}

/*
 * NTLM: a NEGOTIATE message may come first, often as the initial
 * response; the AUTHENTICATE message carries the responses.  A message
 * that cannot be read counts as the AUTHENTICATE one when it is the
 * second.
 */
static bool
sasl_ntlm_step(
    struct sasl *x, const uint8_t *m, size_t len, char *out, size_t *olen)
{
	uint32_t type = m == NULL ? 0 : sasl_ntlm_type(m, len);

	if (type == 3) {
		sasl_ntlm_user(m, len, out, olen);
		return true;
	}
	if (type == 1)
		return false;
	return x->nmsg >= 2;
}

/* SCRAM: the client-first message names the user, the next has the proof. */
static bool
sasl_scram_step(
    struct sasl *x, const uint8_t *m, size_t len, char *out, size_t *olen)
{
	if (x->nmsg == 1) {
		if (m != NULL)
			sasl_scram_user(m, len, x->user, &x->userlen);
		return false;
	}
	sasl_copy(out, olen, (const uint8_t *)x->user, x->userlen);
	return true;
}

/*
 * Reads one counted client message m[0..len) (m is NULL when unreadable).
 * Returns true when it carries the secret, with the user name in out.
 */
static bool
sasl_message(
    struct sasl *x, const uint8_t *m, size_t len, char *out, size_t *olen)
{
	switch (x->kind) {
	case SASL_MECH_LOGIN:
		return sasl_login_step(x, m, len, out, olen);
	case SASL_MECH_NTLM:
		return sasl_ntlm_step(x, m, len, out, olen);
	case SASL_MECH_SCRAM:
		return sasl_scram_step(x, m, len, out, olen);
	/*
	 * XXX: a GSSAPI login's principal is inside the Kerberos exchange
	 * and is not read, so it is recorded without a user name.
	 */
	case SASL_MECH_UNKNOWN:
	case SASL_MECH_GSSAPI:
	case SASL_MECH_ANONYMOUS:
		return true;
	default:
		break;
	}

	/* The single-message mechanisms differ only in where the name is. */
	if (m == NULL)
		return true;
	switch (x->kind) {
	case SASL_MECH_PLAIN:
		sasl_plain_user(m, len, out, olen);
		break;
	case SASL_MECH_CRAM:
		sasl_cram_user(m, len, out, olen);
		break;
	case SASL_MECH_DIGEST:
		sasl_digest_user(m, len, out, olen);
		break;
	case SASL_MECH_XOAUTH2:
		sasl_xoauth2_user(m, len, out, olen);
		break;
	case SASL_MECH_OAUTHBEARER:
		sasl_oauthbearer_user(m, len, out, olen);
		break;
	case SASL_MECH_EXTERNAL:
		sasl_copy(out, olen, m, len);
		break;
	default:
		break;
	}
	return true;
}

/*
 * True when an empty message counts as a step of the mechanism: LOGIN's
 * user name or password may be empty, and EXTERNAL and ANONYMOUS may say
 * nothing at all.  For the others an empty message only acknowledges a
 * challenge or stands for an absent initial response.
 */
static bool
sasl_empty_counts(enum sasl_mech kind)
{
	return kind == SASL_MECH_LOGIN || kind == SASL_MECH_EXTERNAL ||
	    kind == SASL_MECH_ANONYMOUS;
}

/* Takes one decoded message; m is NULL when it could not be read. */
static enum sasl_step
sasl_take(struct sasl *x, struct session *s, const struct timeval *ts,
    const uint8_t *m, size_t len)
{
	char user[CRED_USER_MAX];
	size_t ulen = 0;

	/* After the secret, messages only acknowledge the server. */
	if (x->sent)
		return SASL_STEP_MORE;
	if (m != NULL && len == 0 && !sasl_empty_counts(x->kind))
		return SASL_STEP_MORE;
	if (x->nmsg < UINT8_MAX)
		x->nmsg++;

	user[0] = '\0';
	if (!sasl_message(x, m, len, user, &ulen))
		return SASL_STEP_MORE;
	x->sent = true;
	x->cred = session_add_credential(
	    s, ts, x->mech, user, ulen, sasl_exposure(x->mech));
	return SASL_STEP_SENT;
}

enum sasl_step
sasl_client(struct sasl *x, struct session *s, const struct timeval *ts,
    const uint8_t *p, size_t n)
{
	uint8_t msg[SASL_MSG_MAX];
	enum sasl_step step;
	size_t start;
	long len = 0;

	if (!x->active)
		return SASL_STEP_MORE;
	if (p == NULL)
		return sasl_take(x, s, ts, NULL, 0);

	start = skip_blanks(p, n);
	p += start;
	n = trim_end(p, n - start);

	/* "*" cancels (RFC 4422 section 3.5); "=" is empty (RFC 4954 4). */
	if (n == 1 && p[0] == '*')
		return SASL_STEP_CANCEL;
	if (n == 1 && p[0] == '=')
		n = 0;
	if (n > 0)
		len = b64_decode(p, n, msg, sizeof(msg));

	if (len < 0)
		step = sasl_take(x, s, ts, NULL, 0);
	else
		step = sasl_take(x, s, ts, msg, (size_t)len);

	/* Decoding never writes more bytes than it reads. */
	explicit_bzero(msg, MIN(n, sizeof(msg)));
	return step;
}

void
sasl_outcome(struct session *s, int cred, enum outcome o)
{
	session_credential_outcome(s, cred, o);
}

void
sasl_finish(struct sasl *x, struct session *s, enum outcome o)
{
	sasl_outcome(s, x->cred, o);
	sasl_reset(x);
}

int
sasl_record(struct session *s, const struct timeval *ts, const char *mech,
    const uint8_t *user, size_t n)
{
	return session_add_credential(
	    s, ts, mech, (const char *)user, n, sasl_exposure(mech));
}
