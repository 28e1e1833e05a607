/*
 * classify.h - naming the application protocol of a flow with nDPI.
 *
 * nDPI looks at the first packets of a flow and names its protocol.  Its
 * per-flow state is allocated when a flow is first offered and freed as soon
 * as nDPI has decided or given up, so long flows cost nothing afterwards.
 * All nDPI headers stay inside classify.c.
 */
#ifndef PLAINSIGHT_CLASSIFY_H
#define PLAINSIGHT_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "capture/decode.h"
#include "capture/flow.h"

/* What nDPI's verdict means for plainsight. */
enum classify_kind {
	CLASSIFY_OTHER,
	CLASSIFY_SMTP,
	CLASSIFY_SMTPS,
	CLASSIFY_IMAP,
	CLASSIFY_IMAPS,
	CLASSIFY_POP3,
	CLASSIFY_POP3S,
	CLASSIFY_TLS,
	CLASSIFY_SOCKS,
	CLASSIFY_HTTP, /* HTTP and HTTP proxies */
	CLASSIFY_FTP,  /* FTP's control connection */
	CLASSIFY_TELNET,
	CLASSIFY_LDAP,
	CLASSIFY_SNMP,
	CLASSIFY_MYSQL,
	CLASSIFY_POSTGRES,
};

struct classify_stats {
	uint64_t flows;    /* flows offered to nDPI */
	uint64_t detected; /* flows nDPI named from their content */
	uint64_t guessed;  /* flows named by a guess after giving up */
};

struct classifier;

/* Returns a classifier with every nDPI protocol enabled, or NULL. */
struct classifier *classify_new(void);

/* Frees c; c may be NULL. */
void classify_free(struct classifier *c);

/*
 * Offers one packet of flow f to nDPI (the IP packet in pkt), one with
 * payload: nDPI picks up TCP flows from their first data.  Returns true
 * once the flow's protocol is settled (f->ndpi_master and f->ndpi_app are
 * then valid and nDPI's state is freed); false while nDPI wants more.
 */
bool classify_packet(struct classifier *c, struct flow *f,
    const struct packet *pkt, const struct timeval *ts);

/* Settles the flow with nDPI's best guess and frees its state. */
void classify_giveup(struct classifier *c, struct flow *f);

/* Frees nDPI's state of f without a verdict (f is being recycled). */
void classify_release(struct classifier *c, struct flow *f);

/* True when nDPI named a protocol for f (by content or by a guess). */
bool classify_known(const struct flow *f);

/* What the settled verdict of f means for plainsight. */
enum classify_kind classify_kind(const struct flow *f);

/* nDPI's name for the verdict of f ("SMTP", "TLS.Google"), into buf. */
const char *classify_name(
    const struct classifier *c, const struct flow *f, char *buf, size_t size);

/* True when nDPI calls the protocol of f encrypted. */
bool classify_encrypted(const struct classifier *c, const struct flow *f);

const struct classify_stats *classify_stats(const struct classifier *c);

#endif
