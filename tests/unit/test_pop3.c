/*
 * test_pop3.c - unit tests for the POP3 analyzer.
 *
 * Each case is a session as captured, both directions interleaved, and
 * the facts a careful reader of it would record.  feed.h replays it whole,
 * cut at every offset and byte by byte.  Chunk numbers in the expectations
 * count from 1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "feed.h"

#define PAT_PLAIN "AHBhdABQYXQtUGFzcy04"
#define JOE_XOAUTH2                                                            \
	"dXNlcj1qb2Uuc3BlZWRib2F0AWF1dGg9QmVhcmVyIEpvZS1Ub2tlbi0xAQE="

/* Message text whose lines look like status lines and capabilities. */
static const struct feed_chunk user_pass_retr[] = {
	SRV("+OK POP server ready H migmxus005\r\n"),
	CLI("user cicciopernacchio@mail.com\r\n"),
	SRV("+OK password required for user "
	    "\"cicciopernacchio@mail.com\"\r\n"),
	CLI("pass pippozzo\r\n"),
	SRV("+OK mailbox has 2 messages (17672 octets)\r\n"),
	CLI("list\r\n"),
	SRV("+OK\r\n1 16196\r\n2 1476\r\n.\r\n"),
	CLI("uidl\r\n"),
	SRV("+OK\r\n1 0LnyLp-1TsNI72MLw\r\n2 0Mhti8-1SycGg1Hjn\r\n.\r\n"),
	CLI("retr 2\r\nuser second\r\npass Second-Pw-2\r\n"),
	SRV("+OK 1476 octets\r\n"),
	SRV("Return-Path: <x@example.org>\r\nSubject: x\r\n\r\n"
	    "-ERR fake\r\n+OK fake\r\nPASS hunter2\r\n..\r\n.STLS\r\n"
	    "STLS\r\n"),
	SRV("SASL PLAIN\r\n.\r\n+OK\r\n-ERR invalid password\r\n"),
	CLI("list 1\r\n"),
	SRV("+OK 1 16196\r\n"),
	CLI("quit\r\n"),
	SRV("+OK POP server signing off\r\n"),
	FEED_END,
};

static const struct feed_chunk apop[] = {
	SRV("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"),
	CLI("CAPA\r\n"),
	SRV("+OK Capability list follows\r\nTOP\r\nUSER\r\nUIDL\r\n.\r\n"),
	CLI("APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"),
	SRV("+OK maildrop has 1 message (369 octets)\r\n"),
	FEED_END,
};

static const struct feed_chunk auth_plain_two_step[] = {
	SRV("+OK POP server ready H mimap8 0MHXFQ-1VDgSF1308-003NYq\r\n"),
	CLI("AUTH\r\n"),
	SRV("-ERR 1 argument required\r\n"),
	CLI("CAPA\r\nNOOP\r\n"),
	SRV("+OK Capability list follows\r\nTOP\r\nUSER\r\nUIDL\r\nSTLS\r\n"
	    "SASL PLAIN\r\nIMPLEMENTATION trinity\r\n.\r\n+OK\r\n"),
	CLI("AUTH PLAIN\r\n"),
	SRV("+ \r\n"),
	CLI(PAT_PLAIN "\r\n"),
	SRV("-ERR authentication failed\r\n"),
	FEED_END,
};

static const struct feed_chunk stls[] = {
	SRV("+OK lavad\r\n"),
	CLI("CAPA\r\n"),
	SRV("+OK Capabilities follow.\r\nTOP\r\nUSER\r\nSTLS\r\nPIPELINING\r\n"
	    "IMPLEMENTATION lavad 4.3.0\r\n.\r\n"),
	CLI("STLS\r\n"),
	CLI("\x16\x03\x01\x00\x03\x01\x00\x00"),
	SRV("+OK Ready to start TLS negotiation.\r\n"),
	FEED_END,
};

static const struct feed_chunk stls_refused[] = {
	SRV("+OK ready\r\n"),
	CLI("stls\r\n"),
	SRV("-ERR Command not permitted\r\n"),
	CLI("AUTH PLAIN " PAT_PLAIN "\r\n"),
	SRV("+OK logged in\r\n"),
	FEED_END,
};

/* No greeting was captured; the client starts with CAPA. */
static const struct feed_chunk xoauth2[] = {
	CLI("CAPA\r\n"),
	SRV("+OK Capability list follows\r\nUSER\r\nRESP-CODES\r\nEXPIRE 0\r\n"
	    "LOGIN-DELAY 300\r\nTOP\r\nUIDL\r\nX-GOOGLE-RICO\r\n"
	    "SASL PLAIN XOAUTH2 OAUTHBEARER\r\n.\r\n"),
	CLI("AUTH XOAUTH2\r\n"),
	SRV("+ \r\n"),
	CLI(JOE_XOAUTH2 "\r\n"),
	SRV("+OK Welcome.\r\n"),
	CLI("STAT\r\n"),
	SRV("+OK 1 308661\r\n"),
	CLI("LIST\r\n"),
	SRV("+OK 1 messages (308661 bytes)\r\n1 308661\r\n.\r\n"),
	CLI("UIDL\r\n"),
	SRV("+OK\r\n1 GmailId123456789\r\n.\r\n"),
	CLI("QUIT\r\n"),
	FEED_END,
};

