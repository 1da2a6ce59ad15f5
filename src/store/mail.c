/*
 * mail.c — the durable outbox of e-mails (services/mail_outbox.c owns what
 * it means), written once for both drivers (db.h). A mail row is written in
 * the same transaction as its cause; a sender claims it for a while before
 * sending, so two instances do not send it both; once sent or given up its
 * (sealed) body is dropped.
 */
#include "store/db.h"

#include <string.h>

int
store_mail_insert(struct store_conn *c, const struct store_mail *m, int64_t now,
		  struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_MAIL_INSERT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, m->id);
	db_bind_text(st, 2, m->agency_id);
	db_bind_text(st, 3, m->kind);
	db_bind_text(st, 4, m->to_addr);
	db_bind_text(st, 5, m->from_name);
	db_bind_text(st, 6, m->subject);
	db_bind_text(st, 7, m->body_sealed);
	db_bind_int64(st, 8, now);
	return db_exec(st, err);
}

static void
read_id(struct db_stmt *st, void *out)
{
	db_col_text(st, 0, out, WL_ID_LEN);
}

int
store_mail_due(struct store_conn *c, int64_t now, int limit, char (*ids)[WL_ID_LEN], int *n,
	       struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_MAIL_DUE, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, limit);
	return db_rows(st, read_id, ids, WL_ID_LEN, limit, n, err);
}

int
store_mail_claim(struct store_conn *c, const char *id, int64_t now, int64_t lease_until,
		 struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_MAIL_CLAIM, err);
	int rc;

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, lease_until);
	if (db_step(st, err) == DB_FAIL)
		return db_finish(st, err->code);
	rc = db_changes(st) == 1 ? WL_OK : wl_fail(err, WL_ENOTFOUND, "mail no longer due");
	return db_finish(st, rc);
}

static void
read_mail(struct db_stmt *st, void *out)
{
	struct store_mail *m = out;

	db_col_text(st, 0, m->id, sizeof(m->id));
	db_col_text(st, 1, m->agency_id, sizeof(m->agency_id));
	db_col_text(st, 2, m->kind, sizeof(m->kind));
	db_col_text(st, 3, m->to_addr, sizeof(m->to_addr));
	db_col_text(st, 4, m->from_name, sizeof(m->from_name));
	db_col_text(st, 5, m->subject, sizeof(m->subject));
	db_col_text(st, 6, m->body_sealed, m->body_sealed_size);
	db_col_text(st, 7, m->status, sizeof(m->status));
	m->attempts = db_col_int64(st, 8);
}

int
store_mail_get(struct store_conn *c, const char *id, struct store_mail *out, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_MAIL_GET, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	return db_one(st, read_mail, out, WL_ENOTFOUND, "mail not found", err);
}

int
store_mail_sent(struct store_conn *c, const char *id, int64_t now, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_MAIL_SENT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_int64(st, 2, now);
	return db_exec(st, err);
}

int
store_mail_retry(struct store_conn *c, const char *id, int64_t next_at, const char *error,
		 struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_MAIL_RETRY, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_int64(st, 2, next_at);
	db_bind_text(st, 3, error);
	return db_exec(st, err);
}

int
store_mail_failed(struct store_conn *c, const char *id, const char *error, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_MAIL_FAIL, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, error);
	return db_exec(st, err);
}
