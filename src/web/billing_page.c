/*
 * billing_page.c — draws the dashboard's Settings > Billing page: the
 * billing information form with the VAT ID's status and when it was
 * checked, Add Credits (the platform's minutes through Stripe Checkout),
 * the invoices (50 a page, newest first, each with its PDF), those the
 * agency issued to its clients when there are any (paged the same way), and the
 * bring-your-own-key provider keys with what BYOK means for costs. A
 * refused form comes back with its complaints beside its fields and what
 * was typed, except keys. The forms themselves are billing.c and
 * billing_keys.c.
 */
#include "web/billing_int.h"

#include <stdio.h>
#include <string.h>

#include "core/cursor.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "core/vat.h"
#include "services/billing.h"
#include "services/invoices.h"

#define INVOICE_PAGE 50
#define KEYS_MAX 16

/* Countries named in the select; the rest show their code alone. */
static const struct {
	const char *code, *name;
} country_names[] = {
	{ "AT", "Austria" },  { "BE", "Belgium" },        { "BG", "Bulgaria" },
	{ "CA", "Canada" },   { "CH", "Switzerland" },    { "CY", "Cyprus" },
	{ "CZ", "Czechia" },  { "DE", "Germany" },        { "DK", "Denmark" },
	{ "EE", "Estonia" },  { "ES", "Spain" },          { "FI", "Finland" },
	{ "FR", "France" },   { "GB", "United Kingdom" }, { "GR", "Greece" },
	{ "HR", "Croatia" },  { "HU", "Hungary" },        { "IE", "Ireland" },
	{ "IT", "Italy" },    { "LT", "Lithuania" },      { "LU", "Luxembourg" },
	{ "LV", "Latvia" },   { "MT", "Malta" },          { "NL", "Netherlands" },
	{ "NO", "Norway" },   { "PL", "Poland" },         { "PT", "Portugal" },
	{ "RO", "Romania" },  { "SE", "Sweden" },         { "SI", "Slovenia" },
	{ "SK", "Slovakia" }, { "US", "United States" },
};

/* How a field's complaint reads: its label before the validator's words,
 * or the words alone (they name the field themselves). */
static const struct {
	const char *field, *label;
} labels[] = {
	{ "company_name", "Company name" }, { "address", "Address" },
	{ "country", "Country" },           { "vat_id", NULL },
	{ "client_invoices", NULL },        { "minutes", "Minutes" },
	{ "billing_info", "First" },        { "api_key", "The key" },
	{ "provider", "The provider" },
};

int
billing_refused_status(const struct wl_error *err)
{
	return err->code == WL_EVALIDATION || err->code == WL_EINVALID
		       ? 422
		       : wl_error_http_status(err->code);
}

bool
billing_is_agency(const struct wl_req *req)
{
	return req->org.parent_id[0] == '\0';
}

static const char *
country_name(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof(country_names) / sizeof(country_names[0]); i++)
		if (strcmp(country_names[i].code, code) == 0)
			return country_names[i].name;
	return NULL;
}

static void
put_complaints(struct tpl_data *d, const char *prefix, const struct wl_error *err)
{
	char name[80];
	size_t j;
	int f;

	for (f = 0; f < err->nfields; f++) {
		const char *label = "";
		bool known = false;

		for (j = 0; j < sizeof(labels) / sizeof(labels[0]) && !known; j++)
			if (strcmp(labels[j].field, err->fields[f].name) == 0) {
				known = true;
				label = labels[j].label;
			}
		snprintf(name, sizeof(name), "%s%s", prefix, err->fields[f].name);
		if (label != NULL && label[0] != '\0')
			tpl_putf(d, name, "%s %s.", label, err->fields[f].message);
		else
			tpl_putf(d, name, "%s.", err->fields[f].message);
	}
	snprintf(name, sizeof(name), "%serror", prefix);
	tpl_put(d, name,
		err->nfields == 0 ? err->message
				  : "Some fields need your attention: see the messages in red.");
}

/* "2026-01-31 12:34 UTC" */
static void
put_minute(struct tpl_data *d, const char *key, int64_t ms)
{
	char t[WL_CURSOR_TEXT_MAX];

	wl_format_iso_ms(ms, t);
	t[16] = '\0';
	t[10] = ' ';
	tpl_putf(d, key, "%s UTC", t);
}

static const char *
vat_badge(const char *status)
{
	return strcmp(status, "valid") == 0     ? "badge-success"
	       : strcmp(status, "invalid") == 0 ? "badge-danger"
						: "badge-neutral";
}

