/*
 * test_pgsql.c - unit tests for the PostgreSQL analyzer.
 *
 * Each case is a session as captured, both directions interleaved, and
 * the facts a careful reader of it would record.  feed.h replays it whole,
 * cut at every offset and byte by byte.  Chunk numbers count from 1.
 *
 * Messages are written out by hand: start-up messages are an Int32 length
 * (counting itself) and an Int32 code; every other message is a type byte
 * and an Int32 length that counts itself but not the type.  Integers are
 * big-endian, strings NUL-terminated.  The shapes were checked against
 * tshark's reading of psql talking to PostgreSQL 15 on loopback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "feed.h"

/* StartupMessage, 62 bytes: protocol 3.0 and three parameters. */
#define STARTUP_ALICE                                                          \
	"\x00\x00\x00\x3e\x00\x03\x00\x00"                                     \
	"user\0alice\0database\0sales\0application_name\0audit-app\0\0"

/* StartupMessage, 33 bytes, no application_name. */
#define STARTUP_BOB                                                            \
	"\x00\x00\x00\x21\x00\x03\x00\x00"                                     \
	"user\0bob\0database\0sales\0\0"

/* StartupMessage, 56 bytes, protocol 3.2. */
#define STARTUP_CAROL                                                          \
	"\x00\x00\x00\x38\x00\x03\x00\x02"                                     \
	"user\0carol\0database\0sales\0application_name\0etl\0\0"

/* SSLRequest, GSSENCRequest: length 8, codes 80877103 and 80877104. */
#define SSL_REQUEST "\x00\x00\x00\x08\x04\xd2\x16\x2f"
#define GSSENC_REQUEST "\x00\x00\x00\x08\x04\xd2\x16\x30"

/* CancelRequest: length 16, code 80877102, process id, secret key. */
#define CANCEL                                                                 \
	"\x00\x00\x00\x10\x04\xd2\x16\x2e\x00\x00\x10\x92\x12\x34\xab\xcd"

/* AuthenticationCleartextPassword, AuthenticationMD5Password + salt. */
#define AUTH_CLEARTEXT "R\x00\x00\x00\x08\x00\x00\x00\x03"
#define AUTH_MD5 "R\x00\x00\x00\x0c\x00\x00\x00\x05\x8d\x1f\x42\x07"

/* AuthenticationSASL: mechanisms, then an empty one. */
#define AUTH_SASL                                                              \
	"R\x00\x00\x00\x2a\x00\x00\x00\x0a"                                    \
	"SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0"

/* AuthenticationOk, a ParameterStatus, BackendKeyData, ReadyForQuery. */
#define AUTH_OK                                                                \
	"R\x00\x00\x00\x08\x00\x00\x00\x00"                                    \
	"S\x00\x00\x00\x19server_version\0"                                    \
	"15.18\0"                                                              \
	"K\x00\x00\x00\x0c\x00\x00\x10\x92\x12\x34\xab\xcd"                    \
	"Z\x00\x00\x00\x05I"

/* ErrorResponse: severity, code 28P01, message. */
#define AUTH_FAILED                                                            \
	"E\x00\x00\x00\x4bSFATAL\0VFATAL\0C28P01\0"                            \
	"Mpassword authentication failed for user \"alice\"\0\0"

/* PasswordMessage with the password itself. */
#define ALICE_PW "Alice-Pw-1"
#define PASSWORD_ALICE "p\x00\x00\x00\x0f" ALICE_PW "\0"

/* PasswordMessage: "md5" and md5(md5(password || user) || salt) in hex. */
#define BOB_MD5 "3f2a9c1e8b7d6a5f4e3d2c1b0a998877"
#define PASSWORD_MD5 "p\x00\x00\x00\x28md5" BOB_MD5 "\0"

/*
 * SASLInitialResponse: mechanism, Int32 length, client-first-message
 * (RFC 5802 section 5.1); the user name in it is empty, as libpq sends.
 */
