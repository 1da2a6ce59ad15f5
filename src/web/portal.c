/*
 * portal.c — the agency's branded portal landing page: its name, logo and
 * colors, and the credits package with its price. Reached at /p/{slug}/,
 * at {slug}.portal.{base} (server.c rewrites the host to that path) and at
 * a verified custom domain. An inactive or unknown portal is a 404 page.
 * A slug the agency used before answers with a redirect to its portal now
 * (slugs stay reserved to their agency, see services/portals.h).
 * It leads to sign-up and log-in (portal_auth.c), or to the client's
 * dashboard (portal_home.c) when a portal session is open.
 */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

#include "core/host.h"
#include "core/money.h"
#include "core/validate.h"
#include "core/whitelabel.h"
#include "services/portals.h"
#include "services/whitelabel.h"

static void
not_found(struct wl_req *req)
{
	web_error_page(req, 404, "Portal not found",
		       "There is no active portal at this address. Check the link you were given.");
}

/* The lowercase Host without its port, "" when unusable. */
static void
request_host(struct wl_req *req, char *out, size_t size)
{
	if (!wl_host_from_header(http_header(req, "Host"), out, size))
		out[0] = '\0';
}

/* The portal of this request: by slug (path) or by a verified custom
 * domain. *former: the slug is one the agency used before. */
static int
find_portal(struct wl_req *req, struct store_whitelabel *s, bool *former, struct wl_error *err)
{
	char domain[256];

	*former = false;
	if (req->params[0][0] != '\0')
		return portals_find_slug(req->conn, req->params[0], s, former, err);
	request_host(req, domain, sizeof(domain));
	return portals_find_domain(req->conn, domain, s, err);
}

/* A former slug: to the same page under the agency's slug of today, on the
 * portal host when the request came by host, else under /p/. */
static void
moved(struct wl_req *req, const char *old_slug, const char *slug)
{
	char host[256], url[600], loc[700];
	size_t n = strlen(old_slug);

	request_host(req, host, sizeof(host));
	if (strncmp(host, old_slug, n) == 0 && strncmp(host + n, ".portal.", 8) == 0) {
		whitelabel_portal_url(req->app, slug, url, sizeof(url));
		snprintf(loc, sizeof(loc), "%s/", url);
	} else {
		snprintf(loc, sizeof(loc), "/p/%s/", slug);
	}
	http_redirect(req, loc);
}

void
web_portal(struct wl_req *req)
{
	struct store_whitelabel s;
	struct tpl_data *d;
	struct wl_error err;
	bool former;
	int rc;

	req->html = true;
	if (req->portal == NULL) {
		/* a verified custom domain's root (web_root): no portal auth ran */
		wl_error_clear(&err);
		rc = find_portal(req, &s, &former, &err);
		if (rc == WL_ENOTFOUND || (rc == WL_OK && !s.active)) {
			not_found(req);
			return;
		}
		if (rc != WL_OK) {
			http_reply_error(req, &err);
			return;
		}
		if (former) {
			moved(req, req->params[0], s.slug);
			return;
		}
		req->portal = http_alloc(req, sizeof(*req->portal));
		if (req->portal == NULL) {
			web_portal_error_page(req, 503, "Busy",
					      "The server is busy. Please try again.");
			return;
		}
		*req->portal = s;
		snprintf(req->portal_base, sizeof(req->portal_base), "/p/%s", s.slug);
	}
	if ((d = web_portal_data(req, "Home")) == NULL) {
		web_portal_error_page(req, 503, "Busy", "The server is busy. Please try again.");
		return;
	}
	tpl_put(d, "title", req->portal->company_name);
	web_portal_package(d, req->portal);
	web_render(req, 200, "portal", d);
}

void
web_portal_redirect(struct wl_req *req)
{
	char loc[96];

	if (!wl_valid_slug(req->params[0])) {
		not_found(req);
		return;
	}
	snprintf(loc, sizeof(loc), "/p/%s/", req->params[0]);
	http_redirect(req, loc);
}
