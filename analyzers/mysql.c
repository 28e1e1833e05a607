/*
 * mysql.c - MySQL and MariaDB analyzer: TLS upgrade and the login.
 *
 * Follows the client/server protocol of the MySQL internals manual
 * ("Connection Phase": Initial Handshake, SSLRequest, HandshakeResponse41
 * and HandshakeResponse320, AuthSwitchRequest, AuthMoreData, OK and ERR
 * packets; "Authentication Methods" for each plugin).
 *
 * Every packet is a 3-byte little-endian payload length, a sequence id and
 * the payload.  The server speaks first with its handshake (protocol 10:
 * version, capabilities, the default authentication plugin).  The client
 * answers with an SSLRequest, after which TLS starts at once, or with its
 * HandshakeResponse: user name, authentication data for a plugin, and,
 * with CLIENT_CONNECT_ATTRS, attributes naming the client library.  The
 * server may then switch plugins or ask for more data, and ends the login
 * with OK or ERR.  The login is recorded once its verdict is known, with
 * the plugin in force at the end; the commands after it are not analysed.
 *
 * Packets are read whole, up to MYSQL_PKT_MAX bytes; longer ones are
 * skipped by their length without being kept.  Authentication data is
 * never copied: the analyzer only notes how much it gives away.
 */
#include <stdio.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "mem.h"
#include "util.h"

#define MYSQL_PKT_MAX 65536 /* longest packet read whole, header included */
#define MYSQL_BUFMAX MYSQL_PKT_MAX
#define MYSQL_HDR 4
#define MYSQL_PLUGIN_MAX 64 /* plugin names are identifiers, 64 at most */
#define MYSQL_BAD ((size_t)-1)

/* Capability flags ("Capability Flags" in the manual). */
#define CLIENT_CONNECT_WITH_DB 0x00000008u
#define CLIENT_PROTOCOL_41 0x00000200u
#define CLIENT_SSL 0x00000800u
#define CLIENT_SECURE_CONNECTION 0x00008000u
#define CLIENT_PLUGIN_AUTH 0x00080000u
#define CLIENT_CONNECT_ATTRS 0x00100000u
#define CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA 0x00200000u

/* First payload bytes of the packets the connection phase uses. */
#define MYSQL_HANDSHAKE_V10 0x0a
#define MYSQL_OK 0x00
#define MYSQL_MORE_DATA 0x01
#define MYSQL_NEXT_FACTOR 0x02
#define MYSQL_SWITCH 0xfe
#define MYSQL_ERR 0xff

/* caching_sha2_password's AuthMoreData statuses. */
#define SHA2_FAST_AUTH_OK 0x03
#define SHA2_FULL_AUTH 0x04

/* HandshakeResponse41 header: caps, max packet, charset, 23 filler. */
#define MYSQL_RESP41_FIXED 32
/* HandshakeResponse320 header: 2-byte caps, 3-byte max packet. */
#define MYSQL_RESP320_FIXED 5

/* Where a caching_sha2_password or sha256_password exchange stands. */
enum mysql_more {
	MYSQL_MORE_NONE,
	MYSQL_MORE_FULL, /* the server asked for the password itself */
	MYSQL_MORE_KEY,  /* the server sent its RSA public key */
};

struct mysql {
	uint64_t skip[2]; /* bytes of an oversized packet yet to skip */
	bool lost[2];     /* framing lost: the direction is not read */
	bool greeted;     /* the server's handshake was read */
	bool answered;    /* the client's HandshakeResponse was read */
	bool login;       /* a login awaits its verdict */
	enum mysql_more more;
	char plugin[MYSQL_PLUGIN_MAX]; /* plugin in force, as on the wire */
	char user[CRED_USER_MAX];      /* login name, no secret */
	size_t userlen;
	enum exposure exposure; /* the most any authentication data gave */
	struct timeval seen;    /* when the last of it was sent */
};

/* What each plugin's authentication data gives an eavesdropper. */
static const struct {
	const char *plugin;
	enum exposure exposure;
} mysql_plugins[] = {
	/* The password itself (MariaDB's PAM "dialog" sends it too). */
	{ "mysql_clear_password", EXPOSURE_CLEARTEXT },
	{ "dialog", EXPOSURE_CLEARTEXT },
	/*
	 * Scrambles of a password hash and the server's nonce, which was
	 * sent in clear: SHA1(pw) xor SHA1(nonce || SHA1(SHA1(pw))) for
	 * native, its SHA-256 analogue for caching_sha2's fast path, an
	 * Ed25519 signature of the nonce by a key derived from the password:
	 * each guess is checked offline.
	 */
	{ "mysql_native_password", EXPOSURE_CRACKABLE },
	{ "mysql_old_password", EXPOSURE_CRACKABLE },
	{ "caching_sha2_password", EXPOSURE_CRACKABLE },
	{ "client_ed25519", EXPOSURE_CRACKABLE },
	/* RSA-encrypted password, or Kerberos. */
	{ "sha256_password", EXPOSURE_NONE },
	{ "auth_gssapi_client", EXPOSURE_NONE },
	{ "authentication_kerberos_client", EXPOSURE_NONE },
};

