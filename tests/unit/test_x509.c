/*
 * test_x509.c - unit tests of certificate facts and host name matching
 * (analyzers/x509.c).
 *
 * The certificates and their expected facts are in data/x509_certs.h,
 * written from "openssl x509" output by tests/tools/gen-x509-certs.py.
 * Name matching follows RFC 6125 section 6.4; its cases are written here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzers/x509.h"
#include "tests/unit/data/x509_certs.h"
#include "util.h"

static const struct tv_cert *
cert(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tv_certs); i++) {
		if (strcmp(tv_certs[i].name, name) == 0)
			return &tv_certs[i];
	}
	fail_msg("no certificate %s", name);
	return NULL;
}

/* Every certificate: all facts as openssl x509 prints them. */
static void
test_facts(void **state)
{
	const struct tv_cert *t;
	struct cert_facts c;
	char sha[65];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(tv_certs); i++) {
		t = &tv_certs[i];
		assert_int_equal(x509_facts(t->der, t->len, &c), 0);
		snprintf(sha, sizeof(sha), "%s", t->sha256);
		assert_string_equal(c.sha256_hex, sha);
		assert_string_equal(c.subject, t->subject);
		assert_string_equal(c.issuer, t->issuer);
		assert_string_equal(c.cn, t->cn);
		assert_string_equal(c.sans, t->sans);
		assert_int_equal(c.sans_cut, t->sans_cut);
		assert_int_equal(c.dns_san, t->dns_san);
		assert_int_equal(c.not_before, t->not_before);
		assert_int_equal(c.not_after, t->not_after);
		assert_string_equal(c.key_type, t->key_type);
		assert_int_equal(c.key_bits, t->key_bits);
		assert_string_equal(c.sig_alg, t->sig_alg);
		if (c.self_signed != t->self_signed)
			fail_msg("%s: self_signed %d", t->name, c.self_signed);
	}
}

/* Not one certificate, exactly: refused, out zeroed. */
static void
test_bad_der(void **state)
{
	const struct tv_cert *t = cert("rsa_wild");
	struct cert_facts c, zero;
	uint8_t *buf;
	size_t cut;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	buf = malloc(t->len + 1);
	assert_non_null(buf);

	/* Every truncation. */
	for (cut = 0; cut < t->len; cut++) {
		memset(&c, 0xa5, sizeof(c));
		assert_int_equal(x509_facts(t->der, cut, &c), -1);
		assert_memory_equal(&c, &zero, sizeof(c));
	}

	/* A byte of trailing garbage. */
	memcpy(buf, t->der, t->len);
	buf[t->len] = 0;
	assert_int_equal(x509_facts(buf, t->len + 1, &c), -1);

	/* Garbage, and nothing at all. */
	memset(buf, 0x30, t->len);
	assert_int_equal(x509_facts(buf, t->len, &c), -1);
	assert_int_equal(x509_facts(NULL, 0, &c), -1);
	free(buf);
}

/* Any byte flipped: a result or a refusal, never a crash nor a leak. */
static void
test_mutated_der(void **state)
{
	const struct tv_cert *t = cert("rsa_wild");
	struct cert_facts c;
	uint8_t *buf;
	size_t i;

	(void)state;
	buf = malloc(t->len);
	assert_non_null(buf);
	for (i = 0; i < t->len; i++) {
		memcpy(buf, t->der, t->len);
		buf[i] ^= 0x5a;
		if (x509_facts(buf, t->len, &c) == 0)
			assert_true(strlen(c.sans) < sizeof(c.sans));
	}
	free(buf);
}

