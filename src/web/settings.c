/*
 * settings.c — the agency's whitelabel settings page: the four steps
 * (branding with a live preview, portal URL and custom domain, Stripe,
 * credits package with the margin calculator) and the Portal Active toggle.
 * Every form fills the same struct whitelabel_put the JSON API fills and
 * queues the same writer job; secrets are sealed under the master key
 * before the job and never shown again. A form that may leave the portal
 * active checks the Stripe price on a worker first (stripe_activation.h).
 * A refused form comes back with each complaint next to its field and
 * everything typed kept, except secrets. The custom-domain forms are
 * settings_domain.c, with the refusal page.
 */
#include "web/web.h"
#include "web/settings_int.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fx.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "core/whitelabel.h"
#include "services/pricing.h"
#include "services/domains.h"
#include "services/secrets.h"
#include "services/stripe_activation.h"
#include "services/whitelabel.h"

#define DEFAULT_PRIMARY "#3B82F6"
#define DEFAULT_ACCENT "#F59E0B"

struct field_def {
	const char *form;     /* form field and template suffix */
	const char *err_name; /* as the validator names it */
	const char *label;    /* in words, for people */
	size_t max;
};

static const struct field_def fields[] = {
	{ "company_name", "company_name", "Company name", 200 },
	{ "logo_url", "logo_url", "Logo URL", 4096 },
	{ "primary_color", "primary_color", "Primary color", 16 },
	{ "accent_color", "accent_color", "Accent color", 16 },
	{ "slug", "slug", "Portal slug", 100 },
	{ "stripe_publishable_key", "stripe_publishable_key", "Stripe publishable key", 300 },
	{ "stripe_secret_key", "stripe_secret_key", "Stripe secret key", 300 },
	{ "stripe_product_id", "stripe_product_id", "Stripe product ID", 300 },
	{ "stripe_price_id", "stripe_price_id", "Stripe price ID", 300 },
	{ "stripe_webhook_secret", "stripe_webhook_secret", "Webhook signing secret", 300 },
	{ "package_credits", "package.credits", "Credits in package", 12 },
	{ "package_price_cents", "package.price_cents", "Package price", 12 },
	{ "package_currency", "package.currency", "Currency", 3 },
	{ "domain", "domain", "Custom domain", 253 },
	{ "active", "active", "Portal active", 8 },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const struct field_def *
field_by_error_name(const char *name)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++)
		if (strcmp(fields[i].err_name, name) == 0 || strcmp(fields[i].form, name) == 0)
			return &fields[i];
	return NULL;
}

static bool
is_secret(const char *form_name)
{
	return strcmp(form_name, "stripe_secret_key") == 0 ||
	       strcmp(form_name, "stripe_webhook_secret") == 0;
}

static void
put_money(struct tpl_data *d, const char *name, int64_t cents, const char *currency)
{
	char m[32];

	wl_format_cents(cents < 0 ? -cents : cents, m);
	tpl_putf(d, name, "%s%s%s", cents < 0 ? "−" : "", wl_currency_symbol(currency), m);
}

/* The stored value of a form field as text. */
static void
stored_value(const struct store_whitelabel *s, const char *form, char *out, size_t n)
{
	out[0] = '\0';
	if (strcmp(form, "company_name") == 0)
		snprintf(out, n, "%s", s->company_name);
	else if (strcmp(form, "logo_url") == 0)
		snprintf(out, n, "%s", s->logo_url);
	else if (strcmp(form, "primary_color") == 0)
		snprintf(out, n, "%s", s->primary_color);
	else if (strcmp(form, "accent_color") == 0)
		snprintf(out, n, "%s", s->accent_color);
	else if (strcmp(form, "slug") == 0)
		snprintf(out, n, "%s", s->slug);
	else if (strcmp(form, "stripe_publishable_key") == 0)
		snprintf(out, n, "%s", s->stripe_publishable_key);
	else if (strcmp(form, "stripe_product_id") == 0)
		snprintf(out, n, "%s", s->stripe_product_id);
	else if (strcmp(form, "stripe_price_id") == 0)
		snprintf(out, n, "%s", s->stripe_price_id);
	else if (strcmp(form, "package_credits") == 0 && s->package_credits > 0)
		snprintf(out, n, "%lld", (long long)s->package_credits);
	else if (strcmp(form, "package_price_cents") == 0 && s->package_credits > 0)
		snprintf(out, n, "%lld", (long long)s->package_price_cents);
	else if (strcmp(form, "package_currency") == 0)
		snprintf(out, n, "%s", s->package_currency[0] ? s->package_currency : "EUR");
	else if (strcmp(form, "domain") == 0)
		snprintf(out, n, "%s", s->custom_domain);
}

