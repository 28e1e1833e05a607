/*
 * snmp.c - SNMP analyzer: community strings and USM user names.
 *
 * SNMPv1 (RFC 1157) and SNMPv2c (RFC 1901, PDUs of RFC 3416) authenticate a
 * message with a community string sent in clear text: whoever sees one
 * request may read, or write, what that community grants.  SNMPv3 (message
 * format of RFC 3412, User-based Security Model of RFC 3414) names a user
 * and, at the authNoPriv and authPriv levels, authenticates every message
 * with an HMAC keyed from the user's password.
 *
 * Each datagram holds one message (RFC 3417 section 2), decoded with a
 * small BER reader (X.690 section 8.1) that takes only what RFC 3417
 * section 8 allows: definite lengths and primitive strings; tags above 30
 * never occur in SNMP and are refused too.  The reader never recurses: it
 * follows the fixed shape of an SNMP message, a few levels deep, so that
 * hostile nesting costs no more than reading one header.  A length that
 * runs past its container rejects the whole datagram.
 *
 * A community is recorded by the role of the PDU that carried it (read,
 * write, trap), never by its value.  Confirmed requests wait in a small
 * table for the reply with the same request-id (msgID for SNMPv3), which
 * settles the outcome.
 */
#include <string.h>

#include "analyzers/analyzer.h"
#include "mem.h"
#include "util.h"

#define SNMP_BUFMAX 65535 /* the largest UDP payload */
#define SNMP_PENDING 32   /* confirmed requests awaiting a reply */
#define SNMP_LEN_OCTETS 4 /* longest long-form length we read */

/* Message versions (RFC 3416 section 3, RFC 3412 section 6). */
#define SNMP_V1 0
#define SNMP_V2C 1
#define SNMP_V3 3

#define SNMP_USM 3 /* msgSecurityModel of RFC 3414 */

/* msgFlags bits (RFC 3412 section 6.4). */
#define SNMP_FLAG_AUTH 0x01
#define SNMP_FLAG_PRIV 0x02
#define SNMP_FLAG_REPORTABLE 0x04

/* BER universal tags (X.690 section 8) used by SNMP. */
#define BER_INTEGER 0x02
#define BER_OCTETS 0x04
#define BER_OID 0x06
#define BER_SEQUENCE 0x30

/* PDU tags: context-specific, constructed (RFC 3416 section 3). */
#define PDU_GET 0xa0
#define PDU_GETNEXT 0xa1
#define PDU_RESPONSE 0xa2
#define PDU_SET 0xa3
#define PDU_TRAP_V1 0xa4 /* RFC 1157 section 4.1.6 */
#define PDU_GETBULK 0xa5
#define PDU_INFORM 0xa6
#define PDU_TRAP_V2 0xa7
#define PDU_REPORT 0xa8
#define PDU_ENCRYPTED 0 /* an authPriv scopedPDU nobody can read */

/* error-status values that refuse access (RFC 3416 section 3). */
#define SNMP_ERR_READONLY 4
#define SNMP_ERR_NOACCESS 6
#define SNMP_ERR_AUTHORIZATION 16

/* usmStats counters named in Report PDUs (RFC 3414 section 5). */
#define USM_UNSUPPORTED_LEVEL 1
#define USM_NOT_IN_TIME 2
#define USM_UNKNOWN_USER 3
#define USM_UNKNOWN_ENGINE 4
#define USM_WRONG_DIGEST 5
#define USM_DECRYPT_ERROR 6

/* A bounded view of BER bytes: off advances through p[0..len). */
struct ber {
	const uint8_t *p;
	size_t len;
	size_t off;
};

/* What one message says, pointing into the datagram. */
struct snmp_msg {
	int64_t version;
	uint8_t pdu;         /* PDU_* tag */
	int64_t id;          /* request-id, or msgID for SNMPv3 */
	bool has_id;         /* SNMPv1 traps have no request-id */
	int64_t error;       /* error-status of a response */
	unsigned int report; /* usmStats counter of a report, 0 if none */
	uint8_t flags;       /* SNMPv3 msgFlags */
	const uint8_t *user; /* SNMPv3 msgUserName */
	size_t userlen;
};

/* What a reply says of the credential of its request. */
enum snmp_verdict {
	SNMP_VERDICT_NONE,
	SNMP_VERDICT_ACCEPTED,
	SNMP_VERDICT_REJECTED,
};

