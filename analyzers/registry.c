/*
 * registry.c - well-known ports and first-bytes recognition.
 */
#include "analyzers/registry.h"

#include <netinet/in.h>
#include <string.h>

#include "util.h"

/* Services by TCP port (IANA); UDP ones are marked. */
static const struct {
	uint16_t port;
	enum app_proto proto;
	enum tls_mode tls;
	bool udp;
} registry_ports[] = {
	{ 21, APP_FTP, TLS_MODE_NONE, false },       /* RFC 959 control */
	{ 23, APP_TELNET, TLS_MODE_NONE, false },    /* RFC 854 */
	{ 25, APP_SMTP, TLS_MODE_NONE, false },      /* RFC 5321 relay */
	{ 80, APP_HTTP, TLS_MODE_NONE, false },      /* RFC 9110 */
	{ 110, APP_POP3, TLS_MODE_NONE, false },     /* RFC 1939 */
	{ 143, APP_IMAP, TLS_MODE_NONE, false },     /* RFC 9051 */
	{ 161, APP_SNMP, TLS_MODE_NONE, true },      /* RFC 3417 agent */
	{ 162, APP_SNMP, TLS_MODE_NONE, true },      /* RFC 3417 traps */
	{ 389, APP_LDAP, TLS_MODE_NONE, false },     /* RFC 4511 */
	{ 465, APP_SMTP, TLS_MODE_IMPLICIT, false }, /* RFC 8314 submissions */
	{ 587, APP_SMTP, TLS_MODE_NONE, false },     /* RFC 6409 submission */
	{ 993, APP_IMAP, TLS_MODE_IMPLICIT, false }, /* RFC 8314 */
	{ 995, APP_POP3, TLS_MODE_IMPLICIT, false }, /* RFC 8314 */
	{ 1080, APP_SOCKS, TLS_MODE_NONE, false },   /* RFC 1928 */
	{ 443, APP_HTTP, TLS_MODE_IMPLICIT, false }, /* RFC 9110 */
	{ 563, APP_NNTP, TLS_MODE_IMPLICIT, false }, /* RFC 4642 */
	{ 636, APP_LDAP, TLS_MODE_IMPLICIT, false }, /* RFC 4513 */
	{ 853, APP_DNS, TLS_MODE_IMPLICIT, false },  /* RFC 7858 */
	{ 989, APP_FTP, TLS_MODE_IMPLICIT, false },  /* RFC 4217, data */
	{ 990, APP_FTP, TLS_MODE_IMPLICIT, false },  /* RFC 4217, control */
	{ 992, APP_TELNET, TLS_MODE_IMPLICIT, false },
	{ 3268, APP_LDAP, TLS_MODE_NONE, false },     /* global catalog */
	{ 3269, APP_LDAP, TLS_MODE_IMPLICIT, false }, /* global catalog */
	{ 5061, APP_SIP, TLS_MODE_IMPLICIT, false },  /* RFC 5630 */
	{ 5223, APP_XMPP, TLS_MODE_IMPLICIT, false },
	{ 3128, APP_HTTP, TLS_MODE_NONE, false }, /* web proxies */
	{ 3306, APP_MYSQL, TLS_MODE_NONE, false },
	{ 5432, APP_POSTGRES, TLS_MODE_NONE, false },
	{ 8080, APP_HTTP, TLS_MODE_NONE, false }, /* http-alt */
	{ 8443, APP_HTTP, TLS_MODE_IMPLICIT, false },
};

bool
registry_port(uint16_t port, uint8_t transport, struct app_choice *choice)
{
	bool udp = transport == IPPROTO_UDP;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(registry_ports); i++) {
		if (registry_ports[i].port == port &&
		    registry_ports[i].udp == udp) {
			choice->proto = registry_ports[i].proto;
			choice->tls = registry_ports[i].tls;
			return true;
		}
	}
	return false;
}

/* An SMTP greeting: "220" then a space, a dash or the end of the line. */
static bool
smtp_greeting(const uint8_t *p, size_t n)
{
	return n >= 4 && p[0] == '2' && p[1] == '2' && p[2] == '0' &&
	    (p[3] == ' ' || p[3] == '-' || p[3] == '\r' || p[3] == '\n');
}

static bool
imap_greeting(const uint8_t *p, size_t n)
{
	return ascii_prefix(p, n, "* OK") || ascii_prefix(p, n, "* PREAUTH") ||
	    ascii_prefix(p, n, "* BYE");
}

static bool
pop3_greeting(const uint8_t *p, size_t n)
{
	return ascii_prefix(p, n, "+OK");
}

/* A TLS handshake record, or an SSLv2 client hello. */
static bool
tls_hello(const uint8_t *p, size_t n)
{
	if (n >= 3 && p[0] == 0x16 && p[1] == 0x03 && p[2] <= 0x04)
		return true;
	return n >= 3 && (p[0] & 0x80) != 0 && p[2] == 0x01;
}

bool
registry_is_greeting(const uint8_t *p, size_t n)
{
	return smtp_greeting(p, n) || imap_greeting(p, n) ||
	    pop3_greeting(p, n);
}

/*
 * FTP greets with 220 too: an SMTP server is recognised by the word SMTP
 * in its greeting (RFC 5321 section 4.3.1 recommends ESMTP there), or by a
 * client that says EHLO or HELO.
 */
