/*
 * test_mysql.c - unit tests for the MySQL analyzer.
 *
 * Each case is a session as captured, both directions interleaved, and
 * the facts a careful reader of it would record.  feed.h replays it whole,
 * cut at every offset and byte by byte.  Chunk numbers count from 1.
 *
 * Packets are written out by hand: a 3-byte little-endian payload length,
 * a sequence id, the payload.  Integers are little-endian.  The shapes were
 * checked against tshark's reading of the MariaDB 10.11 client and server
 * talking on loopback (native, ed25519, clear password then switch, TLS).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "feed.h"

/* The 10 reserved and 23 filler bytes of handshake packets. */
#define ZERO10 "\0\0\0\0\0\0\0\0\0\0"
#define ZERO23 ZERO10 ZERO10 "\0\0\0"

/*
 * Initial Handshake of MySQL 8.0, 74 bytes: protocol 10, version,
 * connection id 13, nonce part 1, filler, capabilities 0xdfffffff (low
 * half, then character set, status, high half; CLIENT_SSL set), nonce
 * length 21, reserved, nonce part 2, default plugin.
 */
#define GREETING_MYSQL8                                                        \
	"\x4a\x00\x00\x00"                                                     \
	"\x0a"                                                                 \
	"8.0.36\0"                                                             \
	"\x0d\x00\x00\x00"                                                     \
	"abcdefgh\0"                                                           \
	"\xff\xff\xff\x02\x00\xff\xdf\x15" ZERO10 "ijklmnopqrst\0"             \
	"caching_sha2_password\0"

/*
 * Initial Handshake of MariaDB 10.11, 89 bytes: the "5.5.5-" version
 * prefix, capabilities 0x81bff7fe (no CLIENT_SSL; bit 0 clear marks
 * MariaDB), 6 reserved bytes and 4 of MariaDB capabilities.
 */
#define GREETING_MARIADB                                                       \
	"\x59\x00\x00\x00"                                                     \
	"\x0a"                                                                 \
	"5.5.5-10.11.6-MariaDB\0"                                              \
	"\x0d\x00\x00\x00"                                                     \
	"abcdefgh\0"                                                           \
	"\xfe\xf7\x08\x02\x00\xbf\x81\x15"                                     \
	"\0\0\0\0\0\0\x1d\x00\x00\x00"                                         \
	"ijklmnopqrst\0"                                                       \
	"mysql_native_password\0"

/*
 * HandshakeResponse41, 133 bytes: capabilities 0x003fa68d (PROTOCOL_41,
 * SECURE_CONNECTION, CONNECT_WITH_DB, PLUGIN_AUTH, CONNECT_ATTRS,
 * PLUGIN_AUTH_LENENC_CLIENT_DATA), max packet 16 MiB, character set,
 * filler, user, a length-encoded 20-byte scramble, database, plugin, then
 * 45 bytes of attributes.
 */
#define NATIVE_SCRAMBLE "Scr4mbl3-N4t1v3-0000"
#define RESPONSE_ALICE                                                         \
	"\x85\x00\x00\x01\x8d\xa6\x3f\x00\x00\x00\x00\x01\xff" ZERO23          \
	"alice\0"                                                              \
	"\x14" NATIVE_SCRAMBLE "sales\0mysql_native_password\0"                \
	"\x2d\x0c_client_name\x08libmysql\x0f_client_version\x06"              \
	"8.0.36"

/* The same without attributes, for a client that switches plugins. */
#define RESPONSE_ALICE_CLEAR                                                   \
	"\x50\x00\x00\x01\x8d\xa6\x2f\x00\x00\x00\x00\x01\xff" ZERO23          \
	"alice\0"                                                              \
	"\x0e" ALICE_CLEAR "\0"                                                \
	"sales\0mysql_clear_password\0"
#define ALICE_CLEAR "Alice-Clear-9"

/* Capabilities 0x002fa685: no database, no attributes; 32-byte scramble. */
#define SHA2_SCRAMBLE "Sha2-Scr4mble-0123456789abcdefgh"
#define RESPONSE_CAROL                                                         \
	"\x5d\x00\x00\x01\x85\xa6\x2f\x00\x00\x00\x00\x01\xff" ZERO23          \
	"carol\0"                                                              \
	"\x20" SHA2_SCRAMBLE "caching_sha2_password\0"

/*
 * sha256_password without CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA: a length
 * byte, then 0x01, the request for the server's public key.
 */
