/*
 * whitelabel.c — the agency's whitelabel API: settings and the margin
 * calculator (the custom domain: api/domains.c; portal users and credit
 * allocations: api/whitelabel_users.c). Parent orgs only. Secrets arrive here in plaintext, are sealed at once, and the
 * plaintext copies are wiped; responses only ever say whether one is set.
 */
#include "api/api.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/cursor.h"
#include "core/fx.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "services/accounts.h"
#include "services/ids.h"
#include "services/pricing.h"
#include "services/secrets.h"
#include "services/stripe_activation.h"
#include "services/whitelabel.h"

/* "stripe_secret_key" → "stripe.secret_key": field names as the JSON nests them. */
static const char *
json_name(const char *field, char *buf, size_t n)
{
	if (strncmp(field, "stripe_", 7) == 0) {
		snprintf(buf, n, "stripe.%s", field + 7);
		return buf;
	}
	return field;
}

static void
nest_field_names(struct wl_error *err)
{
	int i;
	char buf[sizeof(err->fields[0].name)];

	for (i = 0; i < err->nfields; i++) {
		const char *name = json_name(err->fields[i].name, buf, sizeof(buf));

		if (name == buf)
			memcpy(err->fields[i].name, buf, sizeof(buf));
	}
}

void
api_render_whitelabel(const struct wl_app *app, struct wl_buf *b, const struct store_whitelabel *s)
{
	const char *missing[8];
	char url[600], name[64];
	size_t i, nmissing = wl_whitelabel_missing(whitelabel_have(s), missing, 8);

	wl_json_obj_begin(b);
	wl_json_kv_str(b, "org_id", s->org_id);
	wl_json_kv_str(b, "company_name", s->company_name[0] ? s->company_name : NULL);
	wl_json_kv_str(b, "slug", s->slug[0] ? s->slug : NULL);
	wl_json_kv_str(b, "logo_url", s->logo_url[0] ? s->logo_url : NULL);
	wl_json_kv_str(b, "primary_color", s->primary_color[0] ? s->primary_color : NULL);
	wl_json_kv_str(b, "accent_color", s->accent_color[0] ? s->accent_color : NULL);
	wl_json_key(b, "stripe");
	wl_json_obj_begin(b);
	wl_json_kv_str(b, "publishable_key",
		       s->stripe_publishable_key[0] ? s->stripe_publishable_key : NULL);
	wl_json_kv_bool(b, "secret_key_set", s->stripe_secret_key_sealed[0] != '\0');
	wl_json_kv_str(b, "mode",
		       s->stripe_secret_mode[0] == 't'   ? "test"
		       : s->stripe_secret_mode[0] == 'l' ? "live"
							 : NULL);
	wl_json_kv_str(b, "product_id", s->stripe_product_id[0] ? s->stripe_product_id : NULL);
	wl_json_kv_str(b, "price_id", s->stripe_price_id[0] ? s->stripe_price_id : NULL);
	wl_json_kv_bool(b, "webhook_secret_set", s->stripe_webhook_secret_sealed[0] != '\0');
	wl_json_obj_end(b);
	wl_json_key(b, "package");
	if (s->package_credits > 0) {
		wl_json_obj_begin(b);
		wl_json_kv_int(b, "credits", s->package_credits);
		wl_json_kv_int(b, "price_cents", s->package_price_cents);
		wl_json_kv_str(b, "currency", s->package_currency);
		wl_json_obj_end(b);
	} else {
		wl_json_null(b);
	}
	wl_json_kv_bool(b, "active", s->active);
	if (s->slug[0] != '\0') {
		whitelabel_portal_url(app, s->slug, url, sizeof(url));
		wl_json_kv_str(b, "portal_url", url);
		whitelabel_webhook_url(app, s->slug, url, sizeof(url));
		wl_json_kv_str(b, "webhook_url", url);
	} else {
		wl_json_kv_str(b, "portal_url", NULL);
		wl_json_kv_str(b, "webhook_url", NULL);
	}
	wl_json_key(b, "missing");
	wl_json_arr_begin(b);
	for (i = 0; i < nmissing && i < 8; i++)
		wl_json_str(b, json_name(missing[i], name, sizeof(name)));
	wl_json_arr_end(b);
	wl_json_key(b, "custom_domain");
	api_render_domain(app, b, s);
	wl_json_obj_end(b);
}

