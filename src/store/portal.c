/*
 * portal.c — the client portal's rows, written once for both drivers
 * (db.h): its users' verification and last log-in, portal sessions (apart
 * from the dashboard's, each tied to one agency), the single-use tokens it
 * mails (only their hashes), a client's API keys and its ledger history.
 * The SQL of each dialect is in statements*.c.
 */
#include "store/db.h"

#include <string.h>

static void
read_portal_user(struct db_stmt *st, void *out)
{
	struct store_portal_user *p = out;

	db_col_text(st, 0, p->user.id, sizeof(p->user.id));
	db_col_text(st, 1, p->user.org_id, sizeof(p->user.org_id));
	db_col_text(st, 2, p->user.email, sizeof(p->user.email));
	db_col_text(st, 3, p->user.password_hash, sizeof(p->user.password_hash));
	p->user.created_at = db_col_int64(st, 4);
	p->verified_at = db_col_int64(st, 5);
	p->last_login_at = db_col_int64(st, 6);
	db_col_text(st, 7, p->agency_id, sizeof(p->agency_id));
}

static int
one_portal_user(struct store_conn *c, enum stmt_id id, const char *key,
		struct store_portal_user *out, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, id, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, key);
	return db_one(st, read_portal_user, out, WL_ENOTFOUND, "user not found", err);
}

int
store_portal_user_get(struct store_conn *c, const char *user_id, struct store_portal_user *out,
		      struct wl_error *err)
{
	return one_portal_user(c, Q_PUSER_GET, user_id, out, err);
}

int
store_portal_user_by_email(struct store_conn *c, const char *email, struct store_portal_user *out,
			   struct wl_error *err)
{
	return one_portal_user(c, Q_PUSER_BY_EMAIL, email, out, err);
}

/* A statement of an id and one more value, run for its effect. */
static int
set_int(struct store_conn *c, enum stmt_id id, const char *key, int64_t v, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, id, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, key);
	db_bind_int64(st, 2, v);
	return db_exec(st, err);
}

int
store_portal_user_verified(struct store_conn *c, const char *user_id, int64_t now,
			   struct wl_error *err)
{
	return set_int(c, Q_PUSER_VERIFIED, user_id, now, err);
}

int
store_portal_user_login(struct store_conn *c, const char *user_id, int64_t now,
			struct wl_error *err)
{
	return set_int(c, Q_PUSER_LOGIN, user_id, now, err);
}

int
store_portal_user_password(struct store_conn *c, const char *user_id, const char *hash,
			   struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_PUSER_PASSWORD, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, user_id);
	db_bind_text(st, 2, hash);
	return db_exec(st, err);
}

/* ---- sessions ----------------------------------------------------------------------- */

static int
by_hash(struct store_conn *c, enum stmt_id id, const unsigned char hash[WL_KEY_HASH_LEN],
	struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, id, err);

	if (st == NULL)
		return err->code;
	db_bind_blob(st, 1, hash, WL_KEY_HASH_LEN);
	return db_exec(st, err);
}

int
store_portal_session_insert(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
			    const struct store_portal_session *s, struct wl_error *err)
{
	struct db_stmt *st;

	if (db_run_int64(c, Q_PSESSION_PURGE, s->created_at, err) != WL_OK)
		return err->code;
	if ((st = db_stmt(c, Q_PSESSION_INSERT, err)) == NULL)
		return err->code;
	db_bind_blob(st, 1, hash, WL_KEY_HASH_LEN);
	db_bind_text(st, 2, s->user_id);
	db_bind_text(st, 3, s->org_id);
	db_bind_text(st, 4, s->agency_id);
	db_bind_text(st, 5, s->csrf_token);
	db_bind_int64(st, 6, s->created_at);
	db_bind_int64(st, 7, s->expires_at);
	return db_exec(st, err);
}

static void
read_session(struct db_stmt *st, void *out)
{
	struct store_portal_session *s = out;

	db_col_text(st, 0, s->user_id, sizeof(s->user_id));
	db_col_text(st, 1, s->org_id, sizeof(s->org_id));
	db_col_text(st, 2, s->agency_id, sizeof(s->agency_id));
	db_col_text(st, 3, s->csrf_token, sizeof(s->csrf_token));
	s->created_at = db_col_int64(st, 4);
	s->expires_at = db_col_int64(st, 5);
}

int
store_portal_session_get(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
			 int64_t now, struct store_portal_session *out, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_PSESSION_GET, err);

	if (st == NULL)
		return err->code;
	db_bind_blob(st, 1, hash, WL_KEY_HASH_LEN);
	db_bind_int64(st, 2, now);
	return db_one(st, read_session, out, WL_EUNAUTHORIZED, "no such session", err);
}

int
store_portal_session_delete(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
			    struct wl_error *err)
{
	return by_hash(c, Q_PSESSION_DELETE, hash, err);
}

int
store_portal_sessions_end(struct store_conn *c, const char *user_id,
			  const unsigned char keep[WL_KEY_HASH_LEN], struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_PSESSION_DELETE_USER, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, user_id);
	db_bind_blob(st, 2, keep, WL_KEY_HASH_LEN);
	return db_exec(st, err);
}

/* ---- mailed tokens --------------------------------------------------------------------- */

int
store_portal_token_insert(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
			  const char *purpose, const char *user_id, int64_t now, int64_t expires_at,
			  struct wl_error *err)
{
	struct db_stmt *st;

