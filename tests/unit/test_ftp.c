/*
 * test_ftp.c - unit tests for the FTP control connection analyzer.
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

/* The start of a TLS ClientHello: 10 bytes. */
#define HELLO "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"

/* FEAT advertises AUTH TLS; the client logs in in clear all the same. */
static const struct feed_chunk feat_offered_not_used[] = {
	SRV("220 ProFTPD Server (files.example.org) ready\r\n"),
	CLI("FEAT\r\n"),
	SRV("211-Features:\r\n"
	    " AUTH TLS\r\n"
	    " PBSZ\r\n"
	    " PROT\r\n"
	    " MDTM\r\n"
	    " SIZE\r\n"
	    "211 End\r\n"),
	CLI("USER zoe\r\n"),
	SRV("331 Password required for zoe\r\n"),
	CLI("PASS Quartz-88\r\n"),
	SRV("230 User zoe logged in\r\n"),
	CLI("PWD\r\n"),
	SRV("257 \"/home/zoe\" is the current directory\r\n"),
	CLI("QUIT\r\n"),
	SRV("221 Goodbye.\r\n"),
	FEED_END,
};

/* Anonymous login; FEAT without AUTH; HELP lists AUTH as a command. */
static const struct feed_chunk anonymous[] = {
	SRV("220 (vsFTPd 3.0.3)\r\n"),
	CLI("USER anonymous\r\n"),
	SRV("331 Please specify the password.\r\n"),
	CLI("PASS guest@example.org\r\n"),
	SRV("230 Login successful.\r\n"),
	CLI("FEAT\r\n"),
	SRV("211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n"
	    " REST STREAM\r\n SIZE\r\n TVFS\r\n211 End\r\n"),
	CLI("HELP SITE\r\n"),
	SRV("214-The following commands are recognized.\r\n"
	    " ABOR ACCT ALLO APPE AUTH CDUP CWD  DELE EPRT EPSV FEAT HELP\r\n"
	    " AUTH TLS\r\n"
	    "214 Help OK.\r\n"),
	CLI("CLNT ExampleFTP 1.0 linux\r\n"),
	SRV("500 Unknown command.\r\n"),
	CLI("PASV\r\n"),
	SRV("227 Entering Passive Mode (192,0,2,7,100,85).\r\n"),
	CLI("RETR 1MB.zip\r\n"),
	SRV("150 Opening BINARY mode data connection for 1MB.zip.\r\n"),
	SRV("226 Transfer complete.\r\n"),
	CLI("QUIT\r\n"),
	SRV("221 Goodbye.\r\n"),
	FEED_END,
};

/* FEAT lists PBSZ and PROT but not AUTH TLS; the client asks anyway. */
static const struct feed_chunk auth_tls_unlisted[] = {
	SRV("220 (vsFTPd 3.0.5)\r\n"),
	CLI("FEAT\r\n"),
	SRV("211-Features:\r\n"),
	SRV(" EPRT\r\n"),
	SRV(" PBSZ\r\n"),
	SRV(" PROT\r\n"),
	SRV("211 End\r\n"),
	CLI("AUTH TLS\r\n"),
	SRV("234 Proceed with negotiation.\r\n"),
	CLI(HELLO),
	FEED_END,
};

/* No FEAT at all: nothing is known of the offer. */
static const struct feed_chunk auth_tls_no_feat[] = {
	SRV("220 \"Authorized users only.\"\r\n"),
	CLI("AUTH TLS\r\n"),
	SRV("234 Proceed with negotiation.\r\n\x16\x03\x01\x00\x02\x02\x00"),
	FEED_END,
};

/* The ClientHello overtakes the 234: it waits for the TLS analyzer. */
static const struct feed_chunk auth_tls_overtaken[] = {
	SRV("220 ready\r\n"),
	CLI("auth tls\r\n"),
	CLI(HELLO),
	SRV("234 AUTH TLS successful\r\n"),
	FEED_END,
};

