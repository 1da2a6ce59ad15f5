/*
 * store_sqlite_web.c — the SQLite side of what the whitelabel settings and
 * the dashboard store: agency settings, portal users, login sessions and
 * rate-limit counters. The statement texts live with all the others in
 * sqlite_sql.h (by id, enum stmt_id in store_sqlite_int.h); store_sqlite.c
 * prepares them per connection.
 */
#include <stdio.h>
#include <string.h>

#include "store/store_sqlite_int.h"

/* ---- whitelabel, users, sessions, rate limits ----------------------------- */

static void
read_wl(sqlite3_stmt *st, struct store_whitelabel *w)
{
	sq_col_copy(st, 0, w->org_id, sizeof(w->org_id));
	sq_col_copy(st, 1, w->company_name, sizeof(w->company_name));
	sq_col_copy(st, 2, w->slug, sizeof(w->slug));
	sq_col_copy(st, 3, w->logo_url, sizeof(w->logo_url));
	sq_col_copy(st, 4, w->primary_color, sizeof(w->primary_color));
	sq_col_copy(st, 5, w->accent_color, sizeof(w->accent_color));
	sq_col_copy(st, 6, w->stripe_publishable_key, sizeof(w->stripe_publishable_key));
	sq_col_copy(st, 7, w->stripe_secret_key_sealed, sizeof(w->stripe_secret_key_sealed));
	sq_col_copy(st, 8, w->stripe_secret_mode, sizeof(w->stripe_secret_mode));
	sq_col_copy(st, 9, w->stripe_product_id, sizeof(w->stripe_product_id));
	sq_col_copy(st, 10, w->stripe_price_id, sizeof(w->stripe_price_id));
	sq_col_copy(st, 11, w->stripe_webhook_secret_sealed, sizeof(w->stripe_webhook_secret_sealed));
	w->package_credits = sqlite3_column_int64(st, 12);
	w->package_price_cents = sqlite3_column_int64(st, 13);
	sq_col_copy(st, 14, w->package_currency, sizeof(w->package_currency));
	w->active = sqlite3_column_int(st, 15) != 0;
	sq_col_copy(st, 16, w->custom_domain, sizeof(w->custom_domain));
	sq_col_copy(st, 17, w->domain_status, sizeof(w->domain_status));
	sq_col_copy(st, 18, w->domain_reason, sizeof(w->domain_reason));
	w->domain_checked_at = sqlite3_column_int64(st, 19);
	w->updated_at = sqlite3_column_int64(st, 20);
	sq_col_copy(st, 21, w->domain_token, sizeof(w->domain_token));
	w->domain_claimed_at = sqlite3_column_int64(st, 22);
	w->domain_verified_at = sqlite3_column_int64(st, 23);
}

static int
one_wl(struct sq_conn *c, sqlite3_stmt *st, struct store_whitelabel *out, struct wl_error *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		read_wl(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return WL_OK;
	if (rc == SQLITE_DONE)
		return wl_fail(err, WL_ENOTFOUND, "whitelabel settings not found");
	return sq_err(c->db, rc, err, "whitelabel");
}

int
sq_wl_get(struct store_conn *b, const char *org_id, bool for_update, struct store_whitelabel *out,
	  struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_WL_GET, err);

	(void)for_update;
	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, org_id);
	return one_wl(c, st, out, err);
}

int
sq_wl_find(struct store_conn *b, const char *slug, const char *domain, struct store_whitelabel *out,
	   struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, slug != NULL ? Q_WL_BY_SLUG : Q_WL_BY_DOMAIN, err);

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, slug != NULL ? slug : domain);
	return one_wl(c, st, out, err);
}

/* A slug once used by another org stays that org's: WL_ECONFLICT. */
static int
slug_free_for(struct sq_conn *c, const struct store_whitelabel *w, struct wl_error *err)
{
	char owner[WL_ID_LEN];
	int rc;

	if (w->slug[0] == '\0')
		return WL_OK;
	rc = sq_slug_owner(&c->base, w->slug, owner, err);
	if (rc == WL_ENOTFOUND) {
		wl_error_clear(err);
		return WL_OK;
	}
	if (rc != WL_OK)
		return rc;
	if (strcmp(owner, w->org_id) != 0)
		return wl_fail(err, WL_ECONFLICT, "slug already used by another portal");
	return WL_OK;
}

static int
slug_record(struct sq_conn *c, const struct store_whitelabel *w, struct wl_error *err)
{
	sqlite3_stmt *st;

	if (w->slug[0] == '\0')
		return WL_OK;
	if ((st = sq_stmt(c, Q_SLUG_RECORD, err)) == NULL)
		return err->code;
	sq_bind_text(st, 1, w->slug);
	sq_bind_text(st, 2, w->org_id);
	sqlite3_bind_int64(st, 3, w->updated_at);
	return sq_exec(c, st, err, "slug history");
}

