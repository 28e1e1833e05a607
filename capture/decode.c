/*
 * decode.c - link layers, tunnels, IP and the transport header.
 *
 * References: IEEE 802.1Q (VLAN tags, 0x8100; QinQ 0x88a8), RFC 3032 (MPLS
 * label stack), RFC 4385 (pseudowire control word), RFC 2516 (PPPoE),
 * RFC 2784 and RFC 2890 (GRE with key and sequence number), the ERSPAN
 * draft draft-foschiano-erspan-03 (types I, II and III), RFC 7348 (VXLAN),
 * 3GPP TS 29.281 (GTP-U),
 * RFC 791 (IPv4), RFC 8200 (IPv6 and its extension headers), RFC 4302
 * (AH), RFC 9293 (TCP), RFC 768 (UDP), and the Linux cooked headers as
 * libpcap documents them (LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2).
 */
#include "capture/decode.h"

#include <netinet/in.h>
#include <pcap/dlt.h>
#include <string.h>

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD1 0x9100
#define ETHERTYPE_QINQ_OLD2 0x9200
#define ETHERTYPE_MPLS 0x8847
#define ETHERTYPE_MPLS_MC 0x8848
#define ETHERTYPE_PPPOE 0x8864
#define ETHERTYPE_TEB 0x6558     /* transparent Ethernet bridging */
#define ETHERTYPE_ERSPAN2 0x88be /* types I and II */
#define ETHERTYPE_ERSPAN3 0x22eb

#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

#define VXLAN_PORT 4789
#define GTPU_PORT 2152

/* Link types libpcap may not define on every system. */
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

/* Tunnels inside tunnels beyond this are not opened. */
#define DECODE_MAX_DEPTH 8

struct decoder {
	struct packet *pkt;
	bool cut;  /* the snap length cut the frame */
	int depth; /* encapsulations opened so far */
};

static enum decode_result decode_ethertype(
    struct decoder *d, uint16_t type, const uint8_t *p, size_t n);
static enum decode_result decode_ether(
    struct decoder *d, const uint8_t *p, size_t n);
static enum decode_result decode_ip(
    struct decoder *d, const uint8_t *p, size_t n);

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* What running out of bytes means: a cut capture or a lying header. */
static enum decode_result
short_of(const struct decoder *d)
{
	return d->cut ? DECODE_TRUNCATED : DECODE_MALFORMED;
}

/* Counts one more encapsulation; false when too deep to follow. */
static bool
enter_tunnel(struct decoder *d, uint8_t kind)
{
	d->pkt->encap |= kind;
	return ++d->depth <= DECODE_MAX_DEPTH;
}

bool
cap_linktype_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return true;
	default:
		/* LINKTYPE_RAW (101) and OpenBSD's DLT_RAW (14) are raw IP. */
		return dlt == 101 || dlt == 14;
	}
}

/* BSD address families of IPv6 differ between systems. */
static enum decode_result
decode_null(struct decoder *d, const uint8_t *p, size_t n, bool net_order)
{
	uint32_t af;

	if (n < 4)
		return short_of(d);
	if (net_order)
		af = rd32(p);
	else
		memcpy(&af, p, sizeof(af));

	/* The header is in the byte order of the capturing host. */
	if (!net_order && af > 0xffff)
		af = __builtin_bswap32(af);
	switch (af) {
	case 2:  /* AF_INET everywhere */
	case 24: /* AF_INET6 on NetBSD and OpenBSD */
	case 28: /* FreeBSD */
	case 30: /* Darwin */
		return decode_ip(d, p + 4, n - 4);
	default:
		return DECODE_OTHER;
	}
}

static enum decode_result
decode_sll(struct decoder *d, const uint8_t *p, size_t n)
{
	if (n < 16)
		return short_of(d);
	return decode_ethertype(d, rd16(p + 14), p + 16, n - 16);
}

