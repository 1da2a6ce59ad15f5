/*
 * session.c — logging in and out of the dashboard. A login is rate limited
 * (per client address and per e-mail, counted through the writer before
 * any password is checked), verified with argon2id on a worker thread, and
 * ends in a new session row (written through the writer) whose random token
 * goes to the browser as the wl_session cookie; the database keeps only its
 * hash. Each session has its own CSRF token for the forms.
 */
#include "web/web.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/form.h"
#include "core/validate.h"
#include "core/whitelabel.h"
#include "services/ids.h"

#define SESSION_TTL_MS (12LL * 3600 * 1000)
#define LOGIN_WINDOW_MS (15LL * 60 * 1000)
#define LOGIN_MAX_PER_EMAIL 10
#define LOGIN_MAX_PER_ADDRESS 30
#define PASSWORD_MAX 256

/* A hash to verify against when the e-mail is unknown, so that both cases
 * take the same time. */
static char dummy_hash[160];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
make_dummy_hash(void)
{
	if (ids_hash_password("not a real password, only for timing", dummy_hash,
			      sizeof(dummy_hash)) != WL_OK)
		dummy_hash[0] = '\0';
}

/* "/dashboard…" paths only: never another site, never "//host". */
static const char *
safe_next(const char *next)
{
	if (next == NULL || next[0] != '/' || next[1] == '/' || next[1] == '\\' ||
	    strpbrk(next, "\r\n\\") != NULL || strncmp(next, "/dashboard", 10) != 0)
		return "/dashboard";
	return next;
}

static void
login_page(struct wl_req *req, int status, const char *email, const char *next,
	   const char *error)
{
	struct tpl_data *d = tpl_data_new();

	tpl_put(d, "title", "Log in");
	tpl_put(d, "email", email != NULL ? email : "");
	tpl_put(d, "next", safe_next(next));
	if (error != NULL)
		tpl_put(d, "error", error);
	web_render(req, status, "login", d);
}

void
web_root(struct wl_req *req)
{
	const char *host = http_header(req, "Host");
	char domain[256];
	size_t n;

	/* A verified custom domain shows its portal at its root. */
	if (host != NULL) {
		n = strcspn(host, ":");
		if (n > 0 && n < sizeof(domain)) {
			size_t i;

			for (i = 0; i < n; i++)
				domain[i] = (char)((host[i] >= 'A' && host[i] <= 'Z') ? host[i] + 32
										      : host[i]);
			domain[n] = '\0';
			size_t bl = strlen(req->app->base_domain);
			bool ours = strcmp(domain, req->app->base_domain) == 0 ||
				    (n > bl && domain[n - bl - 1] == '.' &&
				     strcmp(domain + n - bl, req->app->base_domain) == 0);

			if (!ours && wl_valid_hostname(domain)) {
				web_portal(req);
				return;
			}
		}
	}
	http_redirect(req, "/dashboard");
}

void
web_login_form(struct wl_req *req)
{
	login_page(req, 200, NULL, http_query(req, "next"), NULL);
}

struct login {
	char email[WL_EMAIL_MAX + 1];
	char password[PASSWORD_MAX + 1];
	char next[1024];
	/* the rate limit job */
	char bucket_addr[96];
	char bucket_email[WL_EMAIL_MAX + 16];
	int64_t now;
	int64_t hits_addr, hits_email;
	/* the session job */
	unsigned char hash[WL_KEY_HASH_LEN];
	struct store_session session;
	char token[64];
};

static int
rate_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct login *l = arg;
	int rc;

	rc = store_rate_hit(c, l->bucket_addr, LOGIN_WINDOW_MS, l->now, &l->hits_addr, err);
	if (rc == WL_OK)
		rc = store_rate_hit(c, l->bucket_email, LOGIN_WINDOW_MS, l->now, &l->hits_email, err);
	return rc;
}

static int
session_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct login *l = arg;

	return store_session_insert(c, l->hash, &l->session, err);
}

static void
session_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct login *l = arg;

	if (rc != WL_OK) {
		sodium_memzero(l->token, sizeof(l->token));
		login_page(req, wl_error_http_status(rc), l->email, l->next,
			   "We could not start your session. Please try again.");
		(void)err;
		return;
	}
	http_set_cookie(req, "wl_session", l->token, (long)(SESSION_TTL_MS / 1000));
	sodium_memzero(l->token, sizeof(l->token));
	http_redirect(req, safe_next(l->next));
}