void
api_whitelabel_get(struct wl_req *req)
{
	struct store_whitelabel s;
	struct wl_error err;

	if (!api_parent_only(req))
		return;
	wl_error_clear(&err);
	if (whitelabel_load(req->conn, req->org.id, &s, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_render_whitelabel(req->app, &req->out, &s);
	http_reply_json(req, 200);
}

/* ---- PUT ---------------------------------------------------------------- */

struct put_ctx {
	struct whitelabel_put put;
	char *secret_plain;
	char *webhook_plain;
};

static void
wipe(char *p)
{
	if (p != NULL)
		sodium_memzero(p, strlen(p));
}

static void
put_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct put_ctx *ctx = arg;
	struct wl_error e;

	wipe(ctx->secret_plain);
	wipe(ctx->webhook_plain);
	if (rc != WL_OK) {
		e = *err;
		nest_field_names(&e);
		http_reply_error(req, &e);
		return;
	}
	api_render_whitelabel(req->app, &req->out, &ctx->put.result);
	http_reply_json(req, 200);
}

/* On a worker: the Price check with Stripe, then the write. */
static void
put_check_work(struct wl_req *req, void *arg)
{
	struct put_ctx *ctx = arg;
	struct wl_error err;

	wl_error_clear(&err);
	if (stripe_activation_check(req->conn, req->app, &ctx->put, &err) != WL_OK) {
		put_finish(req, ctx, err.code, &err);
		return;
	}
	http_actor(req, &ctx->put.actor);
	http_submit(req, whitelabel_put_run, &ctx->put, put_finish);
}

static int
take_package(struct wl_req *req, json_t *pkg, struct put_ctx *ctx, struct wl_error *err)
{
	static const char *const known[] = { "credits", "price_cents", "currency", NULL };
	struct wl_whitelabel_update *u = &ctx->put.u;
	json_t *v;

	if (!json_is_object(pkg)) {
		wl_error_field(err, "package",
			       "must be an object with credits, price_cents and currency");
		return WL_OK;
	}
	if (api_unknown_fields(pkg, known, "package.", err) != WL_OK)
		return err->code;
	u->has_package = true;
	ctx->put.package_missing =
		WHITELABEL_PKG_CREDITS | WHITELABEL_PKG_PRICE | WHITELABEL_PKG_CURRENCY;
	if ((v = json_object_get(pkg, "credits")) != NULL) {
		if (!json_is_integer(v))
			wl_error_field(err, "package.credits", "must be a whole number");
		u->package_credits = json_integer_value(v);
		ctx->put.package_missing &= ~WHITELABEL_PKG_CREDITS;
	}
	if ((v = json_object_get(pkg, "price_cents")) != NULL) {
		if (!json_is_integer(v))
			wl_error_field(err, "package.price_cents",
				       "must be a whole number of cents");
		u->package_price_cents = json_integer_value(v);
		ctx->put.package_missing &= ~WHITELABEL_PKG_PRICE;
	}
	if ((v = json_object_get(pkg, "currency")) != NULL) {
		if (!json_is_string(v) || json_string_length(v) != 3) {
			wl_error_field(err, "package.currency", "must be EUR, USD or GBP");
		} else {
			char *cur = http_alloc(req, 4);

			if (cur == NULL)
				return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
			memcpy(cur, json_string_value(v), 3);
			u->package_currency = cur;
		}
		ctx->put.package_missing &= ~WHITELABEL_PKG_CURRENCY;
	}
	return WL_OK;
}

static int
seal(struct wl_req *req, const char *plain, const char **sealed_out, struct wl_error *err)
{
	char *buf;
	size_t n = sizeof(((struct store_whitelabel *)0)->stripe_secret_key_sealed);

	if (plain == NULL || plain[0] == '\0')
		return WL_OK;
	if ((buf = http_alloc(req, n)) == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
	if (secrets_seal_to(req->app->master_key, plain, buf, n, err) != WL_OK)
		return err->code;
	*sealed_out = buf;
	return WL_OK;
}

void
api_whitelabel_put(struct wl_req *req)
{
	static const char *const known[] = { "company_name",  "slug",         "logo_url",
					     "primary_color", "accent_color", "stripe",
					     "package",       "active",       NULL };
	static const char *const stripe_known[] = { "publishable_key", "secret_key",
						    "product_id",      "price_id",
						    "webhook_secret",  NULL };
	struct put_ctx *ctx;
	struct wl_whitelabel_update *u;
	struct wl_error err;
	json_t *body, *stripe, *v;
	int rc;

	if (!api_parent_only(req))
		return;
	body = api_body_object(req);
	sodium_memzero(req->body.p, req->body.len); /* it may hold a secret key */
	if (body == NULL)
		return;
	wl_error_clear(&err);
	ctx = http_alloc(req, sizeof(*ctx));
	if (ctx == NULL) {
		wl_fail(&err, WL_EUNAVAILABLE, "out of memory");
		goto out;
	}
	u = &ctx->put.u;
	memcpy(ctx->put.org_id, req->org.id, WL_ID_LEN);
	if (api_unknown_fields(body, known, "", &err) != WL_OK)
		goto out;
	if (api_take_string(req, body, "company_name", "company_name", 200, &u->company_name,
			    &err) ||
	    api_take_string(req, body, "slug", "slug", 100, &u->slug, &err) ||
	    api_take_string(req, body, "logo_url", "logo_url", 4096, &u->logo_url, &err) ||
	    api_take_string(req, body, "primary_color", "primary_color", 16, &u->primary_color,
			    &err) ||
	    api_take_string(req, body, "accent_color", "accent_color", 16, &u->accent_color, &err))
		goto out;
	stripe = json_object_get(body, "stripe");
	if (stripe != NULL && !json_is_null(stripe)) {
		if (!json_is_object(stripe)) {
			wl_error_field(&err, "stripe", "must be an object");
		} else if (api_unknown_fields(stripe, stripe_known, "stripe.", &err) != WL_OK ||
			   api_take_string(req, stripe, "publishable_key", "stripe.publishable_key",
					   300, &u->stripe_publishable_key, &err) ||
			   api_take_string(req, stripe, "secret_key", "stripe.secret_key", 300,
					   &u->stripe_secret_key, &err) ||
			   api_take_string(req, stripe, "product_id", "stripe.product_id", 300,
					   &u->stripe_product_id, &err) ||
			   api_take_string(req, stripe, "price_id", "stripe.price_id", 300,
					   &u->stripe_price_id, &err) ||
			   api_take_string(req, stripe, "webhook_secret", "stripe.webhook_secret",
					   300, &u->stripe_webhook_secret, &err)) {
			goto out;
		}
	}
	ctx->secret_plain = (char *)(uintptr_t)u->stripe_secret_key;
	ctx->webhook_plain = (char *)(uintptr_t)u->stripe_webhook_secret;
	v = json_object_get(body, "package");
	if (v != NULL && !json_is_null(v) && take_package(req, v, ctx, &err) != WL_OK)
		goto out;
	if ((v = json_object_get(body, "active")) != NULL) {
		if (!json_is_boolean(v))
			wl_error_field(&err, "active", "must be true or false");
		u->has_active = true;
		u->active = json_is_true(v);
	}
	if (err.code != WL_OK)
		goto out;
	/* Check the values before sealing anything; the job checks them again
	 * against what is stored, a partial package once merged with the
	 * stored one under the row lock. */
	if (ctx->put.package_missing != 0)
		u->has_package = false;
	rc = wl_whitelabel_validate(u, WL_WLF_REQUIRED, &err);
	u->has_package = u->has_package || ctx->put.package_missing != 0;
	if (rc != WL_OK) {
		nest_field_names(&err);
		goto out;
	}
	if (seal(req, u->stripe_secret_key, &ctx->put.secret_key_sealed, &err) != WL_OK ||
	    seal(req, u->stripe_webhook_secret, &ctx->put.webhook_secret_sealed, &err) != WL_OK)
		goto out;
	json_decref(body);
	if (stripe_activation_touched(u)) {
		http_offload(req, put_check_work, ctx);
	} else {
		http_actor(req, &ctx->put.actor);
		http_submit(req, whitelabel_put_run, &ctx->put, put_finish);
	}
	return;
out:
	if (ctx != NULL) {
		wipe(ctx->secret_plain);
		wipe(ctx->webhook_plain);
	}
	json_decref(body);
	http_reply_error(req, &err);
}

/* ---- margin calculator --------------------------------------------------------- */

void
api_whitelabel_margin(struct wl_req *req)
{
	struct store_whitelabel s;
	struct wl_margin m;
	struct wl_error err;
	int64_t credits, price;
	const char *currency;
	char rate[32];

	if (!api_parent_only(req))
		return;
	wl_error_clear(&err);
	if (whitelabel_load(req->conn, req->org.id, &s, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	credits = s.package_credits;
	price = s.package_price_cents;
	currency = s.package_currency[0] ? s.package_currency : "EUR";
	if (api_query_int(req, "credits", WL_PACKAGE_CREDITS_MAX, &credits, &err) < 0 ||
	    api_query_int(req, "price_cents", WL_PACKAGE_PRICE_MAX, &price, &err) < 0 ||
	    pricing_margin(req->app, credits, price, currency, &m, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	/* Every amount in the package currency's minor units; the platform
	 * cost also in EUR cents, with the rate that converted it. */
	wl_json_obj_begin(&req->out);
	wl_json_kv_int(&req->out, "credits", credits);
	wl_json_kv_int(&req->out, "package_price_cents", m.price_cents);
	wl_json_kv_int(&req->out, "cost_cents", m.cost_cents);
	wl_json_kv_int(&req->out, "profit_cents", m.profit_cents);
	wl_json_kv_raw(&req->out, "margin_percent", m.margin_percent);
	wl_json_kv_bool(&req->out, "below_cost", m.below_cost);
	wl_json_kv_int(&req->out, "platform_price_micro_per_minute",
		       req->app->price_micro_per_minute);
	wl_json_kv_str(&req->out, "currency", currency);
	wl_json_kv_int(&req->out, "platform_cost_eur_cents", m.platform_cost_eur_cents);
	wl_json_key(&req->out, "fx");
	wl_json_obj_begin(&req->out);
	wl_json_kv_str(&req->out, "from", "EUR");
	wl_json_kv_str(&req->out, "to", currency);
	wl_fx_format_rate(m.rate_ppm, rate);
	wl_json_kv_raw(&req->out, "rate", rate);
	wl_json_kv_int(&req->out, "rate_ppm", m.rate_ppm);
	wl_json_obj_end(&req->out);
	wl_json_obj_end(&req->out);
	http_reply_json(req, 200);
}