struct snmp_pending {
	bool used;
	bool v3;     /* id is a msgID, not a request-id */
	uint8_t dir; /* enum dir the request went */
	int64_t id;
	int cred; /* index of its credential in the session */
};

struct snmp {
	struct snmp_pending pending[SNMP_PENDING];
	unsigned int next; /* slot the next request takes */
};

/*
 * Reads the TLV at b's offset into tag and val (X.690 section 8.1.2 and
 * 8.1.3) and steps over it.  Returns -1, leaving b as it was, for a
 * high tag number, an indefinite or reserved length, or a value that runs
 * past b's end.
 */
static int
ber_next(struct ber *b, uint8_t *tag, struct ber *val)
{
	size_t off = b->off, vlen, k, i;

	if (b->len - off < 2)
		return -1;
	*tag = b->p[off++];
	if ((*tag & 0x1f) == 0x1f)
		return -1;
	vlen = b->p[off++];
	if (vlen & 0x80) {
		/* 0x80 is the indefinite form RFC 3417 section 8 forbids. */
		k = vlen & 0x7f;
		if (k == 0 || k > SNMP_LEN_OCTETS || b->len - off < k)
			return -1;
		for (vlen = 0, i = 0; i < k; i++)
			vlen = vlen << 8 | b->p[off++];
	}
	if (vlen > b->len - off)
		return -1;
	val->p = b->p + off;
	val->len = vlen;
	val->off = 0;
	b->off = off + vlen;
	return 0;
}

/* Reads a TLV that must carry tag want. */
static int
ber_expect(struct ber *b, uint8_t want, struct ber *val)
{
	uint8_t tag;

	if (ber_next(b, &tag, val) != 0 || tag != want)
		return -1;
	return 0;
}

/*
 * Reads an INTEGER (X.690 section 8.3): two's complement, big-endian, at
 * most 8 octets here (SNMP integers have 32 bits, plus a sign octet).
 */
static int
ber_integer(struct ber *b, int64_t *v)
{
	struct ber val;
	uint64_t u;
	size_t i;

	if (ber_expect(b, BER_INTEGER, &val) != 0 || val.len == 0 ||
	    val.len > 8)
		return -1;
	u = (val.p[0] & 0x80) ? UINT64_MAX : 0;
	for (i = 0; i < val.len; i++)
		u = u << 8 | val.p[i];
	*v = (int64_t)u;
	return 0;
}

/*
 * The usmStats counter a Report's first variable names, or 0: its OID is
 * 1.3.6.1.6.3.15.1.1.n.0, BER-encoded as below then n and 0.
 */
static unsigned int
snmp_usm_report(struct ber *varbinds)
{
	static const uint8_t usm_stats[] = { 0x2b, 0x06, 0x01, 0x06, 0x03, 0x0f,
		0x01, 0x01 };
	struct ber vb, name;
	size_t k = sizeof(usm_stats);

	if (ber_expect(varbinds, BER_SEQUENCE, &vb) != 0 ||
	    ber_expect(&vb, BER_OID, &name) != 0)
		return 0;
	if (name.len != k + 2 || memcmp(name.p, usm_stats, k) != 0 ||
	    name.p[k] == 0 || name.p[k] > USM_DECRYPT_ERROR ||
	    name.p[k + 1] != 0)
		return 0;
	return name.p[k];
}

/*
 * Reads a PDU (RFC 3416 section 3; the SNMPv1 Trap-PDU of RFC 1157
 * section 4.1.6 has another body, which nothing here needs).  GetBulk's
 * non-repeaters and max-repetitions stand where error-status and
 * error-index are, and are read as such.
 */
static int
snmp_pdu(struct ber *b, struct snmp_msg *m)
{
	struct ber pdu, varbinds;
	int64_t reqid, errindex;

	if (ber_next(b, &m->pdu, &pdu) != 0)
		return -1;
	if (m->pdu < PDU_GET || m->pdu > PDU_REPORT)
		return -1;
	if (m->pdu == PDU_TRAP_V1)
		return 0;
	if (ber_integer(&pdu, &reqid) != 0 ||
	    ber_integer(&pdu, &m->error) != 0 ||
	    ber_integer(&pdu, &errindex) != 0 ||
	    ber_expect(&pdu, BER_SEQUENCE, &varbinds) != 0)
		return -1;

	/* SNMPv3 pairs messages by msgID, which privacy leaves readable. */
	if (m->version != SNMP_V3) {
		m->id = reqid;
		m->has_id = true;
	}
	if (m->pdu == PDU_REPORT)
		m->report = snmp_usm_report(&varbinds);
	return 0;
}

