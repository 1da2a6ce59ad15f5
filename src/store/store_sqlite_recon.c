/*
 * store_sqlite_recon.c — SQLite's side of what keeps the books closed: open
 * calls that went silent (for the reaper), the reconciliation of calls with
 * their usage rows (for `wlportal audit`), the fingerprints of idempotent
 * requests, and named values of the installation (the master key's check
 * value). The SQL text is in sqlite_sql.h with every other statement.
 */
#include "store/store_sqlite_int.h"

#include <stdio.h>
#include <string.h>

int
sq_call_stale(struct store_conn *b, int64_t before_ms, int limit, struct store_call *out, int *n,
	      struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_CALL_STALE, err);
	int rc = SQLITE_DONE;

	*n = 0;
	if (st == NULL)
		return err->code;
	sqlite3_bind_int64(st, 1, before_ms);
	sqlite3_bind_int(st, 2, limit);
	while (*n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
		sq_read_call(st, &out[(*n)++]);
	if (*n >= limit)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? WL_OK : sq_err(c->db, rc, err, "stale calls");
}

/* Every row of a CALL_COLS statement to `each`. */
static int
each_call(struct sq_conn *c, sqlite3_stmt *st, void (*each)(const struct store_call *, void *),
	  void *arg, struct wl_error *err)
{
	struct store_call call;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sq_read_call(st, &call);
		each(&call, arg);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? WL_OK : sq_err(c->db, rc, err, "reconciliation");
}

static int
reconcile_read(struct sq_conn *c, int64_t stale_before_ms, const struct store_recon_hooks *hooks,
	       int64_t *calls, struct wl_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = sq_stmt(c, Q_RECON_UNSETTLED, err)) == NULL)
		return err->code;
	if ((rc = each_call(c, st, hooks->unsettled, hooks->arg, err)) != WL_OK)
		return rc;
	if ((st = sq_stmt(c, Q_RECON_STALE, err)) == NULL)
		return err->code;
	sqlite3_bind_int64(st, 1, stale_before_ms);
	if ((rc = each_call(c, st, hooks->stale, hooks->arg, err)) != WL_OK)
		return rc;
	if ((st = sq_stmt(c, Q_RECON_COUNT, err)) == NULL)
		return err->code;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*calls = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? WL_OK : sq_err(c->db, rc, err, "reconciliation");
}

/* Both reads in one read transaction: one snapshot of the WAL. */
int
sq_reconcile(struct store_conn *b, int64_t stale_before_ms, const struct store_recon_hooks *hooks,
	     int64_t *calls, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	int rc = sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return sq_err(c->db, rc, err, "reconciliation");
	rc = reconcile_read(c, stale_before_ms, hooks, calls, err);
	sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

/* The first column of the first row as text into out, WL_ENOTFOUND without rows. */
static int
first_text(struct sq_conn *c, sqlite3_stmt *st, char *out, size_t n, struct wl_error *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		sq_col_copy(st, 0, out, n);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return WL_OK;
	if (rc == SQLITE_DONE)
		return wl_fail(err, WL_ENOTFOUND, "not found");
	return sq_err(c->db, rc, err, "lookup");
}

int
sq_idem_claim(struct store_conn *b, const char *scope, const char *key, const char *fingerprint,
	      int64_t now, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_IDEM_INSERT, err);
	char stored[WL_FINGERPRINT_LEN];
	int rc;

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, scope);
	sq_bind_text(st, 2, key);
	sq_bind_text(st, 3, fingerprint);
	sqlite3_bind_int64(st, 4, now);
	if ((rc = sq_exec(c, st, err, "idempotency key")) != WL_OK)
		return rc;
	if (sqlite3_changes(c->db) == 1)
		return WL_OK;
	if ((st = sq_stmt(c, Q_IDEM_GET, err)) == NULL)
		return err->code;
	sq_bind_text(st, 1, scope);
	sq_bind_text(st, 2, key);
	if ((rc = first_text(c, st, stored, sizeof(stored), err)) != WL_OK)
		return rc;
	if (strcmp(stored, fingerprint) != 0)
		return wl_fail(err, WL_ECONFLICT, "idempotency key used for another request");
	return WL_OK;
}

int
sq_meta_get(struct store_conn *b, const char *name, char *out, size_t n, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_META_GET, err);

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, name);
	return first_text(c, st, out, n, err);
}

int
sq_meta_put_once(struct store_conn *b, const char *name, const char *value, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_META_INSERT, err);

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, name);
	sq_bind_text(st, 2, value);
	return sq_exec(c, st, err, "installation value");
}

int
sq_sealed_sample(struct store_conn *b, char *out, size_t n, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_SEALED_SAMPLE, err);

	if (st == NULL)
		return err->code;
	return first_text(c, st, out, n, err);
}
