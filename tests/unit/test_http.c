/*
 * test_http.c - unit tests for the HTTP analyzer.
 *
 * Each case is a session as captured, both directions interleaved, and
 * the facts a careful reader of it would record, webmail product included.
 * feed.h replays it whole, cut at every offset and byte by byte.  Chunk
 * numbers in the expectations count from 1.  Tokens and passwords are made
 * up; the NTLM, SPNEGO and JWT tokens were built for these tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "feed.h"

/* Basic credentials: base64 of "user:password" (RFC 7617). */
#define ALICE_B64 "YWxpY2U6V29uZGVybGFuZC0xMQ==" /* alice:Wonderland-11 */
#define BOB_B64 "Ym9iOkh1bnRlcjItcHc="           /* bob:Hunter2-pw */
#define XAVIER_B64 "eGF2aWVyOlhhdiFlci05OQ=="    /* xavier:Xav!er-99 */
#define CAROL_B64 "Y2Fyb2w6"                     /* carol: (empty) */
#define NOCOLON_B64 "bm9jb2xvbnNlY3JldA=="       /* nocolonsecret */

/* NTLM NEGOTIATE and CHALLENGE: nothing to record. */
#define NTLM1 "TlRMTVNTUAABAAAAB4IIAAAAAAAAAAAAAAAAAAAAAAA="
#define NTLM2 "TlRMTVNTUAACAAAAAAAAADAAAAAFggIAASNFZ4mrze8AAAAAAAAAAAAAAAAwAAAA"

/* NTLM AUTHENTICATE from CORP\grace, Unicode. */
#define NTLM3                                                                  \
	"TlRMTVNTUAADAAAAGAAYAEAAAAAYABgAWAAAAAgACABwAAAACgAKAHgAAAAIAAgA"     \
	"ggAAAAAAAACKAAAABYIIACIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIhERERERERER"     \
	"EREREREREREREREREREREUMATwBSAFAAZwByAGEAYwBlAFcAUwAwADEA"

/* NTLM AUTHENTICATE from LAB\olivia, OEM characters. */
#define NTLM3_OEM                                                              \
	"TlRMTVNTUAADAAAAGAAYAEAAAAAYABgAWAAAAAMAAwBwAAAABgAGAHMAAAACAAIA"     \
	"eQAAAAAAAAB7AAAABIIIACIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIhERERERERER"     \
	"EREREREREREREREREREREUxBQm9saXZpYVBD"

/* SPNEGO NegTokenInit around an NTLM NEGOTIATE. */
#define SPNEGO1                                                                \
	"YEAGBisGAQUFAqA2MDSgDjAMBgorBgEEAYI3AgIKoiIEIE5UTE1TU1AAAQAAAAeC"     \
	"CAAAAAAAAAAAAAAAAAAAAAAA"

/* SPNEGO NegTokenResp around an NTLM AUTHENTICATE from EXAMPLE\henry. */
#define SPNEGO3                                                                \
	"oYGeMIGboAMKAQGigZMEgZBOVExNU1NQAAMAAAAYABgAQAAAABgAGABYAAAADgAO"     \
	"AHAAAAAKAAoAfgAAAAgACACIAAAAAAAAAJAAAAAFgggAIiIiIiIiIiIiIiIiIiIi"     \
	"IiIiIiIiIiIiERERERERERERERERERERERERERERERERRQBYAEEATQBQAEwARQBo"     \
	"AGUAbgByAHkAVwBTADAAMgA="

/* SPNEGO NegTokenInit carrying a (made up) Kerberos AP-REQ. */
#define KRB5                                                                   \
	"YEkGBisGAQUFAqA/MD2gDTALBgkqhkiG9xIBAgKiLAQqboJaWlpaWlpaWlpaWlpa"     \
	"WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa"

/* A JWT whose payload names jane.doe@example.com. */
#define JWT_SIG "Zx-Jwt-Signature_9sKq"
#define JWT                                                                    \
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIyNDgyODk3NjEwMDEi"    \
	"LCJuYW1lIjoiSmFuZSBEb2UiLCJwcmVmZXJyZWRfdXNlcm5hbWUiOiJqYW5lLmRv"     \
	"ZUBleGFtcGxlLmNvbSIsImlhdCI6MTcwMDAwMDAwMH0." JWT_SIG

/* A JWT with only a sub claim, "u-77\u00e9". */
#define JWT_SUB                                                                \
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1LTc3XHUwMGU5Iiwi"    \
	"aXNzIjoiaHR0cHM6Ly9pZC5leGFtcGxlLmNvbSJ9.Sig2-Abc_d"

#define UA "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101"

#define OK_EMPTY "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
#define DENIED                                                                 \
	"HTTP/1.1 401 Unauthorized\r\n"                                        \
	"WWW-Authenticate: Basic realm=\"intranet\"\r\n"                       \
	"Content-Length: 12\r\n\r\n"                                           \
	"Unauthorized"

static const struct feed_chunk basic_extra_space[] = {
	CLI("GET /private/ HTTP/1.1\r\n"
	    "Host: intranet.example.com:8000\r\n"
	    "User-Agent: python-requests/2.31.0\r\n"
	    "Accept-Encoding: gzip, deflate\r\n"
	    "Accept: */*\r\n"
	    "Connection: keep-alive\r\n"
	    "Authorization: Basic  " ALICE_B64 "  \r\n\r\n"),
	SRV("HTTP/1.0 200 OK\r\n"
	    "Server: SimpleHTTP/0.6 Python/3.11.2\r\n"
	    "Content-type: text/html\r\n"
	    "Content-Length: 5\r\n\r\n"
	    "hello"),
	FEED_END,
};

/*
 * Header names in any case; the same login on three requests, the last
 * refused (for another realm): it was accepted, and stays so.
 */
static const struct feed_chunk basic_repeated[] = {
	CLI("GET /a.js HTTP/1.1\r\nHost: 10.0.0.1:2082\r\nUser-Agent: " UA
	    "\r\nAUTHORIZATION: Basic " XAVIER_B64 "\r\n\r\n"),
	SRV("HTTP/1.1 304 Not Modified\r\nContent-Length: 1200\r\n\r\n"),
	CLI("GET /b.css HTTP/1.1\r\nHost: 10.0.0.1:2082\r\n"
	    "authorization: basic " XAVIER_B64 "\r\n\r\n"),
	SRV("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nb{}\n"),
	CLI("GET /c.png HTTP/1.1\r\nHost: 10.0.0.1:2082\r\n"
	    "Authorization:Basic " XAVIER_B64 "\r\n\r\n"),
	SRV(DENIED),
	CLI("GET /d HTTP/1.1\r\nHost: 10.0.0.1:2082\r\n\r\n"),
	SRV(OK_EMPTY),
	FEED_END,
};

static const struct feed_chunk basic_401_other_user[] = {
	CLI("GET /admin/ HTTP/1.1\r\nHost: router.example\r\nUser-Agent: " UA
	    "\r\n\r\n"),
	SRV(DENIED),
	CLI("GET /admin/ HTTP/1.1\r\nHost: router.example\r\nUser-Agent: " UA
	    "\r\nAuthorization: Basic " ALICE_B64 "\r\n\r\n"),
	SRV(DENIED),
	CLI("GET /admin/ HTTP/1.1\r\nHost: router.example\r\nUser-Agent: " UA
	    "\r\nAuthorization: Basic " BOB_B64 "\r\n\r\n"),
	SRV("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nwelcome"),
	FEED_END,
};

