/*
 * billing.c — the forms of the dashboard's Settings > Billing page:
 *   GET  /dashboard/billing                 the page (billing_page.c)
 *   POST /dashboard/billing/info            billing information (VIES on a worker)
 *   POST /dashboard/billing/checkout        Add Credits: 303 to Stripe Checkout
 *   GET  /dashboard/billing/return          where Stripe sends the buyer back
 *   GET  /dashboard/billing/invoices/{id}.pdf  an invoice's PDF, by session
 * Each fills what the JSON API fills and calls the same services
 * (services/billing.c, invoices.c); refusals show the page again with the
 * complaints beside the fields.
 */
#include "web/billing_int.h"

#include <stdio.h>
#include <string.h>

#include "core/money.h"
#include "core/stripe.h"
#include "core/timeutil.h"
#include "services/billing.h"
#include "services/invoices.h"
#include "services/purchases.h"

#define AGENCY_ONLY \
	"Billing information, credits and invoices belong to the agency: switch back to " \
	"your agency to change them."

void
web_billing(struct wl_req *req)
{
	billing_page(req, 200, BF_NONE, NULL);
}

static bool
agency_form(struct wl_req *req)
{
	if (billing_is_agency(req))
		return true;
	web_error_page(req, 403, NULL, AGENCY_ONLY);
	return false;
}

/* A form field, NULL when absent; over max bytes is a complaint. */
static const char *
take(struct wl_req *req, const char *name, size_t max, struct wl_error *err)
{
	const char *v = http_form(req, name);

	if (v != NULL && strlen(v) > max) {
		wl_error_field(err, name, "must be at most %zu characters", max);
		return NULL;
	}
	return v;
}

/* ---- billing information ------------------------------------------------------ */

/* A textarea's lines end in CR LF: the address keeps LF alone. */
static const char *
lf_only(struct wl_req *req, const char *v)
{
	char *copy;
	size_t i, n = 0;

	if (v == NULL || (copy = http_alloc(req, strlen(v) + 1)) == NULL)
		return v;
	for (i = 0; v[i] != '\0'; i++)
		if (!(v[i] == '\r' && v[i + 1] == '\n'))
			copy[n++] = v[i];
	copy[n] = '\0';
	return copy;
}

static void
info_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	(void)arg;
	if (rc != WL_OK) {
		web_error_page(req, billing_refused_status(err), NULL, err->message);
		return;
	}
	http_redirect(req, "/dashboard/billing?saved=info#billing-info");
}

static void
info_vies_work(struct wl_req *req, void *arg)
{
	billing_vies_check(req->app, &((struct billing_put *)arg)->info, wl_now_ms());
	http_submit(req, billing_put_run, arg, info_finish);
}

void
web_billing_info(struct wl_req *req)
{
	struct billing_put *b = http_alloc(req, sizeof(*b));
	struct store_billing_info prev;
	struct billing_input in;
	struct wl_error err;
	bool have_prev;

	if (!agency_form(req))
		return;
	if (b == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	wl_error_clear(&err);
	memset(&in, 0, sizeof(in));
	in.company_name = take(req, "company_name", WL_NAME_MAX, &err);
	in.address = lf_only(req, take(req, "address", 2 * WL_ADDRESS_MAX, &err));
	in.country = take(req, "country", 2, &err);
	in.vat_id = take(req, "vat_id", 64, &err);
	/* an unticked checkbox is absent: the form always says on or off */
	in.client_invoices = http_form(req, "client_invoices") != NULL ? 1 : 0;
	have_prev = billing_get(req->conn, req->org.id, &prev, &(struct wl_error){ 0 }) == WL_OK;
	if (err.code != WL_OK || billing_validate(req->org.id, &in, have_prev ? &prev : NULL,
						  req->now_ms, &b->info, &err) != WL_OK) {
		billing_page(req, billing_refused_status(&err), BF_INFO, &err);
		return;
	}
	http_actor(req, &b->actor);
	if (billing_wants_vies(req->app, &b->info))
		http_offload(req, info_vies_work, b);
	else
		http_submit(req, billing_put_run, b, info_finish);
}

/* ---- Add Credits ------------------------------------------------------------------ */

static void
checkout_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct billing_checkout *p = arg;

	if (rc != WL_OK) {
		web_error_page(req, billing_refused_status(err), NULL, err->message);
		return;
	}
	http_redirect(req, p->session.url);
}