#define SASL_INITIAL                                                           \
	"p\x00\x00\x00\x32SCRAM-SHA-256\0\x00\x00\x00\x1c"                     \
	"n,,n=,r=rOprNGfwEbeRWgbNEkqO"

/* AuthenticationSASLContinue with the server-first-message. */
#define SASL_CONTINUE                                                          \
	"R\x00\x00\x00\x5e\x00\x00\x00\x0b"                                    \
	"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"                \
	"s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"

/* SASLResponse with the client-final-message and its proof. */
#define SCRAM_PROOF "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define SASL_FINAL_MSG                                                         \
	"p\x00\x00\x00\x6e"                                                    \
	"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"         \
	"p=" SCRAM_PROOF

/* AuthenticationSASLFinal, then AuthenticationOk and ReadyForQuery. */
#define SASL_DONE                                                              \
	"R\x00\x00\x00\x36\x00\x00\x00\x0c"                                    \
	"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="                       \
	"R\x00\x00\x00\x08\x00\x00\x00\x00Z\x00\x00\x00\x05I"

/* ErrorResponse for a connection pg_hba.conf refuses before any login. */
#define HBA_REJECT                                                             \
	"E\x00\x00\x00\x39SFATAL\0VFATAL\0C28000\0"                            \
	"Mno pg_hba.conf entry for host\0\0"

/* The start of a TLS ClientHello record. */
#define CLIENT_HELLO "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"

static const struct feed_chunk cleartext_ok[] = {
	CLI(STARTUP_ALICE),
	SRV(AUTH_CLEARTEXT),
	CLI(PASSWORD_ALICE),
	SRV(AUTH_OK),
	CLI("Q\x00\x00\x00\x0dselect 1\0"),
	FEED_END,
};

static const struct feed_chunk cleartext_failed[] = {
	CLI(STARTUP_ALICE),
	SRV(AUTH_CLEARTEXT),
	CLI(PASSWORD_ALICE),
	SRV(AUTH_FAILED),
	FEED_END,
};

static const struct feed_chunk md5_ok[] = {
	CLI(STARTUP_BOB),
	SRV(AUTH_MD5),
	CLI(PASSWORD_MD5),
	SRV(AUTH_OK),
	FEED_END,
};

static const struct feed_chunk scram_ok[] = {
	CLI(STARTUP_CAROL),
	SRV(AUTH_SASL),
	CLI(SASL_INITIAL),
	SRV(SASL_CONTINUE),
	CLI(SASL_FINAL_MSG),
	SRV(SASL_DONE),
	FEED_END,
};

/* The ClientHello overtakes the 'S', and waits for the TLS analyzer. */
static const struct feed_chunk ssl_accepted[] = {
	CLI(SSL_REQUEST),
	CLI(CLIENT_HELLO),
	SRV("S"),
	FEED_END,
};

static const struct feed_chunk ssl_refused[] = {
	CLI(SSL_REQUEST),
	SRV("N"),
	CLI(STARTUP_ALICE),
	SRV(AUTH_CLEARTEXT),
	CLI(PASSWORD_ALICE),
	SRV(AUTH_OK),
	FEED_END,
};

/* libpq's "prefer" order: GSSAPI encryption, then TLS, then neither. */
static const struct feed_chunk gss_then_ssl_refused[] = {
	CLI(GSSENC_REQUEST),
	SRV("N"),
	CLI(SSL_REQUEST),
	SRV("N"),
	CLI(STARTUP_BOB),
	SRV(AUTH_MD5),
	CLI(PASSWORD_MD5),
	SRV(AUTH_OK),
	FEED_END,
};

static const struct feed_chunk gss_accepted[] = {
	CLI(GSSENC_REQUEST),
	SRV("G"),
	CLI("\x00\x00\x01\x00\x60\x82\x00\xfc\x06\x09\x2a\x86\x48"),
	FEED_END,
};

static const struct feed_chunk cancel[] = {
	CLI(CANCEL),
	FEED_END,
};

static const struct feed_chunk hba_reject[] = {
	CLI(STARTUP_BOB),
	SRV(HBA_REJECT),
	FEED_END,
};

