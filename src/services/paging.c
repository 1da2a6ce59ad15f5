/*
 * paging.c — one page of a list with its "is there more" answer (see
 * paging.h). The buffer is allocated here, for limit + 1 rows, and the
 * store is told exactly that capacity.
 */
#include "services/paging.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

int
page_fetch(struct store_conn *c, page_fetch_fn fetch, const void *query, size_t row_size, int limit,
	   int64_t cursor_ms, const char *cursor_id, struct page *out, struct wl_error *err)
{
	int want, rc;

	assert(limit >= 1 && limit <= PAGE_MAX);
	assert(row_size > 0);
	memset(out, 0, sizeof(*out));
	want = limit + 1; /* the extra row says whether a next page exists */
	out->rows = calloc((size_t)want, row_size);
	if (out->rows == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
	out->row_size = row_size;
	rc = fetch(c, query, cursor_ms, cursor_id != NULL ? cursor_id : "", want, out->rows,
		   &out->n, err);
	if (rc != WL_OK) {
		page_free(out);
		return rc;
	}
	assert(out->n >= 0 && out->n <= want);
	out->more = out->n > limit;
	if (out->more)
		out->n = limit;
	return WL_OK;
}

void
page_free(struct page *p)
{
	free(p->rows);
	p->rows = NULL;
	p->n = 0;
	p->more = false;
}
