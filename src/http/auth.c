/*
 * auth.c — who is asking, for the route's kind of authentication: an API
 * key (Bearer) and the org it acts on (X-Organization-Id), the engine's
 * token, a dashboard session (its cookie, the CSRF token of every POST,
 * the org acted on by ?org= or the form field "org"), or a client's portal
 * session on its agency's portal (/p/:slug). Fills req->key_org_id,
 * req->org, req->user_id and req->csrf; decides nothing else.
 */
#include "http/http.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/form.h"
#include "core/timeutil.h"
#include "services/accounts.h"
#include "services/ids.h"
#include "services/portal_accounts.h"
#include "services/portals.h"
#include "services/sessions.h"
#include "services/trail.h"
#include "http/http_int.h"

/* The form's "csrf" field equals the session's token (constant time). */
static bool
csrf_ok(struct wl_req *req, const char *expected)
{
	const char *csrf = http_form(req, "csrf");

	return csrf != NULL && ids_token_equal(csrf, strlen(csrf), expected, strlen(expected));
}

/* The wl_session cookie → the session's user and org, then the org acted on
 * (?org=, or the form field "org" of a POST); a POST must carry the CSRF
 * token. */
static int
authenticate_session(struct wl_req *req, struct wl_error *err)
{
	struct store_session s;
	char token[128];
	const char *org;
	int rc;

	if (!wl_cookie_get(http_header(req, "Cookie"), http_cookie_name(req, WL_SESSION_COOKIE),
			   token, sizeof(token)) ||
	    token[0] == '\0')
		return wl_fail(err, WL_EUNAUTHORIZED, "Please log in to see this page.");
	rc = sessions_lookup(req->conn, token, req->now_ms, &s, err);
	sodium_memzero(token, sizeof(token));
	if (rc == WL_EUNAUTHORIZED)
		return wl_fail(err, WL_EUNAUTHORIZED,
			       "Your session has ended. Please log in again.");
	if (rc != WL_OK)
		return rc;
	memcpy(req->user_id, s.user_id, WL_ID_LEN);
	memcpy(req->key_org_id, s.org_id, WL_ID_LEN);
	snprintf(req->csrf, sizeof(req->csrf), "%s", s.csrf_token);
	if (req->method == HTTP_POST) {
		if (!csrf_ok(req, s.csrf_token))
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
	char token[128];
	bool former;
	int rc;

	req->portal = http_alloc(req, sizeof(*req->portal));
	if (req->portal == NULL)
		return wl_fail(err, WL_EUNAVAILABLE, "The server is busy. Please try again.");
	rc = portals_find_slug(req->conn, req->params[0], req->portal, &former, err);
	if (rc == WL_ENOTFOUND || (rc == WL_OK && !req->portal->active)) {
		req->portal = NULL;
		return wl_fail(
			err, WL_ENOTFOUND,
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
	    portal_session_read(req->conn, token, req->now_ms, req->portal->org_id, &s, err) !=
		    WL_OK) {
		sodium_memzero(token, sizeof(token));
		wl_error_clear(err);
		return required ? wl_fail(err, WL_EUNAUTHORIZED, "Please log in to see this page.")
				: WL_OK;
	}
	sodium_memzero(token, sizeof(token));
	if (required && req->method == HTTP_POST) {
		if (!csrf_ok(req, s.csrf_token))
			return wl_fail(err, WL_EFORBIDDEN,
				       "This form has expired or did not come from this site. "
				       "Go back, reload the page and try again.");
	}
	if ((rc = accounts_acting_org(req->conn, s.org_id, NULL, &req->org, err)) != WL_OK)
		return rc == WL_ENOTFOUND || rc == WL_EFORBIDDEN
			       ? wl_fail(err, WL_EUNAUTHORIZED, "Please log in again.")
			       : rc;
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
	struct api_auth a;
	int rc;

	if (auth == AUTH_NONE || auth == AUTH_PAGE || auth == AUTH_LOGIN)
		return WL_OK;
	if (auth == AUTH_SESSION)
		return authenticate_session(req, err);
	if (auth == AUTH_PORTAL || auth == AUTH_PORTAL_PUBLIC)
		return authenticate_portal(req, auth == AUTH_PORTAL, err);
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 || h[7] == '\0')
		return wl_fail(err, WL_EUNAUTHORIZED,
			       "Missing bearer token in the Authorization header");
	token = h + 7;
	if (auth == AUTH_ENGINE) {
		if (!ids_token_equal(token, strlen(token), req->app->engine_token,
				     strlen(req->app->engine_token)))
			return wl_fail(err, WL_EUNAUTHORIZED, "Invalid engine token");
		return WL_OK;
	}
	if (req->priv->preauth != NULL) {
		/* keybatch.c looked this key up with others (own org, month) */
		struct http_preauth *pa = req->priv->preauth;

		req->priv->preauth = NULL;
		a = pa->auth;
		if ((rc = pa->rc) != WL_OK)
			*err = pa->err;
		free(pa);
	} else {
		rc = accounts_api_auth(req->app, req->conn, token, strlen(token), wl_now_ms(),
				       http_header(req, "X-Organization-Id"),
				       auth == AUTH_API_KEY_MONTH, &a, err);
	}
	if (rc != WL_OK) {
		if (err->code == WL_EUNAUTHORIZED)
			snprintf(err->message, sizeof(err->message), "Invalid API key");
		return err->code;
	}
	memcpy(req->key_org_id, a.key_org_id, WL_ID_LEN);
	memcpy(req->key_id, a.key_id, WL_ID_LEN);
	req->org = a.org;
	req->month_known = a.month_known;
	req->month_usage_seconds = a.month_usage_seconds;
	return WL_OK;
}

void
http_actor(struct wl_req *req, struct trail_actor *out)
{
	memset(out, 0, sizeof(*out));
	if (req->key_id[0] != '\0') {
		snprintf(out->type, sizeof(out->type), "api_key");
		memcpy(out->id, req->key_id, WL_ID_LEN);
	} else if (req->user_id[0] != '\0') {
		snprintf(out->type, sizeof(out->type), "user");
		memcpy(out->id, req->user_id, WL_ID_LEN);
	}
	http_client_addr(req, out->address, sizeof(out->address));
}
