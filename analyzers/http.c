/*
 * http.c - HTTP/1.x analyzer: logins sent in Authorization headers, in
 * login forms and in URLs, the webmail products they go to, and the
 * server's verdict.
 *
 * Follows RFC 9112 (message syntax: request line section 3, status line 4,
 * field lines 5, message body length 6.3, chunked coding 7.1), RFC 9110
 * (authentication section 11, 1xx interim responses 15.2, CONNECT 9.3.6,
 * Upgrade 7.8), RFC 7617 (Basic), RFC 7616 (Digest, username* in 3.4.4),
 * RFC 4559 (Negotiate), RFC 6750 (Bearer), RFC 7519 (JWT claims), [MS-NLMP]
 * 2.2.1.3 (NTLM AUTHENTICATE_MESSAGE), RFC 7578 and RFC 2046 section 5.1.1
 * (multipart/form-data), and the WHATWG URL standard's urlencoded form.
 *
 * A request target may carry credentials in its userinfo (RFC 3986 section
 * 3.2.1), deprecated for http (RFC 9110 section 4.2.4) yet still sent to
 * proxies, for ftp URLs above all.
 *
 * Each direction is read on its own: lines up to the end of a header
 * section, then the body, skipped where it lies without being buffered.
 * Requests wait in a small ring until their response's header section
 * ends, so that pipelined responses find the request they answer (RFC 9112
 * section 9.3.2: in request order).
 *
 * Only one body is ever read: a POST whose Content-Type is a form
 * (urlencoded, multipart or JSON).  Its first HTTP_FORM_MAX bytes are left
 * unconsumed until they are all there, then read in place (a chunked body
 * is first joined into a buffer on the stack, wiped after), so that no
 * byte of a form, password or not, is ever copied into this analyzer's
 * state.  Password values are only tested for being non-empty; user names
 * are decoded into the credential.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "mem.h"
#include "util.h"

#define HTTP_BUFMAX 16384     /* longest line or form prefix waited for */
#define HTTP_PIPE_MAX 32      /* requests awaiting a response */
#define HTTP_FORM_MAX 8192    /* bytes of a form body read */
#define HTTP_DECODE_MAX 12288 /* decoded Authorization credentials */
#define HTTP_NAME_MAX 64      /* bytes of a form field name compared */
#define HTTP_BOUNDARY_MAX 70  /* RFC 2046 section 5.1.1 */
#define HTTP_METHOD_MAX 24    /* longest method taken for one */
#define HTTP_LEN_DIGITS 19    /* lengths below 10^19 fit in 64 bits */
#define HTTP_HEX_DIGITS 15    /* chunk sizes below 2^60 */
#define HTTP_RANK_NONE 1000   /* no user field seen yet */

/* The fixed part of an NTLM AUTHENTICATE_MESSAGE ([MS-NLMP] 2.2.1.3). */
#define NTLM_SIG "NTLMSSP"
#define NTLM_SIG_LEN 8 /* with its NUL */
#define NTLM_TYPE_OFF 8
#define NTLM_DOMAIN_OFF 28
#define NTLM_USER_OFF 36
#define NTLM_FLAGS_OFF 60
#define NTLM_NEGOTIATE_UNICODE 0x00000001u
#define NTLM_AUTHENTICATE 3

/* A GSS-API InitialContextToken starts with this tag (RFC 2743 3.1). */
#define GSS_INITIAL_TOKEN 0x60

enum http_method {
	HTTP_M_OTHER,
	HTTP_M_GET,
	HTTP_M_HEAD,
	HTTP_M_POST,
	HTTP_M_CONNECT,
};

/* What the next bytes of a direction are. */
enum http_state {
	HTTP_ST_START,      /* a request or status line, or blank lines */
	HTTP_ST_HEADERS,    /* field lines up to a blank line */
	HTTP_ST_BODY,       /* left bytes of a body of known length */
	HTTP_ST_CHUNK_SIZE, /* a chunk-size line (RFC 9112 section 7.1) */
	HTTP_ST_CHUNK_DATA, /* left bytes of chunk data */
	HTTP_ST_CHUNK_END,  /* the line end after chunk data */
	HTTP_ST_TRAILER,    /* trailer fields up to a blank line */
	HTTP_ST_CLOSE,      /* a body that ends with the connection */
	HTTP_ST_WAIT,       /* client: CONNECT or Upgrade sent, reply due */
	HTTP_ST_TUNNEL,     /* no longer HTTP (CONNECT, 101) */
};

/* Where a request carried a credential; each has its own verdict rule. */
enum http_cred_kind {
	HTTP_CRED_AUTH,  /* Authorization */
	HTTP_CRED_PROXY, /* Proxy-Authorization */
	HTTP_CRED_FORM,  /* a form body or query string */
	HTTP_CRED_URL,   /* the userinfo of the request target */
	HTTP_CRED_KINDS,
};

enum http_form_kind {
	HTTP_FORM_NONE,
	HTTP_FORM_URLENCODED,
	HTTP_FORM_MULTIPART,
	HTTP_FORM_JSON,
};

/* How a form field's name or value is encoded. */
enum http_enc {
	HTTP_ENC_RAW,  /* as is (multipart, JSON scalars) */
	HTTP_ENC_URL,  /* percent-encoded, '+' for space */
	HTTP_ENC_PCT,  /* percent-encoded, '+' as is (a URL's userinfo) */
	HTTP_ENC_JSON, /* a JSON string body with backslash escapes */
};

/* A request as its response needs it. */
struct http_req {
	uint32_t seq;              /* order of the request in the session */
	uint8_t method;            /* enum http_method */
	bool upgrade;              /* it asked to switch protocols */
	int cred[HTTP_CRED_KINDS]; /* credential indices, -1 for none */
};

/* One direction of the stream. */
struct http_dir {
	enum http_state state;
	uint64_t left; /* body or chunk data bytes still due */
	size_t held;   /* bytes left unconsumed by the last call */
	bool discard;  /* skipping the rest of an overlong line */
	bool resync;   /* bytes were lost: wait for a start line */

	/* Framing of the message whose header section is being read. */
	bool te;      /* Transfer-Encoding present */
	bool chunked; /* and its last coding is chunked */
	bool has_len; /* Content-Length present */
	bool bad_len; /* Content-Length unreadable or conflicting */
	uint64_t len; /* its value */
};

/* The request the client is sending. */
struct http_creq {
	struct http_req r;
	bool queued;              /* r waits in the ring (by r.seq) */
	const char *webmail;      /* product named by target, host or field */
	bool login;               /* a FORM, BASIC or URL login was recorded */
	enum http_form_kind form; /* what Content-Type says the body is */
	bool examine;             /* the body is a form still to be read */
	char boundary[HTTP_BOUNDARY_MAX + 1]; /* multipart delimiter */
};

/* The response the server is sending. */
struct http_sresp {
	struct http_req r; /* the request it answers; no creds if unknown */
	uint16_t code;
	bool fail_hint; /* Location names a failed login */
};

struct http {
	struct http_dir dir[2]; /* by enum dir */
	struct http_req pipe[HTTP_PIPE_MAX];
	unsigned int head;  /* oldest entry of pipe */
	unsigned int npipe; /* entries in pipe */
	uint32_t seq;       /* requests seen */
	struct http_creq req;
	struct http_sresp resp;
};

/*
 * What a form (or a JWT's claims) showed: whether a password-like field
 * had a value, never the value, and the best user name found.
 */
struct http_form {
	bool claims;              /* ranking JWT claims, not form fields */
	bool pass;                /* a password-like field had a value */
	unsigned int rank;        /* rank of the name in user; lower wins */
	char user[CRED_USER_MAX]; /* decoded user name */
	size_t userlen;
	const char *webmail; /* product a field names, or NULL */
};

/* Names of user fields, most telling first (compared in lower case). */
static const char *const http_user_names[] = {
	"username",
	"user",
	"user_name",
	"userid",
	"user_id",
	"login_username",
	"email",
	"e-mail",
	"emailaddress",
	"email_address",
	"_user",
	"j_username",
	"uname",
	"usr",
	"log",
	"login",
	"loginname",
	"login_name",
	"account",
	"acct",
};

/* Fallbacks: names containing these, in this order of preference. */
static const char *const http_user_parts[] = {
	"user",
	"mail",
	"login",
	"account",
};

static const char *const http_pass_names[] = {
	"pass",
	"passwd",
	"password",
	"pwd",
	"pw",
	"secret",
	"secretkey",
	"passphrase",
};

/* Names containing "pass" that are not about a password. */
static const char *const http_pass_not[] = {
	"bypass",
	"compass",
	"passport",
	"passeng",
	"passiv",
	"passag",
	"passthr",
	"surpass",
	"trespass",
};

/* JWT claims naming the user, most telling first (RFC 7519, OIDC). */
static const char *const http_claim_names[] = {
	"preferred_username",
	"email",
	"upn",
	"unique_name",
	"sub",
};