/* SNMPv1 and v2c: community, then the PDU (RFC 1157 section 4). */
static int
snmp_community(struct ber *msg, struct snmp_msg *m)
{
	struct ber community;

	if (ber_expect(msg, BER_OCTETS, &community) != 0)
		return -1;
	return snmp_pdu(msg, m);
}

/*
 * msgGlobalData (RFC 3412 section 6): msgID, msgMaxSize, msgFlags and
 * msgSecurityModel.  A message asking for privacy without authentication
 * is invalid (RFC 3412 section 7.2, step 5).
 */
static int
snmp_v3_header(struct ber *msg, struct snmp_msg *m, int64_t *model)
{
	struct ber hdr, flags;
	int64_t maxsize;

	if (ber_expect(msg, BER_SEQUENCE, &hdr) != 0 ||
	    ber_integer(&hdr, &m->id) != 0 ||
	    ber_integer(&hdr, &maxsize) != 0 ||
	    ber_expect(&hdr, BER_OCTETS, &flags) != 0 || flags.len != 1 ||
	    ber_integer(&hdr, model) != 0)
		return -1;
	m->flags = flags.p[0];
	m->has_id = true;
	if ((m->flags & (SNMP_FLAG_AUTH | SNMP_FLAG_PRIV)) == SNMP_FLAG_PRIV)
		return -1;
	return 0;
}

/*
 * UsmSecurityParameters (RFC 3414 section 2.4), BER inside an OCTET
 * STRING: engine ID, boots, time, then msgUserName.
 */
static int
snmp_usm_user(const struct ber *params, struct snmp_msg *m)
{
	struct ber in = *params, usm, engine, user;
	int64_t boots, etime;

	if (ber_expect(&in, BER_SEQUENCE, &usm) != 0 ||
	    ber_expect(&usm, BER_OCTETS, &engine) != 0 ||
	    ber_integer(&usm, &boots) != 0 || ber_integer(&usm, &etime) != 0 ||
	    ber_expect(&usm, BER_OCTETS, &user) != 0)
		return -1;
	m->user = user.p;
	m->userlen = user.len;
	return 0;
}

/*
 * SNMPv3 (RFC 3412 section 6): header, security parameters, then a
 * plaintext ScopedPDU or, with privacy, an encrypted one.
 */
static int
snmp_v3(struct ber *msg, struct snmp_msg *m)
{
	struct ber params, scoped, engine, context;
	int64_t model;
	uint8_t tag;

	if (snmp_v3_header(msg, m, &model) != 0 ||
	    ber_expect(msg, BER_OCTETS, &params) != 0)
		return -1;
	if (model != SNMP_USM)
		return 1;
	if (snmp_usm_user(&params, m) != 0 || ber_next(msg, &tag, &scoped) != 0)
		return -1;
	if (m->flags & SNMP_FLAG_PRIV) {
		m->pdu = PDU_ENCRYPTED;
		return tag == BER_OCTETS ? 0 : -1;
	}
	if (tag != BER_SEQUENCE ||
	    ber_expect(&scoped, BER_OCTETS, &engine) != 0 ||
	    ber_expect(&scoped, BER_OCTETS, &context) != 0)
		return -1;
	return snmp_pdu(&scoped, m);
}

/*
 * Decodes the message in a datagram.  Returns 0 when m holds it, 1 for a
 * valid message with nothing to record (an unknown version or security
 * model), -1 when it is not SNMP.  Bytes after the message are ignored.
 */
static int
snmp_decode(const uint8_t *p, size_t n, struct snmp_msg *m)
{
	struct ber dgram = { p, n, 0 }, msg;

	memset(m, 0, sizeof(*m));
	if (ber_expect(&dgram, BER_SEQUENCE, &msg) != 0 ||
	    ber_integer(&msg, &m->version) != 0)
		return -1;
	switch (m->version) {
	case SNMP_V1:
	case SNMP_V2C:
		return snmp_community(&msg, m);
	case SNMP_V3:
		return snmp_v3(&msg, m);
	default:
		return 1;
	}
}

/* True for a PDU that answers another: Response, Report. */
static bool
snmp_is_reply(const struct snmp_msg *m)
{
	if (m->pdu == PDU_ENCRYPTED)
		return !(m->flags & SNMP_FLAG_REPORTABLE);
	return m->pdu == PDU_RESPONSE || m->pdu == PDU_REPORT;
}

