/*
 * test_sasl.c - unit tests for the SASL exchange follower: which client
 * message of each mechanism carries the secret, the user name found in it,
 * the exposure recorded, and that no secret is kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analyzers/sasl.h"
#include "util.h"

/* Stands for a client message too long for the analyzer to read. */
#define UNREADABLE "(unreadable)"

#define MAX_MSGS 6

struct sasl_case {
	const char *name;
	const char *mech;           /* as on the wire */
	const char *msgs[MAX_MSGS]; /* client messages, base64 or = or * */
	int sent_at;                /* message that carries the secret */
	const char *want_mech;      /* recorded mechanism */
	const char *user;           /* recorded user name, before escaping */
	enum exposure exposure;
	const char *secrets[2]; /* never to be kept */
};

static const struct sasl_case cases[] = {
	{ "plain", "PLAIN", { "AGFsaWNlAFdvbmRlcmxhbmQtMTE=" }, 0, "PLAIN",
	    "alice", EXPOSURE_CLEARTEXT,
	    { "Wonderland-11", "AGFsaWNlAFdvbmRlcmxhbmQtMTE=" } },
	{ "plain empty initial response first", "plain",
	    { "=", "AGJvYgBIdW50ZXIyLXB3" }, 1, "PLAIN", "bob",
	    EXPOSURE_CLEARTEXT, { "Hunter2-pw", NULL } },
	{ "plain authzid only", "PLAIN", { "Y2Fyb2wAAENhcm9sLVNlY3JldC0z" }, 0,
	    "PLAIN", "carol", EXPOSURE_CLEARTEXT, { "Carol-Secret-3", NULL } },
	{ "plain authzid and authcid", "PLAIN",
	    { "YWRtaW4AbWFsbG9yeQBNYWxsb3J5LVB3LTU=" }, 0, "PLAIN", "mallory",
	    EXPOSURE_CLEARTEXT, { "Mallory-Pw-5", NULL } },
	/* "just-a-password": no NUL, so no name may be taken from it. */
	{ "plain without separators", "PLAIN", { "anVzdC1hLXBhc3N3b3Jk" }, 0,
	    "PLAIN", "", EXPOSURE_CLEARTEXT, { "just-a-password", NULL } },
	{ "plain not base64", "PLAIN", { "not base64!" }, 0, "PLAIN", "",
	    EXPOSURE_CLEARTEXT, { NULL, NULL } },
	{ "login", "LOGIN", { "ZGF2ZQ==", "RGF2ZS1QYXNzLTc=" }, 1, "LOGIN",
	    "dave", EXPOSURE_CLEARTEXT, { "Dave-Pass-7", "RGF2ZS1QYXNzLTc=" } },
	{ "login unreadable password", "login", { "ZGF2ZQ==", UNREADABLE }, 1,
	    "LOGIN", "dave", EXPOSURE_CLEARTEXT, { NULL, NULL } },
	{ "login empty password", "LOGIN", { "ZGF2ZQ==", "" }, 1, "LOGIN",
	    "dave", EXPOSURE_CLEARTEXT, { NULL, NULL } },
	{ "cram-md5", "CRAM-MD5",
	    { "ZXJpbiA3ZjNiMWMyZDllOGE0YjVjNmQ3ZThmOWEwYjFjMmQzZQ==" }, 0,
	    "CRAM-MD5", "erin", EXPOSURE_CRACKABLE,
	    { "7f3b1c2d9e8a4b5c6d7e8f9a0b1c2d3e", NULL } },
	{ "cram-md5 without a space", "CRAM-MD5", { "Zm9vYmFyLWJsb2I=" }, 0,
	    "CRAM-MD5", "", EXPOSURE_CRACKABLE, { NULL, NULL } },
	{ "cram-sha1 family", "CRAM-SHA1",
	    { "ZXJpbiA3ZjNiMWMyZDllOGE0YjVjNmQ3ZThmOWEwYjFjMmQzZQ==" }, 0,
	    "CRAM-SHA1", "erin", EXPOSURE_CRACKABLE, { NULL, NULL } },
	{ "digest-md5", "DIGEST-MD5",
	    { "dXNlcm5hbWU9ImZyYW5rIixyZWFsbT0iZXhhbXBsZS5vcmciLG5vbmNlPSJPQT"
	      "ZNRzl0RVFHbTJoaCIsY25vbmNlPSJPQTZNSFhoNlZxVHJSayIsbmM9MDAwMDAw"
	      "MDEscW9wPWF1dGgsZGlnZXN0LXVyaT0ic210cC9tYWlsLmV4YW1wbGUub3JnIi"
	      "xyZXNwb25zZT1kMzg4ZGFkOTBkNGJiZDc2MGExNTIzMjFmMjE0M2FmNyxjaGFy"
	      "c2V0PXV0Zi04",
		"", "" },
	    0, "DIGEST-MD5", "frank", EXPOSURE_CRACKABLE,
	    { "d388dad90d4bbd760a152321f2143af7", NULL } },
	/* realm=x, username="a \"b\"", charset=utf-8 */
	{ "digest-md5 escaped name", "DIGEST-MD5",
	    { "cmVhbG09eCwgdXNlcm5hbWU9ImEgXCJiXCIiLCBjaGFyc2V0PXV0Zi04" }, 0,
	    "DIGEST-MD5", "a \"b\"", EXPOSURE_CRACKABLE, { NULL, NULL } },
	/* nonce=abc,username=token,qop=auth */
	{ "digest-md5 token name", "DIGEST-MD5",
	    { "bm9uY2U9YWJjLHVzZXJuYW1lPXRva2VuLHFvcD1hdXRo" }, 0, "DIGEST-MD5",
	    "token", EXPOSURE_CRACKABLE, { NULL, NULL } },
	{ "ntlm", "NTLM",
	    { "TlRMTVNTUAABAAAAB4IIAAAAAAAAAAAAAAAAAAAAAAA=",
		"TlRMTVNTUAADAAAAGAAYAEAAAAAYABgAWAAAAAgACABwAAAACgAKAHgAAAAI"
		"AAgAggAAAAAAAACKAAAABYIIABERERERERERERERERERERERERERERERESIi"
		"IiIiIiIiIiIiIiIiIiIiIiIiIiIiIkMATwBSAFAAZwByAGEAYwBlAFcAUwAw"
		"ADEA" },
	    1, "NTLM", "CORP\\grace", EXPOSURE_CRACKABLE, { NULL, NULL } },
	{ "ntlm oem without domain", "NTLM",
	    { "TlRMTVNTUAABAAAAB4IIAAAAAAAAAAAAAAAAAAAAAAA=",
		"TlRMTVNTUAADAAAAGAAYAEAAAAAYABgAWAAAAAAAAABwAAAABQAFAHAAAAAE"
		"AAQAdQAAAAAAAAB5AAAABoIIABERERERERERERERERERERERERERERERESIi"
		"IiIiIiIiIiIiIiIiIiIiIiIiIiIiImdyYWNlV1MwMQ==" },
	    1, "NTLM", "grace", EXPOSURE_CRACKABLE, { NULL, NULL } },
	{ "ntlm unreadable", "NTLM", { "Zm9vYmFyLWJsb2I=", UNREADABLE }, 1,
	    "NTLM", "", EXPOSURE_CRACKABLE, { NULL, NULL } },
	{ "xoauth2", "XOAUTH2",
	    { "dXNlcj1oZWlkaUBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LkhlaWRpLVR"
	      "va2VuLTkBAQ==",
		"" },
	    0, "XOAUTH2", "heidi@example.com", EXPOSURE_TOKEN,
	    { "Heidi-Token-9", NULL } },
	{ "oauthbearer", "OAUTHBEARER",
	    { "bixhPWl2YW5AZXhhbXBsZS5jb20sAWhvc3Q9bWFpbC5leGFtcGxlLmNvbQFwb3J"
	      "0PTU4NwFhdXRoPUJlYXJlciBJdmFuLVRva2VuLTQBAQ==" },
	    0, "OAUTHBEARER", "ivan@example.com", EXPOSURE_TOKEN,
	    { "Ivan-Token-4", NULL } },
	/* "n,,\x01auth=Bearer x\x01\x01": no authzid in the header. */
	{ "oauthbearer without authzid", "OAUTHBEARER",
	    { "biwsAWF1dGg9QmVhcmVyIHgBAQ==" }, 0, "OAUTHBEARER", "",
	    EXPOSURE_TOKEN, { NULL, NULL } },
	{ "scram-sha-256", "SCRAM-SHA-256",
	    { "biwsbj1qdWR5LHI9ck9wck5HZndFYmVSV2diTkVrcU8=",
		"Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0Fm"
		"dXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empm"
		"TUhnc3FtbWl6N0FuZFZRPQ==",
		"" },
	    1, "SCRAM-SHA-256", "judy", EXPOSURE_NONE, { NULL, NULL } },
	{ "scram escaped name", "SCRAM-SHA-1",
	    { "bixhPWFkbT0yQ2luLG49anU9MkNkeT0zRCxyPWFiY2RlZg==", "Yz1iaXdz" },
	    1, "SCRAM-SHA-1", "ju,dy=", EXPOSURE_NONE, { NULL, NULL } },
	{ "gssapi", "GSSAPI",
	    { "", "YGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGhw==",
		"", "AQAAAA==" },
	    1, "GSSAPI", "", EXPOSURE_NONE, { NULL, NULL } },
	{ "external empty", "EXTERNAL", { "=" }, 0, "EXTERNAL", "",
	    EXPOSURE_NONE, { NULL, NULL } },
	{ "external authzid", "EXTERNAL", { "a2VuQGV4YW1wbGUub3Jn" }, 0,
	    "EXTERNAL", "ken@example.org", EXPOSURE_NONE, { NULL, NULL } },
	{ "anonymous", "ANONYMOUS", { "a2VuQGV4YW1wbGUub3Jn" }, 0, "ANONYMOUS",
	    "", EXPOSURE_NONE, { NULL, NULL } },
	{ "unknown mechanism", "X-FOO", { "", "Zm9vYmFyLWJsb2I=" }, 1, "X-FOO",
	    "", EXPOSURE_UNKNOWN, { "foobar-blob", NULL } },
	{ "mechanism cut at a bad byte", "x-bar\x01zz", { "Zm9v" }, 0, "X-BAR",
	    "", EXPOSURE_UNKNOWN, { NULL, NULL } },
	{ "no mechanism name", "", { "Zm9v" }, 0, "UNKNOWN", "",
	    EXPOSURE_UNKNOWN, { NULL, NULL } },
	{ "cancel before the secret", "LOGIN", { "ZGF2ZQ==", "*" }, -1, NULL,
	    NULL, EXPOSURE_CLEARTEXT, { NULL, NULL } },
};

