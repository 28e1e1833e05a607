/*
 * ldap.c - LDAP analyzer: bind logins and StartTLS.
 *
 * Follows RFC 4511 (the LDAPMessage envelope section 4.1.1, BindRequest
 * and BindResponse sections 4.2 and 4.2.2, ExtendedRequest and
 * ExtendedResponse section 4.12, StartTLS section 4.14), RFC 4513 (simple
 * binds section 5.1, SASL binds section 5.2) and RFC 4512 section 5.1
 * (supportedExtension in the root DSE).  Messages are BER (X.690 section
 * 8) with definite lengths only (RFC 4511 section 5.1).
 *
 * A message is read once it is whole: nothing is consumed until then, so
 * the engine keeps its bytes, up to LDAP_MSG_MAX; a longer one is skipped
 * by its length without being buffered.  The BER reader is bounded by the
 * message it is given and reads a fixed structure, never recursing: a
 * length that overruns what holds it makes the message garbage.
 *
 * Binds are matched to their responses by messageID.  A simple bind is
 * recorded with its DN as the user name; a SASL bind by its mechanism,
 * through sasl.c for the mechanisms it knows and here for GSS-SPNEGO,
 * which carries NTLM or Kerberos.  No password or SASL credential is kept.
 */
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/sasl.h"
#include "mem.h"
#include "util.h"

#define LDAP_MSG_MAX 65536        /* whole messages up to this are read */
#define LDAP_RESYNC_MAX (1 << 20) /* longest message a search believes */
#define LDAP_OPS_MAX 16           /* requests awaiting a response */
#define LDAP_SASL_RAW_MAX 12288   /* credentials sasl.c can decode */
#define LDAP_B64_MAX (LDAP_SASL_RAW_MAX / 3 * 4 + 4)
#define LDAP_PROBE_MIN 5 /* messageID and protocolOp headers */

/* Identifier octets (X.690 section 8.1.2) of what is read. */
#define BER_INTEGER 0x02
#define BER_OCTETS 0x04
#define BER_ENUMERATED 0x0a
#define BER_SEQUENCE 0x30
#define BER_SET 0x31

/* protocolOp choices (RFC 4511 section 4.2 and on), with their tags. */
#define LDAP_BIND_REQUEST 0x60
#define LDAP_BIND_RESPONSE 0x61
#define LDAP_SEARCH_ENTRY 0x64
#define LDAP_EXT_REQUEST 0x77
#define LDAP_EXT_RESPONSE 0x78

/* AuthenticationChoice (RFC 4511 section 4.2); [11] is Microsoft's. */
#define LDAP_AUTH_SIMPLE 0x80
#define LDAP_AUTH_SASL 0xa3
#define LDAP_AUTH_SICILY 0x8b /* sicilyResponse: an NTLM AUTHENTICATE */

#define LDAP_EXT_NAME 0x80 /* ExtendedRequest requestName [0] */

/* resultCode values (RFC 4511 appendix A). */
#define LDAP_SUCCESS 0
#define LDAP_SASL_IN_PROGRESS 14

static const char ldap_starttls_oid[] = "1.3.6.1.4.1.1466.20037";

/* Every protocolOp tag of RFC 4511, for finding a message after a loss. */
static const uint8_t ldap_ops[] = { 0x60, 0x61, 0x42, 0x63, 0x64, 0x65, 0x73,
	0x66, 0x67, 0x68, 0x69, 0x4a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x50, 0x77,
	0x78, 0x79 };

/* NTLM messages ([MS-NLMP] section 2.2.1). */
static const uint8_t ntlm_sig[8] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0 };
#define NTLM_TYPE_OFF 8
#define NTLM_DOMAIN_OFF 28
#define NTLM_USER_OFF 36
#define NTLM_FLAGS_OFF 60
#define NTLM_UNICODE 0x00000001u
#define NTLM_AUTHENTICATE 3

enum ber_res {
	BER_OK,
	BER_MORE, /* the bytes end before the header does */
	BER_BAD,
};

/* A bounded cursor over the content of one constructed value. */
struct ber {
	const uint8_t *p;
	size_t n;
	size_t off;
};

/* One value: its identifier octet and content. */
struct ber_tlv {
	uint8_t id;
	const uint8_t *v;
	size_t len;
};

