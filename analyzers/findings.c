/*
 * findings.c - the rules that turn session facts into findings.
 *
 * Sessions are judged on logins sent outside TLS, on the STARTTLS of the
 * protocols that have one (RFC 3207 for SMTP, RFC 2595 for IMAP and POP3,
 * RFC 4217 for FTP, RFC 4513 for LDAP, and the TLS requests of MySQL and
 * PostgreSQL) and on the TLS they negotiate.  Which recommendation a
 * finding serves depends on the session's role: SMTP to port 25 is mail
 * between servers (recommendation 1); SNMP communities and database logins
 * are accounts of the infrastructure, which recommendation 2 wants
 * encrypted inside the network; every other login is a user's password
 * (recommendation 3).
 */
#include "analyzers/findings.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "analyzers/tls_ciphers.h"
#include "analyzers/x509.h"

#define SMTP_RELAY_PORT 25

const char *
severity_name(enum severity sev)
{
	switch (sev) {
	case SEVERITY_HIGH:
		return "high";
	case SEVERITY_MEDIUM:
		return "medium";
	case SEVERITY_LOW:
		return "low";
	case SEVERITY_INFO:
		break;
	}
	return "info";
}

struct finding_list {
	struct finding *out;
	size_t max;
	size_t n;
};

static void add(struct finding_list *l, const char *kind, enum severity sev,
    int rec, const struct timeval *seen, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void
add(struct finding_list *l, const char *kind, enum severity sev, int rec,
    const struct timeval *seen, const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (l->n >= l->max)
		return;
	f = &l->out[l->n++];
	f->kind = kind;
	f->severity = sev;
	f->recommendation = rec;
	f->seen = *seen;
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
}

/* Mail between servers, as opposed to a user reaching a mail server. */
static bool
is_relay(const struct session *s)
{
	return s->protocol == APP_SMTP && s->server_port == SMTP_RELAY_PORT;
}

/* Logins of devices and applications rather than of people. */
static bool
is_infrastructure(const struct session *s)
{
	return s->protocol == APP_SNMP || s->protocol == APP_MYSQL ||
	    s->protocol == APP_POSTGRES;
}

static int
recommendation(const struct session *s)
{
	if (is_relay(s))
		return 1;
	return is_infrastructure(s) ? 2 : 3;
}

/* Protocols that can turn TLS on inside a cleartext connection. */
static bool
has_starttls(const struct session *s)
{
	switch (s->protocol) {
	case APP_SMTP:
	case APP_IMAP:
	case APP_POP3:
	case APP_FTP:
	case APP_LDAP:
	case APP_MYSQL:
	case APP_POSTGRES:
		return true;
	default:
		return false;
	}
}

/* True when the session ended up encrypted after all. */
static bool
encrypted(const struct session *s)
{
	return s->tls == TLS_MODE_IMPLICIT ||
	    s->starttls_result == STARTTLS_RESULT_OK;
}

/* What each protocol calls its upgrade to TLS. */
static const char *
starttls_word(const struct session *s)
{
	switch (s->protocol) {
	case APP_POP3:
		return "STLS";
	case APP_FTP:
		return "AUTH TLS";
	case APP_LDAP:
		return "StartTLS";
	case APP_POSTGRES:
		return "SSLRequest";
	case APP_MYSQL:
		return "TLS";
	default:
		return "STARTTLS";
	}
}

static void
credential_findings(const struct session *s, struct finding_list *l)
{
	const struct credential *c;
	const char *proto = app_proto_name(s->protocol);
	const char *user;
	int rec = is_infrastructure(s) ? 2 : 3; /* a password is a user's */
	unsigned int i;

	for (i = 0; i < s->ncreds; i++) {
		c = &s->creds[i];
		user = c->username[0] != '\0' ? c->username : "(no user name)";
		switch (c->exposure) {
		case EXPOSURE_CLEARTEXT:
		case EXPOSURE_TOKEN:
			if (s->protocol == APP_SNMP)
				add(l, "cleartext_credentials", SEVERITY_HIGH,
				    rec, &c->seen,
				    "SNMP community for %s access sent in "
				    "clear text",
				    user);
			else
				add(l, "cleartext_credentials", SEVERITY_HIGH,
				    rec, &c->seen,
				    "%s %s for %s sent without TLS%s", proto,
				    c->mechanism, user,
				    c->exposure == EXPOSURE_TOKEN
					? " (bearer token)"
					: "");
			break;
		case EXPOSURE_CRACKABLE:
			add(l, "crackable_credentials", SEVERITY_MEDIUM, rec,
			    &c->seen,
			    "%s %s for %s sent without TLS: open to offline "
			    "guessing",
			    proto, c->mechanism, user);
			break;
		case EXPOSURE_NONE:
		case EXPOSURE_UNKNOWN:
			break;
		}
	}
}

/* A login form or prompt of a webmail product, served over plain HTTP. */
static void
webmail_findings(const struct session *s, struct finding_list *l)
{
	const struct credential *c;
	unsigned int i;

	if (s->protocol != APP_HTTP || s->webmail[0] == '\0')
		return;
	for (i = 0; i < s->ncreds; i++) {
		c = &s->creds[i];
		if (c->exposure != EXPOSURE_CLEARTEXT)
			continue;
		add(l, "cleartext_webmail_login", SEVERITY_HIGH, 3, &c->seen,
		    "%s webmail login for %s over plain HTTP", s->webmail,
		    c->username[0] != '\0' ? c->username : "(no user name)");
		return;
	}
}

static void
starttls_findings(const struct session *s, struct finding_list *l)
{
	int rec = recommendation(s);
	const char *word = starttls_word(s);
	const struct timeval *at;

	at = s->starttls_attempted ? &s->starttls_seen : &s->first_seen;

	if (s->starttls_stripped)
		add(l, "starttls_stripped", SEVERITY_HIGH, rec, &s->first_seen,
		    "%s masked in transit (%s): a middlebox removes "
		    "encryption",
		    word, s->stripped_detail);

	switch (s->starttls_result) {
	case STARTTLS_RESULT_REFUSED:
		add(l, "starttls_refused", SEVERITY_HIGH, rec, at,
		    "the client asked for %s and the server refused", word);
		break;
	case STARTTLS_RESULT_FAILED:
		add(l, "starttls_failed", SEVERITY_HIGH, rec, at, "%s",
		    s->cleartext_after_tls
			? "the server agreed to encrypt but the session went "
			  "on "
			  "in clear text"
			: "the server agreed to encrypt but no TLS handshake "
			  "followed");
		break;
	case STARTTLS_RESULT_OK:
	case STARTTLS_RESULT_NONE:
		break;
	}

	/*
	 * Where a middlebox tampered with the evidence, neither the server's
	 * offer nor the client's use of STARTTLS can be judged: the stripping
	 * finding stands in for both.
	 */
	if (encrypted(s) || s->starttls_stripped)
		return;
	if (s->starttls_offered == 0)
		add(l, "starttls_not_offered",
		    is_relay(s) ? SEVERITY_MEDIUM : SEVERITY_HIGH, rec,
		    &s->first_seen, "the server did not offer %s", word);
	if (s->starttls_offered == 1 && !s->starttls_attempted)
		add(l, "starttls_not_used",
		    s->ncreds > 0 ? SEVERITY_HIGH : SEVERITY_MEDIUM, rec,
		    &s->first_seen,
		    "%s was offered but the client went on in clear "
		    "text%s",
		    word, s->ncreds > 0 ? " and logged in" : "");
}

/* TLS 1.3 drafts rank as TLS 1.3; SSLv2's 0x0002 below everything. */
static unsigned int
tls_rank(uint16_t v)
{
	return tls_version_is_tls13(v) ? TLS_VERSION_TLS13 : v;
}

static void
tls_version_findings(const struct session *s, const struct findings_policy *p,
    struct finding_list *l, int rec)
{
	const struct tls_facts *t = &s->tlsf;
	const char *name = tls_version_name(t->version);
	bool ssl = t->version < TLS_VERSION_TLS10;

	if (t->version == 0 || tls_rank(t->version) >= p->tls_min)
		return;
	add(l, "obsolete_tls_version", ssl ? SEVERITY_HIGH : SEVERITY_MEDIUM,
	    rec, &s->first_seen, "%s negotiated, below the %s floor%s",
	    name != NULL ? name : "an unknown version",
	    tls_version_name(p->tls_min),
	    ssl ? ": SSL is broken beyond repair" : "");
}

static void
tls_cipher_findings(const struct session *s, struct finding_list *l, int rec)
{
	const struct tls_cipher *c;

	if (!s->tlsf.have_cipher)
		return;
	c = tls_cipher_lookup(s->tlsf.cipher);
	if (c == NULL || c->scsv)
		return;
	if (c->broken != NULL)
		add(l, "broken_cipher", SEVERITY_HIGH, rec, &s->first_seen,
		    "%s: %s gives no real protection", c->name, c->broken);
	if (!c->forward_secret)
		add(l, "no_forward_secrecy", SEVERITY_MEDIUM, rec,
		    &s->first_seen,
		    "%s (%s key exchange): a stolen key decrypts recorded "
		    "traffic",
		    c->name, c->kex);
}

/*
 * A fatal alert in the clear ends a handshake; so does a server that
 * answers a ClientHello with something else than a ServerHello.
 */
static void
tls_failure_findings(const struct session *s, struct finding_list *l, int rec)
{
	const struct tls_facts *t = &s->tlsf;
	const char *alert;

	if (t->alert && t->alert_level == 2) {
		alert = tls_alert_name(t->alert_description);
		add(l, "tls_handshake_failed", SEVERITY_LOW, rec,
		    &s->first_seen, "the %s sent a fatal alert: %s (%u)",
		    t->alert_from_server ? "server" : "client",
		    alert != NULL ? alert : "unknown", t->alert_description);
	} else if (t->client_hello && !t->server_hello && !t->alert &&
	    s->server_bytes > 0 && s->gaps == 0) {
		add(l, "tls_handshake_failed", SEVERITY_LOW, rec,
		    &s->first_seen,
		    "the server did not answer the ClientHello with a "
		    "ServerHello");
	}
}

/*
 * Certificate facts inform: opportunistic TLS between mail servers accepts
 * self-signed, expired and mismatched certificates by design.
 */
static void
certificate_findings(const struct session *s, struct finding_list *l, int rec)
{
	const struct cert_facts *c = s->cert;

	if (c == NULL)
		return;
	if (c->self_signed)
		add(l, "certificate_self_signed", SEVERITY_INFO, rec,
		    &s->first_seen, "self-signed certificate %s", c->subject);
	if (c->not_after < s->first_seen.tv_sec ||
	    c->not_before > s->first_seen.tv_sec)
		add(l, "certificate_expired", SEVERITY_INFO, rec,
		    &s->first_seen,
		    "certificate %s was outside its validity period",
		    c->subject);
	if (s->tlsf.sni[0] != '\0' && !x509_name_matches(c, s->tlsf.sni))
		add(l, "certificate_name_mismatch", SEVERITY_INFO, rec,
		    &s->first_seen, "certificate %s does not name %s",
		    c->subject, s->tlsf.sni);
}

static void
tls_findings(const struct session *s, const struct findings_policy *p,
    struct finding_list *l)
{
	int rec = recommendation(s);

	tls_version_findings(s, p, l, rec);
	tls_cipher_findings(s, l, rec);
	tls_failure_findings(s, l, rec);
	certificate_findings(s, l, rec);
}

/* True when the session spoke TLS at some point. */
static bool
spoke_tls(const struct session *s)
{
	return s->tlsf.client_hello || s->tlsf.server_hello;
}

size_t
findings_evaluate(const struct session *s, const struct findings_policy *p,
    struct finding *out, size_t max)
{
	struct finding_list l = { out, max, 0 };

	credential_findings(s, &l);
	webmail_findings(s, &l);
	if (has_starttls(s) && s->tls != TLS_MODE_IMPLICIT)
		starttls_findings(s, &l);
	/* A TLS hello answered in clear text was no TLS session. */
	if (spoke_tls(s) && (s->tls != TLS_MODE_NONE || s->starttls_accepted))
		tls_findings(s, p, &l);
	return l.n;
}

void
findings_policy_init(struct findings_policy *p)
{
	p->tls_min = TLS_VERSION_TLS12;
}

uint16_t
findings_tls_version(const char *name)
{
	static const struct {
		const char *name;
		uint16_t version;
	} names[] = {
		{ "SSLv3", TLS_VERSION_SSL3 },
		{ "TLSv1.0", TLS_VERSION_TLS10 },
		{ "TLSv1", TLS_VERSION_TLS10 },
		{ "1.0", TLS_VERSION_TLS10 },
		{ "TLSv1.1", TLS_VERSION_TLS11 },
		{ "1.1", TLS_VERSION_TLS11 },
		{ "TLSv1.2", TLS_VERSION_TLS12 },
		{ "1.2", TLS_VERSION_TLS12 },
		{ "TLSv1.3", TLS_VERSION_TLS13 },
		{ "1.3", TLS_VERSION_TLS13 },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(name, names[i].name) == 0)
			return names[i].version;
	}
	return 0;
}

