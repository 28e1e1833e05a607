/*
 * decode.h - from a captured frame to the TCP or UDP segment it carries.
 *
 * Link layers: Ethernet (802.1Q, QinQ, PPPoE), Linux cooked (SLL, SLL2),
 * raw IPv4/IPv6, BSD null/loopback.  Tunnels used for remote mirroring are
 * opened down to the inner packet: MPLS, GRE, ERSPAN types I-III, VXLAN,
 * IP in IP, and GTP-U as met on mobile core links.  IPv6 extension headers are
 * skipped.  Every read is checked against the captured length; nothing here
 * allocates.
 */
#ifndef PLAINSIGHT_DECODE_H
#define PLAINSIGHT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* Encapsulations met on the way in (struct packet encap bits). */
#define ENCAP_VLAN 0x01
#define ENCAP_MPLS 0x02
#define ENCAP_GRE 0x04
#define ENCAP_ERSPAN 0x08
#define ENCAP_VXLAN 0x10
#define ENCAP_IPIP 0x20
#define ENCAP_PPPOE 0x40
#define ENCAP_GTP 0x80

enum decode_result {
	DECODE_OK,        /* a TCP or UDP segment */
	DECODE_OTHER,     /* valid, but nothing plainsight tracks */
	DECODE_TRUNCATED, /* the snap length cut a header or the payload */
	DECODE_MALFORMED, /* lengths or versions that cannot be */
	DECODE_FRAGMENT,  /* an IP fragment: not reassembled */
};

struct packet {
	const uint8_t *l3;      /* innermost IP header */
	size_t l3_len;          /* IP total length (within the capture) */
	const uint8_t *l4;      /* TCP or UDP header */
	size_t l4_len;          /* header and payload */
	const uint8_t *payload; /* TCP or UDP payload */
	size_t payload_len;
	uint8_t ip_version; /* 4 or 6 */
	uint8_t proto;      /* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t src[16];    /* IPv4 in the first 4 bytes, rest zero */
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint8_t tcp_flags; /* TCP_* */
	uint32_t seq;
	uint32_t ack;
	uint16_t vlan; /* outermost 802.1Q id, 0 if untagged */
	uint8_t encap; /* ENCAP_* met on the way */
};

/*
 * True when plainsight can decode frames of this pcap link type (a DLT_*
 * value as libpcap reports it).
 */
bool cap_linktype_supported(int dlt);

/*
 * Decodes one frame of link type dlt, captured in frame[0..caplen) out of
 * wirelen bytes on the wire, into pkt, whose pointers then point into frame.
 * Returns DECODE_OK for TCP and UDP; a header cut short is DECODE_TRUNCATED
 * when the capture was cut (caplen < wirelen), DECODE_MALFORMED otherwise.
 * Checksums are not looked at here: see cap_checksums_ok().
 */
enum decode_result cap_decode(int dlt, const uint8_t *frame, size_t caplen,
    size_t wirelen, struct packet *pkt);

/*
 * True when the innermost IPv4 header checksum (if any) and the TCP or UDP
 * checksum of a decoded packet are right.
 */
bool cap_checksums_ok(const struct packet *pkt);

#endif