/* What a response answers. */
enum ldap_opkind {
	LDAP_OP_BIND,     /* a simple or sicily bind: cred says which login */
	LDAP_OP_SASL,     /* a step of the SASL exchange */
	LDAP_OP_STARTTLS, /* the StartTLS extended operation */
};

struct ldap_op {
	uint32_t msgid;
	uint8_t kind; /* enum ldap_opkind */
	int16_t cred; /* credential index, or -1 */
};

struct ldap {
	struct ldap_op ops[LDAP_OPS_MAX]; /* oldest first */
	unsigned int nops;

	uint64_t skip[2]; /* bytes still to skip of an oversize message */
	uint64_t want[2]; /* length of the message waiting to be whole */
	uint64_t have[2]; /* its bytes the engine holds */
	bool resync[2];   /* looking for a message start after a loss */

	bool server_seen; /* any byte from the server yet */
	bool srv_gap;     /* server bytes were lost */
	bool starttls_pending;
	bool tls_go; /* the server agreed to start TLS */

	/* The SASL exchange in progress (RFC 4513 section 5.2.1). */
	char mech[CRED_MECH_MAX]; /* its mechanism, upper case; "" if none */
	bool in_progress;         /* the server said saslBindInProgress */
	struct sasl sx;           /* for the mechanisms sasl.c knows */
	bool spnego;              /* GSS-SPNEGO, read here instead */
	bool sp_sent;             /* GSS-SPNEGO: the login was recorded */
	int sp_cred;              /* its credential index */

	bool layer_possible; /* a bind that may add a security layer passed */
	bool sealed;         /* messages are wrapped by that layer: opaque */
};

/*
 * Reads the identifier and length at p[0..n) (X.690 sections 8.1.2 and
 * 8.1.3).  Refuses high tag numbers, which LDAP never uses, the
 * indefinite form (RFC 4511 section 5.1), and lengths of more than four
 * octets, which no message could fill.
 */
static enum ber_res
ber_header(
    const uint8_t *p, size_t n, uint8_t *id, size_t *hlen, uint64_t *clen)
{
	size_t nb, i;

	if (n < 2)
		return BER_MORE;
	if ((p[0] & 0x1f) == 0x1f)
		return BER_BAD;
	*id = p[0];
	if (p[1] < 0x80) {
		*hlen = 2;
		*clen = p[1];
		return BER_OK;
	}
	nb = p[1] & 0x7f;
	if (nb == 0 || nb > 4)
		return BER_BAD;
	if (n < 2 + nb)
		return BER_MORE;
	*clen = 0;
	for (i = 0; i < nb; i++)
		*clen = (*clen << 8) | p[2 + i];
	*hlen = 2 + nb;
	return BER_OK;
}

/* Reads the next value inside b; false when it is missing or overruns. */
static bool
ber_next(struct ber *b, struct ber_tlv *t)
{
	size_t hlen;
	uint64_t clen;

	if (ber_header(b->p + b->off, b->n - b->off, &t->id, &hlen, &clen) !=
	    BER_OK)
		return false;
	if (clen > b->n - b->off - hlen)
		return false;
	t->v = b->p + b->off + hlen;
	t->len = (size_t)clen;
	b->off += hlen + (size_t)clen;
	return true;
}

/* Reads the next value, which must carry identifier id. */
static bool
ber_expect(struct ber *b, uint8_t id, struct ber_tlv *t)
{
	return ber_next(b, t) && t->id == id;
}

/* A cursor over the content of t. */
static struct ber
ber_open(const struct ber_tlv *t)
{
	struct ber b = { t->v, t->len, 0 };

	return b;
}

/*
 * Reads a non-negative INTEGER or ENUMERATED below 2^32 (X.690 section
 * 8.3; messageID and resultCode are such).
 */
static bool
ber_uint(const struct ber_tlv *t, uint32_t *v)
{
	size_t i;

	if (t->len == 0 || t->len > 5 || (t->v[0] & 0x80) != 0 ||
	    (t->len == 5 && t->v[0] != 0))
		return false;
	*v = 0;
	for (i = 0; i < t->len; i++)
		*v = (*v << 8) | t->v[i];
	return true;
}

