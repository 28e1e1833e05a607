/*
 * findings.h - turning what a session showed into findings.
 *
 * The vocabulary (kinds, severities, recommendations) is public: README
 * documents each kind, and security teams query the findings table by it.
 * Recommendations follow the M3AAWG guidance plainsight audits against:
 *   1  TLS between mail servers (SMTP on port 25);
 *   2  encryption of traffic inside the network;
 *   3  users' passwords never in the clear (user access: submission,
 *      IMAP, POP3, webmail).
 */
#ifndef PLAINSIGHT_FINDINGS_H
#define PLAINSIGHT_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "analyzers/session.h"

enum severity {
	SEVERITY_INFO,
	SEVERITY_LOW,
	SEVERITY_MEDIUM,
	SEVERITY_HIGH,
};

#define FINDING_DETAIL_MAX 256

struct finding {
	const char *kind; /* e.g. "cleartext_credentials" */
	enum severity severity;
	int recommendation;              /* 1, 2 or 3 */
	struct timeval seen;             /* when the condition was observed */
	char detail[FINDING_DETAIL_MAX]; /* for people; never a secret */
};

/* Room enough for every finding one session can raise. */
#define FINDINGS_MAX (SESSION_MAX_CREDS + 16)

/* What the operator counts as a finding. */
struct findings_policy {
	uint16_t tls_min; /* lowest acceptable TLS version (wire value) */
};

/* The defaults: TLS 1.2 or newer. */
void findings_policy_init(struct findings_policy *p);

/*
 * Evaluates a finished session under policy p.  Writes at most max
 * findings to out and returns how many.
 */
size_t findings_evaluate(const struct session *s,
    const struct findings_policy *p, struct finding *out, size_t max);

/*
 * The wire version for a name --tls-min accepts ("TLSv1.2", "1.2",
 * "SSLv3"...), or 0 when the name is unknown.
 */
uint16_t findings_tls_version(const char *name);

/*
 * Whether protocol (as nDPI names it, or a service name for ports nDPI does
 * not know) carries sensitive data in the clear when it is not wrapped in
 * TLS: if so, returns true with the severity of serving it to internal
 * clients and a short description of what it exposes.
 */
bool findings_cleartext_protocol(
    const char *protocol, enum severity *sev, const char **what);

/* The name of TLS alert description d (RFC 8446 section 6), or NULL. */
const char *tls_alert_name(uint8_t d);

const char *severity_name(enum severity sev);

#endif
