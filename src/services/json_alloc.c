/*
 * json_alloc.c — a wiping allocator for jansson (see json_alloc.h).
 *
 * Each block carries its usable size in a header one max_align_t wide, so
 * the pointer jansson sees keeps malloc's alignment and the free knows how
 * many bytes to wipe.
 */
#include "services/json_alloc.h"

#include <assert.h>
#include <jansson.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define HEADER sizeof(max_align_t)

static void *
wiping_malloc(size_t n)
{
	unsigned char *p;

	if (n > SIZE_MAX - HEADER)
		return NULL;
	p = malloc(HEADER + n);
	if (p == NULL)
		return NULL;
	*(size_t *)(void *)p = n;
	return p + HEADER;
}

static void
wiping_free(void *ptr)
{
	unsigned char *p;
	size_t n;

	if (ptr == NULL)
		return;
	p = (unsigned char *)ptr - HEADER;
	n = *(size_t *)(void *)p;
	sodium_memzero(ptr, n);
	free(p);
}

void
json_alloc_install_wiping(void)
{
	static_assert(HEADER >= sizeof(size_t), "header holds the block size");
	json_set_alloc_funcs(wiping_malloc, wiping_free);
}
