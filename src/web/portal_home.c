/*
 * portal_home.c — a logged-in client's pages on an agency's portal: the
 * dashboard (credit balance, the package on offer with Buy Credits, the
 * credit history, recent calls, API keys) and the account page (password
 * change). Creating an API key shows it once, on its own page; the
 * database keeps only its hash. Writes are writer jobs; the password
 * checks and hashing run on a worker.
 */
#include "web/web.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "services/agents.h"
#include "services/ids.h"
#include "services/apikeys.h"
#include "services/portal_accounts.h"
#include "services/webhooks.h"

/* "2026-11-29 20:56 UTC", or "—" for 0. */
static void
when(int64_t ms, char out[32])
{
	char iso[32];

	if (ms <= 0) {
		snprintf(out, 32, "—");
		return;
	}
	wl_format_iso_ms(ms, iso);
	snprintf(out, 32, "%.10s %.5s UTC", iso, iso + 11);
}

static void
put_when(struct tpl_data *d, const char *name, int64_t ms)
{
	char s[32];

	when(ms, s);
	tpl_put(d, name, s);
}

static const char *
entry_label(const char *kind, const char **badge)
{
	*badge = "badge-neutral";
	if (strcmp(kind, "purchase") == 0) {
		*badge = "badge-success";
		return "Purchase";
	}
	if (strcmp(kind, "allocation") == 0 || strcmp(kind, "grant") == 0) {
		*badge = "badge-success";
		return "Allocation";
	}
	if (strcmp(kind, "call") == 0)
		return "Call usage";
	return "Adjustment";
}

static void
put_history(struct tpl_data *d, const struct portal_home *h)
{
	const char *badge;
	char minutes[32];
	int i;

	tpl_put_list(d, "history");
	tpl_put_bool(d, "has_history", h->nhistory > 0);
	for (i = 0; i < h->nhistory; i++) {
		const struct store_ledger_row *r = &h->history[i];
		struct tpl_data *item = tpl_push(d, "history");

		put_when(item, "date", r->created_at);
		tpl_put(item, "what", entry_label(r->kind, &badge));
		tpl_put(item, "badge", badge);
		tpl_put(item, "description", r->description);
		wl_format_minutes(r->delta_seconds, minutes);
		tpl_putf(item, "delta", "%s%s", r->delta_seconds > 0 ? "+" : "", minutes);
	}
}

static void
put_calls(struct tpl_data *d, const struct portal_home *h)
{
	char minutes[32];
	int i;

	tpl_put_list(d, "calls");
	tpl_put_bool(d, "has_calls", h->ncalls > 0);
	for (i = 0; i < h->ncalls; i++) {
		const struct store_call *c = &h->calls[i];
		struct tpl_data *item = tpl_push(d, "calls");
		bool in = strcmp(c->direction, "inbound") == 0;

		put_when(item, "date", c->created_at);
		tpl_put(item, "direction", in ? "Inbound" : "Outbound");
		tpl_put(item, "number", in ? c->from_number : c->to_number);
		tpl_put(item, "status", c->status);
		wl_format_minutes(c->billed_seconds, minutes);
		tpl_put(item, "minutes", minutes);
	}
}

static void
put_keys(struct tpl_data *d, const struct portal_home *h)
{
	int i;

	tpl_put_list(d, "keys");
	tpl_put_bool(d, "has_keys", h->nkeys > 0);
	for (i = 0; i < h->nkeys; i++) {
		const struct store_apikey_row *k = &h->keys[i];
		struct tpl_data *item = tpl_push(d, "keys");

		tpl_put(item, "id", k->id);
		tpl_put(item, "name", k->label);
		put_when(item, "created", k->created_at);
		if (k->last_used_at > 0)
			put_when(item, "last_used", k->last_used_at);
		else
			tpl_put(item, "last_used", "never");
		tpl_put_bool(item, "active", k->revoked_at == 0);
		put_when(item, "revoked", k->revoked_at);
	}
}

/* The client's own agents, read only (the API edits them). */
static void
put_agents(struct wl_req *req, struct tpl_data *d)
{
	struct store_agent_brief *rows = NULL;
	struct wl_error err;
	int i, n = 0;

	wl_error_clear(&err);
	tpl_put_list(d, "agents");
	if (agents_briefs(req->conn, req->org.id, &rows, &n, &err) != WL_OK)
		return;
	tpl_put_bool(d, "has_agents", n > 0);
	for (i = 0; i < n; i++) {
		struct tpl_data *item = tpl_push(d, "agents");

		tpl_put(item, "name", rows[i].name);
		tpl_put(item, "language", rows[i].language[0] ? rows[i].language : "—");
		tpl_put(item, "voice", rows[i].voice_id[0] ? rows[i].voice_id : "—");
		put_when(item, "updated", rows[i].updated_at);
	}
	free(rows);
}

