/*
 * usage_export.h — an org's usage rows as CSV (GET /api/v1/usage.csv), made
 * a page at a time so that a year of calls is never in memory at once: the
 * caller asks for the next piece until `done` and sends each as it comes.
 *
 * The rows and the org are those of GET /api/v1/usage (calls_usage): a
 * parent's export holds what its minutes paid for (its own calls and its
 * clients'), a client's only its own. Columns, in this order:
 *
 *   id, created_at (ISO 8601 UTC), call_id, org_id, org_name (the org whose
 *   call it was), number_id, duration_sec, minutes, cost, currency
 *
 * `minutes` and `cost` are each row's share of the range's totals: the
 * running total is rounded once (as the JSON summary rounds its total) and
 * a row gets what it adds to it, so each column sums exactly to the
 * summary's total_minutes and total_cost. `cost` is in the org's own price
 * (services/pricing.h), empty when that price is not known. No totals row:
 * every record is a call.
 */
#ifndef WL_USAGE_EXPORT_H
#define WL_USAGE_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "services/app.h"
#include "store/store.h"

/* Rows read from the store for one piece. */
#define USAGE_EXPORT_PAGE 500

struct usage_export;

/* The export of UTC days [from_day, to_day] of org (copied); reads its
 * price. *out is freed with usage_export_free. */
int usage_export_open(struct store_conn *c, const struct wl_app *app, const struct store_org *org,
		      int64_t from_day, int64_t to_day, struct usage_export **out,
		      struct wl_error *err);
/* Appends the next piece (the header row first, then up to a page of
 * rows) to out; *done once the last row is written. */
int usage_export_next(struct store_conn *c, struct usage_export *x, struct wl_buf *out, bool *done,
		      struct wl_error *err);
void usage_export_free(struct usage_export *x);

#endif
