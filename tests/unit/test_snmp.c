/*
 * test_snmp.c - unit tests for the SNMP analyzer.
 *
 * Each case is a UDP flow as captured: datagrams in order, each handed
 * over whole with PARSE_DATAGRAM as the engine does, and the credentials a
 * careful reader of them would record.  Messages are built by a small BER
 * writer below from a line of the table each; one message written out by
 * hand anchors the writer, and hostile datagrams are written out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyzers/analyzer.h"
#include "mem.h"
#include "util.h"

#define MSG_MAX 1024   /* longest message the writer builds */
#define CASE_MSGS 12   /* datagrams per case */
#define CASE_CREDS 5   /* credentials a case expects */
#define CASE_SECRETS 3 /* strings to be found nowhere */
#define NEST_DEPTH 3000

/* Who sends: the manager to the agent, or the agent back. */
#define TO_AGENT DIR_TO_SERVER
#define TO_MGR DIR_TO_CLIENT

/* PDU tags (RFC 3416 section 3, RFC 1157 section 4.1.6). */
#define GET 0xa0
#define GETNEXT 0xa1
#define RESPONSE 0xa2
#define SET 0xa3
#define TRAP1 0xa4
#define GETBULK 0xa5
#define INFORM 0xa6
#define TRAP2 0xa7
#define REPORT 0xa8

/* msgFlags (RFC 3412 section 6.4). */
#define NOAUTH 0x00
#define AUTH 0x01
#define AUTHPRIV 0x03
#define REPORTABLE 0x04

/* Communities and a MAC that must never reach the session or the state. */
#define COMM_RO "Ro-Secret-41"
#define COMM_RW "Rw-Secret-77"
#define COMM_TRAP "Trap-Secret-9"
/* An snmpEngineID in text format (RFC 3411 section 5): "agent1". */
#define ENGINE_ID                                                              \
	"\x80\x00\x1f\x88\x04"                                                 \
	"agent1"

#define MAC "\x5a\xc3\x91\x0e\x77\x14\xbe\x62\x09\xd8\x4f\x33"

/* One message: a line of a case. */
struct msg {
	enum dir dir;
	int version; /* 0 (v1), 1 (v2c) or 3 */
	uint8_t pdu; /* 0 with AUTHPRIV: an encrypted scopedPDU */
	int32_t id;  /* request-id; msgID for SNMPv3 */
	int error;   /* error-status */
	const char *community;
	const char *user; /* msgUserName */
	uint8_t flags;    /* msgFlags */
	int report;       /* usmStats counter a Report names */
};

#define V1(d, p, i, e, c)                                                      \
	{                                                                      \
		.dir = (d), .version = 0, .pdu = (p), .id = (i), .error = (e), \
		.community = (c)                                               \
	}
#define V2(d, p, i, e, c)                                                      \
	{                                                                      \
		.dir = (d), .version = 1, .pdu = (p), .id = (i), .error = (e), \
		.community = (c)                                               \
	}
#define V3(d, p, i, f, u, e, r)                                                \
	{                                                                      \
		.dir = (d), .version = 3, .pdu = (p), .id = (i), .flags = (f), \
		.user = (u), .error = (e), .report = (r)                       \
	}

struct want {
	const char *mech;
	const char *user;
	enum exposure exposure;
	enum outcome outcome;
	unsigned int count;
};

#define CRED(m, u, e, o, k)                                                    \
	{                                                                      \
		(m), (u), (e), (o), (k)                                        \
	}

struct snmp_case {
	const char *name;
	struct msg msgs[CASE_MSGS]; /* nmsgs of them */
	unsigned int nmsgs;
	unsigned int ncreds;
	struct want creds[CASE_CREDS];
	uint32_t anomalies;
	const char *secrets[CASE_SECRETS];
};

/* A message being written. */
struct wbuf {
	uint8_t b[MSG_MAX];
	size_t n;
};

