/*
 * socks.c - SOCKS proxies (RFC 1928 version 5, and version 4 with its 4a
 * extension): skip the proxy's negotiation, then hand the tunnelled stream
 * to the analyzer of whatever protocol it carries.
 *
 * Each direction is followed on its own, since clients often send their
 * first tunnelled bytes with the connect request, before the proxy answers.
 * The inner protocol is recognised by the server's first tunnelled bytes (a
 * greeting) or the client's (EHLO/HELO); client bytes wait for that.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/analyzer.h"
#include "analyzers/registry.h"
#include "mem.h"

#define SOCKS_BUFMAX 1024

enum socks_step {
	SOCKS_HELLO,   /* client: version and methods */
	SOCKS_AUTH,    /* client: RFC 1929 user and password */
	SOCKS_REQUEST, /* client: connect request */
	SOCKS_TUNNEL,  /* everything after is the inner protocol */
	SOCKS_BROKEN,
};

enum socks_reply {
	SOCKS_R_METHOD,  /* server: chosen method */
	SOCKS_R_AUTH,    /* server: sub-negotiation status */
	SOCKS_R_CONNECT, /* server: connect reply */
	SOCKS_R_TUNNEL,
	SOCKS_R_BROKEN,
};

struct socks {
	int version; /* 4 or 5, from the client's first byte */
	enum socks_step client;
	enum socks_reply server;
	bool need_auth; /* the proxy chose username/password */
};

static void *
socks_create(struct session *s)
{
	(void)s;
	return mem_calloc(1, sizeof(struct socks));
}

static void
socks_destroy(void *state)
{
	mem_free(state);
}

/* Length of a SOCKS5 address (type at p[0]) with its port, or 0 if short. */
static size_t
socks5_addr_len(const uint8_t *p, size_t n)
{
	if (n < 1)
		return 0;
	switch (p[0]) {
	case 1:
		return n >= 7 ? 7 : 0;
	case 3:
		if (n < 2)
			return 0;
		return n >= (size_t)p[1] + 4 ? (size_t)p[1] + 4 : 0;
	case 4:
		return n >= 19 ? 19 : 0;
	default:
		return SIZE_MAX;
	}
}

/* A NUL-terminated field from p: its length with the NUL, or 0. */
static size_t
cstring_len(const uint8_t *p, size_t n)
{
	const uint8_t *z = memchr(p, 0, n);

	return z == NULL ? 0 : (size_t)(z - p) + 1;
}

/* Bytes of the client's next negotiation message, 0 if incomplete. */
static size_t
client_message(struct socks *k, const uint8_t *p, size_t n)
{
	size_t len, a;

	switch (k->client) {
	case SOCKS_HELLO:
		if (k->version == 4) {
			if (n < 9)
				return 0;
			len = cstring_len(p + 8, n - 8);
			if (len == 0)
				return 0;
			/* 4a: 0.0.0.x stands for a host name that follows. */
			if (p[4] == 0 && p[5] == 0 && p[6] == 0 && p[7] != 0) {
				a = cstring_len(p + 8 + len, n - 8 - len);
				return a == 0 ? 0 : 8 + len + a;
			}
			return 8 + len;
		}
		if (n < 2)
			return 0;
		return n >= (size_t)p[1] + 2 ? (size_t)p[1] + 2 : 0;
	case SOCKS_AUTH:
		if (n < 2)
			return 0;
		len = (size_t)p[1] + 2;
		if (n < len + 1)
			return 0;
		len += (size_t)p[len] + 1;
		return n >= len ? len : 0;
	case SOCKS_REQUEST:
		if (n < 4)
			return 0;
		a = socks5_addr_len(p + 3, n - 3);
		if (a == SIZE_MAX)
			return SIZE_MAX;
		return a == 0 ? 0 : 3 + a;
	default:
		return 0;
	}
}

/* Tries to name the tunnelled protocol; switches when it can. */
static bool
recognise(struct session *s, enum dir d, const uint8_t *p, size_t n)
{
	struct app_choice c;
	bool known;

	if (d == DIR_TO_CLIENT)
		known = registry_sniff(p, n, NULL, 0, &c);
	else
		known = registry_sniff(NULL, 0, p, n, &c);
	if (!known || c.proto == APP_TLS) {
		/* Only what plainsight analyses is worth following. */
		if (d == DIR_TO_CLIENT || n >= 16)
			s->done = true;
		return false;
	}
	s->protocol = c.proto;
	s->switch_to = analyzer_for_proto(c.proto);
	return true;
}

