/*
 * paging.h — the one place that pages a list (the API's calls, usage and
 * portal users, the dashboard's usage and users pages).
 *
 * A page asks the store for one row more than it shows: that extra row only
 * tells whether a next page exists. The page owns the buffer it reads into,
 * sized for exactly that (limit + 1 rows), so no caller can hand it one row
 * too few; page_free gives it back. Cursors stay with the caller: the next
 * page starts after the last row shown (rows[n - 1]).
 */
#ifndef WL_PAGING_H
#define WL_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* The largest page any list serves. */
#define PAGE_MAX 1000

/* A store list in its common shape: up to `want` rows after the cursor into
 * `rows`, *n = how many. `query` is the list's own selector (an org id, a
 * struct store_usage_query, …). */
typedef int (*page_fetch_fn)(struct store_conn *c, const void *query, int64_t cursor_ms,
			     const char *cursor_id, int want, void *rows, int *n,
			     struct wl_error *err);

struct page {
	void *rows; /* owned: limit + 1 slots of row_size; page_free */
	size_t row_size;
	int n;     /* rows on this page, 0..limit */
	bool more; /* a next page exists */
};

/* Reads one page of `limit` rows (1..PAGE_MAX, asserted) after the cursor
 * (cursor_id "" = from the start). On failure *out holds no rows and
 * nothing to free. WL_EUNAVAILABLE when memory runs out. */
int page_fetch(struct store_conn *c, page_fetch_fn fetch, const void *query, size_t row_size,
	       int limit, int64_t cursor_ms, const char *cursor_id, struct page *out,
	       struct wl_error *err);
/* Frees the rows; safe on a zeroed or already freed page. */
void page_free(struct page *p);

#endif