/*
 * Protocols that carry passwords, mail, files or data in the clear unless
 * wrapped in TLS, by the name nDPI gives them; rlogin, rsh and rexec, which
 * nDPI does not know, by their service names.  Severity reflects what an
 * eavesdropper on an internal link gets.
 */
static const struct {
	const char *protocol;
	enum severity severity;
	const char *what;
} cleartext_protocols[] = {
	{ "HTTP", SEVERITY_HIGH, "web traffic: logins, cookies, pages" },
	{ "HTTP_Proxy", SEVERITY_HIGH, "proxied web traffic and logins" },
	{ "FTP_CONTROL", SEVERITY_HIGH, "FTP logins and commands" },
	{ "FTP_DATA", SEVERITY_MEDIUM, "files transferred by FTP" },
	{ "TFTP", SEVERITY_MEDIUM, "files, often device configurations" },
	{ "Telnet", SEVERITY_HIGH, "remote shell sessions and logins" },
	{ "rlogin", SEVERITY_HIGH, "remote shell sessions" },
	{ "rsh", SEVERITY_HIGH, "remote commands" },
	{ "rexec", SEVERITY_HIGH, "remote commands and passwords" },
	{ "LDAP", SEVERITY_HIGH, "directory binds and queries" },
	{ "SNMP", SEVERITY_MEDIUM, "community strings and device data" },
	{ "Syslog", SEVERITY_LOW, "log messages" },
	{ "IMAP", SEVERITY_HIGH, "mailbox logins and mail" },
	{ "POP3", SEVERITY_HIGH, "mailbox logins and mail" },
	{ "SMTP", SEVERITY_MEDIUM, "mail, and logins where clients submit" },
	{ "MySQL", SEVERITY_HIGH, "database logins and data" },
	{ "PostgreSQL", SEVERITY_HIGH, "database logins and data" },
	{ "MsSQL-TDS", SEVERITY_HIGH, "database logins and data" },
	{ "Oracle", SEVERITY_HIGH, "database logins and data" },
	{ "Redis", SEVERITY_HIGH, "cache contents and AUTH passwords" },
	{ "Memcached", SEVERITY_MEDIUM, "cache contents" },
	{ "MongoDB", SEVERITY_HIGH, "database logins and data" },
	{ "Cassandra", SEVERITY_MEDIUM, "database data" },
	{ "NFS", SEVERITY_MEDIUM, "files" },
	{ "SMBv1", SEVERITY_HIGH, "files and crackable logins" },
	{ "SMBv23", SEVERITY_MEDIUM, "files, unless share encryption is on" },
	{ "VNC", SEVERITY_HIGH, "remote desktops and crackable logins" },
	{ "SIP", SEVERITY_MEDIUM, "call set-up and digest logins" },
	{ "Jabber", SEVERITY_MEDIUM, "chat messages and logins" },
	{ "IRC", SEVERITY_LOW, "chat messages" },
	{ "MQTT", SEVERITY_MEDIUM, "messages and logins" },
	{ "AMQP", SEVERITY_MEDIUM, "messages and logins" },
	{ "AJP", SEVERITY_MEDIUM, "web traffic behind a proxy" },
	{ "RTSP", SEVERITY_LOW, "stream control" },
};