/* Webmail products by the first segment of a path, or a host's label. */
static const struct {
	const char *name;
	const char *product;
	bool host; /* also recognised as a host's first label */
} http_webmail_names[] = {
	{ "roundcube", "roundcube", true },
	{ "roundcubemail", "roundcube", false },
	{ "sogo", "sogo", true },
	{ "owa", "owa", true },
	{ "ews", "exchange", false },
	{ "mapi", "exchange", false },
	{ "microsoft-server-activesync", "exchange", false },
	{ "autodiscover", "exchange", true },
	{ "zimbra", "zimbra", true },
	{ "horde", "horde", true },
	{ "squirrelmail", "squirrelmail", true },
	{ "rainloop", "rainloop", true },
	{ "snappymail", "rainloop", true },
	{ "webmail", "webmail", true },
};

/* The generic name, given way to by any product named more precisely. */
#define HTTP_WEBMAIL_GENERIC "webmail"

/* Location values that send a failed login back to its form. */
static const char *const http_fail_hints[] = {
	"reason=",
	"error",
	"fail",
	"denied",
	"invalid",
};

static uint16_t
http_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t
http_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	    ((uint32_t)p[3] << 24);
}

/* True for the characters of a token (RFC 9110 section 5.6.2). */
static bool
http_tchar(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Length of the token at the start of p[0..n). */
static size_t
http_token(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n && http_tchar(p[i]))
		i++;
	return i;
}

/* True when p[0..n) holds word, ignoring ASCII case. */
static bool
http_has(const uint8_t *p, size_t n, const char *word)
{
	size_t i, len = strlen(word);

	for (i = 0; i + len <= n; i++) {
		if (ascii_prefix(p + i, n - i, word))
			return true;
	}
	return false;
}

/* Value of a hexadecimal digit, or -1. */
static int
http_hex(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ascii_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Appends byte c to out (size outsize, kept NUL-terminated) if it fits. */
static void
http_put(char *out, size_t outsize, size_t *olen, uint8_t c)
{
	if (*olen + 1 < outsize) {
		out[(*olen)++] = (char)c;
		out[*olen] = '\0';
	}
}

/* Appends code point u as UTF-8; surrogates become '?'. */
static void
http_put_utf8(char *out, size_t outsize, size_t *olen, unsigned int u)
{
	if (u < 0x80) {
		http_put(out, outsize, olen, (uint8_t)u);
	} else if (u < 0x800) {
		http_put(out, outsize, olen, (uint8_t)(0xc0 | (u >> 6)));
		http_put(out, outsize, olen, (uint8_t)(0x80 | (u & 0x3f)));
	} else if (u >= 0xd800 && u <= 0xdfff) {
		http_put(out, outsize, olen, '?');
	} else {
		http_put(out, outsize, olen, (uint8_t)(0xe0 | (u >> 12)));
		http_put(
		    out, outsize, olen, (uint8_t)(0x80 | ((u >> 6) & 0x3f)));
		http_put(out, outsize, olen, (uint8_t)(0x80 | (u & 0x3f)));
	}
}

/*
 * Decodes the escape at p[i] == '\\' of a JSON string (RFC 8259 section
 * 7) into out; returns the offset after it.
 */
static size_t
http_json_escape(const uint8_t *p, size_t n, size_t i, char *out,
    size_t outsize, size_t *olen)
{
	static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
	const char *hit;
	unsigned int u = 0;
	size_t k;

	if (i + 1 >= n)
		return n;
	if (p[i + 1] == 'u') {
		for (k = 0; k < 4; k++) {
			if (i + 2 + k >= n || http_hex(p[i + 2 + k]) < 0)
				return i + 2;
			u = u * 16 + (unsigned int)http_hex(p[i + 2 + k]);
		}
		http_put_utf8(out, outsize, olen, u);
		return i + 6;
	}
	hit = p[i + 1] != '\0' ? strchr(from, p[i + 1]) : NULL;
	http_put(out, outsize, olen,
	    hit != NULL ? (uint8_t)to[hit - from] : p[i + 1]);
	return i + 2;
}

/*
 * Decodes p[0..n) in encoding enc into out (size outsize, NUL-terminated,
 * cut when full).  Returns the decoded length.  Malformed escapes are
 * kept as they are.
 */
static size_t
http_decode(
    const uint8_t *p, size_t n, enum http_enc enc, char *out, size_t outsize)
{
	size_t i = 0, olen = 0;

	out[0] = '\0';
	while (i < n && olen + 1 < outsize) {
		if ((enc == HTTP_ENC_URL || enc == HTTP_ENC_PCT) &&
		    p[i] == '%' && i + 2 < n && http_hex(p[i + 1]) >= 0 &&
		    http_hex(p[i + 2]) >= 0) {
			http_put(out, outsize, &olen,
			    (uint8_t)(http_hex(p[i + 1]) * 16 +
				http_hex(p[i + 2])));
			i += 3;
		} else if (enc == HTTP_ENC_URL && p[i] == '+') {
			http_put(out, outsize, &olen, ' ');
			i++;
		} else if (enc == HTTP_ENC_JSON && p[i] == '\\') {
			i = http_json_escape(p, n, i, out, outsize, &olen);
		} else {
			http_put(out, outsize, &olen, p[i++]);
		}
	}
	return olen;
}

/* The index of word in table t (size n), or n. */
static size_t
http_lookup(const char *const *t, size_t n, const char *word)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(t[i], word) == 0)
			return i;
	}
	return n;
}

/* True for a field name (lower case) that names a password. */
static bool
http_pass_name(const char *key)
{
	size_t i;

	if (http_lookup(http_pass_names, ARRAY_SIZE(http_pass_names), key) <
	    ARRAY_SIZE(http_pass_names))
		return true;
	if (strstr(key, "pwd") != NULL)
		return true;
	if (strstr(key, "pass") == NULL)
		return false;
	for (i = 0; i < ARRAY_SIZE(http_pass_not); i++) {
		if (strstr(key, http_pass_not[i]) != NULL)
			return false;
	}
	return true;
}

/* Rank of a field name (lower case) as a user name; lower is better. */
static unsigned int
http_user_rank(const char *key)
{
	size_t i;

	i = http_lookup(http_user_names, ARRAY_SIZE(http_user_names), key);
	if (i < ARRAY_SIZE(http_user_names))
		return (unsigned int)i;
	for (i = 0; i < ARRAY_SIZE(http_user_parts); i++) {
		if (strstr(key, http_user_parts[i]) != NULL)
			return (unsigned int)(ARRAY_SIZE(http_user_names) + i);
	}
	return HTTP_RANK_NONE;
}

/*
 * The part of a field name compared with the lists: "login[password]" and
 * "data[User][password]" are read as "password".
 */
static const char *
http_field_base(char *key)
{
	size_t len = strlen(key);
	char *open;

	if (len < 3 || key[len - 1] != ']')
		return key;
	open = strrchr(key, '[');
	if (open == NULL)
		return key;
	key[len - 1] = '\0';
	return open + 1;
}

/*
 * Fields that name a webmail product whatever the path: Roundcube's
 * "_task=login" (also in its query string), Zimbra's "loginOp=login" and
 * Horde's "horde_user".
 */
static const char *
http_field_webmail(const char *key, const uint8_t *v, size_t vlen)
{
	if (strcmp(key, "_task") == 0 && ascii_equal(v, vlen, "login"))
		return "roundcube";
	if (strcmp(key, "loginop") == 0 && ascii_equal(v, vlen, "login"))
		return "zimbra";
	if (strcmp(key, "horde_user") == 0)
		return "horde";
	return NULL;
}

/* True when a JSON scalar or field value stands for no value at all. */
static bool
http_empty_value(const uint8_t *v, size_t vlen, enum http_enc enc)
{
	return vlen == 0 ||
	    (enc == HTTP_ENC_RAW &&
		(ascii_equal(v, vlen, "null") ||
		    ascii_equal(v, vlen, "false")));
}

/*
 * Takes one field of a form (or one claim): notes a password-like field
 * with a value, never reading the value, and keeps the decoded value of
 * the most telling user field.
 */
static void
http_field(struct http_form *f, const uint8_t *name, size_t nlen,
    const uint8_t *v, size_t vlen, enum http_enc enc)
{
	char key[HTTP_NAME_MAX];
	const char *base, *product;
	unsigned int rank;
	size_t i, klen;

	klen = http_decode(name, nlen, enc, key, sizeof(key));
	for (i = 0; i < klen; i++)
		key[i] = (char)ascii_lower((uint8_t)key[i]);
	if (!f->claims) {
		product = http_field_webmail(key, v, vlen);
		if (product != NULL && f->webmail == NULL)
			f->webmail = product;
	}
	base = http_field_base(key);

	if (f->claims) {
		rank = (unsigned int)http_lookup(
		    http_claim_names, ARRAY_SIZE(http_claim_names), base);
		if (rank == ARRAY_SIZE(http_claim_names))
			return;
	} else if (http_pass_name(base)) {
		if (!http_empty_value(v, vlen, enc))
			f->pass = true;
		return;
	} else {
		rank = http_user_rank(base);
	}
	if (rank >= f->rank)
		return;
	f->rank = rank;
	f->userlen = http_decode(v, vlen, enc, f->user, sizeof(f->user));
}