/* Field values (typed ones when a form was refused), complaints next to
 * their fields, and the missing fields listed in words at the toggle. */
static void
put_fields(struct wl_req *req, struct tpl_data *d, const struct store_whitelabel *s,
	   const struct wl_error *err)
{
	char name[64], value[4100];
	const char *missing[8];
	size_t i, nmissing;
	int f;
	struct tpl_data *item;
	bool activation_refused = false;

	for (i = 0; i < NFIELDS; i++) {
		const char *typed = err != NULL ? http_form(req, fields[i].form) : NULL;

		if (is_secret(fields[i].form))
			continue;
		snprintf(name, sizeof(name), "v_%s", fields[i].form);
		if (typed != NULL) {
			tpl_put(d, name, typed);
		} else {
			stored_value(s, fields[i].form, value, sizeof(value));
			tpl_put(d, name, value);
		}
	}
	snprintf(value, sizeof(value), "cur_%s",
		 err != NULL && http_form(req, "package_currency") != NULL
			 ? http_form(req, "package_currency")
			 : (s->package_currency[0] ? s->package_currency : "EUR"));
	if (strlen(value) == 7)
		tpl_put_bool(d, value, true);
	tpl_put_list(d, "missing_now");
	for (f = 0; err != NULL && f < err->nfields; f++) {
		const struct field_def *def = field_by_error_name(err->fields[f].name);

		if (def == NULL)
			continue;
		snprintf(name, sizeof(name), "e_%s", def->form);
		tpl_putf(d, name, "%s %s.", def->label, err->fields[f].message);
		if (err->fields[f].reason == WL_FIELD_NEEDED_TO_ACTIVATE) {
			activation_refused = true;
			item = tpl_push(d, "missing_now");
			tpl_put(item, "label", def->label);
		}
	}
	tpl_put_bool(d, "activation_refused", activation_refused);
	if (err != NULL && err->nfields == 0)
		tpl_put(d, "form_error", err->message);
	else if (err != NULL)
		tpl_put(d, "form_error",
			"Some fields need your attention: see the messages in red.");
	/* what is still needed, from what is stored */
	nmissing = wl_whitelabel_missing(whitelabel_have(s), missing, 8);
	tpl_put_list(d, "missing");
	tpl_put_bool(d, "has_missing", nmissing > 0);
	for (i = 0; i < nmissing && i < 8; i++) {
		const struct field_def *def = field_by_error_name(missing[i]);

		item = tpl_push(d, "missing");
		tpl_put(item, "label", def != NULL ? def->label : missing[i]);
	}
}

/* "2025-01-31 12:34 UTC" */
static void
put_minute(struct tpl_data *d, const char *key, int64_t ms)
{
	char t[32];

	wl_format_iso_ms(ms, t);
	t[16] = '\0';
	t[10] = ' ';
	tpl_putf(d, key, "%s UTC", t);
}

/* The live claim (none once expired) with its two records. */
static void
put_domain(struct wl_req *req, struct tpl_data *d, const struct store_whitelabel *s)
{
	char name[300], value[100];
	int64_t expires;

	if (!domains_claim_live(req->app, s, wl_now_ms()))
		return;
	tpl_put(d, "domain", s->custom_domain);
	tpl_put(d, "domain_status", s->domain_status);
	snprintf(name, sizeof(name), "status_%s", s->domain_status);
	tpl_put_bool(d, name, true);
	tpl_put(d, "domain_reason", s->domain_reason);
	whitelabel_record_name(s->custom_domain, name, sizeof(name));
	tpl_put(d, "record_name", name);
	tpl_put(d, "record_value", req->app->cname_target);
	domains_txt_name(s->custom_domain, name, sizeof(name));
	tpl_put(d, "txt_name", name);
	domains_txt_value(s->domain_token, value, sizeof(value));
	tpl_put(d, "txt_value", value);
	if (s->domain_checked_at > 0)
		put_minute(d, "domain_checked", s->domain_checked_at);
	if ((expires = domains_claim_expires_at(req->app, s)) > 0)
		put_minute(d, "domain_expires", expires);
}

