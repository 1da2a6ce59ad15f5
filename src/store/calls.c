/*
 * calls.c — calls, the phone numbers they come in on, and usage, written
 * once for both drivers (db.h); the SQL of each dialect is in statements*.c.
 */
#include "store/db.h"

#include "core/timeutil.h"

static void
read_call(struct db_stmt *st, void *out)
{
	struct store_call *o = out;

	db_col_text(st, 0, o->id, sizeof(o->id));
	db_col_text(st, 1, o->org_id, sizeof(o->org_id));
	db_col_text(st, 2, o->billed_org_id, sizeof(o->billed_org_id));
	db_col_text(st, 3, o->direction, sizeof(o->direction));
	db_col_text(st, 4, o->status, sizeof(o->status));
	db_col_text(st, 5, o->from_number, sizeof(o->from_number));
	db_col_text(st, 6, o->to_number, sizeof(o->to_number));
	db_col_text(st, 7, o->number_id, sizeof(o->number_id));
	db_col_text(st, 8, o->agent_id, sizeof(o->agent_id));
	o->elapsed_sec = db_col_int64(st, 9);
	o->billed_seconds = db_col_int64(st, 10);
	o->cut_off = db_col_bool(st, 11);
	db_col_text(st, 12, o->ended_reason, sizeof(o->ended_reason));
	o->created_at = db_col_int64(st, 13);
	o->ended_at = db_col_int64(st, 14);
	o->last_event_at = db_col_int64(st, 15);
}

void
db_read_call(struct db_stmt *st, void *out)
{
	read_call(st, out);
}

int
store_call_insert(struct store_conn *c, const struct store_call *o, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_CALL_INSERT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, o->id);
	db_bind_text(st, 2, o->org_id);
	db_bind_text(st, 3, o->billed_org_id);
	db_bind_text(st, 4, o->direction);
	db_bind_text(st, 5, o->status);
	db_bind_text(st, 6, o->from_number);
	db_bind_text(st, 7, o->to_number);
	db_bind_text(st, 8, o->number_id);
	db_bind_text(st, 9, o->agent_id);
	db_bind_int64(st, 10, o->elapsed_sec);
	db_bind_int64(st, 11, o->billed_seconds);
	db_bind_bool(st, 12, o->cut_off);
	db_bind_text(st, 13, o->ended_reason);
	db_bind_int64(st, 14, o->created_at);
	db_bind_int64(st, 15, o->ended_at);
	db_bind_int64(st, 16, o->last_event_at);
	return db_exec(st, err);
}

int
store_call_get(struct store_conn *c, const char *id, bool for_update, struct store_call *out,
	       struct wl_error *err)
{
	const struct store_call *known = batch_call(c, id);
	struct db_stmt *st;
	int rc;

	/* Locked by this transaction (batch.c): as current as the database. */
	if (known != NULL) {
		*out = *known;
		return WL_OK;
	}
	if ((st = db_stmt(c, for_update ? Q_CALL_GET_LOCK : Q_CALL_GET, err)) == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	rc = db_one(st, read_call, out, WL_ENOTFOUND, "call not found", err);
	if (rc == WL_OK && for_update)
		batch_call_put(c, out);
	return rc;
}

int
store_call_update(struct store_conn *c, const struct store_call *o, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_CALL_UPDATE, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, o->id);
	db_bind_text(st, 2, o->status);
	db_bind_int64(st, 3, o->elapsed_sec);
	db_bind_int64(st, 4, o->billed_seconds);
	db_bind_bool(st, 5, o->cut_off);
	db_bind_text(st, 6, o->ended_reason);
	db_bind_int64(st, 7, o->ended_at);
	db_bind_int64(st, 8, o->last_event_at);
	if (db_exec(st, err) != WL_OK)
		return err->code;
	batch_call_written(c, o);
	return WL_OK;
}