/* Feeds message m, NULL standing for an unreadable one. */
static enum sasl_step
feed_msg(
    struct sasl *x, struct session *s, const struct timeval *ts, const char *m)
{
	if (strcmp(m, UNREADABLE) == 0)
		return sasl_client(x, s, ts, NULL, 0);
	return sasl_client(x, s, ts, (const uint8_t *)m, strlen(m));
}

static void
check_no_secret(const struct session *s, const struct sasl *x, const char *p)
{
	if (p == NULL)
		return;
	assert_null(memmem(s, sizeof(*s), p, strlen(p)));
	if (s->ncreds > 0)
		assert_null(memmem(
		    s->creds, s->ncreds * sizeof(*s->creds), p, strlen(p)));
	assert_null(memmem(x, sizeof(*x), p, strlen(p)));
}

static void
check_case(const struct sasl_case *c)
{
	struct session s;
	struct sasl x;
	struct timeval ts = { 2000, 0 };
	enum sasl_step step, want;
	char user[CRED_USER_MAX];
	int i;

	memset(&s, 0, sizeof(s));
	sasl_reset(&x);
	sasl_start(&x, (const uint8_t *)c->mech, strlen(c->mech));
	assert_true(sasl_active(&x));

	for (i = 0; i < MAX_MSGS && c->msgs[i] != NULL; i++) {
		ts.tv_sec = 2000 + i;
		step = feed_msg(&x, &s, &ts, c->msgs[i]);
		want = i == c->sent_at ? SASL_STEP_SENT : SASL_STEP_MORE;
		if (strcmp(c->msgs[i], "*") == 0)
			want = SASL_STEP_CANCEL;
		if (step != want)
			fail_msg("%s: message %d gave step %d, want %d",
			    c->name, i, (int)step, (int)want);
		assert_int_equal(
		    sasl_sent(&x), c->sent_at >= 0 && i >= c->sent_at);
	}

	if (c->sent_at < 0) {
		assert_int_equal(s.ncreds, 0);
	} else {
		assert_int_equal(s.ncreds, 1);
		assert_string_equal(s.creds[0].mechanism, c->want_mech);
		session_printable(user, sizeof(user), (const uint8_t *)c->user,
		    strlen(c->user));
		assert_string_equal(s.creds[0].username, user);
		assert_int_equal(s.creds[0].exposure, c->exposure);
		assert_int_equal(s.creds[0].seen.tv_sec, 2000 + c->sent_at);
		assert_int_equal(s.creds[0].outcome, OUTCOME_UNKNOWN);
	}
	check_no_secret(&s, &x, c->secrets[0]);
	check_no_secret(&s, &x, c->secrets[1]);

	sasl_finish(&x, &s, OUTCOME_REJECTED);
	assert_false(sasl_active(&x));
	if (c->sent_at >= 0)
		assert_int_equal(s.creds[0].outcome, OUTCOME_REJECTED);
	session_cleanup(&s);
}