static const struct feed_chunk auth_list_and_cancel[] = {
	SRV("+OK ready\r\n"),
	CLI("AUTH\r\n"),
	SRV("+OK\r\nPLAIN\r\nLOGIN\r\n.\r\n"),
	CLI("AUTH LOGIN\r\n"),
	SRV("+ VXNlcm5hbWU6\r\n"),
	CLI("ZGF2ZQ==\r\n"),
	SRV("+ UGFzc3dvcmQ6\r\n"),
	CLI("*\r\n"),
	SRV("-ERR authentication cancelled\r\n"),
	CLI("USER lonely\r\n"),
	SRV("+OK\r\n"),
	CLI("QUIT\r\n"),
	SRV("+OK bye\r\n"),
	FEED_END,
};

static const struct feed_chunk masked[] = {
	SRV("+OK ready\r\n"),
	CLI("CAPA\r\n"),
	SRV("+OK\r\nTOP\r\nXXXX\r\nUSER\r\n.\r\n"),
	FEED_END,
};

static const struct feed_chunk cleartext_after[] = {
	SRV("+OK ready\r\n"),
	CLI("STLS\r\n"),
	SRV("+OK Begin TLS negotiation now\r\n"),
	CLI("USER pat\r\n"),
	SRV("+OK\r\n"),
	CLI("PASS Pat-Pass-8\r\n"),
	SRV("+OK\r\n"),
	FEED_END,
};

/* Only the client's side: SASL answers are told from verbs. */
static const struct feed_chunk one_sided[] = {
	CLI("USER pat\r\n"),
	CLI("PASS Pat-Pass-8\r\n"),
	CLI("RETR 1\r\n"),
	CLI("AUTH PLAIN\r\n"),
	CLI(PAT_PLAIN "\r\n"),
	CLI("QUIT\r\n"),
	FEED_END,
};

/* No server: a TLS record after STLS means it went ahead. */
static const struct feed_chunk one_sided_stls[] = {
	CLI("CAPA\r\n"),
	CLI("STLS\r\n"),
	CLI("\x16\x03\x01\x00\x02\x01\x00"),
	FEED_END,
};

/* The "." of a RETR response was lost; the next command ends it. */
static const struct feed_chunk body_gap[] = {
	SRV("+OK ready\r\n"),
	CLI("TOP 1 10\r\n"),
	SRV("+OK\r\nSubject: x\r\n\r\nsome text"),
	GAP_SRV(5000),
	CLI("USER pat\r\n"),
	SRV("+OK\r\n"),
	CLI("PASS Pat-Pass-8\r\n"),
	SRV("-ERR no\r\n"),
	FEED_END,
};

/* Filled in main(): lines longer than the analyzer's buffer. */
static char long_command[9000];
static char long_reply[9000];

static const struct feed_chunk long_lines[] = {
	SRV("+OK ready\r\n"),
	{ DIR_TO_SERVER, long_command, sizeof(long_command) },
	{ DIR_TO_CLIENT, long_reply, sizeof(long_reply) },
	CLI("\x01\x02\x03\r\nUSER pat\r\n"),
	SRV("+OK\r\n"),
	CLI("PASS Pat-Pass-8\r\n"),
	SRV("+OK\r\n"),
	FEED_END,
};

static void
fill_long_lines(void)
{
	memset(long_command, 'x', sizeof(long_command));
	memcpy(long_command, "NOOP ", 5);
	memcpy(long_command + sizeof(long_command) - 2, "\r\n", 2);
	memset(long_reply, 'y', sizeof(long_reply));
	memcpy(long_reply, "-ERR ", 5);
	memcpy(long_reply + sizeof(long_reply) - 2, "\r\n", 2);
}

#define CRED(m, u, e, o, k)                                                    \
	{                                                                      \
		.mech = (m), .user = (u), .exposure = (e), .outcome = (o),     \
		.chunk = (k)                                                   \
	}