static bool
smtp_start(
    const uint8_t *server, size_t slen, const uint8_t *client, size_t clen)
{
	size_t i, n;

	if (ascii_word(client, clen, "EHLO") ||
	    ascii_word(client, clen, "HELO"))
		return true;
	if (!smtp_greeting(server, slen))
		return false;
	n = span_until(server, slen, '\n');
	for (i = 0; i + 4 <= n; i++) {
		if (ascii_prefix(server + i, n - i, "SMTP"))
			return true;
	}
	return false;
}

/* An HTTP request line: a method of RFC 9110 section 9, then a space. */
static bool
http_request(const uint8_t *p, size_t n)
{
	static const char *const methods[] = { "GET ", "POST ", "HEAD ", "PUT ",
		"DELETE ", "OPTIONS ", "PATCH ", "CONNECT " };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(methods); i++) {
		if (n >= strlen(methods[i]) &&
		    memcmp(p, methods[i], strlen(methods[i])) == 0)
			return true;
	}
	return false;
}

/* The 220 greeting that SMTP did not claim, answered with an FTP login. */
static bool
ftp_start(
    const uint8_t *server, size_t slen, const uint8_t *client, size_t clen)
{
	return smtp_greeting(server, slen) &&
	    (ascii_word(client, clen, "USER") ||
		ascii_word(client, clen, "AUTH") ||
		ascii_word(client, clen, "FEAT"));
}

bool
registry_sniff(const uint8_t *server, size_t slen, const uint8_t *client,
    size_t clen, struct app_choice *choice)
{
	choice->tls = TLS_MODE_NONE;
	if (smtp_start(server, slen, client, clen))
		choice->proto = APP_SMTP;
	else if (imap_greeting(server, slen))
		choice->proto = APP_IMAP;
	else if (pop3_greeting(server, slen))
		choice->proto = APP_POP3;
	else if (ftp_start(server, slen, client, clen))
		choice->proto = APP_FTP;
	else if (http_request(client, clen))
		choice->proto = APP_HTTP;
	else if (tls_hello(client, clen)) {
		choice->proto = APP_TLS;
		choice->tls = TLS_MODE_IMPLICIT;
	} else
		return false;
	return true;
}

/* ALPN protocol IDs (IANA registry, RFC 7301) and what they carry. */
static const struct {
	const char *prefix;
	enum app_proto proto;
} registry_alpn[] = {
	{ "h2", APP_HTTP },
	{ "http/", APP_HTTP },
	{ "h3", APP_HTTP },
	{ "spdy/", APP_HTTP },
	{ "imap", APP_IMAP },
	{ "pop3", APP_POP3 },
	{ "smtp", APP_SMTP },
	{ "ftp", APP_FTP },
	{ "xmpp-", APP_XMPP },
	{ "dot", APP_DNS },
	{ "sip/", APP_SIP },
	{ "nntp", APP_NNTP },
	{ "nnsp", APP_NNTP },
	{ "ldap", APP_LDAP },
};

enum app_proto
registry_tls_inner(const char *alpn, uint16_t server_port, enum app_proto ndpi)
{
	struct app_choice c;
	size_t i, len;

	for (i = 0; alpn[0] != '\0' && i < ARRAY_SIZE(registry_alpn); i++) {
		len = strlen(registry_alpn[i].prefix);
		if (strncmp(alpn, registry_alpn[i].prefix, len) == 0)
			return registry_alpn[i].proto;
	}
	if (registry_port(server_port, IPPROTO_TCP, &c) &&
	    c.tls == TLS_MODE_IMPLICIT)
		return c.proto;
	if (ndpi != APP_UNKNOWN)
		return ndpi;
	return APP_TLS;
}

const char *
registry_service_name(uint16_t port, uint8_t transport)
{
	/* RFC 1282 and the BSD r-commands: TCP only. */
	if (transport != IPPROTO_TCP)
		return NULL;
	switch (port) {
	case 512:
		return "rexec";
	case 513:
		return "rlogin";
	case 514:
		return "rsh";
	default:
		return NULL;
	}
}

const char *
registry_ndpi_name(enum app_proto proto)
{
	switch (proto) {
	case APP_SMTP:
		return "SMTP";
	case APP_IMAP:
		return "IMAP";
	case APP_POP3:
		return "POP3";
	case APP_HTTP:
		return "HTTP";
	case APP_FTP:
		return "FTP_CONTROL";
	case APP_TELNET:
		return "Telnet";
	case APP_LDAP:
		return "LDAP";
	case APP_SNMP:
		return "SNMP";
	case APP_MYSQL:
		return "MySQL";
	case APP_POSTGRES:
		return "PostgreSQL";
	default:
		return NULL;
	}
}

const struct analyzer *
registry_analyzer(const struct app_choice *choice)
{
	if (choice->tls == TLS_MODE_IMPLICIT || choice->proto == APP_TLS)
		return &tls_analyzer;
	if (choice->proto == APP_SOCKS)
		return &socks_analyzer;
	return analyzer_for_proto(choice->proto);
}

const struct analyzer *
analyzer_for_proto(enum app_proto proto)
{
	switch (proto) {
	case APP_SMTP:
		return &smtp_analyzer;
	case APP_IMAP:
		return &imap_analyzer;
	case APP_POP3:
		return &pop3_analyzer;
	case APP_HTTP:
		return &http_analyzer;
	case APP_FTP:
		return &ftp_analyzer;
	case APP_TELNET:
		return &telnet_analyzer;
	case APP_LDAP:
		return &ldap_analyzer;
	case APP_SNMP:
		return &snmp_analyzer;
	case APP_MYSQL:
		return &mysql_analyzer;
	case APP_POSTGRES:
		return &pgsql_analyzer;
	default:
		return NULL;
	}
}