static void
http_form_init(struct http_form *f, bool claims)
{
	memset(f, 0, sizeof(*f));
	f->claims = claims;
	f->rank = HTTP_RANK_NONE;
}

/* name=value pairs separated by '&' (a query string or a form body). */
static void
http_urlencoded(struct http_form *f, const uint8_t *p, size_t n)
{
	size_t i = 0, end, eq;

	while (i < n) {
		end = i + span_until(p + i, n - i, '&');
		eq = i + span_until(p + i, end - i, '=');
		if (eq > i && eq < end)
			http_field(f, p + i, eq - i, p + eq + 1, end - eq - 1,
			    HTTP_ENC_URL);
		else if (eq > i)
			http_field(f, p + i, eq - i, p + end, 0, HTTP_ENC_URL);
		i = end + 1;
	}
}

/* True for JSON insignificant whitespace (RFC 8259 section 2). */
static bool
http_json_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Offset of the '"' closing the JSON string that opens at p[i], or n when
 * it is not closed within p[0..n).
 */
static size_t
http_json_close(const uint8_t *p, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '"')
			return i;
	}
	return n;
}

/*
 * Reads the value of the member whose name is p[k..kend) and whose value
 * starts at p[v]; returns where to go on scanning.  Objects and arrays are
 * entered, so nested members are read too.
 */
static size_t
http_json_member(struct http_form *f, const uint8_t *p, size_t n, size_t k,
    size_t kend, size_t v)
{
	size_t end;

	if (p[v] == '{' || p[v] == '[')
		return v + 1;
	if (p[v] == '"') {
		/* A string cut by the bound is read as far as it goes. */
		end = http_json_close(p, n, v);
		http_field(
		    f, p + k, kend - k, p + v + 1, end - v - 1, HTTP_ENC_JSON);
		return end + 1;
	}
	end = v;
	while (end < n && !http_json_ws(p[end]) && p[end] != ',' &&
	    p[end] != '}' && p[end] != ']')
		end++;
	http_field(f, p + k, kend - k, p + v, end - v, HTTP_ENC_RAW);
	return end;
}

/*
 * Visits the members of a JSON text (RFC 8259) at any depth: a string
 * followed by ':' is a member name.  Tolerant of a text cut anywhere.
 */
static void
http_json(struct http_form *f, const uint8_t *p, size_t n)
{
	size_t i = 0, kend, v;

	while (i < n) {
		if (p[i] != '"') {
			i++;
			continue;
		}
		kend = http_json_close(p, n, i);
		if (kend == n)
			return;
		for (v = kend + 1; v < n && http_json_ws(p[v]); v++)
			;
		if (v >= n || p[v] != ':') {
			i = kend + 1;
			continue;
		}
		for (v++; v < n && http_json_ws(p[v]); v++)
			;
		if (v >= n)
			return;
		i = http_json_member(f, p, n, i + 1, kend, v);
	}
}

/*
 * Reads the next parameter of a list separated by sep, name [ "=" value ]
 * with the value a token or a quoted-string (RFC 9110 sections 5.6.4 and
 * 5.6.6), from p[*i..n).  Returns false at the end of the list.  A quoted
 * value is returned with its quotes and must be unquoted by the caller.
 */
static bool
http_param(const uint8_t *p, size_t n, size_t *i, uint8_t sep,
    const uint8_t **name, size_t *nlen, const uint8_t **val, size_t *vlen)
{
	size_t at = *i, end;

	while (at < n && (p[at] == sep || p[at] == ' ' || p[at] == '\t'))
		at++;
	if (at >= n)
		return false;
	*name = p + at;
	*nlen = http_token(p + at, n - at);
	at += *nlen;
	at += skip_blanks(p + at, n - at);
	*val = p + at;
	*vlen = 0;
	if (at < n && p[at] == '=') {
		at++;
		at += skip_blanks(p + at, n - at);
		*val = p + at;
		if (at < n && p[at] == '"')
			end = MIN(http_json_close(p, n, at) + 1, n);
		else
			end = at + span_until(p + at, n - at, sep);
		*vlen = trim_end(p + at, end - at);
		at = end;
	}
	/* Skip whatever is left of a malformed parameter. */
	*i = at + span_until(p + at, n - at, sep);
	if (*nlen == 0 && *vlen == 0 && *i == at)
		*i = at + 1;
	return true;
}

/* Copies a token or quoted-string value, without quotes and escapes. */
static size_t
http_unquote(const uint8_t *v, size_t n, char *out, size_t outsize)
{
	size_t i, olen = 0;

	out[0] = '\0';
	if (n == 0 || v[0] != '"')
		return http_decode(v, n, HTTP_ENC_RAW, out, outsize);
	for (i = 1; i < n && v[i] != '"'; i++) {
		if (v[i] == '\\' && i + 1 < n)
			i++;
		http_put(out, outsize, &olen, v[i]);
	}
	return olen;
}

/*
 * The multipart part whose headers start at p[0..n): the name of a
 * form-data field that is not a file (RFC 7578 section 4.2), and where
 * its content starts.  Returns false for parts to skip.
 */
static bool
http_part_head(const uint8_t *p, size_t n, char *name, size_t namesize,
    size_t *nlen, size_t *body)
{
	static const char cd[] = "content-disposition:";
	const uint8_t *pn, *pv;
	size_t i = 0, lf, len, j, pnl, pvl;
	bool file = false;

	*nlen = 0;
	for (;;) {
		lf = span_until(p + i, n - i, '\n');
		if (i + lf == n)
			return false;
		len = trim_end(p + i, lf);
		if (len == 0)
			break;
		if (ascii_prefix(p + i, len, cd)) {
			j = sizeof(cd) - 1;
			while (http_param(
			    p + i, len, &j, ';', &pn, &pnl, &pv, &pvl)) {
				if (ascii_equal(pn, pnl, "name"))
					*nlen = http_unquote(
					    pv, pvl, name, namesize);
				else if (ascii_equal(pn, pnl, "filename"))
					file = true;
			}
		}
		i += lf + 1;
	}
	*body = i + lf + 1;
	return *nlen > 0 && !file;
}

/*
 * multipart/form-data (RFC 7578, RFC 2046 section 5.1.1): parts between
 * "--boundary" lines.  A part cut by the bound is read as far as it goes.
 */
static void
http_multipart(
    struct http_form *f, const uint8_t *p, size_t n, const char *boundary)
{
	char delim[HTTP_BOUNDARY_MAX + 5], name[HTTP_NAME_MAX];
	const uint8_t *hit;
	size_t dlen, i, nlen, body, end;

	dlen = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", boundary);

	/* The first delimiter may open the body, without a line end. */
	if (n >= dlen - 2 && memcmp(p, delim + 2, dlen - 2) == 0) {
		i = dlen - 2;
	} else {
		hit = memmem(p, n, delim, dlen);
		if (hit == NULL)
			return;
		i = (size_t)(hit - p) + dlen;
	}
	if (i > n)
		return;
	while (i + 2 <= n && !(p[i] == '-' && p[i + 1] == '-')) {
		i += span_until(p + i, n - i, '\n') + 1;
		if (i >= n)
			return;
		if (!http_part_head(
			p + i, n - i, name, sizeof(name), &nlen, &body))
			body = 0;
		hit = memmem(p + i, n - i, delim, dlen);
		end = hit == NULL ? n : (size_t)(hit - p);
		if (body > 0 && i + body <= end)
			http_field(f, (const uint8_t *)name, nlen, p + i + body,
			    end - i - body, HTTP_ENC_RAW);
		if (hit == NULL)
			return;
		i = end + dlen;
	}
}

/*
 * Reads a signed JWT's payload (RFC 7519 section 3, base64url per RFC 7515
 * section 2) for the claim that names the user.  The token is a secret:
 * the decoded payload is wiped before returning.
 */
static void
http_jwt_user(const uint8_t *t, size_t n, struct http_form *f)
{
	uint8_t b64[HTTP_DECODE_MAX], json[HTTP_DECODE_MAX];
	size_t dot1, dot2, i, len;
	long dlen;

	dot1 = span_until(t, n, '.');
	if (dot1 == n)
		return;
	dot2 = dot1 + 1 + span_until(t + dot1 + 1, n - dot1 - 1, '.');
	len = dot2 - dot1 - 1;
	if (dot2 == n || len == 0 || len > sizeof(b64))
		return;
	for (i = 0; i < len; i++) {
		b64[i] = t[dot1 + 1 + i];
		if (b64[i] == '-')
			b64[i] = '+';
		else if (b64[i] == '_')
			b64[i] = '/';
	}
	dlen = b64_decode(b64, len, json, sizeof(json));
	if (dlen > 0 && json[0] == '{')
		http_json(f, json, (size_t)dlen);
	explicit_bzero(b64, len);
	explicit_bzero(json, MIN(len, sizeof(json)));
}

/*
 * Sets a credential's verdict.  One that was accepted once stays so: the
 * same credential refused later was refused for another resource.
 */