/* Appends raw bytes. */
static void
put(struct wbuf *w, const void *p, size_t n)
{
	assert_true(w->n + n <= sizeof(w->b));
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

/* Appends a TLV: short form below 128 bytes, else 0x81 or 0x82. */
static void
put_tlv(struct wbuf *w, uint8_t tag, const void *v, size_t n)
{
	uint8_t hdr[4];
	size_t h = 0;

	hdr[h++] = tag;
	if (n < 0x80) {
		hdr[h++] = (uint8_t)n;
	} else if (n <= 0xff) {
		hdr[h++] = 0x81;
		hdr[h++] = (uint8_t)n;
	} else {
		hdr[h++] = 0x82;
		hdr[h++] = (uint8_t)(n >> 8);
		hdr[h++] = (uint8_t)n;
	}
	put(w, hdr, h);
	put(w, v, n);
}

/* Appends inner, wrapped in a TLV of tag. */
static void
put_wrap(struct wbuf *w, uint8_t tag, const struct wbuf *inner)
{
	put_tlv(w, tag, inner->b, inner->n);
}

/* Appends an INTEGER in its shortest two's complement form. */
static void
put_int(struct wbuf *w, int64_t v)
{
	uint8_t b[8];
	size_t n = 8, i;

	for (i = 0; i < 8; i++)
		b[7 - i] = (uint8_t)((uint64_t)v >> (8 * i));
	while (n > 1 &&
	    ((b[8 - n] == 0x00 && !(b[9 - n] & 0x80)) ||
		(b[8 - n] == 0xff && (b[9 - n] & 0x80))))
		n--;
	put_tlv(w, 0x02, b + 8 - n, n);
}

static void
put_str(struct wbuf *w, const char *s)
{
	put_tlv(w, 0x04, s, strlen(s));
}

/*
 * The variable bindings: sysName.0 (1.3.6.1.2.1.1.5.0) with NULL, or for
 * a Report the usmStats counter 1.3.6.1.6.3.15.1.1.n.0 with a count.
 */
static void
put_varbinds(struct wbuf *w, int report)
{
	static const uint8_t sysname[] = { 0x2b, 6, 1, 2, 1, 1, 5, 0 };
	uint8_t usm[] = { 0x2b, 6, 1, 6, 3, 15, 1, 1, 0, 0 };
	struct wbuf vb = { .n = 0 }, list = { .n = 0 };

	if (report != 0) {
		usm[8] = (uint8_t)report;
		put_tlv(&vb, 0x06, usm, sizeof(usm));
		put_tlv(&vb, 0x41, "\x01", 1); /* Counter32 */
	} else {
		put_tlv(&vb, 0x06, sysname, sizeof(sysname));
		put_tlv(&vb, 0x05, "", 0);
	}
	put_wrap(&list, 0x30, &vb);
	put_wrap(w, 0x30, &list);
}

/*
 * A PDU.  The SNMPv1 Trap-PDU (RFC 1157 section 4.1.6): enterprise OID,
 * agent address, generic and specific trap, time stamp, bindings; every
 * other: request-id, error-status, error-index, bindings.
 */
static void
put_pdu(struct wbuf *w, const struct msg *m)
{
	static const uint8_t enterprise[] = { 0x2b, 6, 1, 4, 1, 0x81, 0x2f };
	struct wbuf pdu = { .n = 0 };

	if (m->pdu == TRAP1) {
		put_tlv(&pdu, 0x06, enterprise, sizeof(enterprise));
		put_tlv(&pdu, 0x40, "\xc0\x00\x02\x0a", 4); /* 192.0.2.10 */
		put_int(&pdu, 6);
		put_int(&pdu, 1);
		put_tlv(&pdu, 0x43, "\x01\x00", 2); /* TimeTicks */
	} else {
		put_int(&pdu, m->id);
		put_int(&pdu, m->error);
		put_int(&pdu, 0);
	}
	put_varbinds(&pdu, m->report);
	put_wrap(w, m->pdu, &pdu);
}

/*
 * UsmSecurityParameters (RFC 3414 section 2.4): engine ID, boots, time,
 * user, a 12-byte MAC with authentication, an 8-byte salt with privacy.
 */
static void
put_usm(struct wbuf *w, const struct msg *m)
{
	struct wbuf usm = { .n = 0 }, seq = { .n = 0 };

	put_tlv(&usm, 0x04, ENGINE_ID, sizeof(ENGINE_ID) - 1);
	put_int(&usm, 3);
	put_int(&usm, 86400);
	put_str(&usm, m->user);
	put_tlv(&usm, 0x04, MAC, (m->flags & AUTH) ? 12 : 0);
	put_tlv(&usm, 0x04, "\x00\x00\x00\x01\x12\x34\x56\x78",
	    (m->flags & 0x02) ? 8 : 0);
	put_wrap(&seq, 0x30, &usm);
	put_wrap(w, 0x04, &seq);
}

/* Writes message m (RFC 1157 section 4, RFC 3412 section 6). */
static void
build(struct wbuf *w, const struct msg *m)
{
	struct wbuf body = { .n = 0 }, hdr = { .n = 0 }, scoped = { .n = 0 };

	w->n = 0;
	put_int(&body, m->version);
	if (m->version != 3) {
		put_str(&body, m->community);
		put_pdu(&body, m);
		put_wrap(w, 0x30, &body);
		return;
	}
	put_int(&hdr, m->id);
	put_int(&hdr, 65507);
	put_tlv(&hdr, 0x04, &m->flags, 1);
	put_int(&hdr, 3);
	put_wrap(&body, 0x30, &hdr);
	put_usm(&body, m);
	if (m->pdu == 0) {
		put_tlv(&body, 0x04, "\x9e\x41\x07\xcc\x3a\x55\x10\xfe", 8);
	} else {
		put_tlv(&scoped, 0x04, ENGINE_ID, sizeof(ENGINE_ID) - 1);
		put_str(&scoped, "");
		put_pdu(&scoped, m);
		put_wrap(&body, 0x30, &scoped);
	}
	put_wrap(w, 0x30, &body);
}

/*
 * An SNMPv2c GetRequest for sysName.0 with community "public", written
 * out by hand (tshark reads it so):
 *
 *   30 29                       Message SEQUENCE, 41 bytes
 *     02 01 01                  version 1 (v2c)
 *     04 06 "public"            community
 *     a0 1c                     GetRequest-PDU, 28 bytes
 *       02 04 12 34 56 78       request-id 0x12345678
 *       02 01 00                error-status 0
 *       02 01 00                error-index 0
 *       30 0e                   VarBindList
 *         30 0c                 VarBind
 *           06 08 2b 06 01 02 01 01 05 00   1.3.6.1.2.1.1.5.0
 *           05 00               NULL
 */
static const uint8_t v2c_get[] = "\x30\x29\x02\x01\x01\x04\x06public"
				 "\xa0\x1c\x02\x04\x12\x34\x56\x78"
				 "\x02\x01\x00\x02\x01\x00\x30\x0e\x30\x0c"
				 "\x06\x08\x2b\x06\x01\x02\x01\x01\x05\x00"
				 "\x05\x00";

static const struct snmp_case cases[] = {
	{ "v1 get answered",
	    { V1(TO_AGENT, GET, 38, 0, COMM_RO),
		V1(TO_MGR, RESPONSE, 38, 0, COMM_RO) },
	    2, 1,
	    { CRED(
		"COMMUNITY", "read", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 1) },
	    0, { COMM_RO } },
	{ "v2c get, getnext, getbulk: one read credential",
	    { V2(TO_AGENT, GET, 1, 0, COMM_RO),
		V2(TO_MGR, RESPONSE, 1, 0, COMM_RO),
		V2(TO_AGENT, GETNEXT, 2, 0, COMM_RO),
		V2(TO_MGR, RESPONSE, 2, 2, COMM_RO),
		V2(TO_AGENT, GETBULK, 3, 0, COMM_RO),
		V2(TO_MGR, RESPONSE, 3, 1, COMM_RO) },
	    6, 1,
	    { CRED(
		"COMMUNITY", "read", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 3) },
	    0, { COMM_RO } },
	{ "wrong community: the agent stays silent",
	    { V1(TO_AGENT, GET, 7, 0, COMM_RO),
		V1(TO_AGENT, GET, 8, 0, COMM_RW) },
	    2, 1,
	    { CRED(
		"COMMUNITY", "read", EXPOSURE_CLEARTEXT, OUTCOME_UNKNOWN, 2) },
	    0, { COMM_RO, COMM_RW } },
	{ "retransmitted request counted once",
	    { V2(TO_AGENT, GET, 9, 0, COMM_RO),
		V2(TO_AGENT, GET, 9, 0, COMM_RO),
		V2(TO_MGR, RESPONSE, 9, 0, COMM_RO) },
	    3, 1,
	    { CRED(
		"COMMUNITY", "read", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 1) },
	    0, { COMM_RO } },
	{ "v2c set refused with noAccess",
	    { V2(TO_AGENT, SET, 11, 0, COMM_RO),
		V2(TO_MGR, RESPONSE, 11, 6, COMM_RO) },
	    2, 1,
	    { CRED("COMMUNITY", "write", EXPOSURE_CLEARTEXT, OUTCOME_REJECTED,
		1) },
	    0, { COMM_RO } },
	{ "v1 set refused with readOnly",
	    { V1(TO_AGENT, SET, 12, 0, COMM_RO),
		V1(TO_MGR, RESPONSE, 12, 4, COMM_RO) },
	    2, 1,
	    { CRED("COMMUNITY", "write", EXPOSURE_CLEARTEXT, OUTCOME_REJECTED,
		1) },
	    0, { COMM_RO } },
	{ "set refused, then accepted: one acceptance settles it",
	    { V2(TO_AGENT, SET, 21, 0, COMM_RO),
		V2(TO_MGR, RESPONSE, 21, 16, COMM_RO),
		V2(TO_AGENT, SET, 22, 0, COMM_RW),
		V2(TO_MGR, RESPONSE, 22, 0, COMM_RW),
		V2(TO_AGENT, SET, 23, 0, COMM_RO),
		V2(TO_MGR, RESPONSE, 23, 16, COMM_RO) },
	    6, 1,
	    { CRED("COMMUNITY", "write", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED,
		3) },
	    0, { COMM_RO, COMM_RW } },
	{ "read accepted, write unanswered, responses out of order",
	    { V2(TO_AGENT, GET, 31, 0, COMM_RO),
		V2(TO_AGENT, SET, 32, 0, COMM_RW),
		V2(TO_AGENT, GET, 33, 0, COMM_RO),
		V2(TO_MGR, RESPONSE, 33, 0, COMM_RO),
		V2(TO_MGR, RESPONSE, 31, 0, COMM_RO) },
	    5, 2,
	    { CRED(
		  "COMMUNITY", "read", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 2),
		CRED("COMMUNITY", "write", EXPOSURE_CLEARTEXT, OUTCOME_UNKNOWN,
		    1) },
	    0, { COMM_RO, COMM_RW } },
	{ "a response in the request's own direction answers nothing",
	    { V2(TO_AGENT, GET, 41, 0, COMM_RO),
		V2(TO_AGENT, RESPONSE, 41, 0, COMM_RO) },
	    2, 2,
	    { CRED("COMMUNITY", "read", EXPOSURE_CLEARTEXT, OUTCOME_UNKNOWN, 1),
		CRED("COMMUNITY", "response", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 1) },
	    0, { COMM_RO } },
	{ "traps v1 and v2c to port 162",
	    { V1(TO_AGENT, TRAP1, 0, 0, COMM_TRAP),
		V2(TO_AGENT, TRAP2, 5, 0, COMM_TRAP),
		V2(TO_AGENT, TRAP2, 6, 0, COMM_RO) },
	    3, 1,
	    { CRED(
		"COMMUNITY", "trap", EXPOSURE_CLEARTEXT, OUTCOME_UNKNOWN, 3) },
	    0, { COMM_TRAP, COMM_RO } },
	{ "inform acknowledged",
	    { V2(TO_AGENT, INFORM, 51, 0, COMM_TRAP),
		V2(TO_MGR, RESPONSE, 51, 0, COMM_TRAP) },
	    2, 1,
	    { CRED(
		"COMMUNITY", "trap", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 1) },
	    0, { COMM_TRAP } },
	{ "agent side only: responses whose requests were not seen",
	    { V2(TO_MGR, RESPONSE, 61, 19, COMM_RO),
		V2(TO_MGR, RESPONSE, 62, 6, COMM_RO) },
	    2, 1,
	    { CRED("COMMUNITY", "response", EXPOSURE_CLEARTEXT,
		OUTCOME_ACCEPTED, 2) },
	    0, { COMM_RO } },
	{ "v3 discovery, then noAuthNoPriv get",
	    { V3(TO_AGENT, GET, 100, NOAUTH | REPORTABLE, "", 0, 0),
		V3(TO_MGR, REPORT, 100, NOAUTH, "", 0, 4),
		V3(TO_AGENT, GET, 101, NOAUTH | REPORTABLE, "monitor", 0, 0),
		V3(TO_MGR, RESPONSE, 101, NOAUTH, "monitor", 0, 0) },
	    4, 1,
	    { CRED("USM", "monitor", EXPOSURE_NONE, OUTCOME_ACCEPTED, 1) }, 0,
	    { NULL } },
	{ "v3 unknown user",
	    { V3(TO_AGENT, GETBULK, 110, NOAUTH | REPORTABLE, "noAuthUser", 0,
		  0),
		V3(TO_MGR, REPORT, 110, NOAUTH, "noAuthUser", 0, 3) },
	    2, 1,
	    { CRED("USM", "noAuthUser", EXPOSURE_NONE, OUTCOME_REJECTED, 1) },
	    0, { NULL } },
	{ "v3 authNoPriv: time window report, then accepted",
	    { V3(TO_AGENT, GET, 120, AUTH | REPORTABLE, "ops", 0, 0),
		V3(TO_MGR, REPORT, 120, AUTH, "ops", 0, 2),
		V3(TO_AGENT, GET, 121, AUTH | REPORTABLE, "ops", 0, 0),
		V3(TO_MGR, RESPONSE, 121, AUTH, "ops", 0, 0) },
	    4, 1,
	    { CRED("USM", "ops", EXPOSURE_CRACKABLE, OUTCOME_ACCEPTED, 2) }, 0,
	    { MAC } },
	{ "v3 authNoPriv: wrong digest",
	    { V3(TO_AGENT, SET, 130, AUTH | REPORTABLE, "ops", 0, 0),
		V3(TO_MGR, REPORT, 130, NOAUTH, "ops", 0, 5) },
	    2, 1,
	    { CRED("USM", "ops", EXPOSURE_CRACKABLE, OUTCOME_REJECTED, 1) }, 0,
	    { MAC } },
	{ "v3 authPriv: encrypted request and response",
	    { V3(TO_AGENT, 0, 140, AUTHPRIV | REPORTABLE, "pippo", 0, 0),
		V3(TO_MGR, 0, 140, AUTHPRIV, "pippo", 0, 0),
		V3(TO_AGENT, 0, 141, AUTHPRIV | REPORTABLE, "pippo", 0, 0) },
	    3, 1,
	    { CRED("USM", "pippo", EXPOSURE_CRACKABLE, OUTCOME_ACCEPTED, 2) },
	    0, { MAC } },
	{ "v3 authorizationError from the access control",
	    { V3(TO_AGENT, SET, 150, AUTH | REPORTABLE, "ops", 0, 0),
		V3(TO_MGR, RESPONSE, 150, AUTH, "ops", 16, 0) },
	    2, 1,
	    { CRED("USM", "ops", EXPOSURE_CRACKABLE, OUTCOME_REJECTED, 1) }, 0,
	    { MAC } },
	{ "traps of every version on one flow",
	    { V2(TO_AGENT, TRAP2, 23, 0, COMM_TRAP),
		V1(TO_AGENT, TRAP1, 0, 0, COMM_RO),
		V3(TO_AGENT, TRAP2, 32, AUTH, "SHA1NOPRIV", 0, 0),
		V3(TO_AGENT, 0, 37, AUTHPRIV, "SHA1AES128", 0, 0),
		V3(TO_AGENT, TRAP2, 40, NOAUTH, "NOAUTHNOPRIV", 0, 0),
		V3(TO_AGENT, TRAP2, 41, NOAUTH, "NOAUTHNOPRIV", 0, 0) },
	    6, 4,
	    { CRED("COMMUNITY", "trap", EXPOSURE_CLEARTEXT, OUTCOME_UNKNOWN, 2),
		CRED("USM", "SHA1NOPRIV", EXPOSURE_CRACKABLE, OUTCOME_UNKNOWN,
		    1),
		CRED("USM", "SHA1AES128", EXPOSURE_CRACKABLE, OUTCOME_UNKNOWN,
		    1),
		CRED(
		    "USM", "NOAUTHNOPRIV", EXPOSURE_NONE, OUTCOME_UNKNOWN, 2) },
	    0, { COMM_TRAP, COMM_RO, MAC } },
	{ "v1 and v2c ids do not answer v3 ones",
	    { V3(TO_AGENT, GET, 170, NOAUTH | REPORTABLE, "monitor", 0, 0),
		V2(TO_MGR, RESPONSE, 170, 0, COMM_RO) },
	    2, 2,
	    { CRED("USM", "monitor", EXPOSURE_NONE, OUTCOME_UNKNOWN, 1),
		CRED("COMMUNITY", "response", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 1) },
	    0, { COMM_RO } },
	{ "privacy without authentication is invalid",
	    { V3(TO_AGENT, 0, 180, 0x02 | REPORTABLE, "odd", 0, 0) }, 1, 0,
	    { { NULL, NULL, 0, 0, 0 } }, SESSION_ANOM_GARBAGE, { NULL } },
};

/* Fresh session and state, as the engine makes them. */
static void *
start(struct session *s)
{
	void *st;

	memset(s, 0, sizeof(*s));
	s->starttls_offered = -1;
	s->transport = 17;
	st = snmp_analyzer.create(s);
	assert_non_null(st);
	return st;
}

/* Hands one datagram over; all of it must be consumed. */
static void
datagram(void *st, struct session *s, enum dir d, const uint8_t *p, size_t n,
    long sec)
{
	struct timeval ts = { sec, 0 };
	size_t used;

	used = snmp_analyzer.parse(st, s, d, p, n, &ts, PARSE_DATAGRAM);
	assert_int_equal(used, n);
}

static void
stop(void *st, struct session *s)
{
	snmp_analyzer.end(st, s);
	snmp_analyzer.destroy(st);
	session_cleanup(s);
}

/* Fails when secret is anywhere in the session or the analyzer's state. */
static void
check_secret(const struct session *s, const void *st, const char *secret)
{
	size_t n = strlen(secret);

	if (memmem(s, sizeof(*s), secret, n) != NULL ||
	    (s->ncreds > 0 &&
		memmem(s->creds, s->ncreds * sizeof(*s->creds), secret, n) !=
		    NULL))
		fail_msg("a secret is in the session");
	if (memmem(st, mem_size(st), secret, n) != NULL)
		fail_msg("a secret is in the state");
}

static void
check_creds(const struct snmp_case *c, const struct session *s)
{
	const struct credential *got;
	const struct want *want;
	unsigned int i;

	if (s->ncreds != c->ncreds)
		fail_msg("%s: %u credentials, want %u", c->name, s->ncreds,
		    c->ncreds);
	for (i = 0; i < c->ncreds; i++) {
		got = &s->creds[i];
		want = &c->creds[i];
		if (strcmp(got->mechanism, want->mech) != 0 ||
		    strcmp(got->username, want->user) != 0 ||
		    got->exposure != want->exposure ||
		    got->outcome != want->outcome || got->count != want->count)
			fail_msg("%s: cred %u is %s/%s/%s/%d x%u, want "
				 "%s/%s/%s/%d x%u",
			    c->name, i, got->mechanism, got->username,
			    exposure_name(got->exposure), (int)got->outcome,
			    got->count, want->mech, want->user,
			    exposure_name(want->exposure), (int)want->outcome,
			    want->count);
	}
}

static void
run_case(void **state)
{
	const struct snmp_case *c = *state;
	struct session s;
	struct wbuf w;
	unsigned int i;
	void *st;

	/* The count must cover the lines written, and no more. */
	assert_true(c->nmsgs > 0 && c->nmsgs <= CASE_MSGS);
	assert_true(c->msgs[c->nmsgs - 1].pdu != 0 ||
	    c->msgs[c->nmsgs - 1].version == 3);
	assert_true(c->nmsgs == CASE_MSGS ||
	    (c->msgs[c->nmsgs].pdu == 0 && c->msgs[c->nmsgs].version == 0));

	st = start(&s);
	for (i = 0; i < c->nmsgs; i++) {
		build(&w, &c->msgs[i]);
		datagram(st, &s, c->msgs[i].dir, w.b, w.n, 1000 + (long)i);
	}
	check_creds(c, &s);
	if (s.anomalies != c->anomalies)
		fail_msg("%s: anomalies %#x, want %#x", c->name, s.anomalies,
		    c->anomalies);
	for (i = 0; i < CASE_SECRETS && c->secrets[i] != NULL; i++)
		check_secret(&s, st, c->secrets[i]);
	if (s.starttls_offered != -1 || s.starttls_attempted ||
	    s.switch_to != NULL || s.client_name[0] != '\0')
		fail_msg("%s: facts SNMP never has", c->name);
	stop(st, &s);
}

/* The writer makes exactly the message written out by hand. */
static void
test_writer(void **state)
{
	const struct msg m = V2(TO_AGENT, GET, 0x12345678, 0, "public");
	struct wbuf w;

	(void)state;
	build(&w, &m);
	assert_int_equal(w.n, sizeof(v2c_get) - 1);
	assert_memory_equal(w.b, v2c_get, w.n);
}

/*
 * Every datagram of every case cut short: the outer length then runs
 * past the datagram, which is refused whole.
 */
static void
test_truncated(void **state)
{
	struct session s;
	struct wbuf w;
	size_t i, j, cut;
	void *st;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		for (j = 0; j < cases[i].nmsgs; j++) {
			build(&w, &cases[i].msgs[j]);
			for (cut = 0; cut < w.n; cut++) {
				st = start(&s);
				datagram(st, &s, TO_AGENT, w.b, cut, 1);
				assert_int_equal(s.ncreds, 0);
				assert_true(s.anomalies & SESSION_ANOM_GARBAGE);
				stop(st, &s);
			}
		}
	}
}