/* Reads a little-endian integer of k bytes. */
static uint64_t
get_le(const uint8_t *p, size_t k)
{
	uint64_t v = 0;

	while (k-- > 0)
		v = v << 8 | p[k];
	return v;
}

/*
 * Reads a length-encoded integer at p[*off..n) ("Protocol Basics"):
 * below 0xfb one byte, 0xfc, 0xfd and 0xfe prefix 2, 3 and 8 bytes.
 * Returns -1 for 0xfb (NULL), 0xff, or a value past n.
 */
static int
get_lenenc(const uint8_t *p, size_t n, size_t *off, uint64_t *v)
{
	size_t k;

	if (*off >= n)
		return -1;
	switch (p[*off]) {
	case 0xfb:
	case 0xff:
		return -1;
	case 0xfc:
		k = 2;
		break;
	case 0xfd:
		k = 3;
		break;
	case 0xfe:
		k = 8;
		break;
	default:
		*v = p[(*off)++];
		return 0;
	}
	if (n - *off - 1 < k)
		return -1;
	*v = get_le(p + *off + 1, k);
	*off += 1 + k;
	return 0;
}

/*
 * Reads a NUL-terminated string at p[*off..n) into *s and *len and steps
 * over it.  Returns -1 when it is not terminated.
 */
static int
get_cstr(
    const uint8_t *p, size_t n, size_t *off, const uint8_t **s, size_t *len)
{
	size_t l = span_until(p + *off, n - *off, '\0');

	if (l == n - *off)
		return -1;
	*s = p + *off;
	*len = l;
	*off += l + 1;
	return 0;
}

/* Reads a length-encoded string at p[*off..n); -1 when past n. */
static int
get_lenstr(
    const uint8_t *p, size_t n, size_t *off, const uint8_t **s, size_t *len)
{
	uint64_t v;

	if (get_lenenc(p, n, off, &v) != 0 || v > n - *off)
		return -1;
	*s = p + *off;
	*len = (size_t)v;
	*off += (size_t)v;
	return 0;
}

/* Copies a plugin name, cut to the buffer. */
static void
mysql_set_plugin(struct mysql *st, const uint8_t *p, size_t n)
{
	n = MIN(n, sizeof(st->plugin) - 1);
	memcpy(st->plugin, p, n);
	st->plugin[n] = '\0';
}

/* Sets the plugin in force by name. */
static void
mysql_name_plugin(struct mysql *st, const char *name)
{
	mysql_set_plugin(st, (const uint8_t *)name, strlen(name));
}

/* Ranks exposures by what an eavesdropper gets. */
static int
mysql_rank(enum exposure e)
{
	switch (e) {
	case EXPOSURE_CLEARTEXT:
		return 4;
	case EXPOSURE_TOKEN:
		return 3;
	case EXPOSURE_CRACKABLE:
		return 2;
	case EXPOSURE_UNKNOWN:
		return 1;
	case EXPOSURE_NONE:
		break;
	}
	return 0;
}

/* True for a NUL-terminated string without other NULs: a password. */
static bool
mysql_cleartext_shape(const uint8_t *p, size_t n)
{
	return n > 0 && p[n - 1] == '\0' && span_until(p, n, '\0') == n - 1;
}

/*
 * What authentication data p[0..n) for the plugin in force gives away.
 * Nothing sent gives nothing.  caching_sha2_password and sha256_password
 * send, after the server asked for the full password, either the password
 * in clear (what clients do when they believe the link is safe), a
 * request for the server's public key, or the password encrypted with it.
 */
