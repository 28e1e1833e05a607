/*
 * netset.c - network sets: a list of prefixes, searched in order.  The
 * list is short (a site's internal ranges), and it is consulted once per
 * flow, never per packet.
 */
#include "netset.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
netset_init(struct netset *set)
{
	set->nets = NULL;
	set->n = 0;
}

void
netset_cleanup(struct netset *set)
{
	free(set->nets);
	netset_init(set);
}

/* Clears the host bits so that equal networks compare equal. */
static void
mask_host_bits(struct netset_net *net)
{
	size_t bytes = net->version == 4 ? 4 : 16;
	size_t i;

	for (i = 0; i < bytes; i++) {
		if (net->prefix >= (i + 1) * 8)
			continue;
		if (net->prefix <= i * 8)
			net->addr[i] = 0;
		else
			net->addr[i] &=
			    (uint8_t)(0xff << (8 - net->prefix % 8));
	}
}

/* Parses one "address[/prefix]" of len bytes into net. */
static int
parse_one(const char *s, size_t len, struct netset_net *net)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long prefix;
	int max;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(net, 0, sizeof(*net));
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, net->addr) == 1)
		net->version = 4;
	else if (inet_pton(AF_INET6, buf, net->addr) == 1)
		net->version = 6;
	else
		return -1;
	max = net->version == 4 ? 32 : 128;
	prefix = (unsigned long)max;
	if (slash != NULL) {
		errno = 0;
		prefix = strtoul(slash + 1, &end, 10);
		if (errno != 0 || end == slash + 1 || *end != '\0' ||
		    prefix > (unsigned long)max)
			return -1;
	}
	net->prefix = (uint8_t)prefix;
	mask_host_bits(net);
	return 0;
}

static int
append(struct netset *set, const struct netset_net *net)
{
	struct netset_net *nets;

	if (set->n >= NETSET_MAX)
		return -1;
	nets = realloc(set->nets, (set->n + 1) * sizeof(*nets));
	if (nets == NULL)
		return -1;
	set->nets = nets;
	set->nets[set->n++] = *net;
	return 0;
}

int
netset_add(struct netset *set, const char *text, char *err, size_t errsize)
{
	static const char seps[] = ", \t\r\n";
	struct netset_net net;
	const char *p = text;
	size_t len;

	while (*p != '\0') {
		/* Comments run to the end of their line. */
		if (*p == '#') {
			p += strcspn(p, "\n");
			continue;
		}
		len = strcspn(p, seps);
		if (len == 0) {
			p++;
			continue;
		}
		if (parse_one(p, len, &net) != 0) {
			snprintf(err, errsize, "'%.*s' is not a network",
			    (int)(len > 64 ? 64 : len), p);
			return -1;
		}
		if (append(set, &net) != 0) {
			snprintf(
			    err, errsize, "more than %d networks", NETSET_MAX);
			return -1;
		}
		p += len;
	}
	return 0;
}

/* Lines a file of networks may have, comments and blank lines included. */
#define NETSET_MAX_LINES 65536

int
netset_add_file(struct netset *set, const char *path, char *err, size_t errsize)
{
	char line[512], msg[128];
	FILE *fp;
	int rc = 0, lineno = 0;

	fp = fopen(path, "r");
	if (fp == NULL) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		/* A NUL byte, or no end in sight: not a list of networks. */
		if (line[0] == '\0' || lineno > NETSET_MAX_LINES) {
			snprintf(err, errsize,
			    "%s:%d: not a text list of networks", path, lineno);
			rc = -1;
			break;
		}
		rc = netset_add(set, line, msg, sizeof(msg));
		if (rc != 0)
			snprintf(err, errsize, "%s:%d: %s", path, lineno, msg);
	}
	fclose(fp);
	return rc;
}

int
netset_add_defaults(struct netset *set)
{
	char err[64];

	return netset_add(set,
	    "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 " /* RFC 1918 */
	    "100.64.0.0/10 "                           /* RFC 6598 */
	    "127.0.0.0/8 ::1/128 "                     /* loopback */
	    "169.254.0.0/16 fe80::/10 "                /* link-local */
	    "fc00::/7",                                /* RFC 4193 */
	    err, sizeof(err));
}

/* True when addr falls in net (same version). */
static bool
in_net(const struct netset_net *net, const uint8_t *addr)
{
	size_t whole = net->prefix / 8;
	unsigned int rest = net->prefix % 8;

	if (memcmp(net->addr, addr, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((addr[whole] ^ net->addr[whole]) &
		   (uint8_t)(0xff << (8 - rest))) == 0;
}

bool
netset_contains(const struct netset *set, int version, const uint8_t *addr)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		if (set->nets[i].version == version &&
		    in_net(&set->nets[i], addr))
			return true;
	}
	return false;
}
