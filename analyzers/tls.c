/*
 * tls.c - TLS handshake parser: what the cleartext start of a TLS session
 * says about versions, cipher suites, names and the server certificate.
 *
 * Layers, bottom up:
 * - records (RFC 5246 section 6.2, RFC 8446 section 5.1): a 5-byte header,
 *   then up to 2^14 + 2048 bytes; SSLv2 records (RFC 6101 appendix E.2,
 *   draft-hickman-netscape-ssl-00 "Record Header Format") have a 2- or
 *   3-byte header instead.  Bodies are streamed, never buffered whole.
 * - handshake messages (RFC 5246 section 7.4, RFC 8446 section 4): a 4-byte
 *   header, a body that may span records.  Only the messages read below are
 *   kept, up to TLS_HS_MAX bytes; the others are skipped as they stream by.
 * - ClientHello (RFC 8446 section 4.1.2) and its extensions: server_name
 *   (RFC 6066 section 3), ALPN (RFC 7301 section 3.1), supported_groups and
 *   ec_point_formats (RFC 8422 section 5.1), supported_versions (RFC 8446
 *   section 4.2.1), key_share (section 4.2.8); the SSLv2 CLIENT-HELLO.
 * - ServerHello (RFC 8446 section 4.1.3, RFC 5246 section 7.4.1.3), the
 *   HelloRetryRequest of section 4.1.4, the SSLv2 SERVER-HELLO, and the
 *   server's Certificate (RFC 5246 section 7.4.2).
 *
 * Each direction is cleartext until its side switches keys: after its
 * ChangeCipherSpec up to TLS 1.2, after the ServerHello for a TLS 1.3
 * server, at the first application_data record for a TLS 1.3 client (its
 * ChangeCipherSpec is a dummy, RFC 8446 appendix D.4).  From then on the
 * parser only walks record headers, and reports done once both sides are
 * there.  JA3 is the ClientHello fingerprint of github.com/salesforce/ja3:
 * version, ciphers, extensions, groups and point formats, GREASE removed.
 *
 * Nothing here logs: hostile input is flagged in tls_facts.anomalies.
 */
#include "analyzers/tls.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "analyzers/tls_ciphers.h"
#include "mem.h"
#include "util.h"

#define TLS_REC_HDR 5              /* bytes in a TLS record header */
#define TLS_REC_MAX (16384 + 2048) /* RFC 5246 section 6.2.3 */
#define TLS_HS_HDR 4               /* bytes in a handshake header */
#define TLS_RESYNC_MAX 65536       /* bytes searched after a gap */
#define TLS_RANDOM_LEN 32

/* Record content types, RFC 8446 section 5.1 and RFC 6520 section 2. */
#define TLS_CT_CCS 20
#define TLS_CT_ALERT 21
#define TLS_CT_HANDSHAKE 22
#define TLS_CT_APPDATA 23
#define TLS_CT_HEARTBEAT 24

/* Handshake types, RFC 8446 section 4; 6 is the drafts' retry request. */
#define TLS_HT_CLIENT_HELLO 1
#define TLS_HT_SERVER_HELLO 2
#define TLS_HT_RETRY_DRAFT 6
#define TLS_HT_CERTIFICATE 11
#define TLS_HT_SERVER_KEY_EXCHANGE 12

/* SSLv2 message types (draft-hickman-netscape-ssl-00, appendix A). */
#define SSL2_MT_ERROR 0
#define SSL2_MT_CLIENT_HELLO 1
#define SSL2_MT_CLIENT_MASTER_KEY 2
#define SSL2_MT_SERVER_HELLO 4
#define SSL2_CT_X509_CERTIFICATE 1

/* Extension types, RFC 8446 section 4.2 and the RFCs cited above. */
#define TLS_EXT_SERVER_NAME 0
#define TLS_EXT_SUPPORTED_GROUPS 10
#define TLS_EXT_EC_POINT_FORMATS 11
#define TLS_EXT_ALPN 16
#define TLS_EXT_KEY_SHARE_DRAFT 40 /* key_share before draft 23 */
#define TLS_EXT_SUPPORTED_VERSIONS 43
#define TLS_EXT_KEY_SHARE 51

/* The first draft whose ServerHello has the RFC 8446 layout. */
#define TLS13_DRAFT_NEW_HELLO 22

/*
 * ServerHello.random of a HelloRetryRequest: SHA-256 of the string
 * "HelloRetryRequest" (RFC 8446 section 4.1.3).
 */
static const uint8_t tls_hrr_random[TLS_RANDOM_LEN] = { 0xcf, 0x21, 0xad, 0x74,
	0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2,
	0xc8, 0xa8, 0x33, 0x9c };

enum tls_dir_state {
	TLS_DIR_DETECT,    /* nothing decided yet */
	TLS_DIR_CLEAR,     /* cleartext records: handshake, alerts */
	TLS_DIR_ENCRYPTED, /* records are only counted */
	TLS_DIR_RESYNC,    /* looking for a record header after a gap */
	TLS_DIR_OFF,       /* not TLS, or abandoned: bytes are ignored */
};

/* What a few bytes say: not enough of them yet, yes or no. */
enum tls_verdict {
	TLS_MORE,
	TLS_YES,
	TLS_NO,
};

struct tls_dir {
	bool server; /* the server's direction */
	enum tls_dir_state state;
	enum tls_dir_state resume; /* state to resume after resync */
	enum tls_stream stream;    /* what the first bytes said */
	bool encrypt_next;         /* records after this one are encrypted */
	bool ccs;                  /* sent a ChangeCipherSpec in the clear */
	bool appdata;              /* sent an encrypted record */
	bool v2_records;           /* records have SSLv2 headers */
	bool v2_start;             /* the first record had an SSLv2 header */
	uint64_t scanned;          /* bytes searched while resyncing */

	/* Record layer. */
	uint8_t hdr[TLS_REC_HDR]; /* header bytes gathered so far */
	size_t hdr_len;
	size_t hdr_need;  /* 2 or 3 (SSLv2) or 5 */
	bool in_body;     /* the header is done, the body not */
	bool rec_v2;      /* the record has an SSLv2 header */
	uint8_t rec_type; /* TLS content type */
	size_t rec_len;   /* body length */
	size_t rec_left;  /* body bytes still to come */
	uint8_t alert[2]; /* alert bytes gathered so far */
	size_t alert_len;

