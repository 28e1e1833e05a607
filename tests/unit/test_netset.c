/*
 * test_netset.c - network sets: parsing, prefixes of every length, IPv6,
 * the default internal ranges, and bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "netset.h"

static bool
has(const struct netset *set, const char *addr)
{
	uint8_t a[16] = { 0 };

	if (inet_pton(AF_INET, addr, a) == 1)
		return netset_contains(set, 4, a);
	assert_int_equal(inet_pton(AF_INET6, addr, a), 1);
	return netset_contains(set, 6, a);
}

static void
test_defaults(void **state)
{
	static const struct {
		const char *addr;
		bool internal;
	} cases[] = {
		{ "10.0.0.1", true },
		{ "10.255.255.255", true },
		{ "11.0.0.1", false },
		{ "172.16.0.1", true },
		{ "172.31.255.254", true },
		{ "172.32.0.1", false },
		{ "172.15.255.255", false },
		{ "192.168.1.1", true },
		{ "192.169.0.1", false },
		{ "100.64.0.1", true },
		{ "100.127.255.255", true },
		{ "100.128.0.1", false },
		{ "127.0.0.1", true },
		{ "169.254.10.10", true },
		{ "8.8.8.8", false },
		{ "::1", true },
		{ "fe80::1", true },
		{ "febf::1", true },
		{ "fec0::1", false },
		{ "fd12:3456::1", true },
		{ "fc00::1", true },
		{ "2001:db8::1", false },
	};
	struct netset set;
	size_t i;

	(void)state;
	netset_init(&set);
	assert_int_equal(netset_add_defaults(&set), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (has(&set, cases[i].addr) != cases[i].internal)
			fail_msg(
			    "%s: want %d", cases[i].addr, cases[i].internal);
	}
	netset_cleanup(&set);
}

static void
test_parse(void **state)
{
	struct netset set;
	char err[128];

	(void)state;
	netset_init(&set);
	assert_int_equal(netset_add(&set,
			     "192.0.2.0/25, 198.51.100.7 # one host\n"
			     "2001:db8:1::/48,203.0.113.1/0",
			     err, sizeof(err)),
	    0);
	assert_int_equal(set.n, 4);
	assert_true(has(&set, "192.0.2.127"));
	assert_true(has(&set, "198.51.100.7"));
	assert_true(has(&set, "2001:db8:1:ffff::1"));
	assert_false(has(&set, "2001:db8:2::1"));
	/* /0 holds every IPv4 address. */
	assert_true(has(&set, "1.2.3.4"));
	netset_cleanup(&set);

	netset_init(&set);
	assert_int_equal(netset_add(&set, "192.0.2.0/25", err, sizeof(err)), 0);
	assert_false(has(&set, "192.0.2.128"));
	assert_int_equal(netset_add(&set, "10.0.0.0/33", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "10.0.0.0/33"));
	assert_int_equal(netset_add(&set, "fe80::/129", err, sizeof(err)), -1);
	assert_int_equal(netset_add(&set, "nonsense", err, sizeof(err)), -1);
	assert_int_equal(netset_add(&set, "10.0.0.0/", err, sizeof(err)), -1);
	assert_int_equal(netset_add(&set, "10.0.0.0/8x", err, sizeof(err)), -1);
	netset_cleanup(&set);
}

/* Every prefix length of a /n network: the last inside, first outside. */
static void
test_every_prefix(void **state)
{
	struct netset set;
	char text[64], err[64];
	uint8_t in[4], out[4];
	uint32_t base = 0x0a800000, size, v;
	int n;

	(void)state;
	for (n = 9; n <= 32; n++) {
		netset_init(&set);
		snprintf(text, sizeof(text), "10.128.0.0/%d", n);
		assert_int_equal(netset_add(&set, text, err, sizeof(err)), 0);
		size = n == 32 ? 1 : 1u << (32 - n);
		v = htonl(base + size - 1);
		memcpy(in, &v, 4);
		v = htonl(base + size);
		memcpy(out, &v, 4);
		assert_true(netset_contains(&set, 4, in));
		assert_false(netset_contains(&set, 4, out));
		netset_cleanup(&set);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_every_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