int
sq_slug_owner(struct store_conn *b, const char *slug, char *org_id, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_SLUG_OWNER, err);

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, slug);
	return sq_first_id(c, st, org_id, err);
}

int
sq_wl_domains(struct store_conn *b, const char *after, int limit, struct store_whitelabel *out,
	      int *n, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_WL_DOMAINS, err);
	int rc = SQLITE_DONE;

	*n = 0;
	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, after != NULL ? after : "");
	sqlite3_bind_int(st, 2, limit);
	while (*n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_wl(st, &out[(*n)++]);
	if (*n >= limit)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? WL_OK : sq_err(c->db, rc, err, "whitelabel");
}

int
sq_wl_put(struct store_conn *b, const struct store_whitelabel *w, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st;
	int rc;

	if ((rc = slug_free_for(c, w, err)) != WL_OK)
		return rc;
	if ((st = sq_stmt(c, Q_WL_PUT, err)) == NULL)
		return err->code;
	sq_bind_text(st, 1, w->org_id);
	sq_bind_text(st, 2, w->company_name);
	sq_bind_text(st, 3, w->slug);
	sq_bind_text(st, 4, w->logo_url);
	sq_bind_text(st, 5, w->primary_color);
	sq_bind_text(st, 6, w->accent_color);
	sq_bind_text(st, 7, w->stripe_publishable_key);
	sq_bind_text(st, 8, w->stripe_secret_key_sealed);
	sq_bind_text(st, 9, w->stripe_secret_mode);
	sq_bind_text(st, 10, w->stripe_product_id);
	sq_bind_text(st, 11, w->stripe_price_id);
	sq_bind_text(st, 12, w->stripe_webhook_secret_sealed);
	sqlite3_bind_int64(st, 13, w->package_credits);
	sqlite3_bind_int64(st, 14, w->package_price_cents);
	sq_bind_text(st, 15, w->package_currency);
	sqlite3_bind_int(st, 16, w->active ? 1 : 0);
	sq_bind_text(st, 17, w->custom_domain);
	sq_bind_text(st, 18, w->domain_status);
	sq_bind_text(st, 19, w->domain_reason);
	sqlite3_bind_int64(st, 20, w->domain_checked_at);
	sqlite3_bind_int64(st, 21, w->updated_at);
	sq_bind_text(st, 22, w->domain_token);
	sqlite3_bind_int64(st, 23, w->domain_claimed_at);
	sqlite3_bind_int64(st, 24, w->domain_verified_at);
	rc = sq_exec(c, st, err, "whitelabel");
	if (rc == WL_ECONFLICT)
		return wl_fail(err, WL_ECONFLICT, "slug or custom domain already taken");
	if (rc != WL_OK)
		return rc;
	return slug_record(c, w, err);
}

static void
read_user(sqlite3_stmt *st, struct store_user *u)
{
	sq_col_copy(st, 0, u->id, sizeof(u->id));
	sq_col_copy(st, 1, u->org_id, sizeof(u->org_id));
	sq_col_copy(st, 2, u->email, sizeof(u->email));
	sq_col_copy(st, 3, u->password_hash, sizeof(u->password_hash));
	u->created_at = sqlite3_column_int64(st, 4);
}

static int
one_user(struct sq_conn *c, enum stmt_id id, const char *key, struct store_user *out,
	 struct wl_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, id, err);
	int rc;

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_user(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return WL_OK;
	if (rc == SQLITE_DONE)
		return wl_fail(err, WL_ENOTFOUND, "user not found");
	return sq_err(c->db, rc, err, "user");
}

int
sq_user_get(struct store_conn *b, const char *user_id, struct store_user *out, struct wl_error *err)
{
	return one_user((struct sq_conn *)b, Q_USER_GET, user_id, out, err);
}

int
sq_user_by_email(struct store_conn *b, const char *email, struct store_user *out,
		 struct wl_error *err)
{
	return one_user((struct sq_conn *)b, Q_USER_BY_EMAIL, email, out, err);
}

int
sq_client_users(struct store_conn *b, const char *parent_id, int64_t cursor_ms,
		const char *cursor_id, int limit, struct store_client_user *out, int *n,
		struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_CLIENT_USERS, err);
	bool after = cursor_id != NULL && cursor_id[0] != '\0';
	int rc = SQLITE_DONE;

	*n = 0;
	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, parent_id);
	sqlite3_bind_int64(st, 2, after ? cursor_ms : -1);
	sq_bind_text(st, 3, after ? cursor_id : "");
	sqlite3_bind_int(st, 4, limit);
	while (*n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_user(st, &out[*n].user);
		out[*n].balance_seconds = sqlite3_column_int64(st, 5);
		(*n)++;
	}
	if (*n >= limit)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? WL_OK : sq_err(c->db, rc, err, "users");
}