#define RESPONSE_ERIN                                                          \
	"\x37\x00\x00\x01\x85\xa2\x0a\x00\x00\x00\x00\x01\xff" ZERO23 "erin\0" \
	"\x01\x01sha256_password\0"

/* HandshakeResponse320: 2-byte capabilities, 3-byte max packet, user,
 * the 8-byte pre-4.1 scramble up to the end. */
#define RESPONSE_DAVE                                                          \
	"\x12\x00\x00\x01\x05\x00\x00\x00\x01"                                 \
	"dave\0Old5crmb"

/* SSLRequest: the fixed 32 bytes, capabilities with CLIENT_SSL. */
#define SSL_REQUEST                                                            \
	"\x20\x00\x00\x01\x8d\xae\x3f\x00\x00\x00\x00\x01\xff" ZERO23

/* OK packet: header, affected rows, last insert id, status, warnings. */
#define OK2 "\x07\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00"
#define OK4 "\x07\x00\x00\x04\x00\x00\x00\x02\x00\x00\x00"
#define OK6 "\x07\x00\x00\x06\x00\x00\x00\x02\x00\x00\x00"

/* ERR packet: 0xff, code 1045, SQL state marker and state, message. */
#define ERR2                                                                   \
	"\x49\x00\x00\x02\xff\x15\x04#28000Access denied for user "            \
	"'alice'@'192.0.2.7' (using password: YES)"

/* AuthSwitchRequest to mysql_native_password, with a 20-byte nonce. */
#define SWITCH_NATIVE                                                          \
	"\x2c\x00\x00\x02\xfe"                                                 \
	"mysql_native_password\0"                                              \
	"ABCDEFGHIJKLMNOPQRST\0"
#define SWITCH_RESPONSE "\x14\x00\x00\x03Sw1tch-Scr4mble-0000"

/* AuthSwitchRequest to mysql_clear_password, and the password. */
#define SWITCH_CLEAR                                                           \
	"\x16\x00\x00\x02\xfe"                                                 \
	"mysql_clear_password\0"
#define CLEAR_RESPONSE "\x0e\x00\x00\x03" ALICE_CLEAR "\0"

/* The old switch: a lone 0xfe, then an 8-byte scramble and a NUL. */
#define SWITCH_OLD "\x01\x00\x00\x02\xfe"
#define OLD_RESPONSE "\x09\x00\x00\x03Old5crmb\0"

/* caching_sha2_password AuthMoreData: fast path done, or full login. */
#define SHA2_FAST_OK "\x02\x00\x00\x02\x01\x03"
#define SHA2_FULL "\x02\x00\x00\x02\x01\x04"
#define CAROL_PW "Carol-Sha2-7"
#define SHA2_PASSWORD "\x0d\x00\x00\x03" CAROL_PW "\0"
#define SHA2_KEY_REQUEST "\x01\x00\x00\x03\x02"

/* AuthMoreData with a public key (cut short: only its shape matters). */
#define PUBLIC_KEY                                                             \
	"\x62\x00\x00\x04\x01-----BEGIN PUBLIC KEY-----\n"                     \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n"                       \
	"-----END PUBLIC KEY-----\n"
#define SHA256_PUBLIC_KEY                                                      \
	"\x62\x00\x00\x02\x01-----BEGIN PUBLIC KEY-----\n"                     \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n"                       \
	"-----END PUBLIC KEY-----\n"

/* An RSA-encrypted password: 16 bytes here, ending with a NUL. */
#define RSA_BLOB                                                               \
	"\x10\x00\x00\x05\x8e\x00\x13\xa7\x55\x02\xf1\x9c"                     \
	"\x00\x4d\xe0\x31\x7b\x08\x99\x00"
#define RSA_BLOB3                                                              \
	"\x10\x00\x00\x03\x8e\x00\x13\xa7\x55\x02\xf1\x9c"                     \
	"\x00\x4d\xe0\x31\x7b\x08\x99\x00"

/* The server refuses the host before any handshake. */
#define HOST_BLOCKED                                                           \
	"\x42\x00\x00\x00\xff\x6a\x04Host '192.0.2.7' is not allowed to "      \
	"connect to this MySQL server"

/* The start of a TLS ClientHello record. */
#define CLIENT_HELLO "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"

static const struct feed_chunk native_ok[] = {
	SRV(GREETING_MARIADB),
	CLI(RESPONSE_ALICE),
	SRV(OK2),
	CLI("\x09\x00\x00\x00\x03select 1"),
	FEED_END,
};