static void
http_set_outcome(struct session *s, int cred, enum outcome o)
{
	if (cred < 0 || (unsigned int)cred >= s->ncreds || o == OUTCOME_UNKNOWN)
		return;
	if (s->creds[cred].outcome == OUTCOME_ACCEPTED)
		return;
	session_credential_outcome(s, cred, o);
}

/* The ring entry of request seq, or NULL once it was answered. */
static struct http_req *
http_find(struct http *h, uint32_t seq)
{
	unsigned int i;
	struct http_req *r;

	for (i = 0; i < h->npipe; i++) {
		r = &h->pipe[(h->head + i) % HTTP_PIPE_MAX];
		if (r->seq == seq)
			return r;
	}
	return NULL;
}

/* Ties credential cred to the request being sent, queued or not yet. */
static void
http_attach(struct http *h, enum http_cred_kind kind, int cred)
{
	struct http_req *r;

	if (cred < 0)
		return;
	h->req.r.cred[kind] = cred;
	if (!h->req.queued)
		return;
	r = http_find(h, h->req.r.seq);
	if (r != NULL)
		r->cred[kind] = cred;
}

/*
 * XXX: a request past the ring is not tracked; its response, and those
 * after it until the ring empties, may be matched to the wrong request.
 */
static void
http_push(struct http *h, struct session *s)
{
	if (h->npipe == HTTP_PIPE_MAX) {
		s->anomalies |= SESSION_ANOM_PIPELINE_OVERFLOW;
		return;
	}
	h->pipe[(h->head + h->npipe) % HTTP_PIPE_MAX] = h->req.r;
	h->npipe++;
	h->req.queued = true;
}

/* Takes the oldest request off the ring into r; false when none waits. */
static bool
http_pop(struct http *h, struct http_req *r)
{
	if (h->npipe == 0)
		return false;
	*r = h->pipe[h->head];
	h->head = (h->head + 1) % HTTP_PIPE_MAX;
	h->npipe--;
	return true;
}

/* A request with no credential, for responses to unknown requests. */
static void
http_req_blank(struct http_req *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->method = HTTP_M_OTHER;
	for (i = 0; i < HTTP_CRED_KINDS; i++)
		r->cred[i] = -1;
}

/* Keeps product as the request's webmail unless a more precise one is. */
static void
http_webmail_candidate(struct http *h, const char *product)
{
	if (product == NULL)
		return;
	if (h->req.webmail == NULL ||
	    (strcmp(h->req.webmail, HTTP_WEBMAIL_GENERIC) == 0 &&
		strcmp(product, HTTP_WEBMAIL_GENERIC) != 0))
		h->req.webmail = product;
}

/* A FORM, BASIC or URL login went to a webmail product: say which. */
static void
http_webmail_note(struct http *h, struct session *s)
{
	if (!h->req.login || h->req.webmail == NULL)
		return;
	if (s->webmail[0] != '\0' &&
	    (strcmp(s->webmail, HTTP_WEBMAIL_GENERIC) != 0 ||
		strcmp(h->req.webmail, HTTP_WEBMAIL_GENERIC) == 0))
		return;
	snprintf(s->webmail, sizeof(s->webmail), "%s", h->req.webmail);
}

/* The product named p[0..n) (a path segment or host label), or NULL. */
static const char *
http_webmail_name(const uint8_t *p, size_t n, bool host)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(http_webmail_names); i++) {
		if ((!host || http_webmail_names[i].host) &&
		    ascii_equal(p, n, http_webmail_names[i].name))
			return http_webmail_names[i].product;
	}
	return NULL;
}

/* Host: "name[:port]"; the first label may name the product. */
static void
http_webmail_host(struct http *h, const uint8_t *v, size_t n)
{
	size_t label;

	label = span_until(v, n, '.');
	label = span_until(v, label, ':');
	http_webmail_candidate(h, http_webmail_name(v, label, true));
}

/*
 * The path of a request: its first segment may name the product, and
 * SquirrelMail logs in at src/redirect.php wherever it is installed.
 */
static void
http_webmail_path(struct http *h, const uint8_t *p, size_t n)
{
	static const char squirrel[] = "/src/redirect.php";
	size_t seg;

	if (n >= sizeof(squirrel) - 1 &&
	    ascii_equal(
		p + n - (sizeof(squirrel) - 1), sizeof(squirrel) - 1, squirrel))
		http_webmail_candidate(h, "squirrelmail");
	if (n == 0 || p[0] != '/')
		return;
	seg = span_until(p + 1, n - 1, '/');
	http_webmail_candidate(h, http_webmail_name(p + 1, seg, false));
}

/* Records a FORM login from what a form or query string showed. */
static void
http_form_login(struct http *h, struct session *s, const struct http_form *f,
    const struct timeval *ts)
{
	int cred;

	http_webmail_candidate(h, f->webmail);
	if (!f->pass)
		return;
	cred = session_add_repeated_credential(
	    s, ts, "FORM", f->user, f->userlen, EXPOSURE_CLEARTEXT);
	h->req.login = true;
	http_attach(h, HTTP_CRED_FORM, cred);
	http_webmail_note(h, s);
}

/*
 * A query string with a password-like parameter is a login too (a form
 * sent with method GET), whatever the method.  RainLoop and SnappyMail
 * post to "?/Ajax" and "?/Json".
 */
static void
http_query(struct http *h, struct session *s, const uint8_t *q, size_t n,
    const struct timeval *ts)
{
	struct http_form f;

	if (ascii_prefix(q, n, "/Ajax") || ascii_prefix(q, n, "/Json"))
		http_webmail_candidate(h, "rainloop");
	http_form_init(&f, false);
	http_urlencoded(&f, q, n);
	http_form_login(h, s, &f, ts);
}

/*
 * Length of a scheme and the "://" after it at the start of t[0..n) (RFC
 * 3986 section 3.1: a letter, then letters, digits, '+', '-', '.'), or 0.
 */
static size_t
http_scheme(const uint8_t *t, size_t n)
{
	size_t i;
	uint8_t c;

	for (i = 0; i < n; i++) {
		c = ascii_lower(t[i]);
		if (c >= 'a' && c <= 'z')
			continue;
		if (i == 0 ||
		    !((c >= '0' && c <= '9') || c == '+' || c == '-' ||
			c == '.'))
			break;
	}
	if (i == 0 || n - i < 3 || memcmp(t + i, "://", 3) != 0)
		return 0;
	return i + 3;
}

/* Length of the authority opening a[0..n) (RFC 3986 section 3.2). */
static size_t
http_authority(const uint8_t *a, size_t n)
{
	size_t i = 0;

	while (i < n && a[i] != '/' && a[i] != '?' && a[i] != '#')
		i++;
	return i;
}

/*
 * The userinfo of an authority a[0..n), user [ ":" password ] "@" host
 * (RFC 3986 section 3.2.1), is a login sent in the URL.  It ends at the
 * last '@', so that an unescaped '@' in a password stays in the password.
 * The user name is percent-decoded into the credential; the password is
 * only measured, never copied nor decoded, so no buffer ever holds it.
 * Returns where the host starts.
 *
 * A user name without a password ("user@", "user:@") gave no secret away,
 * and is recorded with exposure none all the same, as a Basic login with
 * an empty password is recorded: a login was still sent and judged, and
 * the row says who, where and with what verdict.  An empty userinfo is no
 * login.  need_pass: record nothing without a password, for a "//" path
 * whose first segment may just hold a mail address.
 *
 * The userinfo of a URL in a Referer (RFC 9110 section 10.1.3) is not
 * read: it repeats the login of the request that fetched that page, which
 * its own target recorded if it crossed in clear; counting it again would
 * turn one login into as many as the page has links followed.
 */
static size_t
http_userinfo(struct http *h, struct session *s, const uint8_t *a, size_t n,
    bool need_pass, const struct timeval *ts)
{
	char user[CRED_USER_MAX];
	const uint8_t *at;
	size_t ui, colon, ulen;
	bool pass;
	int cred;

	at = memrchr(a, '@', n);
	if (at == NULL)
		return 0;
	ui = (size_t)(at - a);
	colon = span_until(a, ui, ':');
	pass = colon + 1 < ui;
	if ((colon == 0 && !pass) || (need_pass && !pass))
		return ui + 1;
	ulen = http_decode(a, colon, HTTP_ENC_PCT, user, sizeof(user));
	cred = session_add_repeated_credential(s, ts, "URL", user, ulen,
	    pass ? EXPOSURE_CLEARTEXT : EXPOSURE_NONE);
	if (cred >= 0 && pass)
		h->req.login = true;
	http_attach(h, HTTP_CRED_URL, cred);
	return ui + 1;
}

/*
 * The request target (RFC 9112 section 3.2): origin-form, or the
 * absolute-form sent to proxies, whose authority names the host and may
 * carry a login.  An origin-form that opens with "//" is read for a login
 * too: some clients send a URL without its scheme.
 */
