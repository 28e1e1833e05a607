/*
 * mem.c - counted allocation: each block carries its size in front.
 */
#include "mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct mem_block {
	size_t size;
	max_align_t data[]; /* what the caller gets, suitably aligned */
};

static _Thread_local size_t mem_in_use;
static _Thread_local size_t mem_high;

static struct mem_block *
block_of(void *p)
{
	return (
	    struct mem_block *)((char *)p - offsetof(struct mem_block, data));
}

/*
 * What a block of size bytes costs: our header, the allocator's own word in
 * front of each chunk, and its rounding to 16 bytes.  Counting only the
 * bytes asked for would undercount the many small blocks (nDPI's flow state,
 * short lines) by half, and the budget would not be the memory used.
 */
static size_t
footprint(size_t size)
{
	size_t n;

	n = sizeof(struct mem_block) + size + sizeof(size_t);
	return (n + 15) & ~(size_t)15;
}

static void
count(size_t more, size_t less)
{
	mem_in_use = mem_in_use + more - less;
	if (mem_in_use > mem_high)
		mem_high = mem_in_use;
}

void *
mem_alloc(size_t size)
{
	struct mem_block *b;

	if (size > SIZE_MAX - sizeof(*b))
		return NULL;
	b = malloc(sizeof(*b) + size);
	if (b == NULL)
		return NULL;
	b->size = size;
	count(footprint(size), 0);
	return b->data;
}

void *
mem_calloc(size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	p = mem_alloc(n * size);
	if (p != NULL)
		memset(p, 0, n * size);
	return p;
}

void *
mem_realloc(void *p, size_t size)
{
	struct mem_block *b, *nb;
	size_t old;

	if (p == NULL)
		return mem_alloc(size);
	if (size > SIZE_MAX - sizeof(*b))
		return NULL;
	b = block_of(p);
	old = b->size;
	nb = realloc(b, sizeof(*nb) + size);
	if (nb == NULL)
		return NULL;
	nb->size = size;
	count(footprint(size), footprint(old));
	return nb->data;
}

void
mem_free(void *p)
{
	struct mem_block *b;

	if (p == NULL)
		return;
	b = block_of(p);
	count(0, footprint(b->size));
	free(b);
}

size_t
mem_size(const void *p)
{
	const struct mem_block *b;

	b = (const struct mem_block *)((const char *)p -
	    offsetof(struct mem_block, data));
	return b->size;
}

size_t
mem_used(void)
{
	return mem_in_use;
}

size_t
mem_peak(void)
{
	return mem_high;
}
