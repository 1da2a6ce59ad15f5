/*
 * ledger_ops.c — the ledger's entries and the audit, written once for both
 * drivers (db.h); the SQL of each dialect is in statements*.c.
 */
#include "store/db.h"

void
db_bind_entry(struct db_stmt *st, int first, const struct store_entry *e)
{
	db_bind_text(st, first + 1, e->org_id);
	db_bind_int64(st, first + 2, e->delta_seconds);
	db_bind_text(st, first + 3, e->kind);
	db_bind_text(st, first + 4, e->reference);
	db_bind_text(st, first + 5, e->description);
	db_bind_int64(st, first + 6, e->created_at);
}

/* A reference seen before inserts nothing: WL_ECONFLICT, the transaction
 * still usable. */
int
store_ledger_insert(struct store_conn *c, const struct store_entry *e, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_LEDGER_INSERT, err);

	if (st == NULL)
		return err->code;
	db_bind_entry(st, 0, e);
	return db_insert_once(st, err);
}

/* A change the remembered balance (batch.c) cannot cover is refused before
 * any write, so the job fails cleanly; a reference seen before still
 * answers WL_ECONFLICT, as the insert would. */
static int
refuse_early(struct store_conn *c, const struct store_entry *e, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_LEDGER_EXISTS, err);
	int rc;

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, e->org_id);
	db_bind_text(st, 2, e->reference);
	switch (db_step(st, err)) {
	case DB_ROW: rc = wl_fail(err, WL_ECONFLICT, "ledger entry: already exists"); break;
	case DB_DONE: rc = wl_fail(err, WL_EINSUFFICIENT, "balance would go below zero"); break;
	default: rc = err->code; break;
	}
	return db_finish(st, rc);
}

/* One statement where the database has Q_LEDGER_APPLY (PostgreSQL: one round
 * trip); else the entry, then the balance. */
int
store_ledger_apply(struct store_conn *c, const struct store_entry *e, struct wl_error *err)
{
	const struct store_org *known = batch_org(c, e->org_id);
	struct db_stmt *st;
	int64_t inserted, updated;
	int rc;

	if (known != NULL && known->balance_seconds + e->delta_seconds < 0)
		return refuse_early(c, e, err);
	if (!db_has(c, Q_LEDGER_APPLY)) {
		rc = store_ledger_insert(c, e, err);
		return rc != WL_OK ? rc
				   : store_org_add_balance(c, e->org_id, e->delta_seconds, err);
	}
	if ((st = db_stmt(c, Q_LEDGER_APPLY, err)) == NULL)
		return err->code;
	db_bind_entry(st, 0, e);
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
	if (updated != 1)
		return store_balance_refused(c, e->org_id, err);
	c->balance_writes++;
	batch_org_moved(c, e->org_id, e->delta_seconds);
	return WL_OK;
}

int
store_ledger_apply_known(struct store_conn *c, const struct store_entry *e, struct wl_error *err)
{
	struct db_stmt *st;

	if (batch_org(c, e->org_id) != NULL) {
		/* the balance with the batch's others, the entry too where the
		 * database writes them all in one statement (batch.c) */
		if (!batch_defer_entries(c, e, 1)) {
			if ((st = db_stmt(c, Q_ENTRY_DEFERRED, err)) == NULL)
				return err->code;
			db_bind_entry(st, 0, e);
			if (db_exec(st, err) != WL_OK)
				return err->code;
		}
		batch_defer(c, e->org_id, e->delta_seconds);
		return WL_OK;
	}
	if (!db_has(c, Q_LEDGER_APPLY_KNOWN))
		return store_ledger_apply(c, e, err);
	if ((st = db_stmt(c, Q_LEDGER_APPLY_KNOWN, err)) == NULL)
		return err->code;
	db_bind_entry(st, 0, e);
	if (db_exec(st, err) != WL_OK)
		return err->code;
	c->balance_writes++;
	batch_org_moved(c, e->org_id, e->delta_seconds);
	return WL_OK;
}

int
store_ledger_apply_known_pair(struct store_conn *c, const struct store_entry *a,
			      const struct store_entry *b, struct wl_error *err)
{
	struct db_stmt *st;
	bool deferred;

	deferred = batch_org(c, a->org_id) != NULL && batch_org(c, b->org_id) != NULL;
	if (deferred) {
		struct store_entry both[2] = { *a, *b };

		if (batch_defer_entries(c, both, 2)) {
			batch_defer(c, a->org_id, a->delta_seconds);
			batch_defer(c, b->org_id, b->delta_seconds);
			return WL_OK;
		}
	}
	if (!deferred && !db_has(c, Q_LEDGER_APPLY_KNOWN_PAIR))
		return store_ledger_apply_known(c, a, err) != WL_OK
			       ? err->code
			       : store_ledger_apply_known(c, b, err);
	st = db_stmt(c, deferred ? Q_ENTRY_PAIR_DEFERRED : Q_LEDGER_APPLY_KNOWN_PAIR, err);
	if (st == NULL)
		return err->code;
	db_bind_entry(st, 0, a);
	db_bind_entry(st, 6, b);
	if (db_exec(st, err) != WL_OK)
		return err->code;
	if (deferred) {
		/* the entries now, the balances with the batch's others (batch.c) */
		batch_defer(c, a->org_id, a->delta_seconds);
		batch_defer(c, b->org_id, b->delta_seconds);
	} else {
		c->balance_writes += 2;
		batch_org_moved(c, a->org_id, a->delta_seconds);
		batch_org_moved(c, b->org_id, b->delta_seconds);
	}
	return WL_OK;
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

int
store_audit_refs(struct store_conn *c, void (*repeated)(const struct store_audit_ref *, void *),
		 void *arg, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_AUDIT_REFS, err);
	struct store_audit_ref row;
	enum db_step r;

	if (st == NULL)
		return err->code;
	while ((r = db_step(st, err)) == DB_ROW) {
		db_col_text(st, 0, row.org_id, sizeof(row.org_id));
		db_col_text(st, 1, row.reference, sizeof(row.reference));
		row.copies = db_col_int64(st, 2);
		repeated(&row, arg);
	}
	return db_finish(st, r == DB_FAIL ? err->code : WL_OK);
}
