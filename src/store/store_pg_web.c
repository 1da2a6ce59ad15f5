/*
 * store_pg_web.c — the PostgreSQL side of what the portal and the dashboard
 * need: whitelabel settings, the users of an agency's client orgs, the
 * organization switcher, dashboard sessions and rate-limit counters. The
 * same answers as store_sqlite.c; the SQL text is in pg_sql.h.
 */
#include "store/store_pg_int.h"

/* ---- whitelabel ------------------------------------------------------------------------ */

static void
read_wl(const PGresult *r, int row, struct store_whitelabel *w)
{
	col_copy(r, row, 0, w->org_id, sizeof(w->org_id));
	col_copy(r, row, 1, w->company_name, sizeof(w->company_name));
	col_copy(r, row, 2, w->slug, sizeof(w->slug));
	col_copy(r, row, 3, w->logo_url, sizeof(w->logo_url));
	col_copy(r, row, 4, w->primary_color, sizeof(w->primary_color));
	col_copy(r, row, 5, w->accent_color, sizeof(w->accent_color));
	col_copy(r, row, 6, w->stripe_publishable_key, sizeof(w->stripe_publishable_key));
	col_copy(r, row, 7, w->stripe_secret_key_sealed, sizeof(w->stripe_secret_key_sealed));
	col_copy(r, row, 8, w->stripe_secret_mode, sizeof(w->stripe_secret_mode));
	col_copy(r, row, 9, w->stripe_product_id, sizeof(w->stripe_product_id));
	col_copy(r, row, 10, w->stripe_price_id, sizeof(w->stripe_price_id));
	col_copy(r, row, 11, w->stripe_webhook_secret_sealed, sizeof(w->stripe_webhook_secret_sealed));
	w->package_credits = col_int(r, row, 12);
	w->package_price_cents = col_int(r, row, 13);
	col_copy(r, row, 14, w->package_currency, sizeof(w->package_currency));
	w->active = col_bool(r, row, 15);
	col_copy(r, row, 16, w->custom_domain, sizeof(w->custom_domain));
	col_copy(r, row, 17, w->domain_status, sizeof(w->domain_status));
	col_copy(r, row, 18, w->domain_reason, sizeof(w->domain_reason));
	w->domain_checked_at = col_int(r, row, 19);
	w->updated_at = col_int(r, row, 20);
	col_copy(r, row, 21, w->domain_token, sizeof(w->domain_token));
	w->domain_claimed_at = col_int(r, row, 22);
	w->domain_verified_at = col_int(r, row, 23);
}

/* Runs a whitelabel SELECT with one text parameter; one row or WL_ENOTFOUND. */
static int
one_wl(struct pg_conn *c, enum stmt_id id, const char *key, struct store_whitelabel *out,
       struct wl_error *err)
{
	struct params p = { 0 };
	PGresult *res;
	int rc = WL_OK;

	p_text(&p, key);
	res = pg_run(c, id, &p, err, "whitelabel");
	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 0)
		rc = wl_fail(err, WL_ENOTFOUND, "whitelabel settings not found");
	else
		read_wl(res, 0, out);
	PQclear(res);
	return rc;
}

int
pg_wl_get(struct store_conn *b, const char *org_id, bool for_update, struct store_whitelabel *out,
	  struct wl_error *err)
{
	return one_wl((struct pg_conn *)b, for_update ? Q_WL_GET_LOCK : Q_WL_GET, org_id, out, err);
}

int
pg_wl_find(struct store_conn *b, const char *slug, const char *domain, struct store_whitelabel *out,
	   struct wl_error *err)
{
	return one_wl((struct pg_conn *)b, slug != NULL ? Q_WL_BY_SLUG : Q_WL_BY_DOMAIN,
		      slug != NULL ? slug : domain, out, err);
}

int
pg_slug_owner(struct store_conn *b, const char *slug, char *org_id, struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, slug);
	return pg_first_id((struct pg_conn *)b, Q_SLUG_OWNER, &p, org_id, err);
}

int
pg_wl_domains(struct store_conn *b, const char *after, int limit, struct store_whitelabel *out,
	      int *n, struct wl_error *err)
{
	struct params p = { 0 };
	PGresult *res;
	int i;

	*n = 0;
	p_text(&p, after != NULL ? after : "");
	p_int(&p, limit);
	res = pg_run((struct pg_conn *)b, Q_WL_DOMAINS, &p, err, "whitelabel");
	if (res == NULL)
		return err->code;
	for (i = 0; i < PQntuples(res) && i < limit; i++)
		read_wl(res, i, &out[i]);
	*n = i;
	PQclear(res);
	return WL_OK;
}

/* A slug once used by another org stays that org's: WL_ECONFLICT. The
 * history row of a slug is written in the same transaction that first sets
 * it, and the UNIQUE slug of the whitelabel table orders two orgs racing
 * for a new one. */
