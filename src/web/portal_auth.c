/*
 * portal_auth.c — a client's way into an agency's portal: sign up, log in
 * and out, confirm the e-mail address, forget and reset the password. The
 * public forms carry a pre-session CSRF token (double submit: the
 * WL_PORTAL_FORM_COOKIE cookie and a hidden field, compared in constant
 * time), like the dashboard's log-in. Password hashing runs on a worker
 * (http_offload), every write is a writer job (http_submit), and a new
 * session's token goes to the browser only as the host-only portal cookie.
 * The reset form never says whether an address has an account.
 */
#include "web/web.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/form.h"
#include "core/validate.h"
#include "services/portal_accounts.h"
#include "services/whitelabel.h"

#define FORM_TOKEN_BYTES 32
#define FORM_TOKEN_LEN 43
#define FORM_COOKIE_AGE_S (12L * 3600)

/* ---- the public forms' CSRF token ------------------------------------------------- */

static bool
token_chars_ok(const char *t, size_t want)
{
	size_t i;

	for (i = 0; t[i] != '\0'; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
		      (t[i] >= '0' && t[i] <= '9') || t[i] == '-' || t[i] == '_'))
			return false;
	return i == want;
}

/* The browser's form token, or a new one set as the cookie. */
static const char *
form_token(struct wl_req *req)
{
	char *t = http_alloc(req, FORM_TOKEN_LEN + 1);

	if (t == NULL)
		return "";
	if (wl_cookie_get(http_header(req, "Cookie"), http_cookie_name(req, WL_PORTAL_FORM_COOKIE),
			  t, FORM_TOKEN_LEN + 1) &&
	    token_chars_ok(t, FORM_TOKEN_LEN))
		return t;
	ids_random_token(t, FORM_TOKEN_BYTES);
	http_set_cookie(req, http_cookie_name(req, WL_PORTAL_FORM_COOKIE), t, FORM_COOKIE_AGE_S);
	return t;
}

bool
web_portal_form_ok(struct wl_req *req)
{
	char cookie[FORM_TOKEN_LEN + 1];
	const char *field = http_form(req, "csrf");

	return wl_cookie_get(http_header(req, "Cookie"),
			     http_cookie_name(req, WL_PORTAL_FORM_COOKIE), cookie,
			     sizeof(cookie)) &&
	       token_chars_ok(cookie, FORM_TOKEN_LEN) && field != NULL &&
	       ids_token_equal(field, strlen(field), cookie, strlen(cookie));
}


/* ---- shared pieces ------------------------------------------------------------------ */

/* A page of the public forms: brand, form token, error. */
struct tpl_data *
web_portal_form_page(struct wl_req *req, const char *title, const char *error)
{
	struct tpl_data *d = web_portal_data(req, title);

	if (d == NULL)
		return NULL;
	tpl_put(d, "form_token", form_token(req));
	tpl_putf(d, "password_min", "%d", PORTAL_PASSWORD_MIN);
	if (error != NULL)
		tpl_put(d, "error", error);
	return d;
}

void
web_portal_message(struct wl_req *req, int status, bool ok, const char *heading,
		   const char *message, const char *next, const char *next_label)
{
	struct tpl_data *d = web_portal_data(req, heading);

	if (d == NULL) {
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	tpl_put(d, "heading", heading);
	tpl_put(d, "message", message);
	tpl_put_bool(d, "ok", ok);
	tpl_put(d, "next", next);
	tpl_put(d, "next_label", next_label);
	web_render(req, status, "portal_message", d);
}

void
web_portal_go(struct wl_req *req, const char *path)
{
	char loc[sizeof(req->portal_base) + 64];

	snprintf(loc, sizeof(loc), "%s%s", req->portal_base, path);
	http_redirect(req, loc);
}

/* The portal's own absolute URL for links in mails: never from the
 * request's Host (which anyone can forge), but from the settings: the
 * portal host, or the verified custom domain the client is using. */
static void
portal_url(struct wl_req *req, char *out, size_t n)
{
	const struct store_whitelabel *p = req->portal;
	const char *host = http_header(req, "Host");
	size_t dl = strlen(p->custom_domain);

	if (!req->via_portal_host && dl > 0 && strcmp(p->domain_status, "verified") == 0 &&
	    host != NULL && strncasecmp(host, p->custom_domain, dl) == 0 &&
	    (host[dl] == '\0' || host[dl] == ':')) {
		snprintf(out, n, "https://%s/p/%s", p->custom_domain, p->slug);
		return;
	}
	whitelabel_portal_url(req->app, p->slug, out, n);
}

void
web_portal_brand_of(struct wl_req *req, struct portal_brand *b)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->agency_id, req->portal->org_id, WL_ID_LEN);
	snprintf(b->company_name, sizeof(b->company_name), "%s", req->portal->company_name);
	portal_url(req, b->url, sizeof(b->url));
}

static void
set_session_cookie(struct wl_req *req, struct portal_new_session *s)
{
	http_set_cookie(req, http_cookie_name(req, WL_PORTAL_COOKIE), s->token,
			(long)(PORTAL_SESSION_TTL_MS / 1000));
	sodium_memzero(s->token, sizeof(s->token));
}

