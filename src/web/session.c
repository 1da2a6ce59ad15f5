/*
 * session.c — the site root, the log-in form, logging in and out of the
 * dashboard. The form carries a pre-session CSRF token (double submit: one
 * random token in the wl_login cookie and in a hidden field, compared in
 * constant time), so no other site can log a browser into an account of
 * its choosing. An attempt passes the back-off of services/sessions.c
 * (a writer job, before any password is hashed), is verified with argon2id
 * on a worker thread, and ends in a new session whose random token goes to
 * the browser as the session cookie; the database keeps only its hash.
 * Each session has its own CSRF token for the dashboard's forms.
 */
#include "web/web.h"

#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/form.h"
#include "core/validate.h"
#include "services/ids.h"
#include "services/sessions.h"

#define PASSWORD_MAX 256
#define LOGIN_TOKEN_BYTES 32
#define LOGIN_TOKEN_LEN 43 /* base64url of 32 bytes */
#define LOGIN_COOKIE_AGE_S (12L * 3600)

/* "/dashboard…" paths only: never another site, never "//host". */
static const char *
safe_next(const char *next)
{
	if (next == NULL || next[0] != '/' || next[1] == '/' || next[1] == '\\' ||
	    strpbrk(next, "\r\n\\") != NULL || strncmp(next, "/dashboard", 10) != 0)
		return "/dashboard";
	return next;
}

static bool
login_token_ok(const char *t)
{
	size_t i;

	for (i = 0; t[i] != '\0'; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
		      (t[i] >= '0' && t[i] <= '9') || t[i] == '-' || t[i] == '_'))
			return false;
	return i == LOGIN_TOKEN_LEN;
}

/* The browser's log-in token when it sent a well-formed one; false if not. */
static bool
login_cookie(struct wl_req *req, char out[LOGIN_TOKEN_LEN + 1])
{
	return wl_cookie_get(http_header(req, "Cookie"), http_cookie_name(req, WL_LOGIN_COOKIE),
			     out, LOGIN_TOKEN_LEN + 1) &&
	       login_token_ok(out);
}

/* A new log-in token, set as the cookie the form will be compared with. */
static void
new_login_token(struct wl_req *req, char out[LOGIN_TOKEN_LEN + 1])
{
	ids_random_token(out, LOGIN_TOKEN_BYTES);
	http_set_cookie(req, http_cookie_name(req, WL_LOGIN_COOKIE), out, LOGIN_COOKIE_AGE_S);
}

static void
login_page(struct wl_req *req, int status, const char *email, const char *next, const char *error,
	   const char *csrf)
{
	struct tpl_data *d = tpl_data_new();

	tpl_put(d, "title", "Log in");
	tpl_put(d, "email", email != NULL ? email : "");
	tpl_put(d, "next", safe_next(next));
	tpl_put(d, "csrf", csrf);
	if (error != NULL)
		tpl_put(d, "error", error);
	web_render(req, status, "login", d);
}

void
web_root(struct wl_req *req)
{
	/* Elsewhere, a verified custom domain shows its portal at its root
	 * (and any other host a 404 page). */
	if (http_platform_host(req))
		http_redirect(req, "/dashboard");
	else
		web_portal(req);
}

void
web_login_form(struct wl_req *req)
{
	char token[LOGIN_TOKEN_LEN + 1];

	/* The browser's token stays valid, so two open log-in tabs both work. */
	if (!login_cookie(req, token))
		new_login_token(req, token);
	login_page(req, 200, NULL, http_query(req, "next"), NULL, token);
}

struct login {
	char email[WL_EMAIL_MAX + 1];
	char password[PASSWORD_MAX + 1];
	char next[1024];
	char csrf[LOGIN_TOKEN_LEN + 1]; /* the form's token, for a page shown again */
	struct sessions_attempt attempt;
	struct sessions_new created;
};

/* arg is the job's &l->created. */
static void
session_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct login *l = (struct login *)((char *)arg - offsetof(struct login, created));

	(void)err;
	if (rc != WL_OK) {
		sodium_memzero(l->created.token, sizeof(l->created.token));
		login_page(req, wl_error_http_status(rc), l->email, l->next,
			   "We could not start your session. Please try again.", l->csrf);
		return;
	}
	http_set_cookie(req, http_cookie_name(req, WL_SESSION_COOKIE), l->created.token,
			(long)(SESSIONS_TTL_MS / 1000));
	sodium_memzero(l->created.token, sizeof(l->created.token));
	/* The log-in token has done its work. */
	http_set_cookie(req, http_cookie_name(req, WL_LOGIN_COOKIE), "", 0);
	http_redirect(req, safe_next(l->next));
}

