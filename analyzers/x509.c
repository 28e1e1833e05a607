/*
 * x509.c - certificate facts from DER (RFC 5280) through libcrypto, and
 * host name matching by RFC 6125 section 6.4.
 *
 * libcrypto does all the ASN.1; this file only picks fields and turns
 * them into bounded printable strings.  Errors libcrypto queues while
 * reading hostile certificates are cleared before returning, so that they
 * never surface in some unrelated later call.
 */
#include "analyzers/x509.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util.h"

/* Longest textual IP address, IPv6 with an embedded IPv4 tail. */
#define X509_IP_TEXT_MAX 46

/*
 * Copies a C string into dst (size bytes), cutting it at a UTF-8 character
 * boundary when it does not fit.
 */
static void
copy_utf8(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((uint8_t)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * Prints a distinguished name as RFC 4514 (most specific RDN first, control
 * characters escaped, UTF-8 kept).  dst is "" when printing fails.
 */
static void
name_text(char *dst, size_t size, const X509_NAME *name)
{
	BIO *bio;
	char *text;
	long n;

	dst[0] = '\0';
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL)
		return;
	if (X509_NAME_print_ex(
		bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		n = BIO_get_mem_data(bio, &text);
		if (n > 0)
			copy_utf8(dst, size, text, (size_t)n);
	}
	BIO_free(bio);
}

/*
 * The last commonName of the subject, in UTF-8: RDNs go from the most
 * general to the most specific (RFC 5280 section 4.1.2.4), and RFC 6125
 * section 6.4.4 wants the most specific.  A name with control characters
 * is left out.
 */
static void
common_name(char *dst, size_t size, const X509_NAME *name)
{
	const ASN1_STRING *value;
	unsigned char *utf8 = NULL;
	int i, last = -1, n, k;

	dst[0] = '\0';
	while (
	    (i = X509_NAME_get_index_by_NID(name, NID_commonName, last)) >= 0)
		last = i;
	if (last < 0)
		return;
	value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last));
	n = ASN1_STRING_to_UTF8(&utf8, value);
	if (n <= 0 || (size_t)n >= size)
		goto cleanup;
	for (k = 0; k < n; k++) {
		if (utf8[k] < 0x20 || utf8[k] == 0x7f)
			goto cleanup;
	}
	memcpy(dst, utf8, (size_t)n);
	dst[n] = '\0';

cleanup:
	OPENSSL_free(utf8);
}

/* A DNS name fit to list: printable ASCII, no separator nor blank. */
static bool
plain_dns_name(const unsigned char *s, int n)
{
	int i;

	if (n <= 0)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == ',')
			return false;
	}
	return true;
}

/*
 * Appends name to the comma-separated list.  The first name that does not
 * fit ends the list, so that it stays a prefix of the certificate's.
 */
static void
sans_add(struct cert_facts *out, const char *name, size_t n)
{
	size_t have = strlen(out->sans), sep = have > 0 ? 1 : 0;

	if (out->sans_cut || have + sep + n + 1 > sizeof(out->sans)) {
		out->sans_cut = true;
		return;
	}
	if (sep)
		out->sans[have++] = ',';
	memcpy(out->sans + have, name, n);
	out->sans[have + n] = '\0';
}

/* subjectAltName (RFC 5280 section 4.2.1.6): dNSName and iPAddress. */
static void
subject_alt_names(X509 *x, struct cert_facts *out)
{
	GENERAL_NAMES *names;
	const GENERAL_NAME *gn;
	const unsigned char *s;
	char ip[X509_IP_TEXT_MAX];
	int i, n;

	names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	if (names == NULL)
		return;
	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		gn = sk_GENERAL_NAME_value(names, i);
		if (gn->type == GEN_DNS) {
			s = ASN1_STRING_get0_data(gn->d.dNSName);
			n = ASN1_STRING_length(gn->d.dNSName);
			if (!plain_dns_name(s, n))
				continue;
			out->dns_san = true;
			sans_add(out, (const char *)s, (size_t)n);
		} else if (gn->type == GEN_IPADD) {
			s = ASN1_STRING_get0_data(gn->d.iPAddress);
			n = ASN1_STRING_length(gn->d.iPAddress);
			if ((n == 4 && inet_ntop(AF_INET, s, ip, sizeof(ip))) ||
			    (n == 16 && inet_ntop(AF_INET6, s, ip, sizeof(ip))))
				sans_add(out, ip, strlen(ip));
		}
	}
	GENERAL_NAMES_free(names);
}

