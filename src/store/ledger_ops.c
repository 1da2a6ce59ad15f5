/*
 * ledger_ops.c — the ledger's entries and the audit, written once for both
 * drivers (db.h); the SQL of each dialect is in statements.c.
 */
#include "store/db.h"

static void
bind_entry(struct db_stmt *st, const struct store_entry *e)
{
	db_bind_text(st, 1, e->org_id);
	db_bind_int64(st, 2, e->delta_seconds);
	db_bind_text(st, 3, e->kind);
	db_bind_text(st, 4, e->reference);
	db_bind_text(st, 5, e->description);
	db_bind_int64(st, 6, e->created_at);
}

/* A reference seen before inserts nothing: WL_ECONFLICT, the transaction
 * still usable. */
int
store_ledger_insert(struct store_conn *c, const struct store_entry *e, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_LEDGER_INSERT, err);

	if (st == NULL)
		return err->code;
	bind_entry(st, e);
	return db_insert_once(st, err);
}

/* One statement where the database has Q_LEDGER_APPLY (PostgreSQL: one round
 * trip); else the entry, then the balance. */
int
store_ledger_apply(struct store_conn *c, const struct store_entry *e, struct wl_error *err)
{
	struct db_stmt *st;
	int64_t inserted, updated;
	int rc;

	if (!db_has(c, Q_LEDGER_APPLY)) {
		rc = store_ledger_insert(c, e, err);
		return rc != WL_OK ? rc
				   : store_org_add_balance(c, e->org_id, e->delta_seconds, err);
	}
	if ((st = db_stmt(c, Q_LEDGER_APPLY, err)) == NULL)
		return err->code;
	bind_entry(st, e);
	switch (db_step(st, err)) {
	case DB_ROW:
		inserted = db_col_int64(st, 0);
		updated = db_col_int64(st, 1);
		db_finish(st, WL_OK);
		break;
	case DB_DONE:
		return db_finish(st, wl_fail(err, WL_EINTERNAL, "ledger entry: no row returned"));
	default: return db_finish(st, err->code);
	}
	if (inserted == 0)
		return wl_fail(err, WL_ECONFLICT, "ledger entry: already exists");
	return updated == 1 ? WL_OK : store_balance_refused(c, e->org_id, err);
}

static int
audit_read(struct store_conn *c, void (*mismatch)(const struct store_audit_row *, void *),
	   void *arg, int64_t *orgs, int64_t *entries, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_AUDIT, err);
	struct store_audit_row row;
	enum db_step r;
	int64_t counts[2] = { 0, 0 };
	int rc;

	if (st == NULL)
		return err->code;
	while ((r = db_step(st, err)) == DB_ROW) {
		db_col_text(st, 0, row.org_id, sizeof(row.org_id));
		row.balance_seconds = db_col_int64(st, 1);
		row.entries_sum = db_col_int64(st, 2);
		mismatch(&row, arg);
	}
	if (db_finish(st, r == DB_FAIL ? err->code : WL_OK) != WL_OK)
		return err->code;
	if ((st = db_stmt(c, Q_AUDIT_COUNT, err)) == NULL)
		return err->code;
	rc = db_one(st, db_read_pair, counts, WL_EINTERNAL, "audit: no counts", err);
	*orgs = counts[0];
	*entries = counts[1];
	return rc;
}

/* Balances and entries come from one snapshot, so a debit committing halfway
 * through cannot show up as a mismatch. */
int
store_audit(struct store_conn *c, void (*mismatch)(const struct store_audit_row *, void *),
	    void *arg, int64_t *orgs, int64_t *entries, struct wl_error *err)
{
	int rc;

	if (db_run(c, Q_BEGIN_SNAPSHOT, err) != WL_OK)
		return err->code;
	rc = audit_read(c, mismatch, arg, orgs, entries, err);
	if (rc == WL_OK)
		return db_run(c, Q_COMMIT, err);
	store_rollback(c);
	return rc;
}