static const struct feed_chunk auth_tls_refused[] = {
	SRV("220 ftp.example.net ready\r\n"),
	CLI("FEAT\r\n"),
	SRV("211-Extensions supported:\r\n"
	    " AUTH TLS;TLS-C;SSL;TLS-P;\r\n"
	    " UTF8\r\n"
	    "211 End.\r\n"),
	CLI("AUTH TLS\r\n"),
	SRV("534 Local policy on server does not allow TLS.\r\n"),
	CLI("USER carol\r\n"),
	SRV("331 Password required\r\n"),
	CLI("PASS Carol-Secret-3\r\n"),
	SRV("230 Logged on\r\n"),
	FEED_END,
};

/* A multi-line greeting, a 530, and the session goes on. */
static const struct feed_chunk pass_rejected[] = {
	SRV("220-FileZilla Server 1.8.0\r\n"
	    "220 Welcome to files.example.org\r\n"),
	CLI("USER Admin\r\n"),
	SRV("331 Please, specify the password.\r\n"),
	CLI("PASS qwerty\r\n"),
	SRV("530 Login incorrect.\r\n"),
	CLI("QUIT\r\n"),
	SRV("221 Goodbye.\r\n"),
	FEED_END,
};

/* One client retrying the same login: one credential, counted. */
static const struct feed_chunk bruteforce[] = {
	SRV("220 ftp ready\r\n"),
	CLI("USER bro\r\n"),
	SRV("331 Password required\r\n"),
	CLI("PASS guess1\r\n"),
	SRV("530 Login incorrect.\r\n"),
	CLI("USER bro\r\n"),
	SRV("331 Password required\r\n"),
	CLI("PASS guess2\r\n"),
	SRV("530 Login incorrect.\r\n"),
	CLI("USER bro\r\n"),
	SRV("331 Password required\r\n"),
	CLI("PASS guess3\r\n"),
	SRV("530 Login incorrect.\r\n"),
	FEED_END,
};

/* Lower case, USER and PASS in one segment, replies in one too. */
static const struct feed_chunk pipelined[] = {
	SRV("220 ready\r\n"),
	CLI("user bob\r\npass Bob-Pw-22\r\nsyst\r\n"),
	SRV("331 Need password\r\n230-Welcome, bob\r\n230-Quota: 1 GB\r\n"
	    "230 Logged in\r\n215 UNIX Type: L8\r\n"),
	FEED_END,
};

/* Inner lines of a multi-line reply are text, whatever they start with. */
static const struct feed_chunk multiline_traps[] = {
	SRV("220 ready\r\n"),
	CLI("USER dan\r\n"),
	SRV("331 Password required\r\n"),
	CLI("PASS Dan-Pw-5\r\n"),
	SRV("230-Read this first:\r\n"
	    " 530 would be a refusal, but this line is text\r\n"
	    "530 also text: only \"230 \" ends this reply\r\n"
	    "230-still going\r\n"
	    "230 Logged in\r\n"),
	FEED_END,
};

/* RFC 959 section 5.4: 332 asks for an account after the password. */
static const struct feed_chunk account[] = {
	SRV("220 mainframe FTP\r\n"),
	CLI("USER erin\r\n"),
	SRV("331 Send password\r\n"),
	CLI("PASS Erin-Pw-8\r\n"),
	SRV("332 Need account for login.\r\n"),
	CLI("ACCT dept42\r\n"),
	SRV("230 Logged in\r\n"),
	FEED_END,
};

/* 421 ends everything: the login it answers is refused. */
static const struct feed_chunk closing_421[] = {
	SRV("220 ready\r\n"),
	CLI("USER frank\r\n"),
	SRV("331 Password required\r\n"),
	CLI("PASS Frank-Pw-1\r\nSYST\r\n"),
	SRV("421 Too many login failures, closing control connection.\r\n"),
	FEED_END,
};

/* 120 promises the greeting; the 220 that follows is still a greeting. */
static const struct feed_chunk greeting_120[] = {
	SRV("120 Service ready in 1 minute.\r\n"),
	SRV("220 Service ready.\r\n"),
	CLI("USER gina\r\n"),
	SRV("230 Logged in without a password\r\n"),
	FEED_END,
};