static void
put_preview_and_urls(struct wl_req *req, struct tpl_data *d, const struct store_whitelabel *s)
{
	char url[600];

	tpl_put(d, "pv_name", s->company_name[0] ? s->company_name : "Your company");
	tpl_put(d, "pv_primary",
		wl_valid_color(s->primary_color) ? s->primary_color : DEFAULT_PRIMARY);
	tpl_put(d, "pv_accent", wl_valid_color(s->accent_color) ? s->accent_color : DEFAULT_ACCENT);
	tpl_put(d, "pv_logo", wl_valid_logo_url(s->logo_url) ? s->logo_url : "");
	tpl_put_bool(d, "active", s->active);
	tpl_put_bool(d, "secret_key_set", s->stripe_secret_key_sealed[0] != '\0');
	tpl_put_bool(d, "webhook_secret_set", s->stripe_webhook_secret_sealed[0] != '\0');
	if (s->stripe_secret_mode[0] == 't' || s->stripe_secret_mode[0] == 'l') {
		bool test = s->stripe_secret_mode[0] == 't';

		tpl_put(d, "stripe_mode_name", test ? "Test mode" : "Live mode");
		tpl_put(d, "stripe_mode_badge", test ? "badge-neutral" : "badge-success");
		tpl_put(d, "stripe_mode",
			test ? "Your Stripe keys are test keys: clients pay with "
			       "Stripe's test cards and no money moves."
			     : "Your Stripe keys are live keys: clients pay real money.");
	}
	if (s->slug[0] != '\0') {
		whitelabel_portal_url(req->app, s->slug, url, sizeof(url));
		tpl_put(d, "portal_url", url);
		whitelabel_webhook_url(req->app, s->slug, url, sizeof(url));
		tpl_put(d, "webhook_url", url);
	}
	tpl_putf(d, "slug_example", "{your-slug}.portal.%s", req->app->base_domain);
	put_domain(req, d, s);
}

/* The rates the calculator may need, for app.js: "EUR:1000000,USD:1080000,…". */
static void
put_rates(struct wl_req *req, struct tpl_data *d)
{
	char text[160];
	size_t used;
	int i;

	used = (size_t)snprintf(text, sizeof(text), "EUR:%lld", (long long)WL_FX_PPM);
	for (i = 0; i < req->app->fx.n && used < sizeof(text); i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, ",%s:%lld",
					 req->app->fx.rate[i].currency,
					 (long long)req->app->fx.rate[i].per_eur_ppm);
	tpl_put(d, "fx_rates", text);
}

static void
put_margin(struct wl_req *req, struct tpl_data *d, const struct store_whitelabel *s)
{
	struct wl_margin m;
	struct wl_error err;
	const char *cur = s->package_currency[0] ? s->package_currency : "EUR";
	char rate[32];

	tpl_putf(d, "platform_micro", "%lld", (long long)req->app->price_micro_per_minute);
	tpl_put(d, "currency_symbol", wl_currency_symbol(cur));
	put_rates(req, d);
	wl_fx_format_rate(wl_fx_rate(&req->app->fx, cur), rate);
	if (strcmp(cur, "EUR") == 0)
		tpl_put(d, "m_rate", "none (priced in EUR)");
	else
		tpl_putf(d, "m_rate", "1 EUR = %s %s", rate, cur);
	wl_error_clear(&err);
	if (s->package_credits <= 0 ||
	    pricing_margin(req->app, s->package_credits, s->package_price_cents, cur, &m, &err) !=
		    WL_OK) {
		tpl_put(d, "m_price", "—");
		tpl_put(d, "m_cost", "—");
		tpl_put(d, "m_profit", "—");
		tpl_put(d, "m_margin", "—");
		return;
	}
	put_money(d, "m_price", m.price_cents, cur);
	put_money(d, "m_cost", m.cost_cents, cur);
	put_money(d, "m_cost_eur", m.platform_cost_eur_cents, "EUR");
	put_money(d, "m_profit", m.profit_cents, cur);
	tpl_putf(d, "m_margin", "%s%%", m.margin_percent);
	tpl_put_bool(d, "m_below", m.below_cost);
	tpl_putf(d, "m_credits", "%lld", (long long)s->package_credits);
	put_money(d, "pkg_price", s->package_price_cents, cur);
}

/* The page, from the stored settings s; err (may be NULL) is a refused
 * form; chrome NULL reads the page's common data on req->conn. */