static struct feed_case cases[] = {
	{ "USER/PASS, listings and message text skipped", user_pass_retr, false,
	    { .offered = -1,
		.ncreds = 2,
		.creds = { CRED("USER", "cicciopernacchio@mail.com",
			       EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 4),
		    CRED("USER", "second", EXPOSURE_CLEARTEXT, OUTCOME_REJECTED,
			10) },
		.secrets = { "pippozzo", "Second-Pw-2" } } },
	{ "APOP after CAPA without STLS", apop, false,
	    { .offered = 0,
		.ncreds = 1,
		.creds = { CRED(
		    "APOP", "mrose", EXPOSURE_CRACKABLE, OUTCOME_ACCEPTED, 4) },
		.secrets = { "c4c9334bac560ecc979e58001b3e22fb" } } },
	{ "bare AUTH refused, AUTH PLAIN two-step", auth_plain_two_step, false,
	    { .offered = 1,
		.auth_offered = "PLAIN",
		.ncreds = 1,
		.creds = { CRED(
		    "PLAIN", "pat", EXPOSURE_CLEARTEXT, OUTCOME_REJECTED, 8) },
		.secrets = { "Pat-Pass-8", PAT_PLAIN } } },
	{ "STLS accepted, TLS overtaking the +OK", stls, false,
	    { .offered = 1,
		.attempted = true,
		.starttls_chunk = 4,
		.accepted = true,
		.switched = true,
		.check_rest = true,
		.rest = { 8, 0 } } },
	{ "STLS refused, AUTH PLAIN initial response", stls_refused, false,
	    { .offered = -1,
		.attempted = true,
		.starttls_chunk = 2,
		.result = STARTTLS_RESULT_REFUSED,
		.ncreds = 1,
		.creds = { CRED(
		    "PLAIN", "pat", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 4) },
		.secrets = { "Pat-Pass-8", PAT_PLAIN } } },
	{ "AUTH XOAUTH2 without a greeting", xoauth2, false,
	    { .offered = 0,
		.auth_offered = "PLAIN XOAUTH2 OAUTHBEARER",
		.ncreds = 1,
		.creds = { CRED("XOAUTH2", "joe.speedboat", EXPOSURE_TOKEN,
		    OUTCOME_ACCEPTED, 5) },
		.secrets = { "Joe-Token-1", JOE_XOAUTH2 } } },
	{ "AUTH mechanism list, AUTH cancelled, USER alone",
	    auth_list_and_cancel, false,
	    { .offered = -1, .auth_offered = "PLAIN LOGIN" } },
	{ "masked STLS capability", masked, false,
	    { .offered = 0, .stripped = true } },
	{ "clear text after the go-ahead", cleartext_after, true,
	    { .offered = -1,
		.attempted = true,
		.starttls_chunk = 2,
		.accepted = true,
		.switched = true,
		.cleartext_after_tls = true,
		.ncreds = 1,
		.creds = { CRED(
		    "USER", "pat", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 6) },
		.secrets = { "Pat-Pass-8" } } },
	{ "client side only", one_sided, false,
	    { .offered = -1,
		.ncreds = 2,
		.creds = { CRED("USER", "pat", EXPOSURE_CLEARTEXT,
			       OUTCOME_UNKNOWN, 2),
		    CRED("PLAIN", "pat", EXPOSURE_CLEARTEXT, OUTCOME_UNKNOWN,
			5) },
		.secrets = { "Pat-Pass-8" } } },
	{ "client side only, STLS then TLS", one_sided_stls, false,
	    { .offered = -1,
		.attempted = true,
		.starttls_chunk = 2,
		.accepted = true,
		.switched = true,
		.check_rest = true,
		.rest = { 7, 0 } } },
	{ "multi-line response end lost in a gap", body_gap, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("USER", "pat", EXPOSURE_CLEARTEXT,
		    OUTCOME_REJECTED, 7) } } },
	{ "overlong lines and garbage", long_lines, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED(
		    "USER", "pat", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 6) },
		.anomalies = SESSION_ANOM_LONG_LINE | SESSION_ANOM_GARBAGE } },
};

static void
run_case(void **state)
{
	const struct feed_case *c = *state;
	char where[64];
	const char *why;

	why = feed_case_run(&pop3_analyzer, c, where, sizeof(where));
	if (why != NULL)
		fail_msg("%s (%s): %s", c->name, where, why);
}

static void
test_noise(void **state)
{
	static const char *const words[] = { "\r\n", "\n", "USER x\r\n",
		"PASS y\r\n", "AUTH PLAIN", PAT_PLAIN, "+OK\r\n", "-ERR\r\n",
		"+ \r\n", "RETR 1\r\n", "CAPA\r\n", "STLS\r\n", ".\r\n",
		"\x16\x03\x01", "APOP a b\r\n", "*\r\n", "LIST\r\n" };

	(void)state;
	feed_garbage(&pop3_analyzer, words, ARRAY_SIZE(words), 400);
}

int
main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(cases) + 1];
	size_t i;

	fill_long_lines();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = &cases[i];
	}
	memset(&tests[i], 0, sizeof(tests[i]));
	tests[i].name = "random bytes and protocol words";
	tests[i].test_func = test_noise;
	return cmocka_run_group_tests_name("pop3", tests, NULL, NULL);
}
