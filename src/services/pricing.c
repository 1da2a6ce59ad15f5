/*
 * pricing.c — the price rule of pricing.h: platform price for a parent,
 * the agency's package price for its clients, and the margin with the
 * platform cost converted to the package currency. The arithmetic is
 * core/money.c's (one rounding per result); this file only chooses.
 */
#include "services/pricing.h"

#include <stdio.h>
#include <string.h>

#include "core/money.h"

int
pricing_price_of(struct store_conn *c, const struct wl_app *app, const struct store_org *org,
		 struct pricing_price *out, struct wl_error *err)
{
	struct store_whitelabel wl;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->currency, sizeof(out->currency), "EUR");
	if (org->parent_id[0] == '\0') {
		out->known = true;
		out->platform = true;
		out->micro_per_minute = app->price_micro_per_minute;
		return WL_OK;
	}
	rc = store_wl_get(c, org->parent_id, false, &wl, err);
	if (rc == WL_ENOTFOUND) {
		wl_error_clear(err);
		return WL_OK; /* the agency never saved settings: no package, no price */
	}
	if (rc != WL_OK)
		return rc;
	if (wl_valid_currency(wl.package_currency))
		snprintf(out->currency, sizeof(out->currency), "%s", wl.package_currency);
	if (wl.package_credits <= 0 || wl.package_price_cents < 0)
		return WL_OK;
	out->known = true;
	out->package_price_cents = wl.package_price_cents;
	out->package_credits = wl.package_credits;
	return WL_OK;
}

int64_t
pricing_cost_minor(const struct pricing_price *p, int64_t seconds)
{
	if (!p->known)
		return 0;
	if (seconds < 0)
		seconds = 0;
	if (p->platform)
		return wl_cost_cents(seconds, p->micro_per_minute);
	return wl_package_cost_minor(seconds, p->package_price_cents, p->package_credits);
}

int
pricing_usage_cost(struct store_conn *c, const struct wl_app *app, const struct store_org *org,
		   int64_t seconds, struct pricing_cost *out, struct wl_error *err)
{
	struct pricing_price price;
	int rc = pricing_price_of(c, app, org, &price, err);

	memset(out, 0, sizeof(*out));
	if (rc != WL_OK)
		return rc;
	out->known = price.known;
	out->minor = pricing_cost_minor(&price, seconds);
	memcpy(out->currency, price.currency, sizeof(out->currency));
	return WL_OK;
}

int
pricing_margin(const struct wl_app *app, int64_t credits, int64_t price_minor, const char *currency,
	       struct wl_margin *out, struct wl_error *err)
{
	int64_t rate = wl_fx_rate(&app->fx, currency);

	if (rate <= 0)
		return wl_fail(err, WL_EINVALID, "no exchange rate for %s", currency);
	if (wl_margin_compute_fx(credits, price_minor, app->price_micro_per_minute, rate, out) !=
	    WL_OK)
		return wl_fail(err, WL_EINVALID, "credits and price_cents must not be negative");
	return WL_OK;
}