/* Basic without a colon, and with an empty password. */
static const struct feed_chunk basic_odd[] = {
	CLI("GET / HTTP/1.1\r\nAuthorization: Basic " NOCOLON_B64 "\r\n\r\n"),
	SRV(DENIED),
	CLI("GET / HTTP/1.1\r\nAuthorization: Basic " CAROL_B64 "\r\n\r\n"),
	SRV(OK_EMPTY),
	CLI("GET / HTTP/1.1\r\nAuthorization: Basic\r\n\r\n"),
	SRV(DENIED),
	FEED_END,
};

#define DIGEST_RESPONSE                                                        \
	"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"

static const struct feed_chunk digest[] = {
	CLI("GET /dir/index.html HTTP/1.1\r\nHost: www.example.org\r\n\r\n"),
	SRV("HTTP/1.1 401 Unauthorized\r\n"
	    "WWW-Authenticate: Digest realm=\"http-auth@example.org\", "
	    "qop=\"auth, auth-int\", algorithm=SHA-256, "
	    "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"\r\n"
	    "Content-Length: 0\r\n\r\n"),
	CLI("GET /dir/index.html HTTP/1.1\r\nHost: www.example.org\r\n"
	    "Authorization: Digest uri=\"/dir/index.html, username=x\",\r\n"),
	CLI("Authorization: Digest username=\"Mufasa\", "
	    "realm=\"http-auth@example.org\", uri=\"/dir/index.html\", "
	    "algorithm=SHA-256, "
	    "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	    "nc=00000001, "
	    "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", "
	    "qop=auth, "
	    "response=\"" DIGEST_RESPONSE "\", "
	    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"\r\n\r\n"),
	SRV("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
	/* RFC 7616 section 3.4.4: a name outside ASCII as username*. */
	CLI("GET /dir/index.html HTTP/1.1\r\nHost: www.example.org\r\n"
	    "Authorization: Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, "
	    "realm=\"api@example.org\", uri=\"/doe.json\", userhash=false, "
	    "response=\"" DIGEST_RESPONSE "\"\r\n\r\n"),
	SRV("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"),
	FEED_END,
};

static const struct feed_chunk ntlm_handshake[] = {
	CLI("GET /ews/exchange.asmx HTTP/1.1\r\nHost: mail.example.com\r\n"
	    "User-Agent: ExchangeServicesClient/15.00.0913.015\r\n\r\n"),
	SRV("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\n"
	    "WWW-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n"),
	CLI("GET /ews/exchange.asmx HTTP/1.1\r\nHost: mail.example.com\r\n"
	    "Authorization: NTLM " NTLM1 "\r\n\r\n"),
	SRV("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM " NTLM2
	    "\r\nContent-Length: 0\r\n\r\n"),
	CLI("GET /ews/exchange.asmx HTTP/1.1\r\nHost: mail.example.com\r\n"
	    "Authorization: NTLM " NTLM3 "\r\n\r\n"),
	SRV("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n<ok/>\n"),
	CLI("GET /ews/exchange.asmx HTTP/1.1\r\nHost: mail.example.com\r\n"
	    "Authorization: NTLM " NTLM3_OEM "\r\n\r\n"),
	SRV("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"),
	FEED_END,
};

static const struct feed_chunk negotiate[] = {
	CLI("GET /intranet/ HTTP/1.1\r\nHost: portal.example.com\r\n"
	    "Authorization: Negotiate " SPNEGO1 "\r\n\r\n"),
	SRV("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate "
	    "oYIBBjCCAQKgAwoBAaEMBgorBgEEAYI3AgIK\r\nContent-Length: "
	    "0\r\n\r\n"),
	CLI("GET /intranet/ HTTP/1.1\r\nHost: portal.example.com\r\n"
	    "Authorization: Negotiate " SPNEGO3 "\r\n\r\n"),
	SRV(OK_EMPTY),
	CLI("GET /intranet/ HTTP/1.1\r\nHost: portal.example.com\r\n"
	    "Authorization: Negotiate " KRB5 "\r\n\r\n"),
	SRV(OK_EMPTY),
	FEED_END,
};

static const struct feed_chunk bearer[] = {
	CLI("GET /api/v1/me HTTP/1.1\r\nHost: api.example.com\r\n"
	    "Authorization: Bearer " JWT "\r\n\r\n"),
	SRV("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: 2\r\n\r\n{}"),
	CLI("GET /api/v1/me HTTP/1.1\r\nHost: api.example.com\r\n"
	    "Authorization: Bearer mF_9.B5f-4.1JqM\r\n\r\n"),
	SRV("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer "
	    "error=\"invalid_token\"\r\nContent-Length: 0\r\n\r\n"),
	CLI("GET /api/v1/me HTTP/1.1\r\nHost: api.example.com\r\n"
	    "Authorization: Bearer " JWT_SUB "\r\n\r\n"),
	SRV("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"),
	FEED_END,
};

static const struct feed_chunk unknown_scheme[] = {
	CLI("GET / HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUser-Agent: curl/7.54.0"
	    "\r\nAccept: */*\r\nAuthorization: Turbo "
	    "customAuthDataHere\r\n\r\n"),
	SRV("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc"),
	CLI("GET / HTTP/1.1\r\nAuthorization: AWS4-HMAC-SHA256 "
	    "Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
	    "Signature="
	    "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f"
	    "2b5d7\r\n\r\n"),
	SRV(DENIED),
	FEED_END,
};

#define PROXY_407                                                              \
	"HTTP/1.1 407 Proxy Authentication Required\r\n"                       \
	"Proxy-Authenticate: Basic realm=\"proxy\"\r\n"                        \
	"Content-Length: 0\r\n\r\n"

/* A login in the URL of a request sent to a proxy (absolute-form). */
static const struct feed_chunk url_proxy[] = {
	CLI("GET http://alice:Url-S3cret-7@www.example.com/reports/ HTTP/1.1"
	    "\r\nHost: www.example.com\r\nUser-Agent: Wget/1.21.3\r\n\r\n"),
	SRV("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
	FEED_END,
};

/*
 * The same login on three requests, the first answered 407 (the proxy
 * wants its own login: no verdict on the URL's), then 200 and 304; a
 * Referer naming the URL, and a request without userinfo, add nothing.
 */
static const struct feed_chunk url_repeated[] = {
	CLI("GET http://bob:Url-Hunter-2@intra.example.com/a.html HTTP/1.1\r\n"
	    "Host: intra.example.com\r\n\r\n"),
	SRV(PROXY_407),
	CLI("GET http://bob:Url-Hunter-2@intra.example.com/a.html HTTP/1.1\r\n"
	    "Host: intra.example.com\r\n"
	    "Proxy-Authorization: Basic " XAVIER_B64 "\r\n\r\n"),
	SRV("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
	CLI("GET http://intra.example.com/style.css HTTP/1.1\r\n"
	    "Host: intra.example.com\r\n"
	    "Referer: http://bob:Url-Hunter-2@intra.example.com/a.html\r\n"
	    "Proxy-Authorization: Basic " XAVIER_B64 "\r\n\r\n"),
	SRV("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"),
	CLI("GET http://bob:Url-Hunter-2@intra.example.com/a.html HTTP/1.1\r\n"
	    "Host: intra.example.com\r\nIf-None-Match: \"x1\"\r\n"
	    "Proxy-Authorization: Basic " XAVIER_B64 "\r\n\r\n"),
	SRV("HTTP/1.1 304 Not Modified\r\nContent-Length: 2\r\n\r\n"),
	FEED_END,
};

/*
 * ftp URLs through a proxy: a percent-encoded user name ('+' stays a
 * plus), a password holding '@' (the userinfo ends at the last one),
 * refused by 401 as a proxy reports a failed FTP login.
 */
static const struct feed_chunk url_ftp_encoded[] = {
	CLI("GET ftp://j%C3%BCrgen%40corp:Pw%40ss@w0rd-9@ftp.example.net/pub/"
	    " HTTP/1.1\r\nHost: ftp.example.net\r\n\r\n"),
	SRV("HTTP/1.1 401 Unauthorized\r\n"
	    "WWW-Authenticate: Basic realm=\"FTP ftp.example.net\"\r\n"
	    "Content-Length: 0\r\n\r\n"),
	CLI("GET FTP://mary+ops:Mary@Ftp-3@ftp.example.net/f.txt HTTP/1.1\r\n"
	    "Host: ftp.example.net\r\n\r\n"),
	SRV("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"),
	FEED_END,
};

/* IPv6 hosts, with and without a login, and '@' only in the path. */
static const struct feed_chunk url_ipv6[] = {
	CLI("GET http://[2001:db8::25]:8080/x@y:z HTTP/1.1\r\n"
	    "Host: [2001:db8::25]:8080\r\n\r\n"),
	SRV(OK_EMPTY),
	CLI("GET http://carl:Carl-V6-pw@[2001:db8::25]:8080/ HTTP/1.1\r\n"
	    "Host: [2001:db8::25]:8080\r\n\r\n"),
	SRV(DENIED),
	CLI("GET http://[::1]/?to=a@b:c HTTP/1.1\r\nHost: [::1]\r\n\r\n"),
	SRV(OK_EMPTY),
	FEED_END,
};

/*
 * Logins without a password have exposure none; an empty userinfo is no
 * login; an empty user name with a password is.
 */
static const struct feed_chunk url_no_password[] = {
	CLI("GET ftp://anonymous@ftp.example.net/pub/ HTTP/1.1\r\n\r\n"),
	SRV(OK_EMPTY),
	CLI("GET http://dave:@www.example.com/ HTTP/1.1\r\n\r\n"),
	SRV(DENIED),
	CLI("GET http://@www.example.com/ HTTP/1.1\r\n\r\n"
	    "GET http://:@www.example.com/ HTTP/1.1\r\n\r\n"),
	SRV(OK_EMPTY OK_EMPTY),
	CLI("GET http://:Only-Pw-55@www.example.com/ HTTP/1.1\r\n\r\n"),
	SRV(OK_EMPTY),
	FEED_END,
};

/*
 * No login: '@' in paths and queries, a bogus scheme; a "//" target is
 * read only when it carries a password.
 */
static const struct feed_chunk url_none[] = {
	CLI("GET http://www.example.com/users/@alice?to=bob@example.com "
	    "HTTP/1.1\r\n\r\n"
	    "GET /mail/bob@example.com:25 HTTP/1.1\r\n\r\n"
	    "GET //bob@example.com HTTP/1.1\r\n\r\n"
	    "GET 1http://eve:Eve-Bogus-1@www.example.com/ HTTP/1.1\r\n\r\n"),
	SRV(OK_EMPTY OK_EMPTY OK_EMPTY OK_EMPTY),
	CLI("GET //erin:Erin-Sl4sh@www.example.com/ HTTP/1.1\r\n\r\n"),
	SRV(OK_EMPTY),
	FEED_END,
};

/*
 * The host after the userinfo names the product, not the user name: an
 * "owa" user does not make files.example.com Outlook on the web.
 */
static const struct feed_chunk url_webmail[] = {
	CLI("GET http://owa:Owa-User-pw@files.example.com/ HTTP/1.1\r\n\r\n"),
	SRV(OK_EMPTY),
	CLI("GET http://nina:N1na-Url@roundcube.example.net/ HTTP/1.1\r\n\r\n"),
	SRV(OK_EMPTY),
	FEED_END,
};

#define FORM_URL "user=j%C3%BCrgen%40example.com&pass=S3cr%21t+pw&remember=on"

static const struct feed_chunk form_urlencoded[] = {
	CLI("GET /login HTTP/1.1\r\nHost: app.example.com\r\nUser-Agent: " UA
	    "\r\n\r\n"),
	SRV("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nform"),
	CLI("POST /login HTTP/1.1\r\nHost: app.example.com\r\nUser-Agent: " UA
	    "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 59\r\n\r\n"),
	CLI(FORM_URL),
	SRV("HTTP/1.1 302 Found\r\nLocation: /home\r\nContent-Length: "
	    "0\r\n\r\n"),
	FEED_END,
};

#define MP_BOUNDARY "----WebKitFormBoundary7MA4YWxkTrZu0gW"
#define FORM_MULTIPART                                                         \
	"--" MP_BOUNDARY "\r\n"                                                \
	"Content-Disposition: form-data; name=\"username\"; "                  \
	"filename=\"username.txt\"\r\n"                                        \
	"Content-Type: text/plain\r\n\r\n"                                     \
	"ignored\r\n"                                                          \
	"--" MP_BOUNDARY "\r\n"                                                \
	"Content-Disposition: form-data; name=\"username\"\r\n\r\n"            \
	"mallory\r\n"                                                          \
	"--" MP_BOUNDARY "\r\n"                                                \
	"Content-Disposition: form-data; name=\"password\"\r\n\r\n"            \
	"Mall0ry-Pw!\r\n"                                                      \
	"--" MP_BOUNDARY "--\r\n"

static const struct feed_chunk form_multipart[] = {
	CLI("POST /login.php HTTP/1.1\r\nHost: portal.example.org\r\n"
	    "Content-Type: multipart/form-data; boundary=\"" MP_BOUNDARY
	    "\"\r\n"
	    "Content-Length: 401\r\n\r\n" FORM_MULTIPART),
	SRV("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
	FEED_END,
};

/* A login form sent with method GET; an empty pass= is no login. */
static const struct feed_chunk get_query[] = {
	CLI("GET /?page=2&pass= HTTP/1.1\r\nHost: 192.168.56.101:1337\r\n\r\n"),
	SRV("HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nform"),
	CLI("GET /login?login=admin&password=qwerty1234 HTTP/1.1\r\n"
	    "Host: 192.168.56.101:1337\r\nUser-Agent: " UA "\r\n\r\n"),
	SRV("HTTP/1.0 200 OK\r\nContent-Length: 30\r\n\r\n"
	    "<h1>You're authenticated.</h1>"),
	FEED_END,
};

#define FORM_ROUNDCUBE                                                         \
	"_token=Xy7AbcQ2&_task=login&_action=login&_timezone=Europe%2FParis&"  \
	"_url=&_user=nina%40example.net&_pass=N1na-Secret"

static const struct feed_chunk webmail_roundcube[] = {
	CLI("POST /webmail/?_task=login HTTP/1.1\r\nHost: mail.example.net\r\n"
	    "User-Agent: " UA "\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 115\r\n\r\n" FORM_ROUNDCUBE),
	SRV("HTTP/1.1 302 Found\r\nLocation: ./?_task=mail&_mbox=INBOX\r\n"
	    "Content-Length: 0\r\n\r\n"),
	FEED_END,
};

#define FORM_OWA_1                                                             \
	"destination=https%3A%2F%2Fexchange.example.com%2Fowa%2F&flags=4&"     \
	"forcedownlevel=0&username=oscar%40example.com&password=0scar-Wrong&"  \
	"passwordText=&isUtf8=1"
#define FORM_OWA_2                                                             \
	"destination=https%3A%2F%2Fexchange.example.com%2Fowa%2F&flags=4&"     \
	"forcedownlevel=0&username=EXAMPLE%5Coscar&password=0scar-Right&"      \
	"passwordText=&isUtf8=1"

/* OWA sends a failed login back to its form with "reason=2". */
static const struct feed_chunk webmail_owa[] = {
	CLI("POST /owa/auth.owa HTTP/1.1\r\nHost: exchange.example.com\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 153\r\n\r\n" FORM_OWA_1),
	SRV("HTTP/1.1 302 Moved Temporarily\r\nLocation: "
	    "https://exchange.example.com/owa/auth/"
	    "logon.aspx?url=https%3a%2f%2f"
	    "exchange.example.com%2fowa%2f&reason=2\r\nContent-Length: "
	    "0\r\n\r\n"),
	CLI("POST /owa/auth.owa HTTP/1.1\r\nHost: exchange.example.com\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 149\r\n\r\n" FORM_OWA_2),
	SRV("HTTP/1.1 302 Moved Temporarily\r\n"
	    "Location: https://exchange.example.com/owa/\r\n"
	    "Content-Length: 0\r\n\r\n"),
	FEED_END,
};

#define FORM_SOGO                                                              \
	"{\"userName\":\"peggy\",\"password\":\"P3ggy\\\"pw\","                \
	"\"domain\":null,\"rememberLogin\":0}"

static const struct feed_chunk webmail_sogo[] = {
	CLI("POST /SOGo/connect HTTP/1.1\r\nHost: groupware.example.org\r\n"
	    "Content-Type: application/json;charset=utf-8\r\n"
	    "Content-Length: 75\r\n\r\n" FORM_SOGO),
	SRV("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: 2\r\n\r\n{}"),
	FEED_END,
};

#define FORM_ZIMBRA                                                            \
	"loginOp=login&username=trent%40example.com&password=Tr3nt-pw&"        \
	"zrememberme=1&client=preferred"

static const struct feed_chunk webmail_zimbra[] = {
	CLI("POST / HTTP/1.1\r\nHost: zm.example.com\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 91\r\n\r\n" FORM_ZIMBRA),
	SRV("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nform"),
	FEED_END,
};

#define FORM_SQUIRREL                                                          \
	"login_username=quentin&secretkey=Qu3ntin-K3y&"                        \
	"js_autodetect_results=1&just_logged_in=1"

static const struct feed_chunk webmail_squirrelmail[] = {
	CLI("POST /mail/src/redirect.php HTTP/1.1\r\nHost: 10.1.1.1\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 85\r\n\r\n" FORM_SQUIRREL),
	SRV("HTTP/1.1 302 Found\r\nLocation: webmail.php\r\n"
	    "Content-Length: 0\r\n\r\n"),
	FEED_END,
};

/* Basic to a generic /webmail path, through a proxy (absolute-form). */
static const struct feed_chunk webmail_basic[] = {
	CLI("GET http://intra.example.com/webmail/inbox HTTP/1.1\r\n"
	    "Host: intra.example.com\r\nAuthorization: Basic " BOB_B64
	    "\r\n\r\n"),
	SRV(OK_EMPTY),
	FEED_END,
};

#define FORM_EMPTY "user=bob&password=&submit=Login&bypass_cache=1"

/* A form whose password is empty records nothing, webmail included. */
static const struct feed_chunk form_empty_password[] = {
	CLI("POST /roundcube/?_task=login HTTP/1.1\r\nHost: m.example.com\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 46\r\n\r\n" FORM_EMPTY),
	SRV("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
	FEED_END,
};

#define FORM_JSON_NESTED                                                       \
	"{\"remember\":true,\"credentials\":{\"email\":"                       \
	"\"victor@example.com\",\"password\":\"V1ctor-pw\"},\"tags\":[\"a\","  \
	"\"user\"]}"

static const struct feed_chunk form_json[] = {
	CLI("POST /api/session HTTP/1.1\r\nHost: app.example.com\r\n"
	    "Content-Type: application/vnd.api+json\r\n"
	    "Content-Length: 105\r\n\r\n" FORM_JSON_NESTED),
	SRV("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"),
	FEED_END,
};

/*
 * A chunked form with chunk extensions and a trailer (RFC 9112 7.1),
 * then a request pipelined after it.
 */
static const struct feed_chunk form_chunked[] = {
	CLI("POST /account/login HTTP/1.1\r\nHost: shop.example.com\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Transfer-Encoding: gzip, chunked\r\n\r\n"
	    "d;name=value\r\n"
	    "email=rupert%\r\n"
	    "1f\r\n"
	    "40example.com&login[secret]=Rup\r\n"),
	CLI("A ; last\r\n"
	    "3rt-Pw&x=1\r\n"
	    "0\r\n"
	    "X-Checksum: abc\r\n"
	    "\r\n"
	    "GET /account/ HTTP/1.1\r\nHost: shop.example.com\r\n\r\n"),
	SRV("HTTP/1.1 303 See Other\r\nLocation: /account/\r\n"
	    "Content-Length: 0\r\n\r\n"),
	SRV(OK_EMPTY),
	FEED_END,
};

/*
 * Only the first 8 KiB of a form are read: a password after them is not
 * seen.  Filled in main().
 */
static char late_form[9100];

static const struct feed_chunk form_past_bound[] = {
	CLI("POST /login HTTP/1.1\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 9100\r\n\r\n"),
	{ DIR_TO_SERVER, late_form, sizeof(late_form) },
	SRV(OK_EMPTY),
	CLI("GET / HTTP/1.1\r\nAuthorization: Basic " BOB_B64 "\r\n\r\n"),
	SRV(OK_EMPTY),
	FEED_END,
};

#define TRAP_TEXT                                                              \
	"GET /x HTTP/1.1\r\nAuthorization: Basic " ALICE_B64 "\r\n\r\n"        \
	"HTTP/1.1 401 Unauthorized\r\n\r\n"                                    \
	"user=alice&password=Wonderland-11\r\n"

/* Bodies that quote HTTP: nothing in them is a request or a response. */
static const struct feed_chunk body_traps[] = {
	CLI("POST /notes HTTP/1.1\r\nHost: wiki.example.com\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 134\r\n\r\n" TRAP_TEXT),
	SRV("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 134\r\n\r\n" TRAP_TEXT),
	CLI("GET /notes HTTP/1.1\r\nHost: wiki.example.com\r\n"
	    "Authorization: Basic " BOB_B64 "\r\n\r\n"),
	SRV("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "1e\r\nGET /x HTTP/1.1\r\nAuthorization\r\n"
	    "86\r\n" TRAP_TEXT "\r\n0\r\n\r\n"),
	FEED_END,
};

/* Three pipelined requests, a HEAD among them, answered in order. */
static const struct feed_chunk pipelined[] = {
	CLI("GET /a HTTP/1.1\r\nHost: h.example\r\n"
	    "Authorization: Basic " ALICE_B64 "\r\n\r\n"
	    "HEAD /b HTTP/1.1\r\nHost: h.example\r\n"
	    "Authorization: Basic " BOB_B64 "\r\n\r\n"
	    "GET /c HTTP/1.1\r\nHost: h.example\r\n"
	    "Authorization: Basic " XAVIER_B64 "\r\n\r\n"),
	SRV("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
	    "HTTP/1.1 401 Unauthorized\r\nContent-Length: 12\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
	FEED_END,
};

/* Responses without a body whatever their headers say. */
static const struct feed_chunk no_body[] = {
	CLI("HEAD /file.iso HTTP/1.1\r\nHost: files.example\r\n"
	    "Authorization: Basic " CAROL_B64 "\r\n\r\n"),
	SRV("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n"),
	CLI("DELETE /item/1 HTTP/1.1\r\nHost: files.example\r\n\r\n"),
	SRV("HTTP/1.1 204 No Content\r\n\r\n"),
	CLI("GET /logo.png HTTP/1.1\r\nHost: files.example\r\n"
	    "If-None-Match: \"abc\"\r\n\r\n"),
	SRV("HTTP/1.1 304 Not Modified\r\nContent-Length: 5000\r\n\r\n"),
	CLI("GET /private HTTP/1.1\r\nHost: files.example\r\n"
	    "Authorization: Basic " BOB_B64 "\r\n\r\n"),
	SRV(DENIED),
	FEED_END,
};

/* 100 Continue and 103 Early Hints come before the final response. */
static const struct feed_chunk interim[] = {
	CLI("PUT /upload/report.txt HTTP/1.1\r\nHost: dav.example.com\r\n"
	    "Authorization: Basic " ALICE_B64 "\r\nExpect: 100-continue\r\n"
	    "Content-Length: 11\r\n\r\n"),
	SRV("HTTP/1.1 100 Continue\r\n\r\n"),
	CLI("hello world"),
	SRV("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; "
	    "rel=preload\r\n\r\n"
	    "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"),
	CLI("GET /upload/ HTTP/1.1\r\nHost: dav.example.com\r\n"
	    "Authorization: Basic " BOB_B64 "\r\n\r\n"),
	SRV(DENIED),
	FEED_END,
};

/* A response without a length ends with the connection. */
static const struct feed_chunk until_close[] = {
	CLI("GET / HTTP/1.0\r\nAuthorization: Basic " ALICE_B64 "\r\n\r\n"),
	SRV("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
	    "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"),
	SRV("more of the body\n"),
	FEED_END,
};

/* A chunked response followed by a pipelined one. */
static const struct feed_chunk chunked_response[] = {
	CLI("GET /feed HTTP/1.1\r\nAuthorization: Basic " ALICE_B64 "\r\n\r\n"
	    "GET /other HTTP/1.1\r\nAuthorization: Basic " BOB_B64 "\r\n\r\n"),
	SRV("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "1E;ext=\"quoted;value\"\r\n"
	    "HTTP/1.1 200 OK\r\n\r\nabcdefghijk\r\n"
	    "0\r\nExpires: never\r\n\r\n"
	    "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"),
	FEED_END,
};

/* CONNECT through a proxy: 407, then a tunnel nothing is read from. */
static const struct feed_chunk proxy_connect[] = {
	CLI("CONNECT mail.example.com:443 HTTP/1.1\r\n"
	    "Host: mail.example.com:443\r\nUser-Agent: curl/8.4.0\r\n"
	    "Proxy-Authorization: Basic " XAVIER_B64 "\r\n\r\n"),
	SRV("HTTP/1.1 407 Proxy Authentication Required\r\n"
	    "Proxy-Authenticate: Basic realm=\"proxy\"\r\n"
	    "Content-Length: 0\r\n\r\n"),
	CLI("CONNECT mail.example.com:443 HTTP/1.1\r\n"
	    "Host: mail.example.com:443\r\n"
	    "Proxy-Authorization: Basic " BOB_B64 "\r\n\r\n"),
	CLI("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"),
	SRV("HTTP/1.1 200 Connection established\r\n\r\n"),
	CLI("GET / HTTP/1.1\r\nAuthorization: Basic " ALICE_B64 "\r\n\r\n"),
	SRV("\x16\x03\x03\x00\x02\x02\x28"),
	FEED_END,
};

/* A WebSocket upgrade: after 101 the frames are not HTTP. */
static const struct feed_chunk websocket[] = {
	CLI("GET /chat HTTP/1.1\r\nHost: ws.example.com\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "Authorization: Basic " ALICE_B64 "\r\n\r\n"),
	SRV("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"),
	CLI("\x81\x05hello"
	    "GET / HTTP/1.1\r\nAuthorization: Basic " BOB_B64 "\r\n\r\n"),
	SRV("\x81\x02ok"),
	FEED_END,
};

/* Lost bytes: inside a body, inside a waiting form, inside headers. */
static const struct feed_chunk gaps_client[] = {
	CLI("POST /upload HTTP/1.1\r\nContent-Type: "
	    "application/octet-stream\r\n"
	    "Content-Length: 1000\r\n\r\n0123456789"),
	GAP_CLI(980),
	CLI("0123456789"),
	SRV(OK_EMPTY),
	CLI("POST /login HTTP/1.1\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 40\r\n\r\nuser=dan&p"),
	GAP_CLI(20),
	CLI("0123456789"),
	SRV(OK_EMPTY),
	CLI("GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " ALICE_B64
	    "\r\n"),
	GAP_CLI(30),
	CLI("ept: */*\r\n\r\n"),
	SRV(DENIED),
	CLI("GET /2 HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " BOB_B64
	    "\r\n\r\n"),
	SRV(OK_EMPTY),
	FEED_END,
};

/* Lost responses: whatever they answered gets no verdict. */
static const struct feed_chunk gaps_server[] = {
	CLI("GET / HTTP/1.1\r\nAuthorization: Basic " ALICE_B64 "\r\n\r\n"),
	SRV("HTTP/1.1 200 OK\r\nContent-"),
	GAP_SRV(50),
	SRV("e\r\nServer: x\r\n\r\nbody\r\n"),
	CLI("GET / HTTP/1.1\r\nAuthorization: Basic " BOB_B64 "\r\n\r\n"),
	SRV("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"),
	GAP_SRV(80),
	SRV("0123456789"),
	CLI("GET / HTTP/1.1\r\nAuthorization: Basic " XAVIER_B64 "\r\n\r\n"),
	SRV(DENIED),
	FEED_END,
};

/*
 * Picked up in the middle: both sides wait for a start line.  (A table
 * cannot hold a loss of unknown length, len 0: test_unknown_gap has it.)
 */
static const struct feed_chunk midstream[] = {
	GAP_CLI(1),
	GAP_SRV(1),
	CLI("ept: */*\r\nAuthorization: Basic " ALICE_B64 "\r\n\r\n"
	    "GET /b HTTP/1.1\r\nAuthorization: Basic " BOB_B64 "\r\n\r\n"),
	SRV("of a body\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
	FEED_END,
};

static const struct feed_chunk garbage[] = {
	CLI("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\n\x80\x81garbage\r"
	    "\n"),
	SRV("\x15\x03\x01\x00\x02\x02\x32\n"),
	CLI("GET / HTTP/1.1\r\nAuthorization: Basic " ALICE_B64 "\r\n\r\n"),
	SRV("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
	CLI("POST /x HTTP/1.1\r\nContent-Length: 12, 13\r\n\r\nabc\r\n"
	    "GET /y HTTP/1.1\r\nAuthorization: Basic " BOB_B64 "\r\n\r\n"),
	SRV(OK_EMPTY),
	SRV(DENIED),
	FEED_END,
};

/* Only the server sends junk before its status line. */
static const struct feed_chunk server_garbage[] = {
	CLI("GET / HTTP/1.1\r\nAuthorization: Basic " ALICE_B64 "\r\n\r\n"),
	SRV("\x00\x01junk\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
	FEED_END,
};

#define FORM_ASPNET                                                            \
	"__VIEWSTATE=dDwtMTA4MzE0MjEwNTs7Pg%3D%3D&"                            \
	"ctl00%24Main%24txtUserName=uma&ctl00%24Main%24txtPwd=Um4-pw&"         \
	"ctl00%24Main%24btnLogin=Log+in"

/* Field names found by what they contain. */
static const struct feed_chunk form_aspnet[] = {
	CLI("POST /Login.aspx HTTP/1.1\r\nHost: intranet.example.com\r\n"
	    "Content-Type: application/x-www-form-urlencoded; charset=UTF-8\r\n"
	    "Content-Length: 131\r\n\r\n" FORM_ASPNET),
	SRV("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
	FEED_END,
};

/* Filled in main(): lines longer than the analyzer's buffer. */
static char long_target[20000];
static char long_cookie[20000];
static char long_status[20000];

static const struct feed_chunk long_lines[] = {
	{ DIR_TO_SERVER, long_target, sizeof(long_target) },
	CLI("Host: x\r\nAuthorization: Basic " BOB_B64 "\r\n\r\n"),
	SRV("HTTP/1.1 414 URI Too Long\r\nContent-Length: 0\r\n\r\n"),
	CLI("GET / HTTP/1.1\r\n"),
	{ DIR_TO_SERVER, long_cookie, sizeof(long_cookie) },
	CLI("Authorization: Basic " ALICE_B64 "\r\n\r\n"),
	{ DIR_TO_CLIENT, long_status, sizeof(long_status) },
	SRV("Content-Length: 0\r\n\r\n"),
	FEED_END,
};

static void
fill_long_lines(void)
{
	static const char cookie[] = "Cookie: session=";
	static const char status[] = "HTTP/1.1 200 ";
	static const char get[] = "GET /search?q=";
	static const char late[] = "&user=zed&password=Z3d-late";

	memset(long_target, 'a', sizeof(long_target));
	memcpy(long_target, get, sizeof(get) - 1);
	memcpy(long_target + sizeof(long_target) - 11, " HTTP/1.1\r\n", 11);
	memset(long_cookie, 'c', sizeof(long_cookie));
	memcpy(long_cookie, cookie, sizeof(cookie) - 1);
	memcpy(long_cookie + sizeof(long_cookie) - 2, "\r\n", 2);
	memset(long_status, 'o', sizeof(long_status));
	memcpy(long_status, status, sizeof(status) - 1);
	memcpy(long_status + sizeof(long_status) - 2, "\r\n", 2);
	memset(late_form, 'f', sizeof(late_form));
	memcpy(late_form, "filler=", 7);
	memcpy(late_form + sizeof(late_form) - (sizeof(late) - 1), late,
	    sizeof(late) - 1);
}

/* A case and the webmail product it must name (NULL for none). */
struct http_case {
	struct feed_case c;
	const char *webmail;
};

#define CRED(m, u, e, o, k)                                                    \
	{                                                                      \
		.mech = (m), .user = (u), .exposure = (e), .outcome = (o),     \
		.chunk = (k)                                                   \
	}
#define CREDN(m, u, e, o, k, n)                                                \
	{                                                                      \
		.mech = (m), .user = (u), .exposure = (e), .outcome = (o),     \
		.chunk = (k), .count = (n)                                     \
	}

#define CLEAR EXPOSURE_CLEARTEXT
#define CRACK EXPOSURE_CRACKABLE
#define OK OUTCOME_ACCEPTED
#define NO OUTCOME_REJECTED
#define UNSURE OUTCOME_UNKNOWN

static const struct http_case cases[] = {
	{ { "Basic with two spaces before the credentials", basic_extra_space,
	      false,
	      { .offered = -1,
		  .client_name = "python-requests/2.31.0",
		  .ncreds = 1,
		  .creds = { CRED("BASIC", "alice", CLEAR, OK, 1) },
		  .secrets = { "Wonderland-11", ALICE_B64 } } },
	    NULL },
	{ { "Basic on three requests: one row, count 3", basic_repeated, false,
	      { .offered = -1,
		  .client_name = UA,
		  .ncreds = 1,
		  .creds = { CREDN("BASIC", "xavier", CLEAR, OK, 1, 3) },
		  .secrets = { "Xav!er-99", XAVIER_B64 } } },
	    NULL },
	{ { "Basic refused, then accepted as another user",
	      basic_401_other_user, false,
	      { .offered = -1,
		  .client_name = UA,
		  .ncreds = 2,
		  .creds = { CRED("BASIC", "alice", CLEAR, NO, 3),
		      CRED("BASIC", "bob", CLEAR, OK, 5) },
		  .secrets = { "Wonderland-11", "Hunter2-pw" } } },
	    NULL },
	{ { "Basic without a colon, with an empty password, without token",
	      basic_odd, false,
	      { .offered = -1,
		  .ncreds = 2,
		  .creds = { CRED("BASIC", "", CLEAR, NO, 1),
		      CRED("BASIC", "carol", CLEAR, OK, 3) },
		  .secrets = { "nocolonsecret", NOCOLON_B64 } } },
	    NULL },
	{ { "Digest, with a decoy inside a quoted value, and username*", digest,
	      false,
	      { .offered = -1,
		  .ncreds = 3,
		  .creds = { CRED("DIGEST", "", CRACK, UNSURE, 3),
		      CRED("DIGEST", "Mufasa", CRACK, OK, 4),
		      CRED("DIGEST", "J\xc3\xa4s\xc3\xb8n Doe", CRACK, NO, 6) },
		  .secrets = { DIGEST_RESPONSE } } },
	    NULL },
	{ { "NTLM NEGOTIATE, CHALLENGE, AUTHENTICATE", ntlm_handshake, false,
	      { .offered = -1,
		  .client_name = "ExchangeServicesClient/15.00.0913.015",
		  .ncreds = 2,
		  .creds = { CRED("NTLM", "CORP\\grace", CRACK, OK, 5),
		      CRED("NTLM", "LAB\\olivia", CRACK, NO, 7) },
		  .secrets = { NTLM3 } } },
	    NULL },
	{ { "Negotiate: SPNEGO around NTLM, then Kerberos", negotiate, false,
	      { .offered = -1,
		  .ncreds = 2,
		  .creds = { CRED("NTLM", "EXAMPLE\\henry", CRACK, OK, 3),
		      CRED("NEGOTIATE", "", EXPOSURE_NONE, OK, 5) },
		  .secrets = { SPNEGO3 } } },
	    NULL },
	{ { "Bearer: a JWT's preferred_username, an opaque token, a sub",
	      bearer, false,
	      { .offered = -1,
		  .ncreds = 3,
		  .creds = { CRED("BEARER", "jane.doe@example.com",
				 EXPOSURE_TOKEN, OK, 1),
		      CRED("BEARER", "", EXPOSURE_TOKEN, NO, 3),
		      CRED("BEARER", "u-77\xc3\xa9", EXPOSURE_TOKEN, UNSURE,
			  5) },
		  .secrets = { JWT_SIG, "mF_9.B5f-4.1JqM", "Sig2-Abc_d" } } },
	    NULL },
	{ { "schemes plainsight does not know", unknown_scheme, false,
	      { .offered = -1,
		  .client_name = "curl/7.54.0",
		  .ncreds = 2,
		  .creds = { CRED("TURBO", "", EXPOSURE_UNKNOWN, OK, 1),
		      CRED("AWS4-HMAC-SHA256", "", EXPOSURE_UNKNOWN, NO, 3) },
		  .secrets = { "customAuthDataHere",
		      "5d672d79c15b13162d92" } } },
	    NULL },
	{ { "URL login through a proxy", url_proxy, false,
	      { .offered = -1,
		  .client_name = "Wget/1.21.3",
		  .ncreds = 1,
		  .creds = { CRED("URL", "alice", CLEAR, OK, 1) },
		  .secrets = { "Url-S3cret-7" } } },
	    NULL },
	{ { "URL login on three requests, a Referer not counted", url_repeated,
	      false,
	      { .offered = -1,
		  .ncreds = 2,
		  .creds = { CREDN("URL", "bob", CLEAR, OK, 1, 3),
		      CREDN("BASIC", "xavier", CLEAR, OK, 3, 3) },
		  .secrets = { "Url-Hunter-2", "Xav!er-99" } } },
	    NULL },
	{ { "ftp URLs: percent-encoded user, '@' in the password",
	      url_ftp_encoded, false,
	      { .offered = -1,
		  .ncreds = 2,
		  .creds = { CRED("URL", "j\xc3\xbcrgen@corp", CLEAR, NO, 1),
		      CRED("URL", "mary+ops", CLEAR, OK, 3) },
		  .secrets = { "Pw%40ss", "ss@w0rd", "w0rd-9", "Ftp-3" } } },
	    NULL },
	{ { "URLs with IPv6 hosts", url_ipv6, false,
	      { .offered = -1,
		  .ncreds = 1,
		  .creds = { CRED("URL", "carl", CLEAR, NO, 3) },
		  .secrets = { "Carl-V6-pw" } } },
	    NULL },
	{ { "URL logins without a password, an empty userinfo", url_no_password,
	      false,
	      { .offered = -1,
		  .ncreds = 3,
		  .creds = { CRED("URL", "anonymous", EXPOSURE_NONE, OK, 1),
		      CRED("URL", "dave", EXPOSURE_NONE, NO, 3),
		      CRED("URL", "", CLEAR, OK, 7) },
		  .secrets = { "Only-Pw-55" } } },
	    NULL },
	{ { "'@' outside a userinfo, a \"//\" target", url_none, false,
	      { .offered = -1,
		  .ncreds = 1,
		  .creds = { CRED("URL", "erin", CLEAR, OK, 3) },
		  .secrets = { "Eve-Bogus-1", "Erin-Sl4sh" } } },
	    NULL },
	{ { "URL logins and the webmail host", url_webmail, false,
	      { .offered = -1,
		  .ncreds = 2,
		  .creds = { CRED("URL", "owa", CLEAR, OK, 1),
		      CRED("URL", "nina", CLEAR, OK, 3) },
		  .secrets = { "Owa-User-pw", "N1na-Url" } } },
	    "roundcube" },
	{ { "urlencoded form with percent-encoding, then a redirect",
	      form_urlencoded, false,
	      { .offered = -1,
		  .client_name = UA,
		  .ncreds = 1,
		  .creds = { CRED(
		      "FORM", "j\xc3\xbcrgen@example.com", CLEAR, OK, 4) },
		  .secrets = { "S3cr%21t+pw", "S3cr!t pw", "S3cr" } } },
	    NULL },
	{ { "multipart form, a file part with decoys", form_multipart, false,
	      { .offered = -1,
		  .ncreds = 1,
		  .creds = { CRED("FORM", "mallory", CLEAR, UNSURE, 1) },
		  .secrets = { "Mall0ry-Pw!" } } },
	    NULL },
	{ { "GET with a password in the query string", get_query, false,
	      { .offered = -1,
		  .client_name = UA,
		  .ncreds = 1,
		  .creds = { CRED("FORM", "admin", CLEAR, UNSURE, 3) },
		  .secrets = { "qwerty1234" } } },
	    NULL },
	{ { "Roundcube login under /webmail", webmail_roundcube, false,
	      { .offered = -1,
		  .client_name = UA,
		  .ncreds = 1,
		  .creds = { CRED("FORM", "nina@example.net", CLEAR, OK, 1) },
		  .secrets = { "N1na-Secret" } } },
	    "roundcube" },
	{ { "OWA login refused by redirect, then accepted", webmail_owa, false,
	      { .offered = -1,
		  .ncreds = 2,
		  .creds = { CRED("FORM", "oscar@example.com", CLEAR, NO, 1),
		      CRED("FORM", "EXAMPLE\\oscar", CLEAR, OK, 3) },
		  .secrets = { "0scar-Wrong", "0scar-Right" } } },
	    "owa" },
	{ { "SOGo login in JSON", webmail_sogo, false,
	      { .offered = -1,
		  .ncreds = 1,
		  .creds = { CRED("FORM", "peggy", CLEAR, UNSURE, 1) },
		  .secrets = { "P3ggy" } } },
	    "sogo" },
	{ { "Zimbra login recognised by loginOp", webmail_zimbra, false,
	      { .offered = -1,
		  .ncreds = 1,
		  .creds = { CRED(
		      "FORM", "trent@example.com", CLEAR, UNSURE, 1) },
		  .secrets = { "Tr3nt-pw" } } },
	    "zimbra" },
	{ { "SquirrelMail login, secretkey", webmail_squirrelmail, false,
	      { .offered = -1,
		  .ncreds = 1,
		  .creds = { CRED("FORM", "quentin", CLEAR, OK, 1) },
		  .secrets = { "Qu3ntin-K3y" } } },
	    "squirrelmail" },
	{ { "Basic to a /webmail path through a proxy", webmail_basic, false,
	      { .offered = -1,
		  .ncreds = 1,
		  .creds = { CRED("BASIC", "bob", CLEAR, OK, 1) },
		  .secrets = { "Hunter2-pw" } } },
	    "webmail" },
	{ { "form with an empty password", form_empty_password, false,
	      { .offered = -1 } },
	    NULL },
	{ { "nested JSON login refused with 403", form_json, false,
	      { .offered = -1,
		  .ncreds = 1,
		  .creds = { CRED("FORM", "victor@example.com", CLEAR, NO, 1) },
		  .secrets = { "V1ctor-pw" } } },
	    NULL },
	{ { "chunked form with extensions and a trailer", form_chunked, false,
	      { .offered = -1,
		  .ncreds = 1,
		  .creds = { CRED("FORM", "rupert@example.com", CLEAR, OK, 2) },
		  .secrets = { "Rup3rt-Pw" } } },
	    NULL },
	{ { "a password past the first 8 KiB of a form is not read",
	      form_past_bound, false,
	      { .offered = -1,
		  .ncreds = 1,
		  .creds = { CRED("BASIC", "bob", CLEAR, OK, 4) },
		  .secrets = { "Z3d-late" } } },
	    NULL },
	{ { "bodies quoting requests and responses", body_traps, false,
	      { .offered = -1,
		  .ncreds = 1,
		  .creds = { CRED("BASIC", "bob", CLEAR, OK, 3) },
		  .secrets = { "Wonderland-11" } } },
	    NULL },
	{ { "pipelined requests with a HEAD", pipelined, false,
	      { .offered = -1,
		  .ncreds = 3,
		  .creds = { CRED("BASIC", "alice", CLEAR, OK, 1),
		      CRED("BASIC", "bob", CLEAR, NO, 1),
		      CRED("BASIC", "xavier", CLEAR, OK, 1) } } },
	    NULL },
	{ { "HEAD, 204 and 304 have no body", no_body, false,
	      { .offered = -1,
		  .ncreds = 2,
		  .creds = { CRED("BASIC", "carol", CLEAR, OK, 1),
		      CRED("BASIC", "bob", CLEAR, NO, 7) } } },
	    NULL },
	{ { "100 Continue and 103 Early Hints", interim, false,
	      { .offered = -1,
		  .ncreds = 2,
		  .creds = { CRED("BASIC", "alice", CLEAR, OK, 1),
		      CRED("BASIC", "bob", CLEAR, NO, 5) } } },
	    NULL },
	{ { "a response that ends with the connection", until_close, false,
	      { .offered = -1,
		  .ncreds = 1,
		  .creds = { CRED("BASIC", "alice", CLEAR, OK, 1) } } },
	    NULL },
	{ { "chunked response, then a pipelined one", chunked_response, false,
	      { .offered = -1,
		  .ncreds = 2,
		  .creds = { CRED("BASIC", "alice", CLEAR, OK, 1),
		      CRED("BASIC", "bob", CLEAR, NO, 1) } } },
	    NULL },
	{ { "CONNECT with Proxy-Authorization, then a tunnel", proxy_connect,
	      false,
	      { .offered = -1,
		  .client_name = "curl/8.4.0",
		  .ncreds = 2,
		  .creds = { CRED("BASIC", "xavier", CLEAR, NO, 1),
		      CRED("BASIC", "bob", CLEAR, OK, 3) },
		  .secrets = { "Xav!er-99", "Hunter2-pw" } } },
	    NULL },
	{ { "WebSocket upgrade", websocket, false,
	      { .offered = -1,
		  .ncreds = 1,
		  .creds = { CRED("BASIC", "alice", CLEAR, OK, 1) } } },
	    NULL },
	{ { "client bytes lost in a body, a form, headers", gaps_client, false,
	      { .offered = -1,
		  .ncreds = 2,
		  .creds = { CRED("BASIC", "alice", CLEAR, NO, 9),
		      CRED("BASIC", "bob", CLEAR, OK, 13) },
		  .secrets = { "Wonderland-11" } } },
	    NULL },
	{ { "server bytes lost in headers and in a body", gaps_server, false,
	      { .offered = -1,
		  .ncreds = 3,
		  .creds = { CRED("BASIC", "alice", CLEAR, UNSURE, 1),
		      CRED("BASIC", "bob", CLEAR, OK, 5),
		      CRED("BASIC", "xavier", CLEAR, NO, 9) } } },
	    NULL },
	{ { "picked up mid-stream", midstream, false,
	      { .offered = -1,
		  .ncreds = 1,
		  .creds = { CRED("BASIC", "bob", CLEAR, OK, 3) } } },
	    NULL },
	{ { "binary garbage and a bad Content-Length", garbage, false,
	      { .offered = -1,
		  .anomalies = SESSION_ANOM_GARBAGE,
		  .ncreds = 2,
		  .creds = { CRED("BASIC", "alice", CLEAR, OK, 3),
		      CRED("BASIC", "bob", CLEAR, NO, 5) } } },
	    NULL },
	{ { "junk from the server only", server_garbage, false,
	      { .offered = -1,
		  .anomalies = SESSION_ANOM_GARBAGE,
		  .ncreds = 1,
		  .creds = { CRED("BASIC", "alice", CLEAR, OK, 1) } } },
	    NULL },
	{ { "ASP.NET field names", form_aspnet, false,
	      { .offered = -1,
		  .ncreds = 1,
		  .creds = { CRED("FORM", "uma", CLEAR, UNSURE, 1) },
		  .secrets = { "Um4-pw" } } },
	    NULL },
	{ { "overlong request line, header and status line", long_lines, false,
	      { .offered = -1,
		  .anomalies = SESSION_ANOM_LONG_LINE,
		  .ncreds = 2,
		  .creds = { CRED("BASIC", "bob", CLEAR, UNSURE, 2),
		      CRED("BASIC", "alice", CLEAR, OK, 6) } } },
	    NULL },
};

/*
 * The webmail product the session names after running case hc whole
 * (cut 0) or byte by byte; feed_expect has no field for it.
 */
static const char *
webmail_run(const struct http_case *hc, bool bytewise)
{
	static char got[sizeof(((struct session *)0)->webmail)];
	struct feed f;

	feed_init(&f, &http_analyzer, &hc->c);
	feed_run(&f, 0, bytewise);
	memcpy(got, f.s.webmail, sizeof(got));
	feed_cleanup(&f);
	return got;
}

/*
 * Runs a case through feed_case_run() (whole, cut at each offset, byte by
 * byte), then checks the webmail product at both ends of that range.
 */
static void
run_case(void **state)
{
	const struct http_case *hc = *state;
	const char *want = hc->webmail == NULL ? "" : hc->webmail;
	const char *why, *got;
	char where[64];
	bool bytewise;

	why = feed_case_run(&http_analyzer, &hc->c, where, sizeof(where));
	if (why != NULL)
		fail_msg("%s (%s): %s", hc->c.name, where, why);
	for (bytewise = false;; bytewise = true) {
		got = webmail_run(hc, bytewise);
		if (strcmp(got, want) != 0)
			fail_msg("%s (%s): webmail '%s', want '%s'", hc->c.name,
			    bytewise ? "byte by byte" : "whole", got, want);
		if (bytewise)
			break;
	}
}

/* Feeds text in direction d to f, as one chunk sent at second sec. */
static void
feed_text(struct feed *f, enum dir d, const char *text, time_t sec)
{
	struct timeval ts = { sec, 0 };

	feed_bytes(f, d, (const uint8_t *)text, strlen(text), &ts);
}

/*
 * A loss of unknown length (len 0) inside a body: its end is unknown, so
 * the next request line is waited for and its login still recorded.
 */
static void
test_unknown_gap(void **state)
{
	static const struct feed_chunk none[] = { FEED_END };
	static const struct feed_case c = { "unknown gap", none, false, { 0 } };
	struct feed f;

	(void)state;
	feed_init(&f, &http_analyzer, &c);
	feed_text(&f, DIR_TO_SERVER,
	    "PUT /f HTTP/1.1\r\nContent-Length: 100000\r\n\r\nabc", 1);
	http_analyzer.gap(f.state, &f.s, DIR_TO_SERVER, 0);
	http_analyzer.gap(f.state, &f.s, DIR_TO_CLIENT, 0);
	feed_text(&f, DIR_TO_SERVER,
	    "tail of the body\r\nGET / HTTP/1.1\r\n"
	    "Authorization: Basic " BOB_B64 "\r\n\r\n",
	    2);
	feed_text(&f, DIR_TO_CLIENT, "body\r\n" DENIED, 3);
	http_analyzer.end(f.state, &f.s);
	assert_int_equal(f.s.ncreds, 1);
	assert_string_equal(f.s.creds[0].username, "bob");
	assert_int_equal(f.s.creds[0].outcome, OUTCOME_REJECTED);
	assert_int_equal(f.s.anomalies, 0);
	feed_cleanup(&f);
}

static void
test_noise(void **state)
{
	static const char *const words[] = { "\r\n", "\n", "GET / HTTP/1.1\r\n",
		"POST /login HTTP/1.1\r\n", "HEAD / HTTP/1.0\r\n",
		"CONNECT a:1 HTTP/1.1\r\n", "HTTP/1.1 200 OK\r\n",
		"HTTP/1.1 101 S\r\n", "HTTP/1.1 100 Continue\r\n",
		"HTTP/1.1 401 U\r\n", "Content-Length: 5\r\n",
		"Content-Length: 99999999999999999999\r\n",
		"Transfer-Encoding: chunked\r\n", "5\r\n", "0\r\n",
		"fffffffffffffffff\r\n", "Upgrade: h2c\r\n",
		"Authorization: Basic " ALICE_B64 "\r\n",
		"Authorization: NTLM TlRMTVNTUAADAAAAGAAY\r\n",
		"Authorization: Negotiate YIIB\r\n",
		"Authorization: Digest username=\"a\r\n",
		"Authorization: Bearer eyJ.eyJzdWIi.x\r\n",
		"GET http://a:b@c/ HTTP/1.1\r\n", "GET //u:p@h/ HTTP/1.0\r\n",
		"Content-Type: application/x-www-form-urlencoded\r\n",
		"Content-Type: multipart/form-data; boundary=xx\r\n",
		"Content-Type: application/json\r\n", "--xx\r\n",
		"Content-Disposition: form-data; name=\"pass\"\r\n",
		"user=a&pass=b", "{\"password\":\"", "%4", "\\u12" };

	(void)state;
	feed_garbage(&http_analyzer, words, ARRAY_SIZE(words), 400);
}

int
main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(cases) + 2];
	size_t i;

	fill_long_lines();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = cases[i].c.name;
		tests[i].test_func = run_case;
		tests[i].initial_state = (void *)(uintptr_t)&cases[i];
	}
	memset(&tests[i], 0, sizeof(tests[i]));
	tests[i].name = "a loss of unknown length inside a body";
	tests[i].test_func = test_unknown_gap;
	i++;
	memset(&tests[i], 0, sizeof(tests[i]));
	tests[i].name = "random bytes and protocol words";
	tests[i].test_func = test_noise;
	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
