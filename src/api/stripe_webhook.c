/*
 * stripe_webhook.c — POST /api/webhooks/stripe/{slug}: the endpoint an
 * agency pastes into Stripe. Finds the agency by its slug (a former slug
 * too), verifies Stripe-Signature over the raw body with the agency's
 * webhook secret and hands the delivery to one writer job
 * (services/stripe_events.c), which logs it and credits a paid Checkout
 * Session once. No call to Stripe here: the answer is fast.
 *
 * Answers: 200 {"received":true,"outcome":…} for every verified delivery
 * (also one that is ignored, a duplicate or a mismatch: Stripe must not
 * retry those); 400 with the contract's error body for a missing or bad
 * signature (logged, nothing else changes); 404 for an unknown slug; 503
 * when the write could not be made (Stripe retries).
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "services/portals.h"
#include "services/secrets.h"
#include "services/stripe_events.h"

static void
webhook_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct stripe_delivery *d = arg;

	if (rc != WL_OK) {
		wl_log("stripe webhook: agency %s event %s not recorded: %s", d->agency_id,
		       d->event_id[0] ? d->event_id : "-", err->message);
		http_reply_error(req, err);
		return;
	}
	wl_log("stripe webhook: agency %s event %s %s: %s", d->agency_id,
	       d->event_id[0] ? d->event_id : "-", d->logged.signature, d->logged.outcome);
	metrics_stripe_event(d->logged.outcome);
	if (d->verdict != STRIPE_SIG_OK) {
		http_reply_fail(req, WL_EINVALID, "Stripe-Signature: %s",
				stripe_sig_result_message(d->verdict));
		return;
	}
	wl_json_obj_begin(&req->out);
	wl_json_kv_bool(&req->out, "received", true);
	wl_json_kv_str(&req->out, "event_id", d->event_id[0] ? d->event_id : NULL);
	wl_json_kv_str(&req->out, "outcome", d->logged.outcome);
	wl_json_obj_end(&req->out);
	http_reply_json(req, 200);
}

void
api_stripe_webhook(struct wl_req *req)
{
	struct store_whitelabel wl;
	struct stripe_delivery *d;
	struct wl_error err;
	char *secret = NULL;
	bool former;

	wl_error_clear(&err);
	if (portals_find_slug(req->conn, req->params[0], &wl, &former, &err) != WL_OK) {
		if (err.code == WL_ENOTFOUND)
			http_reply_fail(req, WL_ENOTFOUND, "No portal uses this webhook address");
		else
			http_reply_error(req, &err);
		return;
	}
	d = http_alloc(req, sizeof(*d));
	if (d == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	if (wl.stripe_webhook_secret_sealed[0] != '\0' &&
	    secrets_open(req->app->master_key, wl.stripe_webhook_secret_sealed, &secret, &err) !=
		    WL_OK) {
		wl_log("stripe webhook: agency %s: the webhook secret cannot be opened", wl.org_id);
		http_reply_fail(req, WL_EINTERNAL, "The webhook secret cannot be read");
		return;
	}
	d->app = req->app;
	stripe_events_read(d, wl.org_id, secret, http_header(req, "Stripe-Signature"),
			   req->body.p != NULL ? req->body.p : "", req->body.len, req->now_ms);
	secrets_free(secret);
	http_job_order(req, wl.org_id);
	http_submit(req, stripe_events_run, d, webhook_finish);
}