/* True when t is an OCTET STRING equal to word, ignoring ASCII case. */
static bool
ber_equal(const struct ber_tlv *t, const char *word)
{
	return ascii_equal(t->v, t->len, word);
}

static void
ldap_push(struct ldap *st, struct session *s, uint32_t msgid,
    enum ldap_opkind kind, int cred)
{
	struct ldap_op *o;

	/* The oldest request is forgotten: its response was likely lost. */
	if (st->nops == LDAP_OPS_MAX) {
		s->anomalies |= SESSION_ANOM_PIPELINE_OVERFLOW;
		st->nops--;
		memmove(st->ops, st->ops + 1, sizeof(st->ops[0]) * st->nops);
	}
	o = &st->ops[st->nops++];
	o->msgid = msgid;
	o->kind = (uint8_t)kind;
	o->cred = (int16_t)cred;
}

/* Takes the request with messageID msgid into *o; false if none waits. */
static bool
ldap_take(struct ldap *st, uint32_t msgid, struct ldap_op *o)
{
	unsigned int i;

	for (i = 0; i < st->nops; i++) {
		if (st->ops[i].msgid != msgid)
			continue;
		*o = st->ops[i];
		st->nops--;
		memmove(st->ops + i, st->ops + i + 1,
		    sizeof(st->ops[0]) * (st->nops - i));
		return true;
	}
	return false;
}

/* Encodes p[0..n) as base64 (RFC 4648 section 4) into out; the length. */
static size_t
ldap_b64(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[o++] = digits[(v >> 18) & 0x3f];
		out[o++] = digits[(v >> 12) & 0x3f];
		out[o++] = (char)(i + 1 < n ? digits[(v >> 6) & 0x3f] : '=');
		out[o++] = (char)(i + 2 < n ? digits[v & 0x3f] : '=');
	}
	return o;
}

static uint32_t
ldap_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	    ((uint32_t)p[3] << 24);
}

/*
 * Appends the NTLM string whose security buffer ([MS-NLMP] 2.2.1.3: a
 * 16-bit length, a 16-bit maximum, a 32-bit offset) is at m[at..at+8).
 * Characters outside printable ASCII become '?'.
 */
static void
ntlm_append(const uint8_t *m, size_t len, size_t at, bool unicode, char *out,
    size_t *olen)
{
	size_t off, flen, i, step = unicode ? 2 : 1;
	uint8_t c;

	if (len < at + 8)
		return;
	flen = (size_t)(m[at] | (m[at + 1] << 8));
	off = ldap_le32(m + at + 4);
	if (off > len || flen > len - off)
		return;
	for (i = 0; i + step <= flen && *olen + 1 < CRED_USER_MAX; i += step) {
		c = m[off + i];
		if (unicode && m[off + i + 1] != 0)
			c = '?';
		out[(*olen)++] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
	}
}

/*
 * Finds an NTLM message in p[0..n), bare or inside SPNEGO tokens, and
 * returns its type (0 when there is none), with the "domain\user" of an
 * AUTHENTICATE message in out.
 */
static uint32_t
ntlm_read(const uint8_t *p, size_t n, char *out, size_t *olen)
{
	const uint8_t *m = memmem(p, n, ntlm_sig, sizeof(ntlm_sig));
	size_t len, dlen;
	bool unicode = true;

	*olen = 0;
	if (m == NULL)
		return 0;
	len = n - (size_t)(m - p);
	if (len < NTLM_TYPE_OFF + 4)
		return 0;
	if (ldap_le32(m + NTLM_TYPE_OFF) != NTLM_AUTHENTICATE)
		return ldap_le32(m + NTLM_TYPE_OFF);

	/* Messages from before NTLMv2 may stop short of the flags. */
	if (len >= NTLM_FLAGS_OFF + 4)
		unicode = (ldap_le32(m + NTLM_FLAGS_OFF) & NTLM_UNICODE) != 0;
	ntlm_append(m, len, NTLM_DOMAIN_OFF, unicode, out, olen);
	dlen = *olen;
	if (dlen > 0 && dlen + 1 < CRED_USER_MAX)
		out[(*olen)++] = '\\';
	ntlm_append(m, len, NTLM_USER_OFF, unicode, out, olen);
	return NTLM_AUTHENTICATE;
}

