/*
 * test_ldap.c - unit tests for the LDAP analyzer.
 *
 * Messages are built here with a small BER writer, so that every length
 * is computed rather than counted by hand; each case then lists them as
 * chunks of a session, both directions interleaved, with the facts a
 * careful reader would record.  feed.h replays each case whole, cut at
 * every offset and byte by byte.  Chunk numbers count from 1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "feed.h"

#define STARTTLS_OID "1.3.6.1.4.1.1466.20037"

/* Identifier octets of RFC 4511 (section 4 and appendix B). */
#define T_INT 0x02
#define T_OCTETS 0x04
#define T_ENUM 0x0a
#define T_SEQ 0x30
#define T_SET 0x31
#define T_BIND 0x60
#define T_BIND_RESP 0x61
#define T_UNBIND 0x42
#define T_SEARCH 0x63
#define T_ENTRY 0x64
#define T_EXT 0x77
#define T_EXT_RESP 0x78
#define T_SIMPLE 0x80
#define T_SASL 0xa3
#define T_SICILY_NEG 0x8a
#define T_SICILY_RESP 0x8b
#define T_SASL_CREDS 0x87 /* serverSaslCreds [7] */
#define T_EXT_NAME 0x80

/* A BER value being written; nested values are closed in order. */
struct bld {
	uint8_t b[80000];
	size_t n;
	size_t open[64]; /* where each open value's length byte is */
	unsigned int depth;
	bool long_form; /* four-byte lengths, as Active Directory writes */
};

static struct bld bld;

/* Builders run before the tests: a mistake in them stops the run. */
static void
need(bool ok)
{
	if (!ok)
		abort();
}

/* Session bytes live here for the whole run. */
static uint8_t arena[1 << 20];
static size_t arena_used;

static void
b_start(bool long_form)
{
	bld.n = 0;
	bld.depth = 0;
	bld.long_form = long_form;
}

static void
b_raw(const void *p, size_t n)
{
	need(bld.n + n <= sizeof(bld.b));
	memcpy(bld.b + bld.n, p, n);
	bld.n += n;
}

static void
b_open(uint8_t tag)
{
	need(bld.depth < ARRAY_SIZE(bld.open));
	b_raw(&tag, 1);
	bld.open[bld.depth++] = bld.n;
	b_raw("", 1);
}

/* Closes the innermost value, writing its length in front of it. */
static void
b_close(void)
{
	size_t at = bld.open[--bld.depth], len = bld.n - at - 1, k = 0, i;

	if (len >= 128 || bld.long_form)
		k = bld.long_form ? 4 : len > 0xffff ? 3 : len > 0xff ? 2 : 1;
	need(bld.n + k <= sizeof(bld.b));
	memmove(bld.b + at + 1 + k, bld.b + at + 1, len);
	bld.n += k;
	if (k == 0) {
		bld.b[at] = (uint8_t)len;
		return;
	}
	bld.b[at] = (uint8_t)(0x80 | k);
	for (i = 0; i < k; i++)
		bld.b[at + 1 + i] = (uint8_t)(len >> (8 * (k - 1 - i)));
}

static void
b_tlv(uint8_t tag, const void *p, size_t n)
{
	b_open(tag);
	b_raw(p, n);
	b_close();
}

static void
b_str(uint8_t tag, const char *s)
{
	b_tlv(tag, s, strlen(s));
}

static void
b_int(uint8_t tag, uint32_t v)
{
	uint8_t be[5] = { 0, (uint8_t)(v >> 24), (uint8_t)(v >> 16),
		(uint8_t)(v >> 8), (uint8_t)v };
	size_t i = 0;

	/* Minimal two's complement: drop leading zeros a sign allows. */
	while (i < 4 && be[i] == 0 && (be[i + 1] & 0x80) == 0)
		i++;
	b_tlv(tag, be + i, 5 - i);
}

/* Opens an LDAPMessage with its messageID (RFC 4511 section 4.1.1). */
static void
b_message(uint32_t id, bool long_form)
{
	b_start(long_form);
	b_open(T_SEQ);
	b_int(T_INT, id);
}

/* Closes the message and keeps it as a chunk sent in direction d. */
static struct feed_chunk
b_chunk(enum dir d)
{
	struct feed_chunk c;

	while (bld.depth > 0)
		b_close();
	need(arena_used + bld.n <= sizeof(arena));
	memcpy(arena + arena_used, bld.b, bld.n);
	c.dir = d;
	c.text = (const char *)arena + arena_used;
	c.len = bld.n;
	arena_used += bld.n;
	return c;
}

/* Bytes as a chunk, for what is not a message. */
static struct feed_chunk
raw_chunk(enum dir d, const void *p, size_t n)
{
	b_start(false);
	b_raw(p, n);
	return b_chunk(d);
}

/*
 * Two chunks as one, as when messages share a segment; b must have been
 * built right after a.
 */
static struct feed_chunk
join(struct feed_chunk a, struct feed_chunk b)
{
	need(a.text + a.len == b.text && a.dir == b.dir);
	a.len += b.len;
	return a;
}