static enum decode_result
decode_sll2(struct decoder *d, const uint8_t *p, size_t n)
{
	if (n < 20)
		return short_of(d);
	return decode_ethertype(d, rd16(p), p + 20, n - 20);
}

static enum decode_result
decode_ether(struct decoder *d, const uint8_t *p, size_t n)
{
	uint16_t type;

	if (n < 14)
		return short_of(d);
	type = rd16(p + 12);

	/* Values up to 1500 are 802.3 lengths: LLC frames, not IP. */
	if (type < 0x0600)
		return DECODE_OTHER;
	return decode_ethertype(d, type, p + 14, n - 14);
}

/*
 * MPLS carries no protocol field: after the bottom label, look at the first
 * nibble (RFC 4385 reserves 0 for the pseudowire control word, which is
 * followed by an Ethernet frame).
 */
static enum decode_result
decode_mpls(struct decoder *d, const uint8_t *p, size_t n)
{
	bool bottom = false;

	if (!enter_tunnel(d, ENCAP_MPLS))
		return DECODE_OTHER;
	while (!bottom) {
		if (n < 4)
			return short_of(d);
		bottom = (p[2] & 0x01) != 0;
		p += 4;
		n -= 4;
	}
	if (n < 1)
		return short_of(d);
	switch (p[0] >> 4) {
	case 4:
	case 6:
		return decode_ip(d, p, n);
	case 0:
		if (n < 4)
			return short_of(d);
		return decode_ether(d, p + 4, n - 4);
	default:
		return DECODE_OTHER;
	}
}

static enum decode_result
decode_pppoe(struct decoder *d, const uint8_t *p, size_t n)
{
	uint16_t proto;

	if (!enter_tunnel(d, ENCAP_PPPOE))
		return DECODE_OTHER;
	if (n < 8)
		return short_of(d);
	proto = rd16(p + 6);
	if (proto == PPP_IPV4 || proto == PPP_IPV6)
		return decode_ip(d, p + 8, n - 8);
	return DECODE_OTHER;
}

static enum decode_result
decode_ethertype(struct decoder *d, uint16_t type, const uint8_t *p, size_t n)
{
	struct packet *pkt = d->pkt;

	/* Any number of VLAN tags, the outermost giving the id. */
	while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ ||
	    type == ETHERTYPE_QINQ_OLD1 || type == ETHERTYPE_QINQ_OLD2) {
		if (!enter_tunnel(d, ENCAP_VLAN))
			return DECODE_OTHER;
		if (n < 4)
			return short_of(d);
		if (pkt->vlan == 0)
			pkt->vlan = rd16(p) & 0x0fff;
		type = rd16(p + 2);
		p += 4;
		n -= 4;
	}

	switch (type) {
	case ETHERTYPE_IPV4:
	case ETHERTYPE_IPV6:
		return decode_ip(d, p, n);
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MC:
		return decode_mpls(d, p, n);
	case ETHERTYPE_PPPOE:
		return decode_pppoe(d, p, n);
	default:
		return DECODE_OTHER;
	}
}

/*
 * ERSPAN type II (version 1) has an 8-byte header, type III (version 2) a
 * 12-byte one, followed by an optional 8-byte platform sub-header when its
 * O bit is set; type III may also carry a bare IP packet (frame type 2).
 */
static enum decode_result
decode_erspan(
    struct decoder *d, uint16_t type, bool has_seq, const uint8_t *p, size_t n)
{
	size_t hlen;

	if (!enter_tunnel(d, ENCAP_ERSPAN))
		return DECODE_OTHER;

	/* Type I: no sequence number in GRE and no ERSPAN header. */
	if (type == ETHERTYPE_ERSPAN2 && !has_seq)
		return decode_ether(d, p, n);
	if (n < 12)
		return short_of(d);
	if (type == ETHERTYPE_ERSPAN2) {
		if ((p[0] >> 4) != 1)
			return DECODE_MALFORMED;
		return decode_ether(d, p + 8, n - 8);
	}