/* Copies a SASL mechanism name as sasl.c keys it: upper case, cut. */
static void
ldap_mech_name(const struct ber_tlv *t, char *out)
{
	size_t i;
	uint8_t c;

	for (i = 0; i < t->len && i + 1 < CRED_MECH_MAX; i++) {
		c = t->v[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '_'))
			break;
		out[i] = (char)(c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c);
	}
	out[i] = '\0';
	if (i == 0)
		memcpy(out, "UNKNOWN", sizeof("UNKNOWN"));
}

/* Drops the SASL exchange in progress, wiping what it held. */
static void
ldap_sasl_reset(struct ldap *st)
{
	sasl_reset(&st->sx);
	st->mech[0] = '\0';
	st->in_progress = false;
	st->spnego = false;
	st->sp_sent = false;
	st->sp_cred = -1;
}

/* True once the exchange in progress has sent its secret. */
static bool
ldap_sasl_sent(const struct ldap *st)
{
	return st->spnego ? st->sp_sent : sasl_sent(&st->sx);
}

/*
 * True when a SASL bind with mechanism mech continues the exchange in
 * progress: RFC 4513 section 5.2.1.2 repeats the mechanism on every
 * step, after a saslBindInProgress; without the server's responses, a
 * step is taken to continue until the secret went by.
 */
static bool
ldap_sasl_continues(const struct ldap *st, const char *mech)
{
	return st->mech[0] != '\0' && strcmp(st->mech, mech) == 0 &&
	    (st->in_progress || !ldap_sasl_sent(st));
}

/* Begins an exchange with mechanism mech. */
static void
ldap_sasl_begin(struct ldap *st, const char *mech)
{
	ldap_sasl_reset(st);
	memcpy(st->mech, mech, strlen(mech) + 1);
	st->spnego = strcmp(mech, "GSS-SPNEGO") == 0;
	if (!st->spnego)
		sasl_start(&st->sx, (const uint8_t *)mech, strlen(mech));
}

/*
 * A GSS-SPNEGO step (RFC 4178 tokens, or bare NTLM as Active Directory
 * accepts): an NTLM AUTHENTICATE message is open to offline guessing; a
 * first token without NTLM is Kerberos, which exposes nothing reusable.
 * XXX: a first token that only lists mechanisms, before an NTLM
 * exchange, is taken for Kerberos and the NTLM login goes unrecorded.
 */
static void
ldap_spnego_step(struct ldap *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	char user[CRED_USER_MAX];
	size_t ulen;
	uint32_t type;

	if (st->sp_sent)
		return;
	type = ntlm_read(p, n, user, &ulen);
	if (type == NTLM_AUTHENTICATE)
		st->sp_cred = session_add_credential(
		    s, ts, st->mech, user, ulen, EXPOSURE_CRACKABLE);
	else if (type == 0)
		st->sp_cred = session_add_credential(
		    s, ts, st->mech, "", 0, EXPOSURE_NONE);
	else
		return;
	st->sp_sent = true;
}

/*
 * Hands raw SASL credentials to sasl.c, which takes the base64 text that
 * mail protocols carry.  The encoded copy is wiped.
 */
static void
ldap_sasl_client(struct ldap *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	char b64[LDAP_B64_MAX];
	size_t len;

	if (n > LDAP_SASL_RAW_MAX) {
		(void)sasl_client(&st->sx, s, ts, NULL, 0);
		return;
	}
	if (n == 0) {
		(void)sasl_client(&st->sx, s, ts, (const uint8_t *)"=", 1);
		return;
	}
	len = ldap_b64(p, n, b64);
	(void)sasl_client(&st->sx, s, ts, (const uint8_t *)b64, len);
	explicit_bzero(b64, len);
}

/*
 * BindRequest with SaslCredentials (RFC 4511 section 4.2): mechanism,
 * and credentials unless the step has none.  EXTERNAL usually has none
 * and is a login all the same.
 */