struct raw {
	const char *name;
	const char *bytes;
	size_t len;
	uint32_t anomalies;
};

#define RAW(n, b, a)                                                           \
	{                                                                      \
		(n), (b), sizeof(b) - 1, (a)                                   \
	}

/* Hostile datagrams, by hand; none may yield a credential. */
static const struct raw raws[] = {
	/* The message claims 0x30 bytes; 0x10 follow. */
	RAW("outer length past the datagram",
	    "\x30\x30\x02\x01\x01\x04\x06public\xa0\x05\x02\x01\x01\x02",
	    SESSION_ANOM_GARBAGE),
	/* The community claims 0x40 bytes inside a 0x0e-byte message. */
	RAW("community length past its message",
	    "\x30\x0e\x02\x01\x01\x04\x40public\xa0\x01\x00",
	    SESSION_ANOM_GARBAGE),
	/* Four length octets saying 4 GiB. */
	RAW("huge long-form length",
	    "\x30\x84\xff\xff\xff\xff\x02\x01\x01\x04\x06public",
	    SESSION_ANOM_GARBAGE),
	/* Five length octets: more than any datagram needs. */
	RAW("five length octets",
	    "\x30\x85\x00\x00\x00\x00\x0b\x02\x01\x01\x04\x06public",
	    SESSION_ANOM_GARBAGE),
	/* 0x80: the indefinite form, ended by 00 00 (RFC 3417 forbids it). */
	RAW("indefinite length",
	    "\x30\x80\x02\x01\x01\x04\x06public\xa0\x00\x00\x00",
	    SESSION_ANOM_GARBAGE),
	/* 0xff is reserved (X.690 section 8.1.3.5). */
	RAW("reserved length octet", "\x30\xff\x02\x01\x01",
	    SESSION_ANOM_GARBAGE),
	/* Tag number 31 and up: high-tag-number form. */
	RAW("high tag number", "\x3f\x81\x00\x03\x02\x01\x01",
	    SESSION_ANOM_GARBAGE),
	/* The community as a constructed OCTET STRING (0x24). */
	RAW("constructed community",
	    "\x30\x18\x02\x01\x01\x24\x08\x04\x06public"
	    "\xa0\x09\x02\x01\x01\x02\x01\x00\x02\x01\x00",
	    SESSION_ANOM_GARBAGE),
	/* Nine octets of integer: more than 64 bits. */
	RAW("oversized version",
	    "\x30\x0d\x02\x09\x01\x00\x00\x00\x00\x00\x00\x00\x01\x04\x00",
	    SESSION_ANOM_GARBAGE),
	/* An empty INTEGER is no integer (X.690 section 8.3.1). */
	RAW("empty integer", "\x30\x02\x02\x00", SESSION_ANOM_GARBAGE),
	/* PDU tag 0xa9 is not one of RFC 3416. */
	RAW("unknown PDU",
	    "\x30\x13\x02\x01\x01\x04\x02rw\xa9\x0a\x02\x01\x01\x02\x01\x00"
	    "\x02\x01\x00\x30\x00",
	    SESSION_ANOM_GARBAGE),
	/* A GetRequest without its variable bindings. */
	RAW("PDU without bindings",
	    "\x30\x11\x02\x01\x01\x04\x02rw\xa0\x09\x02\x01\x01\x02\x01\x00"
	    "\x02\x01\x00",
	    SESSION_ANOM_GARBAGE),
	/* v3 whose msgSecurityParameters hold no BER. */
	RAW("v3 garbage security parameters",
	    "\x30\x16\x02\x01\x03\x30\x0d\x02\x01\x01\x02\x02\x05\xdc\x04\x01"
	    "\x04\x02\x01\x03\x04\x02\xde\xad",
	    SESSION_ANOM_GARBAGE),
	/* SNMPv2u (version 2) and others: valid BER, nothing to read. */
	RAW("unknown version", "\x30\x0b\x02\x01\x02\x04\x06public", 0),
	/* v3 with the TSM security model (4), not USM. */
	RAW("v3 other security model",
	    "\x30\x14\x02\x01\x03\x30\x0d\x02\x01\x01\x02\x02\x05\xdc\x04\x01"
	    "\x04\x02\x01\x04\x04\x00",
	    0),
	RAW("empty datagram", "", SESSION_ANOM_GARBAGE),
	RAW("text", "GET / HTTP/1.0\r\n\r\n", SESSION_ANOM_GARBAGE),
};

