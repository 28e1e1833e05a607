/*
 * sasl.h - following one SASL exchange (RFC 4422) from the client's side,
 * for the mail analyzers.
 *
 * A mail protocol wraps SASL in its own framing (SMTP AUTH and 334 replies,
 * IMAP AUTHENTICATE and "+" continuations, POP3 AUTH); the analyzer unwraps
 * each client message and hands the base64 text here.  This module knows,
 * per mechanism, which client message carries the secret (or the digest or
 * token that stands for it) and where the user name is.  When that message
 * goes by it records a credential on the session: mechanism, user name and
 * exposure, never the secret.  Decoded messages live in a local buffer that
 * is wiped before returning.
 *
 * The same credential helpers serve the logins that are not SASL: POP3
 * USER/PASS and APOP, IMAP LOGIN.
 */
#ifndef PLAINSIGHT_SASL_H
#define PLAINSIGHT_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "analyzers/session.h"

/* Mechanism families; members of struct sasl, not for callers. */
enum sasl_mech {
	SASL_MECH_UNKNOWN,
	SASL_MECH_PLAIN,
	SASL_MECH_LOGIN,
	SASL_MECH_CRAM,
	SASL_MECH_DIGEST,
	SASL_MECH_NTLM,
	SASL_MECH_XOAUTH2,
	SASL_MECH_OAUTHBEARER,
	SASL_MECH_SCRAM,
	SASL_MECH_GSSAPI,
	SASL_MECH_EXTERNAL,
	SASL_MECH_ANONYMOUS,
};

/* What one client message meant for the exchange. */
enum sasl_step {
	SASL_STEP_MORE,   /* the exchange goes on */
	SASL_STEP_SENT,   /* this message carried the secret: recorded */
	SASL_STEP_CANCEL, /* the client gave up ("*", RFC 4422 section 3.5) */
};

/*
 * One exchange.  Embed it in the analyzer state and zero it (or call
 * sasl_reset()); the members are private to sasl.c.
 */
struct sasl {
	char mech[CRED_MECH_MAX]; /* upper case; "" when idle */
	enum sasl_mech kind;
	bool active;              /* sasl_start() seen, no verdict yet */
	bool sent;                /* the secret-bearing message went by */
	uint8_t nmsg;             /* client messages counted so far */
	int cred;                 /* index of the recorded credential, or -1 */
	char user[CRED_USER_MAX]; /* name kept between messages (not secret) */
	size_t userlen;
};

/* Puts x back to idle, wiping what it held. */
void sasl_reset(struct sasl *x);

/*
 * Begins an exchange for the mechanism named p[0..n), as on the wire (the
 * name is upper-cased and cut at the first byte not allowed in a SASL
 * name).  Any exchange in progress is dropped.
 */
void sasl_start(struct sasl *x, const uint8_t *p, size_t n);

/* True between sasl_start() and the verdict. */
bool sasl_active(const struct sasl *x);

/* True once the secret-bearing message was seen in this exchange. */
bool sasl_sent(const struct sasl *x);

/*
 * Takes one client message: the base64 text p[0..n) of an initial response
 * or of an answer to a challenge, "=" for an empty initial response, "*"
 * to cancel.  p may be NULL for a message that went by but could not be
 * read (too long for the analyzer's buffer): it counts as a message with
 * no user name in it.  When the message carries the secret, a credential is
 * recorded on s with timestamp ts.
 */
enum sasl_step sasl_client(struct sasl *x, struct session *s,
    const struct timeval *ts, const uint8_t *p, size_t n);

/*
 * The server's verdict ended the exchange: sets the outcome of the
 * credential it recorded, if any, and resets x.
 */
void sasl_finish(struct sasl *x, struct session *s, enum outcome o);

/*
 * How much a login with the named mechanism gives away.  Knows the SASL
 * mechanisms and the non-SASL logins named "USER", "APOP" and "LOGIN".
 */
enum exposure sasl_exposure(const char *mech);

/*
 * Records a non-SASL login (POP3 USER/PASS and APOP, IMAP LOGIN) made with
 * user name user[0..n), when its secret was sent.  Returns the credential
 * index for sasl_outcome(), or -1 when the session had no room left.
 */
int sasl_record(struct session *s, const struct timeval *ts, const char *mech,
    const uint8_t *user, size_t n);

/* Sets the outcome of credential cred (from sasl_record), if cred >= 0. */
void sasl_outcome(struct session *s, int cred, enum outcome o);

#endif
