/*
 * test_smtp.c - unit tests for the SMTP analyzer.
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

/* The greeting and an EHLO exchange without STARTTLS: chunks 1-3. */
#define PREAMBLE                                                               \
	SRV("220 mail.example.org ESMTP\r\n"),                                 \
	    CLI("EHLO ws1.example.com\r\n"),                                   \
	    SRV("250-mail.example.org\r\n"                                     \
		"250-PIPELINING\r\n"                                           \
		"250-CHUNKING\r\n"                                             \
		"250-AUTH PLAIN LOGIN CRAM-MD5\r\n"                            \
		"250 SIZE 1000000\r\n")

/* What PREAMBLE records. */
#define PREAMBLE_FACTS                                                         \
	.offered = 0, .client_name = "ws1.example.com",                        \
	.auth_offered = "PLAIN LOGIN CRAM-MD5"

#define ALICE_PLAIN "AGFsaWNlAFdvbmRlcmxhbmQtMTE="
#define BOB_PLAIN "AGJvYgBIdW50ZXIyLXB3"

static const struct feed_chunk starttls_middle[] = {
	SRV("220 mx.example.org ESMTP Postfix\r\n"),
	CLI("EHLO client.example.com\r\n"),
	SRV("250-mx.example.org\r\n"
	    "250-PIPELINING\r\n"
	    "250-STARTTLS\r\n"
	    "250-AUTH PLAIN LOGIN\r\n"
	    "250 8BITMIME\r\n"),
	CLI("STARTTLS\r\n"),
	/* A ClientHello overtaking the reply waits for the TLS analyzer. */
	CLI("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"),
	SRV("220 2.0.0 Ready to start TLS\r\n"),
	FEED_END,
};

static const struct feed_chunk starttls_reply_then_more[] = {
	SRV("220 mx.example.org ESMTP\r\n"),
	CLI("ehlo c\r\n"),
	SRV("250-mx.example.org\r\n250 STARTTLS\r\n"),
	CLI("starttls\r\n"),
	SRV("220 Go ahead\r\n\x15\x03\x03\x00\x02\x02\x28"),
	FEED_END,
};

static const struct feed_chunk starttls_last_line_login[] = {
	SRV("220 mail.example.org ESMTP\r\n"),
	CLI("EHLO laptop\r\n"),
	SRV("250-mail.example.org Hello\r\n"
	    "250-SIZE 10240000\r\n"
	    "250-AUTH LOGIN PLAIN\r\n"
	    "250 STARTTLS\r\n"),
	CLI("AUTH LOGIN\r\n"),
	SRV("334 VXNlcm5hbWU6\r\n"),
	CLI("ZGF2ZQ==\r\n"),
	SRV("334 UGFzc3dvcmQ6\r\n"),
	CLI("RGF2ZS1QYXNzLTc=\r\n"),
	SRV("235 2.7.0 Authentication successful\r\n"),
	CLI("QUIT\r\n"),
	SRV("221 2.0.0 Bye\r\n"),
	FEED_END,
};

static const struct feed_chunk lowercase_502[] = {
	SRV("220 mx ESMTP\r\n"),
	CLI("ehlo box\r\n"),
	SRV("250-mx\r\n250-auth login\r\n250 8BITMIME\r\n"),
	CLI("starttls\r\n"),
	SRV("502 5.5.1 Command not implemented\r\n"),
	CLI("auth login\r\n"),
	SRV("334 VXNlcm5hbWU6\r\n"),
	CLI("ZGF2ZQ==\r\n"),
	SRV("334 UGFzc3dvcmQ6\r\n"),
	CLI("RGF2ZS1QYXNzLTc=\r\n"),
	SRV("535 5.7.8 Authentication credentials invalid\r\n"),
	CLI("auth login ZGF2ZQ==\r\n"),
	SRV("334 UGFzc3dvcmQ6\r\n"),
	CLI("RGF2ZS1QYXNzLTc=\r\n"),
	SRV("235 ok\r\n"),
	FEED_END,
};

static const struct feed_chunk refused_454[] = {
	SRV("220 mx ESMTP\r\n"),
	CLI("EHLO a.example\r\n"),
	SRV("250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n"),
	CLI("STARTTLS\r\n"),
	SRV("454 4.7.0 TLS not available due to temporary reason\r\n"),
	CLI("AUTH PLAIN " ALICE_PLAIN "\r\n"),
	SRV("235 2.7.0 Authentication successful\r\n"),
	FEED_END,
};

static const struct feed_chunk refused_then_accepted[] = {
	SRV("220 mx ESMTP\r\n"),
	CLI("EHLO a.example\r\n"),
	SRV("250-mx\r\n250 STARTTLS\r\n"),
	CLI("STARTTLS\r\n"),
	SRV("454 4.7.0 TLS not available\r\n"),
	CLI("STARTTLS\r\n"),
	SRV("220 2.0.0 Ready\r\n"),
	FEED_END,
};