static const struct feed_chunk native_denied[] = {
	SRV(GREETING_MARIADB),
	CLI(RESPONSE_ALICE),
	SRV(ERR2),
	FEED_END,
};

/* The client sends the clear password, the server switches to native. */
static const struct feed_chunk clear_then_native[] = {
	SRV(GREETING_MARIADB),
	CLI(RESPONSE_ALICE_CLEAR),
	SRV(SWITCH_NATIVE),
	CLI(SWITCH_RESPONSE),
	SRV(OK4),
	FEED_END,
};

static const struct feed_chunk switch_to_clear[] = {
	SRV(GREETING_MARIADB),
	CLI(RESPONSE_ALICE),
	SRV(SWITCH_CLEAR),
	CLI(CLEAR_RESPONSE),
	SRV(OK4),
	FEED_END,
};

static const struct feed_chunk old_switch[] = {
	SRV(GREETING_MARIADB),
	CLI(RESPONSE_ALICE),
	SRV(SWITCH_OLD),
	CLI(OLD_RESPONSE),
	SRV(OK4),
	FEED_END,
};

static const struct feed_chunk sha2_fast[] = {
	SRV(GREETING_MYSQL8),
	CLI(RESPONSE_CAROL),
	SRV(SHA2_FAST_OK OK4),
	FEED_END,
};

static const struct feed_chunk sha2_full_cleartext[] = {
	SRV(GREETING_MYSQL8),
	CLI(RESPONSE_CAROL),
	SRV(SHA2_FULL),
	CLI(SHA2_PASSWORD),
	SRV(OK4),
	FEED_END,
};

static const struct feed_chunk sha2_full_rsa[] = {
	SRV(GREETING_MYSQL8),
	CLI(RESPONSE_CAROL),
	SRV(SHA2_FULL),
	CLI(SHA2_KEY_REQUEST),
	SRV(PUBLIC_KEY),
	CLI(RSA_BLOB),
	SRV(OK6),
	FEED_END,
};

static const struct feed_chunk sha256_rsa[] = {
	SRV(GREETING_MYSQL8),
	CLI(RESPONSE_ERIN),
	SRV(SHA256_PUBLIC_KEY),
	CLI(RSA_BLOB3),
	SRV(OK4),
	FEED_END,
};

static const struct feed_chunk protocol320[] = {
	SRV(GREETING_MARIADB),
	CLI(RESPONSE_DAVE),
	SRV(OK2),
	FEED_END,
};

/* The ClientHello follows the SSLRequest at once. */
static const struct feed_chunk ssl[] = {
	SRV(GREETING_MYSQL8),
	CLI(SSL_REQUEST CLIENT_HELLO),
	FEED_END,
};

static const struct feed_chunk host_blocked[] = {
	SRV(HOST_BLOCKED),
	FEED_END,
};

/* Only the client side was captured. */
static const struct feed_chunk client_only[] = {
	CLI(RESPONSE_ALICE),
	FEED_END,
};

/* The response was lost: nothing is guessed. */
static const struct feed_chunk response_lost[] = {
	SRV(GREETING_MARIADB),
	GAP_CLI(137),
	SRV(OK2),
	FEED_END,
};

/* An AuthMoreData of 70000 bytes goes by unread. */
static char long_packet[4 + 70000];
static const struct feed_chunk long_more_data[] = {
	SRV(GREETING_MYSQL8),
	CLI(RESPONSE_CAROL),
	{ DIR_TO_CLIENT, long_packet, sizeof(long_packet) },
	SRV(OK4),
	FEED_END,
};

/* Bytes lost inside the long packet shorten what is skipped. */
static const struct feed_chunk long_packet_gap[] = {
	SRV(GREETING_MYSQL8),
	CLI(RESPONSE_CAROL),
	{ DIR_TO_CLIENT, long_packet, 4 + 100 },
	GAP_SRV(60000),
	{ DIR_TO_CLIENT, long_packet + 4 + 60100, 70000 - 60100 },
	SRV(OK4),
	FEED_END,
};

/* A user name that runs past its packet. */
static const struct feed_chunk user_unterminated[] = {
	SRV(GREETING_MYSQL8),
	CLI("\x25\x00\x00\x01\x8d\xa6\x3f\x00\x00\x00\x00\x01\xff" ZERO23
	    "alice"),
	FEED_END,
};

