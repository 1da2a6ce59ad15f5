/*
 * stripe_activation.c — the Price check with Stripe that guards an active
 * portal (see stripe_activation.h for the rules and the two steps).
 */
#include "services/stripe_activation.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "services/secrets.h"
#include "services/stripe_client.h"

#define CHANGED_MEANWHILE \
	"The portal's settings changed while the price was being checked " \
	"with Stripe: please save again"

bool
stripe_activation_touched(const struct wl_whitelabel_update *u)
{
	return (u->has_active && u->active) || u->stripe_secret_key != NULL ||
	       u->stripe_product_id != NULL || u->stripe_price_id != NULL || u->has_package;
}

static void
set(char *dst, size_t n, const char *v)
{
	if (v != NULL)
		snprintf(dst, n, "%s", v);
}

/* The Stripe part of the settings as the update would leave them. */
static void
merged(const struct whitelabel_put *r, const struct store_whitelabel *s,
       struct whitelabel_stripe_checked *out, bool *active)
{
	const struct wl_whitelabel_update *u = &r->u;

	memset(out, 0, sizeof(*out));
	set(out->price_id, sizeof(out->price_id), s->stripe_price_id);
	set(out->product_id, sizeof(out->product_id), s->stripe_product_id);
	set(out->secret_key_sealed, sizeof(out->secret_key_sealed), s->stripe_secret_key_sealed);
	out->price_cents = s->package_price_cents;
	set(out->currency, sizeof(out->currency), s->package_currency);
	set(out->price_id, sizeof(out->price_id), u->stripe_price_id);
	set(out->product_id, sizeof(out->product_id), u->stripe_product_id);
	if (u->stripe_secret_key != NULL)
		set(out->secret_key_sealed, sizeof(out->secret_key_sealed),
		    u->stripe_secret_key[0] != '\0' ? r->secret_key_sealed : "");
	if (u->has_package && !(r->package_missing & WHITELABEL_PKG_PRICE))
		out->price_cents = u->package_price_cents;
	if (u->has_package && !(r->package_missing & WHITELABEL_PKG_CURRENCY) &&
	    u->package_currency != NULL)
		set(out->currency, sizeof(out->currency), u->package_currency);
	*active = u->has_active ? u->active : s->active;
}

/* Stripe's refusal of the request as the field to fix. */
static int
refusal(int rc, struct wl_error *err)
{
	char msg[WL_ERROR_MESSAGE_MAX];

	snprintf(msg, sizeof(msg), "%s", err->message);
	wl_error_clear(err);
	switch (rc) {
	case WL_ENOTFOUND:
		wl_error_field(err, "stripe_price_id", "Stripe has no such price in this account");
		return WL_EVALIDATION;
	case WL_EINVALID:
		wl_error_field(err, "stripe_secret_key", "Stripe refused the request: %s", msg);
		return WL_EVALIDATION;
	default:
		return wl_fail(err, WL_EUNAVAILABLE,
			       "The price could not be checked with Stripe (%s): the portal stays "
			       "as it was",
			       msg);
	}
}

/* stripe_price_check names the field "stripe.price_id"; the settings
 * forms and the API name it stripe_price_id before nesting. */
static void
rename_fields(struct wl_error *err)
{
	int i;

	for (i = 0; i < err->nfields; i++)
		if (strcmp(err->fields[i].name, "stripe.price_id") == 0)
			snprintf(err->fields[i].name, sizeof(err->fields[i].name),
				 "stripe_price_id");
}

static int
ask_stripe(const struct wl_app *app, const char *org_id,
	   const struct whitelabel_stripe_checked *want, struct wl_error *err)
{
	struct stripe_api api = { app->stripe_api[0] ? app->stripe_api : NULL, 0, 10000 };
	struct stripe_api_error detail;
	struct stripe_price price;
	char *key = NULL;
	int rc;

	if (secrets_open(app->master_key, want->secret_key_sealed, &key, err) != WL_OK)
		return wl_fail(err, WL_EINTERNAL, "The stored Stripe secret key cannot be read");
	memset(&detail, 0, sizeof(detail));
	rc = stripe_price_fetch(&api, key, want->price_id, &price, &detail, err);
	secrets_free(key);
	if (rc != WL_OK) {
		wl_log("stripe price check: agency %s price %s: %s (http %ld)", org_id,
		       want->price_id, err->message, detail.http_status);
		return refusal(rc, err);
	}
	rc = stripe_price_check(&price, want->price_id, want->product_id, want->price_cents,
				want->currency, err);
	rename_fields(err);
	return rc;
}

int
stripe_activation_check(struct store_conn *c, const struct wl_app *app, struct whitelabel_put *r,
			struct wl_error *err)
{
	struct store_whitelabel s;
	struct whitelabel_stripe_checked want;
	bool active;
	int rc;

	memset(&r->checked, 0, sizeof(r->checked));
	if (!stripe_activation_touched(&r->u))
		return WL_OK;
	if ((rc = whitelabel_load(c, r->org_id, &s, err)) != WL_OK)
		return rc;
	merged(r, &s, &want, &active);
	/* Not active, or not complete enough to activate (the job says what
	 * is missing): nothing to ask Stripe. */
	if (!active || want.price_id[0] == '\0' || want.product_id[0] == '\0' ||
	    want.secret_key_sealed[0] == '\0' || want.price_cents <= 0)
		return WL_OK;
	if ((rc = ask_stripe(app, r->org_id, &want, err)) != WL_OK)
		return rc;
	r->checked = want;
	r->checked.done = true;
	return WL_OK;
}

int
stripe_activation_verify(const struct whitelabel_put *r, const struct store_whitelabel *s,
			 struct wl_error *err)
{
	const struct whitelabel_stripe_checked *k = &r->checked;

	if (!s->active || !stripe_activation_touched(&r->u))
		return WL_OK;
	if (!k->done || strcmp(k->price_id, s->stripe_price_id) != 0 ||
	    strcmp(k->product_id, s->stripe_product_id) != 0 ||
	    strcmp(k->secret_key_sealed, s->stripe_secret_key_sealed) != 0 ||
	    k->price_cents != s->package_price_cents ||
	    strcmp(k->currency, s->package_currency) != 0)
		return wl_fail(err, WL_ECONFLICT, CHANGED_MEANWHILE);
	return WL_OK;
}
