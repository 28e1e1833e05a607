/*
 * fuzz_tls.c - libFuzzer target for the TLS handshake parser.
 *
 * The input is a script of chunks.  Each chunk starts with a control byte:
 * bit 0 the direction (1 = server), bit 7 set for a gap of (bits 1-6) * 97
 * bytes, else the next two bytes give the chunk length (little-endian, cut
 * to what is left).  Chunks are fed the way the engine does: unconsumed
 * bytes are kept (up to FUZZ_BUFMAX) and presented again, with full set
 * when the buffer is full.  The leaf certificate, when one is found, goes
 * through x509_facts() too.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *       tests/fuzz/fuzz_tls.c analyzers/tls.c analyzers/tls_ciphers.c \
 *       analyzers/x509.c util.c -lcrypto -o fuzz_tls
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/tls.h"
#include "analyzers/tls_ciphers.h"
#include "analyzers/x509.h"
#include "util.h"

#define FUZZ_BUFMAX 20480

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t pend[2][FUZZ_BUFMAX];
static size_t pend_len[2];

static void
feed(struct tls_parser *p, int d, const uint8_t *b, size_t n)
{
	size_t take, used;

	while (n > 0) {
		take = MIN(n, FUZZ_BUFMAX - pend_len[d]);
		memcpy(pend[d] + pend_len[d], b, take);
		pend_len[d] += take;
		b += take;
		n -= take;
		used = tls_parser_feed(p, d == 1, pend[d], pend_len[d], false);
		if (used == 0 && pend_len[d] == FUZZ_BUFMAX)
			used = tls_parser_feed(
			    p, d == 1, pend[d], pend_len[d], true);
		if (used > pend_len[d] ||
		    (used == 0 && pend_len[d] == FUZZ_BUFMAX))
			abort();
		memmove(pend[d], pend[d] + used, pend_len[d] - used);
		pend_len[d] -= used;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct tls_facts *f;
	struct tls_parser *p;
	struct cert_facts c;
	const uint8_t *der;
	size_t off = 0, len;
	uint8_t ctl;
	int d;

	p = tls_parser_new();
	if (p == NULL)
		return 0;
	pend_len[0] = pend_len[1] = 0;
	while (off < size) {
		ctl = data[off++];
		d = ctl & 1;
		if (ctl & 0x80) {
			pend_len[d] = 0;
			tls_parser_gap(
			    p, d == 1, (uint64_t)((ctl >> 1) & 0x3f) * 97);
			continue;
		}
		len = off + 2 <= size ? (size_t)(data[off] | data[off + 1] << 8)
				      : 0;
		off = MIN(off + 2, size);
		len = MIN(len, size - off);
		feed(p, d, data + off, len);
		off += len;
	}

	/* Everything the facts say must be usable as they are. */
	f = tls_parser_facts(p);
	if (strlen(f->sni) >= sizeof(f->sni) ||
	    strlen(f->ja3) >= sizeof(f->ja3) ||
	    strlen(f->alpn) >= sizeof(f->alpn) ||
	    strlen(tls_parser_ja3_string(p)) >= TLS_JA3_STR_MAX)
		abort();
	(void)tls_version_name(f->version);
	(void)tls_cipher_lookup(f->cipher);
	(void)tls_parser_done(p);
	der = tls_parser_certificate(p, &len);
	if (der != NULL && x509_facts(der, len, &c) == 0)
		(void)x509_name_matches(&c, f->sni);
	tls_parser_free(p);
	return 0;
}