static const struct feed_chunk plain_two_step[] = {
	PREAMBLE,
	CLI("AUTH PLAIN\r\n"),
	SRV("334 \r\n"),
	CLI(BOB_PLAIN "\r\n"),
	SRV("235 2.7.0 Authentication successful\r\n"),
	FEED_END,
};

static const struct feed_chunk plain_equals[] = {
	PREAMBLE,
	CLI("AUTH PLAIN =\r\n"),
	SRV("334 \r\n"),
	CLI(BOB_PLAIN "\r\n"),
	SRV("235 ok\r\n"),
	FEED_END,
};

static const struct feed_chunk login_initial_response[] = {
	PREAMBLE,
	CLI("AUTH LOGIN ZGF2ZQ==\r\n"),
	SRV("334 UGFzc3dvcmQ6\r\n"),
	CLI("RGF2ZS1QYXNzLTc=\r\n"),
	SRV("235 ok\r\n"),
	FEED_END,
};

static const struct feed_chunk cram_md5[] = {
	PREAMBLE,
	CLI("AUTH CRAM-MD5\r\n"),
	SRV("334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZS5uZXQ+\r\n"),
	CLI("ZXJpbiA3ZjNiMWMyZDllOGE0YjVjNmQ3ZThmOWEwYjFjMmQzZQ==\r\n"),
	SRV("535 5.7.8 Error: authentication failed\r\n"),
	FEED_END,
};

static const struct feed_chunk digest_md5[] = {
	PREAMBLE,
	CLI("AUTH DIGEST-MD5\r\n"),
	SRV("334 cmVhbG09ImV4YW1wbGUub3JnIixub25jZT0iT0E2TUc5dEVRR20yaGgiLHFv"
	    "cD0iYXV0aCIsYWxnb3JpdGhtPW1kNS1zZXNzLGNoYXJzZXQ9dXRmLTg=\r\n"),
	CLI("dXNlcm5hbWU9ImZyYW5rIixyZWFsbT0iZXhhbXBsZS5vcmciLG5vbmNlPSJPQTZN"
	    "Rzl0RVFHbTJoaCIsY25vbmNlPSJPQTZNSFhoNlZxVHJSayIsbmM9MDAwMDAwMDEs"
	    "cW9wPWF1dGgsZGlnZXN0LXVyaT0ic210cC9tYWlsLmV4YW1wbGUub3JnIixyZXNw"
	    "b25zZT1kMzg4ZGFkOTBkNGJiZDc2MGExNTIzMjFmMjE0M2FmNyxjaGFyc2V0PXV0"
	    "Zi04\r\n"),
	SRV("334 cnNwYXV0aD1lYTQwZjYwMzM1YzQyN2I1NTI3Yjg0ZGJhYmNkZmZmZA==\r\n"),
	CLI("\r\n"),
	SRV("235 2.7.0 Authentication successful\r\n"),
	FEED_END,
};

static const struct feed_chunk ntlm[] = {
	PREAMBLE,
	CLI("AUTH NTLM TlRMTVNTUAABAAAAB4IIAAAAAAAAAAAAAAAAAAAAAAA=\r\n"),
	SRV("334 TlRMTVNTUAACAAAAAAAAADAAAAAFggIAASNFZ4mrze8AAAAAAAAAAAAAAAAwA"
	    "AAA\r\n"),
	CLI("TlRMTVNTUAADAAAAGAAYAEAAAAAYABgAWAAAAAgACABwAAAACgAKAHgAAAAIAAgA"
	    "ggAAAAAAAACKAAAABYIIABERERERERERERERERERERERERERERERESIiIiIiIiIi"
	    "IiIiIiIiIiIiIiIiIiIiIkMATwBSAFAAZwByAGEAYwBlAFcAUwAwADEA\r\n"),
	SRV("235 2.7.0 Authentication successful\r\n"),
	FEED_END,
};

static const struct feed_chunk xoauth2[] = {
	PREAMBLE,
	CLI("AUTH XOAUTH2 dXNlcj1oZWlkaUBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5"
	    "LkhlaWRpLVRva2VuLTkBAQ==\r\n"),
	SRV("235 2.7.0 Accepted\r\n"),
	FEED_END,
};

/* A refused token: the server's 334 carries an error the client acks. */
static const struct feed_chunk xoauth2_refused[] = {
	PREAMBLE,
	CLI("AUTH XOAUTH2 dXNlcj1oZWlkaUBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5"
	    "LkhlaWRpLVRva2VuLTkBAQ==\r\n"),
	SRV("334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJo"
	    "dHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==\r\n"),
	CLI("\r\n"),
	SRV("535 5.7.8 Username and Password not accepted\r\n"),
	FEED_END,
};