int
sq_org_children(struct store_conn *b, const char *parent_id, int limit, struct store_org *out,
		int *n, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_ORG_CHILDREN, err);
	int rc = SQLITE_DONE;

	*n = 0;
	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, parent_id);
	sqlite3_bind_int(st, 2, limit);
	while (*n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_org *o = &out[(*n)++];

		sq_col_copy(st, 0, o->id, sizeof(o->id));
		sq_col_copy(st, 1, o->name, sizeof(o->name));
		sq_col_copy(st, 2, o->parent_id, sizeof(o->parent_id));
		o->balance_seconds = sqlite3_column_int64(st, 3);
		o->is_demo = sqlite3_column_int(st, 4) != 0;
		o->created_at = sqlite3_column_int64(st, 5);
	}
	if (*n >= limit)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? WL_OK : sq_err(c->db, rc, err, "organizations");
}

int
sq_session_insert(struct store_conn *b, const unsigned char *hash, const struct store_session *s,
		  struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st;
	int rc;

	/* Expired sessions go as new ones come: the table stays small. */
	if ((st = sq_stmt(c, Q_SESSION_PURGE, err)) == NULL)
		return err->code;
	sqlite3_bind_int64(st, 1, s->created_at);
	if ((rc = sq_exec(c, st, err, "session")) != WL_OK)
		return rc;
	if ((st = sq_stmt(c, Q_SESSION_INSERT, err)) == NULL)
		return err->code;
	sqlite3_bind_blob(st, 1, hash, WL_KEY_HASH_LEN, SQLITE_STATIC);
	sq_bind_text(st, 2, s->user_id);
	sq_bind_text(st, 3, s->org_id);
	sq_bind_text(st, 4, s->csrf_token);
	sqlite3_bind_int64(st, 5, s->created_at);
	sqlite3_bind_int64(st, 6, s->expires_at);
	return sq_exec(c, st, err, "session");
}

int
sq_session_get(struct store_conn *b, const unsigned char *hash, int64_t now,
	       struct store_session *out, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_SESSION_GET, err);
	int rc;

	if (st == NULL)
		return err->code;
	sqlite3_bind_blob(st, 1, hash, WL_KEY_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		sq_col_copy(st, 0, out->user_id, sizeof(out->user_id));
		sq_col_copy(st, 1, out->org_id, sizeof(out->org_id));
		sq_col_copy(st, 2, out->csrf_token, sizeof(out->csrf_token));
		out->created_at = sqlite3_column_int64(st, 3);
		out->expires_at = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return WL_OK;
	if (rc == SQLITE_DONE)
		return wl_fail(err, WL_EUNAUTHORIZED, "not logged in");
	return sq_err(c->db, rc, err, "session");
}

int
sq_session_delete(struct store_conn *b, const unsigned char *hash, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_SESSION_DELETE, err);

	if (st == NULL)
		return err->code;
	sqlite3_bind_blob(st, 1, hash, WL_KEY_HASH_LEN, SQLITE_STATIC);
	return sq_exec(c, st, err, "session");
}

int
sq_login_get(struct store_conn *b, const char *bucket, struct store_login_failures *out,
	     struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_LOGIN_GET, err);
	int rc;

	if (st == NULL)
		return err->code;
	memset(out, 0, sizeof(*out));
	sq_bind_text(st, 1, bucket);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->failures = sqlite3_column_int64(st, 0);
		out->last_failed_at = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? WL_OK : sq_err(c->db, rc, err, "log-in failures");
}

int
sq_login_add(struct store_conn *b, const char *bucket, int64_t delta, int64_t now,
	     int64_t forget_before, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_LOGIN_ADD, err);

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, bucket);
	sqlite3_bind_int64(st, 2, delta);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, forget_before);
	return sq_exec(c, st, err, "log-in failures");
}

int
sq_login_clear(struct store_conn *b, const char *bucket, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_LOGIN_CLEAR, err);

	if (st == NULL)
		return err->code;
	sq_bind_text(st, 1, bucket);
	return sq_exec(c, st, err, "log-in failures");
}

int
sq_login_purge(struct store_conn *b, int64_t before, struct wl_error *err)
{
	struct sq_conn *c = (struct sq_conn *)b;
	sqlite3_stmt *st = sq_stmt(c, Q_LOGIN_PURGE, err);

	if (st == NULL)
		return err->code;
	sqlite3_bind_int64(st, 1, before);
	return sq_exec(c, st, err, "log-in failures");
}