int
store_call_tick(struct store_conn *c, const struct store_call *o, struct wl_error *err)
{
	struct db_stmt *st;

	if (batch_defer_tick(c, o)) /* written with the batch's others (batch.c) */
		return WL_OK;
	if ((st = db_stmt(c, Q_CALL_TICK, err)) == NULL)
		return err->code;
	db_bind_text(st, 1, o->id);
	db_bind_int64(st, 2, o->elapsed_sec);
	db_bind_int64(st, 3, o->billed_seconds);
	db_bind_bool(st, 4, o->cut_off);
	db_bind_int64(st, 5, o->last_event_at);
	if (db_exec(st, err) != WL_OK)
		return err->code;
	batch_call_written(c, o);
	return WL_OK;
}

int
store_call_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
		int limit, struct store_call *out, int *n, struct wl_error *err)
{
	bool after = cursor_id != NULL && cursor_id[0] != '\0';
	struct db_stmt *st = db_stmt(c, after ? Q_CALL_LIST_AFTER : Q_CALL_LIST, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	db_bind_int64(st, 2, limit);
	if (after) {
		db_bind_int64(st, 3, cursor_ms);
		db_bind_text(st, 4, cursor_id);
	}
	return db_rows(st, read_call, out, sizeof(*out), limit, n, err);
}

int
store_number_org(struct store_conn *c, const char *number_id, char org_id[WL_ID_LEN],
		 struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_NUMBER_ORG, err);
	int rc;

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, number_id);
	rc = db_first_id(st, org_id, err);
	if (rc == WL_ENOTFOUND)
		return wl_fail(err, WL_ENOTFOUND, "phone number not found");
	return rc;
}

int
store_call_stale(struct store_conn *c, int64_t before_ms, int limit, struct store_call *out, int *n,
		 struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_CALL_STALE, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_int64(st, 1, before_ms);
	db_bind_int64(st, 2, limit);
	return db_rows(st, read_call, out, sizeof(*out), limit, n, err);
}

/* Every row of a CALL_COLS statement to `each`. */
static int
each_call(struct db_stmt *st, void (*each)(const struct store_call *, void *), void *arg,
	  struct wl_error *err)
{
	struct store_call call;
	enum db_step r;

	while ((r = db_step(st, err)) == DB_ROW) {
		read_call(st, &call);
		each(&call, arg);
	}
	return db_finish(st, r == DB_FAIL ? err->code : WL_OK);
}

static int
reconcile_read(struct store_conn *c, int64_t stale_before_ms, const struct store_recon_hooks *hooks,
	       int64_t *calls, struct wl_error *err)
{
	struct db_stmt *st;

	if ((st = db_stmt(c, Q_RECON_UNSETTLED, err)) == NULL ||
	    each_call(st, hooks->unsettled, hooks->arg, err) != WL_OK ||
	    (st = db_stmt(c, Q_RECON_STALE, err)) == NULL)
		return err->code;
	db_bind_int64(st, 1, stale_before_ms);
	if (each_call(st, hooks->stale, hooks->arg, err) != WL_OK ||
	    (st = db_stmt(c, Q_RECON_COUNT, err)) == NULL)
		return err->code;
	return db_one(st, db_read_int64, calls, WL_EINTERNAL, "reconciliation: no count", err);
}

/* Both reads in one snapshot, like the ledger audit. */
int
store_reconcile(struct store_conn *c, int64_t stale_before_ms,
		const struct store_recon_hooks *hooks, int64_t *calls, struct wl_error *err)
{
	int rc;

	if (db_run(c, Q_BEGIN_SNAPSHOT, err) != WL_OK)
		return err->code;
	rc = reconcile_read(c, stale_before_ms, hooks, calls, err);
	if (rc == WL_OK)
		return db_run(c, Q_COMMIT, err);
	store_rollback(c);
	return rc;
}

/* ---- usage ------------------------------------------------------------------------- */