static const char *
vat_words(const char *status)
{
	return strcmp(status, "valid") == 0     ? "Valid (confirmed by VIES)"
	       : strcmp(status, "invalid") == 0 ? "Not valid (VIES)"
	       : strcmp(status, "format") == 0  ? "Format checked"
						: "No VAT ID";
}

static void
put_countries(struct tpl_data *d, const char *selected)
{
	struct tpl_data *item;
	const char *name;
	char c[3];
	size_t i;

	tpl_put_list(d, "countries");
	for (i = 0; vat_country_nth(i, c); i++) {
		item = tpl_push(d, "countries");
		tpl_put(item, "code", c);
		if ((name = country_name(c)) != NULL)
			tpl_putf(item, "label", "%s — %s", c, name);
		else
			tpl_put(item, "label", c);
		tpl_put_bool(item, "selected", strcmp(c, selected) == 0);
	}
}

/* The form's values: typed ones after a refusal, else the stored ones. */
static void
put_info(struct wl_req *req, struct tpl_data *d, const struct store_billing_info *b, bool have,
	 bool typed)
{
	const char *v;

	if (have) {
		tpl_put_bool(d, "has_info", true);
		tpl_put(d, "vat_status", b->vat_status);
		tpl_put(d, "vat_status_words", vat_words(b->vat_status));
		tpl_put(d, "vat_badge", vat_badge(b->vat_status));
		tpl_put(d, "vat_detail", b->vat_check_detail);
		if (b->vat_checked_at > 0)
			put_minute(d, "vat_checked", b->vat_checked_at);
		put_minute(d, "info_updated", b->updated_at);
	}
	tpl_put(d, "v_company_name",
		typed && (v = http_form(req, "company_name")) != NULL ? v
		: have                                                ? b->company_name
								      : "");
	tpl_put(d, "v_address",
		typed && (v = http_form(req, "address")) != NULL ? v
		: have                                           ? b->address
								 : "");
	tpl_put(d, "v_vat_id",
		typed && (v = http_form(req, "vat_id")) != NULL ? v
		: have                                          ? b->vat_id
								: "");
	put_countries(d, typed && (v = http_form(req, "country")) != NULL ? v
			 : have                                           ? b->country
									  : "");
	tpl_put_bool(d, "client_invoices",
		     typed ? http_form(req, "client_invoices") != NULL
			   : !have || b->client_invoices);
}

static void
put_invoice_row(struct wl_req *req, struct tpl_data *row, const struct store_invoice *v)
{
	char m[32], rate[16];

	tpl_put(row, "id", v->id);
	tpl_put(row, "number", v->number);
	tpl_put(row, "date", v->issue_date);
	tpl_put(row, "seller", v->seller_name);
	tpl_put(row, "buyer", v->buyer_name);
	tpl_putf(row, "minutes", "%lld", (long long)v->quantity);
	wl_format_cents(v->net_cents, m);
	tpl_put(row, "net", m);
	wl_format_cents(v->vat_cents, m);
	tpl_put(row, "vat", m);
	vat_format_rate((int)v->vat_rate_bp, rate);
	tpl_putf(row, "rate", "%s%%", rate);
	wl_format_cents(v->gross_cents, m);
	tpl_put(row, "gross", m);
	tpl_put(row, "currency", v->currency);
	tpl_put(row, "rule", v->vat_rule);
	tpl_put(row, "rule_words", v->vat_wording);
	tpl_putf(row, "pdf", "/dashboard/billing/invoices/%s.pdf%s", v->id, web_org_query(req));
}

/* One page of the org's invoices as buyer (template names as given) or
 * as seller (each prefixed "sold_", the query's cursor "sold_after"),
 * after that cursor; false when they could not be read. */