static int
slug_free_for(struct pg_conn *c, const struct store_whitelabel *w, struct wl_error *err)
{
	char owner[WL_ID_LEN];
	int rc;

	if (w->slug[0] == '\0')
		return WL_OK;
	rc = pg_slug_owner(&c->base, w->slug, owner, err);
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
slug_record(struct pg_conn *c, const struct store_whitelabel *w, struct wl_error *err)
{
	struct params p = { 0 };

	if (w->slug[0] == '\0')
		return WL_OK;
	p_text(&p, w->slug);
	p_text(&p, w->org_id);
	p_int(&p, w->updated_at);
	return pg_exec(c, Q_SLUG_RECORD, &p, err, "slug history");
}

int
pg_wl_put(struct store_conn *b, const struct store_whitelabel *w, struct wl_error *err)
{
	struct params p = { 0 };
	int rc;

	if ((rc = slug_free_for((struct pg_conn *)b, w, err)) != WL_OK)
		return rc;
	p_text(&p, w->org_id);
	p_text(&p, w->company_name);
	p_text(&p, w->slug);
	p_text(&p, w->logo_url);
	p_text(&p, w->primary_color);
	p_text(&p, w->accent_color);
	p_text(&p, w->stripe_publishable_key);
	p_text(&p, w->stripe_secret_key_sealed);
	p_text(&p, w->stripe_secret_mode);
	p_text(&p, w->stripe_product_id);
	p_text(&p, w->stripe_price_id);
	p_text(&p, w->stripe_webhook_secret_sealed);
	p_int(&p, w->package_credits);
	p_int(&p, w->package_price_cents);
	p_text(&p, w->package_currency);
	p_bool(&p, w->active);
	p_text(&p, w->custom_domain);
	p_text(&p, w->domain_status);
	p_text(&p, w->domain_reason);
	p_int(&p, w->domain_checked_at);
	p_int(&p, w->updated_at);
	p_text(&p, w->domain_token);
	p_int(&p, w->domain_claimed_at);
	p_int(&p, w->domain_verified_at);
	/* A unique violation (23505) on slug or custom_domain comes back as
	 * WL_ECONFLICT from pg_run's error mapping. */
	rc = pg_exec((struct pg_conn *)b, Q_WL_PUT, &p, err, "whitelabel");
	if (rc == WL_ECONFLICT)
		return wl_fail(err, WL_ECONFLICT, "slug or custom domain already taken");
	if (rc != WL_OK)
		return rc;
	return slug_record((struct pg_conn *)b, w, err);
}

/* ---- users of client orgs, the organization switcher ---------------------------------- */

static void
read_user(const PGresult *r, int i, struct store_user *u)
{
	col_copy(r, i, 0, u->id, sizeof(u->id));
	col_copy(r, i, 1, u->org_id, sizeof(u->org_id));
	col_copy(r, i, 2, u->email, sizeof(u->email));
	col_copy(r, i, 3, u->password_hash, sizeof(u->password_hash));
	u->created_at = col_int(r, i, 4);
}

static int
one_user(struct pg_conn *c, enum stmt_id id, const char *key, struct store_user *out,
	 struct wl_error *err)
{
	struct params p = { 0 };
	PGresult *res;
	int rc = WL_OK;

	p_text(&p, key);
	res = pg_run(c, id, &p, err, "user");
	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 0)
		rc = wl_fail(err, WL_ENOTFOUND, "user not found");
	else
		read_user(res, 0, out);
	PQclear(res);
	return rc;
}

int
pg_user_get(struct store_conn *b, const char *user_id, struct store_user *out, struct wl_error *err)
{
	return one_user((struct pg_conn *)b, Q_USER_GET, user_id, out, err);
}

int
pg_user_by_email(struct store_conn *b, const char *email, struct store_user *out,
		 struct wl_error *err)
{
	return one_user((struct pg_conn *)b, Q_USER_BY_EMAIL, email, out, err);
}

int
pg_client_users(struct store_conn *b, const char *parent_id, int64_t cursor_ms,
		const char *cursor_id, int limit, struct store_client_user *out, int *n,
		struct wl_error *err)
{
	bool after = cursor_id != NULL && cursor_id[0] != '\0';
	struct params p = { 0 };
	PGresult *res;
	int i;

	*n = 0;
	p_text(&p, parent_id);
	/* Without a cursor, start before every row: (-1, ""). */
	p_int(&p, after ? cursor_ms : -1);
	p_text(&p, after ? cursor_id : "");
	p_int(&p, limit);
	res = pg_run((struct pg_conn *)b, Q_CLIENT_USERS, &p, err, "users");
	if (res == NULL)
		return err->code;
	for (i = 0; i < PQntuples(res) && *n < limit; i++) {
		read_user(res, i, &out[*n].user);
		out[*n].balance_seconds = col_int(res, i, 5);
		(*n)++;
	}
	PQclear(res);
	return WL_OK;
}