static struct feed_chunk
bind_simple(uint32_t id, const char *dn, const char *pw, bool long_form)
{
	b_message(id, long_form);
	b_open(T_BIND);
	b_int(T_INT, 3);
	b_str(T_OCTETS, dn);
	b_str(T_SIMPLE, pw);
	return b_chunk(DIR_TO_SERVER);
}

/* A SASL bind; cred NULL leaves the credentials out. */
static struct feed_chunk
bind_sasl(uint32_t id, const char *mech, const void *cred, size_t clen)
{
	b_message(id, false);
	b_open(T_BIND);
	b_int(T_INT, 3);
	b_str(T_OCTETS, "");
	b_open(T_SASL);
	b_str(T_OCTETS, mech);
	if (cred != NULL)
		b_tlv(T_OCTETS, cred, clen);
	return b_chunk(DIR_TO_SERVER);
}

static struct feed_chunk
bind_sicily(uint32_t id, uint8_t tag, const void *msg, size_t len)
{
	b_message(id, false);
	b_open(T_BIND);
	b_int(T_INT, 3);
	b_str(T_OCTETS, "");
	b_tlv(tag, msg, len);
	return b_chunk(DIR_TO_SERVER);
}

/* An LDAPResult (RFC 4511 section 4.1.9) under tag op. */
static void
b_result(uint32_t id, uint8_t op, uint32_t rc, bool long_form)
{
	b_message(id, long_form);
	b_open(op);
	b_int(T_ENUM, rc);
	b_str(T_OCTETS, "");
	b_str(T_OCTETS, rc == 0 ? "" : "80090308: LdapErr: DSID-0C09044E");
}

static struct feed_chunk
bind_response(uint32_t id, uint32_t rc)
{
	b_result(id, T_BIND_RESP, rc, false);
	return b_chunk(DIR_TO_CLIENT);
}

static struct feed_chunk
bind_response_long(uint32_t id, uint32_t rc)
{
	b_result(id, T_BIND_RESP, rc, true);
	return b_chunk(DIR_TO_CLIENT);
}

/* saslBindInProgress with a challenge in serverSaslCreds. */
static struct feed_chunk
bind_challenge(uint32_t id, const char *challenge)
{
	b_result(id, T_BIND_RESP, 14, false);
	b_str(T_SASL_CREDS, challenge);
	return b_chunk(DIR_TO_CLIENT);
}

static struct feed_chunk
ext_request(uint32_t id, const char *oid)
{
	b_message(id, false);
	b_open(T_EXT);
	b_str(T_EXT_NAME, oid);
	return b_chunk(DIR_TO_SERVER);
}

static struct feed_chunk
ext_response(uint32_t id, uint32_t rc)
{
	b_result(id, T_EXT_RESP, rc, false);
	return b_chunk(DIR_TO_CLIENT);
}

static struct feed_chunk
search_request(uint32_t id, const char *base)
{
	b_message(id, false);
	b_open(T_SEARCH);
	b_str(T_OCTETS, base);
	b_int(T_ENUM, 0);
	b_int(T_ENUM, 0);
	b_int(T_INT, 0);
	b_int(T_INT, 0);
	b_tlv(0x01, "\x00", 1);
	b_str(0x87, "objectClass");
	b_open(T_SEQ);
	b_str(T_OCTETS, "supportedExtension");
	return b_chunk(DIR_TO_SERVER);
}

/* A root DSE entry listing supportedExtension values. */
static struct feed_chunk
root_dse(uint32_t id, const char *const *exts, size_t n)
{
	size_t i;

	b_message(id, false);
	b_open(T_ENTRY);
	b_str(T_OCTETS, "");
	b_open(T_SEQ);
	b_open(T_SEQ);
	b_str(T_OCTETS, "namingContexts");
	b_open(T_SET);
	b_str(T_OCTETS, "dc=example,dc=org");
	b_close();
	b_close();
	b_open(T_SEQ);
	b_str(T_OCTETS, "supportedExtension");
	b_open(T_SET);
	for (i = 0; i < n; i++)
		b_str(T_OCTETS, exts[i]);
	return b_chunk(DIR_TO_CLIENT);
}

static struct feed_chunk
unbind(uint32_t id)
{
	b_message(id, false);
	b_tlv(T_UNBIND, "", 0);
	return b_chunk(DIR_TO_SERVER);
}

/* A search result entry too long to be buffered. */
static struct feed_chunk
huge_entry(uint32_t id)
{
	static char photo[70000];

	memset(photo, 'J', sizeof(photo));
	b_message(id, false);
	b_open(T_ENTRY);
	b_str(T_OCTETS, "uid=zed,dc=example,dc=org");
	b_open(T_SEQ);
	b_open(T_SEQ);
	b_str(T_OCTETS, "jpegPhoto");
	b_open(T_SET);
	b_tlv(T_OCTETS, photo, sizeof(photo));
	return b_chunk(DIR_TO_CLIENT);
}