	if ((p[0] >> 4) != 2)
		return DECODE_MALFORMED;
	hlen = (p[11] & 0x01) ? 20 : 12;
	if (n < hlen)
		return short_of(d);
	if (((p[10] >> 2) & 0x1f) == 2)
		return decode_ip(d, p + hlen, n - hlen);
	return decode_ether(d, p + hlen, n - hlen);
}

static enum decode_result
decode_gre(struct decoder *d, const uint8_t *p, size_t n)
{
	uint16_t flags, type;
	size_t hlen = 4;

	if (!enter_tunnel(d, ENCAP_GRE))
		return DECODE_OTHER;
	if (n < 4)
		return short_of(d);
	flags = rd16(p);
	type = rd16(p + 2);

	/* Version 1 is PPTP's enhanced GRE, which carries PPP. */
	if ((flags & 0x0007) != 0)
		return DECODE_OTHER;
	if (flags & 0x8000)
		hlen += 4; /* checksum and reserved */
	if (flags & 0x2000)
		hlen += 4; /* key */
	if (flags & 0x1000)
		hlen += 4; /* sequence number */
	if (n < hlen)
		return short_of(d);
	p += hlen;
	n -= hlen;

	switch (type) {
	case ETHERTYPE_TEB:
		return decode_ether(d, p, n);
	case ETHERTYPE_ERSPAN2:
	case ETHERTYPE_ERSPAN3:
		return decode_erspan(d, type, (flags & 0x1000) != 0, p, n);
	default:
		return decode_ethertype(d, type, p, n);
	}
}

static enum decode_result
decode_tcp(struct decoder *d, const uint8_t *p, size_t n)
{
	struct packet *pkt = d->pkt;
	size_t hlen;

	if (n < 20)
		return short_of(d);
	hlen = (size_t)(p[12] >> 4) * 4;
	if (hlen < 20)
		return DECODE_MALFORMED;
	if (hlen > n)
		return short_of(d);
	pkt->proto = IPPROTO_TCP;
	pkt->sport = rd16(p);
	pkt->dport = rd16(p + 2);
	pkt->seq = rd32(p + 4);
	pkt->ack = rd32(p + 8);
	pkt->tcp_flags = p[13];
	pkt->l4 = p;
	pkt->l4_len = n;
	pkt->payload = p + hlen;
	pkt->payload_len = n - hlen;
	return DECODE_OK;
}

/*
 * GTP-U (3GPP TS 29.281 section 5): a G-PDU carries a user's IP packet
 * after an 8-byte header, 4 more bytes when any optional field is flagged,
 * and a chain of extension headers each giving its length in 4-byte units.
 * Other GTP-U messages are left as the UDP datagrams they are.
 */
static enum decode_result
decode_gtpu(struct decoder *d, const uint8_t *p, size_t n)
{
	size_t off = 8, len;
	uint8_t next;

	if (n < 8 || (p[0] >> 5) != 1 || (p[0] & 0x10) == 0 || p[1] != 0xff)
		return DECODE_OK;
	if (!enter_tunnel(d, ENCAP_GTP))
		return DECODE_OTHER;
	if (p[0] & 0x07) {
		if (n < 12)
			return short_of(d);
		off = 12;
		next = (p[0] & 0x04) ? p[11] : 0;
		while (next != 0) {
			if (n - off < 4)
				return short_of(d);
			len = (size_t)p[off] * 4;
			if (len == 0 || len > n - off)
				return DECODE_MALFORMED;
			next = p[off + len - 1];
			off += len;
		}
	}
	if (off >= n)
		return DECODE_OTHER;
	return decode_ip(d, p + off, n - off);
}

/* A VXLAN header with the I flag, then an Ethernet frame. */
static bool
looks_like_vxlan(const uint8_t *p, size_t n)
{
	return n >= 8 + 14 && (p[0] & 0x08) != 0;
}