static void
ldap_bind_sasl(struct ldap *st, struct session *s, uint32_t msgid,
    const struct ber_tlv *auth, const struct timeval *ts)
{
	struct ber b = ber_open(auth);
	struct ber_tlv mech, cred;
	char name[CRED_MECH_MAX];
	bool have;

	if (!ber_expect(&b, BER_OCTETS, &mech)) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		return;
	}
	have = ber_expect(&b, BER_OCTETS, &cred);
	ldap_mech_name(&mech, name);
	if (!ldap_sasl_continues(st, name))
		ldap_sasl_begin(st, name);
	st->in_progress = false;

	if (st->spnego && have)
		ldap_spnego_step(st, s, cred.v, cred.len, ts);
	else if (!st->spnego && have)
		ldap_sasl_client(st, s, cred.v, cred.len, ts);
	else if (strcmp(name, "EXTERNAL") == 0 ||
	    strcmp(name, "ANONYMOUS") == 0)
		ldap_sasl_client(st, s, NULL, 0, ts);
	ldap_push(st, s, msgid, LDAP_OP_SASL, -1);
}

/*
 * Simple bind (RFC 4513 section 5.1): an empty name and password is an
 * anonymous bind, and no login; a name with an empty password is an
 * unauthenticated bind, recorded with exposure none since no secret
 * crossed; otherwise the password crossed in clear.
 */
static void
ldap_bind_simple(struct ldap *st, struct session *s, uint32_t msgid,
    const struct ber_tlv *dn, const struct ber_tlv *pw,
    const struct timeval *ts)
{
	int cred = -1;

	if (dn->len > 0 || pw->len > 0)
		cred = session_add_credential(s, ts, "SIMPLE",
		    (const char *)dn->v, dn->len,
		    pw->len == 0 ? EXPOSURE_NONE : EXPOSURE_CLEARTEXT);
	ldap_push(st, s, msgid, LDAP_OP_BIND, cred);
}

/*
 * Microsoft's sicilyResponse carries an NTLM AUTHENTICATE message in
 * place of a password, open to offline guessing.
 */
static void
ldap_bind_sicily(struct ldap *st, struct session *s, uint32_t msgid,
    const struct ber_tlv *auth, const struct timeval *ts)
{
	char user[CRED_USER_MAX];
	size_t ulen;
	int cred = -1;

	if (ntlm_read(auth->v, auth->len, user, &ulen) == NTLM_AUTHENTICATE)
		cred = session_add_credential(
		    s, ts, "NTLM", user, ulen, EXPOSURE_CRACKABLE);
	ldap_push(st, s, msgid, LDAP_OP_BIND, cred);
}

/* BindRequest (RFC 4511 section 4.2): version, name, authentication. */
static void
ldap_bind(struct ldap *st, struct session *s, uint32_t msgid,
    const struct ber_tlv *op, const struct timeval *ts)
{
	struct ber b = ber_open(op);
	struct ber_tlv version, name, auth;

	if (!ber_expect(&b, BER_INTEGER, &version) ||
	    !ber_expect(&b, BER_OCTETS, &name) || !ber_next(&b, &auth)) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		return;
	}

	/* Any other bind abandons a SASL exchange (section 4.2.1). */
	if (auth.id != LDAP_AUTH_SASL)
		ldap_sasl_reset(st);
	switch (auth.id) {
	case LDAP_AUTH_SIMPLE:
		ldap_bind_simple(st, s, msgid, &name, &auth, ts);
		break;
	case LDAP_AUTH_SASL:
		ldap_bind_sasl(st, s, msgid, &auth, ts);
		break;
	case LDAP_AUTH_SICILY:
		ldap_bind_sicily(st, s, msgid, &auth, ts);
		break;
	default:
		break;
	}
}

/* ExtendedRequest (RFC 4511 section 4.12): only StartTLS matters. */
static void
ldap_extended(struct ldap *st, struct session *s, uint32_t msgid,
    const struct ber_tlv *op, const struct timeval *ts)
{
	struct ber b = ber_open(op);
	struct ber_tlv name;

	if (!ber_expect(&b, LDAP_EXT_NAME, &name)) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		return;
	}
	if (!ber_equal(&name, ldap_starttls_oid))
		return;
	s->starttls_attempted = true;
	s->starttls_seen = *ts;
	st->starttls_pending = true;
	ldap_push(st, s, msgid, LDAP_OP_STARTTLS, -1);
}

/* A client's request: binds and extended operations are read. */
static void
ldap_request(struct ldap *st, struct session *s, uint32_t msgid,
    const struct ber_tlv *op, const struct timeval *ts)
{
	/* Once the server agreed to TLS, any request in clear is a leak. */
	if (st->tls_go)
		s->cleartext_after_tls = true;
	if (op->id == LDAP_BIND_REQUEST)
		ldap_bind(st, s, msgid, op, ts);
	else if (op->id == LDAP_EXT_REQUEST)
		ldap_extended(st, s, msgid, op, ts);
}

