/*
 * tls.h - TLS handshake parser: versions, cipher suites, extensions and
 * the server certificate, read from the cleartext start of a TLS session.
 *
 * The parser is fed the two directions of a TCP stream as they come
 * (RFC 8446 section 5, RFC 5246 section 6.2; SSLv2 client hellos per the
 * draft-hickman-netscape-ssl-00 record format).  It reassembles records
 * across segments and handshake messages across records, and stops
 * looking at a direction once that side has switched to encrypted records:
 * after that, bytes are only counted.
 */
#ifndef PLAINSIGHT_TLS_H
#define PLAINSIGHT_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Wire version numbers; drafts of TLS 1.3 are 0x7fNN. */
#define TLS_VERSION_SSL2 0x0002
#define TLS_VERSION_SSL3 0x0300
#define TLS_VERSION_TLS10 0x0301
#define TLS_VERSION_TLS11 0x0302
#define TLS_VERSION_TLS12 0x0303
#define TLS_VERSION_TLS13 0x0304

#define TLS_SNI_MAX 256
#define TLS_ALPN_MAX 64
#define TLS_JA3_HEX 33

struct tls_facts {
	bool client_hello;         /* a ClientHello was seen */
	bool sslv2_hello;          /* ... in the SSLv2 record format */
	bool server_hello;         /* a ServerHello was seen */
	bool hello_retry;          /* the server sent a HelloRetryRequest */
	bool established;          /* both sides moved to encrypted records */
	uint16_t client_version;   /* highest version the client offered */
	uint16_t version;          /* negotiated version, 0 if unknown */
	uint16_t cipher;           /* chosen cipher suite */
	bool have_cipher;          /* cipher is valid */
	uint16_t group;            /* key exchange group, 0 if unknown */
	char sni[TLS_SNI_MAX];     /* server_name, "" if none */
	char alpn[TLS_ALPN_MAX];   /* server's ALPN choice, else client's 1st */
	char ja3[TLS_JA3_HEX];     /* client fingerprint, hex MD5, "" if none */
	bool alert;                /* a cleartext alert was seen */
	uint8_t alert_level;       /* 1 warning, 2 fatal */
	uint8_t alert_description; /* RFC 8446 section 6 */
	bool alert_from_server;    /* ... sent by the server */
	bool have_certificate;     /* leaf certificate seen in the clear */
	uint8_t cert_sha256[32];   /* its fingerprint */
	uint16_t client_share;     /* client's first key share group, or 0 */
	uint32_t anomalies;        /* TLS_ANOM_* */
};

/*
 * Anomalies: broken or hostile traffic the parser stepped over.  Each is
 * flagged once per parser, whatever the number of occurrences.
 */
#define TLS_ANOM_GARBAGE 0x01   /* bytes that are no TLS record */
#define TLS_ANOM_OVERSIZED 0x02 /* a handshake message over TLS_HS_MAX */
#define TLS_ANOM_MALFORMED 0x04 /* a message whose lengths do not add up */
#define TLS_ANOM_RESYNC 0x08    /* record boundaries lost after a gap */
#define TLS_ANOM_GAVE_UP 0x10   /* a direction was abandoned */

/*
 * Bytes of one handshake message kept per direction: the longest
 * ClientHello or ServerHello the parser reads.  A longer message is
 * skipped and flagged TLS_ANOM_OVERSIZED; of a longer Certificate, the
 * first TLS_HS_MAX bytes are still searched for the leaf.
 */
#define TLS_HS_MAX 65536

/*
 * What a stream turned out to be.  TLS_STREAM_UNKNOWN until the first bytes
 * of a direction decide it; TLS_STREAM_NOT_TLS when a side's first bytes
 * are not a TLS (or SSLv2) record: the caller should hand the stream to a
 * cleartext analyzer.
 */
enum tls_stream {
	TLS_STREAM_UNKNOWN,
	TLS_STREAM_TLS,
	TLS_STREAM_NOT_TLS,
};

struct tls_parser;

/* Returns a new parser, or NULL when out of memory. */
struct tls_parser *tls_parser_new(void);

/* Frees p and everything it holds; p may be NULL. */
void tls_parser_free(struct tls_parser *p);

/*
 * Feeds n bytes sent by the client (from_server false) or the server.
 * Returns the number of bytes consumed; bytes not consumed must be presented
 * again with more appended (a record split across segments).  full says the
 * caller cannot keep more bytes: the parser then consumes what it has.
 *
 * The parser keeps partial records and handshake messages itself, so it
 * normally consumes everything.  It leaves bytes unconsumed only while the
 * first bytes of a direction are too few to tell whether they are TLS,
 * while it looks for a record header after a gap, and once the direction
 * turned out TLS_STREAM_NOT_TLS: those bytes are never consumed (unless
 * full), so that the caller can hand them to a cleartext analyzer.
 */
size_t tls_parser_feed(struct tls_parser *p, bool from_server,
    const uint8_t *buf, size_t n, bool full);

/*
 * len bytes of one direction were lost (0: an unknown number, as when a
 * stream is joined mid-way): the parser resynchronises.
 */
void tls_parser_gap(struct tls_parser *p, bool from_server, uint64_t len);

/* What the direction's first bytes said. */
enum tls_stream tls_parser_stream(const struct tls_parser *p, bool from_server);

/* True once neither direction can tell anything more. */
bool tls_parser_done(const struct tls_parser *p);

/* The facts gathered so far; valid until tls_parser_free(). */
const struct tls_facts *tls_parser_facts(const struct tls_parser *p);

/*
 * The DER bytes of the server's leaf certificate, when seen in the clear
 * (TLS 1.2 and older), or NULL.  *len receives the length.
 */
const uint8_t *tls_parser_certificate(const struct tls_parser *p, size_t *len);

/*
 * The JA3 string the fingerprint in tls_facts.ja3 is the MD5 of, "" when
 * there is none; cut at TLS_JA3_STR_MAX - 1 bytes (the MD5 is over the whole
 * string).  Valid until tls_parser_free().
 */
#define TLS_JA3_STR_MAX 1024
const char *tls_parser_ja3_string(const struct tls_parser *p);

/* "SSLv2", "SSLv3", "TLSv1.0" ... "TLSv1.3" (drafts too), or NULL. */
const char *tls_version_name(uint16_t version);

/*
 * True for TLS 1.3 and its pre-standard versions: 0x7fNN for the IETF
 * draft-ietf-tls-tls13-NN, and the 0xfbNN variants of the drafts deployed
 * by Facebook's TLS stack (seen on the wire until 2019 or so).
 */
bool tls_version_is_tls13(uint16_t version);

#endif