static const struct feed_chunk trust[] = {
	CLI(STARTUP_ALICE),
	SRV(AUTH_OK),
	FEED_END,
};

/* PostgreSQL 17 sslnegotiation=direct: TLS from the first byte. */
static const struct feed_chunk direct_tls[] = {
	CLI(CLIENT_HELLO),
	FEED_END,
};

/* Only the client side was captured: the 'p' messages speak for it. */
static const struct feed_chunk client_only_cleartext[] = {
	CLI(STARTUP_ALICE),
	CLI(PASSWORD_ALICE),
	FEED_END,
};

static const struct feed_chunk client_only_md5[] = {
	CLI(STARTUP_BOB),
	CLI(PASSWORD_MD5),
	FEED_END,
};

static const struct feed_chunk client_only_scram[] = {
	CLI(STARTUP_CAROL),
	CLI(SASL_INITIAL),
	CLI(SASL_FINAL_MSG),
	FEED_END,
};

/* The password message was lost: nothing is guessed. */
static const struct feed_chunk password_lost[] = {
	CLI(STARTUP_ALICE),
	SRV(AUTH_CLEARTEXT),
	GAP_CLI(15),
	SRV(AUTH_FAILED),
	FEED_END,
};

/* A NoticeResponse over 64 KiB goes by unread before the request. */
static char long_notice[5 + 70000];
static const struct feed_chunk long_message[] = {
	CLI(STARTUP_ALICE),
	{ DIR_TO_CLIENT, long_notice, sizeof(long_notice) },
	SRV(AUTH_CLEARTEXT),
	CLI(PASSWORD_ALICE),
	SRV(AUTH_OK),
	FEED_END,
};

/* Bytes lost inside the long message shorten what is skipped. */
static const struct feed_chunk long_message_gap[] = {
	CLI(STARTUP_ALICE),
	{ DIR_TO_CLIENT, long_notice, 5 + 100 },
	GAP_SRV(60000),
	{ DIR_TO_CLIENT, long_notice + 5 + 60100, 70000 - 60100 },
	SRV(AUTH_CLEARTEXT),
	CLI(PASSWORD_ALICE),
	SRV(AUTH_OK),
	FEED_END,
};

/* Start-up lengths that cannot be: below 8, and over the server's cap. */
static const struct feed_chunk startup_short[] = {
	CLI("\x00\x00\x00\x04\x00\x03\x00\x00user\0x\0\0"),
	FEED_END,
};

static const struct feed_chunk startup_huge[] = {
	CLI("\xff\xff\xff\xff\x00\x03\x00\x00user\0x\0\0"),
	FEED_END,
};

/* A typed message whose length does not even count itself. */
static const struct feed_chunk typed_short[] = {
	CLI(STARTUP_ALICE),
	SRV("R\x00\x00\x00\x02\x00\x00\x00\x03"),
	CLI(PASSWORD_ALICE),
	FEED_END,
};

/* A parameter string that runs past the message. */
static const struct feed_chunk startup_unterminated[] = {
	CLI("\x00\x00\x00\x12\x00\x03\x00\x00user\0alice"),
	SRV(AUTH_CLEARTEXT),
	CLI(PASSWORD_ALICE),
	FEED_END,
};

/* Protocol 2.0 is not read. */
static const struct feed_chunk protocol2[] = {
	CLI("\x00\x00\x00\x10\x00\x02\x00\x00user\0bob\0"),
	FEED_END,
};

/* The server sends a huge length: skipped, the login still read. */
static const struct feed_chunk huge_length[] = {
	CLI(STARTUP_ALICE),
	SRV("N\xff\xff\xff\xff"),
	FEED_END,
};

#define CRED(m, u, e, o, k)                                                    \
	{                                                                      \
		.mech = (m), .user = (u), .exposure = (e), .outcome = (o),     \
		.chunk = (k)                                                   \
	}