	/* Handshake layer. */
	uint8_t msg_hdr[TLS_HS_HDR]; /* header bytes gathered so far */
	size_t msg_hdr_len;
	bool in_msg;      /* the header is done, the body not */
	bool msg_v2;      /* an SSLv2 message */
	bool msg_damaged; /* bytes of it were lost */
	bool hs_lost;     /* message bounds unknown until the
			     next handshake record */
	uint8_t msg_type;
	size_t msg_len;  /* body length */
	size_t msg_got;  /* body bytes seen */
	size_t msg_keep; /* body bytes kept in buf */
	uint8_t *buf;    /* kept body bytes */
	size_t cap;      /* bytes allocated at buf */
};

struct tls_parser {
	struct tls_dir dir[2]; /* client [0] and server [1] */
	struct tls_facts facts;
	bool tls13;    /* the server chose TLS 1.3 */
	bool sslv2;    /* the server chose SSLv2 */
	uint8_t *cert; /* leaf certificate, DER */
	size_t cert_len;
	char ja3_str[TLS_JA3_STR_MAX]; /* JA3 text, maybe cut */
};

/*
 * A bounds-checked reader over one message.  A read past the end returns
 * zeroes or NULL and sets bad, which sticks, so that a parser may read a
 * whole structure and check once.
 */
struct rd {
	const uint8_t *p; /* the bytes; never NULL */
	size_t n;         /* bytes at p */
	size_t off;       /* bytes read */
	bool bad;         /* a read went past n */
};

static const uint8_t rd_empty[1];

static void
rd_init(struct rd *r, const uint8_t *p, size_t n)
{
	r->p = n > 0 ? p : rd_empty;
	r->n = n;
	r->off = 0;
	r->bad = false;
}

/* Bytes left; none once a read failed, so that loops on it end. */
static size_t
rd_left(const struct rd *r)
{
	return r->bad ? 0 : r->n - r->off;
}

/* The next len bytes, or NULL (and bad) when fewer are left. */
static const uint8_t *
rd_take(struct rd *r, size_t len)
{
	const uint8_t *at;

	if (r->bad || len > rd_left(r)) {
		r->bad = true;
		return NULL;
	}
	at = r->p + r->off;
	r->off += len;
	return at;
}

static uint8_t
rd_u8(struct rd *r)
{
	const uint8_t *b = rd_take(r, 1);

	return b == NULL ? 0 : b[0];
}

