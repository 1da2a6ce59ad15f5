/*
 * auth.c — who is asking, for the route table's auth kinds: the platform
 * API's keys (last use noted), the engine's token, the dashboard's session
 * cookie with its CSRF token and organization switcher, and an agency's
 * portal: its slug, a portal host rewritten to /p/{slug}/…, a former slug
 * redirected, and the client's portal session, refused by every other
 * agency's portal. Where a page without a session sends the browser.
 */
#include "http/http.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/form.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "services/accounts.h"
#include "services/ids.h"
#include "services/portal_accounts.h"
#include "services/portals.h"
#include "services/whitelabel.h"
#include "http/http_int.h"

/* The wl_session cookie → the session's user and org, then the org acted on
 * (?org=, or the form field "org" of a POST); a POST must carry the CSRF
 * token. */
static int
authenticate_session(struct wl_req *req, struct wl_error *err)
{
	struct store_session s;
	unsigned char hash[WL_KEY_HASH_LEN];
	char token[128];
	const char *csrf, *org;
	int rc;

	if (!wl_cookie_get(http_header(req, "Cookie"), http_cookie_name(req, WL_SESSION_COOKIE),
			   token, sizeof(token)) ||
	    token[0] == '\0')
		return wl_fail(err, WL_EUNAUTHORIZED, "Please log in to see this page.");
	crypto_generichash(hash, sizeof(hash), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_memzero(token, sizeof(token));
	rc = store_session_get(req->conn, hash, req->now_ms, &s, err);
	if (rc == WL_EUNAUTHORIZED)
		return wl_fail(err, WL_EUNAUTHORIZED, "Your session has ended. Please log in again.");
	if (rc != WL_OK)
		return rc;
	memcpy(req->user_id, s.user_id, WL_ID_LEN);
	memcpy(req->key_org_id, s.org_id, WL_ID_LEN);
	snprintf(req->csrf, sizeof(req->csrf), "%s", s.csrf_token);
	if (req->method == HTTP_POST) {
		csrf = http_form(req, "csrf");
		if (csrf == NULL || !ids_token_equal(csrf, strlen(csrf), s.csrf_token,
						     strlen(s.csrf_token)))
			return wl_fail(err, WL_EFORBIDDEN,
				       "This form has expired or did not come from this site. "
				       "Go back, reload the page and try again.");
	}
	org = http_query(req, "org");
	if (org == NULL && req->method == HTTP_POST)
		org = http_form(req, "org");
	rc = accounts_acting_org(req->conn, req->key_org_id, org, &req->org, err);
	if (rc == WL_EFORBIDDEN || rc == WL_EINVALID)
		return wl_fail(err, WL_EFORBIDDEN, "You cannot open that organization.");
	return rc;
}

/* The portal of /p/:slug (req->portal; former slugs set portal_moved), then
 * its session cookie when there is one: a session of another agency's
 * portal counts as none. AUTH_PORTAL requires the session, and on a POST
 * its CSRF token. */
static int
authenticate_portal(struct wl_req *req, bool required, struct wl_error *err)
{
	struct store_portal_session s;
	const char *csrf;
	char token[128];
	bool former;
	int rc;

	req->portal = http_alloc(req, sizeof(*req->portal));
	if (req->portal == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "The server is busy. Please try again.");
	rc = portals_find_slug(req->conn, req->params[0], req->portal, &former, err);
	if (rc == WL_ENOTFOUND || (rc == WL_OK && !req->portal->active)) {
		req->portal = NULL;
		return wl_fail(err, WL_ENOTFOUND,
			       "There is no active portal at this address. Check the link you were given.");
	}
	if (rc != WL_OK) {
		req->portal = NULL;
		return rc;
	}
	if (req->via_portal_host)
		req->portal_base[0] = '\0';
	else
		snprintf(req->portal_base, sizeof(req->portal_base), "/p/%s", req->portal->slug);
	if (former) {
		req->portal_moved = true;
		return WL_OK;
	}
	if (!wl_cookie_get(http_header(req, "Cookie"), http_cookie_name(req, WL_PORTAL_COOKIE),
			   token, sizeof(token)) ||
	    portal_session_read(req->conn, token, req->now_ms, req->portal->org_id, &s, err) != WL_OK) {
		sodium_memzero(token, sizeof(token));
		wl_error_clear(err);
		return required ? wl_fail(err, WL_EUNAUTHORIZED, "Please log in to see this page.")
				: WL_OK;
	}
	sodium_memzero(token, sizeof(token));
	if (required && req->method == HTTP_POST) {
		csrf = http_form(req, "csrf");
		if (csrf == NULL || !ids_token_equal(csrf, strlen(csrf), s.csrf_token,
						     strlen(s.csrf_token)))
			return wl_fail(err, WL_EFORBIDDEN,
				       "This form has expired or did not come from this site. "
				       "Go back, reload the page and try again.");
	}
	if ((rc = store_org_get(req->conn, s.org_id, false, &req->org, err)) != WL_OK)
		return rc == WL_ENOTFOUND ? wl_fail(err, WL_EUNAUTHORIZED, "Please log in again.") : rc;
	memcpy(req->user_id, s.user_id, WL_ID_LEN);
	memcpy(req->key_org_id, s.org_id, WL_ID_LEN);
	snprintf(req->csrf, sizeof(req->csrf), "%s", s.csrf_token);
	return WL_OK;
}

int
http_authenticate(struct wl_req *req, enum route_auth auth, struct wl_error *err)
{
	const char *h = http_header(req, "Authorization");
	const char *token;

	if (auth == AUTH_NONE || auth == AUTH_PAGE || auth == AUTH_LOGIN)
		return WL_OK;
	if (auth == AUTH_SESSION)
		return authenticate_session(req, err);
	if (auth == AUTH_PORTAL || auth == AUTH_PORTAL_PUBLIC)
		return authenticate_portal(req, auth == AUTH_PORTAL, err);
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 || h[7] == '\0')
		return wl_fail(err, WL_EUNAUTHORIZED, "Missing bearer token in the Authorization header");
	token = h + 7;
	if (auth == AUTH_ENGINE) {
		if (!ids_token_equal(token, strlen(token), req->app->engine_token,
				     strlen(req->app->engine_token)))
			return wl_fail(err, WL_EUNAUTHORIZED, "Invalid engine token");
		return WL_OK;
	}
	if (accounts_authenticate_noting(req->app, req->conn, token, strlen(token), wl_now_ms(),
					 req->key_org_id, err) != WL_OK) {
		if (err->code == WL_EUNAUTHORIZED)
			snprintf(err->message, sizeof(err->message), "Invalid API key");
		return err->code;
	}
	return accounts_acting_org(req->conn, req->key_org_id, http_header(req, "X-Organization-Id"),
				   &req->org, err);
}