static enum decode_result
decode_udp(struct decoder *d, const uint8_t *p, size_t n)
{
	struct packet *pkt = d->pkt;
	size_t len;

	if (n < 8)
		return short_of(d);
	len = rd16(p + 4);
	if (len < 8 || len > n)
		return len > n ? short_of(d) : DECODE_MALFORMED;
	pkt->proto = IPPROTO_UDP;
	pkt->sport = rd16(p);
	pkt->dport = rd16(p + 2);
	pkt->tcp_flags = 0;
	pkt->l4 = p;
	pkt->l4_len = len;
	pkt->payload = p + 8;
	pkt->payload_len = len - 8;

	if (pkt->dport == VXLAN_PORT && looks_like_vxlan(p + 8, len - 8)) {
		if (!enter_tunnel(d, ENCAP_VXLAN))
			return DECODE_OTHER;
		return decode_ether(d, p + 16, len - 16);
	}
	if (pkt->dport == GTPU_PORT || pkt->sport == GTPU_PORT)
		return decode_gtpu(d, p + 8, len - 8);
	return DECODE_OK;
}

/* The transport (or tunnel) inside an IP packet. */
static enum decode_result
decode_ip_payload(struct decoder *d, uint8_t proto, const uint8_t *p, size_t n)
{
	switch (proto) {
	case IPPROTO_TCP:
		return decode_tcp(d, p, n);
	case IPPROTO_UDP:
		return decode_udp(d, p, n);
	case IPPROTO_GRE:
		return decode_gre(d, p, n);
	case IPPROTO_IPIP:
	case IPPROTO_IPV6:
		if (!enter_tunnel(d, ENCAP_IPIP))
			return DECODE_OTHER;
		return decode_ip(d, p, n);
	default:
		return DECODE_OTHER;
	}
}

static bool
ipv4_checksum_ok(const uint8_t *p, size_t hlen)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < hlen; i += 2)
		sum += rd16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static enum decode_result
decode_ipv4(struct decoder *d, const uint8_t *p, size_t n)
{
	struct packet *pkt = d->pkt;
	size_t hlen, total;
	uint16_t frag;

	if (n < 20)
		return short_of(d);
	hlen = (size_t)(p[0] & 0x0f) * 4;
	total = rd16(p + 2);
	if (hlen < 20 || total < hlen)
		return DECODE_MALFORMED;
	if (hlen > n)
		return short_of(d);

	/* Bytes past the total length are link-layer padding. */
	if (total > n)
		return short_of(d);
	n = total;

	pkt->ip_version = 4;
	memset(pkt->src, 0, sizeof(pkt->src));
	memset(pkt->dst, 0, sizeof(pkt->dst));
	memcpy(pkt->src, p + 12, 4);
	memcpy(pkt->dst, p + 16, 4);
	pkt->l3 = p;
	pkt->l3_len = n;

	/* More fragments, or an offset: part of a datagram. */
	frag = rd16(p + 6);
	if ((frag & 0x2000) != 0 || (frag & 0x1fff) != 0)
		return DECODE_FRAGMENT;
	return decode_ip_payload(d, p[9], p + hlen, n - hlen);
}

/*
 * Walks the IPv6 extension header chain (RFC 8200 section 4) to the upper
 * layer.  A fragment header with offset 0 and no more fragments (an atomic
 * fragment, RFC 6946) is skipped like any other.
 */