static void
http_target(struct http *h, struct session *s, const uint8_t *t, size_t n,
    const struct timeval *ts)
{
	size_t path = 0, auth, host, q;

	if (n > 2 && t[0] == '/' && t[1] == '/') {
		(void)http_userinfo(
		    h, s, t + 2, http_authority(t + 2, n - 2), true, ts);
	} else if (n > 0 && t[0] != '/') {
		auth = http_scheme(t, n);
		if (auth == 0)
			return;
		path = auth + http_authority(t + auth, n - auth);
		host = auth +
		    http_userinfo(h, s, t + auth, path - auth, false, ts);
		http_webmail_host(h, t + host, path - host);
	}
	q = path + span_until(t + path, n - path, '?');
	http_webmail_path(h, t + path, q - path);
	if (q < n)
		http_query(h, s, t + q + 1, n - q - 1, ts);
}

/*
 * Basic (RFC 7617 section 2): base64 of user-id ":" password.  Without a
 * colon nothing is known to be the user name.
 */
static int
http_basic(
    struct session *s, const uint8_t *v, size_t n, const struct timeval *ts)
{
	uint8_t buf[HTTP_DECODE_MAX];
	size_t user = 0;
	long len;
	int cred;

	if (n == 0)
		return -1;
	len = b64_decode(v, n, buf, sizeof(buf));
	if (len > 0) {
		user = span_until(buf, (size_t)len, ':');
		if (user == (size_t)len)
			user = 0;
	}
	cred = session_add_repeated_credential(
	    s, ts, "BASIC", (const char *)buf, user, EXPOSURE_CLEARTEXT);

	/* Decoding never writes more bytes than it reads. */
	explicit_bzero(buf, MIN(n, sizeof(buf)));
	return cred;
}

/*
 * username*: an RFC 8187 ext-value, charset "'" [ language ] "'"
 * percent-encoded bytes (RFC 7616 section 3.4.4).
 */
static size_t
http_ext_value(const uint8_t *v, size_t n, char *out, size_t outsize)
{
	size_t q1, q2;

	q1 = span_until(v, n, '\'');
	if (q1 == n)
		return http_decode(v, n, HTTP_ENC_RAW, out, outsize);
	q2 = q1 + 1 + span_until(v + q1 + 1, n - q1 - 1, '\'');
	if (q2 == n)
		return http_decode(v, n, HTTP_ENC_RAW, out, outsize);
	return http_decode(v + q2 + 1, n - q2 - 1, HTTP_ENC_URL, out, outsize);
}

/* Digest (RFC 7616 section 3.4): the username or username* parameter. */
static int
http_digest(
    struct session *s, const uint8_t *v, size_t n, const struct timeval *ts)
{
	char user[CRED_USER_MAX];
	const uint8_t *pn, *pv;
	size_t i = 0, pnl, pvl, ulen = 0;

	if (n == 0)
		return -1;
	user[0] = '\0';
	while (http_param(v, n, &i, ',', &pn, &pnl, &pv, &pvl)) {
		if (ascii_equal(pn, pnl, "username"))
			ulen = http_unquote(pv, pvl, user, sizeof(user));
		else if (ascii_equal(pn, pnl, "username*"))
			ulen = http_ext_value(pv, pvl, user, sizeof(user));
	}
	return session_add_repeated_credential(
	    s, ts, "DIGEST", user, ulen, EXPOSURE_CRACKABLE);
}

/*
 * Finds the payload of the NTLM security buffer described at m[at..at+8):
 * length, maximum length, offset ([MS-NLMP] 2.2.1.3).  False when it
 * lies outside m.
 */
static bool
http_ntlm_field(
    const uint8_t *m, size_t len, size_t at, size_t *off, size_t *flen)
{
	uint32_t o;
	uint16_t l;

	if (len < at + 8)
		return false;
	l = http_le16(m + at);
	o = http_le32(m + at + 4);
	if (o > len || l > len - o)
		return false;
	*off = o;
	*flen = l;
	return true;
}

/* Appends NTLM text (UTF-16LE or OEM), printable ASCII only, else '?'. */
static void
http_ntlm_text(const uint8_t *p, size_t n, bool unicode, char *out,
    size_t outsize, size_t *olen)
{
	size_t i, step = unicode ? 2 : 1;
	uint16_t c;

	for (i = 0; i + step <= n; i += step) {
		c = unicode ? http_le16(p + i) : p[i];
		http_put(out, outsize, olen,
		    c >= 0x20 && c < 0x7f ? (uint8_t)c : '?');
	}
}

/*
 * The user of an NTLM AUTHENTICATE_MESSAGE m[0..len), "domain\user" or
 * "user".  Returns its length, 0 for an anonymous one or when unreadable.
 */
static size_t
http_ntlm_user(const uint8_t *m, size_t len, char *out, size_t outsize)
{
	size_t doff, dlen, uoff, ulen, olen = 0;
	bool unicode = true;

	out[0] = '\0';
	if (!http_ntlm_field(m, len, NTLM_USER_OFF, &uoff, &ulen) || ulen == 0)
		return 0;
	/* Messages from before NTLMv2 may stop short of the flags. */
	if (len >= NTLM_FLAGS_OFF + 4)
		unicode = (http_le32(m + NTLM_FLAGS_OFF) &
			      NTLM_NEGOTIATE_UNICODE) != 0;
	if (http_ntlm_field(m, len, NTLM_DOMAIN_OFF, &doff, &dlen) &&
	    dlen > 0) {
		http_ntlm_text(m + doff, dlen, unicode, out, outsize, &olen);
		http_put(out, outsize, &olen, '\\');
	}
	http_ntlm_text(m + uoff, ulen, unicode, out, outsize, &olen);
	return olen;
}

/*
 * NTLM and Negotiate (RFC 4559): only the AUTHENTICATE message carries
 * the responses; NEGOTIATE and CHALLENGE carry nothing to record.  A
 * Negotiate token holds NTLM wrapped in SPNEGO, or Kerberos, whose ticket
 * gives nothing away: that login is recorded with exposure none.
 */
static int
http_ntlm(struct session *s, const uint8_t *v, size_t n, bool negotiate,
    const struct timeval *ts)
{
	uint8_t buf[HTTP_DECODE_MAX];
	char user[CRED_USER_MAX];
	const uint8_t *m;
	size_t ulen, mlen;
	long len;
	int cred = -1;

	len = n == 0 ? -1 : b64_decode(v, n, buf, sizeof(buf));
	if (len <= 0)
		goto out;
	m = memmem(buf, (size_t)len, NTLM_SIG, NTLM_SIG_LEN);
	if (m == NULL) {
		if (negotiate && buf[0] == GSS_INITIAL_TOKEN)
			cred = session_add_repeated_credential(
			    s, ts, "NEGOTIATE", "", 0, EXPOSURE_NONE);
		goto out;
	}
	mlen = (size_t)len - (size_t)(m - buf);
	if (mlen < NTLM_TYPE_OFF + 4 ||
	    http_le32(m + NTLM_TYPE_OFF) != NTLM_AUTHENTICATE)
		goto out;
	ulen = http_ntlm_user(m, mlen, user, sizeof(user));
	if (ulen > 0)
		cred = session_add_repeated_credential(
		    s, ts, "NTLM", user, ulen, EXPOSURE_CRACKABLE);
out:
	explicit_bzero(buf, MIN(n, sizeof(buf)));
	return cred;
}

/*
 * Bearer (RFC 6750 section 2.1): a token, replayable.  When it is a JWT,
 * the user is the first of its preferred_username, email, upn,
 * unique_name or sub claims.
 */
static int
http_bearer(
    struct session *s, const uint8_t *v, size_t n, const struct timeval *ts)
{
	struct http_form f;
	int cred;

	if (n == 0)
		return -1;
	http_form_init(&f, true);
	http_jwt_user(v, n, &f);
	cred = session_add_repeated_credential(
	    s, ts, "BEARER", f.user, f.userlen, EXPOSURE_TOKEN);
	explicit_bzero(&f, sizeof(f));
	return cred;
}

/*
 * Authorization and Proxy-Authorization (RFC 9110 section 11.6.2 and
 * 11.7.2): a scheme, blanks (some clients send more than one), then a
 * token68 or auth-params.  A scheme sent without credentials records
 * nothing.
 */
static void
http_authorization(struct http *h, struct session *s, enum http_cred_kind kind,
    const uint8_t *v, size_t n, const struct timeval *ts)
{
	char mech[CRED_MECH_MAX];
	const uint8_t *c;
	size_t slen, clen, tlen;
	int cred;

	slen = http_token(v, n);
	if (slen == 0 || (slen < n && v[slen] != ' ' && v[slen] != '\t'))
		return;
	c = v + slen + skip_blanks(v + slen, n - slen);
	clen = (size_t)(v + n - c);
	tlen = span_until(c, span_until(c, clen, ' '), '\t');

	if (ascii_equal(v, slen, "Basic")) {
		cred = http_basic(s, c, tlen, ts);
		if (cred >= 0)
			h->req.login = true;
	} else if (ascii_equal(v, slen, "Digest")) {
		cred = http_digest(s, c, clen, ts);
	} else if (ascii_equal(v, slen, "NTLM")) {
		cred = http_ntlm(s, c, tlen, false, ts);
	} else if (ascii_equal(v, slen, "Negotiate")) {
		cred = http_ntlm(s, c, tlen, true, ts);
	} else if (ascii_equal(v, slen, "Bearer")) {
		cred = http_bearer(s, c, tlen, ts);
	} else if (clen > 0) {
		session_printable(mech, sizeof(mech), v, slen);
		cred = session_add_repeated_credential(
		    s, ts, mech, "", 0, EXPOSURE_UNKNOWN);
	} else {
		cred = -1;
	}
	http_attach(h, kind, cred);
}