/*
 * The response to StartTLS: success goes ahead (RFC 4511 section
 * 4.14.2), any other result refuses.
 */
static void
ldap_starttls_done(struct ldap *st, struct session *s, uint32_t rc)
{
	st->starttls_pending = false;
	if (rc != LDAP_SUCCESS) {
		s->starttls_result = STARTTLS_RESULT_REFUSED;
		return;
	}
	s->starttls_accepted = true;
	s->starttls_result = STARTTLS_RESULT_NONE;
	s->switch_to = &tls_analyzer;
	st->tls_go = true;
	st->nops = 0;
}

/*
 * True for the mechanisms that may negotiate a security layer (RFC 4422
 * section 3.7): GSSAPI (RFC 4752 section 3.3), GSS-SPNEGO, DIGEST-MD5
 * (RFC 2831 section 2.3).  Active Directory seals LDAP so by default.
 */
static bool
ldap_mech_layers(const char *mech)
{
	return strcmp(mech, "GSSAPI") == 0 || strcmp(mech, "GSS-SPNEGO") == 0 ||
	    strcmp(mech, "DIGEST-MD5") == 0;
}

/* The final response to a SASL exchange settles its login. */
static void
ldap_sasl_done(struct ldap *st, struct session *s, uint32_t rc)
{
	enum outcome o =
	    rc == LDAP_SUCCESS ? OUTCOME_ACCEPTED : OUTCOME_REJECTED;

	if (rc == LDAP_SASL_IN_PROGRESS) {
		st->in_progress = true;
		return;
	}
	if (rc == LDAP_SUCCESS && ldap_mech_layers(st->mech))
		st->layer_possible = true;
	if (st->spnego)
		session_credential_outcome(s, st->sp_cred, o);
	else
		sasl_finish(&st->sx, s, o);
	ldap_sasl_reset(st);
}

/*
 * BindResponse or ExtendedResponse: its resultCode, the first component
 * of LDAPResult (RFC 4511 section 4.1.9), settles the matching request.
 */
static void
ldap_result(struct ldap *st, struct session *s, uint32_t msgid,
    const struct ber_tlv *op)
{
	struct ber b = ber_open(op);
	struct ber_tlv code;
	struct ldap_op o;
	uint32_t rc;

	if (!ber_expect(&b, BER_ENUMERATED, &code) || !ber_uint(&code, &rc)) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		return;
	}
	if (!ldap_take(st, msgid, &o))
		return;
	switch ((enum ldap_opkind)o.kind) {
	case LDAP_OP_BIND:
		session_credential_outcome(s, o.cred,
		    rc == LDAP_SUCCESS ? OUTCOME_ACCEPTED : OUTCOME_REJECTED);
		break;
	case LDAP_OP_SASL:
		if (op->id == LDAP_BIND_RESPONSE)
			ldap_sasl_done(st, s, rc);
		break;
	case LDAP_OP_STARTTLS:
		if (op->id == LDAP_EXT_RESPONSE)
			ldap_starttls_done(st, s, rc);
		break;
	}
}

/* True when the SET of values vals holds the StartTLS OID. */
static bool
ldap_lists_starttls(const struct ber_tlv *vals)
{
	struct ber b = ber_open(vals);
	struct ber_tlv v;

	while (ber_expect(&b, BER_OCTETS, &v)) {
		if (ber_equal(&v, ldap_starttls_oid))
			return true;
	}
	return false;
}

/*
 * SearchResultEntry (RFC 4511 section 4.5.2): the root DSE's
 * supportedExtension (RFC 4512 section 5.1.5) is LDAP's capability list.
 * An offer, once seen, stands.
 */
