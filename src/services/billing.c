/*
 * billing.c — billing information with its VAT ID checks, buying the
 * platform's minutes through the operator's Stripe account, and BYOK
 * provider keys (see billing.h).
 */
#include "services/billing.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "core/money.h"
#include "core/timeutil.h"
#include "core/vat.h"
#include "log.h"
#include "services/ids.h"
#include "services/secrets.h"
#include "services/whitelabel.h"

#define VIES_TIMEOUT_MS 10000
#define VIES_ANSWER_MAX (64 * 1024)

static bool
printable(const char *s, bool newlines)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < ' ' && !(newlines && *s == '\n')) || *s == 0x7f)
			return false;
	return true;
}

static void
text_field(const char *name, const char *v, size_t max, bool newlines, char *out, size_t n,
	   struct wl_error *err)
{
	if (v == NULL || v[0] == '\0')
		wl_error_field_why(err, name, WL_FIELD_REQUIRED, "is required");
	else if (strlen(v) > max)
		wl_error_field_why(err, name, WL_FIELD_TOO_LONG, "must be at most %zu characters",
				   max);
	else if (!printable(v, newlines))
		wl_error_field(err, name, "must not contain control characters");
	else
		snprintf(out, n, "%s", v);
}

int
billing_validate(const char *org_id, const struct billing_input *in,
		 const struct store_billing_info *prev, int64_t now_ms,
		 struct store_billing_info *out, struct wl_error *err)
{
	struct wl_error vat_err;
	char country[3] = "";

	memset(out, 0, sizeof(*out));
	snprintf(out->org_id, sizeof(out->org_id), "%s", org_id);
	text_field("company_name", in->company_name, WL_NAME_MAX, false, out->company_name,
		   sizeof(out->company_name), err);
	text_field("address", in->address, WL_ADDRESS_MAX, true, out->address, sizeof(out->address),
		   err);
	if (in->country != NULL && strlen(in->country) == 2) {
		country[0] = (char)(in->country[0] & ~0x20);
		country[1] = (char)(in->country[1] & ~0x20);
	}
	if (!vat_country_ok(country))
		wl_error_field(err, "country", "must be an ISO 3166-1 alpha-2 code such as NL");
	else
		memcpy(out->country, country, sizeof(out->country));
	snprintf(out->vat_status, sizeof(out->vat_status), "none");
	if (in->vat_id != NULL && in->vat_id[0] != '\0' && out->country[0] != '\0') {
		wl_error_clear(&vat_err);
		if (vat_id_normalize(out->country, in->vat_id, out->vat_id, &vat_err) != WL_OK)
			wl_error_field(err, "vat_id", "%s", vat_err.message);
		else
			snprintf(out->vat_status, sizeof(out->vat_status), "format");
	}
	if (out->vat_id[0] != '\0' && vat_eu_member(out->country))
		snprintf(out->vat_check_detail, sizeof(out->vat_check_detail),
			 "format checked; not confirmed with VIES");
	out->client_invoices = in->client_invoices < 0 ? (prev == NULL || prev->client_invoices)
						       : in->client_invoices == 1;
	out->updated_at = now_ms;
	return err->code;
}

bool
billing_wants_vies(const struct wl_app *app, const struct store_billing_info *b)
{
	return app->vies_url[0] != '\0' && b->vat_id[0] != '\0' && vat_eu_member(b->country);
}

static size_t
on_answer(char *p, size_t size, size_t n, void *userdata)
{
	struct wl_buf *b = userdata;

	if (b->len + size * n > b->max)
		return 0;
	wl_buf_append(b, p, size * n);
	return wl_buf_ok(b) ? size * n : 0;
}

/* One exchange with the VIES-style service: 1 valid, 0 not valid, -1 no
 * usable answer (why in detail). */