/*
 * Content-Length (RFC 9110 section 8.6): a list of one value repeated is
 * that value; anything else leaves the framing unknown.
 */
static void
http_content_length(struct http_dir *hd, const uint8_t *v, size_t n)
{
	uint64_t val;
	size_t i = 0, digits;

	while (i < n) {
		i += skip_blanks(v + i, n - i);
		val = 0;
		for (digits = 0; i < n && v[i] >= '0' && v[i] <= '9';
		     i++, digits++) {
			if (digits == HTTP_LEN_DIGITS)
				break;
			val = val * 10 + (uint64_t)(v[i] - '0');
		}
		i += skip_blanks(v + i, n - i);
		if (digits == 0 || digits == HTTP_LEN_DIGITS ||
		    (i < n && v[i] != ',') || (hd->has_len && val != hd->len)) {
			hd->bad_len = true;
			return;
		}
		hd->has_len = true;
		hd->len = val;
		i++;
	}
}

/*
 * Transfer-Encoding (RFC 9112 section 6.1): the body is chunked when
 * chunked is the last coding applied.
 */
static void
http_transfer_encoding(struct http_dir *hd, const uint8_t *v, size_t n)
{
	size_t start;

	n = trim_end(v, n);
	for (start = n; start > 0 && v[start - 1] != ','; start--)
		;
	start += skip_blanks(v + start, n - start);
	hd->te = true;
	hd->chunked = ascii_equal(v + start, n - start, "chunked");
}

/* The fields that frame a message, in either direction. */
static bool
http_framing_field(struct http_dir *hd, const uint8_t *name, size_t nlen,
    const uint8_t *v, size_t vlen)
{
	if (ascii_equal(name, nlen, "content-length")) {
		http_content_length(hd, v, vlen);
		return true;
	}
	if (ascii_equal(name, nlen, "transfer-encoding")) {
		http_transfer_encoding(hd, v, vlen);
		return true;
	}
	return false;
}

static void
http_framing_reset(struct http_dir *hd)
{
	hd->te = hd->chunked = hd->has_len = hd->bad_len = false;
	hd->len = 0;
}

/*
 * Content-Type of a request: the forms that are read, and the boundary of
 * a multipart one (RFC 2046 section 5.1.1).
 */
static void
http_content_type(struct http *h, const uint8_t *v, size_t n)
{
	const uint8_t *pn, *pv;
	size_t mt, i, pnl, pvl;

	mt = trim_end(v, span_until(v, n, ';'));
	h->req.form = HTTP_FORM_NONE;
	if (ascii_equal(v, mt, "application/x-www-form-urlencoded")) {
		h->req.form = HTTP_FORM_URLENCODED;
	} else if (ascii_equal(v, mt, "application/json") ||
	    (mt > 5 && ascii_equal(v + mt - 5, 5, "+json"))) {
		h->req.form = HTTP_FORM_JSON;
	} else if (ascii_equal(v, mt, "multipart/form-data")) {
		i = mt;
		h->req.boundary[0] = '\0';
		while (http_param(v, n, &i, ';', &pn, &pnl, &pv, &pvl)) {
			if (ascii_equal(pn, pnl, "boundary"))
				(void)http_unquote(pv, pvl, h->req.boundary,
				    sizeof(h->req.boundary));
		}
		if (h->req.boundary[0] != '\0')
			h->req.form = HTTP_FORM_MULTIPART;
	}
}

/* One field line of a request's header section. */
static void
http_req_field(struct http *h, struct session *s, const uint8_t *name,
    size_t nlen, const uint8_t *v, size_t vlen, const struct timeval *ts)
{
	if (http_framing_field(&h->dir[DIR_TO_SERVER], name, nlen, v, vlen))
		return;
	if (ascii_equal(name, nlen, "authorization"))
		http_authorization(h, s, HTTP_CRED_AUTH, v, vlen, ts);
	else if (ascii_equal(name, nlen, "proxy-authorization"))
		http_authorization(h, s, HTTP_CRED_PROXY, v, vlen, ts);
	else if (ascii_equal(name, nlen, "content-type"))
		http_content_type(h, v, vlen);
	else if (ascii_equal(name, nlen, "host"))
		http_webmail_host(h, v, vlen);
	else if (ascii_equal(name, nlen, "upgrade"))
		h->req.r.upgrade = true;
	else if (ascii_equal(name, nlen, "user-agent") &&
	    s->client_name[0] == '\0')
		session_set_client_name(s, v, vlen);
}

/* True when a Location names a failed login (OWA's "reason=2", say). */
static bool
http_fail_hint(const uint8_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(http_fail_hints); i++) {
		if (http_has(v, n, http_fail_hints[i]))
			return true;
	}
	return false;
}

/* One field line of a response's header section. */
static void
http_resp_field(struct http *h, const uint8_t *name, size_t nlen,
    const uint8_t *v, size_t vlen)
{
	if (http_framing_field(&h->dir[DIR_TO_CLIENT], name, nlen, v, vlen))
		return;
	if (ascii_equal(name, nlen, "location"))
		h->resp.fail_hint = http_fail_hint(v, vlen);
}

/*
 * A field line, name ":" OWS value OWS (RFC 9112 section 5).
 *
 * XXX: an obsolete folded continuation line (RFC 9112 section 5.2) is
 * ignored: a value folded onto it, an Authorization one say, is lost.
 */
static void
http_field_line(struct http *h, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts)
{
	size_t colon, nlen, v, vlen;

	if (p[0] == ' ' || p[0] == '\t')
		return;
	colon = span_until(p, n, ':');
	if (colon == n)
		return;
	nlen = trim_end(p, colon);
	v = colon + 1 + skip_blanks(p + colon + 1, n - colon - 1);
	vlen = trim_end(p + v, n - v);
	if (d == DIR_TO_SERVER)
		http_req_field(h, s, p, nlen, p + v, vlen, ts);
	else
		http_resp_field(h, p, nlen, p + v, vlen);
}

/*
 * The protocol is no longer HTTP in either direction.
 *
 * XXX: what a CONNECT tunnel or an upgraded connection (WebSocket, h2c,
 * HTTP/2 with prior knowledge) carries is not analysed.
 */
static void
http_tunnel(struct http *h, struct session *s)
{
	h->dir[DIR_TO_SERVER].state = HTTP_ST_TUNNEL;
	h->dir[DIR_TO_CLIENT].state = HTTP_ST_TUNNEL;
	h->req.examine = false;

	/* Nothing more can be learnt from what the tunnel carries. */
	s->done = true;
}

/*
 * A message ended.  After a CONNECT or an Upgrade request the client's
 * next bytes may already belong to another protocol: they wait for the
 * response.
 */
static void
http_msg_done(struct http *h, enum dir d)
{
	struct http_dir *hd = &h->dir[d];

	hd->state = HTTP_ST_START;
	if (d != DIR_TO_SERVER)
		return;
	h->req.examine = false;
	if (h->req.queued &&
	    (h->req.r.method == HTTP_M_CONNECT || h->req.r.upgrade))
		hd->state = HTTP_ST_WAIT;
}

/* Framing was lost: read on from the next start line. */
static void
http_broken(struct http *h, struct session *s, enum dir d)
{
	s->anomalies |= SESSION_ANOM_GARBAGE;
	h->dir[d].state = HTTP_ST_START;
	h->dir[d].resync = true;
	if (d == DIR_TO_SERVER)
		h->req.examine = false;
}

/*
 * The request's header section ended: queue it for its response and find
 * its body (RFC 9112 section 6.3: chunked, else Content-Length, else none;
 * another final coding or a bad Content-Length is an error the server
 * answers by closing).
 */
static void
http_req_end(struct http *h, struct session *s)
{
	struct http_dir *hd = &h->dir[DIR_TO_SERVER];

	http_push(h, s);
	http_webmail_note(h, s);
	if (hd->te && hd->chunked) {
		hd->state = HTTP_ST_CHUNK_SIZE;
	} else if (hd->te) {
		hd->state = HTTP_ST_CLOSE;
	} else if (hd->bad_len) {
		http_broken(h, s, DIR_TO_SERVER);
		return;
	} else if (hd->has_len && hd->len > 0) {
		hd->state = HTTP_ST_BODY;
		hd->left = hd->len;
	} else {
		http_msg_done(h, DIR_TO_SERVER);
		return;
	}
	h->req.examine =
	    h->req.r.method == HTTP_M_POST && h->req.form != HTTP_FORM_NONE;
}