static void
test_mechanisms(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		check_case(&cases[i]);
}

static void
test_exposure(void **state)
{
	(void)state;
	assert_int_equal(sasl_exposure("PLAIN"), EXPOSURE_CLEARTEXT);
	assert_int_equal(sasl_exposure("LOGIN"), EXPOSURE_CLEARTEXT);
	assert_int_equal(sasl_exposure("USER"), EXPOSURE_CLEARTEXT);
	assert_int_equal(sasl_exposure("APOP"), EXPOSURE_CRACKABLE);
	assert_int_equal(sasl_exposure("CRAM-MD5"), EXPOSURE_CRACKABLE);
	assert_int_equal(sasl_exposure("DIGEST-MD5"), EXPOSURE_CRACKABLE);
	assert_int_equal(sasl_exposure("NTLM"), EXPOSURE_CRACKABLE);
	assert_int_equal(sasl_exposure("XOAUTH2"), EXPOSURE_TOKEN);
	assert_int_equal(sasl_exposure("OAUTHBEARER"), EXPOSURE_TOKEN);
	assert_int_equal(sasl_exposure("SCRAM-SHA-1"), EXPOSURE_NONE);
	assert_int_equal(sasl_exposure("SCRAM-SHA-256-PLUS"), EXPOSURE_NONE);
	assert_int_equal(sasl_exposure("GSSAPI"), EXPOSURE_NONE);
	assert_int_equal(sasl_exposure("EXTERNAL"), EXPOSURE_NONE);
	assert_int_equal(sasl_exposure("SCRAM-"), EXPOSURE_UNKNOWN);
	assert_int_equal(sasl_exposure("PLAINX"), EXPOSURE_UNKNOWN);
	assert_int_equal(sasl_exposure("MSN"), EXPOSURE_UNKNOWN);
}

