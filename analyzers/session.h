/*
 * session.h - what plainsight learns about one analysed TCP session.
 *
 * The engine creates a session for every flow it hands to an analyzer and
 * fills in the addresses, times and byte counts; analyzers record protocol
 * facts (capabilities, STARTTLS, logins, TLS parameters) through the
 * functions below; at the end of the flow findings.c turns the facts into
 * findings and storage/ writes the lot.  A session never holds a secret:
 * only that one crossed the wire, how, and for which user.
 */
#ifndef PLAINSIGHT_SESSION_H
#define PLAINSIGHT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "analyzers/tls.h"
#include "analyzers/x509.h"

/* Application protocols plainsight names in its database. */
enum app_proto {
	APP_UNKNOWN,
	APP_SMTP,
	APP_IMAP,
	APP_POP3,
	APP_TLS, /* TLS with nothing known of what it carries */
	APP_HTTP,
	APP_SOCKS, /* a proxy, until what it tunnels is known */
	APP_LDAP,
	APP_FTP,
	APP_XMPP,
	APP_DNS,
	APP_SIP,
	APP_TELNET,
	APP_NNTP,
	APP_SNMP,
	APP_MYSQL,
	APP_POSTGRES,
	APP_MAX,
};

enum tls_mode {
	TLS_MODE_NONE,
	TLS_MODE_STARTTLS,
	TLS_MODE_IMPLICIT,
};

enum starttls_result {
	STARTTLS_RESULT_NONE, /* not attempted, or no verdict seen */
	STARTTLS_RESULT_OK,
	STARTTLS_RESULT_REFUSED,
	STARTTLS_RESULT_FAILED,
};

/* How much of a secret an eavesdropper gets from a login (see README). */
enum exposure {
	EXPOSURE_CLEARTEXT, /* the password itself, recoverable */
	EXPOSURE_CRACKABLE, /* a challenge-response open to offline guessing */
	EXPOSURE_TOKEN,     /* a bearer token, replayable */
	EXPOSURE_NONE,      /* nothing reusable (SCRAM, GSSAPI, EXTERNAL) */
	EXPOSURE_UNKNOWN,   /* a mechanism plainsight does not know */
};

enum outcome {
	OUTCOME_UNKNOWN,
	OUTCOME_ACCEPTED,
	OUTCOME_REJECTED,
};

/* Session anomalies: odd but not findings; stored as a list of names. */
#define SESSION_ANOM_TLS_TO_CLEARTEXT 0x0001  /* TLS hello, cleartext reply */
#define SESSION_ANOM_LONG_LINE 0x0002         /* a line over the buffer cap */
#define SESSION_ANOM_CREDS_DROPPED 0x0004     /* more logins than kept */
#define SESSION_ANOM_GARBAGE 0x0008           /* bytes that are not protocol */
#define SESSION_ANOM_PIPELINE_OVERFLOW 0x0010 /* too many unanswered cmds */
#define SESSION_ANOM_MIDSTREAM 0x0020         /* no handshake seen */
#define SESSION_ANOM_ONE_SIDED 0x0040         /* one direction never seen */
#define SESSION_ANOM_GAP 0x0080               /* bytes lost in capture */

#define SESSION_MAX_CREDS 16
#define CRED_MECH_MAX 24
#define CRED_USER_MAX 256
#define SESSION_NAME_MAX 128
#define SESSION_AUTHLIST_MAX 128

struct credential {
	struct timeval seen;           /* when the login was sent */
	char mechanism[CRED_MECH_MAX]; /* upper case, as on the wire */
	char username[CRED_USER_MAX];  /* printable; "" when none */
	enum exposure exposure;
	enum outcome outcome;
	uint32_t count; /* identical logins folded in */
};

struct session {
	uint64_t flow_id; /* engine's flow number, for logs */

	/* Who talks to whom; the server accepted the connection. */
	uint8_t ip_version;    /* 4 or 6 */
	uint8_t client_ip[16]; /* IPv4 in the first 4 bytes */
	uint8_t server_ip[16];
	uint16_t client_port;
	uint16_t server_port;
	uint16_t vlan;          /* outermost 802.1Q id, 0 if none */
	uint8_t transport;      /* IPPROTO_TCP or IPPROTO_UDP */
	int8_t client_internal; /* in --internal networks; -1: not set */
	int8_t server_internal;