/* A search request whose filter nests SEQUENCE-like ANDs 60 deep. */
static struct feed_chunk
deep_search(uint32_t id)
{
	unsigned int i;

	b_message(id, false);
	b_open(T_SEARCH);
	b_str(T_OCTETS, "dc=example,dc=org");
	for (i = 0; i < 60; i++)
		b_open(0xa0);
	return b_chunk(DIR_TO_SERVER);
}

/*
 * NTLM messages ([MS-NLMP] section 2.2.1): NEGOTIATE, and AUTHENTICATE
 * with a domain and user in UTF-16LE and a made-up response.
 */
#define NT_RESPONSE "NtResponse-Secret-Bytes!"

static size_t
ntlm_negotiate(uint8_t *m)
{
	memset(m, 0, 40);
	memcpy(m, "NTLMSSP\0\x01\0\0\0\x07\x82\x08\xa2", 16);
	return 40;
}

static void
ntlm_put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* Writes a security buffer at m + at for payload at off, len bytes. */
static void
ntlm_field(uint8_t *m, size_t at, size_t off, size_t len)
{
	ntlm_put16(m + at, len);
	ntlm_put16(m + at + 2, len);
	ntlm_put16(m + at + 4, off);
	ntlm_put16(m + at + 6, 0);
}

static size_t
ntlm_utf16(uint8_t *out, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		out[2 * i] = (uint8_t)s[i];
		out[2 * i + 1] = 0;
	}
	return 2 * i;
}

static size_t
ntlm_authenticate(uint8_t *m, const char *domain, const char *user)
{
	size_t off = 72, dlen, ulen, rlen = strlen(NT_RESPONSE);

	memset(m, 0, off);
	memcpy(m, "NTLMSSP\0\x03\0\0\0", 12);
	memcpy(m + off, NT_RESPONSE, rlen);
	ntlm_field(m, 12, off, 0);
	ntlm_field(m, 20, off, rlen);
	off += rlen;
	dlen = ntlm_utf16(m + off, domain);
	ntlm_field(m, 28, off, dlen);
	off += dlen;
	ulen = ntlm_utf16(m + off, user);
	ntlm_field(m, 36, off, ulen);
	off += ulen;
	ntlm_field(m, 44, off, 0);
	ntlm_field(m, 52, off, 0);
	memcpy(m + 60, "\x05\x82\x88\xa2", 4);
	return off;
}

/* A SPNEGO negTokenResp around an NTLM message (RFC 4178 4.2.2). */
static struct feed_chunk
bind_spnego_wrapped(uint32_t id, const uint8_t *ntlm, size_t len)
{
	uint8_t tok[512];
	size_t n;

	b_start(false);
	b_open(0xa1);
	b_open(T_SEQ);
	b_open(0xa2);
	b_tlv(T_OCTETS, ntlm, len);
	while (bld.depth > 0)
		b_close();
	n = bld.n;
	memcpy(tok, bld.b, n);
	return bind_sasl(id, "GSS-SPNEGO", tok, n);
}

/* A Kerberos AP-REQ stand-in inside a SPNEGO negTokenInit. */
static const char krb_token[] =
    "\x60\x1e\x06\x06\x2b\x06\x01\x05\x05\x02\xa0\x14\x30\x12\xa0\x0d\x30"
    "\x0b\x06\x09\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\xa2\x01\x00";

#define HELLO "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"

/* Sessions, filled in by build_cases(). */
static struct feed_chunk s_simple[8], s_simple_retry[8], s_anonymous[8],
    s_unauth[8], s_ad_long[8], s_starttls[8], s_starttls_refused[8],
    s_starttls_overtaken[8], s_starttls_one_sided[8], s_cleartext_after[8],
    s_plain[8], s_cram[8], s_digest[8], s_scram[8], s_spnego_ntlm[12],
    s_spnego_wrapped[8], s_spnego_krb[8], s_gssapi[8], s_external[8],
    s_sicily[8], s_dse_offered[8], s_dse_not_offered[8], s_pipelined[8],
    s_oversize[8], s_gap_aligned[8], s_gap_unaligned[8], s_garbage[8],
    s_lying[8], s_indefinite[8], s_deep[8], s_huge_claim[8],
    s_stray_response[8];

