/*
 * session.c - recording protocol facts on a session.
 */
#include "analyzers/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "util.h"

static const char *const app_proto_names[APP_MAX] = {
	[APP_UNKNOWN] = "unknown",
	[APP_SMTP] = "smtp",
	[APP_IMAP] = "imap",
	[APP_POP3] = "pop3",
	[APP_TLS] = "tls",
	[APP_HTTP] = "http",
	[APP_SOCKS] = "socks",
	[APP_LDAP] = "ldap",
	[APP_FTP] = "ftp",
	[APP_XMPP] = "xmpp",
	[APP_DNS] = "dns",
	[APP_SIP] = "sip",
	[APP_TELNET] = "telnet",
	[APP_NNTP] = "nntp",
	[APP_SNMP] = "snmp",
	[APP_MYSQL] = "mysql",
	[APP_POSTGRES] = "postgresql",
};

const char *
app_proto_name(enum app_proto proto)
{
	if ((unsigned int)proto >= APP_MAX || app_proto_names[proto] == NULL)
		return "unknown";
	return app_proto_names[proto];
}

const char *
exposure_name(enum exposure e)
{
	switch (e) {
	case EXPOSURE_CLEARTEXT:
		return "cleartext";
	case EXPOSURE_CRACKABLE:
		return "crackable";
	case EXPOSURE_TOKEN:
		return "token";
	case EXPOSURE_NONE:
		return "none";
	case EXPOSURE_UNKNOWN:
		break;
	}
	return "unknown";
}

const char *
outcome_name(enum outcome o)
{
	switch (o) {
	case OUTCOME_ACCEPTED:
		return "accepted";
	case OUTCOME_REJECTED:
		return "rejected";
	case OUTCOME_UNKNOWN:
		break;
	}
	return NULL;
}

const char *
tls_mode_name(enum tls_mode m)
{
	switch (m) {
	case TLS_MODE_STARTTLS:
		return "starttls";
	case TLS_MODE_IMPLICIT:
		return "implicit";
	case TLS_MODE_NONE:
		break;
	}
	return "none";
}

const char *
starttls_result_name(enum starttls_result r)
{
	switch (r) {
	case STARTTLS_RESULT_OK:
		return "ok";
	case STARTTLS_RESULT_REFUSED:
		return "refused";
	case STARTTLS_RESULT_FAILED:
		return "failed";
	case STARTTLS_RESULT_NONE:
		break;
	}
	return NULL;
}

/* Length of the valid UTF-8 sequence at p[0..n), or 0 if there is none. */
static size_t
utf8_len(const uint8_t *p, size_t n)
{
	size_t len, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	}
	return len;
}

char *
session_printable(char *dst, size_t dstsize, const uint8_t *p, size_t n)
{
	size_t i = 0, o = 0, u;

	if (dstsize == 0)
		return dst;

	/* Printable ASCII and valid UTF-8 stay; anything else becomes \xNN. */
	while (i < n) {
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			if (o + 1 >= dstsize)
				break;
			dst[o++] = (char)p[i++];
		} else if (p[i] >= 0x80 && (u = utf8_len(p + i, n - i)) > 0) {
			if (o + u >= dstsize)
				break;
			memcpy(dst + o, p + i, u);
			o += u;
			i += u;
		} else {
			if (o + 4 >= dstsize)
				break;
			snprintf(dst + o, 5, "\\x%02x", p[i++]);
			o += 4;
		}
	}
	dst[o] = '\0';
	return dst;
}

/* Makes room for one more credential; most sessions have none or one. */
static bool
creds_grow(struct session *s)
{
	struct credential *c;
	unsigned int n;

	if (s->ncreds < s->creds_alloc)
		return true;
	n = s->creds_alloc == 0 ? 1 : s->creds_alloc * 2;
	if (n > SESSION_MAX_CREDS)
		n = SESSION_MAX_CREDS;
	c = mem_realloc(s->creds, n * sizeof(*c));
	if (c == NULL)
		return false;
	s->creds = c;
	s->creds_alloc = n;
	return true;
}

void
session_cleanup(struct session *s)
{
	mem_free(s->creds);
	s->creds = NULL;
	mem_free(s->cert);
	s->cert = NULL;
	s->ncreds = s->creds_alloc = 0;
}

/*
 * Adds a credential to s; an earlier one with the same mechanism, user and
 * exposure is counted instead when any_outcome is true or it has no verdict
 * yet.
 */
