/*
 * findings.c - the rules that turn session facts into findings.
 *
 * Mail sessions are judged on STARTTLS (RFC 3207 for SMTP, RFC 2595 for
 * IMAP and POP3) and on logins sent outside TLS.  Which recommendation a
 * finding serves depends on the session's role: SMTP to port 25 is mail
 * between servers (recommendation 1); submission, IMAP and POP3 are users
 * reaching their mail (recommendation 3).
 */
#include "analyzers/findings.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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

static bool
is_mail(const struct session *s)
{
	return s->protocol == APP_SMTP || s->protocol == APP_IMAP ||
	    s->protocol == APP_POP3;
}

/* Mail between servers, as opposed to a user reaching a mail server. */
static bool
is_relay(const struct session *s)
{
	return s->protocol == APP_SMTP && s->server_port == SMTP_RELAY_PORT;
}

static int
mail_recommendation(const struct session *s)
{
	return is_relay(s) ? 1 : 3;
}

/* True when the session ended up encrypted after all. */
static bool
encrypted(const struct session *s)
{
	return s->tls == TLS_MODE_IMPLICIT ||
	    s->starttls_result == STARTTLS_RESULT_OK;
}

static const char *
starttls_word(const struct session *s)
{
	return s->protocol == APP_POP3 ? "STLS" : "STARTTLS";
}

static void
credential_findings(const struct session *s, struct finding_list *l)
{
	const struct credential *c;
	const char *user;
	unsigned int i;

	for (i = 0; i < s->ncreds; i++) {
		c = &s->creds[i];
		user = c->username[0] != '\0' ? c->username : "(no user name)";
		switch (c->exposure) {
		case EXPOSURE_CLEARTEXT:
		case EXPOSURE_TOKEN:
			add(l, "cleartext_credentials", SEVERITY_HIGH, 3,
			    &c->seen, "%s %s for %s sent without TLS%s",
			    app_proto_name(s->protocol), c->mechanism, user,
			    c->exposure == EXPOSURE_TOKEN ? " (bearer token)"
							  : "");
			break;
		case EXPOSURE_CRACKABLE:
			add(l, "crackable_credentials", SEVERITY_MEDIUM, 3,
			    &c->seen,
			    "%s %s for %s sent without TLS: open to offline "
			    "guessing",
			    app_proto_name(s->protocol), c->mechanism, user);
			break;
		case EXPOSURE_NONE:
		case EXPOSURE_UNKNOWN:
			break;
		}
	}
}

static void
starttls_findings(const struct session *s, struct finding_list *l)
{
	int rec = mail_recommendation(s);
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

size_t
findings_evaluate(const struct session *s, struct finding *out, size_t max)
{
	struct finding_list l = {out, max, 0};

	if (!is_mail(s))
		return 0;
	credential_findings(s, &l);
	if (s->tls != TLS_MODE_IMPLICIT)
		starttls_findings(s, &l);
	return l.n;
}