/* Only the client's side was captured. */
static const struct feed_chunk one_sided_login[] = {
	CLI("USER hank\r\n"),
	CLI("PASS Hank-Pw-2\r\n"),
	CLI("CWD /pub\r\n"),
	CLI("QUIT\r\n"),
	FEED_END,
};

static const struct feed_chunk one_sided_auth[] = {
	CLI("AUTH TLS\r\n"),
	CLI(HELLO),
	FEED_END,
};

/* The server agreed to TLS, but the client went on in clear text. */
static const struct feed_chunk cleartext_after[] = {
	SRV("220 ready\r\n"),
	CLI("AUTH TLS\r\n"),
	SRV("234 Proceed\r\n"),
	CLI("USER ivy\r\n"),
	SRV("331 Password required\r\n"),
	CLI("PASS Ivy-Pw-4\r\n"),
	SRV("230 Logged in\r\n"),
	FEED_END,
};

/* The draft's AUTH SSL, accepted with 334; ABOR behind Telnet IP/DM. */
static const struct feed_chunk auth_ssl_334[] = {
	SRV("220 old server\r\n"),
	CLI("\xff\xf4\xff\xf2"
	    "ABOR\r\n"),
	SRV("225 No transfer to abort\r\n"),
	CLI("AUTH SSL\r\n"),
	SRV("334 AUTH SSL OK.\r\n"),
	FEED_END,
};

/* "211-AUTH TLS" forms, a second FEAT never undoes the offer. */
static const struct feed_chunk feat_twice[] = {
	SRV("220 ready\r\n"),
	CLI("FEAT\r\n"),
	SRV("211-Features\r\n211-AUTH TLS\r\n211-UTF8\r\n211 End\r\n"),
	CLI("FEAT\r\n"),
	SRV("211-Features\r\n UTF8\r\n211 End\r\n"),
	FEED_END,
};

/* An old server that does not know FEAT says nothing about AUTH TLS. */
static const struct feed_chunk feat_unknown[] = {
	SRV("220 ancient ftpd\r\n"),
	CLI("FEAT\r\n"),
	SRV("500 'FEAT': command not understood.\r\n"),
	CLI("CSID Name=ExampleClient; Version=2.1;\r\n"),
	SRV("500 'CSID': command not understood.\r\n"),
	FEED_END,
};

/* Replies lost: the next reply line is checked, the ring restarts. */
static const struct feed_chunk server_gap[] = {
	SRV("220 ready\r\n"),
	CLI("USER jack\r\n"),
	SRV("331 Passw"),
	GAP_SRV(12),
	SRV("ired\r\n"),
	CLI("PASS Jack-Pw-6\r\n"),
	SRV("230 Logged in\r\n"),
	FEED_END,
};

/* Client bytes lost: the tail of the broken line is not a command. */
static const struct feed_chunk client_gap[] = {
	SRV("220 ready\r\n"),
	CLI("USER ka"),
	GAP_CLI(3),
	CLI("te\r\nUSER kim\r\n"),
	SRV("331 Password required\r\n"),
	CLI("PASS Kim-Pw-9\r\n"),
	SRV("230 Logged in\r\n"),
	FEED_END,
};

/*
 * The capture starts in the middle of the session.  (The engine reports
 * that as a loss of unknown length, 0, which feed.h cannot script; the
 * analyzer treats every loss alike.)
 */
static const struct feed_chunk midstream[] = {
	GAP_SRV(100),
	GAP_CLI(100),
	SRV("xt of a lost reply\r\n"),
	CLI("rd-tail\r\n"),
	CLI("PASS Lee-Pw-3\r\n"),
	SRV("230 Logged in\r\n"),
	FEED_END,
};

static const struct feed_chunk garbage[] = {
	SRV("220 ready\r\n"),
	CLI("\x01\x02\x03 binary\r\n"),
	SRV("500 Unknown command\r\n"),
	SRV("\x80\x81 noise\r\n"),
	CLI("USER max\r\n"),
	SRV("331 Password required\r\n"),
	CLI("PASS Max-Pw-7\r\n"),
	SRV("530 Login incorrect\r\n"),
	FEED_END,
};