/* An ASN1_TIME as seconds since the epoch; 0 when unreadable. */
static time_t
asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

/* Short names of the key types libcrypto knows, NULL for others. */
static const char *
key_name(int id)
{
	switch (id) {
	case EVP_PKEY_RSA:
		return "RSA";
	case EVP_PKEY_RSA_PSS:
		return "RSA-PSS";
	case EVP_PKEY_EC:
		return "EC";
	case EVP_PKEY_ED25519:
		return "Ed25519";
	case EVP_PKEY_ED448:
		return "Ed448";
	case EVP_PKEY_DSA:
		return "DSA";
	case EVP_PKEY_DH:
	case EVP_PKEY_DHX:
		return "DH";
	default:
		break;
	}
	return NULL;
}

/* The public key's algorithm and size. */
static void
key_facts(X509 *x, struct cert_facts *out)
{
	ASN1_OBJECT *alg = NULL;
	EVP_PKEY *key;
	const char *name = NULL;

	key = X509_get0_pubkey(x);
	if (key != NULL) {
		out->key_bits = EVP_PKEY_get_bits(key);
		name = key_name(EVP_PKEY_get_base_id(key));
	}

	/* Keys libcrypto cannot load (GOST...) still have an OID. */
	if (name == NULL &&
	    X509_PUBKEY_get0_param(
		&alg, NULL, NULL, NULL, X509_get_X509_PUBKEY(x)) == 1 &&
	    OBJ_obj2nid(alg) != NID_undef)
		name = OBJ_nid2sn(OBJ_obj2nid(alg));
	snprintf(out->key_type, sizeof(out->key_type), "%s",
	    name != NULL ? name : "unknown");
}

/* The signature algorithm's name, or its dotted OID when unnamed. */
static void
signature_algorithm(X509 *x, struct cert_facts *out)
{
	const X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *oid = NULL;

	X509_get0_signature(NULL, &alg, x);
	if (alg != NULL)
		X509_ALGOR_get0(&oid, NULL, NULL, alg);
	if (oid == NULL ||
	    OBJ_obj2txt(out->sig_alg, sizeof(out->sig_alg), oid, 0) <= 0)
		snprintf(out->sig_alg, sizeof(out->sig_alg), "unknown");
}

