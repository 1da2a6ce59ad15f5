/*
 * auth.c — who is asking, for the route's kind of authentication: an API
 * key (Bearer) and the org it acts on (X-Organization-Id), the engine's
 * token, or a dashboard session (its cookie, the CSRF token of every POST,
 * the org acted on by ?org= or the form field "org"). Fills req->key_org_id,
 * req->org, req->user_id and req->csrf; decides nothing else.
 */
#include "http/http.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/form.h"
#include "services/accounts.h"
#include "services/ids.h"
#include "services/sessions.h"
#include "http/http_int.h"

/* The wl_session cookie → the session's user and org, then the org acted on
 * (?org=, or the form field "org" of a POST); a POST must carry the CSRF
 * token. */
static int
authenticate_session(struct wl_req *req, struct wl_error *err)
{
	struct store_session s;
	char token[128];
	const char *csrf, *org;
	int rc;

	if (!wl_cookie_get(http_header(req, "Cookie"), http_cookie_name(req, WL_SESSION_COOKIE),
			   token, sizeof(token)) ||
	    token[0] == '\0')
		return wl_fail(err, WL_EUNAUTHORIZED, "Please log in to see this page.");
	rc = sessions_lookup(req->conn, token, req->now_ms, &s, err);
	sodium_memzero(token, sizeof(token));
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

int
http_authenticate(struct wl_req *req, enum route_auth auth, struct wl_error *err)
{
	const char *h = http_header(req, "Authorization");
	const char *token;

	if (auth == AUTH_NONE || auth == AUTH_PAGE || auth == AUTH_LOGIN)
		return WL_OK;
	if (auth == AUTH_SESSION)
		return authenticate_session(req, err);
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 || h[7] == '\0')
		return wl_fail(err, WL_EUNAUTHORIZED, "Missing bearer token in the Authorization header");
	token = h + 7;
	if (auth == AUTH_ENGINE) {
		if (!ids_token_equal(token, strlen(token), req->app->engine_token,
				     strlen(req->app->engine_token)))
			return wl_fail(err, WL_EUNAUTHORIZED, "Invalid engine token");
		return WL_OK;
	}
	if (accounts_authenticate(req->conn, token, strlen(token), req->key_org_id, err) != WL_OK) {
		if (err->code == WL_EUNAUTHORIZED)
			snprintf(err->message, sizeof(err->message), "Invalid API key");
		return err->code;
	}
	return accounts_acting_org(req->conn, req->key_org_id, http_header(req, "X-Organization-Id"),
				   &req->org, err);
}