static int
vies_ask(const struct wl_app *app, const struct store_billing_info *b, char *detail, size_t n)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct wl_buf body, answer;
	json_t *root = NULL;
	long status = 0;
	CURLcode rc;
	int verdict = -1;

	wl_buf_init(&body, 256);
	wl_buf_init(&answer, VIES_ANSWER_MAX);
	wl_json_obj_begin(&body);
	wl_json_kv_str(&body, "countryCode", vat_prefix(b->country));
	wl_json_kv_str(&body, "vatNumber", b->vat_id + 2);
	wl_json_obj_end(&body);
	h = curl_slist_append(h, "Content-Type: application/json");
	if (c == NULL || h == NULL || !wl_buf_ok(&body)) {
		snprintf(detail, n, "VIES not asked: out of memory");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, app->vies_url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)VIES_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, wl_buf_cstr(&body));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		snprintf(detail, n, "VIES not reached (%s); format checked only",
			 curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	root = json_loadb(answer.p != NULL ? answer.p : "", answer.len, 0, NULL);
	if (status < 200 || status > 299 || !json_is_boolean(json_object_get(root, "valid"))) {
		snprintf(detail, n, "VIES gave no answer (HTTP %ld); format checked only", status);
		goto out;
	}
	verdict = json_is_true(json_object_get(root, "valid")) ? 1 : 0;
out:
	json_decref(root);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	wl_buf_free(&body);
	wl_buf_free(&answer);
	return verdict;
}

void
billing_vies_check(const struct wl_app *app, struct store_billing_info *b, int64_t now_ms)
{
	char detail[200] = "";
	int v;

	if (!billing_wants_vies(app, b))
		return;
	v = vies_ask(app, b, detail, sizeof(detail));
	if (v < 0) {
		wl_log("billing: org %s: %s", b->org_id, detail);
		snprintf(b->vat_check_detail, sizeof(b->vat_check_detail), "%s", detail);
		return;
	}
	snprintf(b->vat_status, sizeof(b->vat_status), "%s", v ? "valid" : "invalid");
	snprintf(b->vat_check_detail, sizeof(b->vat_check_detail), "%s",
		 v ? "confirmed by VIES" : "VIES says this VAT ID is not valid");
	b->vat_checked_at = now_ms;
}

static void
diff_text(struct wl_buf *d, const char *key, const char *was, const char *now, int *n)
{
	if (strcmp(was, now) == 0)
		return;
	wl_json_kv_str(d, key, now[0] != '\0' ? now : NULL);
	(*n)++;
}

/* The audit event of a save: the fields that changed since prev (NULL =
 * the first save: every field), none = no event. */
static int
put_trail(struct store_conn *c, const struct billing_put *p, const struct store_billing_info *prev,
	  struct wl_error *err)
{
	static const struct store_billing_info none;
	const struct store_billing_info *a = prev != NULL ? prev : &none, *b = &p->info;
	struct wl_buf d;
	int n = 0, rc = WL_OK;

	trail_detail_begin(&d);
	diff_text(&d, "company_name", a->company_name, b->company_name, &n);
	diff_text(&d, "address", a->address, b->address, &n);
	diff_text(&d, "country", a->country, b->country, &n);
	diff_text(&d, "vat_id", a->vat_id, b->vat_id, &n);
	if (prev == NULL || a->client_invoices != b->client_invoices) {
		wl_json_kv_bool(&d, "client_invoices", b->client_invoices);
		n++;
	}
	if (n > 0)
		rc = trail_record(c, &p->actor, b->org_id, NULL, TRAIL_BILLING_INFO, &d,
				  b->updated_at, err);
	trail_detail_free(&d);
	return rc;
}

int
billing_put_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct billing_put *p = arg;
	struct store_billing_info prev;
	bool had;
	int rc;

	rc = store_billing_get(c, p->info.org_id, &prev, err);
	had = rc == WL_OK;
	if (rc == WL_ENOTFOUND) {
		wl_error_clear(err);
		rc = WL_OK;
	}
	if (rc == WL_OK)
		rc = store_billing_put(c, &p->info, err);
	if (rc == WL_OK)
		rc = put_trail(c, p, had ? &prev : NULL, err);
	return rc;
}

