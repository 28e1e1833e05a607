/*
 * hll.h - HyperLogLog counting of distinct values in a fixed 256 bytes
 * (Flajolet et al., 2007), with linear counting for small numbers, where
 * the estimate is close to exact.  Sketches merge by taking the larger of
 * each register, so counts survive being added up across batches and runs.
 */
#ifndef PLAINSIGHT_HLL_H
#define PLAINSIGHT_HLL_H

#include <stddef.h>
#include <stdint.h>

#define HLL_REGISTERS 256

struct hll {
	uint8_t reg[HLL_REGISTERS];
};

void hll_init(struct hll *h);

/* Counts a value, given by its 64-bit hash. */
void hll_add(struct hll *h, uint64_t hash);

/* Makes h count everything other counts too. */
void hll_merge(struct hll *h, const struct hll *other);

/* The estimated number of distinct values counted. */
uint64_t hll_count(const struct hll *h);

/* A well-mixed 64-bit hash of n bytes, for hll_add(). */
uint64_t hll_hash(const void *p, size_t n);

#endif
