/*
 * whitelabel.c — an agency's whitelabel settings, the slugs it ever used
 * (reserved to it for good) and the custom domains to re-check, written once
 * for both drivers (db.h); the SQL of each dialect is in statements*.c.
 */
#include "store/db.h"

#include <string.h>

static void
read_wl(struct db_stmt *st, void *out)
{
	struct store_whitelabel *w = out;

	db_col_text(st, 0, w->org_id, sizeof(w->org_id));
	db_col_text(st, 1, w->company_name, sizeof(w->company_name));
	db_col_text(st, 2, w->slug, sizeof(w->slug));
	db_col_text(st, 3, w->logo_url, sizeof(w->logo_url));
	db_col_text(st, 4, w->primary_color, sizeof(w->primary_color));
	db_col_text(st, 5, w->accent_color, sizeof(w->accent_color));
	db_col_text(st, 6, w->stripe_publishable_key, sizeof(w->stripe_publishable_key));
	db_col_text(st, 7, w->stripe_secret_key_sealed, sizeof(w->stripe_secret_key_sealed));
	db_col_text(st, 8, w->stripe_secret_mode, sizeof(w->stripe_secret_mode));
	db_col_text(st, 9, w->stripe_product_id, sizeof(w->stripe_product_id));
	db_col_text(st, 10, w->stripe_price_id, sizeof(w->stripe_price_id));
	db_col_text(st, 11, w->stripe_webhook_secret_sealed,
		    sizeof(w->stripe_webhook_secret_sealed));
	w->package_credits = db_col_int64(st, 12);
	w->package_price_cents = db_col_int64(st, 13);
	db_col_text(st, 14, w->package_currency, sizeof(w->package_currency));
	w->active = db_col_bool(st, 15);
	db_col_text(st, 16, w->custom_domain, sizeof(w->custom_domain));
	db_col_text(st, 17, w->domain_status, sizeof(w->domain_status));
	db_col_text(st, 18, w->domain_reason, sizeof(w->domain_reason));
	w->domain_checked_at = db_col_int64(st, 19);
	w->updated_at = db_col_int64(st, 20);
	db_col_text(st, 21, w->domain_token, sizeof(w->domain_token));
	w->domain_claimed_at = db_col_int64(st, 22);
	w->domain_verified_at = db_col_int64(st, 23);
}

/* A whitelabel SELECT with one text parameter: one row or WL_ENOTFOUND. */
static int
one_wl(struct store_conn *c, enum stmt_id id, const char *key, struct store_whitelabel *out,
       struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, id, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, key);
	return db_one(st, read_wl, out, WL_ENOTFOUND, "whitelabel settings not found", err);
}

int
store_wl_get(struct store_conn *c, const char *org_id, bool for_update,
	     struct store_whitelabel *out, struct wl_error *err)
{
	return one_wl(c, for_update ? Q_WL_GET_LOCK : Q_WL_GET, org_id, out, err);
}

int
store_wl_find(struct store_conn *c, const char *slug, const char *domain,
	      struct store_whitelabel *out, struct wl_error *err)
{
	return one_wl(c, slug != NULL ? Q_WL_BY_SLUG : Q_WL_BY_DOMAIN, slug != NULL ? slug : domain,
		      out, err);
}

int
store_slug_owner(struct store_conn *c, const char *slug, char org_id[WL_ID_LEN],
		 struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_SLUG_OWNER, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, slug);
	return db_first_id(st, org_id, err);
}

int
store_wl_domains(struct store_conn *c, const char *after_org_id, int limit,
		 struct store_whitelabel *out, int *n, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_WL_DOMAINS, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, after_org_id);
	db_bind_int64(st, 2, limit);
	return db_rows(st, read_wl, out, sizeof(*out), limit, n, err);
}

/* A slug once used by another org stays that org's: WL_ECONFLICT. The
 * history row of a slug is written in the same transaction that first sets
 * it, and the UNIQUE slug of the whitelabel table orders two orgs racing
 * for a new one. */
static int
slug_free_for(struct store_conn *c, const struct store_whitelabel *w, struct wl_error *err)
{
	char owner[WL_ID_LEN];
	int rc;

	if (w->slug[0] == '\0')
		return WL_OK;
	rc = store_slug_owner(c, w->slug, owner, err);
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
slug_record(struct store_conn *c, const struct store_whitelabel *w, struct wl_error *err)
{
	struct db_stmt *st;

	if (w->slug[0] == '\0')
		return WL_OK;
	if ((st = db_stmt(c, Q_SLUG_RECORD, err)) == NULL)
		return err->code;
	db_bind_text(st, 1, w->slug);
	db_bind_text(st, 2, w->org_id);
	db_bind_int64(st, 3, w->updated_at);
	return db_exec(st, err);
}

int
store_wl_put(struct store_conn *c, const struct store_whitelabel *w, struct wl_error *err)
{
	struct db_stmt *st;
	int rc;

	if ((rc = slug_free_for(c, w, err)) != WL_OK)
		return rc;
	if ((st = db_stmt(c, Q_WL_PUT, err)) == NULL)
		return err->code;
	db_bind_text(st, 1, w->org_id);
	db_bind_text(st, 2, w->company_name);
	db_bind_text(st, 3, w->slug);
	db_bind_text(st, 4, w->logo_url);
	db_bind_text(st, 5, w->primary_color);
	db_bind_text(st, 6, w->accent_color);
	db_bind_text(st, 7, w->stripe_publishable_key);
	db_bind_text(st, 8, w->stripe_secret_key_sealed);
	db_bind_text(st, 9, w->stripe_secret_mode);
	db_bind_text(st, 10, w->stripe_product_id);
	db_bind_text(st, 11, w->stripe_price_id);
	db_bind_text(st, 12, w->stripe_webhook_secret_sealed);
	db_bind_int64(st, 13, w->package_credits);
	db_bind_int64(st, 14, w->package_price_cents);
	db_bind_text(st, 15, w->package_currency);
	db_bind_bool(st, 16, w->active);
	db_bind_text(st, 17, w->custom_domain);
	db_bind_text(st, 18, w->domain_status);
	db_bind_text(st, 19, w->domain_reason);
	db_bind_int64(st, 20, w->domain_checked_at);
	db_bind_int64(st, 21, w->updated_at);
	db_bind_text(st, 22, w->domain_token);
	db_bind_int64(st, 23, w->domain_claimed_at);
	db_bind_int64(st, 24, w->domain_verified_at);
	/* A slug or domain of another org: a unique violation, WL_ECONFLICT. */
	rc = db_exec(st, err);
	if (rc == WL_ECONFLICT)
		return wl_fail(err, WL_ECONFLICT, "slug or custom domain already taken");
	return rc != WL_OK ? rc : slug_record(c, w, err);
}