/* On a worker: count the attempt, then check the password (slow), then
 * queue the session row. */
static void
login_work(struct wl_req *req, void *arg)
{
	struct login *l = arg;
	struct store_user user;
	struct wl_error err;
	bool found, ok;

	wl_error_clear(&err);
	if (writer_run(req->app->writer, rate_run, l, &err) != WL_OK) {
		sodium_memzero(l->password, sizeof(l->password));
		login_page(req, 503, l->email, l->next, "The server is busy. Please try again.");
		return;
	}
	if (l->hits_addr > LOGIN_MAX_PER_ADDRESS || l->hits_email > LOGIN_MAX_PER_EMAIL) {
		sodium_memzero(l->password, sizeof(l->password));
		login_page(req, 429, l->email, l->next,
			   "Too many login attempts. For your security, wait 15 minutes before "
			   "trying again.");
		return;
	}
	wl_error_clear(&err);
	found = store_user_by_email(req->conn, l->email, &user, &err) == WL_OK;
	/* Give the connection back before the slow hash: many logins at once
	 * must not drain the pool for everybody else. */
	store_release(req->conn);
	req->conn = NULL;
	pthread_once(&dummy_once, make_dummy_hash);
	ok = ids_verify_password(found ? user.password_hash : dummy_hash, l->password) == WL_OK &&
	     found;
	sodium_memzero(l->password, sizeof(l->password));
	if (!ok) {
		login_page(req, 401, l->email, l->next,
			   "That e-mail address and password do not match an account.");
		return;
	}
	ids_random_token(l->token, 32);
	crypto_generichash(l->hash, sizeof(l->hash), (const unsigned char *)l->token,
			   strlen(l->token), NULL, 0);
	memcpy(l->session.user_id, user.id, WL_ID_LEN);
	memcpy(l->session.org_id, user.org_id, WL_ID_LEN);
	ids_random_token(l->session.csrf_token, 24);
	l->session.created_at = req->now_ms;
	l->session.expires_at = req->now_ms + SESSION_TTL_MS;
	http_submit(req, session_run, l, session_finish);
}

void
web_login(struct wl_req *req)
{
	const char *email = http_form(req, "email");
	const char *password = http_form(req, "password");
	const char *next = http_form(req, "next");
	char addr[64];
	struct login *l;
	size_t i;

	if (email == NULL || password == NULL || email[0] == '\0' || password[0] == '\0') {
		login_page(req, 422, email, next, "Enter your e-mail address and password.");
		http_form_wipe(req);
		return;
	}
	if (strlen(email) > WL_EMAIL_MAX || strlen(password) > PASSWORD_MAX ||
	    !wl_valid_email(email)) {
		login_page(req, 401, strlen(email) > WL_EMAIL_MAX ? "" : email, next,
			   "That e-mail address and password do not match an account.");
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
	snprintf(l->password, sizeof(l->password), "%s", password);
	snprintf(l->next, sizeof(l->next), "%s", safe_next(next));
	http_form_wipe(req);
	http_client_addr(req, addr, sizeof(addr));
	snprintf(l->bucket_addr, sizeof(l->bucket_addr), "login:addr:%s", addr);
	snprintf(l->bucket_email, sizeof(l->bucket_email), "login:email:%s", l->email);
	for (i = 12; l->bucket_email[i] != '\0'; i++)
		if (l->bucket_email[i] >= 'A' && l->bucket_email[i] <= 'Z')
			l->bucket_email[i] = (char)(l->bucket_email[i] + 32);
	l->now = req->now_ms;
	http_offload(req, login_work, l);
}

static int
logout_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	return store_session_delete(c, arg, err);
}

static void
logout_finish(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	(void)arg;
	(void)err;
	http_set_cookie(req, "wl_session", "", 0);
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
	    !wl_cookie_get(http_header(req, "Cookie"), "wl_session", token, sizeof(token))) {
		http_redirect(req, "/login");
		return;
	}
	crypto_generichash(hash, WL_KEY_HASH_LEN, (const unsigned char *)token, strlen(token), NULL,
			   0);
	sodium_memzero(token, sizeof(token));
	http_submit(req, logout_run, hash, logout_finish);
}