static bool
put_invoices(struct wl_req *req, struct tpl_data *d, bool as_seller)
{
	const char *pre = as_seller ? "sold_" : "";
	const struct store_invoice *rows;
	char cursor_id[64] = "", next[WL_CURSOR_TEXT_MAX], name[32];
	const char *after;
	int64_t cursor_ms = 0;
	struct wl_error err;
	struct page pg;
	int i;

	snprintf(name, sizeof(name), "%safter", pre);
	after = http_query(req, name);
	if (after == NULL || wl_cursor_decode(after, &cursor_ms, cursor_id) != WL_OK)
		after = "";
	wl_error_clear(&err);
	if (invoices_list(req->conn, req->org.id, as_seller, cursor_ms, cursor_id, INVOICE_PAGE,
			  &pg, &err) != WL_OK)
		return false;
	tpl_put(d, name, after);
	snprintf(name, sizeof(name), "%sinvoices_any", pre);
	tpl_put_bool(d, name, pg.n > 0 || after[0] != '\0');
	snprintf(name, sizeof(name), "%sinvoices_paged", pre);
	tpl_put_bool(d, name, pg.more || after[0] != '\0');
	snprintf(name, sizeof(name), "%sinvoice_count", pre);
	tpl_putf(d, name, "%d%s", pg.n, pg.more ? "+" : "");
	snprintf(name, sizeof(name), "%sinvoices", pre);
	tpl_put_list(d, name);
	rows = pg.rows;
	for (i = 0; i < pg.n; i++)
		put_invoice_row(req, tpl_push(d, name), &rows[i]);
	snprintf(name, sizeof(name), "%snext_after", pre);
	if (pg.more && wl_cursor_encode(rows[pg.n - 1].issued_at, rows[pg.n - 1].id, next,
					sizeof(next)) == WL_OK)
		tpl_put(d, name, next);
	page_free(&pg);
	return true;
}

/* Every provider with whether a key is set; refused (may be NULL) names
 * the provider whose form was refused. */
static bool
put_keys(struct wl_req *req, struct tpl_data *d, const char *refused)
{
	char set[KEYS_MAX][32], price[32];
	struct tpl_data *item;
	const char *name;
	struct wl_error err;
	int i, j, n = 0;

	wl_error_clear(&err);
	if (billing_provider_keys(req->conn, req->org.id, set, KEYS_MAX, &n, &err) != WL_OK)
		return false;
	tpl_put_list(d, "providers");
	for (i = 0; (name = billing_provider_at(i)) != NULL; i++) {
		item = tpl_push(d, "providers");
		tpl_put(item, "provider", name);
		tpl_put_bool(item, "key_refused", refused != NULL && strcmp(refused, name) == 0);
		for (j = 0; j < n; j++)
			if (strcmp(set[j], name) == 0)
				tpl_put_bool(item, "key_set", true);
	}
	invoice_format_micro(req->app->price_micro_per_minute, price);
	tpl_put(d, "platform_price", price);
	return true;
}

static void
put_checkout(struct wl_req *req, struct tpl_data *d, bool typed)
{
	const char *v = typed ? http_form(req, "minutes") : NULL;
	char price[32];

	tpl_put_bool(d, "platform_on", req->app->platform_stripe_key[0] != '\0');
	tpl_putf(d, "minutes_min", "%d", BILLING_MINUTES_MIN);
	tpl_putf(d, "minutes_max", "%d", BILLING_MINUTES_MAX);
	tpl_put(d, "v_minutes", v != NULL ? v : "1000");
	invoice_format_micro(req->app->price_micro_per_minute, price);
	tpl_put(d, "minute_price", price);
}

static void
put_flash(struct wl_req *req, struct tpl_data *d)
{
	const char *saved = http_query(req, "saved");

	if (saved == NULL)
		return;
	if (strcmp(saved, "info") == 0)
		tpl_put(d, "flash", "Billing information saved.");
	else if (strcmp(saved, "key") == 0)
		tpl_put(d, "flash", "Provider key saved. It is stored encrypted and never shown.");
	else if (strcmp(saved, "key_removed") == 0)
		tpl_put(d, "flash", "Provider key removed.");
}

void
billing_page(struct wl_req *req, int status, enum billing_form form, const struct wl_error *err)
{
	struct tpl_data *d = web_page_data(req, "Billing", "billing");
	struct store_billing_info b;
	struct wl_error e;
	bool have = false, ok = d != NULL;

	if (d == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	if (err == NULL)
		put_flash(req, d);
	if (err != NULL)
		put_complaints(d,
			       form == BF_INFO       ? "ie_"
			       : form == BF_CHECKOUT ? "ce_"
						     : "ke_",
			       err);
	tpl_put_bool(d, "agency", billing_is_agency(req));
	if (billing_is_agency(req)) {
		wl_error_clear(&e);
		have = billing_get(req->conn, req->org.id, &b, &e) == WL_OK;
		ok = have || e.code == WL_ENOTFOUND;
		put_info(req, d, &b, have, err != NULL && form == BF_INFO);
		put_checkout(req, d, err != NULL && form == BF_CHECKOUT);
		ok = ok && put_invoices(req, d, false) && put_invoices(req, d, true);
	}
	ok = ok && put_keys(req, d, err != NULL && form == BF_KEYS ? req->params[0] : NULL);
	if (!ok) {
		tpl_data_free(d);
		web_error_page(req, 503, NULL, "Your billing could not be read. Please refresh.");
		return;
	}
	web_render(req, status, "billing", d);
}