/* A length-encoded scramble longer than its packet. */
static const struct feed_chunk auth_too_long[] = {
	SRV(GREETING_MYSQL8),
	CLI("\x27\x00\x00\x01\x8d\xa6\x3f\x00\x00\x00\x00\x01\xff" ZERO23
	    "bob\0\xfc\xff\xff"),
	FEED_END,
};

/* A greeting cut before its capabilities, and not a greeting at all. */
static const struct feed_chunk greeting_short[] = {
	SRV("\x0b\x00\x00\x00\x0a"
	    "8.0.36\0\x0d\x00\x00"),
	FEED_END,
};

static const struct feed_chunk not_mysql[] = {
	SRV("\x0c\x00\x00\x00SSH-2.0-x\r\n\0"),
	FEED_END,
};

#define CRED(m, u, e, o, k)                                                    \
	{                                                                      \
		.mech = (m), .user = (u), .exposure = (e), .outcome = (o),     \
		.chunk = (k)                                                   \
	}

static const struct feed_case cases[] = {
	{ "native password accepted", native_ok, false,
	    { .offered = 0,
		.client_name = "libmysql 8.0.36",
		.auth_offered = "MYSQL_NATIVE_PASSWORD",
		.ncreds = 1,
		.creds = { CRED("MYSQL_NATIVE_PASSWORD", "alice",
		    EXPOSURE_CRACKABLE, OUTCOME_ACCEPTED, 2) },
		.secrets = { NATIVE_SCRAMBLE } } },
	{ "native password denied", native_denied, false,
	    { .offered = 0,
		.client_name = "libmysql 8.0.36",
		.auth_offered = "MYSQL_NATIVE_PASSWORD",
		.ncreds = 1,
		.creds = { CRED("MYSQL_NATIVE_PASSWORD", "alice",
		    EXPOSURE_CRACKABLE, OUTCOME_REJECTED, 2) },
		.secrets = { NATIVE_SCRAMBLE } } },
	{ "clear password, then a switch to native", clear_then_native, false,
	    { .offered = 0,
		.auth_offered = "MYSQL_NATIVE_PASSWORD",
		.ncreds = 1,
		.creds = { CRED("MYSQL_NATIVE_PASSWORD", "alice",
		    EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 4) },
		.secrets = { ALICE_CLEAR } } },
	{ "switch to mysql_clear_password", switch_to_clear, false,
	    { .offered = 0,
		.client_name = "libmysql 8.0.36",
		.auth_offered = "MYSQL_NATIVE_PASSWORD",
		.ncreds = 1,
		.creds = { CRED("MYSQL_CLEAR_PASSWORD", "alice",
		    EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 4) },
		.secrets = { ALICE_CLEAR, NATIVE_SCRAMBLE } } },
	{ "old switch to mysql_old_password", old_switch, false,
	    { .offered = 0,
		.client_name = "libmysql 8.0.36",
		.auth_offered = "MYSQL_NATIVE_PASSWORD",
		.ncreds = 1,
		.creds = { CRED("MYSQL_OLD_PASSWORD", "alice",
		    EXPOSURE_CRACKABLE, OUTCOME_ACCEPTED, 4) } } },
	{ "caching_sha2 fast path", sha2_fast, false,
	    { .offered = 1,
		.auth_offered = "CACHING_SHA2_PASSWORD",
		.ncreds = 1,
		.creds = { CRED("CACHING_SHA2_PASSWORD", "carol",
		    EXPOSURE_CRACKABLE, OUTCOME_ACCEPTED, 2) },
		.secrets = { SHA2_SCRAMBLE } } },
	{ "caching_sha2 full login in clear text", sha2_full_cleartext, false,
	    { .offered = 1,
		.auth_offered = "CACHING_SHA2_PASSWORD",
		.ncreds = 1,
		.creds = { CRED("CACHING_SHA2_PASSWORD", "carol",
		    EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 4) },
		.secrets = { CAROL_PW, SHA2_SCRAMBLE } } },
	{ "caching_sha2 full login with RSA", sha2_full_rsa, false,
	    { .offered = 1,
		.auth_offered = "CACHING_SHA2_PASSWORD",
		.ncreds = 1,
		.creds = { CRED("CACHING_SHA2_PASSWORD", "carol",
		    EXPOSURE_CRACKABLE, OUTCOME_ACCEPTED, 6) } } },
	{ "sha256_password with RSA", sha256_rsa, false,
	    { .offered = 1,
		.auth_offered = "CACHING_SHA2_PASSWORD",
		.ncreds = 1,
		.creds = { CRED("SHA256_PASSWORD", "erin", EXPOSURE_NONE,
		    OUTCOME_ACCEPTED, 4) } } },
	{ "HandshakeResponse320", protocol320, false,
	    { .offered = 0,
		.auth_offered = "MYSQL_NATIVE_PASSWORD",
		.ncreds = 1,
		.creds = { CRED("MYSQL_OLD_PASSWORD", "dave",
		    EXPOSURE_CRACKABLE, OUTCOME_ACCEPTED, 2) },
		.secrets = { "Old5crmb" } } },
	{ "SSLRequest, TLS at once", ssl, false,
	    { .offered = 1,
		.attempted = true,
		.starttls_chunk = 2,
		.accepted = true,
		.switched = true,
		.check_rest = true,
		.rest = { 10, 0 },
		.auth_offered = "CACHING_SHA2_PASSWORD" } },
	{ "host refused before the handshake", host_blocked, false,
	    { .offered = -1 } },
	{ "client side only", client_only, false,
	    { .offered = -1,
		.client_name = "libmysql 8.0.36",
		.ncreds = 1,
		.creds = { CRED("MYSQL_NATIVE_PASSWORD", "alice",
		    EXPOSURE_CRACKABLE, OUTCOME_UNKNOWN, 1) },
		.secrets = { NATIVE_SCRAMBLE } } },
	{ "response lost in a gap", response_lost, false,
	    { .offered = 0, .auth_offered = "MYSQL_NATIVE_PASSWORD" } },
	{ "packet over 64 KiB skipped", long_more_data, false,
	    { .offered = 1,
		.auth_offered = "CACHING_SHA2_PASSWORD",
		.ncreds = 1,
		.creds = { CRED("CACHING_SHA2_PASSWORD", "carol",
		    EXPOSURE_CRACKABLE, OUTCOME_ACCEPTED, 2) } } },
	{ "gap inside a skipped packet", long_packet_gap, false,
	    { .offered = 1,
		.auth_offered = "CACHING_SHA2_PASSWORD",
		.ncreds = 1,
		.creds = { CRED("CACHING_SHA2_PASSWORD", "carol",
		    EXPOSURE_CRACKABLE, OUTCOME_ACCEPTED, 2) } } },
	{ "user name past the packet", user_unterminated, false,
	    { .offered = 1,
		.auth_offered = "CACHING_SHA2_PASSWORD",
		.anomalies = SESSION_ANOM_GARBAGE } },
	{ "scramble length past the packet", auth_too_long, false,
	    { .offered = 1,
		.auth_offered = "CACHING_SHA2_PASSWORD",
		.anomalies = SESSION_ANOM_GARBAGE } },
	{ "greeting cut short", greeting_short, false,
	    { .offered = -1, .anomalies = SESSION_ANOM_GARBAGE } },
	{ "not MySQL", not_mysql, false,
	    { .offered = -1, .anomalies = SESSION_ANOM_GARBAGE } },
};

