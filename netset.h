/*
 * netset.h - sets of IPv4 and IPv6 networks, for telling internal
 * addresses from external ones.
 */
#ifndef PLAINSIGHT_NETSET_H
#define PLAINSIGHT_NETSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Networks a set can hold; more is an error when adding. */
#define NETSET_MAX 4096

struct netset_net {
	uint8_t addr[16]; /* IPv4 in the first 4 bytes */
	uint8_t version;  /* 4 or 6 */
	uint8_t prefix;   /* length in bits */
};

struct netset {
	struct netset_net *nets;
	size_t n;
};

void netset_init(struct netset *set);
void netset_cleanup(struct netset *set);

/*
 * Adds the networks of text: CIDRs ("10.0.0.0/8", "2001:db8::/32", a bare
 * address for a single host) separated by commas or blanks, "#" comments to
 * the end of a line.  Returns 0, or -1 with a message in err naming the
 * entry that is not a network.
 */
int netset_add(struct netset *set, const char *text, char *err, size_t errsize);

/* Adds the networks listed in the file at path, as netset_add() reads. */
int netset_add_file(
    struct netset *set, const char *path, char *err, size_t errsize);

/*
 * The private and local ranges: RFC 1918, RFC 6598 (shared address space),
 * loopback, link-local, and IPv6 unique local addresses (RFC 4193).
 */
int netset_add_defaults(struct netset *set);

/* True when addr (IPv4 in the first 4 bytes) is in one of the networks. */
bool netset_contains(
    const struct netset *set, int version, const uint8_t *addr);

#endif
