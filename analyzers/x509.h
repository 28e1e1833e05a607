/*
 * x509.h - facts about an X.509 certificate (RFC 5280), read with
 * OpenSSL's libcrypto, and the host name check of RFC 6125 section 6.4.
 */
#ifndef PLAINSIGHT_X509_H
#define PLAINSIGHT_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CERT_NAME_MAX 256
#define CERT_SANS_MAX 512

struct cert_facts {
	char sha256_hex[65];         /* SHA-256 of the DER, hex */
	char subject[CERT_NAME_MAX]; /* RFC 4514, UTF-8, maybe cut */
	char issuer[CERT_NAME_MAX];  /* ditto */
	char cn[CERT_NAME_MAX];      /* last subject CN, UTF-8, or "" */
	char sans[CERT_SANS_MAX];    /* DNS names and IPs, "a,b" */
	bool sans_cut;               /* SANs left out for lack of room */
	bool dns_san;                /* the SANs hold a DNS name */
	time_t not_before;           /* validity, seconds since 1970 */
	time_t not_after;            /* ditto */
	char key_type[16];           /* "RSA", "EC", "Ed25519", "DSA"... */
	int key_bits;                /* key size, 0 if unknown */
	char sig_alg[48];            /* "sha256WithRSAEncryption"... */
	bool self_signed;            /* issued and signed by its own key */
};

/*
 * Fills out with the facts of the DER certificate der[0..len), which must
 * hold exactly one certificate.  Names are made printable (RFC 4514
 * escapes; UTF-8 kept) and cut to fit; SAN entries that are not plain
 * printable names are left out.  Returns 0, or -1 when der is no
 * certificate (out is then zeroed).
 */
int x509_facts(const uint8_t *der, size_t len, struct cert_facts *out);

/*
 * Whether the certificate is valid for host, by RFC 6125 section 6.4:
 * DNS names compared without regard to ASCII case, a trailing dot ignored;
 * a "*" as the whole left-most label of a name with three labels or more
 * matches exactly one label; the subject CN counts only when the
 * certificate has no DNS name among its SANs.  An IP address host matches
 * IP address SANs only.
 */
bool x509_name_matches(const struct cert_facts *c, const char *host);

#endif