	struct timeval first_seen;
	struct timeval last_seen;
	uint64_t client_bytes; /* TCP payload, client to server */
	uint64_t server_bytes; /* TCP payload, server to client */
	uint32_t gaps;         /* holes in either direction */
	uint32_t anomalies;    /* SESSION_ANOM_* */

	enum app_proto protocol;
	char ndpi_protocol[48]; /* nDPI's name, "" until classified */

	/* STARTTLS; offered is -1 until a capability list was seen. */
	enum tls_mode tls;
	int8_t starttls_offered;
	bool starttls_attempted;
	bool starttls_accepted; /* the server said go ahead */
	enum starttls_result starttls_result;
	struct timeval starttls_seen; /* when the client asked */
	bool starttls_stripped;       /* a middlebox masked it */
	char stripped_detail[64];     /* what looked masked */
	bool cleartext_after_tls;     /* commands went on after go-ahead */

	/* What the client and server said about themselves. */
	char client_name[SESSION_NAME_MAX];      /* EHLO/HELO name, IMAP ID */
	char auth_offered[SESSION_AUTHLIST_MAX]; /* mechanisms advertised */
	bool login_disabled; /* IMAP LOGINDISABLED advertised */
	char webmail[32];    /* webmail product a cleartext login went to */

	struct credential *creds; /* ncreds of them, grown on demand */
	unsigned int ncreds;
	unsigned int creds_alloc;
	unsigned int creds_dropped; /* logins past SESSION_MAX_CREDS */

	struct tls_facts tlsf;   /* handshake facts, if any TLS seen */
	bool tls_spoken;         /* a side sent TLS records */
	struct cert_facts *cert; /* server certificate, or NULL */

	/*
	 * Requests from an analyzer to the engine, honoured after the
	 * current parse call returns: hand the stream to another analyzer
	 * (TLS after STARTTLS, cleartext after a failed implicit TLS), or
	 * stop reassembling because nothing more can be learnt.
	 */
	const struct analyzer *switch_to;
	bool done;
};

/* Frees what the session owns (not the session itself). */
void session_cleanup(struct session *s);

const char *app_proto_name(enum app_proto proto);
const char *exposure_name(enum exposure e);
const char *outcome_name(enum outcome o);
const char *tls_mode_name(enum tls_mode m);
const char *starttls_result_name(enum starttls_result r); /* NULL: none */

/*
 * Records a login.  The username is copied, made printable and truncated;
 * the caller must not pass anything secret.  A login identical to an earlier
 * one of the same session (mechanism and user) is counted, not repeated.
 * Returns the credential's index, or -1 when the session is full (counted).
 */
int session_add_credential(struct session *s, const struct timeval *seen,
    const char *mechanism, const char *username, size_t userlen,
    enum exposure exposure);

/*
 * Records a login that a protocol repeats on every request (HTTP sends its
 * Authorization header each time): one credential per mechanism and user
 * in a session, its count raised each time, whatever the outcomes.
 * Returns its index, or -1 when the session is full (counted).
 */
int session_add_repeated_credential(struct session *s,
    const struct timeval *seen, const char *mechanism, const char *username,
    size_t userlen, enum exposure exposure);

/*
 * Sets the outcome of credential cred (an index from
 * session_add_credential(); out of range is ignored).  A last credential
 * that repeats an earlier one, verdict included, is folded into it.
 */
void session_credential_outcome(struct session *s, int cred, enum outcome o);

/* Copies a printable, truncated form of a client's self-description. */
void session_set_client_name(struct session *s, const uint8_t *p, size_t n);

/* Appends a mechanism name to the advertised list, once. */
void session_add_auth_offered(struct session *s, const uint8_t *p, size_t n);

/* Marks STARTTLS as stripped, with a short printable description. */
void session_set_stripped(struct session *s, const char *what);

/*
 * Copies at most n bytes of p into dst (size dstsize, NUL-terminated),
 * replacing control and non-ASCII bytes by '?'.  Returns dst.
 */
char *session_printable(char *dst, size_t dstsize, const uint8_t *p, size_t n);

#endif
