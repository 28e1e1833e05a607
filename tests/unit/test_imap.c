/*
 * test_imap.c - unit tests for the IMAP analyzer.
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

#define QUINN_PLAIN "AHF1aW5uAFF1aW5uLVB3LTY="
#define RITA_PLAIN "AHJpdGEAUml0YS1Qdy0y"

static const struct feed_chunk greeting_starttls[] = {
	SRV("* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ STARTTLS "
	    "AUTH=PLAIN AUTH=LOGIN] Dovecot ready.\r\n"),
	CLI("a1 STARTTLS\r\n"),
	CLI("\x16\x03\x01\x00\x02\x01\x00"),
	SRV("a1 OK Begin TLS negotiation now.\r\n"),
	FEED_END,
};

static const struct feed_chunk capability_continuation[] = {
	SRV("* OK IMAP4rev1 server ready\r\n"),
	CLI("a001 capability\r\n"),
	SRV("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n"
	    "a001 OK CAPABILITY completed\r\n"),
	CLI("a002 authenticate plain\r\n"),
	SRV("+ \r\n"),
	CLI(QUINN_PLAIN "\r\n"),
	SRV("a002 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n"),
	CLI("a003 logout\r\n"),
	SRV("* BYE Logging out\r\na003 OK Logout completed.\r\n"),
	FEED_END,
};

static const struct feed_chunk sasl_ir[] = {
	SRV("* OK [CAPABILITY IMAP4rev1 SASL-IR STARTTLS AUTH=PLAIN] "
	    "ready\r\n"),
	CLI("A1 AUTHENTICATE PLAIN " RITA_PLAIN "\r\n"),
	SRV("A1 OK [CAPABILITY IMAP4rev1 SORT] Logged in\r\n"),
	FEED_END,
};

static const struct feed_chunk login_atoms[] = {
	SRV("* OK ready\r\n"),
	CLI("a LOGIN sam Sam-Atom-Pw\r\n"),
	SRV("a OK LOGIN completed\r\n"),
	FEED_END,
};

static const struct feed_chunk login_quoted_no[] = {
	SRV("* OK ready\r\n"),
	CLI("b LOGIN \"tom \\\"t\\\" o\" \"Tom-Quoted-\\\\Pw\"\r\n"),
	SRV("b NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"),
	FEED_END,
};

/* Synchronising literals: each waits for the server's "+". */
static const struct feed_chunk login_literals[] = {
	SRV("* OK ready\r\n"),
	CLI("a3 LOGIN {5}\r\n"),
	SRV("+ Ready for literal data\r\n"),
	CLI("u m@x {11}\r\n"),
	SRV("+ Ready for literal data\r\n"),
	CLI("Uma-Lit-Pw1\r\n"),
	SRV("a3 OK LOGIN completed\r\n"),
	FEED_END,
};

static const struct feed_chunk login_literal_plus[] = {
	SRV("* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n"),
	CLI("a4 LOGIN {6+}\r\nvictor {12+}\r\nVictor-Pw-12\r\n"),
	SRV("a4 BAD Invalid arguments\r\n"),
	FEED_END,
};

/* A literal the server will not take is never sent. */
static const struct feed_chunk literal_refused[] = {
	SRV("* OK ready\r\n"),
	CLI("a5 LOGIN {300}\r\n"),
	SRV("a5 NO [LIMIT] Too long\r\n"),
	CLI("a6 LOGIN walt Walt-Pw-9\r\n"),
	SRV("a6 OK done\r\n"),
	FEED_END,
};

static const struct feed_chunk logindisabled_id[] = {
	SRV("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n"),
	CLI("a1 ID (\"name\" \"Thunderbird\" \"version\" \"115.3.1\" "
	    "\"os\" \"Linux\")\r\n"),
	SRV("* ID NIL\r\na1 OK ID completed\r\n"),
	CLI("a2 LOGOUT\r\n"),
	SRV("* BYE\r\na2 OK\r\n"),
	FEED_END,
};