int
billing_get(struct store_conn *c, const char *org_id, struct store_billing_info *out,
	    struct wl_error *err)
{
	return store_billing_get(c, org_id, out, err);
}

/* ---- buying the platform's minutes ------------------------------------------ */

int
billing_checkout_prepare(struct store_conn *c, const struct wl_app *app,
			 const struct store_org *org, struct billing_checkout *p,
			 struct wl_error *err)
{
	struct store_billing_info b;
	struct vat_decision d;
	int rc;

	if (app->platform_stripe_key[0] == '\0')
		return wl_fail(err, WL_EUNAVAILABLE,
			       "Buying minutes is not configured on this platform");
	if (org->parent_id[0] != '\0')
		return wl_fail(err, WL_EFORBIDDEN,
			       "Client organizations buy credits on their agency's portal");
	if (p->minutes < BILLING_MINUTES_MIN || p->minutes > BILLING_MINUTES_MAX) {
		wl_error_field_why(err, "minutes", WL_FIELD_OUT_OF_RANGE,
				   "must be a whole number from %d to %d", BILLING_MINUTES_MIN,
				   BILLING_MINUTES_MAX);
		return err->code;
	}
	rc = store_billing_get(c, org->id, &b, err);
	if (rc == WL_ENOTFOUND) {
		wl_error_clear(err);
		wl_error_field_why(err, "billing_info", WL_FIELD_REQUIRED,
				   "enter your billing information (company, address, country) "
				   "before buying: the VAT depends on it");
		return err->code;
	}
	if (rc != WL_OK)
		return rc;
	rc = vat_decide(&app->vat, app->seller_country, b.country, vat_id_status_of(b.vat_status),
			wl_now_ms() / 86400000, &d, err);
	if (rc != WL_OK)
		return rc;
	snprintf(p->org_id, sizeof(p->org_id), "%s", org->id);
	p->net_cents = wl_credits_cost_cents(p->minutes, app->price_micro_per_minute);
	p->vat_rate_bp = d.rate_bp;
	p->vat_cents = vat_of_net(p->net_cents, d.rate_bp);
	p->gross_cents = p->net_cents + p->vat_cents;
	snprintf(p->vat_rule, sizeof(p->vat_rule), "%s", d.rule_name);
	return WL_OK;
}

int
billing_checkout_start(const struct wl_app *app, struct billing_checkout *p, struct wl_error *err)
{
	struct stripe_api api = { app->stripe_api[0] ? app->stripe_api : NULL, 0, 0 };
	struct stripe_price_data pd;
	struct stripe_checkout req;
	char origin[512], success[600], cancel[600], name[80], idem[64], uuid[WL_ID_LEN];
	int rc;

	whitelabel_platform_url(app, origin, sizeof(origin));
	snprintf(success, sizeof(success), "%s/dashboard/billing/return", origin);
	snprintf(cancel, sizeof(cancel), "%s/dashboard/billing/return?cancelled=1", origin);
	snprintf(name, sizeof(name), "%lld calling minutes", (long long)p->minutes);
	ids_new_uuid(uuid);
	snprintf(idem, sizeof(idem), "wlportal-minutes-%s", uuid);
	pd.currency = "eur";
	pd.unit_amount = p->gross_cents;
	pd.product_name = name;
	memset(&req, 0, sizeof(req));
	req.price_data = &pd;
	req.success_url = success;
	req.cancel_url = cancel;
	req.client_reference_id = p->org_id;
	req.org_id = p->org_id;
	req.user_id = p->user_id;
	rc = stripe_session_create(&api, app->platform_stripe_key, &req, idem, &p->session,
				   &p->detail, err);
	if (rc != WL_OK) {
		wl_log("platform checkout: org %s: %s (http %ld, %s)", p->org_id, err->message,
		       p->detail.http_status, p->detail.code[0] ? p->detail.code : "-");
		return rc;
	}
	if (strlen(p->session.id) > WL_STRIPE_ID_MAX)
		return wl_fail(err, WL_EUNAVAILABLE, "Stripe answered a session id too long");
	memset(&p->purchase, 0, sizeof(p->purchase));
	ids_new_uuid(p->purchase.id);
	memcpy(p->purchase.agency_id, p->org_id, WL_ID_LEN); /* the buyer: see store.h */
	memcpy(p->purchase.org_id, p->org_id, WL_ID_LEN);
	memcpy(p->purchase.user_id, p->user_id, WL_ID_LEN);
	snprintf(p->purchase.session_id, sizeof(p->purchase.session_id), "%.200s", p->session.id);
	p->purchase.credits = p->minutes;
	p->purchase.amount_cents = p->gross_cents;
	snprintf(p->purchase.currency, sizeof(p->purchase.currency), "EUR");
	p->purchase.created_at = wl_now_ms();
	p->purchase.net_cents = p->net_cents;
	p->purchase.vat_rate_bp = p->vat_rate_bp;
	snprintf(p->purchase.vat_rule, sizeof(p->purchase.vat_rule), "%s", p->vat_rule);
	return WL_OK;
}

