/*
 * hll.c - HyperLogLog with 2^8 registers: a standard error near 6.5%, and
 * linear counting below 2.5 times the number of registers.
 */
#include "hll.h"

#include <math.h>
#include <string.h>

#define HLL_BITS 8 /* log2 of HLL_REGISTERS */

void
hll_init(struct hll *h)
{
	memset(h->reg, 0, sizeof(h->reg));
}

void
hll_add(struct hll *h, uint64_t hash)
{
	unsigned int idx = (unsigned int)(hash >> (64 - HLL_BITS));
	uint64_t rest = hash << HLL_BITS;
	uint8_t rank;

	/* The position of the first 1 bit in what is left, from 1. */
	rank = rest == 0 ? (uint8_t)(64 - HLL_BITS + 1)
			 : (uint8_t)(__builtin_clzll(rest) + 1);
	if (rank > h->reg[idx])
		h->reg[idx] = rank;
}

void
hll_merge(struct hll *h, const struct hll *other)
{
	size_t i;

	for (i = 0; i < HLL_REGISTERS; i++) {
		if (other->reg[i] > h->reg[i])
			h->reg[i] = other->reg[i];
	}
}

uint64_t
hll_count(const struct hll *h)
{
	const double m = HLL_REGISTERS;
	const double alpha = 0.7213 / (1.0 + 1.079 / m);
	double sum = 0, estimate;
	unsigned int zeros = 0;
	size_t i;

	for (i = 0; i < HLL_REGISTERS; i++) {
		sum += ldexp(1.0, -(int)h->reg[i]);
		if (h->reg[i] == 0)
			zeros++;
	}
	estimate = alpha * m * m / sum;

	/* Few values: count by the share of empty registers instead. */
	if (estimate <= 2.5 * m && zeros > 0)
		estimate = m * log(m / zeros);
	return (uint64_t)(estimate + 0.5);
}

uint64_t
hll_hash(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	/* FNV-1a over the bytes, then a finaliser to spread the bits. */
	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}
