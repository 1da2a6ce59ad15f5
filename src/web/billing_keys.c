/*
 * billing_keys.c — bring-your-own-key on the Billing page:
 *   POST /dashboard/billing/keys/{provider}         api_key: set or replace
 *   POST /dashboard/billing/keys/{provider}/remove  remove
 * for the org acted on (an agency may act on its client, the form's "org").
 * The key is sealed with the master key before the write, the request's
 * copies are wiped, and it is never shown again (services/billing.c).
 */
#include "web/billing_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "services/billing.h"

static void
key_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct billing_provider_key *k = arg;
	bool removed = k->sealed == NULL;
	char loc[160];

	billing_provider_key_free(k);
	if (rc != WL_OK) {
		web_error_page(req, rc == WL_ENOTFOUND ? 404 : billing_refused_status(err), NULL,
			       err->message);
		return;
	}
	snprintf(loc, sizeof(loc), "/dashboard/billing%s%ssaved=%s#provider-keys",
		 web_org_query(req), web_org_query(req)[0] ? "&" : "?",
		 removed ? "key_removed" : "key");
	http_redirect(req, loc);
}

void
web_billing_key_set(struct wl_req *req)
{
	struct billing_provider_key *k = http_alloc(req, sizeof(*k));
	const char *key = http_form(req, "api_key");
	struct wl_error err;

	if (k == NULL) {
		http_form_wipe(req);
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	wl_error_clear(&err);
	if (key == NULL || key[0] == '\0')
		wl_error_field_why(&err, "api_key", WL_FIELD_REQUIRED, "is needed");
	else
		billing_provider_key_prepare(req->app, req->org.id, req->params[0], key,
					     req->now_ms, k, &err);
	if (req->body.p != NULL)
		sodium_memzero(req->body.p, req->body.len);
	http_form_wipe(req);
	if (err.code != WL_OK) {
		billing_provider_key_free(k);
		billing_page(req, billing_refused_status(&err), BF_KEYS, &err);
		return;
	}
	http_submit(req, billing_provider_key_run, k, key_finish);
}

void
web_billing_key_remove(struct wl_req *req)
{
	struct billing_provider_key *k = http_alloc(req, sizeof(*k));
	struct wl_error err;

	if (k == NULL) {
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	wl_error_clear(&err);
	if (billing_provider_key_prepare(req->app, req->org.id, req->params[0], NULL, req->now_ms,
					 k, &err) != WL_OK) {
		billing_page(req, billing_refused_status(&err), BF_KEYS, &err);
		return;
	}
	http_submit(req, billing_provider_key_run, k, key_finish);
}