/*
 * True for a request that expects a reply.  An encrypted SNMPv3 PDU shows
 * its class only through the reportable flag, which RFC 3412 section
 * 6.4 sets for exactly the confirmed classes.
 */
static bool
snmp_is_confirmed(const struct snmp_msg *m)
{
	if (m->pdu == PDU_ENCRYPTED)
		return (m->flags & SNMP_FLAG_REPORTABLE) != 0;
	return m->has_id && m->pdu != PDU_TRAP_V2 && !snmp_is_reply(m);
}

/* The role a community plays in a PDU: what it was used to do. */
static const char *
snmp_role(uint8_t pdu)
{
	switch (pdu) {
	case PDU_GET:
	case PDU_GETNEXT:
	case PDU_GETBULK:
		return "read";
	case PDU_SET:
		return "write";
	case PDU_TRAP_V1:
	case PDU_INFORM:
	case PDU_TRAP_V2:
		return "trap";
	default:
		return "response";
	}
}

/*
 * Records the credential a message carries; returns its index, or -1 when
 * there is none or the session is full.  A community is a password sent
 * in clear.  SNMPv3 without authentication sends no secret (but proves
 * nothing either).  With authentication, each message carries an HMAC
 * (HMAC-MD5-96 or HMAC-SHA-96, RFC 3414 sections 6.3 and 7.3) keyed with
 * Kul = H(Ku || engineID || Ku), where Ku hashes the password repeated to
 * one megabyte (RFC 3414 section 2.6 and appendix A.2): the engine ID and
 * the MAC travel in the message, so every password guess can be checked
 * offline.  Privacy does not change that, since the MAC covers the
 * ciphertext.  The empty user name of engine ID discovery (RFC 3414
 * section 4) is no login.
 */
/*
 * XXX: communities are told apart only by role, never by value: a
 * scanner trying many communities for reading leaves one "read"
 * credential, accepted if any of them worked.
 */
static int
snmp_credential(struct session *s, const struct snmp_msg *m,
    const struct timeval *ts, const char *role)
{
	enum exposure e;

	if (m->version != SNMP_V3)
		return session_add_repeated_credential(
		    s, ts, "COMMUNITY", role, strlen(role), EXPOSURE_CLEARTEXT);
	if (m->userlen == 0)
		return -1;
	e = (m->flags & SNMP_FLAG_AUTH) ? EXPOSURE_CRACKABLE : EXPOSURE_NONE;
	return session_add_repeated_credential(
	    s, ts, "USM", (const char *)m->user, m->userlen, e);
}

/*
 * What a reply says of its request's credential.  An agent drops a
 * request whose community it does not know (RFC 1157 section 4.1, RFC
 * 3584 section 5.2.1), so any response means the community is valid,
 * unless its error-status refuses the access asked for (readOnly is how
 * SNMPv1 agents refuse a Set).  A Report naming a usmStats counter of
 * failed authentication rejects the user; one about engine discovery or
 * time synchronisation (RFC 3414 section 4) is part of a login still
 * going on.  USM encrypts only messages it could authenticate.
 */
static enum snmp_verdict
snmp_verdict(const struct snmp_msg *m)
{
	switch (m->pdu) {
	case PDU_ENCRYPTED:
		return SNMP_VERDICT_ACCEPTED;
	case PDU_REPORT:
		switch (m->report) {
		case USM_UNSUPPORTED_LEVEL:
		case USM_UNKNOWN_USER:
		case USM_WRONG_DIGEST:
		case USM_DECRYPT_ERROR:
			return SNMP_VERDICT_REJECTED;
		default:
			return SNMP_VERDICT_NONE;
		}
	case PDU_RESPONSE:
		if (m->error == SNMP_ERR_READONLY ||
		    m->error == SNMP_ERR_NOACCESS ||
		    m->error == SNMP_ERR_AUTHORIZATION)
			return SNMP_VERDICT_REJECTED;
		return SNMP_VERDICT_ACCEPTED;
	default:
		return SNMP_VERDICT_NONE;
	}
}

/*
 * Settles a credential's outcome.  A credential stands for every use of
 * one role or user in the session, so one acceptance is enough: it shows
 * the secret works, whatever other requests were refused.
 */
static void
snmp_outcome(struct session *s, int cred, enum snmp_verdict v)
{
	if (cred < 0 || (unsigned int)cred >= s->ncreds)
		return;
	if (v == SNMP_VERDICT_ACCEPTED)
		session_credential_outcome(s, cred, OUTCOME_ACCEPTED);
	else if (v == SNMP_VERDICT_REJECTED &&
	    s->creds[cred].outcome == OUTCOME_UNKNOWN)
		session_credential_outcome(s, cred, OUTCOME_REJECTED);
}

