/*
 * classify.c - the nDPI glue.
 */
#include "capture/classify.h"

#include <ndpi_api.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

/*
 * Packets with payload offered to nDPI before it must guess: it has seen
 * enough by then, and beyond it only costs time.
 */
#define CLASSIFY_MAX_TCP_PACKETS 10
#define CLASSIFY_MAX_UDP_PACKETS 10

struct classifier {
	struct ndpi_detection_module_struct *ndpi;
	struct classify_stats stats;
};

/*
 * nDPI allocates through process-wide hooks: its memory is counted with
 * the rest of plainsight's (mem.h), so that its per-flow state falls under
 * the engine's budget.
 */
static void *
ndpi_alloc_hook(size_t size)
{
	return mem_alloc(size);
}

static void
ndpi_free_hook(void *p)
{
	mem_free(p);
}

struct classifier *
classify_new(void)
{
	struct classifier *c;
	NDPI_PROTOCOL_BITMASK all;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	set_ndpi_malloc(ndpi_alloc_hook);
	set_ndpi_free(ndpi_free_hook);
	set_ndpi_flow_malloc(ndpi_alloc_hook);
	set_ndpi_flow_free(ndpi_free_hook);

	c->ndpi = ndpi_init_detection_module(ndpi_no_prefs);
	if (c->ndpi == NULL) {
		free(c);
		return NULL;
	}
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(c->ndpi, &all);
	ndpi_finalize_initialization(c->ndpi);
	return c;
}

void
classify_free(struct classifier *c)
{
	if (c == NULL)
		return;
	ndpi_exit_detection_module(c->ndpi);
	free(c);
}

static void
settle(struct flow *f, ndpi_protocol p)
{
	f->ndpi_master = p.master_protocol;
	f->ndpi_app = p.app_protocol;
}

void
classify_release(struct classifier *c, struct flow *f)
{
	(void)c;
	if (f->ndpi != NULL) {
		ndpi_free_flow(f->ndpi);
		f->ndpi = NULL;
	}
}

bool
classify_packet(struct classifier *c, struct flow *f, const struct packet *pkt,
    const struct timeval *ts)
{
	ndpi_protocol p;
	uint64_t ms;
	unsigned int limit;

	if (f->ndpi == NULL) {
		f->ndpi = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
		if (f->ndpi == NULL)
			return false;
		memset(f->ndpi, 0, SIZEOF_FLOW_STRUCT);
		c->stats.flows++;
	}

	/* nDPI reads at most 64 KB of one IP packet. */
	ms = (uint64_t)ts->tv_sec * 1000 + (uint64_t)ts->tv_usec / 1000;
	p = ndpi_detection_process_packet(c->ndpi, f->ndpi, pkt->l3,
	    (unsigned short)(pkt->l3_len > 0xffff ? 0xffff : pkt->l3_len), ms);
	f->ndpi_packets++;

	if (p.app_protocol != NDPI_PROTOCOL_UNKNOWN ||
	    p.master_protocol != NDPI_PROTOCOL_UNKNOWN) {
		settle(f, p);
		c->stats.detected++;
		classify_release(c, f);
		return true;
	}
	/* NOLINTNEXTLINE(bugprone-branch-clone): two limits, equal for now */
	limit = pkt->proto == IPPROTO_UDP ? CLASSIFY_MAX_UDP_PACKETS
					  : CLASSIFY_MAX_TCP_PACKETS;
	if (f->ndpi_packets >= limit) {
		classify_giveup(c, f);
		return true;
	}
	return false;
}

void
classify_giveup(struct classifier *c, struct flow *f)
{
	ndpi_protocol p;
	uint8_t guessed = 0;

	if (f->ndpi == NULL)
		return;
	p = ndpi_detection_giveup(c->ndpi, f->ndpi, 1, &guessed);
	settle(f, p);
	if (guessed)
		c->stats.guessed++;
	classify_release(c, f);
}

/* The most specific protocol nDPI gave: "SMTPS.Google" is SMTPS here. */
static uint16_t
kind_proto(const struct flow *f)
{
	return f->ndpi_master != NDPI_PROTOCOL_UNKNOWN ? f->ndpi_master
						       : f->ndpi_app;
}

bool
classify_known(const struct flow *f)
{
	return kind_proto(f) != NDPI_PROTOCOL_UNKNOWN;
}

enum classify_kind
classify_kind(const struct flow *f)
{
	switch (kind_proto(f)) {
	case NDPI_PROTOCOL_MAIL_SMTP:
		return CLASSIFY_SMTP;
	case NDPI_PROTOCOL_MAIL_SMTPS:
		return CLASSIFY_SMTPS;
	case NDPI_PROTOCOL_MAIL_IMAP:
		return CLASSIFY_IMAP;
	case NDPI_PROTOCOL_MAIL_IMAPS:
		return CLASSIFY_IMAPS;
	case NDPI_PROTOCOL_MAIL_POP:
		return CLASSIFY_POP3;
	case NDPI_PROTOCOL_MAIL_POPS:
		return CLASSIFY_POP3S;
	case NDPI_PROTOCOL_TLS:
		return CLASSIFY_TLS;
	case NDPI_PROTOCOL_SOCKS:
		return CLASSIFY_SOCKS;
	case NDPI_PROTOCOL_HTTP:
	case NDPI_PROTOCOL_HTTP_PROXY:
		return CLASSIFY_HTTP;
	case NDPI_PROTOCOL_FTP_CONTROL:
		return CLASSIFY_FTP;
	case NDPI_PROTOCOL_TELNET:
		return CLASSIFY_TELNET;
	case NDPI_PROTOCOL_LDAP:
		return CLASSIFY_LDAP;
	case NDPI_PROTOCOL_SNMP:
		return CLASSIFY_SNMP;
	case NDPI_PROTOCOL_MYSQL:
		return CLASSIFY_MYSQL;
	case NDPI_PROTOCOL_POSTGRES:
		return CLASSIFY_POSTGRES;
	default:
		return CLASSIFY_OTHER;
	}
}

const char *
classify_name(
    const struct classifier *c, const struct flow *f, char *buf, size_t size)
{
	ndpi_protocol p;

	memset(&p, 0, sizeof(p));
	p.master_protocol = f->ndpi_master;
	p.app_protocol = f->ndpi_app;
	if (f->ndpi_master == f->ndpi_app)
		p.master_protocol = NDPI_PROTOCOL_UNKNOWN;
	return ndpi_protocol2name(c->ndpi, p, buf, (u_int)size);
}

bool
classify_encrypted(const struct classifier *c, const struct flow *f)
{
	ndpi_protocol p;

	memset(&p, 0, sizeof(p));
	p.master_protocol = f->ndpi_master;
	p.app_protocol = f->ndpi_app;
	return ndpi_is_encrypted_proto(c->ndpi, p) != 0;
}

const struct classify_stats *
classify_stats(const struct classifier *c)
{
	return &c->stats;
}