static void
test_raw(void **state)
{
	struct session s;
	size_t i;
	void *st;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(raws); i++) {
		st = start(&s);
		datagram(st, &s, TO_AGENT, (const uint8_t *)raws[i].bytes,
		    raws[i].len, 1);
		if (s.ncreds != 0 || s.anomalies != raws[i].anomalies)
			fail_msg("%s: %u creds, anomalies %#x", raws[i].name,
			    s.ncreds, s.anomalies);
		stop(st, &s);
	}
}

/*
 * Writes depth SEQUENCE headers at p, each holding all that follows, then
 * NULs up to n; returns n.
 */
static size_t
nest(uint8_t *p, size_t n, size_t depth)
{
	size_t i, len;

	for (i = 0; i < depth; i++) {
		len = n - i * 4 - 4;
		p[i * 4] = 0x30;
		p[i * 4 + 1] = 0x82;
		p[i * 4 + 2] = (uint8_t)(len >> 8);
		p[i * 4 + 3] = (uint8_t)len;
	}
	memset(p + depth * 4, 0x05, n - depth * 4);
	return n;
}

/*
 * SEQUENCEs nested NEST_DEPTH deep, as the message and where the
 * community stands: every header is valid, and the reader must refuse
 * the datagram without descending them.
 */
static void
test_deep_nesting(void **state)
{
	static uint8_t p[NEST_DEPTH * 4 + 32];
	struct session s;
	size_t n;
	void *st;

	(void)state;
	n = nest(p, sizeof(p), NEST_DEPTH);
	st = start(&s);
	datagram(st, &s, TO_AGENT, p, n, 1);
	assert_int_equal(s.ncreds, 0);
	assert_int_equal(s.anomalies, SESSION_ANOM_GARBAGE);
	stop(st, &s);

	/* 30 82 LL LL, version 02 01 01, then the chain. */
	n = 7 + nest(p + 7, sizeof(p) - 7, NEST_DEPTH);
	memcpy(p, "\x30\x82\x00\x00\x02\x01\x01", 7);
	p[2] = (uint8_t)((n - 4) >> 8);
	p[3] = (uint8_t)(n - 4);
	st = start(&s);
	datagram(st, &s, TO_AGENT, p, n, 1);
	assert_int_equal(s.ncreds, 0);
	assert_int_equal(s.anomalies, SESSION_ANOM_GARBAGE);
	stop(st, &s);
}