/* Literals in both directions hold text that must not be read. */
static const struct feed_chunk literal_traps[] = {
	SRV("* OK IMAP4rev1 ready\r\n"),
	CLI("a1 LOGIN xavier Xavier-Pw-3\r\n"),
	SRV("a1 OK [CAPABILITY IMAP4rev1 IDLE] done\r\n"),
	CLI("a3 FETCH 1 BODY[]\r\n"),
	SRV("* 1 FETCH (BODY[] {83}\r\n"
	    "a9 LOGIN yvonne Yvonne-Pw-5\r\n"
	    "* CAPABILITY IMAP4rev1 STARTTLS\r\n"
	    "+ \r\n"
	    "a3 OK fake\r\n"
	    "{5}\r\n"
	    " FLAGS (\\Seen))\r\n"
	    "a3 OK FETCH completed\r\n"),
	CLI("a4 APPEND INBOX {33}\r\n"),
	SRV("+ Ready for literal data\r\n"),
	CLI("a5 LOGIN zed Zed-Pw-8\r\nXXXXXXXX\r\n\r\n"),
	SRV("a4 OK APPEND completed\r\n"),
	FEED_END,
};

static const struct feed_chunk verdicts[] = {
	SRV("* OK ready\r\n"),
	CLI("a1 LOGIN sam Sam-Atom-Pw\r\n"),
	SRV("a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"),
	CLI("a2 AUTHENTICATE PLAIN " RITA_PLAIN "\r\n"),
	SRV("a2 BAD Invalid\r\n"),
	CLI("a3 AUTHENTICATE PLAIN " QUINN_PLAIN "\r\n"),
	SRV("a3 OK done\r\n"),
	FEED_END,
};

static const struct feed_chunk starttls_no[] = {
	SRV("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"),
	CLI("x starttls\r\n"),
	SRV("x NO STARTTLS not available\r\n"),
	CLI("y LOGIN sam Sam-Atom-Pw\r\n"),
	SRV("y OK\r\n"),
	FEED_END,
};

static const struct feed_chunk cancelled[] = {
	SRV("* OK ready\r\n"),
	CLI("c1 AUTHENTICATE LOGIN\r\n"),
	SRV("+ VXNlcm5hbWU6\r\n"),
	CLI("ZGF2ZQ==\r\n"),
	SRV("+ UGFzc3dvcmQ6\r\n"),
	CLI("*\r\n"),
	SRV("c1 BAD Authentication cancelled\r\n"),
	FEED_END,
};

static const struct feed_chunk masked[] = {
	SRV("* OK [CAPABILITY IMAP4rev1 XXXXXXXX AUTH=PLAIN] ready\r\n"),
	FEED_END,
};

/* A 4 GB literal, mostly lost: the loss shortens it. */
static const struct feed_chunk huge_literal[] = {
	SRV("* OK ready\r\n"),
	CLI("a1 FETCH 1 BODY[]\r\n"),
	SRV("* 1 FETCH (BODY[] {4294967296}\r\n"),
	SRV("* CAPABILITY IMAP4rev1 STARTTLS\r\n"),
	GAP_SRV(4294967259ULL),
	SRV("+ \r\n"),
	SRV(")\r\na1 OK FETCH done\r\n"),
	CLI("a2 LOGIN zoe Zoe-Pw-0\r\n"),
	SRV("a2 OK\r\n"),
	FEED_END,
};

static const struct feed_chunk cleartext_after[] = {
	SRV("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"),
	CLI("a1 STARTTLS\r\n"),
	SRV("a1 OK Begin TLS\r\n"),
	CLI("a2 LOGIN sam Sam-Atom-Pw\r\n"),
	SRV("a2 OK\r\n"),
	FEED_END,
};

static const struct feed_chunk pipelined[] = {
	SRV("* PREAUTH [CAPABILITY IMAP4rev1 AUTH=XOAUTH2] ready\r\n"),
	CLI("a1 NOOP\r\na2 LOGIN amy Amy-Pw-1\r\na3 APPEND INBOX {8+}\r\n"
	    "a4 X y\r\n\r\na5 NOOP\r\n"),
	SRV("a2 OK\r\na1 OK\r\na3 OK\r\na5 OK\r\n"),
	FEED_END,
};

/* No server: literals follow at once, SASL answers have no space. */
static const struct feed_chunk one_sided[] = {
	CLI("a1 LOGIN {4}\r\n"),
	CLI("anna {7}\r\n"),
	CLI("Anna-Pw\r\n"),
	CLI("a2 AUTHENTICATE PLAIN\r\n"),
	CLI(QUINN_PLAIN "\r\n"),
	CLI("a3 LOGOUT\r\n"),
	FEED_END,
};

/* No server: a TLS record after STARTTLS means it went ahead. */
static const struct feed_chunk one_sided_starttls[] = {
	CLI("a1 CAPABILITY\r\n"),
	CLI("a2 STARTTLS\r\n"),
	CLI("\x16\x03\x01\x00\x02\x01\x00"),
	FEED_END,
};

