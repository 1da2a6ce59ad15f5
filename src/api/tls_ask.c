/*
 * tls_ask.c — GET /internal/tls-ask?domain=NAME, asked by Caddy before it
 * gets a certificate on demand (deploy/Caddyfile): 200 when wlportal serves
 * that name (portals_tls_allowed says which), else 404, so nobody can make
 * the proxy request certificates for names that are not ours.
 */
#include "api/api.h"

#include "services/portals.h"

void
api_tls_ask(struct wl_req *req)
{
	struct wl_error err;
	const char *domain = http_query(req, "domain");

	wl_error_clear(&err);
	if (domain == NULL || domain[0] == '\0') {
		http_reply_fail(req, WL_EINVALID, "domain is required");
		return;
	}
	if (portals_tls_allowed(req->app, req->conn, domain, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	wl_json_obj_begin(&req->out);
	wl_json_kv_str(&req->out, "domain", domain);
	wl_json_kv_bool(&req->out, "allowed", true);
	wl_json_obj_end(&req->out);
	http_reply_json(req, 200);
}
