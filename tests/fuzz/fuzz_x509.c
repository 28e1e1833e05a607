/*
 * fuzz_x509.c - libFuzzer target for certificate facts and name matching.
 *
 * The input is one DER certificate.  A certificate libcrypto accepts has its
 * facts checked for termination and matched against a few host names.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *       tests/fuzz/fuzz_x509.c analyzers/x509.c util.c -lcrypto \
 *       -o fuzz_x509
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/x509.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hosts[] = { "www.example.test", "example.test",
		"a.b.example.test", "192.0.2.1", "2001:db8::1", "" };
	struct cert_facts c;
	size_t i;

	if (x509_facts(data, size, &c) != 0)
		return 0;
	if (strlen(c.subject) >= sizeof(c.subject) ||
	    strlen(c.issuer) >= sizeof(c.issuer) ||
	    strlen(c.cn) >= sizeof(c.cn) || strlen(c.sans) >= sizeof(c.sans) ||
	    strlen(c.key_type) >= sizeof(c.key_type) ||
	    strlen(c.sig_alg) >= sizeof(c.sig_alg) ||
	    strlen(c.sha256_hex) != 64)
		abort();
	for (i = 0; i < ARRAY_SIZE(hosts); i++)
		(void)x509_name_matches(&c, hosts[i]);
	(void)x509_name_matches(&c, c.cn);
	return 0;
}