/* 429 with Retry-After and the same wait in words. */
static void
too_many(struct wl_req *req, struct login *l)
{
	long long s = (long long)((l->attempt.retry_after_ms + 999) / 1000);
	char header[24], message[160];

	snprintf(header, sizeof(header), "%lld", s);
	http_add_header(req, "Retry-After", header);
	if (s < 120)
		snprintf(message, sizeof(message),
			 "Too many failed log-in attempts. For your security, try again in %lld "
			 "second%s.",
			 s, s == 1 ? "" : "s");
	else
		snprintf(message, sizeof(message),
			 "Too many failed log-in attempts. For your security, try again in %lld "
			 "minutes.",
			 (s + 59) / 60);
	login_page(req, 429, l->email, l->next, message, l->csrf);
}

/* On a worker: pass the back-off, then check the password (slow), then
 * queue the session row. */
static void
login_work(struct wl_req *req, void *arg)
{
	struct login *l = arg;
	struct store_user user;
	struct wl_error err;
	bool found, ok;

	wl_error_clear(&err);
	if (writer_run(req->app->writer, sessions_attempt_run, &l->attempt, &err) != WL_OK) {
		sodium_memzero(l->password, sizeof(l->password));
		login_page(req, 503, l->email, l->next, "The server is busy. Please try again.",
			   l->csrf);
		return;
	}
	if (l->attempt.retry_after_ms > 0) {
		sodium_memzero(l->password, sizeof(l->password));
		too_many(req, l);
		return;
	}
	wl_error_clear(&err);
	found = sessions_find_user(req->conn, l->email, &user, &err) == WL_OK;
	/* Give the connection back before the slow hash: many logins at once
	 * must not drain the pool for everybody else. */
	http_release_conn(req);
	ok = sessions_password_ok(found ? &user : NULL, l->password);
	sodium_memzero(l->password, sizeof(l->password));
	if (!ok) {
		login_page(req, 401, l->email, l->next,
			   "That e-mail address and password do not match an account.", l->csrf);
		return;
	}
	sessions_prepare(&l->created, &l->attempt, &user);
	http_submit(req, sessions_create_run, &l->created, session_finish);
}

/* The form's token equals the cookie's (double submit); false when either
 * is missing. */
static bool
login_csrf_ok(struct wl_req *req, char cookie[LOGIN_TOKEN_LEN + 1])
{
	const char *field = http_form(req, "csrf");

	return login_cookie(req, cookie) && field != NULL &&
	       ids_token_equal(field, strlen(field), cookie, strlen(cookie));
}

void
web_login(struct wl_req *req)
{
	const char *email = http_form(req, "email");
	const char *password = http_form(req, "password");
	const char *next = http_form(req, "next");
	char addr[64], csrf[LOGIN_TOKEN_LEN + 1];
	struct login *l;

	if (!login_csrf_ok(req, csrf)) {
		new_login_token(req, csrf);
		login_page(req, 403, NULL, next,
			   "This log-in form has expired or did not come from this site. "
			   "Please enter your e-mail address and password again.",
			   csrf);
		http_form_wipe(req);
		return;
	}
	if (email == NULL || password == NULL || email[0] == '\0' || password[0] == '\0') {
		login_page(req, 422, email, next, "Enter your e-mail address and password.", csrf);
		http_form_wipe(req);
		return;
	}
	if (strlen(email) > WL_EMAIL_MAX || strlen(password) > PASSWORD_MAX ||
	    !wl_valid_email(email)) {
		login_page(req, 401, strlen(email) > WL_EMAIL_MAX ? "" : email, next,
			   "That e-mail address and password do not match an account.", csrf);
		http_form_wipe(req);
		return;
	}
	l = http_alloc(req, sizeof(*l));
	if (l == NULL) {
		http_form_wipe(req);
		web_error_page(req, 503, NULL, "The server is busy. Please try again.");
		return;
	}
	snprintf(l->email, sizeof(l->email), "%s", email);
	wl_email_normalize(l->email);
	snprintf(l->password, sizeof(l->password), "%s", password);
	snprintf(l->next, sizeof(l->next), "%s", safe_next(next));
	memcpy(l->csrf, csrf, sizeof(l->csrf));
	http_form_wipe(req);
	http_client_addr(req, addr, sizeof(addr));
	sessions_attempt_init(&l->attempt, l->email, addr, req->now_ms);
	http_offload(req, login_work, l);
}

static void
logout_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	(void)arg;
	(void)err;
	http_set_cookie(req, http_cookie_name(req, WL_SESSION_COOKIE), "", 0);
	if (rc != WL_OK) {
		web_error_page(req, 503, NULL, "We could not log you out. Please try again.");
		return;
	}
	http_redirect(req, "/login");
}

void
web_logout(struct wl_req *req)
{
	unsigned char *hash = http_alloc(req, WL_KEY_HASH_LEN);
	char token[128];

	if (hash == NULL ||
	    !wl_cookie_get(http_header(req, "Cookie"), http_cookie_name(req, WL_SESSION_COOKIE),
			   token, sizeof(token))) {
		http_redirect(req, "/login");
		return;
	}
	sessions_token_hash(token, hash);
	sodium_memzero(token, sizeof(token));
	http_submit(req, sessions_delete_run, hash, logout_finish);
}