/* The dashboard, with an optional notice or error (after a POST). */
static void
home_page(struct wl_req *req, int status, const char *notice, const char *error)
{
	struct portal_home *h = malloc(sizeof(*h));
	struct tpl_data *d;
	struct wl_error err;
	char balance[32];

	wl_error_clear(&err);
	if (h == NULL || portal_home_read(req->conn, req->user_id, req->org.id, h, &err) != WL_OK) {
		free(h);
		web_portal_error_page(req, 503, "Busy",
				      "Your dashboard could not be read. Please try again.");
		return;
	}
	if ((d = web_portal_data(req, "Dashboard")) == NULL) {
		free(h);
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	tpl_put(d, "email", h->user.user.email);
	tpl_put_bool(d, "unverified", h->user.verified_at == 0);
	wl_format_minutes(h->org.balance_seconds, balance);
	tpl_put(d, "balance", balance);
	tpl_put_bool(d, "balance_low", webhooks_balance_low(&h->org));
	tpl_putf(d, "low_threshold", "%lld", (long long)h->org.low_balance_minutes);
	web_portal_package(d, req->portal);
	put_history(d, h);
	put_calls(d, h);
	put_keys(d, h);
	put_agents(req, d);
	{
		/* One Buy form shown, one Checkout Session: a resent form reuses
		 * the attempt, so Stripe answers it with the same session. */
		char attempt[40];

		ids_random_token(attempt, 16);
		tpl_put(d, "buy_attempt", attempt);
	}
	if (notice != NULL)
		tpl_put(d, "notice", notice);
	if (error != NULL)
		tpl_put(d, "error", error);
	free(h);
	tpl_putf(d, "chart_action", "%s/dashboard", req->portal_base);
	if (web_usage_chart(req, d, &status) != WL_OK) {
		tpl_data_free(d);
		web_portal_error_page(req, 503, "Busy",
				      "Your dashboard could not be read. Please try again.");
		return;
	}
	web_render(req, status, "portal_home", d);
}

void
web_portal_home(struct wl_req *req)
{
	const char *done = http_query(req, "done");

	home_page(req, 200,
		  done != NULL && strcmp(done, "revoked") == 0 ? "The key is revoked." : NULL,
		  NULL);
}

/* ---- API keys ----------------------------------------------------------------------- */

static void
key_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct apikeys_create *k = arg;
	struct tpl_data *d;

	if (rc != WL_OK) {
		sodium_memzero(k->key, sizeof(k->key));
		web_portal_message(req, wl_error_http_status(rc), false, "No key created",
				   rc == WL_ECONFLICT
					   ? err->message
					   : "We could not create the key. Please try again.",
				   "/dashboard#api-keys", "Back to your dashboard");
		return;
	}
	d = web_portal_data(req, "Your new API key");
	if (d != NULL) {
		tpl_put(d, "name", k->name);
		tpl_put(d, "key", k->key);
	}
	sodium_memzero(k->key, sizeof(k->key));
	web_render(req, 201, "portal_key", d);
}

void
web_portal_key_create(struct wl_req *req)
{
	struct apikeys_create *k = http_alloc(req, sizeof(*k));
	struct wl_error err;

	wl_error_clear(&err);
	if (k == NULL) {
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	if (apikeys_create_prepare(k, &req->org, http_form(req, "name"), req->now_ms, &err) !=
	    WL_OK) {
		home_page(req, 422, NULL, "Give the key a name of 1 to 64 characters of text.");
		return;
	}
	http_actor(req, &k->actor);
	http_submit(req, apikeys_create_run, k, key_finish);
}

static void
revoke_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	(void)arg;
	(void)err;
	if (rc != WL_OK && rc != WL_ENOTFOUND) {
		web_portal_message(req, wl_error_http_status(rc), false, "Key not revoked",
				   "We could not revoke the key. Please try again.",
				   "/dashboard#api-keys", "Back to your dashboard");
		return;
	}
	web_portal_go(req, "/dashboard?done=revoked#api-keys");
}