/* The request sent in direction d with this id (a msgID if v3), or NULL. */
static struct snmp_pending *
snmp_find(struct snmp *st, bool v3, enum dir d, int64_t id)
{
	struct snmp_pending *q;
	unsigned int i;

	for (i = 0; i < SNMP_PENDING; i++) {
		q = &st->pending[i];
		if (q->used && q->v3 == v3 && q->dir == (uint8_t)d &&
		    q->id == id)
			return q;
	}
	return NULL;
}

/*
 * Remembers a confirmed request.  Agents stay silent on a wrong community,
 * so many requests are never answered: the oldest slot is reused, and a
 * reply that comes later is taken as unsolicited.
 */
static void
snmp_remember(struct snmp *st, bool v3, enum dir d, int64_t id, int cred)
{
	struct snmp_pending *q = &st->pending[st->next];

	st->next = (st->next + 1) % SNMP_PENDING;
	q->used = true;
	q->v3 = v3;
	q->dir = (uint8_t)d;
	q->id = id;
	q->cred = cred;
}

/*
 * A request: recorded, and remembered when a reply is due.  A request
 * sent again with the same id is a retransmission, counted once.
 */
static void
snmp_request(struct snmp *st, struct session *s, enum dir d,
    const struct snmp_msg *m, const struct timeval *ts)
{
	bool v3 = m->version == SNMP_V3;
	int cred;

	if (snmp_is_confirmed(m) && snmp_find(st, v3, d, m->id) != NULL)
		return;
	cred = snmp_credential(s, m, ts, snmp_role(m->pdu));
	if (snmp_is_confirmed(m) && cred >= 0)
		snmp_remember(st, v3, d, m->id, cred);
}

/*
 * A message that may answer a request sent the other way.  One that
 * answers nothing seen (its request was lost, or the capture shows one
 * side) still carries the secret: it is recorded on its own, a community
 * under the role "response".  An unconfirmed SNMPv3 message whose PDU is
 * encrypted and answers nothing is a trap.
 */
static void
snmp_reply(struct snmp *st, struct session *s, enum dir d,
    const struct snmp_msg *m, const struct timeval *ts)
{
	enum dir other = d == DIR_TO_SERVER ? DIR_TO_CLIENT : DIR_TO_SERVER;
	bool v3 = m->version == SNMP_V3;
	struct snmp_pending *q;
	int cred;

	q = snmp_find(st, v3, other, m->id);
	if (q != NULL) {
		q->used = false;
		snmp_outcome(s, q->cred, snmp_verdict(m));
		return;
	}
	if (m->pdu == PDU_ENCRYPTED) {
		(void)snmp_credential(s, m, ts, "trap");
		return;
	}
	cred = snmp_credential(s, m, ts, snmp_role(m->pdu));
	snmp_outcome(s, cred, snmp_verdict(m));
}

static void *
snmp_create(struct session *s)
{
	(void)s;
	return mem_calloc(1, sizeof(struct snmp));
}

static void
snmp_destroy(void *state)
{
	mem_free(state);
}

/*
 * Reads one datagram, whole: with or without PARSE_DATAGRAM, all of it is
 * consumed, since a UDP message is never continued in the next one.
 */
static size_t
snmp_parse(void *state, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts, unsigned int flags)
{
	struct snmp *st = state;
	struct snmp_msg m;
	int r;

	(void)flags;
	r = snmp_decode(p, n, &m);
	if (r < 0) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		return n;
	}
	if (r > 0)
		return n;
	if (snmp_is_reply(&m) && m.has_id)
		snmp_reply(st, s, d, &m, ts);
	else
		snmp_request(st, s, d, &m, ts);
	return n;
}

/* Datagrams are never partly lost: a gap means nothing here. */
static void
snmp_gap(void *state, struct session *s, enum dir d, uint64_t len)
{
	(void)state;
	(void)s;
	(void)d;
	(void)len;
}

/* Unanswered requests keep their unknown outcome. */
static void
snmp_end(void *state, struct session *s)
{
	(void)state;
	(void)s;
}

const struct analyzer snmp_analyzer = {
	.name = "snmp",
	.bufmax = SNMP_BUFMAX,
	.create = snmp_create,
	.parse = snmp_parse,
	.gap = snmp_gap,
	.end = snmp_end,
	.destroy = snmp_destroy,
};
