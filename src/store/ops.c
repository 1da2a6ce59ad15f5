/*
 * ops.c — the figures /metrics reads from the database at a scrape: calls
 * still open, mails waiting in the outbox and mails given up. Written once
 * for both drivers (db.h); the SQL is in statements*.c.
 */
#include "store/db.h"

int
store_ops_counts(struct store_conn *c, struct store_ops_counts *out, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_OPS_OPEN_CALLS, err);

	if (st == NULL)
		return err->code;
	switch (db_step(st, err)) {
	case DB_ROW: out->open_calls = db_col_int64(st, 0); break;
	case DB_DONE: out->open_calls = 0; break;
	default: return db_finish(st, err->code);
	}
	db_finish(st, WL_OK);
	if ((st = db_stmt(c, Q_OPS_MAIL_WAITING, err)) == NULL)
		return err->code;
	switch (db_step(st, err)) {
	case DB_ROW:
		out->mail_queued = db_col_int64(st, 0);
		out->mail_failed = db_col_int64(st, 1);
		return db_finish(st, WL_OK);
	case DB_DONE: out->mail_queued = out->mail_failed = 0; return db_finish(st, WL_OK);
	default: return db_finish(st, err->code);
	}
}
