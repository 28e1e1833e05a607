/*
 * test_reasm.c - TCP reassembly: order, retransmissions, overlaps (the
 * first copy wins), holes given up when acknowledged or capped, SYN
 * handling and sequence wrap-around.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture/decode.h"
#include "capture/reasm.h"

#define OUT_MAX 512

struct record {
	char out[2][OUT_MAX]; /* bytes delivered, "[gap N]" for holes */
};

static void
rec_data(void *arg, int d, const uint8_t *p, size_t n)
{
	struct record *r = arg;
	size_t len = strlen(r->out[d]);

	assert_true(len + n < OUT_MAX);
	memcpy(r->out[d] + len, p, n);
	r->out[d][len + n] = '\0';
}

static void
rec_gap(void *arg, int d, uint64_t n)
{
	struct record *r = arg;
	size_t len = strlen(r->out[d]);

	snprintf(r->out[d] + len, OUT_MAX - len, "[gap %llu]",
	    (unsigned long long)n);
}

static const struct reasm_ops rec_ops = { rec_data, rec_gap };

/* One segment: sender, flags, sequence and acknowledgement, payload. */
struct seg {
	int d;
	uint8_t flags;
	uint32_t seq;
	uint32_t ack;
	const char *data;
};

struct reasm_case {
	const char *name;
	size_t dir_cap; /* 0: 64 KiB */
	size_t mem_cap; /* 0: 1 MiB */
	struct seg segs[12];
	const char *want[2]; /* after reasm_flush() */
	uint32_t gaps[2];
};

#define A TCP_ACK
#define S TCP_SYN
#define F TCP_FIN
#define END                                                                    \
	{                                                                      \
		-1, 0, 0, 0, NULL                                              \
	}

/* Client ISN 1000 (data from 1001), server ISN 5000 (data from 5001). */
static const struct reasm_case cases[] = {
	{ "in order", 0, 0,
	    { { 0, S, 1000, 0, "" }, { 1, S | A, 5000, 1001, "" },
		{ 1, A, 5001, 1001, "220 hi\r\n" },
		{ 0, A, 1001, 5009, "EHLO x\r\n" }, END },
	    { "EHLO x\r\n", "220 hi\r\n" }, { 0, 0 } },
	{ "out of order within a direction", 0, 0,
	    { { 0, S, 1000, 0, "" }, { 0, A, 1004, 0, "def" },
		{ 0, A, 1007, 0, "ghi" }, { 0, A, 1001, 0, "abc" }, END },
	    { "abcdefghi", "" }, { 0, 0 } },
	{ "retransmission delivered once", 0, 0,
	    { { 0, S, 1000, 0, "" }, { 0, A, 1001, 0, "abc" },
		{ 0, A, 1001, 0, "abc" }, { 0, A, 1004, 0, "def" },
		{ 0, A, 1001, 0, "abcdef" }, END },
	    { "abcdef", "" }, { 0, 0 } },
	{ "overlap with delivered bytes: the first copy wins", 0, 0,
	    { { 0, S, 1000, 0, "" }, { 0, A, 1001, 0, "abc" },
		{ 0, A, 1002, 0, "BCde" }, END },
	    { "abcde", "" }, { 0, 0 } },
	{ "overlap among held segments: the first copy wins", 0, 0,
	    { { 0, S, 1000, 0, "" }, { 0, A, 1004, 0, "def" },
		{ 0, A, 1003, 0, "CDEFG" }, { 0, A, 1001, 0, "ab" }, END },
	    { "abCdefG", "" }, { 0, 0 } },
	{ "hole acknowledged by the peer is a gap at once", 0, 0,
	    { { 0, S, 1000, 0, "" }, { 1, S | A, 5000, 1001, "" },
		{ 0, A, 1001, 5001, "abc" }, { 1, A, 5001, 1010, "" },
		{ 0, A, 1007, 5001, "ghi" }, END },
	    { "abc[gap 3]ghi", "" }, { 1, 0 } },
	{ "ack after the held segment gives the hole up", 0, 0,
	    { { 0, S, 1000, 0, "" }, { 1, S | A, 5000, 1001, "" },
		{ 0, A, 1001, 5001, "abc" }, { 0, A, 1007, 5001, "ghi" },
		{ 1, A, 5001, 1010, "" }, END },
	    { "abc[gap 3]ghi", "" }, { 1, 0 } },
	{ "hole never filled is a gap at the end", 0, 0,
	    { { 0, S, 1000, 0, "" }, { 0, A, 1001, 0, "abc" },
		{ 0, A, 1007, 0, "ghi" }, END },
	    { "abc[gap 3]ghi", "" }, { 1, 0 } },
	{ "acknowledged data never seen is a gap at the end", 0, 0,
	    { { 0, S, 1000, 0, "" }, { 1, S | A, 5000, 1001, "" },
		{ 0, A, 1001, 5001, "abc" }, { 1, A, 5001, 1008, "" }, END },
	    { "abc[gap 4]", "" }, { 1, 0 } },
	{ "the FIN's sequence number is not a gap", 0, 0,
	    { { 0, S, 1000, 0, "" }, { 1, S | A, 5000, 1001, "" },
		{ 0, A | F, 1001, 5001, "abc" }, { 1, A, 5001, 1005, "" },
		END },
	    { "abc", "" }, { 0, 0 } },
	{ "per-direction cap gives the oldest hole up", 6, 0,
	    { { 0, S, 1000, 0, "" }, { 0, A, 1004, 0, "def" },
		{ 0, A, 1010, 0, "jkl" }, { 0, A, 1016, 0, "pqr" }, END },
	    { "[gap 3]def[gap 3]jkl[gap 3]pqr", "" }, { 3, 0 } },
	{ "picked up mid-stream", 0, 0,
	    { { 1, A, 7000, 2000, "+OK ready\r\n" },
		{ 0, A, 2000, 7011, "USER x\r\n" }, END },
	    { "USER x\r\n", "+OK ready\r\n" }, { 0, 0 } },
	{ "the last of several SYN-ACKs sets the start", 0, 0,
	    { { 1, S | A, 9000, 1001, "" }, { 1, S | A, 5000, 1001, "" },
		{ 1, A, 5001, 1001, "hello" }, END },
	    { "", "hello" }, { 0, 0 } },
	{ "with acknowledgements in view, junk far ahead yields to the hole", 6,
	    0,
	    { { 0, S, 1000, 0, "" }, { 1, S | A, 5000, 1001, "" },
		{ 0, A, 1001, 5001, "abc" }, { 1, A, 5001, 1004, "" },
		{ 0, A, 1020, 5001, "xyz" }, { 0, A, 1030, 5001, "xyz" },
		{ 0, A, 1040, 5001, "xyz" }, { 0, A, 1004, 5001, "def" }, END },
	    { "abcdef[gap 13]xyz[gap 7]xyz", "" }, { 2, 0 } },
	{ "sequence numbers wrap", 0, 0,
	    { { 0, S, 0xfffffffd, 0, "" }, { 0, A, 0xfffffffe, 0, "ab" },
		{ 0, A, 0, 0, "cd" }, END },
	    { "abcd", "" }, { 0, 0 } },
	{ "data far outside the window is not believed", 0, 0,
	    { { 0, S, 1000, 0, "" }, { 0, A, 1001, 0, "abc" },
		{ 0, A, 1001 + (200u << 20), 0, "zzz" }, END },
	    { "abc", "" }, { 0, 0 } },
};