/*
 * The verdict a status code gives a credential.  Header credentials:
 * 401 (407 for a proxy's) refuses, 101, 2xx and 3xx accept.  A URL's
 * login is for the server the URL names, whose refusal a proxy passes on
 * as 401 (an FTP server's too): a 407 is the proxy asking for its own
 * login before forwarding anything, and says nothing of the URL's.
 * Forms: 401 and 403 refuse, a redirect accepts unless it points back at
 * a failure, and a 200 is ambiguous (the form shown again, or the
 * mailbox).
 */
static enum outcome
http_outcome(enum http_cred_kind kind, uint16_t code, bool fail_hint)
{
	/* Switching protocols is doing what the request asked. */
	if (code == 101)
		return OUTCOME_ACCEPTED;
	switch (kind) {
	case HTTP_CRED_AUTH:
	case HTTP_CRED_URL:
		if (code == 401)
			return OUTCOME_REJECTED;
		break;
	case HTTP_CRED_PROXY:
		if (code == 407)
			return OUTCOME_REJECTED;
		break;
	case HTTP_CRED_FORM:
		if (code == 401 || code == 403)
			return OUTCOME_REJECTED;
		if (code == 301 || code == 302 || code == 303 || code == 307 ||
		    code == 308)
			return fail_hint ? OUTCOME_REJECTED : OUTCOME_ACCEPTED;
		return OUTCOME_UNKNOWN;
	default:
		return OUTCOME_UNKNOWN;
	}
	if (code / 100 == 2 || code / 100 == 3)
		return OUTCOME_ACCEPTED;
	return OUTCOME_UNKNOWN;
}

/* The final response's header section ended: judge its request's logins. */
static void
http_verdict(struct http *h, struct session *s)
{
	unsigned int k;

	for (k = 0; k < HTTP_CRED_KINDS; k++)
		http_set_outcome(s, h->resp.r.cred[k],
		    http_outcome((enum http_cred_kind)k, h->resp.code,
			h->resp.fail_hint));
}

/*
 * The response's header section ended: settle its request and find its
 * body (RFC 9112 section 6.3).  1xx responses are interim and the final
 * one follows (RFC 9110 section 15.2); 101 and a 2xx to CONNECT turn the
 * connection into a tunnel.
 */
static void
http_resp_end(struct http *h, struct session *s)
{
	struct http_dir *hd = &h->dir[DIR_TO_CLIENT];
	struct http_dir *cd = &h->dir[DIR_TO_SERVER];
	uint16_t code = h->resp.code;

	hd->state = HTTP_ST_START;
	if (code < 200 && code != 101)
		return;
	http_verdict(h, s);
	if (code == 101 ||
	    (h->resp.r.method == HTTP_M_CONNECT && code / 100 == 2)) {
		http_tunnel(h, s);
		return;
	}
	if (cd->state == HTTP_ST_WAIT && h->resp.r.seq == h->req.r.seq)
		cd->state = HTTP_ST_START;

	if (h->resp.r.method == HTTP_M_HEAD || code == 204 || code == 304)
		return;
	if (hd->te) {
		hd->state = hd->chunked ? HTTP_ST_CHUNK_SIZE : HTTP_ST_CLOSE;
	} else if (hd->bad_len || !hd->has_len) {
		hd->state = HTTP_ST_CLOSE;
	} else if (hd->len > 0) {
		hd->state = HTTP_ST_BODY;
		hd->left = hd->len;
	}
}

static bool
http_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* HTTP-version (RFC 9112 section 2.3) at p[0..n), exactly. */
static bool
http_version(const uint8_t *p, size_t n)
{
	return n == 8 && memcmp(p, "HTTP/", 5) == 0 && http_digit(p[5]) &&
	    p[6] == '.' && http_digit(p[7]);
}

/* True for the letters of a method as sent in practice. */
static bool
http_method_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

/*
 * Splits a request line, method SP request-target SP HTTP-version (RFC
 * 9112 section 3).  A line cut by the buffer cap (trunc) needs no version.
 */
static bool
http_request_parse(const uint8_t *p, size_t n, bool trunc, size_t *mlen,
    size_t *toff, size_t *tlen)
{
	size_t i = 0;

	while (i < n && i <= HTTP_METHOD_MAX && http_method_char(p[i]))
		i++;
	if (i == 0 || i > HTTP_METHOD_MAX || i >= n || p[i] != ' ')
		return false;
	*mlen = i;
	*toff = ++i;
	while (i < n && p[i] > ' ' && p[i] != 0x7f)
		i++;
	*tlen = i - *toff;
	if (*tlen == 0)
		return false;
	if (trunc)
		return true;
	n = trim_end(p, n);
	return i < n && p[i] == ' ' && http_version(p + i + 1, n - i - 1);
}