void
settings_page(struct wl_req *req, int status, const struct store_whitelabel *s,
	      const struct wl_error *err, const struct accounts_chrome *chrome)
{
	struct tpl_data *d = chrome != NULL
				     ? web_page_data_with(req, chrome, "Whitelabel", "whitelabel")
				     : web_page_data(req, "Whitelabel", "whitelabel");
	const char *saved = http_query(req, "saved");

	if (req->org.parent_id[0] != '\0' || strcmp(req->org.id, req->key_org_id) != 0) {
		tpl_put_bool(d, "not_parent",
			     req->org.parent_id[0] != '\0' &&
				     strcmp(req->org.id, req->key_org_id) == 0);
		tpl_put_bool(d, "viewing_client", strcmp(req->org.id, req->key_org_id) != 0);
		web_render(req, status, "whitelabel_off", d);
		return;
	}
	if (saved != NULL && err == NULL) {
		if (strcmp(saved, "activate") == 0)
			tpl_put(d, "flash",
				s->active ? "Your portal is live."
					  : "Your portal is now inactive.");
		else if (strcmp(saved, "domain") == 0)
			tpl_put(d, "flash", "Custom domain updated.");
		else
			tpl_put(d, "flash", "Saved.");
	}
	put_fields(req, d, s, err);
	put_preview_and_urls(req, d, s);
	put_margin(req, d, s);
	web_render(req, status, "whitelabel", d);
}

void
web_settings(struct wl_req *req)
{
	struct store_whitelabel s;
	struct wl_error err;

	wl_error_clear(&err);
	if (req->org.parent_id[0] == '\0' &&
	    whitelabel_load(req->conn, req->org.id, &s, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	if (req->org.parent_id[0] != '\0')
		memset(&s, 0, sizeof(s));
	settings_page(req, 200, &s, NULL, NULL);
}

/* ---- saving a step ------------------------------------------------------------ */

struct save {
	struct whitelabel_put put; /* first: the job's argument */
	char step[16];
	struct refusal rf;
};

static void
save_refused(struct store_conn *c, void *arg)
{
	settings_refusal_read(c, &((struct save *)arg)->rf);
}

static void
wipe_secrets(struct wl_req *req, const struct wl_whitelabel_update *u)
{
	if (u->stripe_secret_key != NULL)
		sodium_memzero((void *)(uintptr_t)u->stripe_secret_key,
			       strlen(u->stripe_secret_key));
	if (u->stripe_webhook_secret != NULL)
		sodium_memzero((void *)(uintptr_t)u->stripe_webhook_secret,
			       strlen(u->stripe_webhook_secret));
	http_form_wipe(req);
}

static void
save_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct save *sv = arg;
	char loc[128];

	if (rc != WL_OK) {
		settings_refused_read(req, err, &sv->rf);
		wipe_secrets(req, &sv->put.u);
		return;
	}
	wipe_secrets(req, &sv->put.u);
	snprintf(loc, sizeof(loc), "/dashboard/whitelabel?saved=%s#%s", sv->step, sv->step);
	http_redirect(req, loc);
}

/* On a worker: the Price check with Stripe (stripe_activation.h), then the write. */
static void
save_check_work(struct wl_req *req, void *arg)
{
	struct save *sv = arg;
	struct wl_error err;

	wl_error_clear(&err);
	if (stripe_activation_check(req->conn, req->app, &sv->put, &err) != WL_OK) {
		settings_refused(req, &err);
		wipe_secrets(req, &sv->put.u);
		return;
	}
	http_actor(req, &sv->put.actor);
	http_submit(req, whitelabel_put_run, &sv->put, save_finish);
	http_on_refusal(req, save_refused);
}

/* A text field of the form, trimmed: NULL when the form did not carry it. */
const char *
settings_take(struct wl_req *req, const char *name, struct wl_error *err)
{
	const struct field_def *def = field_by_error_name(name);
	const char *v = http_form(req, name);
	size_t n;
	char *copy;

	if (v == NULL)
		return NULL;
	while (*v == ' ' || *v == '\t')
		v++;
	n = strlen(v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (def != NULL && n > def->max) {
		wl_error_field(err, def->err_name, "must be at most %zu characters", def->max);
		return NULL;
	}
	copy = http_alloc(req, n + 1);
	if (copy == NULL)
		return NULL;
	memcpy(copy, v, n);
	return copy;
}

static bool
take_int(struct wl_req *req, const char *name, const char *err_name, int64_t *out,
	 struct wl_error *err)
{
	const char *v = settings_take(req, name, err);
	int64_t n = 0;
	size_t i;

	if (v == NULL || v[0] == '\0') {
		wl_error_field(err, err_name, "is needed");
		return false;
	}
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 10) {
			wl_error_field(err, err_name, "must be a whole number");
			return false;
		}
		n = n * 10 + (v[i] - '0');
	}
	*out = n;
	return true;
}