static size_t
client_bytes(struct socks *k, struct session *s, const uint8_t *p, size_t n)
{
	size_t used = 0, len;

	while (k->client != SOCKS_TUNNEL && k->client != SOCKS_BROKEN) {
		if (k->version == 0 && n > 0)
			k->version = p[0];
		if (k->version != 4 && k->version != 5) {
			k->client = SOCKS_BROKEN;
			s->done = true;
			return n;
		}
		len = client_message(k, p + used, n - used);
		if (len == SIZE_MAX) {
			k->client = SOCKS_BROKEN;
			s->done = true;
			return n;
		}
		if (len == 0)
			return used;
		used += len;
		if (k->version == 4 || k->client == SOCKS_REQUEST)
			k->client = SOCKS_TUNNEL;
		else
			k->client = SOCKS_REQUEST;
	}

	/* Tunnelled client bytes wait until the protocol is known. */
	if (used < n && k->client == SOCKS_TUNNEL &&
	    k->server == SOCKS_R_TUNNEL)
		recognise(s, DIR_TO_SERVER, p + used, n - used);
	return used;
}

static size_t
server_bytes(struct socks *k, struct session *s, const uint8_t *p, size_t n)
{
	size_t used = 0, need, a;

	while (k->server != SOCKS_R_TUNNEL && k->server != SOCKS_R_BROKEN) {
		if (k->version == 4) {
			if (n - used < 8)
				return used;
			used += 8;
			k->server =
			    p[1] == 90 ? SOCKS_R_TUNNEL : SOCKS_R_BROKEN;
			continue;
		}
		if (k->server == SOCKS_R_CONNECT) {
			if (n - used < 4)
				return used;
			a = socks5_addr_len(p + used + 3, n - used - 3);
			if (a == 0)
				return used;
			if (a == SIZE_MAX || p[used + 1] != 0) {
				k->server = SOCKS_R_BROKEN;
				break;
			}
			used += 3 + a;
			k->server = SOCKS_R_TUNNEL;
			continue;
		}
		need = 2;
		if (n - used < need)
			return used;
		if (k->server == SOCKS_R_METHOD) {
			k->need_auth = p[used + 1] == 2;
			k->server =
			    k->need_auth ? SOCKS_R_AUTH : SOCKS_R_CONNECT;
			if (p[used + 1] == 0xff)
				k->server = SOCKS_R_BROKEN;
		} else {
			k->server =
			    p[used + 1] == 0 ? SOCKS_R_CONNECT : SOCKS_R_BROKEN;
		}
		used += need;
	}
	if (k->server == SOCKS_R_BROKEN) {
		s->done = true;
		return n;
	}
	if (used < n)
		recognise(s, DIR_TO_CLIENT, p + used, n - used);
	return used;
}

static size_t
socks_parse(void *state, struct session *s, enum dir d, const uint8_t *p,
    size_t n, const struct timeval *ts, unsigned int flags)
{
	struct socks *k = state;
	size_t used;

	(void)ts;
	if (d == DIR_TO_SERVER) {
		/* SOCKS5 inserts a sub-negotiation after method 2. */
		if (k->client == SOCKS_REQUEST && k->need_auth &&
		    k->server == SOCKS_R_AUTH)
			k->client = SOCKS_AUTH;
		used = client_bytes(k, s, p, n);
	} else {
		used = server_bytes(k, s, p, n);
	}
	if (used == 0 && (flags & PARSE_FULL))
		s->done = true;
	return used;
}

static void
socks_gap(void *state, struct session *s, enum dir d, uint64_t len)
{
	(void)state;
	(void)d;
	(void)len;
	s->done = true;
}

static void
socks_end(void *state, struct session *s)
{
	(void)state;
	(void)s;
}

const struct analyzer socks_analyzer = {
	.name = "socks",
	.bufmax = SOCKS_BUFMAX,
	.create = socks_create,
	.parse = socks_parse,
	.gap = socks_gap,
	.end = socks_end,
	.destroy = socks_destroy,
};
