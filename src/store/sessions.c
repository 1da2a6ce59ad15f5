/*
 * sessions.c — dashboard log-in sessions and failed log-in counts, written
 * once for both drivers (db.h); the SQL of each dialect is in statements*.c.
 */
#include "store/db.h"

#include <string.h>

int
store_session_insert(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
		     const struct store_session *s, struct wl_error *err)
{
	struct db_stmt *st;

	/* Expired sessions go as new sessions come: the table stays small. */
	if (db_run_int64(c, Q_SESSION_PURGE, s->created_at, err) != WL_OK)
		return err->code;
	if ((st = db_stmt(c, Q_SESSION_INSERT, err)) == NULL)
		return err->code;
	db_bind_blob(st, 1, hash, WL_KEY_HASH_LEN);
	db_bind_text(st, 2, s->user_id);
	db_bind_text(st, 3, s->org_id);
	db_bind_text(st, 4, s->csrf_token);
	db_bind_int64(st, 5, s->created_at);
	db_bind_int64(st, 6, s->expires_at);
	return db_exec(st, err);
}

static void
read_session(struct db_stmt *st, void *out)
{
	struct store_session *s = out;

	db_col_text(st, 0, s->user_id, sizeof(s->user_id));
	db_col_text(st, 1, s->org_id, sizeof(s->org_id));
	db_col_text(st, 2, s->csrf_token, sizeof(s->csrf_token));
	s->created_at = db_col_int64(st, 3);
	s->expires_at = db_col_int64(st, 4);
}

int
store_session_get(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN], int64_t now,
		  struct store_session *out, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_SESSION_GET, err);

	if (st == NULL)
		return err->code;
	db_bind_blob(st, 1, hash, WL_KEY_HASH_LEN);
	db_bind_int64(st, 2, now);
	return db_one(st, read_session, out, WL_EUNAUTHORIZED, "not logged in", err);
}

int
store_session_delete(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
		     struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_SESSION_DELETE, err);

	if (st == NULL)
		return err->code;
	db_bind_blob(st, 1, hash, WL_KEY_HASH_LEN);
	return db_exec(st, err);
}

static void
read_failures(struct db_stmt *st, void *out)
{
	struct store_login_failures *f = out;

	f->failures = db_col_int64(st, 0);
	f->last_failed_at = db_col_int64(st, 1);
}

int
store_login_failures_get(struct store_conn *c, const char *bucket, struct store_login_failures *out,
			 struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_LOGIN_GET, err);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, bucket);
	rc = db_one(st, read_failures, out, WL_ENOTFOUND, "no failures", err);
	if (rc == WL_ENOTFOUND) {
		/* no row: no failures counted */
		wl_error_clear(err);
		memset(out, 0, sizeof(*out));
		return WL_OK;
	}
	return rc;
}

int
store_login_failures_add(struct store_conn *c, const char *bucket, int64_t delta, int64_t now,
			 int64_t forget_before, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_LOGIN_ADD, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, bucket);
	db_bind_int64(st, 2, delta);
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, forget_before);
	return db_exec(st, err);
}

int
store_login_failures_clear(struct store_conn *c, const char *bucket, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_LOGIN_CLEAR, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, bucket);
	return db_exec(st, err);
}

int
store_login_failures_purge(struct store_conn *c, int64_t before, struct wl_error *err)
{
	return db_run_int64(c, Q_LOGIN_PURGE, before, err);
}