static enum decode_result
decode_ipv6(struct decoder *d, const uint8_t *p, size_t n)
{
	struct packet *pkt = d->pkt;
	size_t total, off, len;
	uint8_t next;

	if (n < 40)
		return short_of(d);
	total = 40 + (size_t)rd16(p + 4);
	if (total > n)
		return short_of(d);
	n = total;

	pkt->ip_version = 6;
	memcpy(pkt->src, p + 8, 16);
	memcpy(pkt->dst, p + 24, 16);
	pkt->l3 = p;
	pkt->l3_len = n;

	next = p[6];
	off = 40;
	for (;;) {
		switch (next) {
		case 0:   /* hop-by-hop options */
		case 43:  /* routing */
		case 60:  /* destination options */
		case 135: /* mobility */
		case 139: /* HIP */
		case 140: /* shim6 */
			if (n - off < 8)
				return short_of(d);
			len = ((size_t)p[off + 1] + 1) * 8;
			break;
		case 51: /* AH counts 4-byte words, less two */
			if (n - off < 8)
				return short_of(d);
			len = ((size_t)p[off + 1] + 2) * 4;
			break;
		case 44: /* fragment */
			if (n - off < 8)
				return short_of(d);
			if ((rd16(p + off + 2) & 0xfff9) != 0)
				return DECODE_FRAGMENT;
			len = 8;
			break;
		default:
			return decode_ip_payload(d, next, p + off, n - off);
		}
		if (len > n - off)
			return short_of(d);
		next = p[off];
		off += len;
	}
}

static enum decode_result
decode_ip(struct decoder *d, const uint8_t *p, size_t n)
{
	if (n < 1)
		return short_of(d);
	switch (p[0] >> 4) {
	case 4:
		return decode_ipv4(d, p, n);
	case 6:
		return decode_ipv6(d, p, n);
	default:
		return DECODE_MALFORMED;
	}
}

enum decode_result
cap_decode(int dlt, const uint8_t *frame, size_t caplen, size_t wirelen,
    struct packet *pkt)
{
	struct decoder d;

	memset(pkt, 0, sizeof(*pkt));
	d.pkt = pkt;
	d.cut = caplen < wirelen;
	d.depth = 0;

	switch (dlt) {
	case DLT_EN10MB:
		return decode_ether(&d, frame, caplen);
	case DLT_LINUX_SLL:
		return decode_sll(&d, frame, caplen);
	case DLT_LINUX_SLL2:
		return decode_sll2(&d, frame, caplen);
	case DLT_NULL:
		return decode_null(&d, frame, caplen, false);
	case DLT_LOOP:
		return decode_null(&d, frame, caplen, true);
	default:
		if (cap_linktype_supported(dlt))
			return decode_ip(&d, frame, caplen);
		return DECODE_OTHER;
	}
}

/*
 * One's complement sum (RFC 1071) of p[0..n) as big-endian 16-bit words,
 * added to sum.  The sum does not depend on byte order (RFC 1071 section
 * 2(B)): 32-bit words are added in the host's order into a 64-bit
 * accumulator, folded, and swapped to network order at the end.
 */
static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	uint64_t acc = 0;
	uint32_t w;
	uint16_t h;
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		memcpy(&w, p + i, 4);
		acc += w;
	}
	if (i + 2 <= n) {
		memcpy(&h, p + i, 2);
		acc += h;
		i += 2;
	}
	if (i < n) {
		h = 0;
		memcpy(&h, p + i, 1);
		acc += h;
	}
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	h = (uint16_t)acc;
	acc = (uint64_t)sum + ntohs(h);
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

bool
cap_checksums_ok(const struct packet *pkt)
{
	uint32_t sum;
	size_t alen = pkt->ip_version == 4 ? 4 : 16;

	if (pkt->ip_version == 4 &&
	    !ipv4_checksum_ok(pkt->l3, (size_t)(pkt->l3[0] & 0x0f) * 4))
		return false;

	/* A UDP checksum of zero over IPv4 means none was computed. */
	if (pkt->proto == IPPROTO_UDP && pkt->ip_version == 4 &&
	    rd16(pkt->l4 + 6) == 0)
		return true;

	/* Pseudo-header: addresses, protocol, length (RFC 9293, RFC 8200). */
	sum = csum_add(0, pkt->src, alen);
	sum = csum_add(sum, pkt->dst, alen);
	sum += pkt->proto;
	sum += (uint32_t)(pkt->l4_len & 0xffff) + (uint32_t)(pkt->l4_len >> 16);
	sum = csum_add(sum, pkt->l4, pkt->l4_len);
	return sum == 0xffff;
}