static enum exposure
mysql_data_exposure(const struct mysql *st, const uint8_t *p, size_t n)
{
	bool sha2 = strcmp(st->plugin, "caching_sha2_password") == 0;
	bool sha256 = strcmp(st->plugin, "sha256_password") == 0;
	size_t i;

	if (n == 0)
		return EXPOSURE_NONE;
	if ((sha2 && st->more == MYSQL_MORE_FULL) ||
	    (sha256 && st->more != MYSQL_MORE_KEY))
		return mysql_cleartext_shape(p, n) ? EXPOSURE_CLEARTEXT
						   : EXPOSURE_NONE;
	if (sha2 && st->more == MYSQL_MORE_KEY)
		return EXPOSURE_NONE;
	for (i = 0; i < ARRAY_SIZE(mysql_plugins); i++) {
		if (strcmp(st->plugin, mysql_plugins[i].plugin) == 0)
			return mysql_plugins[i].exposure;
	}
	return EXPOSURE_UNKNOWN;
}

/* Notes authentication data sent at ts. */
static void
mysql_auth_data(
    struct mysql *st, const uint8_t *p, size_t n, const struct timeval *ts)
{
	enum exposure e = mysql_data_exposure(st, p, n);

	if (mysql_rank(e) > mysql_rank(st->exposure))
		st->exposure = e;
	st->seen = *ts;
}

/* Records the login with its verdict; the analysis is over. */
static void
mysql_verdict(struct mysql *st, struct session *s, enum outcome o)
{
	int cred;

	if (st->login) {
		cred = session_add_credential(s, &st->seen, st->plugin,
		    st->user, st->userlen, st->exposure);
		session_credential_outcome(s, cred, o);
		st->login = false;
	}
	s->done = true;
}

/*
 * The Initial Handshake, protocol 10: version string, connection id, the
 * first 8 bytes of the nonce, a filler, the low capability bytes; then,
 * optionally, character set, status, high capability bytes, nonce length,
 * 10 reserved bytes, the rest of the nonce (at least 13 bytes) and the
 * default plugin's name (NUL-terminated, or up to the end in some 5.5
 * servers).
 */
static void
mysql_greeting(struct mysql *st, struct session *s, const uint8_t *p, size_t n)
{
	const uint8_t *version;
	size_t off = 1, len, noncelen;
	uint32_t caps;

	if (get_cstr(p, n, &off, &version, &len) != 0 || n - off < 15) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		return;
	}
	off += 13;
	caps = (uint32_t)get_le(p + off, 2);
	off += 2;
	if (n - off >= 16) {
		caps |= (uint32_t)get_le(p + off + 3, 2) << 16;
		noncelen = p[off + 5];
		off += 16;
		if (caps & CLIENT_SECURE_CONNECTION)
			off += MIN(
			    n - off, MAX(13, noncelen > 8 ? noncelen - 8 : 0));
		if ((caps & CLIENT_PLUGIN_AUTH) && off < n) {
			len = span_until(p + off, n - off, '\0');
			mysql_set_plugin(st, p + off, len);
			session_add_auth_offered(s, p + off, len);
		}
	}
	s->starttls_offered = (int8_t)((caps & CLIENT_SSL) != 0);
}

/*
 * Connection attributes: a length-encoded total, then key and value
 * pairs of length-encoded strings.  _client_name and _client_version
 * describe the client library.
 */
static void
mysql_attrs(struct session *s, const uint8_t *p, size_t n, size_t off)
{
	const uint8_t *key, *val, *name = NULL, *version = NULL;
	size_t klen, vlen, namelen = 0, versionlen = 0, end;
	char buf[SESSION_NAME_MAX];
	uint64_t total;
	int len;

	if (get_lenenc(p, n, &off, &total) != 0 || total > n - off)
		return;
	end = off + (size_t)total;
	while (off < end && get_lenstr(p, end, &off, &key, &klen) == 0 &&
	    get_lenstr(p, end, &off, &val, &vlen) == 0) {
		if (ascii_equal(key, klen, "_client_name")) {
			name = val;
			namelen = vlen;
		} else if (ascii_equal(key, klen, "_client_version")) {
			version = val;
			versionlen = vlen;
		}
	}
	if (name == NULL)
		return;
	len = snprintf(buf, sizeof(buf), "%.*s%s%.*s", (int)MIN(namelen, 64),
	    (const char *)name, version != NULL ? " " : "",
	    (int)MIN(versionlen, 32),
	    version != NULL ? (const char *)version : "");
	if (len > 0)
		session_set_client_name(
		    s, (const uint8_t *)buf, MIN((size_t)len, sizeof(buf) - 1));
}

/*
 * HandshakeResponse41 after its fixed part: user, authentication data
 * (length-encoded, one length byte, or NUL-terminated, by capability),
 * database, plugin name, attributes.  A client without CLIENT_PLUGIN_AUTH
 * logs in with mysql_native_password (mysql_old_password before
 * CLIENT_SECURE_CONNECTION); one that has it but names none uses the
 * server's default.  Returns -1 when the packet is malformed.
 */
