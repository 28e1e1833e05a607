/*
 * test_hll.c - distinct counting: exact-looking for small counts, within
 * a few standard errors for large ones, and merging.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hll.h"

static uint64_t
count_of(uint32_t first, uint32_t n, uint32_t repeat)
{
	struct hll h;
	uint32_t i, r, v;

	hll_init(&h);
	for (r = 0; r < repeat; r++) {
		for (i = 0; i < n; i++) {
			v = first + i;
			hll_add(&h, hll_hash(&v, sizeof(v)));
		}
	}
	return hll_count(&h);
}

static void
test_small(void **state)
{
	(void)state;
	assert_int_equal(count_of(0, 0, 1), 0);
	assert_int_equal(count_of(7, 1, 5), 1);
	assert_int_equal(count_of(100, 2, 3), 2);
	/* Linear counting keeps small counts within a few percent. */
	assert_in_range(count_of(1000, 50, 2), 48, 52);
}

static void
test_large(void **state)
{
	uint64_t c;

	(void)state;
	/* Standard error 1.04 / sqrt(256), about 6.5%: allow three. */
	c = count_of(0, 100000, 1);
	assert_in_range(c, 80000, 120000);
}

static void
test_merge(void **state)
{
	struct hll a, b;
	uint32_t i;

	(void)state;
	hll_init(&a);
	hll_init(&b);
	for (i = 0; i < 40; i++)
		hll_add(&a, hll_hash(&i, sizeof(i)));
	for (i = 20; i < 60; i++)
		hll_add(&b, hll_hash(&i, sizeof(i)));
	hll_merge(&a, &b);
	assert_in_range(hll_count(&a), 57, 63);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