static void
read_usage(struct db_stmt *st, void *out)
{
	struct store_usage *u = out;

	db_col_text(st, 0, u->id, sizeof(u->id));
	db_col_text(st, 1, u->org_id, sizeof(u->org_id));
	db_col_text(st, 2, u->billed_org_id, sizeof(u->billed_org_id));
	db_col_text(st, 3, u->call_id, sizeof(u->call_id));
	u->duration_sec = db_col_int64(st, 4);
	db_col_text(st, 5, u->number_id, sizeof(u->number_id));
	u->created_at = db_col_int64(st, 6);
}

int
store_usage_days_add(struct store_conn *c, const char *org_id, const char *billed_org_id,
		     int64_t day, int64_t seconds, int64_t calls, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_USAGE_DAYS_ADD, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	db_bind_text(st, 2, billed_org_id);
	db_bind_int64(st, 3, day);
	db_bind_int64(st, 4, seconds);
	db_bind_int64(st, 5, calls);
	return db_exec(st, err);
}

/* The row and its day's totals, in the caller's transaction. */
int
store_usage_insert(struct store_conn *c, const struct store_usage *u, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_USAGE_INSERT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, u->id);
	db_bind_text(st, 2, u->org_id);
	db_bind_text(st, 3, u->billed_org_id);
	db_bind_text(st, 4, u->call_id);
	db_bind_int64(st, 5, u->duration_sec);
	db_bind_text(st, 6, u->number_id);
	db_bind_int64(st, 7, u->created_at);
	if (db_exec(st, err) != WL_OK)
		return err->code;
	return store_usage_days_add(c, u->org_id, u->billed_org_id, wl_day_floor(u->created_at),
				    u->duration_sec, 1, err);
}

/* The org (or the billed org) and the time range: parameters 1 to 3. */
static struct db_stmt *
usage_stmt(struct store_conn *c, const struct store_usage_query *q, enum stmt_id by_org,
	   enum stmt_id by_billed, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, q->by_billed_org ? by_billed : by_org, err);

	if (st != NULL) {
		db_bind_text(st, 1, q->org_id);
		db_bind_int64(st, 2, q->from_ms);
		db_bind_int64(st, 3, q->to_ms);
	}
	return st;
}