int
x509_facts(const uint8_t *der, size_t len, struct cert_facts *out)
{
	const unsigned char *at = der;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	X509 *x = NULL;
	int rc = -1;

	/* One certificate, all of der: the hash must be the cert's own. */
	memset(out, 0, sizeof(*out));
	if (der == NULL || len == 0 || len > INT32_MAX)
		goto cleanup;
	x = d2i_X509(NULL, &at, (long)len);
	if (x == NULL || at != der + len)
		goto cleanup;
	if (EVP_Digest(der, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		goto cleanup;
	for (i = 0; i < mdlen; i++)
		snprintf(out->sha256_hex + 2 * (size_t)i, 3, "%02x", md[i]);

	/* Names, validity, key, signature. */
	name_text(out->subject, sizeof(out->subject), X509_get_subject_name(x));
	name_text(out->issuer, sizeof(out->issuer), X509_get_issuer_name(x));
	common_name(out->cn, sizeof(out->cn), X509_get_subject_name(x));
	subject_alt_names(x, out);
	out->not_before = asn1_time(X509_get0_notBefore(x));
	out->not_after = asn1_time(X509_get0_notAfter(x));
	key_facts(x, out);
	signature_algorithm(x, out);
	out->self_signed = X509_self_signed(x, 1) == 1;
	rc = 0;

cleanup:
	X509_free(x);
	ERR_clear_error();
	if (rc == -1)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* Case-insensitive equality of two ASCII strings of n bytes. */
static bool
same_ascii(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ascii_lower((uint8_t)a[i]) != ascii_lower((uint8_t)b[i]))
			return false;
	}
	return true;
}

/*
 * Whether the presented identifier id[0..n) matches host (hlen bytes, no
 * trailing dot), RFC 6125 section 6.4.3.  Only a whole left-most "*" label
 * is a wildcard, and not on a name of fewer than three labels: "*.com"
 * would cover a whole top-level domain.
 */
static bool
dns_id_matches(const char *id, size_t n, const char *host, size_t hlen)
{
	const char *dot;

	if (n > 0 && id[n - 1] == '.')
		n--;
	if (n == 0)
		return false;
	if (n < 3 || id[0] != '*' || id[1] != '.')
		return n == hlen && same_ascii(id, host, n);

	/* "*." and a suffix of two labels or more. */
	dot = memchr(id + 2, '.', n - 2);
	if (dot == NULL || dot == id + 2 || dot == id + n - 1)
		return false;
	dot = memchr(host, '.', hlen);
	if (dot == NULL || dot == host)
		return false;
	return (size_t)(host + hlen - dot) == n - 1 &&
	    same_ascii(dot, id + 1, n - 1);
}

/* Host names are letters, digits, hyphens, underscores and dots. */
static bool
host_chars_ok(const char *host, size_t n)
{
	size_t i;
	char c;

	for (i = 0; i < n; i++) {
		c = host[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '.' ||
			c == '_'))
			return false;
	}
	return n > 0;
}

/* The canonical text of an IP address, or "" when s is no address. */
static void
ip_text(const char *s, char *out, size_t size)
{
	uint8_t addr[16];

	out[0] = '\0';
	if (inet_pton(AF_INET, s, addr) == 1)
		inet_ntop(AF_INET, addr, out, (socklen_t)size);
	else if (inet_pton(AF_INET6, s, addr) == 1)
		inet_ntop(AF_INET6, addr, out, (socklen_t)size);
}

/* Whether one SAN entry matches an IP host (canonical text) or a name. */
static bool
san_matches(
    const char *id, size_t n, const char *ip, const char *host, size_t hlen)
{
	char entry[X509_IP_TEXT_MAX], canon[X509_IP_TEXT_MAX];

	/* An entry that reads as an address was an iPAddress SAN. */
	if (n < sizeof(entry)) {
		memcpy(entry, id, n);
		entry[n] = '\0';
		ip_text(entry, canon, sizeof(canon));
		if (canon[0] != '\0')
			return ip[0] != '\0' && strcmp(canon, ip) == 0;
	}
	return ip[0] == '\0' && dns_id_matches(id, n, host, hlen);
}

bool
x509_name_matches(const struct cert_facts *c, const char *host)
{
	char ip[X509_IP_TEXT_MAX];
	const char *at, *end;
	size_t hlen;

	if (host == NULL)
		return false;
	hlen = strlen(host);
	ip_text(host, ip, sizeof(ip));
	if (ip[0] == '\0') {
		if (hlen > 0 && host[hlen - 1] == '.')
			hlen--;
		if (!host_chars_ok(host, hlen))
			return false;
	}

	/* The CN counts only without a DNS SAN (RFC 6125 section 6.4.4). */
	if (ip[0] == '\0' && !c->dns_san)
		return dns_id_matches(c->cn, strlen(c->cn), host, hlen);
	for (at = c->sans; *at != '\0'; at = *end == ',' ? end + 1 : end) {
		end = strchr(at, ',');
		if (end == NULL)
			end = at + strlen(at);
		if (san_matches(at, (size_t)(end - at), ip, host, hlen))
			return true;
	}
	return false;
}