static void
run_case(const struct reasm_case *c)
{
	struct reasm_mem mem = { 0 };
	struct record rec;
	struct reasm r;
	const struct seg *s;
	int d;

	memset(&rec, 0, sizeof(rec));
	mem.cap = c->mem_cap != 0 ? c->mem_cap : 1 << 20;
	reasm_init(
	    &r, &mem, c->dir_cap != 0 ? c->dir_cap : 64 << 10, &rec_ops, &rec);
	for (s = c->segs; s->d >= 0; s++)
		reasm_segment(&r, s->d, s->flags, s->seq, s->ack,
		    (const uint8_t *)s->data, strlen(s->data));
	reasm_flush(&r);
	for (d = 0; d < 2; d++) {
		if (strcmp(rec.out[d], c->want[d]) != 0)
			fail_msg("%s: direction %d delivered '%s', want '%s'",
			    c->name, d, rec.out[d], c->want[d]);
		assert_int_equal(r.dir[d].gaps, c->gaps[d]);
	}
	reasm_cleanup(&r);
	assert_int_equal(mem.used, 0);
}

static void
test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}

/* The global cap bites before the per-direction one and is counted. */
static void
test_global_cap(void **state)
{
	struct reasm_mem mem = { 0 };
	struct record rec;
	struct reasm r;

	(void)state;
	memset(&rec, 0, sizeof(rec));
	mem.cap = 150;
	reasm_init(&r, &mem, 1 << 20, &rec_ops, &rec);
	reasm_segment(&r, 0, TCP_SYN, 1000, 0, NULL, 0);
	reasm_segment(&r, 0, TCP_ACK, 1101, 0,
	    (const uint8_t *)"0123456789012345678901234567890123456789"
			     "0123456789012345678901234567890123456789",
	    80);
	reasm_segment(&r, 0, TCP_ACK, 1301, 0,
	    (const uint8_t *)"0123456789012345678901234567890123456789"
			     "0123456789012345678901234567890123456789",
	    80);
	assert_true(mem.used <= mem.cap);
	assert_true(mem.cap_hits >= 1);
	assert_true(r.dir[0].gaps >= 1);
	reasm_cleanup(&r);
	assert_int_equal(mem.used, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_global_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