	if (db_run_int64(c, Q_PTOKEN_PURGE, now, err) != WL_OK)
		return err->code;
	if ((st = db_stmt(c, Q_PTOKEN_INSERT, err)) == NULL)
		return err->code;
	db_bind_blob(st, 1, hash, WL_KEY_HASH_LEN);
	db_bind_text(st, 2, purpose);
	db_bind_text(st, 3, user_id);
	db_bind_int64(st, 4, now);
	db_bind_int64(st, 5, expires_at);
	return db_exec(st, err);
}

int
store_portal_tokens_recent(struct store_conn *c, const char *user_id, const char *purpose,
			   int64_t since, int64_t *n, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_PTOKEN_RECENT, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, user_id);
	db_bind_text(st, 2, purpose);
	db_bind_int64(st, 3, since);
	return db_one(st, db_read_int64, n, WL_EINTERNAL, "mailed tokens: no count", err);
}

struct token_row {
	char user_id[WL_ID_LEN];
	int64_t expires_at;
	int64_t used_at;
};

static void
read_token(struct db_stmt *st, void *out)
{
	struct token_row *t = out;

	db_col_text(st, 0, t->user_id, sizeof(t->user_id));
	t->expires_at = db_col_int64(st, 1);
	t->used_at = db_col_int64(st, 2);
}

int
store_portal_token_use(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN],
		       const char *purpose, int64_t now, char user_id[WL_ID_LEN],
		       struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_PTOKEN_GET, err);
	struct token_row t;
	int rc;

	if (st == NULL)
		return err->code;
	db_bind_blob(st, 1, hash, WL_KEY_HASH_LEN);
	db_bind_text(st, 2, purpose);
	rc = db_one(st, read_token, &t, WL_ENOTFOUND, "unknown link", err);
	if (rc != WL_OK)
		return rc;
	if (t.used_at != 0 || t.expires_at <= now)
		return wl_fail(err, WL_ENOTFOUND, "link used or expired");
	if ((st = db_stmt(c, Q_PTOKEN_USE, err)) == NULL)
		return err->code;
	db_bind_text(st, 1, t.user_id);
	db_bind_text(st, 2, purpose);
	db_bind_int64(st, 3, now);
	if ((rc = db_exec(st, err)) != WL_OK)
		return rc;
	memcpy(user_id, t.user_id, WL_ID_LEN);
	return WL_OK;
}

/* ---- a client's API keys and history ------------------------------------------------ */

static void
read_key(struct db_stmt *st, void *out)
{
	struct store_apikey_row *k = out;

	db_col_text(st, 0, k->id, sizeof(k->id));
	db_col_text(st, 1, k->label, sizeof(k->label));
	k->created_at = db_col_int64(st, 2);
	k->last_used_at = db_col_int64(st, 3);
	k->revoked_at = db_col_int64(st, 4);
}

int
store_apikey_list(struct store_conn *c, const char *org_id, int limit, struct store_apikey_row *out,
		  int *n, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_KEY_LIST, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	db_bind_int64(st, 2, limit);
	return db_rows(st, read_key, out, sizeof(*out), limit, n, err);
}

int
store_apikey_page(struct store_conn *c, const char *org_id, int64_t cursor_ms,
		  const char *cursor_id, int limit, struct store_apikey_row *out, int *n,
		  struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_KEY_PAGE, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	db_bind_int64(st, 2, cursor_ms);
	db_bind_text(st, 3, cursor_id);
	db_bind_int64(st, 4, limit);
	return db_rows(st, read_key, out, sizeof(*out), limit, n, err);
}

int
store_apikey_get(struct store_conn *c, const char *org_id, const char *key_id,
		 struct store_apikey_row *out, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_KEY_GET, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, key_id);
	db_bind_text(st, 2, org_id);
	return db_one(st, read_key, out, WL_ENOTFOUND, "no such API key", err);
}

int
store_apikey_revoke(struct store_conn *c, const char *org_id, const char *key_id, int64_t now,
		    struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_KEY_REVOKE_ID, err);
	int rc;

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, key_id);
	db_bind_text(st, 2, org_id);
	db_bind_int64(st, 3, now);
	if (db_step(st, err) == DB_FAIL)
		return db_finish(st, err->code);
	rc = db_changes(st) == 1 ? WL_OK : wl_fail(err, WL_ENOTFOUND, "no such API key");
	return db_finish(st, rc);
}

int
store_apikey_count_active(struct store_conn *c, const char *org_id, int64_t *n,
			  struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_KEY_COUNT_ACTIVE, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	return db_one(st, db_read_int64, n, WL_EINTERNAL, "no count", err);
}

int
store_apikey_touch(struct store_conn *c, const unsigned char hash[WL_KEY_HASH_LEN], int64_t now,
		   int64_t not_before, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_KEY_TOUCH, err);

	if (st == NULL)
		return err->code;
	db_bind_blob(st, 1, hash, WL_KEY_HASH_LEN);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, not_before);
	return db_exec(st, err);
}

static void
read_ledger(struct db_stmt *st, void *out)
{
	struct store_ledger_row *r = out;

	r->delta_seconds = db_col_int64(st, 0);
	db_col_text(st, 1, r->kind, sizeof(r->kind));
	db_col_text(st, 2, r->reference, sizeof(r->reference));
	db_col_text(st, 3, r->description, sizeof(r->description));
	r->created_at = db_col_int64(st, 4);
}

int
store_ledger_list(struct store_conn *c, const char *org_id, int limit, struct store_ledger_row *out,
		  int *n, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_LEDGER_LIST_ORG, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	db_bind_int64(st, 2, limit);
	return db_rows(st, read_ledger, out, sizeof(*out), limit, n, err);
}