static const struct feed_chunk oauthbearer[] = {
	PREAMBLE,
	CLI("AUTH OAUTHBEARER bixhPWl2YW5AZXhhbXBsZS5jb20sAWhvc3Q9bWFpbC5leGFt"
	    "cGxlLmNvbQFwb3J0PTU4NwFhdXRoPUJlYXJlciBJdmFuLVRva2VuLTQBAQ==\r\n"),
	SRV("235 2.7.0 Accepted\r\n"),
	FEED_END,
};

static const struct feed_chunk scram_sha_256[] = {
	PREAMBLE,
	CLI("AUTH SCRAM-SHA-256 biwsbj1qdWR5LHI9ck9wck5HZndFYmVSV2diTkVrcU8="
	    "\r\n"),
	SRV("334 cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGop"
	    "aE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=\r\n"),
	CLI("Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhG"
	    "SWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3Ft"
	    "bWl6N0FuZFZRPQ==\r\n"),
	SRV("334 dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0"
	    "PQ==\r\n"),
	CLI("\r\n"),
	SRV("235 2.7.0 Authentication successful\r\n"),
	FEED_END,
};

static const struct feed_chunk gssapi[] = {
	PREAMBLE,
	CLI("AUTH GSSAPI\r\n"),
	SRV("334 \r\n"),
	CLI("YGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGhw==\r\n"),
	SRV("334 YGhpamtsbW5vcA==\r\n"),
	CLI("\r\n"),
	SRV("334 BQQE/wAMAAAAAAAAAA==\r\n"),
	CLI("BQQE/wAMAAAAAAAAAA==\r\n"),
	SRV("235 2.7.0 Authentication successful\r\n"),
	FEED_END,
};

static const struct feed_chunk external[] = {
	PREAMBLE,
	CLI("AUTH EXTERNAL =\r\n"),
	SRV("235 2.7.0 Authentication successful\r\n"),
	FEED_END,
};

static const struct feed_chunk cancelled[] = {
	PREAMBLE,
	CLI("AUTH LOGIN\r\n"),
	SRV("334 VXNlcm5hbWU6\r\n"),
	CLI("ZGF2ZQ==\r\n"),
	SRV("334 UGFzc3dvcmQ6\r\n"),
	CLI("*\r\n"),
	SRV("501 5.7.0 Authentication aborted\r\n"),
	CLI("QUIT\r\n"),
	SRV("221 Bye\r\n"),
	FEED_END,
};

static const struct feed_chunk unknown_mech[] = {
	PREAMBLE,
	CLI("AUTH X-FOO Zm9vYmFyLWJsb2I=\r\n"),
	SRV("504 5.5.4 Unrecognized authentication type\r\n"),
	FEED_END,
};

