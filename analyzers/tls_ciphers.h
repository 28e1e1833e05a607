/*
 * tls_ciphers.h - what a TLS cipher suite code point means for security.
 *
 * The table covers the IANA "TLS Cipher Suites" registry (RFC 8447 section
 * 8) as tshark knows it, plus the few pre-standard and national code points
 * it also names.  tools/gen-tls-ciphers.py derives every column from the
 * suite's name:
 *
 * - kex: the key exchange.  "RSA", "DH" and "ECDH" (static keys), "DHE",
 *   "ECDHE", "PSK", "DHE_PSK", "ECDHE_PSK", "RSA_PSK", "DH_anon",
 *   "ECDH_anon", "SRP", "KRB5", "ECCPWD", "ECJPAKE", "GOST", "FORTEZZA",
 *   the GM/T 0024 exchanges "ECC", "IBC" and "IBSDH", "TLS13" for suites
 *   only TLS 1.3 uses (the exchange is negotiated apart, RFC 8446 section
 *   4.1.1), "NULL" for TLS_NULL_WITH_NULL_NULL and "SCSV" for signalling
 *   values.
 * - forward_secret: recording the traffic and later stealing a long-term
 *   key (server key, PSK, password, Kerberos key) does not decrypt it.
 *   True for DHE, ECDHE, their PSK variants and every TLS 1.3 suite; true
 *   for SRP, ECCPWD and EC J-PAKE, whose exchanges use fresh random
 *   exponents on both sides so that knowing the password afterwards gives
 *   no session key; true for anonymous DH, which is ephemeral but broken
 *   anyway.  False for RSA key transport, static DH/ECDH, PSK, RSA_PSK,
 *   Kerberos, GOST key transport and the GM/T ECC, IBC and IBSDH suites.
 * - broken: why the suite gives no real protection, the worst reason
 *   only: "NULL" (no encryption), "EXPORT" (40/56-bit export grade),
 *   "anonymous" (no authentication), "RC4" (RFC 7465), "3DES" and "IDEA"
 *   and "Skipjack" (64-bit blocks, RFC 9325 section 4.1 and Sweet32),
 *   "DES" (56-bit keys), "RC2"; NULL when none applies.
 * - md5_mac: records are authenticated with HMAC-MD5 alone.  Not broken
 *   as an HMAC, but a sign of a suite older than SHA-1.
 */
#ifndef PLAINSIGHT_TLS_CIPHERS_H
#define PLAINSIGHT_TLS_CIPHERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tls_cipher {
	uint16_t id;         /* code point, as on the wire */
	const char *name;    /* IANA name, e.g. "TLS_RSA_WITH_RC4_128_SHA" */
	const char *kex;     /* key exchange, see above */
	bool forward_secret; /* see above */
	bool scsv;           /* a signalling value, not a real suite */
	bool md5_mac;        /* HMAC-MD5 record MAC */
	const char *broken;  /* NULL, or why the suite is broken */
};

/*
 * The entry for code point id, or NULL when the code point is unknown
 * (GREASE values included: see tls_is_grease()).  The entry is static.
 */
const struct tls_cipher *tls_cipher_lookup(uint16_t id);

/* The whole table, sorted by code point; *n receives its length. */
const struct tls_cipher *tls_cipher_table_get(size_t *n);

/*
 * True for the GREASE values of RFC 8701 section 2, 0x0A0A, 0x1A1A ...
 * 0xFAFA, which clients put among cipher suites, extensions, groups and
 * versions to keep servers tolerant of unknown values.
 */
static inline bool
tls_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

#endif
