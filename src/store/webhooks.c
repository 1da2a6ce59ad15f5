/*
 * webhooks.c — outbound webhooks in the store: an org's endpoints, the
 * outbox of deliveries (insert, claim, settle, log, resend) and the
 * low-balance alert's threshold and armed flag, written once for both
 * drivers (db.h); the SQL of each dialect is in statements*.c.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

static void
read_endpoint(struct db_stmt *st, void *out)
{
	struct store_wh_endpoint *e = out;

	db_col_text(st, 0, e->id, sizeof(e->id));
	db_col_text(st, 1, e->org_id, sizeof(e->org_id));
	db_col_text(st, 2, e->url, sizeof(e->url));
	db_col_text(st, 3, e->events, sizeof(e->events));
	db_col_text(st, 4, e->description, sizeof(e->description));
	db_col_text(st, 5, e->secret_sealed, sizeof(e->secret_sealed));
	db_col_text(st, 6, e->old_secret_sealed, sizeof(e->old_secret_sealed));
	e->old_secret_until = db_col_int64(st, 7);
	e->created_at = db_col_int64(st, 8);
	e->updated_at = db_col_int64(st, 9);
}

int
store_wh_insert(struct store_conn *c, const struct store_wh_endpoint *e, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_WH_INSERT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, e->id);
	db_bind_text(st, 2, e->org_id);
	db_bind_text(st, 3, e->url);
	db_bind_text(st, 4, e->events);
	db_bind_text(st, 5, e->description);
	db_bind_text(st, 6, e->secret_sealed);
	db_bind_int64(st, 7, e->created_at);
	return db_exec(st, err);
}

int
store_wh_get(struct store_conn *c, const char *id, struct store_wh_endpoint *out,
	     struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_WH_GET, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	return db_one(st, read_endpoint, out, WL_ENOTFOUND, "webhook endpoint not found", err);
}

int
store_wh_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
	      int limit, struct store_wh_endpoint *out, int *n, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_WH_LIST, err);
	bool after = cursor_id != NULL && cursor_id[0] != '\0';

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	/* Without a cursor, start before every row: (-1, ""). */
	db_bind_int64(st, 2, after ? cursor_ms : -1);
	db_bind_text(st, 3, after ? cursor_id : "");
	db_bind_int64(st, 4, limit);
	return db_rows(st, read_endpoint, out, sizeof(*out), limit, n, err);
}

int
store_wh_count(struct store_conn *c, const char *org_id, int64_t *n, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_WH_COUNT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	return db_one(st, db_read_int64, n, WL_EINTERNAL, "webhook endpoints: no count", err);
}

/* An UPDATE or DELETE of one of the org's rows: WL_ENOTFOUND when none changed. */
static int
exec_one(struct db_stmt *st, const char *what, struct wl_error *err)
{
	if (db_step(st, err) == DB_FAIL)
		return db_finish(st, err->code);
	if (db_changes(st) == 0)
		return db_finish(st, wl_fail(err, WL_ENOTFOUND, "%s not found", what));
	return db_finish(st, WL_OK);
}

int
store_wh_update(struct store_conn *c, const struct store_wh_endpoint *e, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_WH_UPDATE, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, e->id);
	db_bind_text(st, 2, e->org_id);
	db_bind_text(st, 3, e->url);
	db_bind_text(st, 4, e->events);
	db_bind_text(st, 5, e->description);
	db_bind_int64(st, 6, e->updated_at);
	return exec_one(st, "webhook endpoint", err);
}

int
store_wh_rotate(struct store_conn *c, const char *id, const char *org_id, const char *sealed,
		int64_t old_until, int64_t now, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_WH_ROTATE, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, org_id);
	db_bind_text(st, 3, sealed);
	db_bind_int64(st, 4, old_until);
	db_bind_int64(st, 5, now);
	return exec_one(st, "webhook endpoint", err);
}

int
store_wh_delete(struct store_conn *c, const char *id, const char *org_id, struct wl_error *err)
{
	struct store_wh_endpoint e;
	struct db_stmt *st;
	int rc = store_wh_get(c, id, &e, err);

	if (rc == WL_OK && strcmp(e.org_id, org_id) != 0)
		rc = wl_fail(err, WL_ENOTFOUND, "webhook endpoint not found");
	if (rc != WL_OK)
		return rc;
	if ((st = db_stmt(c, Q_WH_DELETE_DELIVERIES, err)) == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	if (db_exec(st, err) != WL_OK || (st = db_stmt(c, Q_WH_DELETE, err)) == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, org_id);
	return exec_one(st, "webhook endpoint", err);
}

/* ---- deliveries ---------------------------------------------------------------------- */

static void
read_delivery(struct db_stmt *st, void *out)
{
	struct store_wh_delivery *d = out;

	db_col_text(st, 0, d->id, sizeof(d->id));
	db_col_text(st, 1, d->org_id, sizeof(d->org_id));
	db_col_text(st, 2, d->endpoint_id, sizeof(d->endpoint_id));
	db_col_text(st, 3, d->event, sizeof(d->event));
	db_col_text(st, 4, d->status, sizeof(d->status));
	d->attempts = db_col_int64(st, 5);
	d->next_attempt_at = db_col_int64(st, 6);
	d->retry_until = db_col_int64(st, 7);
	d->last_status_code = db_col_int64(st, 8);
	d->last_duration_ms = db_col_int64(st, 9);
	db_col_text(st, 10, d->last_error, sizeof(d->last_error));
	db_col_text(st, 11, d->last_response, sizeof(d->last_response));
	d->created_at = db_col_int64(st, 12);
	d->updated_at = db_col_int64(st, 13);
	db_col_text(st, 14, d->url, sizeof(d->url));
	if (d->body != NULL)
		db_col_text(st, 15, d->body, WL_WEBHOOK_BODY_MAX + 1);
}

int
store_wh_delivery_insert(struct store_conn *c, const struct store_wh_delivery *d, const char *body,
			 struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_WD_INSERT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, d->id);
	db_bind_text(st, 2, d->org_id);
	db_bind_text(st, 3, d->endpoint_id);
	db_bind_text(st, 4, d->event);
	db_bind_text(st, 5, body);
	db_bind_int64(st, 6, d->created_at);
	db_bind_int64(st, 7, d->retry_until);
	db_bind_text(st, 8, d->url);
	return db_exec(st, err);
}