static uint16_t
rd_u16(struct rd *r)
{
	const uint8_t *b = rd_take(r, 2);

	return b == NULL ? 0 : (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t
rd_u24(struct rd *r)
{
	const uint8_t *b = rd_take(r, 3);

	return b == NULL ? 0
			 : (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
}

/* Carves the next len bytes out as sub; sub is empty when r runs short. */
static void
rd_sub(struct rd *r, size_t len, struct rd *sub)
{
	const uint8_t *b = rd_take(r, len);

	rd_init(sub, b, b == NULL ? 0 : len);
}

/* Copies n bytes as a C string, bytes outside printable ASCII as '?'. */
static void
copy_printable(char *dst, size_t size, const uint8_t *src, size_t n)
{
	size_t i;

	n = MIN(n, size - 1);
	for (i = 0; i < n; i++)
		dst[i] = (char)(src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?');
	dst[n] = '\0';
}

static void
anomaly(struct tls_parser *p, uint32_t what)
{
	p->facts.anomalies |= what;
}

const char *
tls_version_name(uint16_t version)
{
	switch (version) {
	case TLS_VERSION_SSL2:
		return "SSLv2";
	case TLS_VERSION_SSL3:
		return "SSLv3";
	case TLS_VERSION_TLS10:
		return "TLSv1.0";
	case TLS_VERSION_TLS11:
		return "TLSv1.1";
	case TLS_VERSION_TLS12:
		return "TLSv1.2";
	default:
		break;
	}
	return tls_version_is_tls13(version) ? "TLSv1.3" : NULL;
}

bool
tls_version_is_tls13(uint16_t version)
{
	return version == TLS_VERSION_TLS13 || (version >> 8) == 0x7f ||
	    (version >> 8) == 0xfb;
}

/*
 * Orders versions for "the highest the client offers": SSLv2 < SSLv3 <
 * TLS 1.0 ... 1.2 < TLS 1.3 drafts < TLS 1.3 < 3.x versions to come.
 * Values that are no version at all rank 0.
 */
static uint32_t
version_rank(uint16_t v)
{
	if (v == TLS_VERSION_SSL2)
		return 1 << 16;
	if (v == TLS_VERSION_TLS13)
		return 4 << 16;
	if (v >= TLS_VERSION_SSL3 && v <= TLS_VERSION_TLS12)
		return 2 << 16 | (v & 0xff);
	if (tls_version_is_tls13(v))
		return 3 << 16 | (v & 0xff);
	if ((v >> 8) == 3)
		return 5 << 16 | (v & 0xff);
	return 0;
}

/*
 * JA3 text is built piece by piece: pieces gather in a small buffer that
 * goes into the MD5 when full, and, while there is room, into the kept
 * copy.  No piece is longer than a number.
 */
struct ja3 {
	EVP_MD_CTX *md;
	char *str;       /* kept text, TLS_JA3_STR_MAX bytes */
	size_t len;      /* bytes in str */
	bool sep;        /* a '-' goes before the next value */
	bool failed;     /* the digest failed */
	char chunk[256]; /* text not yet digested */
	size_t chunk_len;
};

static void
ja3_flush(struct ja3 *j)
{
	if (!j->failed && j->chunk_len > 0 &&
	    EVP_DigestUpdate(j->md, j->chunk, j->chunk_len) != 1)
		j->failed = true;
	j->chunk_len = 0;
}

static void
ja3_text(struct ja3 *j, const char *s, size_t n)
{
	size_t keep;

	if (j->chunk_len + n > sizeof(j->chunk))
		ja3_flush(j);
	memcpy(j->chunk + j->chunk_len, s, n);
	j->chunk_len += n;
	keep = MIN(n, TLS_JA3_STR_MAX - 1 - j->len);
	memcpy(j->str + j->len, s, keep);
	j->len += keep;
	j->str[j->len] = '\0';
}

/* Appends v in decimal, after a '-' when it is not a field's first. */
static void
ja3_value(struct ja3 *j, unsigned int v)
{
	char num[16];
	size_t i = sizeof(num);

	do {
		num[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (j->sep)
		num[--i] = '-';
	ja3_text(j, num + i, sizeof(num) - i);
	j->sep = true;
}

static void
ja3_next_field(struct ja3 *j)
{
	ja3_text(j, ",", 1);
	j->sep = false;
}

/* Appends the 16-bit values of list to j, GREASE values left out. */
static void
ja3_list16(struct ja3 *j, struct rd list)
{
	uint16_t v;

	while (rd_left(&list) >= 2) {
		v = rd_u16(&list);
		if (!tls_is_grease(v))
			ja3_value(j, v);
	}
}

/* What the walk over a ClientHello's extensions found. */
struct ch_ext {
	struct rd types;   /* the whole extension block */
	struct rd groups;  /* supported_groups list, maybe empty */
	struct rd formats; /* ec_point_formats list, maybe empty */
	const uint8_t *sni;
	size_t sni_len;
	const uint8_t *alpn; /* first protocol offered */
	size_t alpn_len;
	uint16_t best;  /* highest supported_versions entry, or 0 */
	uint16_t share; /* first key share group, or 0 */
};

/*
 * Computes the JA3 MD5 of a ClientHello into p->facts.ja3 and keeps its
 * text.  A failing digest (no MD5 in a FIPS-only libcrypto) leaves both
 * empty.
 */
static void
ja3_compute(struct tls_parser *p, uint16_t legacy, struct rd ciphers,
    const struct ch_ext *x)
{
	static const char hex[] = "0123456789abcdef";
	struct ja3 j = { .str = p->ja3_str };
	struct rd exts = x->types, formats = x->formats;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	uint16_t type;

	p->ja3_str[0] = '\0';
	j.md = EVP_MD_CTX_new();
	if (j.md == NULL || EVP_DigestInit_ex(j.md, EVP_md5(), NULL) != 1)
		goto cleanup;

	/* SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurveFormats */
	ja3_value(&j, legacy);
	ja3_next_field(&j);
	ja3_list16(&j, ciphers);
	ja3_next_field(&j);
	while (rd_left(&exts) >= 4) {
		type = rd_u16(&exts);
		rd_take(&exts, rd_u16(&exts));
		if (!tls_is_grease(type))
			ja3_value(&j, type);
	}
	ja3_next_field(&j);
	ja3_list16(&j, x->groups);
	ja3_next_field(&j);
	while (rd_left(&formats) > 0)
		ja3_value(&j, rd_u8(&formats));

	ja3_flush(&j);
	if (j.failed || EVP_DigestFinal_ex(j.md, md, &mdlen) != 1 ||
	    mdlen != 16) {
		p->ja3_str[0] = '\0';
		goto cleanup;
	}
	for (i = 0; i < mdlen; i++) {
		p->facts.ja3[2 * (size_t)i] = hex[md[i] >> 4];
		p->facts.ja3[2 * (size_t)i + 1] = hex[md[i] & 0x0f];
	}
	p->facts.ja3[2 * (size_t)mdlen] = '\0';

cleanup:
	EVP_MD_CTX_free(j.md);
}

/* server_name (RFC 6066 section 3): the first host_name entry. */
static int
ext_server_name(struct rd *data, struct ch_ext *x)
{
	struct rd list, name;
	uint8_t type;

	rd_sub(data, rd_u16(data), &list);
	while (rd_left(&list) > 0) {
		type = rd_u8(&list);
		rd_sub(&list, rd_u16(&list), &name);
		if (type == 0 && x->sni == NULL && rd_left(&name) > 0) {
			x->sni = name.p;
			x->sni_len = name.n;
		}
	}
	return data->bad || list.bad ? -1 : 0;
}

/* ALPN (RFC 7301 section 3.1): a list of 8-bit long names, none empty. */
static int
ext_alpn(struct rd *data, const uint8_t **first, size_t *first_len)
{
	struct rd list, name;

	rd_sub(data, rd_u16(data), &list);
	while (rd_left(&list) > 0) {
		rd_sub(&list, rd_u8(&list), &name);
		if (name.n == 0)
			return -1;
		if (*first == NULL) {
			*first = name.p;
			*first_len = name.n;
		}
	}
	return data->bad || list.bad ? -1 : 0;
}

/* supported_versions in a ClientHello: the highest non-GREASE entry. */
static int
ext_client_versions(struct rd *data, struct ch_ext *x)
{
	struct rd list;
	uint16_t v;

	rd_sub(data, rd_u8(data), &list);
	if (list.n % 2 != 0)
		return -1;
	while (rd_left(&list) > 0) {
		v = rd_u16(&list);
		if (!tls_is_grease(v) &&
		    version_rank(v) > version_rank(x->best))
			x->best = v;
	}
	return data->bad || list.bad ? -1 : 0;
}

/* key_share in a ClientHello: KeyShareEntry list, the first group kept. */
static int
ext_client_key_share(struct rd *data, struct ch_ext *x)
{
	struct rd list, kx;
	uint16_t group;

	rd_sub(data, rd_u16(data), &list);
	while (rd_left(&list) > 0) {
		group = rd_u16(&list);
		rd_sub(&list, rd_u16(&list), &kx);
		if (x->share == 0 && !tls_is_grease(group))
			x->share = group;
	}
	return data->bad || list.bad ? -1 : 0;
}

/* Reads one ClientHello extension into x; -1 when it is malformed. */
static int
client_ext(uint16_t type, struct rd *data, struct ch_ext *x)
{
	switch (type) {
	case TLS_EXT_SERVER_NAME:
		return ext_server_name(data, x);
	case TLS_EXT_ALPN:
		return ext_alpn(data, &x->alpn, &x->alpn_len);
	case TLS_EXT_SUPPORTED_GROUPS:
		if (x->groups.n == 0)
			rd_sub(data, rd_u16(data), &x->groups);
		return data->bad || x->groups.n % 2 != 0 ? -1 : 0;
	case TLS_EXT_EC_POINT_FORMATS:
		if (x->formats.n == 0)
			rd_sub(data, rd_u8(data), &x->formats);
		return data->bad ? -1 : 0;
	case TLS_EXT_SUPPORTED_VERSIONS:
		return ext_client_versions(data, x);
	case TLS_EXT_KEY_SHARE:
	case TLS_EXT_KEY_SHARE_DRAFT:
		return ext_client_key_share(data, x);
	default:
		break;
	}
	return 0;
}

/* Walks an extension block, -1 when any extension is malformed. */
static int
client_exts(struct rd exts, struct ch_ext *x)
{
	struct rd data;
	uint16_t type;

	x->types = exts;
	while (rd_left(&exts) > 0) {
		type = rd_u16(&exts);
		rd_sub(&exts, rd_u16(&exts), &data);
		if (exts.bad || client_ext(type, &data, x) == -1)
			return -1;
	}
	return 0;
}

/*
 * ClientHello, RFC 8446 section 4.1.2 (the same layout as RFC 5246 section
 * 7.4.1.2, where extensions are optional).  Facts are taken only from a
 * well-formed message.
 */
static void
client_hello(struct tls_parser *p, const uint8_t *b, size_t n)
{
	struct tls_facts *f = &p->facts;
	struct rd r, ciphers, exts;
	struct ch_ext x;
	uint16_t legacy;

	/* Fixed part, then the optional extension block. */
	memset(&x, 0, sizeof(x));
	rd_init(&x.groups, NULL, 0);
	rd_init(&x.formats, NULL, 0);
	rd_init(&r, b, n);
	legacy = rd_u16(&r);
	rd_take(&r, TLS_RANDOM_LEN);
	rd_take(&r, rd_u8(&r));
	rd_sub(&r, rd_u16(&r), &ciphers);
	rd_take(&r, rd_u8(&r));
	rd_init(&exts, NULL, 0);
	if (rd_left(&r) > 0)
		rd_sub(&r, rd_u16(&r), &exts);
	if (r.bad || ciphers.n % 2 != 0 || client_exts(exts, &x) == -1) {
		anomaly(p, TLS_ANOM_MALFORMED);
		return;
	}

	/* supported_versions, when present, is all that counts (4.2.1). */
	f->client_hello = true;
	f->client_version = x.best != 0 ? x.best : legacy;
	f->client_share = x.share;
	if (x.sni != NULL)
		copy_printable(f->sni, sizeof(f->sni), x.sni, x.sni_len);
	if (x.alpn != NULL && f->alpn[0] == '\0')
		copy_printable(f->alpn, sizeof(f->alpn), x.alpn, x.alpn_len);
	ja3_compute(p, legacy, ciphers, &x);
}

/* Keeps the leaf certificate and its SHA-256; der is borrowed. */
static void
keep_certificate(struct tls_parser *p, const uint8_t *der, size_t len)
{
	uint8_t *copy;

	if (p->facts.have_certificate || len == 0)
		return;
	copy = mem_alloc(len);
	if (copy == NULL)
		return;
	if (EVP_Digest(der, len, p->facts.cert_sha256, NULL, EVP_sha256(),
		NULL) != 1) {
		mem_free(copy);
		return;
	}
	memcpy(copy, der, len);
	p->cert = copy;
	p->cert_len = len;
	p->facts.have_certificate = true;
}

/*
 * Certificate, RFC 5246 section 7.4.2: a 24-bit list of 24-bit certificates,
 * the sender's first.  b may be a prefix of the message (cut at TLS_HS_MAX):
 * the leaf still counts when it lies in the prefix.
 */
static void
certificate(struct tls_parser *p, const uint8_t *b, size_t n, bool cut)
{
	struct rd r;
	const uint8_t *der;
	uint32_t len;

	/* TLS 1.3 certificates are encrypted; a clear one is nonsense. */
	if (p->tls13)
		return;
	rd_init(&r, b, n);
	if (rd_u24(&r) == 0 && !r.bad)
		return;
	len = rd_u24(&r);
	der = rd_take(&r, len);
	if (der == NULL || len == 0) {
		if (!cut)
			anomaly(p, TLS_ANOM_MALFORMED);
		return;
	}
	keep_certificate(p, der, len);
}

/* The extensions of a ServerHello or HelloRetryRequest. */
static int
server_exts(
    struct tls_parser *p, struct rd exts, uint16_t *version, uint16_t *group)
{
	struct rd data;
	const uint8_t *alpn = NULL;
	size_t alpn_len = 0;
	uint16_t type;

	while (rd_left(&exts) > 0) {
		type = rd_u16(&exts);
		rd_sub(&exts, rd_u16(&exts), &data);
		switch (type) {
		case TLS_EXT_SUPPORTED_VERSIONS:
			*version = rd_u16(&data);
			break;
		case TLS_EXT_KEY_SHARE:
		case TLS_EXT_KEY_SHARE_DRAFT:
			/* KeyShareEntry, or a bare NamedGroup in a retry. */
			*group = rd_u16(&data);
			break;
		case TLS_EXT_ALPN:
			if (ext_alpn(&data, &alpn, &alpn_len) == -1)
				return -1;
			break;
		default:
			break;
		}
		if (exts.bad || data.bad)
			return -1;
	}
	if (alpn != NULL)
		copy_printable(
		    p->facts.alpn, sizeof(p->facts.alpn), alpn, alpn_len);
	return 0;
}

/*
 * ServerHello, RFC 8446 section 4.1.3.  Drafts of TLS 1.3 before 22 had no
 * session id nor compression method and put their version in the version
 * field; later ones and the RFC put it in supported_versions.  A
 * HelloRetryRequest is a ServerHello with a fixed random (section 4.1.4):
 * the real ServerHello follows.
 */
static void
server_hello(struct tls_parser *p, const uint8_t *b, size_t n)
{
	struct tls_facts *f = &p->facts;
	struct rd r, exts;
	const uint8_t *random;
	uint16_t version, cipher, group = 0;
	bool old_draft;

	rd_init(&r, b, n);
	version = rd_u16(&r);
	random = rd_take(&r, TLS_RANDOM_LEN);
	old_draft =
	    (version >> 8) == 0x7f && (version & 0xff) < TLS13_DRAFT_NEW_HELLO;
	if (!old_draft)
		rd_take(&r, rd_u8(&r));
	cipher = rd_u16(&r);
	if (!old_draft)
		rd_u8(&r);
	rd_init(&exts, NULL, 0);
	if (rd_left(&r) > 0)
		rd_sub(&r, rd_u16(&r), &exts);
	if (r.bad || server_exts(p, exts, &version, &group) == -1) {
		anomaly(p, TLS_ANOM_MALFORMED);
		return;
	}

	/* A retry names the version and suite; the real hello may follow. */
	f->version = version;
	f->cipher = cipher;
	f->have_cipher = true;
	if (group != 0)
		f->group = group;
	if (memcmp(random, tls_hrr_random, TLS_RANDOM_LEN) == 0) {
		f->hello_retry = true;
		return;
	}
	f->server_hello = true;
	if (tls_version_is_tls13(version)) {
		p->tls13 = true;
		p->dir[1].encrypt_next = true;
	}
}

/*
 * SSLv2 CLIENT-HELLO after its type byte: version, three lengths, then
 * 3-byte cipher specs, session id and challenge.  SSLv2 hellos get no JA3:
 * the method is defined on TLS ClientHellos only.
 */
static void
v2_client_hello(struct tls_parser *p, const uint8_t *b, size_t n)
{
	struct rd r;
	uint16_t version, specs, sid, challenge;

	rd_init(&r, b, n);
	version = rd_u16(&r);
	specs = rd_u16(&r);
	sid = rd_u16(&r);
	challenge = rd_u16(&r);
	rd_take(&r, specs);
	rd_take(&r, sid);
	rd_take(&r, challenge);
	if (r.bad || specs % 3 != 0) {
		anomaly(p, TLS_ANOM_MALFORMED);
		return;
	}
	p->facts.client_hello = true;
	p->facts.sslv2_hello = true;
	p->facts.client_version = version;
}

/*
 * SSLv2 SERVER-HELLO after its type byte: session-id-hit, certificate type,
 * version, three lengths, the certificate, cipher specs, connection id.
 * Everything the server sends after it is encrypted.
 */
static void
v2_server_hello(struct tls_parser *p, const uint8_t *b, size_t n)
{
	struct rd r;
	const uint8_t *cert;
	uint16_t cert_len, specs, conn_id;
	uint8_t cert_type;

	rd_init(&r, b, n);
	rd_u8(&r);
	cert_type = rd_u8(&r);
	rd_u16(&r);
	cert_len = rd_u16(&r);
	specs = rd_u16(&r);
	conn_id = rd_u16(&r);
	cert = rd_take(&r, cert_len);
	rd_take(&r, specs);
	rd_take(&r, conn_id);
	if (r.bad || specs % 3 != 0) {
		anomaly(p, TLS_ANOM_MALFORMED);
		return;
	}
	p->facts.server_hello = true;
	p->facts.version = TLS_VERSION_SSL2;
	p->sslv2 = true;
	p->dir[0].v2_records = true;
	p->dir[1].v2_records = true;
	p->dir[1].encrypt_next = true;
	if (cert_type == SSL2_CT_X509_CERTIFICATE)
		keep_certificate(p, cert, cert_len);
}

/* Whether the body of a message is worth keeping. */
static bool
message_wanted(
    const struct tls_parser *p, const struct tls_dir *d, uint8_t type, bool v2)
{
	if (v2)
		return type ==
		    (d->server ? SSL2_MT_SERVER_HELLO : SSL2_MT_CLIENT_HELLO);
	if (!d->server)
		return type == TLS_HT_CLIENT_HELLO && !p->facts.client_hello;
	return type == TLS_HT_SERVER_HELLO ||
	    (type == TLS_HT_CERTIFICATE && !p->facts.have_certificate) ||
	    (type == TLS_HT_SERVER_KEY_EXCHANGE && p->facts.group == 0 &&
		p->facts.have_cipher);
}

/*
 * ServerKeyExchange of an elliptic-curve suite (RFC 8422 section 5.4, and
 * RFC 5489 section 2 for ECDHE_PSK, whose identity hint comes first): a
 * named curve is the group the key exchange used, as key_share is in TLS
 * 1.3.  Other exchanges say nothing of a group here.
 */
static void
server_key_exchange(struct tls_parser *p, const uint8_t *b, size_t n)
{
	const struct tls_cipher *c = tls_cipher_lookup(p->facts.cipher);
	struct rd r = { .p = b, .n = n };

	if (c == NULL || strncmp(c->kex, "ECDH", 4) != 0)
		return;
	if (strcmp(c->kex, "ECDHE_PSK") == 0)
		rd_take(&r, rd_u16(&r));
	if (rd_u8(&r) != 3) /* named_curve */
		return;
	p->facts.group = rd_u16(&r);
	if (r.bad)
		p->facts.group = 0;
}

/* A whole message went by: read it if it was kept intact. */
static void
message_end(struct tls_parser *p, struct tls_dir *d)
{
	const uint8_t *b = d->buf;
	size_t n = d->msg_keep;
	bool cut = d->msg_keep < d->msg_len;

	d->in_msg = false;
	/*
	 * XXX: a message that lost bytes to a gap is dropped whole, even when
	 * the fields wanted (the SNI of a ClientHello) came before the hole.
	 */
	if (d->msg_damaged)
		return;

	if (d->msg_v2) {
		if (d->server && d->msg_type == SSL2_MT_SERVER_HELLO)
			v2_server_hello(p, b, n);
		else if (!d->server && d->msg_type == SSL2_MT_CLIENT_HELLO)
			v2_client_hello(p, b, n);
		else if (!d->server && d->msg_type == SSL2_MT_CLIENT_MASTER_KEY)
			/* XXX: its 3-byte cipher kind is not reported. */
			d->encrypt_next = true;
		return;
	}

	/* A message cut at TLS_HS_MAX is only worth reading for its leaf. */
	if (d->server && d->msg_type == TLS_HT_CERTIFICATE)
		certificate(p, b, n, cut);
	else if (d->server && d->msg_type == TLS_HT_RETRY_DRAFT)
		p->facts.hello_retry = true;
	else if (cut)
		return;
	else if (d->server && d->msg_type == TLS_HT_SERVER_HELLO)
		server_hello(p, b, n);
	else if (d->server && d->msg_type == TLS_HT_SERVER_KEY_EXCHANGE)
		server_key_exchange(p, b, n);
	else if (!d->server && d->msg_type == TLS_HT_CLIENT_HELLO)
		client_hello(p, b, n);
}

/* Starts a message of len body bytes. */
static void
message_begin(
    struct tls_parser *p, struct tls_dir *d, uint8_t type, size_t len, bool v2)
{
	d->in_msg = true;
	d->msg_v2 = v2;
	d->msg_type = type;
	d->msg_len = len;
	d->msg_got = 0;
	d->msg_damaged = false;
	d->msg_keep = 0;
	/* Of an oversized message, only a Certificate's prefix is of use. */
	if (message_wanted(p, d, type, v2)) {
		d->msg_keep = MIN(len, TLS_HS_MAX);
		if (len > TLS_HS_MAX) {
			anomaly(p, TLS_ANOM_OVERSIZED);
			if (v2 || type != TLS_HT_CERTIFICATE)
				d->msg_keep = 0;
		}
	}
	if (len == 0)
		message_end(p, d);
}

/* Makes room for need bytes at d->buf; -1 when memory runs out. */
static int
reserve(struct tls_dir *d, size_t need)
{
	size_t cap = d->cap;
	uint8_t *nbuf;

	if (need <= d->cap)
		return 0;
	while (cap < need)
		cap = cap == 0 ? 1024 : cap * 2;
	cap = MIN(cap, TLS_HS_MAX);
	nbuf = mem_realloc(d->buf, cap);
	if (nbuf == NULL)
		return -1;
	d->buf = nbuf;
	d->cap = cap;
	return 0;
}

/* Takes body bytes of the current message; returns how many (>= 1). */
static size_t
message_bytes(
    struct tls_parser *p, struct tls_dir *d, const uint8_t *b, size_t n)
{
	size_t take = MIN(n, d->msg_len - d->msg_got), keep;

	assert(d->in_msg && d->msg_got < d->msg_len);

	/* Keep what the message wants of these bytes, if memory allows. */
	if (d->msg_got < d->msg_keep) {
		keep = MIN(take, d->msg_keep - d->msg_got);
		if (reserve(d, d->msg_got + keep) == -1) {
			d->msg_keep = d->msg_got;
			anomaly(p, TLS_ANOM_OVERSIZED);
		} else
			memcpy(d->buf + d->msg_got, b, keep);
	}
	d->msg_got += take;
	if (d->msg_got == d->msg_len)
		message_end(p, d);
	return take;
}

/* Handshake record bytes: 4-byte headers and bodies, across records. */
static void
handshake_bytes(
    struct tls_parser *p, struct tls_dir *d, const uint8_t *b, size_t n)
{
	size_t take, len;

	while (n > 0 && !d->hs_lost) {
		if (d->in_msg) {
			take = message_bytes(p, d, b, n);
		} else {
			take = MIN(n, TLS_HS_HDR - d->msg_hdr_len);
			memcpy(d->msg_hdr + d->msg_hdr_len, b, take);
			d->msg_hdr_len += take;
			if (d->msg_hdr_len == TLS_HS_HDR) {
				d->msg_hdr_len = 0;
				len = (size_t)d->msg_hdr[1] << 16 |
				    (size_t)d->msg_hdr[2] << 8 | d->msg_hdr[3];
				message_begin(p, d, d->msg_hdr[0], len, false);
			}
		}
		b += take;
		n -= take;
	}
}

/* Bytes of an SSLv2 record: one message, its type byte first. */
static void
v2_bytes(struct tls_parser *p, struct tls_dir *d, const uint8_t *b, size_t n)
{
	if (d->hs_lost || n == 0)
		return;
	if (!d->in_msg) {
		message_begin(p, d, b[0], d->rec_len - 1, true);
		b++;
		n--;
	}

	/* The message ends with the record: one call takes all of n. */
	if (n > 0 && d->in_msg)
		message_bytes(p, d, b, n);
}

/* Cleartext alerts, RFC 8446 section 6: the first fatal one, else first. */
static void
alert_bytes(struct tls_parser *p, struct tls_dir *d, const uint8_t *b, size_t n)
{
	struct tls_facts *f = &p->facts;
	size_t i;

	for (i = 0; i < n; i++) {
		d->alert[d->alert_len++] = b[i];
		if (d->alert_len < 2)
			continue;
		d->alert_len = 0;
		if (d->alert[0] != 1 && d->alert[0] != 2) {
			anomaly(p, TLS_ANOM_MALFORMED);
			continue;
		}
		if (f->alert && (f->alert_level == 2 || d->alert[0] == 1))
			continue;
		f->alert = true;
		f->alert_level = d->alert[0];
		f->alert_description = d->alert[1];
		f->alert_from_server = d->server;
	}
}

/*
 * Whether both sides went encrypted: for TLS 1.3, the ServerHello and
 * encrypted records from both (the ChangeCipherSpecs are dummies); for
 * SSLv2, records past the hellos from both; before TLS 1.3, both
 * ChangeCipherSpecs, or application data from both when the handshake was
 * not seen.
 */
static void
update_established(struct tls_parser *p)
{
	const struct tls_dir *c = &p->dir[0], *s = &p->dir[1];
	bool both_data = c->appdata && s->appdata;

	if (p->sslv2)
		p->facts.established |= both_data;
	else if (p->tls13)
		p->facts.established |= p->facts.server_hello && both_data;
	else
		p->facts.established |= (c->ccs && s->ccs) || both_data;
}

/* A direction past its cleartext needs no message buffer any more. */
static void
release_buffer(struct tls_dir *d)
{
	mem_free(d->buf);
	d->buf = NULL;
	d->cap = 0;
}

/* Forgets the current record and message: byte positions are unknown. */
static void
lose_sync(struct tls_parser *p, struct tls_dir *d, uint32_t why)
{
	anomaly(p, why);
	d->hdr_len = 0;
	d->in_body = false;
	d->rec_left = 0;
	d->alert_len = 0;
	d->in_msg = false;
	d->msg_hdr_len = 0;
	d->hs_lost = true;
	if (d->v2_records) {
		/* XXX: SSLv2 headers are too weak to search for: give up. */
		anomaly(p, TLS_ANOM_GAVE_UP);
		d->state = TLS_DIR_OFF;
		release_buffer(d);
		return;
	}
	d->resume = d->state == TLS_DIR_DETECT ? TLS_DIR_CLEAR : d->state;
	d->state = TLS_DIR_RESYNC;
	d->scanned = 0;
}

/* The header in d->hdr is complete: start its record, false if bogus. */
static bool
record_begin(struct tls_dir *d)
{
	const uint8_t *h = d->hdr;

	d->rec_v2 = d->hdr_need != TLS_REC_HDR;
	if (d->hdr_need == 2)
		d->rec_len = (size_t)(h[0] & 0x7f) << 8 | h[1];
	else if (d->hdr_need == 3)
		d->rec_len = (size_t)(h[0] & 0x3f) << 8 | h[1];
	else
		d->rec_len = (size_t)h[3] << 8 | h[4];
	if (!d->rec_v2) {
		d->rec_type = h[0];
		if (h[0] < TLS_CT_CCS || h[0] > TLS_CT_HEARTBEAT || h[1] != 3 ||
		    d->rec_len > TLS_REC_MAX)
			return false;
	}

	/* Encrypted records are counted; application data starts that. */
	if (d->state == TLS_DIR_ENCRYPTED) {
		d->appdata |= d->rec_v2 || d->rec_type == TLS_CT_APPDATA;
	} else if (!d->rec_v2 && d->rec_type == TLS_CT_APPDATA) {
		d->appdata = true;
		d->state = TLS_DIR_ENCRYPTED;
	} else if (d->hs_lost &&
	    (d->rec_v2 || d->rec_type == TLS_CT_HANDSHAKE)) {
		/* Guess that the message stream restarts here. */
		d->hs_lost = false;
		d->in_msg = false;
		d->msg_hdr_len = 0;
	}
	d->in_body = true;
	d->rec_left = d->rec_len;
	return true;
}

/* Body bytes of the current record. */
static void
record_bytes(
    struct tls_parser *p, struct tls_dir *d, const uint8_t *b, size_t n)
{
	if (d->state != TLS_DIR_CLEAR)
		return;
	if (d->rec_v2)
		v2_bytes(p, d, b, n);
	else if (d->rec_type == TLS_CT_HANDSHAKE)
		handshake_bytes(p, d, b, n);
	else if (d->rec_type == TLS_CT_ALERT)
		alert_bytes(p, d, b, n);
}

/* The current record is over. */
static void
record_end(struct tls_parser *p, struct tls_dir *d)
{
	d->in_body = false;

	/*
	 * A ChangeCipherSpec switches keys, except in TLS 1.3 where it is a
	 * dummy for middleboxes (RFC 8446 appendix D.4); a retry request
	 * says TLS 1.3 before the real ServerHello does.
	 */
	if (d->state == TLS_DIR_CLEAR && !d->rec_v2 &&
	    d->rec_type == TLS_CT_CCS && !p->tls13 && !p->facts.hello_retry) {
		d->ccs = true;
		d->encrypt_next = true;
	}
	if (d->rec_v2 && d->in_msg) {
		/* An SSLv2 message cannot outlive its record. */
		d->in_msg = false;
	}
	if (d->encrypt_next) {
		d->encrypt_next = false;
		if (d->state == TLS_DIR_CLEAR)
			d->state = TLS_DIR_ENCRYPTED;
	}
	if (d->state == TLS_DIR_ENCRYPTED && d->buf != NULL)
		release_buffer(d);
	update_established(p);
}

/* Header size of the record starting with byte b0. */
static size_t
header_size(const struct tls_dir *d, uint8_t b0)
{
	if ((b0 & 0x80) != 0 && (d->v2_start || d->v2_records))
		return 2;
	if (d->v2_records && d->state == TLS_DIR_ENCRYPTED)
		return 3;
	return TLS_REC_HDR;
}

/* Record layer: consumes header or body bytes, at least one. */
static size_t
record_feed(struct tls_parser *p, struct tls_dir *d, const uint8_t *b, size_t n)
{
	size_t take;

	if (d->in_body) {
		take = MIN(n, d->rec_left);
		record_bytes(p, d, b, take);
		d->rec_left -= take;
		if (d->rec_left == 0)
			record_end(p, d);
		return take;
	}

	if (d->hdr_len == 0)
		d->hdr_need = header_size(d, b[0]);
	assert(d->hdr_len < d->hdr_need && d->hdr_need <= TLS_REC_HDR);
	take = MIN(n, d->hdr_need - d->hdr_len);
	memcpy(d->hdr + d->hdr_len, b, take);
	d->hdr_len += take;
	if (d->hdr_len < d->hdr_need)
		return take;
	d->hdr_len = 0;
	if (!record_begin(d))
		lose_sync(p, d, TLS_ANOM_GARBAGE);
	else if (d->rec_left == 0)
		record_end(p, d);
	return take;
}

/*
 * Whether b[0..n) starts with a believable TLS record header: a known
 * content type, version 3.x, a length a record may have (RFC 5246 section
 * 6.2.3).  With follow set, the header after that record must be
 * believable too when it is at hand, which makes a match in ciphertext
 * unlikely.
 *
 * XXX: a lone header passes at about one position in 2^21 of random
 * bytes, two chained ones at one in 2^42; a false match loses sync again
 * one record later.
 */
static enum tls_verdict
plausible_header(const uint8_t *b, size_t n, bool follow)
{
	size_t len;

	if (n >= 1 && (b[0] < TLS_CT_CCS || b[0] > TLS_CT_HEARTBEAT))
		return TLS_NO;
	if ((n >= 2 && b[1] != 3) || (n >= 3 && b[2] > 4))
		return TLS_NO;
	if (n < TLS_REC_HDR)
		return TLS_MORE;
	len = (size_t)b[3] << 8 | b[4];
	if (len > TLS_REC_MAX || (len == 0 && b[0] != TLS_CT_APPDATA))
		return TLS_NO;
	if (!follow || n <= TLS_REC_HDR + len)
		return TLS_YES;
	if (plausible_header(
		b + TLS_REC_HDR + len, n - TLS_REC_HDR - len, false) == TLS_NO)
		return TLS_NO;
	return TLS_YES;
}

/*
 * Looks for a record header after a gap.  Returns the bytes skipped; the
 * state is left TLS_DIR_RESYNC when the search must wait for more bytes.
 */
static size_t
resync_feed(struct tls_parser *p, struct tls_dir *d, const uint8_t *b, size_t n)
{
	enum tls_verdict v = TLS_NO;
	size_t i;

	for (i = 0; i < n; i++) {
		v = plausible_header(b + i, n - i, true);
		if (v != TLS_NO)
			break;
	}
	if (v == TLS_YES) {
		d->state = d->resume;
		d->stream = TLS_STREAM_TLS;
		return i;
	}
	d->scanned += i;
	if (d->scanned > TLS_RESYNC_MAX) {
		anomaly(p, TLS_ANOM_GAVE_UP);
		d->state = TLS_DIR_OFF;
		release_buffer(d);
	}
	return i;
}

/*
 * What the first bytes of a direction are: a TLS record header (RFC 5246
 * section 6.2.1: type 20-23, version 3.x, a plaintext length), or an SSLv2
 * record (2-byte header, high bit set) holding a CLIENT-HELLO, a
 * SERVER-HELLO or an ERROR.
 */
static enum tls_verdict
detect(const uint8_t *b, size_t n)
{
	size_t len;

	if (n == 0)
		return TLS_MORE;
	if (b[0] >= TLS_CT_CCS && b[0] <= TLS_CT_APPDATA)
		return plausible_header(b, n, false);
	if ((b[0] & 0x80) == 0)
		return TLS_NO;

	/* SSLv2: length, message type, then fields by type. */
	if (n < 3)
		return TLS_MORE;
	len = (size_t)(b[0] & 0x7f) << 8 | b[1];
	if (b[2] == SSL2_MT_ERROR)
		return len == 3 ? TLS_YES : TLS_NO;
	if (b[2] == SSL2_MT_CLIENT_HELLO) {
		if (n < 5)
			return TLS_MORE;
		return len >= 9 &&
			((b[3] == 3 && b[4] <= 4) || (b[3] == 0 && b[4] == 2))
		    ? TLS_YES
		    : TLS_NO;
	}
	if (b[2] == SSL2_MT_SERVER_HELLO) {
		if (n < 7)
			return TLS_MORE;
		return len >= 11 && b[3] <= 1 && b[5] == 0 && b[6] == 2
		    ? TLS_YES
		    : TLS_NO;
	}
	return TLS_NO;
}

struct tls_parser *
tls_parser_new(void)
{
	struct tls_parser *p;

	p = mem_calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->dir[0].server = false;
	p->dir[1].server = true;
	return p;
}

void
tls_parser_free(struct tls_parser *p)
{
	if (p == NULL)
		return;
	mem_free(p->cert);
	mem_free(p->dir[1].buf);
	mem_free(p->dir[0].buf);
	mem_free(p);
}

size_t
tls_parser_feed(struct tls_parser *p, bool from_server, const uint8_t *buf,
    size_t n, bool full)
{
	struct tls_dir *d = &p->dir[from_server ? 1 : 0];
	size_t off = 0, used;

	/* The first bytes decide; a non-TLS stream is left to the caller. */
	if (d->state == TLS_DIR_DETECT) {
		switch (detect(buf, n)) {
		case TLS_MORE:
			if (!full)
				return 0;
			/* FALLTHROUGH */
		case TLS_NO:
			d->stream = TLS_STREAM_NOT_TLS;
			d->state = TLS_DIR_OFF;
			break;
		case TLS_YES:
			d->stream = TLS_STREAM_TLS;
			d->state = TLS_DIR_CLEAR;
			d->v2_start = (buf[0] & 0x80) != 0;
			break;
		}
	}
	if (d->stream == TLS_STREAM_NOT_TLS)
		return full ? n : 0;

	/* Every step consumes a byte at least, or waits for more. */
	while (off < n && d->state != TLS_DIR_OFF) {
		if (d->state == TLS_DIR_RESYNC) {
			used = resync_feed(p, d, buf + off, n - off);
			if (used == 0 && d->state == TLS_DIR_RESYNC)
				return full ? n : off;
		} else {
			used = record_feed(p, d, buf + off, n - off);
		}
		off += used;
	}
	return n;
}

/*
 * len handshake bytes were lost: the message they fell in is damaged, or
 * when they run past its end, message boundaries are lost until the next
 * handshake record.
 */
static void
handshake_gap(struct tls_parser *p, struct tls_dir *d, uint64_t len)
{
	if (d->hs_lost)
		return;
	if (d->in_msg && len <= d->msg_len - d->msg_got) {
		d->msg_damaged = true;
		d->msg_got += (size_t)len;
		if (d->msg_got == d->msg_len)
			message_end(p, d);
		return;
	}
	d->in_msg = false;
	d->msg_hdr_len = 0;
	d->hs_lost = true;
}

/*
 * Bytes lost inside the body of a record keep the record boundaries: only
 * the message they belonged to is damaged.  Anything else loses the
 * boundaries, and the direction searches for the next record header.
 */
void
tls_parser_gap(struct tls_parser *p, bool from_server, uint64_t len)
{
	struct tls_dir *d = &p->dir[from_server ? 1 : 0];

	if (d->state == TLS_DIR_OFF || d->state == TLS_DIR_RESYNC)
		return;

	/* A loss of unknown size (a stream joined mid-way) loses sync. */
	if (len == 0 || d->state == TLS_DIR_DETECT || !d->in_body ||
	    len > d->rec_left) {
		lose_sync(
		    p, d, d->state == TLS_DIR_DETECT ? 0 : TLS_ANOM_RESYNC);
		return;
	}

	if (d->state == TLS_DIR_CLEAR &&
	    (d->rec_v2 || d->rec_type == TLS_CT_HANDSHAKE))
		handshake_gap(p, d, len);
	d->alert_len = 0;
	d->rec_left -= (size_t)len;
	if (d->rec_left == 0)
		record_end(p, d);
}

enum tls_stream
tls_parser_stream(const struct tls_parser *p, bool from_server)
{
	return p->dir[from_server ? 1 : 0].stream;
}

/* A direction that has nothing more to tell. */
static bool
dir_finished(const struct tls_dir *d)
{
	return d->state == TLS_DIR_OFF ||
	    (d->state == TLS_DIR_ENCRYPTED && (d->appdata || d->ccs));
}

bool
tls_parser_done(const struct tls_parser *p)
{
	return p->facts.established ||
	    (dir_finished(&p->dir[0]) && dir_finished(&p->dir[1]));
}

const struct tls_facts *
tls_parser_facts(const struct tls_parser *p)
{
	return &p->facts;
}

const uint8_t *
tls_parser_certificate(const struct tls_parser *p, size_t *len)
{
	*len = p->cert_len;
	return p->cert;
}

const char *
tls_parser_ja3_string(const struct tls_parser *p)
{
	return p->ja3_str;
}