static int
mysql_response41(struct mysql *st, struct session *s, const uint8_t *p,
    size_t n, uint32_t caps, const struct timeval *ts)
{
	const uint8_t *user, *auth, *db, *plugin;
	size_t off = MYSQL_RESP41_FIXED, ulen, alen, dlen, plen;

	if (get_cstr(p, n, &off, &user, &ulen) != 0)
		return -1;
	if (caps & CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) {
		if (get_lenstr(p, n, &off, &auth, &alen) != 0)
			return -1;
	} else if (caps & CLIENT_SECURE_CONNECTION) {
		if (off >= n || p[off] > n - off - 1)
			return -1;
		alen = p[off];
		auth = p + off + 1;
		off += 1 + alen;
	} else if (get_cstr(p, n, &off, &auth, &alen) != 0) {
		return -1;
	}
	if ((caps & CLIENT_CONNECT_WITH_DB) && off < n &&
	    get_cstr(p, n, &off, &db, &dlen) != 0)
		return -1;
	if ((caps & CLIENT_PLUGIN_AUTH) && off < n) {
		plen = span_until(p + off, n - off, '\0');
		plugin = p + off;
		off += MIN(plen + 1, n - off);
		mysql_set_plugin(st, plugin, plen);
	} else if (!(caps & CLIENT_PLUGIN_AUTH) || st->plugin[0] == '\0') {
		mysql_name_plugin(st,
		    (caps & CLIENT_SECURE_CONNECTION) ? "mysql_native_password"
						      : "mysql_old_password");
	}
	if (caps & CLIENT_CONNECT_ATTRS)
		mysql_attrs(s, p, n, off);

	st->userlen = MIN(ulen, sizeof(st->user));
	memcpy(st->user, user, st->userlen);
	mysql_auth_data(st, auth, alen, ts);
	return 0;
}

/*
 * HandshakeResponse320: user, then the pre-4.1 scramble, NUL-terminated
 * when a database follows, else up to the end.
 */
static int
mysql_response320(struct mysql *st, const uint8_t *p, size_t n, uint32_t caps,
    const struct timeval *ts)
{
	const uint8_t *user, *auth;
	size_t off = MYSQL_RESP320_FIXED, ulen, alen;

	if (get_cstr(p, n, &off, &user, &ulen) != 0)
		return -1;
	if (caps & CLIENT_CONNECT_WITH_DB) {
		if (get_cstr(p, n, &off, &auth, &alen) != 0)
			return -1;
	} else {
		auth = p + off;
		alen = n - off;
	}
	mysql_name_plugin(st, "mysql_old_password");
	st->userlen = MIN(ulen, sizeof(st->user));
	memcpy(st->user, user, st->userlen);
	mysql_auth_data(st, auth, alen, ts);
	return 0;
}

/*
 * The client's first packet.  An SSLRequest is the fixed part of a
 * HandshakeResponse alone, with CLIENT_SSL: the TLS handshake follows at
 * once, and the response is sent again inside it.
 */
static void
mysql_response(struct mysql *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	bool v41 = n >= 2 && (get_le(p, 2) & CLIENT_PROTOCOL_41);
	size_t fixed = v41 ? MYSQL_RESP41_FIXED : MYSQL_RESP320_FIXED;
	uint32_t caps;
	int r;

	if (n < fixed) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		return;
	}
	caps = (uint32_t)get_le(p, v41 ? 4 : 2);
	if (n == fixed && (caps & CLIENT_SSL)) {
		s->starttls_attempted = true;
		s->starttls_accepted = true;
		s->starttls_seen = *ts;
		s->switch_to = &tls_analyzer;
		return;
	}
	r = v41 ? mysql_response41(st, s, p, n, caps, ts)
		: mysql_response320(st, p, n, caps, ts);
	if (r != 0) {
		s->anomalies |= SESSION_ANOM_GARBAGE;
		return;
	}
	st->answered = true;
	st->login = true;
}

/*
 * A server packet once the client has answered.  AuthSwitchRequest names
 * the next plugin (a lone 0xfe is the old switch to mysql_old_password);
 * MySQL's AuthNextFactor (multi-factor login) has the same shape and is
 * read alike.  AuthMoreData carries caching_sha2_password's status or a
 * public key.
 */
static void
mysql_auth_reply(
    struct mysql *st, struct session *s, const uint8_t *p, size_t n)
{
	size_t len;

