/*
 * analyzer.h - the contract between the engine and protocol analyzers.
 *
 * An analyzer sees the two byte streams of one TCP session, in order and
 * interleaved as they were captured, and records what it learns in the
 * session.  It never touches packets, flows or the database.
 *
 * Streams are handed over in pieces.  parse() returns how many bytes it
 * consumed; the engine keeps the rest and presents it again, with the next
 * bytes of that direction appended, so an analyzer may wait for a whole line
 * or record by consuming nothing.  The engine keeps at most bufmax bytes per
 * direction: when that much is waiting and nothing was consumed, parse() is
 * called once more with PARSE_FULL and must consume something (typically by
 * discarding an overlong line); if it still does not, the engine drops the
 * waiting bytes and counts it.
 *
 * Analyzers of UDP protocols get each datagram whole, flagged
 * PARSE_DATAGRAM, and nothing is kept between calls.
 */
#ifndef PLAINSIGHT_ANALYZER_H
#define PLAINSIGHT_ANALYZER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "analyzers/session.h"

enum dir {
	DIR_TO_SERVER = 0, /* bytes the client sent */
	DIR_TO_CLIENT = 1, /* bytes the server sent */
};

#define PARSE_FULL 0x01     /* the waiting bytes reached bufmax */
#define PARSE_DATAGRAM 0x02 /* one whole UDP datagram: consume it all */

struct analyzer {
	const char *name;
	size_t bufmax; /* bytes kept per direction between calls */

	/* Returns fresh state for session s, or NULL when out of memory. */
	void *(*create)(struct session *s);

	/*
	 * Parses n bytes sent in direction d at time ts.  Returns the number
	 * of bytes consumed, at most n.
	 */
	size_t (*parse)(void *state, struct session *s, enum dir d,
	    const uint8_t *p, size_t n, const struct timeval *ts,
	    unsigned int flags);

	/*
	 * len bytes of direction d were lost, or an unknown number when len
	 * is 0 (a stream picked up mid-way); resynchronise.
	 */
	void (*gap)(void *state, struct session *s, enum dir d, uint64_t len);

	/* The session is over; settle anything still pending. */
	void (*end)(void *state, struct session *s);

	/* Frees state; state may be NULL. */
	void (*destroy)(void *state);
};

extern const struct analyzer smtp_analyzer;
extern const struct analyzer imap_analyzer;
extern const struct analyzer pop3_analyzer;
extern const struct analyzer tls_analyzer;
extern const struct analyzer socks_analyzer;
extern const struct analyzer http_analyzer;
extern const struct analyzer ftp_analyzer;
extern const struct analyzer telnet_analyzer;
extern const struct analyzer ldap_analyzer;
extern const struct analyzer snmp_analyzer;
extern const struct analyzer mysql_analyzer;
extern const struct analyzer pgsql_analyzer;

/* The cleartext analyzer for a mail protocol, or NULL. */
const struct analyzer *analyzer_for_proto(enum app_proto proto);

#endif
