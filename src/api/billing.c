/*
 * billing.c — the platform billing API of a parent org:
 *   GET/PUT /api/v1/billing-info        company, address, country, VAT ID
 *   POST    /api/v1/billing/checkout    {"minutes":N} → {"url"} (Stripe Checkout)
 *   GET     /api/v1/invoices[?role=]    the org's invoices as buyer (or seller), paged
 *   GET     /api/v1/invoices/{id}[.pdf] one invoice as JSON, or its PDF
 *   POST    /api/webhooks/stripe        the operator's Stripe webhook
 * Rules live in services/billing.c, invoices.c and stripe_events.c.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "core/cursor.h"
#include "core/timeutil.h"
#include "core/vat.h"
#include "log.h"
#include "services/billing.h"
#include "services/invoices.h"
#include "services/stripe_events.h"

static void
render_billing(struct wl_buf *b, const struct store_billing_info *v)
{
	char t[WL_CURSOR_TEXT_MAX];

	wl_json_obj_begin(b);
	wl_json_kv_str(b, "company_name", v->company_name);
	wl_json_kv_str(b, "address", v->address);
	wl_json_kv_str(b, "country", v->country);
	wl_json_kv_str(b, "vat_id", v->vat_id[0] ? v->vat_id : NULL);
	wl_json_kv_str(b, "vat_status", v->vat_status);
	if (v->vat_checked_at > 0) {
		wl_format_iso_ms(v->vat_checked_at, t);
		wl_json_kv_str(b, "vat_checked_at", t);
	} else {
		wl_json_kv_str(b, "vat_checked_at", NULL);
	}
	wl_json_kv_str(b, "vat_check_detail", v->vat_check_detail);
	wl_json_kv_bool(b, "client_invoices", v->client_invoices);
	wl_json_obj_end(b);
}

void
api_billing_info_get(struct wl_req *req)
{
	struct store_billing_info b;
	struct wl_error err;

	if (!api_parent_only(req))
		return;
	wl_error_clear(&err);
	if (billing_get(req->conn, req->org.id, &b, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	render_billing(&req->out, &b);
	http_reply_json(req, 200);
}

static void
info_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	render_billing(&req->out, &((struct billing_put *)arg)->info);
	http_reply_json(req, 200);
}

static void
vies_work(struct wl_req *req, void *arg)
{
	billing_vies_check(req->app, &((struct billing_put *)arg)->info, wl_now_ms());
	http_submit(req, billing_put_run, arg, info_finish);
}

/* A string member, NULL when absent or null; a non-string is a field error. */
static const char *
opt_string(json_t *body, const char *name, struct wl_error *err)
{
	json_t *v = json_object_get(body, name);

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
		wl_error_field(err, name, "must be a string");
		return NULL;
	}
	return json_string_value(v);
}

void
api_billing_info_put(struct wl_req *req)
{
	static const char *const known[] = { "company_name", "address",         "country",
					     "vat_id",       "client_invoices", NULL };
	struct store_billing_info prev;
	struct billing_put *b;
	struct billing_input in;
	struct wl_error err;
	json_t *body, *ci;
	bool have_prev;

	if (!api_parent_only(req) || (body = api_body_object(req)) == NULL)
		return;
	wl_error_clear(&err);
	b = http_alloc(req, sizeof(*b));
	if (b == NULL || api_unknown_fields_named(body, known, &err) != WL_OK)
		goto fail;
	memset(&in, 0, sizeof(in));
	in.company_name = opt_string(body, "company_name", &err);
	in.address = opt_string(body, "address", &err);
	in.country = opt_string(body, "country", &err);
	in.vat_id = opt_string(body, "vat_id", &err);
	ci = json_object_get(body, "client_invoices");
	in.client_invoices = ci == NULL || json_is_null(ci) ? -1 : json_is_true(ci) ? 1 : 0;
	if (ci != NULL && !json_is_null(ci) && !json_is_boolean(ci))
		wl_error_field(&err, "client_invoices", "must be true or false");
	have_prev = billing_get(req->conn, req->org.id, &prev, &(struct wl_error){ 0 }) == WL_OK;
	if (billing_validate(req->org.id, &in, have_prev ? &prev : NULL, req->now_ms, &b->info,
			     &err) != WL_OK)
		goto fail;
	json_decref(body);
	http_actor(req, &b->actor);
	if (billing_wants_vies(req->app, &b->info))
		http_offload(req, vies_work, b);
	else
		http_submit(req, billing_put_run, b, info_finish);
	return;
fail:
	json_decref(body);
	if (b == NULL)
		wl_fail(&err, WL_EUNAVAILABLE, "out of memory");
	http_reply_error(req, &err);
}