/* A verdict without a recorded credential must not touch older ones. */
static void
test_verdict_without_secret(void **state)
{
	struct session s;
	struct sasl x;
	struct timeval ts = { 1, 0 };
	int cred;

	(void)state;
	memset(&s, 0, sizeof(s));
	sasl_reset(&x);
	cred = sasl_record(&s, &ts, "USER", (const uint8_t *)"pat", 3);
	assert_int_equal(cred, 0);
	assert_int_equal(s.creds[0].exposure, EXPOSURE_CLEARTEXT);

	sasl_start(&x, (const uint8_t *)"LOGIN", 5);
	assert_int_equal(
	    sasl_client(&x, &s, &ts, (const uint8_t *)"ZGF2ZQ==", 8),
	    SASL_STEP_MORE);
	assert_int_equal(sasl_client(&x, &s, &ts, (const uint8_t *)"*", 1),
	    SASL_STEP_CANCEL);
	sasl_finish(&x, &s, OUTCOME_REJECTED);
	assert_int_equal(s.creds[0].outcome, OUTCOME_UNKNOWN);

	sasl_outcome(&s, cred, OUTCOME_ACCEPTED);
	assert_int_equal(s.creds[0].outcome, OUTCOME_ACCEPTED);
	sasl_outcome(&s, -1, OUTCOME_REJECTED);
	sasl_outcome(&s, 7, OUTCOME_REJECTED);
	assert_int_equal(s.creds[0].outcome, OUTCOME_ACCEPTED);
	session_cleanup(&s);
}