	switch (p[0]) {
	case MYSQL_OK:
		mysql_verdict(st, s, OUTCOME_ACCEPTED);
		break;
	case MYSQL_ERR:
		mysql_verdict(st, s, OUTCOME_REJECTED);
		break;
	case MYSQL_SWITCH:
	/*
	 * XXX: the factors of a multi-factor login make one credential,
	 * named after the last plugin.
	 */
	case MYSQL_NEXT_FACTOR:
		len = span_until(p + 1, n - 1, '\0');
		if (n == 1)
			mysql_name_plugin(st, "mysql_old_password");
		else
			mysql_set_plugin(st, p + 1, len);
		st->more = MYSQL_MORE_NONE;
		break;
	case MYSQL_MORE_DATA:
		if (n == 2 && p[1] == SHA2_FULL_AUTH)
			st->more = MYSQL_MORE_FULL;
		else if (ascii_prefix(p + 1, n - 1, "-----BEGIN"))
			st->more = MYSQL_MORE_KEY;
		break;
	default:
		break;
	}
}

/* One whole server packet. */
static void
mysql_server(struct mysql *st, struct session *s, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	if (!st->greeted) {
		st->greeted = true;
		if (p[0] == MYSQL_HANDSHAKE_V10)
			mysql_greeting(st, s, p, n);
		else if (p[0] == MYSQL_ERR)
			s->done = true; /* refused before any login */
		else
			s->anomalies |= SESSION_ANOM_GARBAGE;
		return;
	}
	if (st->answered)
		mysql_auth_reply(st, s, p, n);
}

/* One whole client packet. */
static void
mysql_client(struct mysql *st, struct session *s, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	if (!st->answered)
		mysql_response(st, s, p, n, ts);
	else if (st->login)
		mysql_auth_data(st, p, n, ts);
}

/* Stops reading direction d: its framing is lost. */
static void
mysql_lose(struct mysql *st, struct session *s, enum dir d)
{
	st->lost[d] = true;
	if (st->lost[DIR_TO_SERVER] && st->lost[DIR_TO_CLIENT])
		s->done = true;
}

/*
 * Reads the packets in p[0..n).  Returns the bytes used: whole packets,
 * and of a packet too long to keep what is there, the rest left to skip.
 */
static size_t
mysql_packets(struct mysql *st, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts)
{
	size_t used = 0, total;

	while (n - used >= MYSQL_HDR && !s->done && s->switch_to == NULL) {
		total = MYSQL_HDR + (size_t)get_le(p + used, 3);
		if (total > MYSQL_PKT_MAX) {
			st->skip[d] = total - (n - used);
			return n;
		}
		if (n - used < total)
			break;
		if (d == DIR_TO_SERVER)
			mysql_client(
			    st, s, p + used + MYSQL_HDR, total - MYSQL_HDR, ts);
		else
			mysql_server(
			    st, s, p + used + MYSQL_HDR, total - MYSQL_HDR);
		used += total;
	}
	return s->done ? n : used;
}

static void *
mysql_create(struct session *s)
{
	struct mysql *st;

	(void)s;
	st = mem_calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->exposure = EXPOSURE_NONE;
	return st;
}

static void
mysql_destroy(void *state)
{
	mem_free(state);
}

static size_t
mysql_parse(void *state, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts, unsigned int flags)
{
	struct mysql *st = state;
	size_t take;

	(void)flags;

	/* The rest of an oversized packet goes by unread. */
	take = (size_t)MIN((uint64_t)n, st->skip[d]);
	st->skip[d] -= take;
	if (take == n || st->lost[d] || s->done)
		return n;
	return take + mysql_packets(st, s, d, p + take, n - take, ts);
}

/*
 * Bytes lost inside a packet being skipped shorten the skip; any other
 * loss leaves no way to find the next packet, and the login happens at
 * the start anyway: that direction is no longer read.
 */
static void
mysql_gap(void *state, struct session *s, enum dir d, uint64_t len)
{
	struct mysql *st = state;

	if (len > 0 && len <= st->skip[d]) {
		st->skip[d] -= len;
		return;
	}
	st->skip[d] = 0;
	mysql_lose(st, s, d);
}

/* A login whose verdict was not seen is recorded without one. */
static void
mysql_end(void *state, struct session *s)
{
	struct mysql *st = state;

	if (st->login)
		mysql_verdict(st, s, OUTCOME_UNKNOWN);
}

const struct analyzer mysql_analyzer = {
	.name = "mysql",
	.bufmax = MYSQL_BUFMAX,
	.create = mysql_create,
	.parse = mysql_parse,
	.gap = mysql_gap,
	.end = mysql_end,
	.destroy = mysql_destroy,
};