/* ---- buying minutes ------------------------------------------------------------ */

static void
checkout_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct billing_checkout *p = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	wl_json_obj_begin(&req->out);
	wl_json_kv_str(&req->out, "url", p->session.url);
	wl_json_kv_str(&req->out, "session_id", p->session.id);
	wl_json_kv_int(&req->out, "minutes", p->minutes);
	wl_json_kv_int(&req->out, "net_cents", p->net_cents);
	wl_json_kv_int(&req->out, "vat_rate_bp", p->vat_rate_bp);
	wl_json_kv_int(&req->out, "vat_cents", p->vat_cents);
	wl_json_kv_int(&req->out, "gross_cents", p->gross_cents);
	wl_json_kv_str(&req->out, "currency", "EUR");
	wl_json_kv_str(&req->out, "vat_rule", p->vat_rule);
	wl_json_obj_end(&req->out);
	http_reply_json(req, 200);
}

static void
checkout_work(struct wl_req *req, void *arg)
{
	struct wl_error err;

	wl_error_clear(&err);
	if (billing_checkout_start(req->app, arg, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_submit(req, billing_checkout_record_run, arg, checkout_finish);
}

void
api_billing_checkout(struct wl_req *req)
{
	static const char *const known[] = { "minutes", NULL };
	struct billing_checkout *p;
	struct wl_error err;
	json_t *body;

	if ((body = api_body_object(req)) == NULL)
		return;
	wl_error_clear(&err);
	p = http_alloc(req, sizeof(*p));
	if (p == NULL) {
		json_decref(body);
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	memset(p, 0, sizeof(*p));
	if (api_unknown_fields_named(body, known, &err) != WL_OK ||
	    api_int(body, "minutes", true, BILLING_MINUTES_MIN, BILLING_MINUTES_MAX, &p->minutes,
		    &err) != WL_OK ||
	    billing_checkout_prepare(req->conn, req->app, &req->org, p, &err) != WL_OK) {
		json_decref(body);
		http_reply_error(req, &err);
		return;
	}
	json_decref(body);
	http_offload(req, checkout_work, p);
}

/* ---- invoices ------------------------------------------------------------------ */

void
api_render_invoice(struct wl_buf *b, const void *row)
{
	const struct store_invoice *v = row;
	char t[WL_CURSOR_TEXT_MAX], path[96];

	wl_json_obj_begin(b);
	wl_json_kv_str(b, "id", v->id);
	wl_json_kv_str(b, "number", v->number);
	wl_json_kv_str(b, "issue_date", v->issue_date);
	wl_format_iso_ms(v->issued_at, t);
	wl_json_kv_str(b, "issued_at", t);
	wl_json_kv_str(b, "seller", v->seller_name);
	wl_json_kv_str(b, "seller_country", v->seller_country);
	wl_json_kv_str(b, "seller_vat_id", v->seller_vat_id[0] ? v->seller_vat_id : NULL);
	wl_json_kv_str(b, "buyer", v->buyer_name);
	wl_json_kv_str(b, "buyer_country", v->buyer_country);
	wl_json_kv_str(b, "buyer_vat_id", v->buyer_vat_id[0] ? v->buyer_vat_id : NULL);
	wl_json_kv_str(b, "description", v->description);
	wl_json_kv_int(b, "minutes", v->quantity);
	wl_json_kv_int(b, "unit_price_micro", v->unit_price_micro);
	wl_json_kv_int(b, "net_cents", v->net_cents);
	wl_json_kv_int(b, "vat_rate_bp", v->vat_rate_bp);
	wl_json_kv_int(b, "vat_cents", v->vat_cents);
	wl_json_kv_int(b, "gross_cents", v->gross_cents);
	wl_json_kv_str(b, "currency", v->currency);
	wl_json_kv_str(b, "vat_rule", v->vat_rule);
	wl_json_kv_str(b, "vat_wording", v->vat_wording);
	wl_json_kv_str(b, "vat_note", v->vat_note[0] ? v->vat_note : NULL);
	snprintf(path, sizeof(path), "/api/v1/invoices/%s.pdf", v->id);
	wl_json_kv_str(b, "pdf_url", path);
	wl_json_obj_end(b);
}

static void
invoice_cursor(const void *row, int64_t *ms, const char **id)
{
	const struct store_invoice *v = row;

	*ms = v->issued_at;
	*id = v->id;
}

void
api_invoices_list(struct wl_req *req)
{
	static const struct api_list_shape shape = { "invoices", api_render_invoice,
						     invoice_cursor };
	struct page pg;
	struct wl_error err;
	int64_t cursor_ms;
	char cursor_id[64];
	bool as_seller;
	int limit;

	wl_error_clear(&err);
	if (invoices_role(http_query(req, "role"), &as_seller, &err) != WL_OK ||
	    api_page(req, 50, PAGE_MAX, &limit, &cursor_ms, cursor_id, &err) != WL_OK ||
	    invoices_list(req->conn, req->org.id, as_seller, cursor_ms, cursor_id, limit, &pg,
			  &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_reply_list(req, &shape, &pg);
}

void
api_invoice_get(struct wl_req *req)
{
	struct store_invoice v;
	struct wl_error err;
	char id[64];
	size_t n = strlen(req->params[0]);
	bool pdf = n > 4 && strcmp(req->params[0] + n - 4, ".pdf") == 0;

	snprintf(id, sizeof(id), "%.*s", (int)(pdf ? n - 4 : n), req->params[0]);
	wl_error_clear(&err);
	if (invoices_get(req->conn, req->org.id, id, &v, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	if (!pdf) {
		api_render_invoice(&req->out, &v);
		http_reply_json(req, 200);
		return;
	}
	wl_buf_reset(&req->out);
	if (invoice_pdf_render(&v, &req->out, &err) != WL_OK) {
		wl_buf_reset(&req->out);
		http_reply_error(req, &err);
		return;
	}
	snprintf(id, sizeof(id), "inline; filename=\"%s.pdf\"", v.number);
	http_add_header(req, "Content-Disposition", id);
	http_reply_document(req, "application/pdf");
}

/* ---- the operator's Stripe webhook -------------------------------------------- */

static void
platform_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct stripe_delivery *d = arg;

	if (rc != WL_OK) {
		wl_log("platform stripe webhook: event %s not recorded: %s",
		       d->event_id[0] ? d->event_id : "-", err->message);
		http_reply_error(req, err);
		return;
	}
	wl_log("platform stripe webhook: event %s %s: %s%s%s (%s)",
	       d->event_id[0] ? d->event_id : "-", d->logged.signature, d->logged.outcome,
	       d->invoice_number[0] ? ", invoice " : "", d->invoice_number, d->logged.detail);
	if (d->verdict != STRIPE_SIG_OK) {
		http_reply_fail(req, WL_EINVALID, "Stripe-Signature: %s",
				stripe_sig_result_message(d->verdict));
		return;
	}
	wl_json_obj_begin(&req->out);
	wl_json_kv_bool(&req->out, "received", true);
	wl_json_kv_str(&req->out, "event_id", d->event_id[0] ? d->event_id : NULL);
	wl_json_kv_str(&req->out, "outcome", d->logged.outcome);
	wl_json_kv_str(&req->out, "invoice", d->invoice_number[0] ? d->invoice_number : NULL);
	wl_json_obj_end(&req->out);
	http_reply_json(req, 200);
}

void
api_platform_stripe_webhook(struct wl_req *req)
{
	struct stripe_delivery *d;

	if (req->app->platform_webhook_secret[0] == '\0') {
		http_reply_fail(req, WL_ENOTFOUND, "Buying minutes is not configured here");
		return;
	}
	d = http_alloc(req, sizeof(*d));
	if (d == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	d->app = req->app;
	stripe_events_read(d, "", req->app->platform_webhook_secret,
			   http_header(req, "Stripe-Signature"),
			   req->body.p != NULL ? req->body.p : "", req->body.len, req->now_ms);
	d->platform = true;
	http_job_order(req, d->named_org_id);
	http_submit(req, stripe_events_run, d, platform_finish);
}