static void
read_claim(struct db_stmt *st, void *out)
{
	struct store_wh_claim *cl = out;

	db_col_text(st, 0, cl->id, sizeof(cl->id));
	cl->attempts = db_col_int64(st, 1);
}

int
store_wh_claim(struct store_conn *c, int64_t now, int64_t lease_until, int limit,
	       struct store_wh_claim *out, int *n, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_WD_CLAIM, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, lease_until);
	db_bind_int64(st, 3, limit);
	return db_rows(st, read_claim, out, sizeof(*out), limit, n, err);
}

int
store_wh_delivery_get(struct store_conn *c, const char *id, struct store_wh_delivery *out,
		      struct wl_error *err)
{
	struct db_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((out->body = malloc(WL_WEBHOOK_BODY_MAX + 1)) == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
	if ((st = db_stmt(c, Q_WD_GET, err)) == NULL) {
		rc = err->code;
	} else {
		db_bind_text(st, 1, id);
		rc = db_one(st, read_delivery, out, WL_ENOTFOUND, "webhook delivery not found",
			    err);
	}
	if (rc != WL_OK) {
		free(out->body);
		out->body = NULL;
	}
	return rc;
}

int
store_wh_settle(struct store_conn *c, const struct store_wh_delivery *d, int64_t now,
		struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_WD_SETTLE, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, d->id);
	db_bind_int64(st, 2, d->attempts);
	db_bind_text(st, 3, d->status);
	db_bind_int64(st, 4, d->next_attempt_at);
	db_bind_int64(st, 5, d->last_status_code);
	db_bind_int64(st, 6, d->last_duration_ms);
	db_bind_text(st, 7, d->last_error);
	db_bind_text(st, 8, d->last_response);
	db_bind_int64(st, 9, now);
	return db_exec(st, err);
}

int
store_wh_delivery_list(struct store_conn *c, const char *endpoint_id, int64_t cursor_ms,
		       const char *cursor_id, int limit, struct store_wh_delivery *out, int *n,
		       struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_WD_LIST, err);
	int i;

	*n = 0;
	if (st == NULL)
		return err->code;
	for (i = 0; i < limit; i++)
		out[i].body = NULL;
	db_bind_text(st, 1, endpoint_id);
	db_bind_int64(st, 2, cursor_ms);
	db_bind_text(st, 3, cursor_id != NULL ? cursor_id : "");
	db_bind_int64(st, 4, limit);
	return db_rows(st, read_delivery, out, sizeof(*out), limit, n, err);
}

int
store_wh_resend(struct store_conn *c, const char *id, int64_t now, int64_t retry_until,
		struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_WD_RESEND, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, retry_until);
	return exec_one(st, "webhook delivery", err);
}

/* ---- the low-balance alert ------------------------------------------------------------ */

int
store_org_set_low_balance(struct store_conn *c, const char *org_id, int64_t minutes,
			  struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_ORG_SET_LOW_BALANCE, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	db_bind_int64(st, 2, minutes);
	batch_org_drop(c, org_id); /* its threshold changes */
	return exec_one(st, "organization", err);
}

static atomic_llong low_balance_checks;

int64_t
store_org_low_balance_checks(void)
{
	return atomic_load(&low_balance_checks);
}

int
store_org_low_balance_check(struct store_conn *c, const char *org_id, bool *fired,
			    int64_t *balance_seconds, int64_t *minutes, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_ORG_LOW_BALANCE_FLIP, err);

	atomic_fetch_add_explicit(&low_balance_checks, 1, memory_order_relaxed);
	*fired = false;
	if (st == NULL)
		return err->code;
	batch_org_drop(c, org_id); /* its flag may flip */
	db_bind_text(st, 1, org_id);
	switch (db_step(st, err)) {
	case DB_ROW:
		/* armed after the flip = it re-armed; disarmed = it just fired */
		*fired = !db_col_bool(st, 0);
		*balance_seconds = db_col_int64(st, 1);
		*minutes = db_col_int64(st, 2);
		return db_finish(st, WL_OK);
	case DB_DONE: return db_finish(st, WL_OK);
	default: return db_finish(st, err->code);
	}
}