bool
findings_cleartext_protocol(
    const char *protocol, enum severity *sev, const char **what)
{
	size_t i, len;

	/* "HTTP.Google": the part before the dot is the protocol. */
	len = strcspn(protocol, ".");
	for (i = 0;
	     i < sizeof(cleartext_protocols) / sizeof(cleartext_protocols[0]);
	     i++) {
		if (strlen(cleartext_protocols[i].protocol) == len &&
		    strncmp(cleartext_protocols[i].protocol, protocol, len) ==
			0) {
			*sev = cleartext_protocols[i].severity;
			*what = cleartext_protocols[i].what;
			return true;
		}
	}
	return false;
}

const char *
tls_alert_name(uint8_t d)
{
	switch (d) {
	case 0:
		return "close_notify";
	case 10:
		return "unexpected_message";
	case 20:
		return "bad_record_mac";
	case 21:
		return "decryption_failed";
	case 22:
		return "record_overflow";
	case 30:
		return "decompression_failure";
	case 40:
		return "handshake_failure";
	case 41:
		return "no_certificate";
	case 42:
		return "bad_certificate";
	case 43:
		return "unsupported_certificate";
	case 44:
		return "certificate_revoked";
	case 45:
		return "certificate_expired";
	case 46:
		return "certificate_unknown";
	case 47:
		return "illegal_parameter";
	case 48:
		return "unknown_ca";
	case 49:
		return "access_denied";
	case 50:
		return "decode_error";
	case 51:
		return "decrypt_error";
	case 60:
		return "export_restriction";
	case 70:
		return "protocol_version";
	case 71:
		return "insufficient_security";
	case 80:
		return "internal_error";
	case 86:
		return "inappropriate_fallback";
	case 90:
		return "user_canceled";
	case 100:
		return "no_renegotiation";
	case 109:
		return "missing_extension";
	case 110:
		return "unsupported_extension";
	case 112:
		return "unrecognized_name";
	case 113:
		return "bad_certificate_status_response";
	case 115:
		return "unknown_psk_identity";
	case 116:
		return "certificate_required";
	case 120:
		return "no_application_protocol";
	default:
		return NULL;
	}
}