static int
add_credential(struct session *s, const struct timeval *seen,
    const char *mechanism, const char *username, size_t userlen,
    enum exposure exposure, bool any_outcome)
{
	struct credential *c;
	char user[CRED_USER_MAX];
	char mech[CRED_MECH_MAX];
	size_t i;

	session_printable(
	    user, sizeof(user), (const uint8_t *)username, userlen);
	for (i = 0; mechanism[i] != '\0' && i + 1 < sizeof(mech); i++)
		mech[i] = (char)(mechanism[i] >= 'a' && mechanism[i] <= 'z'
			? mechanism[i] - ('a' - 'A')
			: mechanism[i]);
	mech[i] = '\0';

	for (i = 0; i < s->ncreds; i++) {
		c = &s->creds[i];
		if (strcmp(c->mechanism, mech) == 0 &&
		    strcmp(c->username, user) == 0 && c->exposure == exposure &&
		    (any_outcome || c->outcome == OUTCOME_UNKNOWN)) {
			c->count++;
			return (int)i;
		}
	}

	if (s->ncreds >= SESSION_MAX_CREDS || !creds_grow(s)) {
		s->creds_dropped++;
		s->anomalies |= SESSION_ANOM_CREDS_DROPPED;
		return -1;
	}
	c = &s->creds[s->ncreds];
	memset(c, 0, sizeof(*c));
	c->seen = *seen;
	memcpy(c->mechanism, mech, sizeof(mech));
	memcpy(c->username, user, sizeof(user));
	c->exposure = exposure;
	c->outcome = OUTCOME_UNKNOWN;
	c->count = 1;
	return (int)s->ncreds++;
}

int
session_add_credential(struct session *s, const struct timeval *seen,
    const char *mechanism, const char *username, size_t userlen,
    enum exposure exposure)
{
	/* The same login again before a verdict (a retry) is counted. */
	return add_credential(
	    s, seen, mechanism, username, userlen, exposure, false);
}

int
session_add_repeated_credential(struct session *s, const struct timeval *seen,
    const char *mechanism, const char *username, size_t userlen,
    enum exposure exposure)
{
	return add_credential(
	    s, seen, mechanism, username, userlen, exposure, true);
}

/*
 * Folds the last credential into an earlier one that is the same login
 * with the same verdict (a client retrying one user and password).  Only
 * the last one folds, so that indices analyzers hold stay valid.
 */
static void
fold_last(struct session *s)
{
	struct credential *c = &s->creds[s->ncreds - 1], *o;
	unsigned int j;

	for (j = 0; j + 1 < s->ncreds; j++) {
		o = &s->creds[j];
		if (o->outcome == c->outcome && o->exposure == c->exposure &&
		    strcmp(o->mechanism, c->mechanism) == 0 &&
		    strcmp(o->username, c->username) == 0) {
			o->count += c->count;
			s->ncreds--;
			return;
		}
	}
}

void
session_credential_outcome(struct session *s, int cred, enum outcome o)
{
	if (cred < 0 || (unsigned int)cred >= s->ncreds)
		return;
	s->creds[cred].outcome = o;
	if ((unsigned int)cred == s->ncreds - 1)
		fold_last(s);
}

void
session_set_client_name(struct session *s, const uint8_t *p, size_t n)
{
	session_printable(s->client_name, sizeof(s->client_name), p, n);
}

void
session_add_auth_offered(struct session *s, const uint8_t *p, size_t n)
{
	char name[CRED_MECH_MAX];
	size_t len, have, i;
	const char *at;

	session_printable(name, sizeof(name), p, n);
	for (i = 0; name[i] != '\0'; i++)
		name[i] = (char)(name[i] >= 'a' && name[i] <= 'z'
			? name[i] - ('a' - 'A')
			: name[i]);
	len = strlen(name);
	if (len == 0)
		return;

	/* Already listed?  Names are separated by single spaces. */
	for (at = s->auth_offered; (at = strstr(at, name)) != NULL; at++) {
		if ((at == s->auth_offered || at[-1] == ' ') &&
		    (at[len] == '\0' || at[len] == ' '))
			return;
	}

	have = strlen(s->auth_offered);
	if (have + len + 2 > sizeof(s->auth_offered))
		return;
	if (have > 0)
		s->auth_offered[have++] = ' ';
	memcpy(s->auth_offered + have, name, len + 1);
}

void
session_set_stripped(struct session *s, const char *what)
{
	s->starttls_stripped = true;
	if (s->stripped_detail[0] == '\0')
		snprintf(
		    s->stripped_detail, sizeof(s->stripped_detail), "%s", what);
}