static const struct feed_chunk xoauth2_error[] = {
	SRV("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready\r\n"),
	CLI("a AUTHENTICATE XOAUTH2 dXNlcj1oZWlkaUBleGFtcGxlLmNvbQFhdXRoPUJl"
	    "YXJlciB5YTI5LkhlaWRpLVRva2VuLTkBAQ==\r\n"),
	SRV("+ eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJo"
	    "dHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==\r\n"),
	CLI("\r\n"),
	SRV("a NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)\r\n"),
	FEED_END,
};

/* Filled in main(): lines longer than the analyzer's buffer. */
static char long_command[20000];
static char long_response[17000];

static const struct feed_chunk long_lines[] = {
	SRV("* OK ready\r\n"),
	{ DIR_TO_SERVER, long_command, sizeof(long_command) },
	SRV("a1 OK\r\n"),
	CLI("a2 FETCH 1 X\r\n"),
	{ DIR_TO_CLIENT, long_response, sizeof(long_response) },
	SRV("* CAPABILITY STARTTLS)\r\na2 OK\r\n"),
	CLI("a3 LOGIN sam Sam-Atom-Pw\r\n"),
	SRV("a3 OK\r\n"),
	FEED_END,
};

static void
fill_long_lines(void)
{
	static const char end[] = " {21}\r\n";

	memset(long_command, 'x', sizeof(long_command));
	memcpy(long_command, "a1 NOOP ", 8);
	memcpy(long_command + sizeof(long_command) - 2, "\r\n", 2);
	memset(long_response, 'y', sizeof(long_response));
	memcpy(long_response, "* 1 FETCH (X ", 13);
	memcpy(long_response + sizeof(long_response) - sizeof(end) + 1, end,
	    sizeof(end) - 1);
}

#define CRED(m, u, e, o, k)                                                    \
	{                                                                      \
		.mech = (m), .user = (u), .exposure = (e), .outcome = (o),     \
		.chunk = (k)                                                   \
	}