/* Filled in main(): lines longer than the analyzer's buffer. */
static char long_command[9000];
static char long_reply[9000];

static const struct feed_chunk long_lines[] = {
	SRV("220 ready\r\n"),
	{ DIR_TO_SERVER, long_command, sizeof(long_command) },
	SRV("500 Line too long\r\n"),
	{ DIR_TO_CLIENT, long_reply, sizeof(long_reply) },
	CLI("USER nia\r\n"),
	SRV("331 Password required\r\n"),
	CLI("PASS Nia-Pw-0\r\n"),
	SRV("230 Logged in\r\n"),
	FEED_END,
};

static void
fill_long_lines(void)
{
	memset(long_command, 'a', sizeof(long_command));
	memcpy(long_command, "SITE ", 5);
	memcpy(long_command + sizeof(long_command) - 2, "\r\n", 2);
	memset(long_reply, 'x', sizeof(long_reply));
	memcpy(long_reply, "214 ", 4);
	memcpy(long_reply + sizeof(long_reply) - 2, "\r\n", 2);
}

#define CRED(u, o, k)                                                          \
	{                                                                      \
		.mech = "USER", .user = (u), .exposure = EXPOSURE_CLEARTEXT,   \
		.outcome = (o), .chunk = (k)                                   \
	}