static void
run_case(void **state)
{
	const struct feed_case *c = *state;
	char where[64];
	const char *why;

	why = feed_case_run(&mysql_analyzer, c, where, sizeof(where));
	if (why != NULL)
		fail_msg("%s (%s): %s", c->name, where, why);
}

static void
test_noise(void **state)
{
	static const char *const words[] = { GREETING_MYSQL8, GREETING_MARIADB,
		RESPONSE_ALICE, SSL_REQUEST, OK2, ERR2, SWITCH_CLEAR, SHA2_FULL,
		"\xff\xff\xff\x01", "\x00\x00\x00", "\x01\x00\x00\x02\xfe",
		"\xfc\xff\xff", "\xfe" };

	(void)state;
	feed_garbage(&mysql_analyzer, words, ARRAY_SIZE(words), 400);
}

/* An AuthMoreData packet of 70000 payload bytes. */
static void
fill_long_packet(void)
{
	uint32_t len = sizeof(long_packet) - 4;

	memset(long_packet, 'k', sizeof(long_packet));
	long_packet[0] = (char)len;
	long_packet[1] = (char)(len >> 8);
	long_packet[2] = (char)(len >> 16);
	long_packet[3] = 3;
	long_packet[4] = 0x01;
}

int
main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(cases) + 1];
	size_t i;

	fill_long_packet();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = (void *)(uintptr_t)&cases[i];
	}
	memset(&tests[i], 0, sizeof(tests[i]));
	tests[i].name = "random bytes and protocol words";
	tests[i].test_func = test_noise;
	return cmocka_run_group_tests_name("mysql", tests, NULL, NULL);
}