static void
ldap_entry(struct session *s, const struct ber_tlv *op)
{
	struct ber b = ber_open(op), attrs, attr;
	struct ber_tlv dn, list, one, type, vals;

	if (!ber_expect(&b, BER_OCTETS, &dn) ||
	    !ber_expect(&b, BER_SEQUENCE, &list))
		return;
	attrs = ber_open(&list);
	while (ber_expect(&attrs, BER_SEQUENCE, &one)) {
		attr = ber_open(&one);
		if (!ber_expect(&attr, BER_OCTETS, &type) ||
		    !ber_equal(&type, "supportedExtension") ||
		    !ber_expect(&attr, BER_SET, &vals))
			continue;
		if (ldap_lists_starttls(&vals))
			s->starttls_offered = 1;
		else if (s->starttls_offered != 1)
			s->starttls_offered = 0;
	}
}

/*
 * One whole LDAPMessage, m[0..len) being the content of its SEQUENCE:
 * messageID, protocolOp, and controls, which are not read.
 */
static void
ldap_message(struct ldap *st, struct session *s, enum dir d, const uint8_t *m,
    size_t len, const struct timeval *ts)
{
	struct ber b = { m, len, 0 };
	struct ber_tlv id, op;
	uint32_t msgid;

	if (!ber_expect(&b, BER_INTEGER, &id) || !ber_uint(&id, &msgid) ||
	    !ber_next(&b, &op)) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		return;
	}
	if (d == DIR_TO_SERVER)
		ldap_request(st, s, msgid, &op, ts);
	else if (op.id == LDAP_BIND_RESPONSE || op.id == LDAP_EXT_RESPONSE)
		ldap_result(st, s, msgid, &op);
	else if (op.id == LDAP_SEARCH_ENTRY)
		ldap_entry(s, &op);
}

/* True for a protocolOp tag of RFC 4511. */
static bool
ldap_known_op(uint8_t id)
{
	size_t i;

	for (i = 0; i < sizeof(ldap_ops); i++) {
		if (ldap_ops[i] == id)
			return true;
	}
	return false;
}

/*
 * Whether p[0..n) starts like an LDAPMessage: a SEQUENCE of believable
 * length holding a messageID INTEGER and a known protocolOp that fit in
 * it.  BER_MORE when the bytes end before that is known.
 */
static enum ber_res
ldap_probe(const uint8_t *p, size_t n)
{
	size_t h1, h2, h3;
	uint64_t l1, l2, l3;
	uint8_t id;
	enum ber_res r;

	if (p[0] != BER_SEQUENCE)
		return BER_BAD;
	r = ber_header(p, n, &id, &h1, &l1);
	if (r != BER_OK)
		return r;
	if (l1 < LDAP_PROBE_MIN || l1 > LDAP_RESYNC_MAX)
		return BER_BAD;
	r = ber_header(p + h1, n - h1, &id, &h2, &l2);
	if (r != BER_OK)
		return r;
	if (id != BER_INTEGER || l2 == 0 || l2 > 5)
		return BER_BAD;
	if (n < h1 + h2 + l2)
		return BER_MORE;
	r = ber_header(p + h1 + h2 + l2, n - h1 - h2 - l2, &id, &h3, &l3);
	if (r != BER_OK)
		return r;
	if (!ldap_known_op(id) || h2 + l2 + h3 + l3 > l1)
		return BER_BAD;
	return BER_OK;
}

/*
 * After a loss, skips to the first place that starts like a message.
 * Returns the bytes skipped; stops short of a start it cannot judge yet.
 */
static size_t
ldap_resync(struct ldap *st, enum dir d, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (ldap_probe(p + i, n - i)) {
		case BER_OK:
			if (i == 0)
				st->resync[d] = false;
			return i;
		case BER_MORE:
			return i;
		case BER_BAD:
			break;
		}
	}
	return n;
}

/* Skips bytes of a message too long to read. */
static size_t
ldap_skip(struct ldap *st, enum dir d, size_t n)
{
	size_t take = n;

	if ((uint64_t)take > st->skip[d])
		take = (size_t)st->skip[d];
	st->skip[d] -= take;
	return take;
}

/*
 * Reads one message at p[0..n), or as much of a skip or a search as there
 * is.  Returns the bytes consumed; 0 to wait for more.
 */
