/*
 * site.c — which site a request belongs to: its host (the platform's own,
 * or a portal host, or an agency's custom domain), whether the browser
 * reached us over https (and so the __Host- cookie names), and whether a
 * POST to a page was sent by another site. Routing on these answers is in
 * server.c; cookies are written in request.c.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/host.h"
#include "http/http_int.h"

bool
http_request_host(struct wl_req *req, char *out, size_t n)
{
	const char *h = http_header(req, "Host");

	if (h == NULL || h[0] == '[')
		return false;
	return wl_host_from_header(h, out, n);
}

bool
http_platform_host(struct wl_req *req)
{
	const char *base = req->app->base_domain, *listen = req->app->listen_host;
	struct in_addr ip;
	char host[256];

	if (!http_request_host(req, host, sizeof(host)))
		return false;
	if (wl_host_is_platform(host, base))
		return true;
	if (listen[0] != '\0' && strcmp(host, listen) == 0)
		return true;
	/* Listening on every address: any address literal is ours (portal
	 * hosts and custom domains are names). */
	return strcmp(listen, "0.0.0.0") == 0 && inet_pton(AF_INET, host, &ip) == 1;
}

bool
http_is_https(struct wl_req *req)
{
	const char *base = req->app->base_domain;
	const char *proto;

	if (!wl_base_is_local(base))
		return true;
	/* The header is the client's own claim unless our proxy set it. */
	proto = req->app->trust_proxy ? http_header(req, "X-Forwarded-Proto") : NULL;
	return proto != NULL && strcasecmp(proto, "https") == 0;
}

const char *
http_cookie_name(struct wl_req *req, const char *name)
{
	size_t n = strlen(name) + sizeof("__Host-");
	char *full;

	if (!http_is_https(req) || (full = http_alloc(req, n)) == NULL)
		return name;
	snprintf(full, n, "__Host-%s", name);
	return full;
}

/* The length of an authority ("host[:port]") without the port its scheme
 * implies. */
static size_t
authority_len(const char *a, bool https)
{
	size_t n = strlen(a);

	if (https && n > 4 && strcmp(a + n - 4, ":443") == 0)
		return n - 4;
	if (!https && n > 3 && strcmp(a + n - 3, ":80") == 0)
		return n - 3;
	return n;
}

bool
http_foreign_post(struct wl_req *req)
{
	const char *origin = http_header(req, "Origin"), *host = http_header(req, "Host");
	const char *site = http_header(req, "Sec-Fetch-Site");
	bool https = http_is_https(req);
	const char *scheme = https ? "https://" : "http://";
	size_t sl = strlen(scheme), on;

	if (origin == NULL)
		return site != NULL && strcasecmp(site, "cross-site") == 0;
	if (host == NULL || strncasecmp(origin, scheme, sl) != 0)
		return true;
	origin += sl;
	on = authority_len(origin, https);
	return on == 0 || on != authority_len(host, https) || strncasecmp(origin, host, on) != 0;
}
