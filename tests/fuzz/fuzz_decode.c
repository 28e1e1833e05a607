/*
 * fuzz_decode.c - libFuzzer target for the packet decoder, from the link
 * layer up through tunnels to TCP or UDP.
 *
 * The first byte picks the link type, the second how much of the frame the
 * wire had beyond the capture; the rest is the frame.  Whatever the
 * decoder returns, the pointers it sets must lie within the frame.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Link types plainsight reads, and two it does not. */
static const int dlts[] = {
	1,   /* Ethernet */
	113, /* Linux cooked */
	276, /* Linux cooked v2 */
	12,  /* raw IP */
	14,  /* OpenBSD raw IP */
	101, /* LINKTYPE_RAW */
	228, /* IPv4 */
	229, /* IPv6 */
	0,   /* BSD loopback */
	108, /* OpenBSD loopback */
	105, /* 802.11: not read */
	9,   /* PPP: not read */
};

static void
check_within(const uint8_t *frame, size_t caplen, const uint8_t *p, size_t n)
{
	if (p == NULL) {
		if (n != 0)
			abort();
		return;
	}
	if (p < frame || p > frame + caplen || n > caplen ||
	    (size_t)(p - frame) > caplen - n)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct packet pkt;
	enum decode_result r;
	uint8_t *frame;
	size_t caplen;
	int dlt;

	if (size < 2)
		return 0;
	dlt = dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))];
	if (!cap_linktype_supported(dlt))
		return 0;
	caplen = size - 2;
	/* A copy of just the frame, so that reads past it are caught. */
	frame = malloc(caplen == 0 ? 1 : caplen);
	if (frame == NULL)
		return 0;
	memcpy(frame, data + 2, caplen);
	memset(&pkt, 0, sizeof(pkt));
	r = cap_decode(dlt, frame, caplen, caplen + data[1], &pkt);
	if (r == DECODE_OK) {
		check_within(frame, caplen, pkt.l3, pkt.l3_len);
		check_within(frame, caplen, pkt.l4, pkt.l4_len);
		check_within(frame, caplen, pkt.payload, pkt.payload_len);
		if (pkt.ip_version != 4 && pkt.ip_version != 6)
			abort();
		(void)cap_checksums_ok(&pkt);
	}
	free(frame);
	return 0;
}