static size_t
ldap_step(struct ldap *st, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts)
{
	size_t hlen, used;
	uint64_t clen;
	uint8_t id;
	enum ber_res r;

	if (st->sealed)
		return n;
	if (st->skip[d] > 0)
		return ldap_skip(st, d, n);
	if (st->resync[d]) {
		used = ldap_resync(st, d, p, n);
		if (used > 0 || st->resync[d])
			return used;
	}

	r = ber_header(p, n, &id, &hlen, &clen);
	if (r == BER_MORE)
		return 0;
	if ((r == BER_BAD || id != BER_SEQUENCE) && st->layer_possible) {
		/* Each message now starts with a 4-octet length: opaque. */
		st->sealed = true;
		s->done = true;
		return n;
	}
	if (r == BER_BAD || id != BER_SEQUENCE) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		st->resync[d] = true;
		return ldap_resync(st, d, p, n);
	}
	/* XXX: a bind over LDAP_MSG_MAX (huge Kerberos tickets) is lost. */
	if (hlen + clen > LDAP_MSG_MAX) {
		s->anomalies |= SESSION_ANOM_LONG_LINE;
		st->skip[d] = hlen + clen;
		return ldap_skip(st, d, n);
	}
	if (hlen + clen > n) {
		st->want[d] = hlen + clen;
		st->have[d] = n;
		return 0;
	}
	st->want[d] = 0;
	ldap_message(st, s, d, p + hlen, (size_t)clen, ts);
	return hlen + (size_t)clen;
}

static size_t
ldap_parse(void *state, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts, unsigned int flags)
{
	struct ldap *st = state;
	size_t off = 0, used;

	if (d == DIR_TO_CLIENT && n > 0)
		st->server_seen = true;

	/*
	 * A TLS handshake may overtake the StartTLS response: leave it for
	 * the TLS analyzer.  With no response to wait for (one-sided
	 * capture, or responses lost), a TLS record says the server agreed.
	 * XXX: LDAP has no greeting, so a server that has not spoken yet is
	 * taken to be missing from the capture.
	 */
	if (d == DIR_TO_SERVER && st->starttls_pending && n > 0 &&
	    p[0] != BER_SEQUENCE && st->skip[d] == 0) {
		if (p[0] == 0x16 && (!st->server_seen || st->srv_gap))
			ldap_starttls_done(st, s, LDAP_SUCCESS);
		else if (flags & PARSE_FULL)
			off = n;
		if (off > 0)
			s->anomalies |= SESSION_ANOM_GARBAGE;
		return off;
	}

	while (off < n && s->switch_to == NULL) {
		used = ldap_step(st, s, d, p + off, n - off, ts);
		if (used == 0)
			break;
		off += used;
	}

	/* Nothing fits the buffer and nothing was read: drop it. */
	if (off == 0 && n > 0 && (flags & PARSE_FULL) && s->switch_to == NULL) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		st->resync[d] = true;
		off = n;
	}
	return off;
}

/*
 * Bytes were lost.  Where the lost bytes fell inside a message of known
 * length, the rest of it is skipped and the stream stays aligned;
 * otherwise the next message start is searched for.
 */
static void
ldap_gap(void *state, struct session *s, enum dir d, uint64_t len)
{
	struct ldap *st = state;

	(void)s;
	if (d == DIR_TO_CLIENT)
		st->srv_gap = true;
	if (len > 0 && st->skip[d] >= len) {
		st->skip[d] -= len;
		return;
	}
	if (len > 0 && st->skip[d] == 0 && st->want[d] > 0 &&
	    st->have[d] + len <= st->want[d]) {
		st->skip[d] = st->want[d] - st->have[d] - len;
		st->want[d] = 0;
		return;
	}
	st->skip[d] = 0;
	st->want[d] = 0;
	st->resync[d] = true;
}

static void
ldap_end(void *state, struct session *s)
{
	struct ldap *st = state;

	(void)s;
	ldap_sasl_reset(st);
}

static void *
ldap_create(struct session *s)
{
	struct ldap *st;

	(void)s;
	st = mem_calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	ldap_sasl_reset(st);
	return st;
}

static void
ldap_destroy(void *state)
{
	struct ldap *st = state;

	if (st == NULL)
		return;
	explicit_bzero(st, sizeof(*st));
	mem_free(st);
}

const struct analyzer ldap_analyzer = {
	.name = "ldap",
	.bufmax = LDAP_MSG_MAX,
	.create = ldap_create,
	.parse = ldap_parse,
	.gap = ldap_gap,
	.end = ldap_end,
	.destroy = ldap_destroy,
};