void
web_portal_key_revoke(struct wl_req *req)
{
	struct apikeys_revoke *r;

	if (!wl_valid_uuid(req->params[1])) {
		web_portal_error_page(req, 404, "Not found", "There is no such API key.");
		return;
	}
	if ((r = http_alloc(req, sizeof(*r))) == NULL) {
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	apikeys_revoke_prepare(r, &req->org, req->params[1], req->now_ms);
	http_actor(req, &r->actor);
	http_submit(req, apikeys_revoke_run, r, revoke_finish);
}

/* ---- account: password change --------------------------------------------------------- */

static void
account_page(struct wl_req *req, int status, bool verified, const char *email, const char *notice,
	     const char *error)
{
	struct tpl_data *d = web_portal_data(req, "Account");

	if (d == NULL) {
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	tpl_put(d, "email", email);
	tpl_put_bool(d, "verified", verified);
	tpl_putf(d, "password_min", "%d", PORTAL_PASSWORD_MIN);
	if (notice != NULL)
		tpl_put(d, "notice", notice);
	if (error != NULL)
		tpl_put(d, "error", error);
	web_render(req, status, "portal_account", d);
}

void
web_portal_account(struct wl_req *req)
{
	struct store_portal_user u;
	struct wl_error err;

	wl_error_clear(&err);
	if (portal_user_read(req->conn, req->user_id, &u, &err) != WL_OK) {
		web_portal_error_page(req, 503, "Busy",
				      "Your account could not be read. Please try again.");
		return;
	}
	account_page(req, 200, u.verified_at != 0, u.user.email, NULL, NULL);
}

struct change {
	struct portal_password_change p;
	struct store_portal_user user; /* read before the worker, for the page */
	char current[PORTAL_PASSWORD_MAX + 1];
	char password[PORTAL_PASSWORD_MAX + 1];
};

static void
change_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct change *c = arg;

	(void)err;
	account_page(req, rc == WL_OK ? 200 : wl_error_http_status(rc), c->user.verified_at != 0,
		     c->user.user.email,
		     rc == WL_OK ? "Your password is changed. Other sessions are logged out."
				 : NULL,
		     rc == WL_OK ? NULL : "We could not change your password. Please try again.");
}

/* On a worker: the current password, then the new hash. */
static void
change_work(struct wl_req *req, void *arg)
{
	struct change *c = arg;
	bool ok;
	int rc;

	http_release_conn(req);
	ok = sessions_password_ok(&c->user.user, c->current);
	sodium_memzero(c->current, sizeof(c->current));
	if (!ok) {
		sodium_memzero(c->password, sizeof(c->password));
		account_page(req, 403, c->user.verified_at != 0, c->user.user.email, NULL,
			     "Your current password is not right.");
		return;
	}
	rc = ids_hash_password(c->password, c->p.password_hash, sizeof(c->p.password_hash));
	sodium_memzero(c->password, sizeof(c->password));
	if (rc != WL_OK) {
		account_page(req, 503, c->user.verified_at != 0, c->user.user.email, NULL,
			     "The server is busy. Please try again.");
		return;
	}
	http_submit(req, portal_password_change_run, &c->p, change_finish);
}

void
web_portal_password(struct wl_req *req)
{
	const char *current = http_form(req, "current"), *password = http_form(req, "password");
	const char *problem = web_portal_password_problem(password, http_form(req, "confirm"));
	char token[128];
	struct change *c = http_alloc(req, sizeof(*c));
	struct wl_error err;

	wl_error_clear(&err);
	if (c == NULL || portal_user_read(req->conn, req->user_id, &c->user, &err) != WL_OK) {
		http_form_wipe(req);
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	if (current == NULL || current[0] == '\0' || strlen(current) > PORTAL_PASSWORD_MAX ||
	    problem != NULL) {
		account_page(req, 422, c->user.verified_at != 0, c->user.user.email, NULL,
			     problem != NULL ? problem : "Enter your current password.");
		http_form_wipe(req);
		return;
	}
	memcpy(c->p.user_id, req->user_id, WL_ID_LEN);
	if (wl_cookie_get(http_header(req, "Cookie"), http_cookie_name(req, WL_PORTAL_COOKIE),
			  token, sizeof(token)))
		portal_token_hash(token, c->p.keep);
	sodium_memzero(token, sizeof(token));
	snprintf(c->current, sizeof(c->current), "%s", current);
	snprintf(c->password, sizeof(c->password), "%s", password);
	http_form_wipe(req);
	http_offload(req, change_work, c);
}