/* A status line, HTTP-version SP 3DIGIT SP [reason] (RFC 9112 4). */
static bool
http_status_parse(const uint8_t *p, size_t n, uint16_t *code)
{
	if (n < 12 || !http_version(p, 8) || p[8] != ' ' || !http_digit(p[9]) ||
	    !http_digit(p[10]) || !http_digit(p[11]))
		return false;
	if (n > 12 && p[12] != ' ' && p[12] != '\t')
		return false;
	*code =
	    (uint16_t)((p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0'));
	return *code >= 100;
}

static enum http_method
http_method(const uint8_t *p, size_t n)
{
	if (n == 3 && memcmp(p, "GET", 3) == 0)
		return HTTP_M_GET;
	if (n == 4 && memcmp(p, "HEAD", 4) == 0)
		return HTTP_M_HEAD;
	if (n == 4 && memcmp(p, "POST", 4) == 0)
		return HTTP_M_POST;
	if (n == 7 && memcmp(p, "CONNECT", 7) == 0)
		return HTTP_M_CONNECT;
	return HTTP_M_OTHER;
}

/* A new request begins: forget the last one's facts. */
static void
http_req_begin(struct http *h, const uint8_t *m, size_t mlen)
{
	memset(&h->req, 0, sizeof(h->req));
	http_req_blank(&h->req.r);
	if (++h->seq == 0)
		h->seq = 1;
	h->req.r.seq = h->seq;
	h->req.r.method = (uint8_t)http_method(m, mlen);
}

/*
 * A line where a request may start.  Blank lines before it are allowed
 * (RFC 9112 section 2.2); after a loss, lines up to one that looks like a
 * request line are skipped.  HTTP/2 with prior knowledge (RFC 9113
 * section 3.4) is not read.
 */
static void
http_request_line(struct http *h, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts, bool trunc)
{
	struct http_dir *hd = &h->dir[DIR_TO_SERVER];
	size_t mlen, toff, tlen;

	if (n == 0)
		return;
	if (!http_request_parse(p, n, trunc, &mlen, &toff, &tlen)) {
		if (!hd->resync)
			s->anomalies |= SESSION_ANOM_GARBAGE;
		return;
	}
	hd->resync = false;
	http_framing_reset(hd);
	http_req_begin(h, p, mlen);
	if (mlen == 3 && memcmp(p, "PRI", 3) == 0 && tlen == 1 &&
	    p[toff] == '*') {
		http_tunnel(h, s);
		return;
	}
	hd->state = HTTP_ST_HEADERS;
	if (h->req.r.method != HTTP_M_CONNECT)
		http_target(h, s, p + toff, tlen, ts);
}

/*
 * A line where a response may start; the request it answers leaves the
 * ring unless the response is interim.
 */
static void
http_status_line(struct http *h, struct session *s, const uint8_t *p, size_t n)
{
	struct http_dir *hd = &h->dir[DIR_TO_CLIENT];
	uint16_t code;

	if (n == 0)
		return;
	if (!http_status_parse(p, n, &code)) {
		if (!hd->resync)
			s->anomalies |= SESSION_ANOM_GARBAGE;
		return;
	}
	hd->resync = false;
	http_framing_reset(hd);
	h->resp.code = code;
	h->resp.fail_hint = false;
	http_req_blank(&h->resp.r);
	if (code >= 200 || code == 101)
		(void)http_pop(h, &h->resp.r);
	hd->state = HTTP_ST_HEADERS;
}

/* chunk-size [ chunk-ext ] (RFC 9112 section 7.1), at most 60 bits. */
static bool
http_chunk_parse(const uint8_t *p, size_t n, uint64_t *size)
{
	size_t i;

	*size = 0;
	for (i = 0; i < n && http_hex(p[i]) >= 0; i++) {
		if (i == HTTP_HEX_DIGITS)
			return false;
		*size = *size * 16 + (uint64_t)http_hex(p[i]);
	}
	if (i == 0)
		return false;
	i += skip_blanks(p + i, n - i);
	return i == n || p[i] == ';';
}

static void
http_chunk_line(
    struct http *h, struct session *s, enum dir d, const uint8_t *p, size_t n)
{
	struct http_dir *hd = &h->dir[d];
	uint64_t size;

	if (!http_chunk_parse(p, n, &size)) {
		http_broken(h, s, d);
		return;
	}
	if (size == 0) {
		hd->state = HTTP_ST_TRAILER;
		return;
	}
	hd->state = HTTP_ST_CHUNK_DATA;
	hd->left = size;
}

/* One line p[0..n), without its LF; trunc: cut by the buffer cap. */
static void
http_line(struct http *h, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts, bool trunc)
{
	struct http_dir *hd = &h->dir[d];

	if (n > 0 && p[n - 1] == '\r')
		n--;
	switch (hd->state) {
	case HTTP_ST_START:
		if (d == DIR_TO_SERVER)
			http_request_line(h, s, p, n, ts, trunc);
		else
			http_status_line(h, s, p, n);
		break;
	case HTTP_ST_HEADERS:
		if (n > 0)
			http_field_line(h, s, d, p, n, ts);
		else if (d == DIR_TO_SERVER)
			http_req_end(h, s);
		else
			http_resp_end(h, s);
		break;
	case HTTP_ST_CHUNK_SIZE:
		http_chunk_line(h, s, d, p, n);
		break;
	case HTTP_ST_CHUNK_END:
		if (n > 0)
			http_broken(h, s, d);
		else
			hd->state = HTTP_ST_CHUNK_SIZE;
		break;
	case HTTP_ST_TRAILER:
		if (n == 0)
			http_msg_done(h, d);
		break;
	default:
		break;
	}
}

/* Reads a form, wherever its bytes are, and records the login it holds. */
static void
http_form_read(struct http *h, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	struct http_form f;

	http_form_init(&f, false);
	switch (h->req.form) {
	case HTTP_FORM_URLENCODED:
		http_urlencoded(&f, p, trim_end(p, n));
		break;
	case HTTP_FORM_MULTIPART:
		http_multipart(&f, p, n, h->req.boundary);
		break;
	case HTTP_FORM_JSON:
		http_json(&f, p, n);
		break;
	case HTTP_FORM_NONE:
		break;
	}
	http_form_login(h, s, &f, ts);
}

/*
 * A chunked form: joins the data of the chunks within the first
 * HTTP_FORM_MAX bytes into a buffer, wiped after reading.  Returns false
 * to wait for more bytes; true once the form was read (or found
 * unreadable).
 */
static bool
http_form_chunked(struct http *h, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	uint8_t buf[HTTP_FORM_MAX];
	size_t avail = MIN(n, sizeof(buf)), i = 0, got = 0, lf, take;
	uint64_t size;
	bool whole = false;

	for (;;) {
		lf = span_until(p + i, avail - i, '\n');
		if (i + lf == avail)
			break;
		if (!http_chunk_parse(p + i, trim_end(p + i, lf), &size) ||
		    size == 0) {
			whole = true;
			break;
		}
		i += lf + 1;
		take = (size_t)MIN(size, (uint64_t)(avail - i));
		memcpy(buf + got, p + i, take);
		got += take;
		if (size > (uint64_t)(avail - i))
			break;
		i += (size_t)size;
		lf = span_until(p + i, avail - i, '\n');
		if (i + lf == avail)
			break;
		i += lf + 1;
	}
	if (whole || n >= sizeof(buf))
		http_form_read(h, s, buf, got, ts);
	explicit_bzero(buf, got);
	return whole || n >= sizeof(buf);
}

static void
http_data_done(struct http *h, enum dir d)
{
	if (h->dir[d].state == HTTP_ST_CHUNK_DATA)
		h->dir[d].state = HTTP_ST_CHUNK_END;
	else
		http_msg_done(h, d);
}

/*
 * Body bytes of known length, or chunk data, skipped where they lie.  A
 * form's first bytes are read first, once they are all there.
 *
 * XXX: fields past the first HTTP_FORM_MAX bytes of a form are not read,
 * and a form whose first bytes never all arrived (the capture ended, or
 * some were lost) is not read at all.
 */
static size_t
http_data(struct http *h, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts)
{
	struct http_dir *hd = &h->dir[d];
	size_t take;

	if (d == DIR_TO_SERVER && h->req.examine && hd->state == HTTP_ST_BODY) {
		take = (size_t)MIN(hd->left, (uint64_t)HTTP_FORM_MAX);
		if (n < take)
			return 0;
		http_form_read(h, s, p, take, ts);
		h->req.examine = false;
	}
	take = (size_t)MIN((uint64_t)n, hd->left);
	hd->left -= take;
	if (hd->left == 0)
		http_data_done(h, d);
	return take;
}

/* Skips the rest of an overlong line, up to and including its LF. */
static size_t
http_discard(struct http_dir *hd, const uint8_t *p, size_t n)
{
	size_t lf = span_until(p, n, '\n');

	if (lf == n)
		return n;
	hd->discard = false;
	return lf + 1;
}

/* Takes what it can of p[0..n); returns the bytes consumed, 0 to wait. */
static size_t
http_step(struct http *h, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts)
{
	struct http_dir *hd = &h->dir[d];
	size_t lf;

	if (hd->discard)
		return http_discard(hd, p, n);
	switch (hd->state) {
	case HTTP_ST_BODY:
	case HTTP_ST_CHUNK_DATA:
		return http_data(h, s, d, p, n, ts);
	case HTTP_ST_CLOSE:
	case HTTP_ST_TUNNEL:
		return n;
	case HTTP_ST_WAIT:
		return 0;
	case HTTP_ST_CHUNK_SIZE:
		if (d == DIR_TO_SERVER && h->req.examine) {
			if (!http_form_chunked(h, s, p, n, ts))
				return 0;
			h->req.examine = false;
		}
		break;
	default:
		break;
	}
	lf = span_until(p, n, '\n');
	if (lf == n)
		return 0;
	http_line(h, s, d, p, lf, ts, false);
	return lf + 1;
}

/*
 * The engine's buffer is full and nothing could be consumed: read what is
 * there of the line as the whole line and skip the rest of it.  A client
 * still waiting for the answer to CONNECT never got one it could see:
 * what it sends is taken for the tunnel.
 */
static size_t
http_full(struct http *h, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts)
{
	struct http_dir *hd = &h->dir[d];

	if (hd->state == HTTP_ST_WAIT) {
		http_tunnel(h, s);
		return n;
	}
	s->anomalies |= SESSION_ANOM_LONG_LINE;
	http_line(h, s, d, p, n, ts, true);
	hd->discard = true;
	return n;
}

static size_t
http_parse(void *state, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts, unsigned int flags)
{
	struct http *h = state;
	size_t off = 0, used;

	/* Pipelining: take every message there is. */
	while (off < n) {
		used = http_step(h, s, d, p + off, n - off, ts);
		if (used == 0)
			break;
		off += used;
	}
	if (off == 0 && n > 0 && (flags & PARSE_FULL))
		off = http_full(h, s, d, p, n, ts);
	h->dir[d].held = n - off;
	return off;
}

/*
 * Bytes were lost, and with them what this analyzer had left unconsumed
 * (the engine drops it).  A loss inside a body of known length shortens
 * it; a body that ends with the connection or a tunnel go on; anywhere
 * else the next start line is waited for.  A request whose header section
 * was cut is still queued, since its response will come; after lost
 * responses, which requests they answered is unknowable, so the ring is
 * emptied.
 *
 * XXX: requests lost whole, while others wait for their responses, leave
 * the ring out of step: responses may be matched to the wrong request
 * (verdicts, and the framing of responses to HEAD) until it empties.
 */
static void
http_gap(void *state, struct session *s, enum dir d, uint64_t len)
{
	struct http *h = state;
	struct http_dir *hd = &h->dir[d];
	uint64_t lost = hd->held + len;

	hd->held = 0;
	hd->discard = false;
	if (d == DIR_TO_SERVER)
		h->req.examine = false;
	switch (hd->state) {
	case HTTP_ST_CLOSE:
	case HTTP_ST_TUNNEL:
	case HTTP_ST_WAIT:
		return;
	case HTTP_ST_BODY:
	case HTTP_ST_CHUNK_DATA:
		if (len > 0 && lost <= hd->left) {
			hd->left -= lost;
			if (hd->left == 0)
				http_data_done(h, d);
			return;
		}
		break;
	case HTTP_ST_HEADERS:
		if (d == DIR_TO_SERVER)
			http_push(h, s);
		break;
	default:
		break;
	}
	hd->state = HTTP_ST_START;
	hd->resync = true;
	if (d == DIR_TO_CLIENT)
		h->npipe = 0;
}

static void
http_end(void *state, struct session *s)
{
	(void)state;
	(void)s;
}

static void *
http_create(struct session *s)
{
	struct http *h;

	(void)s;
	h = mem_calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	http_req_blank(&h->req.r);
	http_req_blank(&h->resp.r);
	return h;
}

static void
http_destroy(void *state)
{
	struct http *h = state;

	if (h == NULL)
		return;
	explicit_bzero(h, sizeof(*h));
	mem_free(h);
}

const struct analyzer http_analyzer = {
	.name = "http",
	.bufmax = HTTP_BUFMAX,
	.create = http_create,
	.parse = http_parse,
	.gap = http_gap,
	.end = http_end,
	.destroy = http_destroy,
};