/* GET of a page without a session: log in first, then come back here. */
void
http_redirect_to_login(struct wl_req *req)
{
	char here[PATH_MAX_LEN + 64], enc[3 * sizeof(here)], loc[sizeof(enc) + 32];
	const char *org = http_query(req, "org");

	if (org != NULL && wl_valid_uuid(org))
		snprintf(here, sizeof(here), "%s?org=%s", req->path, org);
	else
		snprintf(here, sizeof(here), "%s", req->path);
	if (!wl_url_encode(here, enc, sizeof(enc)))
		snprintf(enc, sizeof(enc), "%%2Fdashboard");
	snprintf(loc, sizeof(loc), "/login?next=%s", enc);
	http_redirect(req, loc);
}

/* A portal page without a session: its log-in page. */
void
http_portal_to_login(struct wl_req *req)
{
	char loc[sizeof(req->portal_base) + 16];

	snprintf(loc, sizeof(loc), "%s/login", req->portal_base);
	http_redirect(req, loc);
}

/* A former slug: the same page under the slug of today (on a portal host,
 * that host's page of the same path). */
void
http_portal_moved(struct wl_req *req)
{
	char loc[PATH_MAX_LEN + 128];
	const char *rest = req->path + 3 + strcspn(req->path + 3, "/");

	if (req->via_portal_host) {
		char url[600];

		whitelabel_portal_url(req->app, req->portal->slug, url, sizeof(url));
		snprintf(loc, sizeof(loc), "%s%s", url, rest[0] ? rest : "/");
	} else {
		snprintf(loc, sizeof(loc), "/p/%s%s", req->portal->slug, rest[0] ? rest : "/");
	}
	http_redirect(req, loc);
}

/* Host {slug}.portal.{base}: the portal's pages live under /p/{slug}/.
 * The API, the engine API and static files keep their own paths. */
void
http_portal_host(struct wl_req *req)
{
	struct http_private *p = req->priv;
	const char *base = req->app->base_domain;
	char host[256], rewritten[PATH_MAX_LEN + 1];
	size_t hl, bl = strlen(base), sl;

	if (!http_request_host(req, host, sizeof(host)))
		return;
	hl = strlen(host);
	if (hl <= bl + 8 || strcmp(host + hl - bl, base) != 0 ||
	    strncmp(host + hl - bl - 8, ".portal.", 8) != 0)
		return;
	sl = hl - bl - 8;
	if (memchr(host, '.', sl) != NULL)
		return;
	if (strncmp(req->path, "/api/", 5) == 0 || strncmp(req->path, "/engine/", 8) == 0 ||
	    strncmp(req->path, "/static/", 8) == 0 || strcmp(req->path, "/healthz") == 0)
		return;
	if (snprintf(rewritten, sizeof(rewritten), "/p/%.*s%s", (int)sl, host, req->path) >=
	    (int)sizeof(rewritten))
		return;
	memcpy(p->path, rewritten, strlen(rewritten) + 1);
	req->html = true;
	req->via_portal_host = true;
}