/* Message text full of things that must not be read as SMTP. */
static const struct feed_chunk pipelined_body[] = {
	PREAMBLE,
	CLI("MAIL FROM:<a@example.com>\r\n"
	    "RCPT TO:<b@example.net>\r\n"
	    "DATA\r\n"),
	SRV("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	    "354 End data with <CR><LF>.<CR><LF>\r\n"),
	CLI("Subject: trap\r\n\r\n"
	    "AUTH PLAIN " ALICE_PLAIN "\r\n"
	    "STARTTLS\r\n"
	    "250-XXXXXXXA\r\n"
	    "XXXXXXXA\r\n"
	    "..\r\n"
	    "...\r\n"
	    ". \r\n"
	    ".x\r\n"),
	CLI("EHLO evil.example\r\n.\r\n"),
	SRV("250 2.0.0 Ok: queued\r\n"),
	/* A second message with bare LF line ends. */
	CLI("MAIL FROM:<a@example.com>\nRCPT TO:<b@example.net>\nDATA\n"),
	SRV("250 ok\n250 ok\n354 go ahead\n"),
	CLI("line\nAUTH LOGIN\n.\n"),
	SRV("250 queued\n"),
	CLI("AUTH PLAIN " BOB_PLAIN "\r\n"),
	SRV("235 2.7.0 Authentication successful\r\n"),
	CLI("QUIT\r\n"),
	SRV("221 2.0.0 Bye\r\n"),
	FEED_END,
};

static const struct feed_chunk data_refused[] = {
	PREAMBLE,
	CLI("MAIL FROM:<a@example.com>\r\n"),
	SRV("250 ok\r\n"),
	CLI("RCPT TO:<nobody@example.net>\r\n"),
	SRV("550 5.1.1 User unknown\r\n"),
	CLI("DATA\r\n"),
	SRV("554 5.5.1 Error: no valid recipients\r\n"),
	CLI("AUTH PLAIN " BOB_PLAIN "\r\n"),
	SRV("235 ok\r\n"),
	FEED_END,
};

/* BDAT chunks hold any bytes, "." lines included, and no reply waits. */
static const struct feed_chunk bdat[] = {
	PREAMBLE,
	CLI("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\n"),
	SRV("250 ok\r\n250 ok\r\n"),
	CLI("BDAT 54\r\n"
	    "AUTH PLAIN " ALICE_PLAIN "\r\n.\r\nSTARTTLS\r\n"),
	SRV("250 2.0.0 54 octets received\r\n"),
	CLI("BDAT 10 LAST\r\nXXXXXXXA\r\nBDAT 0 LAST\r\nRSET\r\n"),
	SRV("250 ok\r\n250 ok\r\n250 ok\r\n"),
	CLI("AUTH PLAIN " BOB_PLAIN "\r\n"),
	SRV("235 ok\r\n"),
	FEED_END,
};

/* Only the client's side was captured: no replies to wait for. */
static const struct feed_chunk one_sided[] = {
	CLI("ehlo enzo.example.org\r\n"),
	CLI("mail FROM:<robin@example.org> size=9030\r\n"),
	CLI("rcpt TO:<robin@example.org>\r\n"),
	CLI("data\r\n"),
	CLI("From: robin@example.org\r\nSubject: Hello1!\r\n"
	    "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\r\n"
	    "XXXXXXXX\r\nXXXXXXXA\r\nSTARTTLS\r\n"
	    "AUTH PLAIN " ALICE_PLAIN "\r\n.\r\n"),
	CLI("AUTH PLAIN " BOB_PLAIN "\r\n"),
	CLI("quit\r\n"),
	FEED_END,
};

static const struct feed_chunk one_sided_login[] = {
	CLI("EHLO x.example\r\n"),
	CLI("AUTH LOGIN\r\n"),
	CLI("ZGF2ZQ==\r\n"),
	CLI("RGF2ZS1QYXNzLTc=\r\n"),
	CLI("MAIL FROM:<dave@example.org>\r\n"),
	CLI("QUIT\r\n"),
	FEED_END,
};

/* No server at all: a TLS record after STARTTLS means it went ahead. */
static const struct feed_chunk one_sided_starttls[] = {
	CLI("EHLO x.example\r\n"),
	CLI("STARTTLS\r\n"),
	CLI("\x16\x03\x01\x00\x04\x01\x00\x00\x00"),
	FEED_END,
};

static const struct feed_chunk masked_greeting[] = {
	SRV("220 ***********************************************\r\n"),
	CLI("EHLO a.example\r\n"),
	SRV("250-mx\r\n250 SIZE 100\r\n"),
	FEED_END,
};

static const struct feed_chunk masked_ehlo[] = {
	SRV("220 mx.example ESMTP\r\n"),
	CLI("EHLO a.example\r\n"),
	SRV("250-mx.example\r\n250-XXXXXXXA\r\n250 AUTH PLAIN\r\n"),
	FEED_END,
};

static const struct feed_chunk masked_command[] = {
	SRV("220 mx.example ESMTP\r\n"),
	CLI("EHLO a.example\r\n"),
	SRV("250-mx.example\r\n250-STARTTLS\r\n250 HELP\r\n"),
	CLI("XXXXXXXA\r\n"),
	SRV("500 5.5.1 Unrecognized command\r\n"),
	FEED_END,
};

static const struct feed_chunk garbage[] = {
	SRV("220 mx.example ESMTP Sendmail\r\n"),
	CLI("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n"
	    "\x8a\x91garbage\x00\x01\n"),
	SRV("500 5.5.1 Command unrecognized\r\n"
	    "500 5.5.1 Command unrecognized\r\n"),
	CLI("EHLO ok.example\r\n"),
	SRV("250-mx.example\r\n250-STARTTLS\r\n250 OK\r\n"),
	SRV("\x01\x02 noise\r\n"),
	FEED_END,
};

/* A SOCKS5 handshake runs into the greeting and the EHLO. */
static const struct feed_chunk socks_glued[] = {
	CLI("\x05\x01\x00"),
	SRV("\x05\x00"),
	CLI("\x05\x01\x00\x03\x0e"
	    "010.000.00.003\x00\x19"),
	SRV("\x05\x00\x00\x01\x0a\x00\x00\x01\xd1\xcd"),
	SRV("220 relay.example ESMTP Exim 4.80\r\n"),
	CLI("EHLO User\r\n"),
	SRV("250-relay.example Hello\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n"
	    "250-PIPELINING\r\n250-STARTTLS\r\n250 HELP\r\n"),
	CLI("AUTH LOGIN\r\n"),
	SRV("503 AUTH command used when not advertised\r\n"),
	FEED_END,
};

/* The EHLO reply stops after one "250-" line: no list was seen. */
static const struct feed_chunk ehlo_cut_short[] = {
	SRV("220 smtpblah.example ESMTP\r\n"),
	CLI("EHLO Simone\r\n"),
	SRV("250-smtp001.mail.example.com\r\n"),
	CLI("AUTH LOGIN\r\n"),
	SRV("334 VXNlcm5hbWU6\r\n"),
	CLI("Z2FsdW50\r\n"),
	SRV("334 UGFzc3dvcmQ6\r\n"),
	CLI("VjF2MXRyMG4=\r\n"),
	SRV("235 ok, go ahead (#2.0.0)\r\n"),
	FEED_END,
};

/* A bare "250" answers EHLO; RSET and STARTTLS come pipelined. */
static const struct feed_chunk bare_250[] = {
	CLI("EHLO\n"),
	SRV("250\n"),
	CLI("rset\nstaRttLs\n"),
	SRV("250\n"),
	SRV("220\n"),
	FEED_END,
};

static const struct feed_chunk ehlo_500_helo[] = {
	SRV("220 old.example Sendmail\r\n"),
	CLI("EHLO new.example\r\n"),
	SRV("500 Command unrecognized\r\n"),
	CLI("HELO new.example\r\n"),
	SRV("250 old.example\r\n"),
	FEED_END,
};

static const struct feed_chunk helo_only[] = {
	SRV("220 mta.example ESMTP ready\r\n"),
	CLI("HELO [0.0.0.0]\r\n"),
	SRV("250 mta.example\r\n"),
	CLI("MAIL FROM: <a@example.com>\r\n"),
	SRV("250 sender ok\r\n"),
	CLI("QUIT\r\n"),
	FEED_END,
};

/* The server agreed to TLS but the client went on in clear text. */
static const struct feed_chunk cleartext_after[] = {
	SRV("220 mx ESMTP\r\n"),
	CLI("EHLO a\r\n"),
	SRV("250-mx\r\n250 STARTTLS\r\n"),
	CLI("STARTTLS\r\n"),
	SRV("220 go ahead\r\n"),
	CLI("EHLO a\r\n"),
	SRV("250-mx\r\n250 AUTH PLAIN\r\n"),
	CLI("AUTH PLAIN " ALICE_PLAIN "\r\n"),
	SRV("235 ok\r\n"),
	FEED_END,
};

/* The client speaks first; the greeting and EHLO reply come together. */
static const struct feed_chunk early_talker[] = {
	CLI("EHLO Bob-PC\r\n"),
	SRV("220 tinky ESMTP Exim 4.94.2\r\n"
	    "250-tinky Hello localhost [127.0.0.1]\r\n250-PIPELINING\r\n"
	    "250-PIPE_CONNECT\r\n250-CHUNKING\r\n250-STARTTLS\r\n"
	    "250 HELP\r\n"),
	CLI("MAIL FROM:<bob@example.org>\r\n"),
	SRV("250 OK\r\n"),
	CLI("RCPT TO:<alice@example.org>\r\n"),
	SRV("250 Accepted\r\n"),
	CLI("DATA\r\n"),
	SRV("354 Enter message, ending with \".\" on a line by itself\r\n"),
	CLI("Hello, Alice (1)\r\n"),
	CLI(".\r\n"),
	SRV("250 OK id=1pgobK-001mwq-ED\r\n"),
	CLI("RCPT TO:<alice@example.org>\r\n"),
	SRV("503 sender not yet given\r\n"),
	CLI("DATA\r\n"),
	SRV("503-All RCPT commands were rejected with this error:\r\n"
	    "503-503 sender not yet given\r\n"
	    "503 valid RCPT command must precede DATA\r\n"),
	CLI("Hello, Alice (2)\r\n"),
	SRV("500 unrecognized command\r\n"),
	CLI(".\r\n"),
	SRV("500 unrecognized command\r\n"),
	CLI("QUIT\r\n"),
	SRV("221 tinky closing connection\r\n"),
	FEED_END,
};

static const struct feed_chunk auth_forms[] = {
	SRV("220-mtaout ESMTP MUA/Third Party Client Interface\r\n"
	    "220-AOL and its affiliated companies do not\r\n"
	    "220 which no reverse-DNS (PTR record) assigned.\r\n"),
	CLI("EHLO xxxxxxxx.xxx.aol.com\r\n"),
	SRV("250-mtaout\r\n250-PIPELINING\r\n250-SIZE 36700160\r\n"
	    "250-ETRN\r\n250-STARTTLS\r\n250-AUTH LOGIN PLAIN XAOL-UAS-MB\r\n"
	    "250-AUTH=LOGIN PLAIN XAOL-UAS-MB\r\n250-AUTH=CRAM-MD5\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 DSN\r\n"),
	CLI("AUTH PLAIN\r\n"),
	SRV("334 \r\n"),
	CLI("ADEyMzQ1Njc4OUBhb2wuY29tADEyMzQ1Njc=\r\n"),
	SRV("235 2.7.0 Authentication successful\r\n"),
	CLI("RSET\r\n"),
	SRV("250 2.0.0 Ok\r\n"),
	FEED_END,
};

/* The "." was lost with the text; the server's reply ends the text. */
static const struct feed_chunk body_gap[] = {
	PREAMBLE,
	CLI("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\n"
	    "DATA\r\n"),
	SRV("250 ok\r\n250 ok\r\n354 go ahead\r\n"),
	CLI("Subject: x\r\n\r\nbody "),
	GAP_CLI(1000),
	CLI("more text\r\n"),
	SRV("250 2.0.0 queued\r\n"),
	CLI("AUTH PLAIN " BOB_PLAIN "\r\n"),
	SRV("235 ok\r\n"),
	FEED_END,
};

/* The 354 was lost: the text is taken to follow. */
static const struct feed_chunk reply_gap[] = {
	PREAMBLE,
	CLI("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\n"),
	SRV("250 ok\r\n250 ok\r\n"),
	CLI("DATA\r\n"),
	GAP_SRV(20),
	CLI("Subject: hi\r\n\r\nAUTH PLAIN " ALICE_PLAIN "\r\n.\r\n"),
	SRV("250 ok\r\n"),
	CLI("QUIT\r\n"),
	FEED_END,
};

#define RCPT8                                                                  \
	"RCPT TO:<x@example.net>\r\nRCPT TO:<x@example.net>\r\n"               \
	"RCPT TO:<x@example.net>\r\nRCPT TO:<x@example.net>\r\n"               \
	"RCPT TO:<x@example.net>\r\nRCPT TO:<x@example.net>\r\n"               \
	"RCPT TO:<x@example.net>\r\nRCPT TO:<x@example.net>\r\n"
#define OK8                                                                    \
	"250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n"         \
	"250 ok\r\n250 ok\r\n"

/* 42 commands in one go: the ring overflows, DATA is still honoured. */
static const struct feed_chunk overflow[] = {
	PREAMBLE,
	CLI("MAIL FROM:<a@example.com>\r\n" RCPT8 RCPT8 RCPT8 RCPT8 RCPT8
	    "DATA\r\n"),
	SRV("250 ok\r\n" OK8 OK8 OK8 OK8 OK8 "354 go ahead\r\n"),
	CLI("AUTH PLAIN " ALICE_PLAIN "\r\n.\r\n"),
	SRV("250 queued\r\n"),
	CLI("AUTH PLAIN " BOB_PLAIN "\r\n"),
	SRV("235 ok\r\n"),
	FEED_END,
};

/* Filled in main(): lines longer than the analyzer's buffer. */
static char long_command[9000];
static char long_reply[9000];

static const struct feed_chunk long_lines[] = {
	SRV("220 mx ESMTP\r\n"),
	{ DIR_TO_SERVER, long_command, sizeof(long_command) },
	SRV("500 5.5.2 line too long\r\n"),
	CLI("EHLO after.example\r\n"),
	{ DIR_TO_CLIENT, long_reply, sizeof(long_reply) },
	SRV("250 STARTTLS\r\n"),
	FEED_END,
};

static void
fill_long_lines(void)
{
	memset(long_command, 'a', sizeof(long_command));
	memcpy(long_command, "NOOP ", 5);
	memcpy(long_command + sizeof(long_command) - 2, "\r\n", 2);
	memset(long_reply, 'x', sizeof(long_reply));
	memcpy(long_reply, "250-", 4);
	memcpy(long_reply + sizeof(long_reply) - 2, "\r\n", 2);
}

#define CRED(m, u, e, o, k)                                                    \
	{                                                                      \
		.mech = (m), .user = (u), .exposure = (e), .outcome = (o),     \
		.chunk = (k)                                                   \
	}

static struct feed_case cases[] = {
	{ "STARTTLS on a middle EHLO line, upgrade", starttls_middle, false,
	    { .offered = 1,
		.attempted = true,
		.starttls_chunk = 4,
		.accepted = true,
		.switched = true,
		.check_rest = true,
		.rest = { 10, 0 },
		.client_name = "client.example.com",
		.auth_offered = "PLAIN LOGIN" } },
	{ "go-ahead consumed up to its line end", starttls_reply_then_more,
	    false,
	    { .offered = 1,
		.attempted = true,
		.starttls_chunk = 4,
		.accepted = true,
		.switched = true,
		.check_rest = true,
		.rest = { 0, 7 },
		.client_name = "c" } },
	{ "STARTTLS on the last line, AUTH LOGIN two-step",
	    starttls_last_line_login, false,
	    { .offered = 1,
		.client_name = "laptop",
		.auth_offered = "LOGIN PLAIN",
		.ncreds = 1,
		.creds = { CRED(
		    "LOGIN", "dave", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 8) },
		.secrets = { "Dave-Pass-7", "RGF2ZS1QYXNzLTc=" } } },
	{ "lower case, STARTTLS 502, AUTH LOGIN 535 then 235", lowercase_502,
	    false,
	    { .offered = 0,
		.attempted = true,
		.starttls_chunk = 4,
		.result = STARTTLS_RESULT_REFUSED,
		.client_name = "box",
		.auth_offered = "LOGIN",
		.ncreds = 2,
		.creds = { CRED("LOGIN", "dave", EXPOSURE_CLEARTEXT,
			       OUTCOME_REJECTED, 10),
		    CRED("LOGIN", "dave", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED,
			14) },
		.secrets = { "Dave-Pass-7", "RGF2ZS1QYXNzLTc=" } } },
	{ "STARTTLS 454, AUTH PLAIN initial response", refused_454, false,
	    { .offered = 1,
		.attempted = true,
		.starttls_chunk = 4,
		.result = STARTTLS_RESULT_REFUSED,
		.client_name = "a.example",
		.auth_offered = "PLAIN",
		.ncreds = 1,
		.creds = { CRED("PLAIN", "alice", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 6) },
		.secrets = { "Wonderland-11", ALICE_PLAIN } } },
	{ "STARTTLS refused, then accepted", refused_then_accepted, false,
	    { .offered = 1,
		.attempted = true,
		.starttls_chunk = 6,
		.accepted = true,
		.switched = true,
		.client_name = "a.example" } },
	{ "AUTH PLAIN two-step", plain_two_step, false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED(
		    "PLAIN", "bob", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 6) },
		.secrets = { "Hunter2-pw", BOB_PLAIN } } },
	{ "AUTH PLAIN with = as initial response", plain_equals, false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED(
		    "PLAIN", "bob", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 6) },
		.secrets = { "Hunter2-pw", BOB_PLAIN } } },
	{ "AUTH LOGIN with the user name as initial response",
	    login_initial_response, false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED(
		    "LOGIN", "dave", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 6) },
		.secrets = { "Dave-Pass-7", "RGF2ZS1QYXNzLTc=" } } },
	{ "AUTH CRAM-MD5 rejected", cram_md5, false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED("CRAM-MD5", "erin", EXPOSURE_CRACKABLE,
		    OUTCOME_REJECTED, 6) },
		.secrets = { "7f3b1c2d9e8a4b5c6d7e8f9a0b1c2d3e" } } },
	{ "AUTH DIGEST-MD5", digest_md5, false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED("DIGEST-MD5", "frank", EXPOSURE_CRACKABLE,
		    OUTCOME_ACCEPTED, 6) },
		.secrets = { "d388dad90d4bbd760a152321f2143af7" } } },
	{ "AUTH NTLM", ntlm, false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED("NTLM", "CORP\\grace", EXPOSURE_CRACKABLE,
		    OUTCOME_ACCEPTED, 6) } } },
	{ "AUTH XOAUTH2", xoauth2, false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED("XOAUTH2", "heidi@example.com", EXPOSURE_TOKEN,
		    OUTCOME_ACCEPTED, 4) },
		.secrets = { "Heidi-Token-9" } } },
	{ "AUTH XOAUTH2 refused after an error challenge", xoauth2_refused,
	    false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED("XOAUTH2", "heidi@example.com", EXPOSURE_TOKEN,
		    OUTCOME_REJECTED, 4) },
		.secrets = { "Heidi-Token-9" } } },
	{ "AUTH OAUTHBEARER", oauthbearer, false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED("OAUTHBEARER", "ivan@example.com",
		    EXPOSURE_TOKEN, OUTCOME_ACCEPTED, 4) },
		.secrets = { "Ivan-Token-4" } } },
	{ "AUTH SCRAM-SHA-256", scram_sha_256, false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED("SCRAM-SHA-256", "judy", EXPOSURE_NONE,
		    OUTCOME_ACCEPTED, 6) } } },
	{ "AUTH GSSAPI", gssapi, false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED(
		    "GSSAPI", "", EXPOSURE_NONE, OUTCOME_ACCEPTED, 6) } } },
	{ "AUTH EXTERNAL =", external, false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED(
		    "EXTERNAL", "", EXPOSURE_NONE, OUTCOME_ACCEPTED, 4) } } },
	{ "AUTH LOGIN cancelled with * before the password", cancelled, false,
	    { PREAMBLE_FACTS } },
	{ "AUTH with an unknown mechanism", unknown_mech, false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED(
		    "X-FOO", "", EXPOSURE_UNKNOWN, OUTCOME_REJECTED, 4) } } },
	{ "pipelined MAIL/RCPT/DATA, message text full of traps",
	    pipelined_body, false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED(
		    "PLAIN", "bob", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 13) },
		.secrets = { "Wonderland-11", ALICE_PLAIN } } },
	{ "DATA refused: the next line is a command", data_refused, false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED("PLAIN", "bob", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 10) } } },
	{ "BDAT chunks with . lines and commands inside", bdat, false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED(
		    "PLAIN", "bob", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 10) },
		.secrets = { "Wonderland-11" } } },
	{ "client side only, redacted body", one_sided, false,
	    { .offered = -1,
		.client_name = "enzo.example.org",
		.ncreds = 1,
		.creds = { CRED(
		    "PLAIN", "bob", EXPOSURE_CLEARTEXT, OUTCOME_UNKNOWN, 6) },
		.secrets = { "Wonderland-11" } } },
	{ "client side only, AUTH LOGIN", one_sided_login, false,
	    { .offered = -1,
		.client_name = "x.example",
		.ncreds = 1,
		.creds = { CRED(
		    "LOGIN", "dave", EXPOSURE_CLEARTEXT, OUTCOME_UNKNOWN, 4) },
		.secrets = { "Dave-Pass-7" } } },
	{ "client side only, STARTTLS then TLS", one_sided_starttls, false,
	    { .offered = -1,
		.attempted = true,
		.starttls_chunk = 2,
		.accepted = true,
		.switched = true,
		.check_rest = true,
		.rest = { 9, 0 },
		.client_name = "x.example" } },
	{ "greeting masked with asterisks", masked_greeting, false,
	    { .offered = 0, .stripped = true, .client_name = "a.example" } },
	{ "EHLO reply with XXXXXXXA", masked_ehlo, false,
	    { .offered = 0,
		.stripped = true,
		.client_name = "a.example",
		.auth_offered = "PLAIN" } },
	{ "client command XXXXXXXA", masked_command, false,
	    { .offered = 1, .stripped = true, .client_name = "a.example" } },
	{ "binary garbage from both sides", garbage, false,
	    { .offered = 1,
		.client_name = "ok.example",
		.anomalies = SESSION_ANOM_GARBAGE } },
	{ "SOCKS handshake glued to greeting and EHLO", socks_glued, false,
	    { .offered = 1,
		.client_name = "User",
		.anomalies = SESSION_ANOM_GARBAGE } },
	{ "EHLO reply cut short by the next reply", ehlo_cut_short, false,
	    { .offered = -1,
		.client_name = "Simone",
		.ncreds = 1,
		.creds = { CRED("LOGIN", "galunt", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 8) },
		.secrets = { "V1v1tr0n" } } },
	{ "bare 250 to EHLO, pipelined rset and staRttLs", bare_250, false,
	    { .offered = 0,
		.attempted = true,
		.starttls_chunk = 3,
		.accepted = true,
		.switched = true } },
	{ "EHLO answered 500, then HELO", ehlo_500_helo, false,
	    { .offered = 0, .client_name = "new.example" } },
	{ "HELO only", helo_only, false,
	    { .offered = -1, .client_name = "[0.0.0.0]" } },
	{ "clear text after the go-ahead", cleartext_after, true,
	    { .offered = 1,
		.attempted = true,
		.starttls_chunk = 4,
		.accepted = true,
		.switched = true,
		.cleartext_after_tls = true,
		.client_name = "a",
		.auth_offered = "PLAIN",
		.ncreds = 1,
		.creds = { CRED("PLAIN", "alice", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 8) } } },
	{ "client talks before the greeting", early_talker, false,
	    { .offered = 1, .client_name = "Bob-PC" } },
	{ "AUTH and AUTH= forms", auth_forms, false,
	    { .offered = 1,
		.client_name = "xxxxxxxx.xxx.aol.com",
		.auth_offered = "LOGIN PLAIN XAOL-UAS-MB CRAM-MD5",
		.ncreds = 1,
		.creds = { CRED("PLAIN", "123456789@aol.com",
		    EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 6) } } },
	{ "text end lost in a gap", body_gap, false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED("PLAIN", "bob", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 10) } } },
	{ "354 lost in a gap", reply_gap, false, { PREAMBLE_FACTS } },
	{ "pipeline overflow", overflow, false,
	    { PREAMBLE_FACTS, .ncreds = 1,
		.creds = { CRED(
		    "PLAIN", "bob", EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 8) },
		.anomalies = SESSION_ANOM_PIPELINE_OVERFLOW } },
	{ "overlong command and reply lines", long_lines, false,
	    { .offered = 1,
		.client_name = "after.example",
		.anomalies = SESSION_ANOM_LONG_LINE } },
};

static void
run_case(void **state)
{
	const struct feed_case *c = *state;
	char where[64];
	const char *why;

	why = feed_case_run(&smtp_analyzer, c, where, sizeof(where));
	if (why != NULL)
		fail_msg("%s (%s): %s", c->name, where, why);
}

static void
test_noise(void **state)
{
	static const char *const words[] = { "\r\n", "\n", "EHLO x\r\n",
		"AUTH PLAIN ", "AUTH LOGIN\r\n", ALICE_PLAIN, "DATA\r\n",
		"BDAT 99999999999999999999\r\n", "BDAT 30\r\n", "354 go\r\n",
		"334 \r\n", "250-", "250 ", "220 ", "STARTTLS\r\n", ".\r\n",
		"\x16\x03\x01", "XXXXXXXA\r\n", "235 ok\r\n", "*\r\n" };

	(void)state;
	feed_garbage(&smtp_analyzer, words, ARRAY_SIZE(words), 400);
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
	return cmocka_run_group_tests_name("smtp", tests, NULL, NULL);
}
