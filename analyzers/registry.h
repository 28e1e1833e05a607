/*
 * registry.h - which analyzer a session gets: by well-known server port,
 * by nDPI's verdict, or by the first bytes each side sent.
 */
#ifndef PLAINSIGHT_REGISTRY_H
#define PLAINSIGHT_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzers/analyzer.h"
#include "analyzers/session.h"

/* A choice of analysis for a session. */
struct app_choice {
	enum app_proto proto; /* APP_UNKNOWN: not analysed */
	enum tls_mode tls;    /* TLS_MODE_IMPLICIT: TLS from the start */
};

/*
 * The service registered on a server port (IANA) of a transport
 * (IPPROTO_TCP or IPPROTO_UDP), if plainsight analyses it.  Returns false
 * for ports it does not know.
 */
bool registry_port(uint16_t port, uint8_t transport, struct app_choice *choice);

/*
 * Recognises a protocol from the first bytes of each side (either may be
 * empty): a server greeting ("220 ", "* OK", "+OK") or a client's first
 * command, or a TLS hello.  Returns false when nothing is recognised.
 */
bool registry_sniff(const uint8_t *server, size_t slen, const uint8_t *client,
    size_t clen, struct app_choice *choice);

/*
 * True when p[0..n) looks like what a server sends first in a protocol
 * plainsight knows: the side that sent it is the server.
 */
bool registry_is_greeting(const uint8_t *p, size_t n);

/*
 * What a TLS session carries, for the sessions table: from the ALPN the
 * server chose (or the client offered first), else the service registered
 * on the server port, else nDPI's verdict (APP_UNKNOWN for none); APP_TLS
 * when nothing tells.
 */
enum app_proto registry_tls_inner(
    const char *alpn, uint16_t server_port, enum app_proto ndpi);

/*
 * The service registered on a port for protocols nDPI does not name
 * ("rlogin", "rsh", "rexec"), or NULL.
 */
const char *registry_service_name(uint16_t port, uint8_t transport);

/* The analyzer for a choice: TLS first when implicit, or NULL. */
const struct analyzer *registry_analyzer(const struct app_choice *choice);

/*
 * The name nDPI gives the protocol an analyzer reads, for the service
 * inventory; NULL for those nDPI has no single name for (TLS, SOCKS).
 */
const char *registry_ndpi_name(enum app_proto proto);

#endif