static const struct feed_case cases[] = {
	{ "cleartext password accepted", cleartext_ok, false,
	    { .offered = -1,
		.client_name = "audit-app",
		.auth_offered = "PASSWORD",
		.ncreds = 1,
		.creds = { CRED("PASSWORD", "alice", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 3) },
		.secrets = { ALICE_PW } } },
	{ "cleartext password refused", cleartext_failed, false,
	    { .offered = -1,
		.client_name = "audit-app",
		.auth_offered = "PASSWORD",
		.ncreds = 1,
		.creds = { CRED("PASSWORD", "alice", EXPOSURE_CLEARTEXT,
		    OUTCOME_REJECTED, 3) },
		.secrets = { ALICE_PW } } },
	{ "MD5 accepted", md5_ok, false,
	    { .offered = -1,
		.auth_offered = "MD5",
		.ncreds = 1,
		.creds = { CRED(
		    "MD5", "bob", EXPOSURE_CRACKABLE, OUTCOME_ACCEPTED, 3) },
		.secrets = { BOB_MD5 } } },
	{ "SCRAM-SHA-256 accepted", scram_ok, false,
	    { .offered = -1,
		.client_name = "etl",
		.auth_offered = "SCRAM-SHA-256-PLUS SCRAM-SHA-256",
		.ncreds = 1,
		.creds = { CRED("SCRAM-SHA-256", "carol", EXPOSURE_NONE,
		    OUTCOME_ACCEPTED, 3) },
		.secrets = { SCRAM_PROOF } } },
	{ "SSLRequest accepted, ClientHello left for TLS", ssl_accepted, false,
	    { .offered = 1,
		.attempted = true,
		.starttls_chunk = 1,
		.accepted = true,
		.switched = true,
		.check_rest = true,
		.rest = { 10, 0 } } },
	{ "SSLRequest refused, cleartext login", ssl_refused, false,
	    { .offered = 0,
		.attempted = true,
		.starttls_chunk = 1,
		.result = STARTTLS_RESULT_REFUSED,
		.client_name = "audit-app",
		.auth_offered = "PASSWORD",
		.ncreds = 1,
		.creds = { CRED("PASSWORD", "alice", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 5) },
		.secrets = { ALICE_PW } } },
	{ "GSSENCRequest and SSLRequest refused, MD5", gss_then_ssl_refused,
	    false,
	    { .offered = 0,
		.attempted = true,
		.starttls_chunk = 3,
		.result = STARTTLS_RESULT_REFUSED,
		.auth_offered = "MD5",
		.ncreds = 1,
		.creds = { CRED("MD5", "bob", EXPOSURE_CRACKABLE,
		    OUTCOME_ACCEPTED, 7) } } },
	{ "GSSAPI encryption accepted: nothing more to read", gss_accepted,
	    false, { .offered = -1 } },
	{ "CancelRequest", cancel, false, { .offered = -1 } },
	{ "refused by pg_hba.conf before any login", hba_reject, false,
	    { .offered = -1 } },
	{ "trust: no password asked", trust, false,
	    { .offered = -1, .client_name = "audit-app" } },
	{ "direct TLS", direct_tls, false,
	    { .offered = -1,
		.switched = true,
		.check_rest = true,
		.rest = { 10, 0 } } },
	{ "client side only, cleartext", client_only_cleartext, false,
	    { .offered = -1,
		.client_name = "audit-app",
		.ncreds = 1,
		.creds = { CRED("PASSWORD", "alice", EXPOSURE_CLEARTEXT,
		    OUTCOME_UNKNOWN, 2) },
		.secrets = { ALICE_PW } } },
	{ "client side only, MD5", client_only_md5, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED(
		    "MD5", "bob", EXPOSURE_CRACKABLE, OUTCOME_UNKNOWN, 2) },
		.secrets = { BOB_MD5 } } },
	{ "client side only, SCRAM", client_only_scram, false,
	    { .offered = -1,
		.client_name = "etl",
		.ncreds = 1,
		.creds = { CRED("SCRAM-SHA-256", "carol", EXPOSURE_NONE,
		    OUTCOME_UNKNOWN, 2) },
		.secrets = { SCRAM_PROOF } } },
	{ "password message lost in a gap", password_lost, false,
	    { .offered = -1,
		.client_name = "audit-app",
		.auth_offered = "PASSWORD" } },
	{ "message over 64 KiB skipped", long_message, false,
	    { .offered = -1,
		.client_name = "audit-app",
		.auth_offered = "PASSWORD",
		.ncreds = 1,
		.creds = { CRED("PASSWORD", "alice", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 4) },
		.secrets = { ALICE_PW } } },
	{ "gap inside a skipped message", long_message_gap, false,
	    { .offered = -1,
		.client_name = "audit-app",
		.auth_offered = "PASSWORD",
		.ncreds = 1,
		.creds = { CRED("PASSWORD", "alice", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 6) },
		.secrets = { ALICE_PW } } },
	{ "start-up length below 8", startup_short, false,
	    { .offered = -1, .anomalies = SESSION_ANOM_GARBAGE } },
	{ "start-up length of 4 GiB", startup_huge, false,
	    { .offered = -1, .anomalies = SESSION_ANOM_GARBAGE } },
	{ "typed length below 4", typed_short, false,
	    { .offered = -1,
		.client_name = "audit-app",
		.anomalies = SESSION_ANOM_GARBAGE,
		.ncreds = 1,
		.creds = { CRED("PASSWORD", "alice", EXPOSURE_CLEARTEXT,
		    OUTCOME_UNKNOWN, 3) },
		.secrets = { ALICE_PW } } },
	{ "unterminated start-up parameter", startup_unterminated, false,
	    { .offered = -1,
		.auth_offered = "PASSWORD",
		.anomalies = SESSION_ANOM_GARBAGE,
		.ncreds = 1,
		.creds = { CRED(
		    "PASSWORD", "", EXPOSURE_CLEARTEXT, OUTCOME_UNKNOWN, 3) },
		.secrets = { ALICE_PW } } },
	{ "protocol 2.0", protocol2, false,
	    { .offered = -1, .anomalies = SESSION_ANOM_GARBAGE } },
	{ "a 4 GiB server message", huge_length, false,
	    { .offered = -1, .client_name = "audit-app" } },
};