int
pg_org_children(struct store_conn *b, const char *parent_id, int limit, struct store_org *out,
		int *n, struct wl_error *err)
{
	struct params p = { 0 };
	PGresult *res;
	int i;

	*n = 0;
	p_text(&p, parent_id);
	p_int(&p, limit);
	res = pg_run((struct pg_conn *)b, Q_ORG_CHILDREN, &p, err, "organizations");
	if (res == NULL)
		return err->code;
	for (i = 0; i < PQntuples(res) && *n < limit; i++) {
		struct store_org *o = &out[(*n)++];

		col_copy(res, i, 0, o->id, sizeof(o->id));
		col_copy(res, i, 1, o->name, sizeof(o->name));
		col_copy(res, i, 2, o->parent_id, sizeof(o->parent_id));
		o->balance_seconds = col_int(res, i, 3);
		o->is_demo = col_bool(res, i, 4);
		o->created_at = col_int(res, i, 5);
	}
	PQclear(res);
	return WL_OK;
}

/* ---- sessions and rate limits ------------------------------------------------------------ */

int
pg_session_insert(struct store_conn *b, const unsigned char *hash, const struct store_session *s,
		  struct wl_error *err)
{
	struct pg_conn *c = (struct pg_conn *)b;
	struct params purge = { 0 }, p = { 0 };
	int rc;

	/* Expired sessions go as new ones come: the table stays small. */
	p_int(&purge, s->created_at);
	rc = pg_exec(c, Q_SESSION_PURGE, &purge, err, "session");
	if (rc != WL_OK)
		return rc;
	p_bytes(&p, hash, WL_KEY_HASH_LEN);
	p_text(&p, s->user_id);
	p_text(&p, s->org_id);
	p_text(&p, s->csrf_token);
	p_int(&p, s->created_at);
	p_int(&p, s->expires_at);
	return pg_exec(c, Q_SESSION_INSERT, &p, err, "session");
}

int
pg_session_get(struct store_conn *b, const unsigned char *hash, int64_t now,
	       struct store_session *out, struct wl_error *err)
{
	struct params p = { 0 };
	PGresult *res;
	int rc = WL_OK;

	p_bytes(&p, hash, WL_KEY_HASH_LEN);
	p_int(&p, now);
	res = pg_run((struct pg_conn *)b, Q_SESSION_GET, &p, err, "session");
	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 0) {
		rc = wl_fail(err, WL_EUNAUTHORIZED, "not logged in");
	} else {
		col_copy(res, 0, 0, out->user_id, sizeof(out->user_id));
		col_copy(res, 0, 1, out->org_id, sizeof(out->org_id));
		col_copy(res, 0, 2, out->csrf_token, sizeof(out->csrf_token));
		out->created_at = col_int(res, 0, 3);
		out->expires_at = col_int(res, 0, 4);
	}
	PQclear(res);
	return rc;
}

int
pg_session_delete(struct store_conn *b, const unsigned char *hash, struct wl_error *err)
{
	struct params p = { 0 };

	p_bytes(&p, hash, WL_KEY_HASH_LEN);
	return pg_exec((struct pg_conn *)b, Q_SESSION_DELETE, &p, err, "session");
}

int
pg_login_get(struct store_conn *b, const char *bucket, struct store_login_failures *out,
	     struct wl_error *err)
{
	struct params p = { 0 };
	PGresult *res;

	memset(out, 0, sizeof(*out));
	p_text(&p, bucket);
	res = pg_run((struct pg_conn *)b, Q_LOGIN_GET, &p, err, "log-in failures");
	if (res == NULL)
		return err->code;
	if (PQntuples(res) == 1) {
		out->failures = col_int(res, 0, 0);
		out->last_failed_at = col_int(res, 0, 1);
	}
	PQclear(res);
	return WL_OK;
}

int
pg_login_add(struct store_conn *b, const char *bucket, int64_t delta, int64_t now,
	     int64_t forget_before, struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, bucket);
	p_int(&p, delta);
	p_int(&p, now);
	p_int(&p, forget_before);
	return pg_exec((struct pg_conn *)b, Q_LOGIN_ADD, &p, err, "log-in failures");
}

int
pg_login_clear(struct store_conn *b, const char *bucket, struct wl_error *err)
{
	struct params p = { 0 };

	p_text(&p, bucket);
	return pg_exec((struct pg_conn *)b, Q_LOGIN_CLEAR, &p, err, "log-in failures");
}

int
pg_login_purge(struct store_conn *b, int64_t before, struct wl_error *err)
{
	struct params p = { 0 };

	p_int(&p, before);
	return pg_exec((struct pg_conn *)b, Q_LOGIN_PURGE, &p, err, "log-in failures");
}
