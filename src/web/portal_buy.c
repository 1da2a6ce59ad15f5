/*
 * portal_buy.c — Buy Credits in an agency's portal: POST /p/:slug/buy
 * creates a Stripe Checkout Session with the agency's key (on a worker:
 * services/purchases.c), records the pending purchase and sends the client
 * to Stripe (303); GET /p/:slug/success?session_id= shows the new balance
 * once the webhook has credited it, "payment received, credits arriving"
 * until then. A Stripe error or time-out is a clear message to the client.
 */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

#include "core/money.h"
#include "core/stripe.h"
#include "core/validate.h"
#include "services/portal_accounts.h"
#include "services/purchases.h"

static void
not_started(struct wl_req *req, const struct wl_error *err)
{
	const char *why =
		err->code == WL_ENOTFOUND ? "This portal does not sell credits at the moment."
		: err->code == WL_EUNAVAILABLE || err->code == WL_ERATELIMITED
			? "The payment service did not answer in time. Nothing was charged: "
			  "please try again in a minute."
			: "The payment service refused to start the payment. Nothing was "
			  "charged: please try again later or contact us.";

	web_portal_message(req, err->code == WL_ENOTFOUND ? 404 : 502, false, "Payment not started",
			   why, "/dashboard", "Back to your dashboard");
}

static void
buy_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct purchase_checkout *p = arg;

	if (rc != WL_OK) {
		not_started(req, err);
		return;
	}
	http_redirect(req, p->session.url);
}

/* On a worker: Stripe, then the pending purchase through the writer. */
static void
buy_work(struct wl_req *req, void *arg)
{
	struct purchase_checkout *p = arg;
	struct wl_error err;

	wl_error_clear(&err);
	if (purchases_checkout_start(req->conn, req->app, p, &err) != WL_OK) {
		not_started(req, &err);
		return;
	}
	http_submit(req, purchases_record_run, p, buy_finish);
}

void
web_portal_buy(struct wl_req *req)
{
	struct purchase_checkout *p = http_alloc(req, sizeof(*p));
	struct portal_brand *b = http_alloc(req, sizeof(*b));
	const char *attempt = http_form(req, "attempt");

	if (p == NULL || b == NULL) {
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	memset(p, 0, sizeof(*p));
	memcpy(p->agency_id, req->portal->org_id, WL_ID_LEN);
	memcpy(p->org_id, req->org.id, WL_ID_LEN);
	memcpy(p->user_id, req->user_id, WL_ID_LEN);
	web_portal_brand_of(req, b);
	snprintf(p->origin, sizeof(p->origin), "%s", b->url);
	if (attempt != NULL && wl_valid_token(attempt, 64))
		snprintf(p->attempt, sizeof(p->attempt), "%s", attempt);
	http_offload(req, buy_work, p);
}

void
web_portal_success(struct wl_req *req)
{
	const char *sid = http_query(req, "session_id");
	struct purchase_status st;
	struct tpl_data *d;
	struct wl_error err;
	char minutes[32];

	if (sid == NULL || strlen(sid) > WL_STRIPE_ID_MAX || !stripe_id_ok(sid)) {
		web_portal_error_page(req, 404, "Not found", "There is no such payment.");
		return;
	}
	wl_error_clear(&err);
	if (purchases_status(req->conn, req->org.id, sid, &st, &err) != WL_OK) {
		web_portal_error_page(req, 503, "Busy",
				      "Your balance could not be read. Please refresh.");
		return;
	}
	if ((d = web_portal_data(req, st.paid ? "Thank you" : "Payment received")) == NULL) {
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	tpl_put_bool(d, "paid", st.paid);
	tpl_putf(d, "credits", "%lld", (long long)st.purchase.credits);
	wl_format_minutes(st.balance_seconds, minutes);
	tpl_put(d, "balance", minutes);
	web_render(req, 200, "portal_success", d);
}
