/*
 * limits.c — the limits an agency sets on a client org, and the two
 * measures they are held against: the org's open calls and the seconds
 * billed on its calls this month. Written once for both drivers.
 */
#include <string.h>

#include "store/db.h"

static void
read_limits(struct db_stmt *st, void *out)
{
	struct store_limits *l = out;

	l->max_concurrent_calls = db_col_int64(st, 0);
	l->monthly_minutes = db_col_int64(st, 1);
}

int
store_limits_get(struct store_conn *c, const char *org_id, struct store_limits *out,
		 struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_LIMITS_GET, err);
	int rc;

	out->max_concurrent_calls = STORE_NO_LIMIT;
	out->monthly_minutes = STORE_NO_LIMIT;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	rc = db_one(st, read_limits, out, WL_ENOTFOUND, "no limits", err);
	if (rc == WL_ENOTFOUND) {
		wl_error_clear(err);
		return WL_OK;
	}
	return rc;
}

int
store_limits_put(struct store_conn *c, const char *org_id, const struct store_limits *l,
		 int64_t now, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_LIMITS_PUT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	db_bind_int64(st, 2, l->max_concurrent_calls);
	db_bind_int64(st, 3, l->monthly_minutes);
	db_bind_int64(st, 4, now);
	return db_exec(st, err);
}

int
store_calls_open(struct store_conn *c, const char *org_id, int64_t *n, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_CALLS_OPEN_COUNT, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	return db_one(st, db_read_int64, n, WL_EINTERNAL, "calls: no count", err);
}

int
store_billed_since(struct store_conn *c, const char *org_id, int64_t from_ms, int64_t *seconds,
		   struct wl_error *err)
{
	struct store_usage_query q = {
		.org_id = org_id,
		.by_billed_org = false,
		.from_ms = from_ms,
		.to_ms = INT64_MAX,
	};
	int64_t rows;

	return store_usage_sum(c, &q, seconds, &rows, err);
}