static void
run_case(void **state)
{
	const struct feed_case *c = *state;
	char where[64];
	const char *why;

	why = feed_case_run(&pgsql_analyzer, c, where, sizeof(where));
	if (why != NULL)
		fail_msg("%s (%s): %s", c->name, where, why);
}

static void
test_noise(void **state)
{
	static const char *const words[] = { STARTUP_ALICE, SSL_REQUEST,
		GSSENC_REQUEST, AUTH_CLEARTEXT, AUTH_MD5, AUTH_SASL,
		PASSWORD_ALICE, SASL_INITIAL, "S", "N", "G", "R\x00\x00\x00",
		"p\x00\x00", "E\x00\x00\x00\x05", "\xff\xff\xff\xff",
		"\x00\x00\x00\x08" };

	(void)state;
	feed_garbage(&pgsql_analyzer, words, ARRAY_SIZE(words), 400);
}

/* A NoticeResponse: 'N', length 70000 - 1 + 4, then fields. */
static void
fill_long_notice(void)
{
	uint32_t len = sizeof(long_notice) - 1;

	memset(long_notice, 'x', sizeof(long_notice));
	long_notice[0] = 'N';
	long_notice[1] = (char)(len >> 24);
	long_notice[2] = (char)(len >> 16);
	long_notice[3] = (char)(len >> 8);
	long_notice[4] = (char)len;
}

int
main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(cases) + 1];
	size_t i;

	fill_long_notice();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = (void *)(uintptr_t)&cases[i];
	}
	memset(&tests[i], 0, sizeof(tests[i]));
	tests[i].name = "random bytes and protocol words";
	tests[i].test_func = test_noise;
	return cmocka_run_group_tests_name("pgsql", tests, NULL, NULL);
}