/* Messages before sasl_start() and after the secret change nothing. */
static void
test_idle_and_after(void **state)
{
	struct session s;
	struct sasl x;
	struct timeval ts = { 1, 0 };
	const uint8_t *blob = (const uint8_t *)"AGFsaWNlAFdvbmRlcmxhbmQtMTE=";

	(void)state;
	memset(&s, 0, sizeof(s));
	sasl_reset(&x);
	assert_int_equal(sasl_client(&x, &s, &ts, blob, 28), SASL_STEP_MORE);
	assert_int_equal(s.ncreds, 0);

	sasl_start(&x, (const uint8_t *)"PLAIN", 5);
	assert_int_equal(sasl_client(&x, &s, &ts, blob, 28), SASL_STEP_SENT);
	assert_int_equal(sasl_client(&x, &s, &ts, blob, 28), SASL_STEP_MORE);
	assert_int_equal(s.ncreds, 1);
	assert_int_equal(s.creds[0].count, 1);

	/* The same login again, in a new exchange, is folded in. */
	sasl_start(&x, (const uint8_t *)"PLAIN", 5);
	assert_int_equal(sasl_client(&x, &s, &ts, blob, 28), SASL_STEP_SENT);
	assert_int_equal(s.ncreds, 1);
	assert_int_equal(s.creds[0].count, 2);
	sasl_finish(&x, &s, OUTCOME_ACCEPTED);
	assert_int_equal(s.creds[0].outcome, OUTCOME_ACCEPTED);
	session_cleanup(&s);
}

/* A full session drops the login and the verdict finds nothing to set. */
static void
test_full_session(void **state)
{
	struct session s;
	struct sasl x;
	struct timeval ts = { 1, 0 };
	char name[16];
	int i;

	(void)state;
	memset(&s, 0, sizeof(s));
	sasl_reset(&x);
	for (i = 0; i < SESSION_MAX_CREDS; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		assert_int_equal(sasl_record(&s, &ts, "USER",
				     (const uint8_t *)name, strlen(name)),
		    i);
	}
	sasl_start(&x, (const uint8_t *)"PLAIN", 5);
	assert_int_equal(sasl_client(&x, &s, &ts,
			     (const uint8_t *)"AGJvYgBIdW50ZXIyLXB3", 20),
	    SASL_STEP_SENT);
	assert_int_equal(s.creds_dropped, 1);
	sasl_finish(&x, &s, OUTCOME_REJECTED);
	for (i = 0; i < SESSION_MAX_CREDS; i++)
		assert_int_equal(s.creds[i].outcome, OUTCOME_UNKNOWN);
	session_cleanup(&s);
}

/*
 * Hostile NTLM AUTHENTICATE messages after a NEGOTIATE: a user name
 * running past the end, a message cut before the user field, a domain
 * offset near 2^32.  They count as the login, with no name read.
 */
static void
test_ntlm_bounds(void **state)
{
	static const char *const blobs[] = {
		"TlRMTVNTUAADAAAAAAAAAAAAAAAAAAAAAAAAAAQABAA8AAAA/////0AAAAAA"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAAAA==",
		"TlRMTVNTUAADAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"TlRMTVNTUAADAAAAAAAAAAAAAAAAAAAAAAAAAAgACAD8////AAAAAEAAAAAA"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAAAA==",
		"TlRMTVNTUAAD",
	};
	static const char *negotiate =
	    "TlRMTVNTUAABAAAAB4IIAAAAAAAAAAAAAAAAAAAAAAA=";
	struct session s;
	struct sasl x;
	struct timeval ts = { 1, 0 };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(blobs); i++) {
		memset(&s, 0, sizeof(s));
		sasl_reset(&x);
		sasl_start(&x, (const uint8_t *)"NTLM", 4);
		assert_int_equal(
		    sasl_client(&x, &s, &ts, (const uint8_t *)negotiate,
			strlen(negotiate)),
		    SASL_STEP_MORE);
		assert_int_equal(
		    sasl_client(&x, &s, &ts, (const uint8_t *)blobs[i],
			strlen(blobs[i])),
		    SASL_STEP_SENT);
		assert_int_equal(s.ncreds, 1);
		assert_string_equal(s.creds[0].username, "");
		session_cleanup(&s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mechanisms),
		cmocka_unit_test(test_exposure),
		cmocka_unit_test(test_verdict_without_secret),
		cmocka_unit_test(test_idle_and_after),
		cmocka_unit_test(test_full_session),
		cmocka_unit_test(test_ntlm_bounds),
	};

	return cmocka_run_group_tests_name("sasl", tests, NULL, NULL);
}