int
billing_checkout_record_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct billing_checkout *p = arg;

	return store_purchase_pending_platform(c, &p->purchase, err);
}

/* ---- bring your own key ------------------------------------------------------ */

static const char *const providers[] = { "openai", "anthropic", "deepgram", "elevenlabs",
					 "cartesia" };

const char *
billing_provider_at(int i)
{
	return i >= 0 && (size_t)i < sizeof(providers) / sizeof(providers[0]) ? providers[i] : NULL;
}

bool
billing_provider_known(const char *name)
{
	int i;

	for (i = 0; name != NULL && billing_provider_at(i) != NULL; i++)
		if (strcmp(name, billing_provider_at(i)) == 0)
			return true;
	return false;
}

int
billing_provider_key_prepare(const struct wl_app *app, const char *org_id, const char *provider,
			     const char *key, int64_t now_ms, struct billing_provider_key *out,
			     struct wl_error *err)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!billing_provider_known(provider)) {
		wl_error_field(err, "provider", "must be one of " BILLING_PROVIDERS);
		return err->code;
	}
	snprintf(out->org_id, sizeof(out->org_id), "%s", org_id);
	snprintf(out->provider, sizeof(out->provider), "%s", provider);
	out->now_ms = now_ms;
	if (key == NULL || key[0] == '\0')
		return WL_OK;
	for (i = 0; key[i] != '\0'; i++)
		if (key[i] <= ' ' || key[i] > '~' || i >= BILLING_PROVIDER_KEY_MAX)
			break;
	if (key[i] != '\0' || i < BILLING_PROVIDER_KEY_MIN) {
		wl_error_field(err, "api_key",
			       "must be %d to %d printable ASCII characters without spaces",
			       BILLING_PROVIDER_KEY_MIN, BILLING_PROVIDER_KEY_MAX);
		return err->code;
	}
	return secrets_seal(app->master_key, key, &out->sealed, err);
}

int
billing_provider_key_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct billing_provider_key *k = arg;

	if (k->sealed == NULL)
		return store_provider_key_delete(c, k->org_id, k->provider, err);
	return store_provider_key_put(c, k->org_id, k->provider, k->sealed, k->now_ms, err);
}

void
billing_provider_key_free(struct billing_provider_key *k)
{
	secrets_free(k->sealed);
	k->sealed = NULL;
}

int
billing_provider_keys(struct store_conn *c, const char *org_id, char (*out)[32], int max, int *n,
		      struct wl_error *err)
{
	return store_provider_key_list(c, org_id, out, max, n, err);
}