/* The checks of a new password and its confirmation; NULL when fine. */
const char *
web_portal_password_problem(const char *password, const char *confirm)
{
	size_t n = password != NULL ? strlen(password) : 0;

	if (n < PORTAL_PASSWORD_MIN)
		return "Choose a password of at least 10 characters.";
	if (n > PORTAL_PASSWORD_MAX)
		return "That password is too long (at most 256 characters).";
	if (confirm == NULL || strcmp(password, confirm) != 0)
		return "The two passwords are not the same.";
	return NULL;
}

/* ---- sign-up ----------------------------------------------------------------------- */

static void
signup_page(struct wl_req *req, int status, const char *email, const char *error, const char *field,
	    const char *field_error)
{
	struct tpl_data *d = web_portal_form_page(req, "Sign up", error);

	if (d == NULL) {
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	tpl_put(d, "email", email != NULL && strlen(email) <= WL_EMAIL_MAX ? email : "");
	if (field != NULL)
		tpl_put(d, field, field_error);
	web_render(req, status, "portal_signup", d);
}

void
web_portal_signup_form(struct wl_req *req)
{
	if (req->user_id[0] != '\0') {
		web_portal_go(req, "/dashboard");
		return;
	}
	signup_page(req, 200, NULL, NULL, NULL, NULL);
}

struct signup {
	struct portal_signup s;
	char password[PORTAL_PASSWORD_MAX + 1];
};

static void
signup_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct signup *s = arg;

	(void)err;
	if (rc == WL_ECONFLICT) {
		sodium_memzero(s->s.created.token, sizeof(s->s.created.token));
		signup_page(req, 409, s->s.email,
			    "An account with this e-mail address exists already. Log in, or reset "
			    "your password if you forgot it.",
			    "email_error", "This address has an account.");
		return;
	}
	if (rc != WL_OK) {
		sodium_memzero(s->s.created.token, sizeof(s->s.created.token));
		signup_page(req, wl_error_http_status(rc), s->s.email,
			    "We could not create your account. Please try again.", NULL, NULL);
		return;
	}
	set_session_cookie(req, &s->s.created);
	web_portal_go(req, "/dashboard");
}

static void
signup_work(struct wl_req *req, void *arg)
{
	struct signup *s = arg;
	struct wl_error err;
	int rc;

	wl_error_clear(&err);
	http_release_conn(req); /* not needed while hashing */
	rc = portal_signup_prepare(&s->s, s->password, &err);
	sodium_memzero(s->password, sizeof(s->password));
	if (rc != WL_OK) {
		signup_page(req, 503, s->s.email, "The server is busy. Please try again.", NULL,
			    NULL);
		return;
	}
	http_submit(req, portal_signup_run, s, signup_finish);
}