int
store_usage_list(struct store_conn *c, const struct store_usage_query *q, int64_t cursor_ms,
		 const char *cursor_id, int limit, struct store_usage *out, int *n,
		 struct wl_error *err)
{
	bool after = cursor_id != NULL && cursor_id[0] != '\0';
	struct db_stmt *st = usage_stmt(c, q, Q_USAGE_LIST_ORG, Q_USAGE_LIST_BILLED, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	/* Without a cursor, start before every row: (from - 1, ""). */
	db_bind_int64(st, 4, after ? cursor_ms : q->from_ms - 1);
	db_bind_text(st, 5, after ? cursor_id : "");
	db_bind_int64(st, 6, limit);
	return db_rows(st, read_usage, out, sizeof(*out), limit, n, err);
}

static void
read_usage_line(struct db_stmt *st, void *out)
{
	struct store_usage_line *l = out;

	read_usage(st, &l->u);
	db_col_text(st, 7, l->org_name, sizeof(l->org_name));
}

int
store_usage_export(struct store_conn *c, const struct store_usage_query *q, int64_t after_ms,
		   const char *after_id, int limit, struct store_usage_line *out, int *n,
		   struct wl_error *err)
{
	bool after = after_id != NULL && after_id[0] != '\0';
	struct db_stmt *st = usage_stmt(c, q, Q_USAGE_EXPORT_ORG, Q_USAGE_EXPORT_BILLED, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_int64(st, 4, after ? after_ms : q->from_ms - 1);
	db_bind_text(st, 5, after ? after_id : "");
	db_bind_int64(st, 6, limit);
	return db_rows(st, read_usage_line, out, sizeof(*out), limit, n, err);
}

static void
read_usage_day(struct db_stmt *st, void *out)
{
	struct store_usage_day *d = out;

	d->day = db_col_int64(st, 0);
	d->seconds = db_col_int64(st, 1);
	d->calls = db_col_int64(st, 2);
}

int
store_usage_days(struct store_conn *c, const char *org_id, bool by_billed, int64_t first_day,
		 int64_t last_day, int limit, struct store_usage_day *out, int *n,
		 struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_USAGE_DAYS_LIST, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	db_bind_int64(st, 2, by_billed ? 1 : 0);
	db_bind_int64(st, 3, first_day);
	db_bind_int64(st, 4, last_day);
	db_bind_int64(st, 5, limit);
	return db_rows(st, read_usage_day, out, sizeof(*out), limit, n, err);
}

/* [from, to) as whole days [first_day, end_day) read from the totals, plus
 * the rows of [from, first_day) and [end_day, to): at most a day's rows at
 * each end, whatever the history. Without a whole day in the range, all of
 * it comes from the rows. */
void
db_bind_usage_range(struct db_stmt *st, int first, int64_t from_ms, int64_t to_ms)
{
	int64_t first_day = wl_day_ceil(from_ms), end_day = wl_day_floor(to_ms);

	if (first_day < end_day) {
		/* first_day * day <= end_day * day <= to_ms: no overflow */
		db_bind_int64(st, first, first_day);
		db_bind_int64(st, first + 1, end_day);
		db_bind_int64(st, first + 2, from_ms);
		db_bind_int64(st, first + 3, first_day * WL_MS_PER_DAY);
		db_bind_int64(st, first + 4, end_day * WL_MS_PER_DAY);
		db_bind_int64(st, first + 5, to_ms);
	} else {
		db_bind_int64(st, first, 0);
		db_bind_int64(st, first + 1, 0);
		db_bind_int64(st, first + 2, from_ms);
		db_bind_int64(st, first + 3, to_ms);
		db_bind_int64(st, first + 4, 0);
		db_bind_int64(st, first + 5, 0);
	}
}

int
store_usage_sum(struct store_conn *c, const struct store_usage_query *q, int64_t *total_seconds,
		int64_t *rows, struct wl_error *err)
{
	struct db_stmt *st =
		db_stmt(c, q->by_billed_org ? Q_USAGE_SUM_BILLED : Q_USAGE_SUM_ORG, err);
	int64_t v[2] = { 0, 0 };
	int rc;

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, q->org_id);
	db_bind_usage_range(st, 2, q->from_ms, q->to_ms);
	rc = db_one(st, db_read_pair, v, WL_EINTERNAL, "usage: no sum", err);
	if (rc == WL_OK) {
		*total_seconds = v[0];
		*rows = v[1];
	}
	return rc;
}

static int
audit_days_read(struct store_conn *c, void (*differs)(const struct store_days_row *, void *),
		void *arg, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_AUDIT_USAGE_DAYS, err);
	struct store_days_row row;
	enum db_step r;

	if (st == NULL)
		return err->code;
	while ((r = db_step(st, err)) == DB_ROW) {
		db_col_text(st, 0, row.org_id, sizeof(row.org_id));
		row.by_billed = db_col_int64(st, 1) != 0;
		row.day = db_col_int64(st, 2);
		row.total_seconds = db_col_int64(st, 3);
		row.total_calls = db_col_int64(st, 4);
		row.rows_seconds = db_col_int64(st, 5);
		row.rows_calls = db_col_int64(st, 6);
		differs(&row, arg);
	}
	return db_finish(st, r == DB_FAIL ? err->code : WL_OK);
}

/* Totals and rows from one snapshot, like the ledger audit. */
int
store_audit_usage_days(struct store_conn *c, void (*differs)(const struct store_days_row *, void *),
		       void *arg, struct wl_error *err)
{
	int rc;

	if (db_run(c, Q_BEGIN_SNAPSHOT, err) != WL_OK)
		return err->code;
	rc = audit_days_read(c, differs, arg, err);
	if (rc == WL_OK)
		return db_run(c, Q_COMMIT, err);
	store_rollback(c);
	return rc;
}