static void
build_auth_cases(void)
{
	static const char plain[] = "\0alice\0Alice-Pw-1";
	static const char cram[] = "carl 3dbc88f0624776a737b39093f6eb6427";
	static const char digest[] =
	    "charset=utf-8,username=\"dora\",realm=\"example.org\","
	    "nonce=\"OA6MG9tEQGm2hh\",nc=00000001,cnonce=\"OA6MHXh6VqTrRk\","
	    "digest-uri=\"ldap/ldap.example.org\","
	    "response=d388dad90d4bbd760a152321f2143af7,qop=auth";
	static const char scram1[] = "n,,n=edna,r=rOprNGfwEbeRWgbNEkqO";
	static const char scram2[] =
	    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
	    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
	uint8_t m[256];
	size_t n;

	s_plain[0] = bind_sasl(1, "PLAIN", plain, sizeof(plain) - 1);
	s_plain[1] = bind_response(1, 0);

	s_cram[0] = bind_sasl(1, "CRAM-MD5", NULL, 0);
	s_cram[1] = bind_challenge(1, "<1896.697170952@ldap.example.org>");
	s_cram[2] = bind_sasl(2, "cram-md5", cram, sizeof(cram) - 1);
	s_cram[3] = bind_response(2, 49);

	s_digest[0] = bind_sasl(1, "DIGEST-MD5", NULL, 0);
	s_digest[1] = bind_challenge(1, "realm=\"example.org\",nonce=\"x\"");
	s_digest[2] = bind_sasl(2, "DIGEST-MD5", digest, sizeof(digest) - 1);
	s_digest[3] = bind_challenge(2, "rspauth=ea40f60335c427b5527b84dbab");
	s_digest[4] = bind_sasl(3, "DIGEST-MD5", NULL, 0);
	s_digest[5] = bind_response(3, 0);

	/* No security layer was chosen: messages stay readable. */
	s_digest[6] = bind_simple(4, "cn=ro,dc=example,dc=org", "Ro-Pw", false);

	s_scram[0] = bind_sasl(1, "SCRAM-SHA-512", scram1, sizeof(scram1) - 1);
	s_scram[1] = bind_challenge(1, "r=rOprNGfwEbeRWgbNEkqO%hvYDpW,s=W22Z");
	s_scram[2] = bind_sasl(2, "SCRAM-SHA-512", scram2, sizeof(scram2) - 1);
	s_scram[3] = bind_challenge(2, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5n");
	s_scram[4] = unbind(3);

	/* Twice the same refused NTLM login: one credential, counted. */
	n = ntlm_negotiate(m);
	s_spnego_ntlm[0] = bind_sasl(65, "GSS-SPNEGO", m, n);
	s_spnego_ntlm[1] = bind_challenge(65, "NTLMSSP\x00\x02\x00\x00\x00");
	n = ntlm_authenticate(m, "CORP", "eve");
	s_spnego_ntlm[2] = bind_sasl(66, "GSS-SPNEGO", m, n);
	s_spnego_ntlm[3] = bind_response_long(66, 49);
	n = ntlm_negotiate(m);
	s_spnego_ntlm[4] = bind_sasl(83, "GSS-SPNEGO", m, n);
	s_spnego_ntlm[5] = bind_challenge(83, "NTLMSSP\x00\x02\x00\x00\x00");
	n = ntlm_authenticate(m, "CORP", "eve");
	s_spnego_ntlm[6] = bind_sasl(84, "GSS-SPNEGO", m, n);
	s_spnego_ntlm[7] = bind_response_long(84, 49);

	n = ntlm_authenticate(m, "", "frank");
	s_spnego_wrapped[0] = bind_spnego_wrapped(7, m, n);
	s_spnego_wrapped[1] = bind_response(7, 0);

	/* Sealed from here on (RFC 4752 section 3.3 framing). */
	s_spnego_wrapped[2] = raw_chunk(DIR_TO_SERVER,
	    "\x00\x00\x00\x0c\x05\x04\x06\xff\x00\x0c\x00\x00\x30\x0a"
	    "\x02\x01",
	    16);
	s_spnego_wrapped[3] = raw_chunk(DIR_TO_CLIENT,
	    "\x00\x00\x00\x08\x05\x04\x07\xff\x60\x05\x30\x84", 12);
	s_spnego_wrapped[4] =
	    bind_simple(9, "uid=unseen,dc=example,dc=org", "Unseen-Pw", false);

	s_spnego_krb[0] =
	    bind_sasl(1, "GSS-SPNEGO", krb_token, sizeof(krb_token) - 1);
	s_spnego_krb[1] = bind_challenge(1, "\xa1\x07\x30\x05\xa0\x03\x0a\x01");
	s_spnego_krb[2] = bind_sasl(2, "GSS-SPNEGO", "", 0);
	s_spnego_krb[3] = bind_response(2, 0);

	s_gssapi[0] = bind_sasl(1, "GSSAPI", krb_token, sizeof(krb_token) - 1);
	s_gssapi[1] = bind_challenge(1, "\x05\x04\x01\xff");
	s_gssapi[2] = bind_sasl(2, "GSSAPI", "", 0);
	s_gssapi[3] = bind_challenge(2, "\x05\x04\x00\xff");
	s_gssapi[4] = bind_sasl(3, "GSSAPI", "\x05\x04\x00\xff", 4);
	s_gssapi[5] = bind_response(3, 0);

	s_external[0] = bind_sasl(1, "EXTERNAL", NULL, 0);
	s_external[1] = bind_response(1, 0);

	n = ntlm_negotiate(m);
	s_sicily[0] = bind_sicily(3, T_SICILY_NEG, m, n);
	s_sicily[1] = bind_response(3, 0);
	n = ntlm_authenticate(m, "CORP", "gus");
	s_sicily[2] = bind_sicily(4, T_SICILY_RESP, m, n);
	s_sicily[3] = bind_response(4, 0);
}

static void
build_starttls_cases(void)
{
	static const char *const with[] = { "1.3.6.1.4.1.4203.1.11.1",
		STARTTLS_OID, "1.3.6.1.4.1.4203.1.11.3" };
	static const char *const without[] = { "1.3.6.1.4.1.4203.1.11.1",
		"1.3.6.1.4.1.4203.1.11.3" };

	s_starttls[0] = ext_request(1, STARTTLS_OID);
	s_starttls[1] = ext_response(1, 0);
	s_starttls[1] = join(s_starttls[1],
	    raw_chunk(DIR_TO_CLIENT, "\x16\x03\x03\x00\x02\x02\x00", 7));

	s_starttls_refused[0] = ext_request(1, STARTTLS_OID);
	s_starttls_refused[1] = ext_response(1, 52);
	s_starttls_refused[2] =
	    bind_simple(2, "uid=hal,dc=example,dc=org", "Hal-Pw-2", false);
	s_starttls_refused[3] = bind_response(2, 0);

	/*
	 * The server spoke before: a ClientHello seen first waits for the
	 * response (LDAP has no greeting, and a client speaking alone is
	 * taken for a capture of one side).
	 */
	s_starttls_overtaken[0] = bind_simple(1, "", "", false);
	s_starttls_overtaken[1] = bind_response(1, 0);
	s_starttls_overtaken[2] = ext_request(2, STARTTLS_OID);
	s_starttls_overtaken[3] = raw_chunk(DIR_TO_SERVER, HELLO, 10);
	s_starttls_overtaken[4] = ext_response(2, 0);

	s_starttls_one_sided[0] = ext_request(1, STARTTLS_OID);
	s_starttls_one_sided[1] = raw_chunk(DIR_TO_SERVER, HELLO, 10);

	s_cleartext_after[0] = ext_request(1, STARTTLS_OID);
	s_cleartext_after[1] = ext_response(1, 0);
	s_cleartext_after[2] =
	    bind_simple(2, "uid=ian,dc=example,dc=org", "Ian-Pw-3", false);
	s_cleartext_after[3] = bind_response(2, 0);

	s_dse_offered[0] = search_request(1, "");
	s_dse_offered[1] = root_dse(1, with, ARRAY_SIZE(with));
	s_dse_not_offered[0] = search_request(1, "");
	s_dse_not_offered[1] = root_dse(1, without, ARRAY_SIZE(without));
}

static void
build_simple_cases(void)
{
	s_simple[0] =
	    bind_simple(1, "cn=admin,dc=example,dc=org", "Adm1n-Secret", false);
	s_simple[1] = bind_response(1, 0);
	s_simple[2] = unbind(2);

	s_simple_retry[0] =
	    bind_simple(1, "uid=jo,dc=example,dc=org", "Wrong-1", false);
	s_simple_retry[1] = bind_response(1, 49);
	s_simple_retry[2] = bind_simple(
	    2, "uid=jo,ou=staff,dc=example,dc=org", "Right-2", false);
	s_simple_retry[3] = bind_response(2, 0);

	s_anonymous[0] = bind_simple(1, "", "", false);
	s_anonymous[1] = bind_response(1, 0);
	s_anonymous[2] = search_request(2, "dc=example,dc=org");

	s_unauth[0] = bind_simple(1, "cn=kai,dc=example,dc=org", "", false);
	s_unauth[1] = bind_response(1, 53);

	s_ad_long[0] =
	    bind_simple(1, "lena@corp.example.net", "Lena-Pw-4", true);
	s_ad_long[1] = bind_response_long(1, 0);

	s_pipelined[0] =
	    bind_simple(1, "uid=max,dc=example,dc=org", "Max-Pw-5", false);
	s_pipelined[0] =
	    join(s_pipelined[0], search_request(2, "dc=example,dc=org"));
	s_pipelined[1] = bind_response(1, 0);
	s_pipelined[1] = join(s_pipelined[1], bind_response(2, 0));

	s_oversize[0] = search_request(1, "dc=example,dc=org");
	s_oversize[1] = huge_entry(1);
	s_oversize[2] =
	    bind_simple(2, "uid=ned,dc=example,dc=org", "Ned-Pw-6", false);
	s_oversize[3] = bind_response(2, 0);
}

/*
 * Losses and lies.  A message cut in three around a loss inside it; a
 * loss that runs into the next message; bytes that are no BER; lengths
 * that overrun; the indefinite form; nesting; a length of 2 GiB.
 */
static void
build_hostile_cases(void)
{
	struct feed_chunk b;

	b = bind_simple(1, "uid=olive,dc=example,dc=org", "Olive-Pw-7", false);
	s_gap_aligned[0] = b;
	s_gap_aligned[0].len = 20;
	s_gap_aligned[1] = (struct feed_chunk)GAP_CLI(b.len - 30);
	s_gap_aligned[2] = b;
	s_gap_aligned[2].text += b.len - 10;
	s_gap_aligned[2].len = 10;
	s_gap_aligned[3] =
	    bind_simple(2, "uid=pam,dc=example,dc=org", "Pam-Pw-8", false);
	s_gap_aligned[4] = bind_response(2, 0);

	b = bind_simple(1, "uid=olive,dc=example,dc=org", "Olive-Pw-7", false);
	s_gap_unaligned[0] = b;
	s_gap_unaligned[0].len = 20;
	s_gap_unaligned[1] = (struct feed_chunk)GAP_CLI(b.len);
	s_gap_unaligned[2] =
	    raw_chunk(DIR_TO_SERVER, "\x04\x03\x30\x30\x02\x30\x84\x00", 8);
	s_gap_unaligned[2] = join(s_gap_unaligned[2],
	    bind_simple(2, "uid=quin,dc=example,dc=org", "Quin-Pw-9", false));
	s_gap_unaligned[3] = bind_response(2, 0);

	s_garbage[0] = raw_chunk(
	    DIR_TO_SERVER, "GET / HTTP/1.0\r\n\r\n\x30\x80\x30\x03\x02", 23);
	s_garbage[1] =
	    bind_simple(3, "uid=rob,dc=example,dc=org", "Rob-Pw-10", false);
	s_garbage[2] = raw_chunk(DIR_TO_CLIENT, "\x99\x01\x02", 3);
	s_garbage[3] = bind_response(3, 49);

	/* A name claiming 0x7f bytes inside a bind of a few. */
	s_lying[0] = raw_chunk(DIR_TO_SERVER,
	    "\x30\x0d\x02\x01\x01\x60\x08\x02\x01\x03\x04\x7f"
	    "abc",
	    15);
	s_lying[1] =
	    bind_simple(2, "uid=sue,dc=example,dc=org", "Sue-Pw-11", false);
	s_lying[2] = bind_response(2, 0);

	s_indefinite[0] = raw_chunk(DIR_TO_SERVER,
	    "\x30\x80\x02\x01\x01\x42\x00\x00\x00"
	    "\x30\x85\x00\x00\x00\x00\x05\x02\x01\x01\x42\x00",
	    21);
	s_indefinite[1] =
	    bind_simple(2, "uid=tim,dc=example,dc=org", "Tim-Pw-12", false);
	s_indefinite[2] = bind_response(2, 0);

	s_deep[0] = deep_search(1);
	s_deep[1] = bind_sasl(2, "PLAIN", NULL, 0);
	s_deep[2] = bind_response(2, 49);

	s_huge_claim[0] =
	    bind_simple(1, "uid=uma,dc=example,dc=org", "Uma-Pw-13", false);
	s_huge_claim[1] = raw_chunk(
	    DIR_TO_SERVER, "\x30\x84\x7f\xff\xff\xff\x02\x01\x02\x60\x00", 11);
	s_huge_claim[2] =
	    bind_simple(3, "uid=vera,dc=example,dc=org", "Vera-Pw-14", false);
	s_huge_claim[3] = bind_response(1, 0);

	s_stray_response[0] = bind_response(9, 0);
	s_stray_response[1] = ext_response(0, 52);
	s_stray_response[2] =
	    bind_simple(1, "uid=walt,dc=example,dc=org", "Walt-Pw-15", false);
}

#define CRED(m, u, e, o, k)                                                    \
	{                                                                      \
		.mech = (m), .user = (u), .exposure = (e), .outcome = (o),     \
		.chunk = (k)                                                   \
	}

static struct feed_case cases[] = {
	{ "simple bind accepted", s_simple, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("SIMPLE", "cn=admin,dc=example,dc=org",
		    EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 1) },
		.secrets = { "Adm1n-Secret" } } },
	{ "simple bind refused (49), then accepted", s_simple_retry, false,
	    { .offered = -1,
		.ncreds = 2,
		.creds = { CRED("SIMPLE", "uid=jo,dc=example,dc=org",
			       EXPOSURE_CLEARTEXT, OUTCOME_REJECTED, 1),
		    CRED("SIMPLE", "uid=jo,ou=staff,dc=example,dc=org",
			EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 3) },
		.secrets = { "Wrong-1", "Right-2" } } },
	{ "anonymous bind records nothing", s_anonymous, false,
	    { .offered = -1 } },
	{ "unauthenticated bind: a name, no password", s_unauth, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("SIMPLE", "cn=kai,dc=example,dc=org",
		    EXPOSURE_NONE, OUTCOME_REJECTED, 1) } } },
	{ "four-byte lengths, as Active Directory writes", s_ad_long, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("SIMPLE", "lena@corp.example.net",
		    EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 1) },
		.secrets = { "Lena-Pw-4" } } },
	{ "StartTLS accepted, TLS right behind", s_starttls, false,
	    { .offered = -1,
		.attempted = true,
		.starttls_chunk = 1,
		.accepted = true,
		.switched = true,
		.check_rest = true,
		.rest = { 0, 7 } } },
	{ "StartTLS refused (52), simple bind in clear", s_starttls_refused,
	    false,
	    { .offered = -1,
		.attempted = true,
		.starttls_chunk = 1,
		.result = STARTTLS_RESULT_REFUSED,
		.ncreds = 1,
		.creds = { CRED("SIMPLE", "uid=hal,dc=example,dc=org",
		    EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 3) },
		.secrets = { "Hal-Pw-2" } } },
	{ "ClientHello overtakes the StartTLS response", s_starttls_overtaken,
	    false,
	    { .offered = -1,
		.attempted = true,
		.starttls_chunk = 3,
		.accepted = true,
		.switched = true,
		.check_rest = true,
		.rest = { 10, 0 } } },
	{ "client side only, StartTLS then TLS", s_starttls_one_sided, false,
	    { .offered = -1,
		.attempted = true,
		.starttls_chunk = 1,
		.accepted = true,
		.switched = true,
		.check_rest = true,
		.rest = { 10, 0 } } },
	{ "clear text after the StartTLS response", s_cleartext_after, true,
	    { .offered = -1,
		.attempted = true,
		.starttls_chunk = 1,
		.accepted = true,
		.switched = true,
		.cleartext_after_tls = true,
		.ncreds = 1,
		.creds = { CRED("SIMPLE", "uid=ian,dc=example,dc=org",
		    EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 3) },
		.secrets = { "Ian-Pw-3" } } },
	{ "SASL PLAIN", s_plain, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("PLAIN", "alice", EXPOSURE_CLEARTEXT,
		    OUTCOME_ACCEPTED, 1) },
		.secrets = { "Alice-Pw-1" } } },
	{ "SASL CRAM-MD5 in two binds, refused", s_cram, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("CRAM-MD5", "carl", EXPOSURE_CRACKABLE,
		    OUTCOME_REJECTED, 3) },
		.secrets = { "3dbc88f0624776a737b39093f6eb6427" } } },
	{ "SASL DIGEST-MD5 in three binds, no security layer", s_digest, false,
	    { .offered = -1,
		.ncreds = 2,
		.creds = { CRED("DIGEST-MD5", "dora", EXPOSURE_CRACKABLE,
			       OUTCOME_ACCEPTED, 3),
		    CRED("SIMPLE", "cn=ro,dc=example,dc=org",
			EXPOSURE_CLEARTEXT, OUTCOME_UNKNOWN, 7) },
		.secrets = { "d388dad90d4bbd760a152321f2143af7" } } },
	{ "SASL SCRAM-SHA-512, no final response", s_scram, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("SCRAM-SHA-512", "edna", EXPOSURE_NONE,
		    OUTCOME_UNKNOWN, 3) } } },
	{ "GSS-SPNEGO with bare NTLM, refused twice", s_spnego_ntlm, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { { .mech = "GSS-SPNEGO",
		    .user = "CORP\\eve",
		    .exposure = EXPOSURE_CRACKABLE,
		    .outcome = OUTCOME_REJECTED,
		    .count = 2 } },
		.secrets = { NT_RESPONSE } } },
	{ "GSS-SPNEGO with NTLM in a negTokenResp, then sealed",
	    s_spnego_wrapped, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("GSS-SPNEGO", "frank", EXPOSURE_CRACKABLE,
		    OUTCOME_ACCEPTED, 1) },
		.secrets = { NT_RESPONSE, "Unseen-Pw" } } },
	{ "GSS-SPNEGO with Kerberos", s_spnego_krb, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED(
		    "GSS-SPNEGO", "", EXPOSURE_NONE, OUTCOME_ACCEPTED, 1) } } },
	{ "GSSAPI in three binds", s_gssapi, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED(
		    "GSSAPI", "", EXPOSURE_NONE, OUTCOME_ACCEPTED, 1) } } },
	{ "EXTERNAL without credentials", s_external, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED(
		    "EXTERNAL", "", EXPOSURE_NONE, OUTCOME_ACCEPTED, 1) } } },
	{ "Microsoft sicily NTLM bind", s_sicily, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("NTLM", "CORP\\gus", EXPOSURE_CRACKABLE,
		    OUTCOME_ACCEPTED, 3) },
		.secrets = { NT_RESPONSE } } },
	{ "root DSE lists StartTLS", s_dse_offered, false, { .offered = 1 } },
	{ "root DSE without StartTLS", s_dse_not_offered, false,
	    { .offered = 0 } },
	{ "bind and search in one segment", s_pipelined, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("SIMPLE", "uid=max,dc=example,dc=org",
		    EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 1) },
		.secrets = { "Max-Pw-5" } } },
	{ "a 70 kB entry is skipped, not buffered", s_oversize, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("SIMPLE", "uid=ned,dc=example,dc=org",
		    EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 3) },
		.anomalies = SESSION_ANOM_LONG_LINE,
		.secrets = { "Ned-Pw-6" } } },
	{ "a loss inside a message: its rest is skipped", s_gap_aligned, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("SIMPLE", "uid=pam,dc=example,dc=org",
		    EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 4) },
		.secrets = { "Pam-Pw-8", "Olive-Pw-7" } } },
	{ "a loss past a message: the next one is searched for",
	    s_gap_unaligned, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("SIMPLE", "uid=quin,dc=example,dc=org",
		    EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 3) },
		.secrets = { "Quin-Pw-9" } } },
	{ "bytes that are not BER, from both sides", s_garbage, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("SIMPLE", "uid=rob,dc=example,dc=org",
		    EXPOSURE_CLEARTEXT, OUTCOME_REJECTED, 2) },
		.anomalies = SESSION_ANOM_GARBAGE,
		.secrets = { "Rob-Pw-10" } } },
	{ "an inner length overruns its message", s_lying, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("SIMPLE", "uid=sue,dc=example,dc=org",
		    EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 2) },
		.anomalies = SESSION_ANOM_GARBAGE,
		.secrets = { "Sue-Pw-11" } } },
	{ "indefinite and five-byte lengths", s_indefinite, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("SIMPLE", "uid=tim,dc=example,dc=org",
		    EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 2) },
		.anomalies = SESSION_ANOM_GARBAGE,
		.secrets = { "Tim-Pw-12" } } },
	{ "deeply nested filter, PLAIN bind without credentials", s_deep, false,
	    { .offered = -1 } },
	{ "a message claiming 2 GiB swallows the rest", s_huge_claim, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("SIMPLE", "uid=uma,dc=example,dc=org",
		    EXPOSURE_CLEARTEXT, OUTCOME_ACCEPTED, 1) },
		.anomalies = SESSION_ANOM_LONG_LINE,
		.secrets = { "Uma-Pw-13", "Vera-Pw-14" } } },
	{ "responses to nothing", s_stray_response, false,
	    { .offered = -1,
		.ncreds = 1,
		.creds = { CRED("SIMPLE", "uid=walt,dc=example,dc=org",
		    EXPOSURE_CLEARTEXT, OUTCOME_UNKNOWN, 3) },
		.secrets = { "Walt-Pw-15" } } },
};