static struct feed_case cases[] = {
	{ "FEAT offers AUTH TLS, USER/PASS in clear", feat_offered_not_used,
	    false,
	    { .offered = 1,
		.ncreds = 1,
		.creds = { CRED("zoe", OUTCOME_ACCEPTED, 6) },
		.secrets = { "Quartz-88" } } },
	{ "anonymous login, FEAT without AUTH, HELP, CLNT", anonymous, false,
	    { .offered = 0,
		.client_name = "ExampleFTP 1.0 linux",
		.ncreds = 1,
		.creds = { CRED("anonymous", OUTCOME_ACCEPTED, 4) },
		.secrets = { "guest@example.org" } } },
	{ "AUTH TLS not in FEAT, 234", auth_tls_unlisted, false,
	    { .offered = 0,
		.attempted = true,
		.starttls_chunk = 8,
		.accepted = true,
		.switched = true,
		.check_rest = true,
		.rest = { 10, 0 } } },
	{ "AUTH TLS without FEAT, TLS right after 234", auth_tls_no_feat, false,
	    { .offered = -1,
		.attempted = true,
		.starttls_chunk = 2,
		.accepted = true,
		.switched = true,
		.check_rest = true,
		.rest = { 0, 7 } } },
	{ "ClientHello overtakes the 234", auth_tls_overtaken, false,
	    { .offered = -1,
		.attempted = true,
		.starttls_chunk = 2,
		.accepted = true,
		.switched = true,
		.check_rest = true,
		.rest = { 10, 0 } } },
	{ "AUTH TLS refused with 534, login in clear", auth_tls_refused, false,
	    { .offered = 1,
		.attempted = true,
		.starttls_chunk = 4,
		.result = STARTTLS_RESULT_REFUSED,
		.ncreds = 1,
		.creds = { CRED("carol", OUTCOME_ACCEPTED, 8) },
		.secrets = { "Carol-Secret-3" } } },
	{ "multi-line greeting, PASS answered 530", pass_rejected, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("Admin", OUTCOME_REJECTED, 4) },
		.secrets = { "qwerty" } } },
	{ "the same login refused three times", bruteforce, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { { .mech = "USER",
		    .user = "bro",
		    .exposure = EXPOSURE_CLEARTEXT,
		    .outcome = OUTCOME_REJECTED,
		    .count = 3 } },
		.secrets = { "guess1", "guess2", "guess3" } } },
	{ "lower case, pipelined USER/PASS, multi-line 230", pipelined, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("bob", OUTCOME_ACCEPTED, 2) },
		.secrets = { "Bob-Pw-22" } } },
	{ "multi-line reply with inner lines like replies", multiline_traps,
	    false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("dan", OUTCOME_ACCEPTED, 4) },
		.secrets = { "Dan-Pw-5" } } },
	{ "332 then ACCT", account, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("erin", OUTCOME_ACCEPTED, 4) },
		.secrets = { "Erin-Pw-8" } } },
	{ "421 answers PASS and closes", closing_421, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("frank", OUTCOME_REJECTED, 4) },
		.secrets = { "Frank-Pw-1" } } },
	{ "120 then 220, USER without password", greeting_120, false,
	    { .offered = -1 } },
	{ "client side only, login", one_sided_login, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("hank", OUTCOME_UNKNOWN, 2) },
		.secrets = { "Hank-Pw-2" } } },
	{ "client side only, AUTH TLS then TLS", one_sided_auth, false,
	    { .offered = -1,
		.attempted = true,
		.starttls_chunk = 1,
		.accepted = true,
		.switched = true,
		.check_rest = true,
		.rest = { 10, 0 } } },
	{ "clear text after the 234", cleartext_after, true,
	    { .offered = -1,
		.attempted = true,
		.starttls_chunk = 2,
		.accepted = true,
		.switched = true,
		.cleartext_after_tls = true,
		.ncreds = 1,
		.creds = { CRED("ivy", OUTCOME_ACCEPTED, 6) },
		.secrets = { "Ivy-Pw-4" } } },
	{ "Telnet IP/DM before ABOR, AUTH SSL answered 334", auth_ssl_334,
	    false,
	    { .offered = -1,
		.attempted = true,
		.starttls_chunk = 4,
		.accepted = true,
		.switched = true } },
	{ "211-AUTH TLS, then a FEAT without it", feat_twice, false,
	    { .offered = 1 } },
	{ "FEAT and CSID unknown to the server", feat_unknown, false,
	    { .offered = -1,
		.client_name = "Name=ExampleClient; Version=2.1;" } },
	{ "reply bytes lost", server_gap, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("jack", OUTCOME_ACCEPTED, 6) },
		.secrets = { "Jack-Pw-6" } } },
	{ "command bytes lost", client_gap, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("kim", OUTCOME_ACCEPTED, 6) },
		.secrets = { "Kim-Pw-9" } } },
	{ "capture starts mid-stream, PASS without USER", midstream, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("", OUTCOME_ACCEPTED, 5) },
		.secrets = { "Lee-Pw-3" } } },
	{ "binary garbage from both sides", garbage, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("max", OUTCOME_REJECTED, 7) },
		.anomalies = SESSION_ANOM_GARBAGE,
		.secrets = { "Max-Pw-7" } } },
	{ "overlong command and reply", long_lines, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("nia", OUTCOME_ACCEPTED, 7) },
		.anomalies = SESSION_ANOM_LONG_LINE,
		.secrets = { "Nia-Pw-0" } } },
};

static void
run_case(void **state)
{
	const struct feed_case *c = *state;
	char where[64];
	const char *why;

	why = feed_case_run(&ftp_analyzer, c, where, sizeof(where));
	if (why != NULL)
		fail_msg("%s (%s): %s", c->name, where, why);
}

static void
test_noise(void **state)
{
	static const char *const words[] = { "\r\n", "\n", "USER x\r\n",
		"PASS y\r\n", "AUTH TLS\r\n", "AUTH SSL\r\n", "FEAT\r\n",
		"211-", "211 ", " AUTH TLS\r\n", "230-", "230 ", "234 ", "331 ",
		"332 ", "421 ", "530 ", "120 ", "220 ", "ACCT z\r\n", "CLNT ",
		"\xff\xf4", "\xff\xfb", "\x16\x03\x01" };

	(void)state;
	feed_garbage(&ftp_analyzer, words, ARRAY_SIZE(words), 400);
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
	return cmocka_run_group_tests_name("ftp", tests, NULL, NULL);
}