/* On a worker: Stripe, then the pending purchase through the writer. */
static void
checkout_work(struct wl_req *req, void *arg)
{
	struct wl_error err, shown;

	wl_error_clear(&err);
	if (billing_checkout_start(req->app, arg, &err) != WL_OK) {
		wl_error_clear(&shown);
		wl_fail(&shown, WL_EUNAVAILABLE,
			"The payment service did not start the payment (%s). Nothing was "
			"charged: please try again in a minute.",
			err.message);
		billing_page(req, 502, BF_CHECKOUT, &shown);
		return;
	}
	http_submit(req, billing_checkout_record_run, arg, checkout_finish);
}

static bool
take_minutes(struct wl_req *req, int64_t *out, struct wl_error *err)
{
	const char *v = http_form(req, "minutes");
	int64_t n = 0;
	size_t i;

	for (i = 0; v != NULL && v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 9)
			break;
		n = n * 10 + (v[i] - '0');
	}
	if (v == NULL || v[0] == '\0' || v[i] != '\0') {
		wl_error_field_why(err, "minutes", WL_FIELD_OUT_OF_RANGE,
				   "must be a whole number from %d to %d", BILLING_MINUTES_MIN,
				   BILLING_MINUTES_MAX);
		return false;
	}
	*out = n;
	return true;
}

void
web_billing_checkout(struct wl_req *req)
{
	struct billing_checkout *p = http_alloc(req, sizeof(*p));
	struct wl_error err;

	if (!agency_form(req))
		return;
	if (p == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	memset(p, 0, sizeof(*p));
	memcpy(p->user_id, req->user_id, WL_ID_LEN);
	wl_error_clear(&err);
	if (!take_minutes(req, &p->minutes, &err) ||
	    billing_checkout_prepare(req->conn, req->app, &req->org, p, &err) != WL_OK) {
		billing_page(req, billing_refused_status(&err), BF_CHECKOUT, &err);
		return;
	}
	http_offload(req, checkout_work, p);
}

/* ---- back from Stripe --------------------------------------------------------------- */

void
web_billing_return(struct wl_req *req)
{
	const char *sid = http_query(req, "session_id");
	struct tpl_data *d = web_page_data(req, "Add Credits", "billing");
	struct purchase_status st;
	struct wl_error err;
	char minutes[32];

	if (d == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	memset(&st, 0, sizeof(st));
	wl_error_clear(&err);
	if (sid != NULL && strlen(sid) <= WL_STRIPE_ID_MAX && stripe_id_ok(sid) &&
	    purchases_status(req->conn, req->org.id, sid, &st, &err) != WL_OK) {
		tpl_data_free(d);
		web_error_page(req, 503, NULL, "Your balance could not be read. Please refresh.");
		return;
	}
	tpl_put_bool(d, "cancelled", http_query(req, "cancelled") != NULL);
	tpl_put_bool(d, "found", st.found);
	tpl_put_bool(d, "paid", st.paid);
	tpl_putf(d, "minutes", "%lld", (long long)st.purchase.credits);
	wl_format_minutes(st.balance_seconds, minutes);
	tpl_put(d, "balance", minutes);
	web_render(req, 200, "billing_return", d);
}

/* ---- an invoice's PDF ---------------------------------------------------------------- */

void
web_billing_invoice(struct wl_req *req)
{
	struct store_invoice v;
	struct wl_error err;
	char id[64], disp[96];
	size_t n = strlen(req->params[0]);

	if (n <= 4 || strcmp(req->params[0] + n - 4, ".pdf") != 0) {
		web_error_page(req, 404, NULL, "There is no such invoice.");
		return;
	}
	snprintf(id, sizeof(id), "%.*s", (int)(n - 4), req->params[0]);
	wl_error_clear(&err);
	if (invoices_get(req->conn, req->org.id, id, &v, &err) != WL_OK) {
		web_error_page(req, err.code == WL_ENOTFOUND ? 404 : 503, NULL,
			       err.code == WL_ENOTFOUND ? "There is no such invoice."
							: "The invoice could not be read.");
		return;
	}
	wl_buf_reset(&req->out);
	if (invoice_pdf_render(&v, &req->out, &err) != WL_OK) {
		wl_buf_reset(&req->out);
		web_error_page(req, 500, NULL, "The invoice's PDF could not be made.");
		return;
	}
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s.pdf\"", v.number);
	http_add_header(req, "Content-Disposition", disp);
	http_reply_document(req, "application/pdf");
}