/* Sessions end with FEED_END: the arrays' unused, zeroed entries. */
static void
build_cases(void)
{
	build_simple_cases();
	build_auth_cases();
	build_starttls_cases();
	build_hostile_cases();
}

static void
run_case(void **state)
{
	const struct feed_case *c = *state;
	char where[64];
	const char *why;

	why = feed_case_run(&ldap_analyzer, c, where, sizeof(where));
	if (why != NULL)
		fail_msg("%s (%s): %s", c->name, where, why);
}

/*
 * A capture that starts mid-stream: the engine reports a loss of unknown
 * length (0), which feed.h cannot script, before the first bytes.
 */
static void
test_midstream(void **state)
{
	struct feed_case c = { .name = "midstream", .resume = true };
	struct feed_chunk msg;
	struct timeval ts = { 1000, 0 };
	struct feed f;
	size_t used;

	(void)state;
	c.chunks = s_simple;
	feed_init(&f, &ldap_analyzer, &c);
	ldap_analyzer.gap(f.state, &f.s, DIR_TO_SERVER, 0);
	msg = bind_simple(5, "uid=xena,dc=example,dc=org", "Xena-Pw", false);
	used = ldap_analyzer.parse(f.state, &f.s, DIR_TO_SERVER,
	    (const uint8_t *)msg.text + 3, (size_t)msg.len - 3, &ts, 0);
	assert_int_equal(used, msg.len - 3);
	used = ldap_analyzer.parse(f.state, &f.s, DIR_TO_SERVER,
	    (const uint8_t *)msg.text, (size_t)msg.len, &ts, 0);
	assert_int_equal(used, msg.len);
	assert_int_equal(f.s.ncreds, 1);
	assert_string_equal(
	    f.s.creds[0].username, "uid=xena,dc=example,dc=org");
	assert_int_equal(f.s.anomalies, 0);
	feed_cleanup(&f);
}