static struct feed_case cases[] = {
	{ "greeting lists STARTTLS, upgrade", greeting_starttls, false,
	    { .offered = 1,
		.attempted = true,
		.starttls_chunk = 2,
		.accepted = true,
		.switched = true,
		.check_rest = true,
		.rest = { 7, 0 },
		.auth_offered = "PLAIN LOGIN" } },
	{ "CAPABILITY, lower case AUTHENTICATE with continuation",
	    capability_continuation, false,
	    { .offered = 0,
		.auth_offered = "PLAIN",
		.ncreds = 1,
		.creds = { CRED("PLAIN", "quinn", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 6) },
		.secrets = { "Quinn-Pw-6", QUINN_PLAIN } } },
	{ "AUTHENTICATE PLAIN with SASL-IR", sasl_ir, false,
	    { .offered = 1,
		.auth_offered = "PLAIN",
		.ncreds = 1,
		.creds = { CRED(
		    "PLAIN", "rita", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 2) },
		.secrets = { "Rita-Pw-2", RITA_PLAIN } } },
	{ "LOGIN with atoms", login_atoms, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED(
		    "LOGIN", "sam", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 2) },
		.secrets = { "Sam-Atom-Pw" } } },
	{ "LOGIN with quoted strings, NO", login_quoted_no, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("LOGIN", "tom \"t\" o", EXPOSURE_CLEARTEXT,
		    OUTCOME_REJECTED, 2) },
		.secrets = { "Tom-Quoted-" } } },
	{ "LOGIN with synchronising literals", login_literals, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("LOGIN", "u m@x", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 6) },
		.secrets = { "Uma-Lit-Pw1" } } },
	{ "LOGIN with non-synchronising literals, BAD", login_literal_plus,
	    false,
	    { .offered = 0,
		.ncreds = 1,
		.creds = { CRED("LOGIN", "victor", EXPOSURE_CLEARTEXT,
		    OUTCOME_REJECTED, 2) },
		.secrets = { "Victor-Pw-12" } } },
	{ "literal refused, then LOGIN", literal_refused, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED(
		    "LOGIN", "walt", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 4) },
		.secrets = { "Walt-Pw-9" } } },
	{ "LOGINDISABLED and ID", logindisabled_id, false,
	    { .offered = 1,
		.login_disabled = true,
		.client_name = "Thunderbird 115.3.1" } },
	{ "literals holding commands and responses", literal_traps, false,
	    { .offered = 0,
		.ncreds = 1,
		.creds = { CRED("LOGIN", "xavier", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 2) },
		.secrets = { "Xavier-Pw-3", "Zed-Pw-8", "Yvonne-Pw-5" } } },
	{ "NO and BAD verdicts", verdicts, false,
	    { .offered = -1,
		.ncreds = 3,
		.creds = { CRED("LOGIN", "sam", EXPOSURE_CLEARTEXT,
			       OUTCOME_REJECTED, 2),
		    CRED("PLAIN", "rita", EXPOSURE_CLEARTEXT, OUTCOME_REJECTED,
			4),
		    CRED("PLAIN", "quinn", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED,
			6) } } },
	{ "STARTTLS refused", starttls_no, false,
	    { .offered = 1,
		.attempted = true,
		.starttls_chunk = 2,
		.result = STARTTLS_RESULT_REFUSED,
		.ncreds = 1,
		.creds = { CRED("LOGIN", "sam", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 4) } } },
	{ "AUTHENTICATE cancelled", cancelled, false, { .offered = -1 } },
	{ "masked STARTTLS capability", masked, false,
	    { .offered = 0, .stripped = true, .auth_offered = "PLAIN" } },
	{ "4 GB literal shortened by a loss", huge_literal, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("LOGIN", "zoe", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 8) } } },
	{ "clear text after the go-ahead", cleartext_after, true,
	    { .offered = 1,
		.attempted = true,
		.starttls_chunk = 2,
		.accepted = true,
		.switched = true,
		.cleartext_after_tls = true,
		.ncreds = 1,
		.creds = { CRED("LOGIN", "sam", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 4) } } },
	{ "pipelined commands, out of order completion", pipelined, false,
	    { .offered = 0,
		.auth_offered = "XOAUTH2",
		.ncreds = 1,
		.creds = { CRED("LOGIN", "amy", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 2) } } },
	{ "client side only", one_sided, false,
	    { .offered = -1,
		.ncreds = 2,
		.creds = { CRED("LOGIN", "anna", EXPOSURE_CLEARTEXT,
			       OUTCOME_UNKNOWN, 3),
		    CRED("PLAIN", "quinn", EXPOSURE_CLEARTEXT, OUTCOME_UNKNOWN,
			5) },
		.secrets = { "Anna-Pw", "Quinn-Pw-6" } } },
	{ "client side only, STARTTLS then TLS", one_sided_starttls, false,
	    { .offered = -1,
		.attempted = true,
		.starttls_chunk = 2,
		.accepted = true,
		.switched = true,
		.check_rest = true,
		.rest = { 7, 0 } } },
	{ "XOAUTH2 refused after an error challenge", xoauth2_error, false,
	    { .offered = 0,
		.auth_offered = "XOAUTH2",
		.ncreds = 1,
		.creds = { CRED("XOAUTH2", "heidi@example.com", EXPOSURE_TOKEN,
		    OUTCOME_REJECTED, 2) },
		.secrets = { "Heidi-Token-9" } } },
	{ "overlong lines, one ending in a literal", long_lines, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED(
		    "LOGIN", "sam", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 7) },
		.anomalies = SESSION_ANOM_LONG_LINE } },
};

static void
run_case(void **state)
{
	const struct feed_case *c = *state;
	char where[64];
	const char *why;

	why = feed_case_run(&imap_analyzer, c, where, sizeof(where));
	if (why != NULL)
		fail_msg("%s (%s): %s", c->name, where, why);
}

static void
test_noise(void **state)
{
	static const char *const words[] = { "\r\n", "\n", "a1 LOGIN ",
		"a2 AUTHENTICATE PLAIN", QUINN_PLAIN, "{5}\r\n", "{3+}\r\n",
		"{99999999999999999999}\r\n", "{4294967296}\r\n", "+ \r\n",
		"* OK [CAPABILITY STARTTLS] x\r\n", "a1 OK\r\n", "a2 NO\r\n",
		"\"x\\\"", "a3 STARTTLS\r\n", "\x16\x03\x01", "* 1 FETCH ",
		"a4 ID (\"name\" ", "*\r\n", "a1 " };

	(void)state;
	feed_garbage(&imap_analyzer, words, ARRAY_SIZE(words), 400);
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
	return cmocka_run_group_tests_name("imap", tests, NULL, NULL);
}