/* A small deterministic generator (xorshift32), so runs repeat. */
static uint32_t
next_rand(uint32_t *seed)
{
	*seed ^= *seed << 13;
	*seed ^= *seed >> 17;
	*seed ^= *seed << 5;
	return *seed;
}

/*
 * Random datagrams, and the cases' messages with random bytes changed,
 * on one long flow: every datagram consumed whole, no more credentials
 * than a session keeps, user names terminated.
 */
static void
test_noise(void **state)
{
	struct session s;
	struct wbuf w;
	uint32_t seed = 0x9e3779b9;
	unsigned int run, k, flips;
	size_t i, c, m;
	void *st;

	(void)state;
	st = start(&s);
	for (run = 0; run < 40000; run++) {
		c = next_rand(&seed) % ARRAY_SIZE(cases);
		m = next_rand(&seed) % cases[c].nmsgs;
		build(&w, &cases[c].msgs[m]);
		if (run % 3 == 0) {
			w.n = next_rand(&seed) % 200;
			for (i = 0; i < w.n; i++)
				w.b[i] = (uint8_t)next_rand(&seed);
		} else {
			flips = 1 + next_rand(&seed) % 4;
			for (k = 0; k < flips; k++)
				w.b[next_rand(&seed) % w.n] =
				    (uint8_t)next_rand(&seed);
		}
		datagram(
		    st, &s, (enum dir)(next_rand(&seed) % 2), w.b, w.n, run);
	}
	assert_true(s.ncreds <= SESSION_MAX_CREDS);
	for (i = 0; i < s.ncreds; i++)
		assert_true(strnlen(s.creds[i].username, CRED_USER_MAX) <
		    CRED_USER_MAX);
	stop(st, &s);
}

int
main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(cases) + 5];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = (void *)(uintptr_t)&cases[i];
	}
	memset(&tests[i], 0, 5 * sizeof(tests[i]));
	tests[i].name = "the BER writer matches the hand-written message";
	tests[i++].test_func = test_writer;
	tests[i].name = "every datagram cut short";
	tests[i++].test_func = test_truncated;
	tests[i].name = "hostile datagrams";
	tests[i++].test_func = test_raw;
	tests[i].name = "deep BER nesting";
	tests[i++].test_func = test_deep_nesting;
	tests[i].name = "random and mutated datagrams";
	tests[i].test_func = test_noise;
	return cmocka_run_group_tests_name("snmp", tests, NULL, NULL);
}