/* Host names against the generated certificates. */
static void
test_name_matches_certs(void **state)
{
	static const struct {
		const char *cert;
		const char *host;
		bool want;
	} cases[] = {
		{ "rsa_wild", "www.example.test", true },
		{ "rsa_wild", "WWW.Example.TEST", true },
		{ "rsa_wild", "www.example.test.", true },
		{ "rsa_wild", "example.test", false },
		{ "rsa_wild", "wwww.example.test", false },
		{ "rsa_wild", "imap.mail.example.test", true },
		{ "rsa_wild", "IMAP.Mail.Example.Test", true },
		{ "rsa_wild", "mail.example.test", false },
		{ "rsa_wild", "a.b.mail.example.test", false },
		{ "rsa_wild", ".mail.example.test", false },
		{ "rsa_wild", "*.mail.example.test", false },
		{ "rsa_wild", "x.mail.example.test\n", false },
		{ "rsa_wild", "192.0.2.7", true },
		{ "rsa_wild", "192.0.2.8", false },
		{ "rsa_wild", "2001:db8::1", true },
		{ "rsa_wild", "2001:DB8:0:0::1", true },
		{ "rsa_wild", "", false },
		{ "ec_leaf", "mail.example.test", true },
		{ "ec_leaf", "Other Name", false },
		{ "ed25519", "cn-only.example.test", true },
		{ "ed25519", "x.cn-only.example.test", false },
		{ "utf8_long", "198.51.100.1", true },
		{ "utf8_long", "198.51.100.2", false },
		{ "many_sans", "host-05.long-subdomain.example.test", true },
		{ "many_sans", "host-39.long-subdomain.example.test", false },
		{ "ca", "plain sight root ca", false },
		{ "netscreen", "sigdb.secteam.netscreen.com", true },
		{ "netscreen", "SIGDB.secteam.netscreen.com", true },
		{ "netscreen", "secteam.netscreen.com", false },
	};
	struct cert_facts c;
	const struct tv_cert *t;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		t = cert(cases[i].cert);
		assert_int_equal(x509_facts(t->der, t->len, &c), 0);
		if (x509_name_matches(&c, cases[i].host) != cases[i].want)
			fail_msg("%s vs %s: not %d", cases[i].cert,
			    cases[i].host, cases[i].want);
	}
	assert_false(x509_name_matches(&c, NULL));
}

/*
 * RFC 6125 section 6.4 on hand-made facts: wildcard placement, the CN
 * fallback, IP addresses that are not DNS names.
 */
static void
test_name_matches_rules(void **state)
{
	static const struct {
		const char *cn;
		const char *sans;
		bool dns_san;
		const char *host;
		bool want;
	} cases[] = {
		/* A wildcard is a whole left-most label over two more labels.
		 */
		{ "", "*.example.test", true, "a.example.test", true },
		{ "", "*.example.test", true, "a-b_c.example.test", true },
		{ "", "*.test", true, "example.test", false },
		{ "", "*", true, "test", false },
		{ "", "*.", true, "a.", false },
		{ "", "f*.example.test", true, "foo.example.test", false },
		{ "", "*oo.example.test", true, "foo.example.test", false },
		{ "", "a.*.example.test", true, "a.b.example.test", false },
		{ "", "*.*.example.test", true, "a.b.example.test", false },
		{ "", "*.example.test.", true, "a.example.test", true },
		{ "", "*.example.test", true, "example.test", false },
		{ "", "*.example.test", true, "a..example.test", false },
		/* The CN counts only without DNS names in the SANs. */
		{ "cn.example.test", "", false, "cn.example.test", true },
		{ "cn.example.test", "san.example.test", true,
		    "cn.example.test", false },
		{ "cn.example.test", "192.0.2.1", false, "cn.example.test",
		    true },
		{ "*.wild.example.test", "", false, "a.wild.example.test",
		    true },
		{ "", "", false, "example.test", false },
		/* Addresses match addresses, never names or the CN. */
		{ "192.0.2.1", "", false, "192.0.2.1", false },
		{ "", "192.0.2.1", false, "192.0.2.1", true },
		{ "", "::ffff:192.0.2.1", false, "::ffff:192.0.2.1", true },
		{ "", "a.example.test,192.0.2.1", true, "192.0.2.1", true },
		{ "", "a.example.test,b.example.test", true, "b.example.test",
		    true },
		{ "", "a.example.test,b.example.test", true, "c.example.test",
		    false },
		/* Hosts that are no host names. */
		{ "", "a.example.test", true, "a.example.test/x", false },
		{ "", "a.example.test", true, "a.example.test ", false },
		{ "", "a.example.test", true, ".", false },
	};
	struct cert_facts c;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&c, 0, sizeof(c));
		snprintf(c.cn, sizeof(c.cn), "%s", cases[i].cn);
		snprintf(c.sans, sizeof(c.sans), "%s", cases[i].sans);
		c.dns_san = cases[i].dns_san;
		if (x509_name_matches(&c, cases[i].host) != cases[i].want)
			fail_msg("case %zu: %s vs %s: not %d", i, cases[i].sans,
			    cases[i].host, cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_bad_der),
		cmocka_unit_test(test_mutated_der),
		cmocka_unit_test(test_name_matches_certs),
		cmocka_unit_test(test_name_matches_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