static int
seal_secret(struct wl_req *req, const char *plain, const char **out, struct wl_error *err)
{
	char *buf;
	size_t n = sizeof(((struct store_whitelabel *)0)->stripe_secret_key_sealed);

	if ((buf = http_alloc(req, n)) == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "out of memory");
	if (secrets_seal_to(req->app->master_key, plain, buf, n, err) != WL_OK)
		return err->code;
	*out = buf;
	return WL_OK;
}

/* Secrets are write-only: an empty field leaves the stored one alone. */
static const char *
take_secret(struct wl_req *req, const char *name, struct wl_error *err)
{
	const char *v = settings_take(req, name, err);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

static void
fill_step(struct wl_req *req, const char *step, struct wl_whitelabel_update *u,
	  struct wl_error *err)
{
	if (strcmp(step, "branding") == 0) {
		u->company_name = settings_take(req, "company_name", err);
		u->logo_url = settings_take(req, "logo_url", err);
		u->primary_color = settings_take(req, "primary_color", err);
		u->accent_color = settings_take(req, "accent_color", err);
	} else if (strcmp(step, "portal") == 0) {
		u->slug = settings_take(req, "slug", err);
	} else if (strcmp(step, "stripe") == 0) {
		u->stripe_publishable_key = settings_take(req, "stripe_publishable_key", err);
		u->stripe_secret_key = take_secret(req, "stripe_secret_key", err);
		u->stripe_product_id = settings_take(req, "stripe_product_id", err);
		u->stripe_price_id = settings_take(req, "stripe_price_id", err);
		u->stripe_webhook_secret = take_secret(req, "stripe_webhook_secret", err);
	} else if (strcmp(step, "package") == 0) {
		u->has_package = true;
		take_int(req, "package_credits", "package.credits", &u->package_credits, err);
		take_int(req, "package_price_cents", "package.price_cents", &u->package_price_cents,
			 err);
		u->package_currency = settings_take(req, "package_currency", err);
		if (u->package_currency == NULL)
			u->package_currency = "";
	} else if (strcmp(step, "activate") == 0) {
		const char *a = http_form(req, "active");

		u->has_active = true;
		u->active = a != NULL && (strcmp(a, "1") == 0 || strcmp(a, "on") == 0);
	}
}

void
web_settings_save(struct wl_req *req)
{
	static const char *const steps[] = { "branding", "portal",   "stripe",
					     "package",  "activate", NULL };
	struct save *sv;
	struct wl_whitelabel_update *u;
	struct wl_error err;
	int i;

	wl_error_clear(&err);
	if (whitelabel_require_parent(&req->org, &err) != WL_OK ||
	    strcmp(req->org.id, req->key_org_id) != 0) {
		web_error_page(req, 403, NULL, WHITELABEL_PARENT_ONLY);
		return;
	}
	for (i = 0; steps[i] != NULL; i++)
		if (strcmp(steps[i], req->params[0]) == 0)
			break;
	if (steps[i] == NULL) {
		web_error_page(req, 404, NULL, "There is no such settings form.");
		return;
	}
	sv = http_alloc(req, sizeof(*sv));
	if (sv == NULL || !settings_refusal_init(req, &sv->rf)) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	snprintf(sv->step, sizeof(sv->step), "%s", steps[i]);
	memcpy(sv->put.org_id, req->org.id, WL_ID_LEN);
	u = &sv->put.u;
	fill_step(req, sv->step, u, &err);
	if (req->body.p != NULL)
		sodium_memzero(req->body.p, req->body.len); /* parsed: the form has its own copy */
	/* The values alone first (the job checks them again against what is
	 * stored, activation included), then seal the secrets. */
	if (err.code == WL_OK)
		wl_whitelabel_validate(u, WL_WLF_REQUIRED, &err);
	if (err.code == WL_OK && u->stripe_secret_key != NULL)
		seal_secret(req, u->stripe_secret_key, &sv->put.secret_key_sealed, &err);
	if (err.code == WL_OK && u->stripe_webhook_secret != NULL)
		seal_secret(req, u->stripe_webhook_secret, &sv->put.webhook_secret_sealed, &err);
	if (err.code != WL_OK) {
		settings_refused(req, &err);
		wipe_secrets(req, u);
		return;
	}
	/* The job still reads the plaintext secret key (for its live/test
	 * mode); save_finish wipes the copies. */
	if (stripe_activation_touched(u)) {
		http_offload(req, save_check_work, sv);
		return;
	}
	http_actor(req, &sv->put.actor);
	http_submit(req, whitelabel_put_run, &sv->put, save_finish);
	http_on_refusal(req, save_refused);
}
