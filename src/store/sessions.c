/*
 * sessions.c — dashboard log-in sessions and rate-limit counters, written
 * once for both drivers (db.h); the SQL of each dialect is in statements.c.
 */
#include "store/db.h"

/* Runs a DELETE of what expired at `now`. */
static int
purge(struct store_conn *c, enum stmt_id id, int64_t now, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, id, err);

	if (st == NULL)
		return err->code;
	db_bind_int64(st, 1, now);
	return db_exec(st, err);
}

int
store_session_insert(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
		     const struct store_session *s, struct wl_error *err)
{
	struct db_stmt *st;

	/* Expired sessions and counters go as new sessions come: the tables
	 * stay small. */
	if (purge(c, Q_SESSION_PURGE, s->created_at, err) != WL_OK ||
	    purge(c, Q_RATE_PURGE, s->created_at, err) != WL_OK)
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
read_hits(struct db_stmt *st, void *out)
{
	*(int64_t *)out = db_col_int64(st, 0);
}

int
store_rate_hit(struct store_conn *c, const char *bucket, int64_t window_ms, int64_t now,
	       int64_t *hits, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_RATE_HIT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, bucket);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, window_ms);
	return db_one(st, read_hits, hits, WL_EINTERNAL, "rate limit: no row returned", err);
}
