/*
 * mem.h - allocation with accounting.
 *
 * Everything plainsight keeps per flow (analysis state, buffers, held
 * segments, nDPI's per-flow state) is allocated here, so that the engine
 * knows how much traffic-driven memory is in use and can reclaim some when
 * the budget (--max-memory) is exceeded.  The counters are per thread: an
 * engine and everything it allocates live on one thread.
 */
#ifndef PLAINSIGHT_MEM_H
#define PLAINSIGHT_MEM_H

#include <stddef.h>

/* Like malloc(), calloc(), realloc() and free(), counted. */
void *mem_alloc(size_t size);
void *mem_calloc(size_t n, size_t size);
void *mem_realloc(void *p, size_t size);
void mem_free(void *p);

/* The size asked for when p was allocated (p from mem_*, not NULL). */
size_t mem_size(const void *p);

/*
 * Bytes that blocks from mem_* not yet freed occupy (allocator overhead
 * included), and the most there was.
 */
size_t mem_used(void);
size_t mem_peak(void);

#endif