void
web_portal_signup(struct wl_req *req)
{
	const char *email = http_form(req, "email"), *password = http_form(req, "password");
	const char *confirm = http_form(req, "confirm"), *problem;
	struct signup *s;

	if (!web_portal_form_ok(req)) {
		http_form_wipe(req);
		signup_page(req, 403, NULL, WEB_PORTAL_FORM_EXPIRED, NULL, NULL);
		return;
	}
	if (email == NULL || strlen(email) > WL_EMAIL_MAX || !wl_valid_email(email)) {
		signup_page(req, 422, email, NULL, "email_error", "Enter a valid e-mail address.");
		http_form_wipe(req);
		return;
	}
	if ((problem = web_portal_password_problem(password, confirm)) != NULL) {
		signup_page(req, 422, email, NULL,
			    strstr(problem, "same") ? "confirm_error" : "password_error", problem);
		http_form_wipe(req);
		return;
	}
	if ((s = http_alloc(req, sizeof(*s))) == NULL) {
		http_form_wipe(req);
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	memset(s, 0, sizeof(*s));
	s->s.app = req->app;
	web_portal_brand_of(req, &s->s.brand);
	snprintf(s->s.email, sizeof(s->s.email), "%s", email);
	wl_email_normalize(s->s.email);
	snprintf(s->password, sizeof(s->password), "%s", password);
	s->s.now = req->now_ms;
	http_form_wipe(req);
	http_offload(req, signup_work, s);
}

/* ---- log in and out ------------------------------------------------------------------ */

static void
login_page(struct wl_req *req, int status, const char *email, const char *error, const char *notice)
{
	struct tpl_data *d = web_portal_form_page(req, "Log in", error);

	if (d == NULL) {
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	tpl_put(d, "email", email != NULL && strlen(email) <= WL_EMAIL_MAX ? email : "");
	if (notice != NULL)
		tpl_put(d, "notice", notice);
	web_render(req, status, "portal_login", d);
}

void
web_portal_login_form(struct wl_req *req)
{
	const char *done = http_query(req, "done");

	if (req->user_id[0] != '\0') {
		web_portal_go(req, "/dashboard");
		return;
	}
	login_page(req, 200, NULL, NULL,
		   done != NULL && strcmp(done, "reset") == 0
			   ? "Your new password is set. Log in with it."
		   : done != NULL && strcmp(done, "logout") == 0 ? "You are logged out."
								 : NULL);
}

struct login {
	struct portal_login l;
	char email[WL_EMAIL_MAX + 1];
	char password[PORTAL_PASSWORD_MAX + 1];
};

static void
login_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct login *l = arg;

	(void)err;
	if (rc != WL_OK) {
		sodium_memzero(l->l.created.token, sizeof(l->l.created.token));
		login_page(req, wl_error_http_status(rc), l->email,
			   "We could not start your session. Please try again.", NULL);
		return;
	}
	set_session_cookie(req, &l->l.created);
	web_portal_go(req, "/dashboard");
}

static void
too_many(struct wl_req *req, struct login *l)
{
	long long s = (long long)((l->l.attempt.retry_after_ms + 999) / 1000);
	char header[24], message[160];

	snprintf(header, sizeof(header), "%lld", s);
	http_add_header(req, "Retry-After", header);
	snprintf(message, sizeof(message),
		 "Too many failed log-in attempts. For your security, try again in %lld %s.",
		 s < 120 ? s : (s + 59) / 60,
		 s < 120 ? (s == 1 ? "second" : "seconds") : "minutes");
	login_page(req, 429, l->email, message, NULL);
}

/* On a worker: the back-off (a writer job), the user of this portal, the
 * password (slow), then the session (a writer job). */
static void
login_work(struct wl_req *req, void *arg)
{
	struct login *l = arg;
	struct wl_error err;
	bool found, ok;

	wl_error_clear(&err);
	if (writer_run(req->app->writer, sessions_attempt_run, &l->l.attempt, &err) != WL_OK) {
		sodium_memzero(l->password, sizeof(l->password));
		login_page(req, 503, l->email, "The server is busy. Please try again.", NULL);
		return;
	}
	if (l->l.attempt.retry_after_ms > 0) {
		sodium_memzero(l->password, sizeof(l->password));
		too_many(req, l);
		return;
	}
	found = portal_find_user(req->conn, l->l.agency_id, l->email, &l->l.user, &err) == WL_OK;
	http_release_conn(req);
	ok = sessions_password_ok(found ? &l->l.user.user : NULL, l->password);
	sodium_memzero(l->password, sizeof(l->password));
	if (!ok) {
		login_page(req, 401, l->email,
			   "That e-mail address and password do not match an account.", NULL);
		return;
	}
	portal_login_prepare(&l->l, req->now_ms);
	http_submit(req, portal_login_run, &l->l, login_finish);
}

void
web_portal_login(struct wl_req *req)
{
	const char *email = http_form(req, "email"), *password = http_form(req, "password");
	char addr[64];
	struct login *l;

	if (!web_portal_form_ok(req)) {
		http_form_wipe(req);
		login_page(req, 403, NULL, WEB_PORTAL_FORM_EXPIRED, NULL);
		return;
	}
	if (email == NULL || password == NULL || email[0] == '\0' || password[0] == '\0') {
		login_page(req, 422, email, "Enter your e-mail address and password.", NULL);
		http_form_wipe(req);
		return;
	}
	if (strlen(email) > WL_EMAIL_MAX || strlen(password) > PORTAL_PASSWORD_MAX ||
	    !wl_valid_email(email)) {
		login_page(req, 401, email,
			   "That e-mail address and password do not match an account.", NULL);
		http_form_wipe(req);
		return;
	}
	if ((l = http_alloc(req, sizeof(*l))) == NULL) {
		http_form_wipe(req);
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	memset(l, 0, sizeof(*l));
	snprintf(l->email, sizeof(l->email), "%s", email);
	wl_email_normalize(l->email);
	snprintf(l->password, sizeof(l->password), "%s", password);
	memcpy(l->l.agency_id, req->portal->org_id, WL_ID_LEN);
	http_form_wipe(req);
	http_client_addr(req, addr, sizeof(addr));
	sessions_attempt_init(&l->l.attempt, l->email, addr, req->now_ms);
	http_offload(req, login_work, l);
}

static void
logout_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	(void)arg;
	(void)err;
	http_set_cookie(req, http_cookie_name(req, WL_PORTAL_COOKIE), "", 0);
	if (rc != WL_OK) {
		web_portal_error_page(req, 503, "Busy",
				      "We could not log you out. Please try again.");
		return;
	}
	web_portal_go(req, "/login?done=logout");
}

void
web_portal_logout(struct wl_req *req)
{
	unsigned char *hash = http_alloc(req, WL_KEY_HASH_LEN);
	char token[128];

	if (hash == NULL ||
	    !wl_cookie_get(http_header(req, "Cookie"), http_cookie_name(req, WL_PORTAL_COOKIE),
			   token, sizeof(token))) {
		web_portal_go(req, "/login");
		return;
	}
	portal_token_hash(token, hash);
	sodium_memzero(token, sizeof(token));
	http_submit(req, portal_logout_run, hash, logout_finish);
}