static void
test_noise(void **state)
{
	static const char *const words[] = { "\x30\x0c\x02\x01\x01", "\x30\x84",
		"\x30\x80", "\x30\x85", "\x02\x01\x01", "\x60\x07\x02\x01\x03",
		"\x04\x00", "\x80\x05", "\xa3\x10\x04\x05PLAIN", "\x04\x06",
		"\x61\x07\x0a\x01\x00\x04\x00\x04\x00", "\x0a\x01\x0e",
		("\x77\x18\x80\x16" STARTTLS_OID), "\x78\x07\x0a\x01\x00",
		"NTLMSSP", "\x16\x03\x01", "\x64\x05", "GSS-SPNEGO" };

	(void)state;
	feed_garbage(&ldap_analyzer, words, ARRAY_SIZE(words), 400);
}

int
main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(cases) + 2];
	size_t i;

	build_cases();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = &cases[i];
	}
	memset(&tests[i], 0, sizeof(tests[i]));
	tests[i].name = "capture starting mid-stream";
	tests[i++].test_func = test_midstream;
	memset(&tests[i], 0, sizeof(tests[i]));
	tests[i].name = "random bytes and BER pieces";
	tests[i].test_func = test_noise;
	return cmocka_run_group_tests_name("ldap", tests, NULL, NULL);
}
