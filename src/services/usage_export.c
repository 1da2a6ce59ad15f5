/*
 * usage_export.c — the usage CSV, a page of rows a piece (see
 * usage_export.h). Keyed reads: each page starts after the last row of the
 * one before (created_at, id), so a page costs the same at any depth.
 */
#include "services/usage_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "services/paging.h"
#include "services/pricing.h"

struct usage_export {
	char org_id[WL_ID_LEN];
	struct store_usage_query q; /* q.org_id points at org_id */
	struct pricing_price price;
	bool header_done;
	int64_t after_ms; /* the key of the last row written */
	char after_id[WL_ID_LEN];
	int64_t seconds; /* written so far */
};

int
usage_export_open(struct store_conn *c, const struct wl_app *app, const struct store_org *org,
		  int64_t from_day, int64_t to_day, struct usage_export **out, struct wl_error *err)
{
	struct usage_export *x = calloc(1, sizeof(*x));
	int rc;

	*out = NULL;
	if (x == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
	snprintf(x->org_id, sizeof(x->org_id), "%s", org->id);
	x->q.org_id = x->org_id;
	x->q.by_billed_org = org->parent_id[0] == '\0'; /* as calls_usage */
	x->q.from_ms = from_day * WL_MS_PER_DAY;
	x->q.to_ms = (to_day + 1) * WL_MS_PER_DAY;
	rc = pricing_price_of(c, app, org, &x->price, err);
	if (rc != WL_OK) {
		free(x);
		return rc;
	}
	*out = x;
	return WL_OK;
}

static void
header(struct wl_buf *b)
{
	wl_buf_puts(b, "id,created_at,call_id,org_id,org_name,number_id,duration_sec,minutes,"
		       "cost,currency");
	wl_csv_end(b);
}

/* One record; the row's minutes and cost are what it adds to the running
 * totals, each rounded once (usage_export.h). */
static void
record(struct usage_export *x, const struct store_usage_line *l, struct wl_buf *b)
{
	int64_t before = x->seconds, after = x->seconds + l->u.duration_sec;
	char text[32];

	wl_csv_field(b, l->u.id);
	wl_csv_sep(b);
	wl_format_iso_ms(l->u.created_at, text);
	wl_csv_field(b, text);
	wl_csv_sep(b);
	wl_csv_field(b, l->u.call_id);
	wl_csv_sep(b);
	wl_csv_field(b, l->u.org_id);
	wl_csv_sep(b);
	wl_csv_text(b, l->org_name);
	wl_csv_sep(b);
	wl_csv_field(b, l->u.number_id);
	wl_csv_sep(b);
	wl_buf_printf(b, "%lld,", (long long)l->u.duration_sec);
	wl_format_hundredths(wl_minutes_hundredths(after) - wl_minutes_hundredths(before), text);
	wl_buf_puts(b, text);
	wl_csv_sep(b);
	if (x->price.known) {
		wl_format_cents(pricing_cost_minor(&x->price, after) -
					pricing_cost_minor(&x->price, before),
				text);
		wl_buf_puts(b, text);
	}
	wl_csv_sep(b);
	wl_csv_field(b, x->price.currency);
	wl_csv_end(b);
	x->seconds = after;
}

static int
fetch_lines(struct store_conn *c, const void *query, int64_t after_ms, const char *after_id,
	    int want, void *rows, int *n, struct wl_error *err)
{
	return store_usage_export(c, query, after_ms, after_id, want, rows, n, err);
}

int
usage_export_next(struct store_conn *c, struct usage_export *x, struct wl_buf *out, bool *done,
		  struct wl_error *err)
{
	struct page page;
	const struct store_usage_line *rows;
	int rc, i;

	*done = false;
	if (!x->header_done) {
		header(out);
		x->header_done = true;
	}
	rc = page_fetch(c, fetch_lines, &x->q, sizeof(struct store_usage_line), USAGE_EXPORT_PAGE,
			x->after_ms, x->after_id, &page, err);
	if (rc != WL_OK)
		return rc;
	rows = page.rows;
	for (i = 0; i < page.n; i++)
		record(x, &rows[i], out);
	if (page.n > 0) {
		x->after_ms = rows[page.n - 1].u.created_at;
		memcpy(x->after_id, rows[page.n - 1].u.id, sizeof(x->after_id));
	}
	*done = !page.more;
	page_free(&page);
	return WL_OK;
}

void
usage_export_free(struct usage_export *x)
{
	free(x);
}
