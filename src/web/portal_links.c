/*
 * portal_links.c — the pages behind the links a portal mails: confirming an
 * e-mail address (/verify) and choosing a new password (/forgot, /reset).
 * A link's GET only shows a form (mail scanners open links); its POST uses
 * the single-use token in a writer job. "Forgot" answers the same whether
 * or not the address has an account; a used, expired or foreign link says
 * so without telling which.
 */
#include "web/web.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/validate.h"
#include "services/portal_accounts.h"

#define LINK_INVALID \
	"This link is not valid any more: it was used already, it expired, or " \
	"it was copied incompletely."

static const char *
link_token(const char *t)
{
	size_t i;

	if (t == NULL)
		return NULL;
	for (i = 0; t[i] != '\0'; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
		      (t[i] >= '0' && t[i] <= '9') || t[i] == '-' || t[i] == '_'))
			return NULL;
	return i == PORTAL_TOKEN_LEN ? t : NULL;
}

static void
link_page(struct wl_req *req, int status, const char *tpl, const char *title, const char *token,
	  const char *error)
{
	struct tpl_data *d = web_portal_form_page(req, title, error);

	if (d == NULL) {
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	tpl_put(d, "token", token);
	web_render(req, status, tpl, d);
}

static void
bad_link(struct wl_req *req)
{
	web_portal_message(req, 404, false, "Link not valid", LINK_INVALID, "/",
			   "Back to the portal");
}

/* ---- verification ------------------------------------------------------------------ */

void
web_portal_verify_form(struct wl_req *req)
{
	const char *token = link_token(http_query(req, "token"));

	if (token == NULL) {
		bad_link(req);
		return;
	}
	link_page(req, 200, "portal_verify", "Confirm your address", token, NULL);
}

static void
verify_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	(void)arg;
	(void)err;
	if (rc == WL_ENOTFOUND) {
		bad_link(req);
		return;
	}
	if (rc != WL_OK) {
		web_portal_error_page(req, wl_error_http_status(rc), "Busy",
				      "We could not confirm your address. Please try again.");
		return;
	}
	web_portal_message(req, 200, true, "Address confirmed",
			   "Thank you: your e-mail address is confirmed.",
			   req->user_id[0] != '\0' ? "/dashboard" : "/login",
			   req->user_id[0] != '\0' ? "Go to your dashboard" : "Log in");
}

void
web_portal_verify(struct wl_req *req)
{
	const char *token = link_token(http_form(req, "token"));
	struct portal_use_link *l;

	if (token == NULL) {
		bad_link(req);
		return;
	}
	if (!web_portal_form_ok(req)) {
		link_page(req, 403, "portal_verify", "Confirm your address", token,
			  WEB_PORTAL_FORM_EXPIRED);
		return;
	}
	if ((l = http_alloc(req, sizeof(*l))) == NULL) {
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	memset(l, 0, sizeof(*l));
	memcpy(l->agency_id, req->portal->org_id, WL_ID_LEN);
	snprintf(l->token, sizeof(l->token), "%s", token);
	l->now = req->now_ms;
	http_submit(req, portal_verify_run, l, verify_finish);
}

/* ---- forgot password ------------------------------------------------------------------ */

static void
forgot_page(struct wl_req *req, int status, const char *email, const char *error, bool sent)
{
	struct tpl_data *d = web_portal_form_page(req, "Reset your password", error);

	if (d == NULL) {
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	tpl_put(d, "email", email != NULL && strlen(email) <= WL_EMAIL_MAX ? email : "");
	tpl_put_bool(d, "sent", sent);
	web_render(req, status, "portal_forgot", d);
}

void
web_portal_forgot_form(struct wl_req *req)
{
	forgot_page(req, 200, NULL, NULL, false);
}

static void
forgot_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct portal_reset_request *r = arg;

	(void)err;
	sodium_memzero(r->token, sizeof(r->token));
	if (rc != WL_OK) {
		forgot_page(req, wl_error_http_status(rc), r->email,
			    "We could not handle your request. Please try again.", false);
		return;
	}
	/* The same answer whether or not a mail went out. */
	forgot_page(req, 200, NULL, NULL, true);
}

void
web_portal_forgot(struct wl_req *req)
{
	const char *email = http_form(req, "email");
	struct portal_reset_request *r;

	if (!web_portal_form_ok(req)) {
		forgot_page(req, 403, NULL, WEB_PORTAL_FORM_EXPIRED, false);
		return;
	}
	if (email == NULL || strlen(email) > WL_EMAIL_MAX || !wl_valid_email(email)) {
		forgot_page(req, 422, email, "Enter a valid e-mail address.", false);
		return;
	}
	if ((r = http_alloc(req, sizeof(*r))) == NULL) {
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	memset(r, 0, sizeof(*r));
	r->app = req->app;
	web_portal_brand_of(req, &r->brand);
	snprintf(r->email, sizeof(r->email), "%s", email);
	wl_email_normalize(r->email);
	r->now = req->now_ms;
	portal_reset_request_prepare(r);
	http_submit(req, portal_reset_request_run, r, forgot_finish);
}

/* ---- reset ------------------------------------------------------------------------------ */

void
web_portal_reset_form(struct wl_req *req)
{
	const char *token = link_token(http_query(req, "token"));

	if (token == NULL) {
		bad_link(req);
		return;
	}
	link_page(req, 200, "portal_reset", "Choose a new password", token, NULL);
}

struct reset {
	struct portal_use_link l;
	char password[PORTAL_PASSWORD_MAX + 1];
};

static void
reset_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	(void)arg;
	(void)err;
	if (rc == WL_ENOTFOUND) {
		bad_link(req);
		return;
	}
	if (rc != WL_OK) {
		web_portal_error_page(req, wl_error_http_status(rc), "Busy",
				      "We could not set your new password. Please try again.");
		return;
	}
	/* Every session of the user ended, this browser's too. */
	http_set_cookie(req, http_cookie_name(req, WL_PORTAL_COOKIE), "", 0);
	web_portal_go(req, "/login?done=reset");
}

static void
reset_work(struct wl_req *req, void *arg)
{
	struct reset *r = arg;
	int rc;

	http_release_conn(req);
	rc = ids_hash_password(r->password, r->l.password_hash, sizeof(r->l.password_hash));
	sodium_memzero(r->password, sizeof(r->password));
	if (rc != WL_OK) {
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	http_submit(req, portal_reset_run, &r->l, reset_finish);
}

void
web_portal_reset(struct wl_req *req)
{
	const char *token = link_token(http_form(req, "token"));
	const char *password = http_form(req, "password"), *problem;
	struct reset *r;

	if (token == NULL) {
		http_form_wipe(req);
		bad_link(req);
		return;
	}
	if (!web_portal_form_ok(req)) {
		link_page(req, 403, "portal_reset", "Choose a new password", token,
			  WEB_PORTAL_FORM_EXPIRED);
		http_form_wipe(req);
		return;
	}
	if ((problem = web_portal_password_problem(password, http_form(req, "confirm"))) != NULL) {
		link_page(req, 422, "portal_reset", "Choose a new password", token, problem);
		http_form_wipe(req);
		return;
	}
	if ((r = http_alloc(req, sizeof(*r))) == NULL) {
		http_form_wipe(req);
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	memset(r, 0, sizeof(*r));
	memcpy(r->l.agency_id, req->portal->org_id, WL_ID_LEN);
	snprintf(r->l.token, sizeof(r->l.token), "%s", token);
	snprintf(r->password, sizeof(r->password), "%s", password);
	r->l.now = req->now_ms;
	http_form_wipe(req);
	http_offload(req, reset_work, r);
}
