/*
 * purchases.c — Buy Credits (the Checkout Session with the agency's key,
 * the pending purchase), what the success page shows, and the agency's
 * purchases and Stripe events lists. Crediting is stripe_events.c.
 */
#include "services/purchases.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "log.h"
#include "services/ids.h"
#include "services/secrets.h"
#include "services/whitelabel.h"

/* The Idempotency-Key: one per Buy form shown (the attempt), tied to the
 * client org so no other org can replay it. */
static void
idempotency_key(const struct purchase_checkout *p, char out[80])
{
	unsigned char digest[crypto_generichash_BYTES_MIN];
	char attempt[WL_ID_LEN], hex[2 * sizeof(digest) + 1];
	const char *a = p->attempt;

	if (a[0] == '\0') {
		ids_new_uuid(attempt);
		a = attempt;
	}
	crypto_generichash(digest, sizeof(digest), (const unsigned char *)a, strlen(a),
			   (const unsigned char *)p->org_id, strlen(p->org_id));
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	snprintf(out, 80, "wlportal-buy-%s", hex);
}

static int
sellable(const struct store_whitelabel *wl, struct wl_error *err)
{
	if (!wl->active || wl->slug[0] == '\0')
		return wl_fail(err, WL_ENOTFOUND, "This portal is not open for purchases");
	if (wl->package_credits <= 0 || wl->package_price_cents <= 0 ||
	    wl->stripe_price_id[0] == '\0' || wl->stripe_secret_key_sealed[0] == '\0')
		return wl_fail(err, WL_ENOTFOUND, "This portal has no package on sale");
	return WL_OK;
}

/* The user must be of the buying org; Stripe prefills its address. */
static int
buyer(struct store_conn *c, struct purchase_checkout *p, struct wl_error *err)
{
	struct store_user u;
	int rc = store_user_get(c, p->user_id, &u, err);

	if (rc == WL_ENOTFOUND || (rc == WL_OK && strcmp(u.org_id, p->org_id) != 0))
		return wl_fail(err, WL_EFORBIDDEN, "This account cannot buy for that organization");
	if (rc != WL_OK)
		return rc;
	if (p->email[0] == '\0')
		snprintf(p->email, sizeof(p->email), "%s", u.email);
	return WL_OK;
}

static int
create_session(const struct wl_app *app, const struct store_whitelabel *wl,
	       struct purchase_checkout *p, const char *key, struct wl_error *err)
{
	struct stripe_api api = { app->stripe_api[0] ? app->stripe_api : NULL, 0, 0 };
	struct stripe_checkout req;
	char origin[600], success[640], cancel[640], idem[80];

	if (p->origin[0] != '\0')
		snprintf(origin, sizeof(origin), "%s", p->origin);
	else
		whitelabel_portal_url(app, wl->slug, origin, sizeof(origin));
	snprintf(success, sizeof(success), "%s/success", origin);
	snprintf(cancel, sizeof(cancel), "%s/", origin);
	idempotency_key(p, idem);
	memset(&req, 0, sizeof(req));
	req.price_id = wl->stripe_price_id;
	req.success_url = success;
	req.cancel_url = cancel;
	req.client_reference_id = p->org_id;
	req.org_id = p->org_id;
	req.user_id = p->user_id;
	req.customer_email = p->email;
	return stripe_session_create(&api, key, &req, idem, &p->session, &p->detail, err);
}

int
purchases_checkout_start(struct store_conn *c, const struct wl_app *app,
			 struct purchase_checkout *p, struct wl_error *err)
{
	struct store_whitelabel wl;
	char *key = NULL;
	int rc;

	if ((rc = whitelabel_load(c, p->agency_id, &wl, err)) != WL_OK ||
	    (rc = sellable(&wl, err)) != WL_OK || (rc = buyer(c, p, err)) != WL_OK)
		return rc;
	if (secrets_open(app->master_key, wl.stripe_secret_key_sealed, &key, err) != WL_OK)
		return wl_fail(err, WL_EINTERNAL, "The portal's Stripe key cannot be read");
	rc = create_session(app, &wl, p, key, err);
	secrets_free(key);
	if (rc != WL_OK) {
		/* err never holds the key (stripe_client.h) */
		wl_log("stripe checkout: agency %s org %s: %s (http %ld, %s)", p->agency_id,
		       p->org_id, err->message, p->detail.http_status,
		       p->detail.code[0] ? p->detail.code : "-");
		return rc;
	}
	if (strlen(p->session.id) > WL_STRIPE_ID_MAX)
		return wl_fail(err, WL_EUNAVAILABLE,
			       "Stripe answered a session id too long to keep");
	memset(&p->purchase, 0, sizeof(p->purchase));
	ids_new_uuid(p->purchase.id);
	memcpy(p->purchase.agency_id, p->agency_id, WL_ID_LEN);
	memcpy(p->purchase.org_id, p->org_id, WL_ID_LEN);
	memcpy(p->purchase.user_id, p->user_id, WL_ID_LEN);
	snprintf(p->purchase.session_id, sizeof(p->purchase.session_id), "%.200s", p->session.id);
	p->purchase.credits = wl.package_credits;
	p->purchase.amount_cents = wl.package_price_cents;
	snprintf(p->purchase.currency, sizeof(p->purchase.currency), "%s", wl.package_currency);
	p->purchase.created_at = wl_now_ms();
	return WL_OK;
}

int
purchases_record_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct purchase_checkout *p = arg;

	return store_purchase_pending(c, &p->purchase, err);
}

int
purchases_status(struct store_conn *c, const char *org_id, const char *session_id,
		 struct purchase_status *out, struct wl_error *err)
{
	struct store_org org;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_purchase_by_session(c, session_id, &out->purchase, err);
	if (rc == WL_OK && strcmp(out->purchase.org_id, org_id) == 0) {
		out->found = true;
		out->paid = strcmp(out->purchase.status, "paid") == 0;
	} else if (rc == WL_OK || rc == WL_ENOTFOUND) {
		wl_error_clear(err);
		memset(&out->purchase, 0, sizeof(out->purchase));
	} else {
		return rc;
	}
	if ((rc = store_org_get(c, org_id, false, &org, err)) != WL_OK)
		return rc;
	out->balance_seconds = org.balance_seconds;
	return WL_OK;
}

static int
fetch_purchases(struct store_conn *c, const void *agency, int64_t cursor_ms, const char *cursor_id,
		int want, void *rows, int *n, struct wl_error *err)
{
	return store_purchase_list(c, agency, cursor_ms, cursor_id, want, rows, n, err);
}

static int
fetch_events(struct store_conn *c, const void *agency, int64_t cursor_ms, const char *cursor_id,
	     int want, void *rows, int *n, struct wl_error *err)
{
	return store_stripe_event_list(c, agency, cursor_ms, cursor_id, want, rows, n, err);
}

int
purchases_list(struct store_conn *c, const char *agency_id, int64_t cursor_ms,
	       const char *cursor_id, int limit, struct page *out, struct wl_error *err)
{
	return page_fetch(c, fetch_purchases, agency_id, sizeof(struct store_purchase), limit,
			  cursor_ms, cursor_id, out, err);
}

int
purchases_events_list(struct store_conn *c, const char *agency_id, int64_t cursor_ms,
		      const char *cursor_id, int limit, struct page *out, struct wl_error *err)
{
	return page_fetch(c, fetch_events, agency_id, sizeof(struct store_stripe_event), limit,
			  cursor_ms, cursor_id, out, err);
}
