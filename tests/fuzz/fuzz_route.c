/*
 * fuzz_route.c — the path and Host of every request come from the network
 * and meet the route matcher and the portal-host rewrite before anything
 * else. Input: one byte for the method, then "host\npath". Whatever they
 * answer must be consistent: a found route has the request's method (HEAD
 * as GET) and its pattern matches the path again with the same captures;
 * every capture and the Allow list stay inside their buffers; a portal
 * path is /p/{slug} followed by the original path, the slug a single label
 * of the host. The table mirrors the patterns of src/http/routes.c.
 */
/* fuzz-extra: src/http/route_match.c */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/route_match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct route table[] = {
	{ HTTP_GET, "/healthz", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/account", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/usage", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_POST, "/api/v1/calls", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/calls", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/calls/:id", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/whitelabel", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_PUT, "/api/v1/whitelabel", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/whitelabel/margin", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_POST, "/api/v1/whitelabel/domain", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_DELETE, "/api/v1/whitelabel/domain", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_POST, "/api/v1/whitelabel/domain/refresh", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/whitelabel/users", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_POST, "/api/v1/whitelabel/users/:id/allocations", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_GET, "/", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_GET, "/static/:file", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_GET, "/login", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_POST, "/login", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_POST, "/logout", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_GET, "/dashboard", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_GET, "/dashboard/users", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/users/:id/allocate", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_GET, "/dashboard/whitelabel", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/whitelabel/domain/add", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/whitelabel/domain/refresh", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/whitelabel/domain/remove", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/whitelabel/:step", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_GET, "/p/:slug", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_GET, "/p/:slug/", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_POST, "/engine/v1/calls/inbound", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_POST, "/engine/v1/calls/:id/events", NULL, AUTH_NONE, ROUTE_QUICK },
	/* patterns the real table may grow: two captures, a capture at the end */
	{ HTTP_PATCH, "/x/:a/y/:b", NULL, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_DELETE, "/x/:a/:b/:c/:d", NULL, AUTH_NONE, ROUTE_QUICK },
};

static void
check_route(enum http_method method, const char *path)
{
	char params[WL_PATH_PARAMS][HTTP_PARAM_MAX], again[WL_PATH_PARAMS][HTTP_PARAM_MAX];
	char allow[64];
	bool mismatch;
	const struct route *r;
	int i;

	memset(params, 'x', sizeof(params));
	memset(allow, 'x', sizeof(allow));
	r = http_route_match(table, sizeof(table) / sizeof(table[0]), method, path, params,
			     &mismatch, allow, sizeof(allow));
	assert(memchr(allow, '\0', sizeof(allow)) != NULL);
	if (r == NULL) {
		assert(!mismatch || allow[0] != '\0');
		return;
	}
	assert(!mismatch);
	assert(r->method == (method == HTTP_HEAD ? HTTP_GET : method));
	memset(again, 0, sizeof(again));
	assert(http_path_match(r->pattern, path, again));
	for (i = 0; i < WL_PATH_PARAMS && strchr(r->pattern, ':') != NULL; i++) {
		if (again[i][0] == '\0')
			break;
		assert(memchr(params[i], '\0', HTTP_PARAM_MAX) != NULL);
		assert(strcmp(params[i], again[i]) == 0);
		assert(strchr(params[i], '/') == NULL);
	}
}

static void
check_portal(const char *host, const char *path)
{
	static const char *const bases[] = { "localhost", "example.com" };
	char out[128];
	size_t b, pl = strlen(path);

	for (b = 0; b < 2; b++) {
		memset(out, 'x', sizeof(out));
		if (!http_portal_path(host, bases[b], path, out, sizeof(out)))
			continue;
		assert(memchr(out, '\0', sizeof(out)) != NULL);
		assert(strncmp(out, "/p/", 3) == 0);
		assert(strlen(out) >= 3 + 1 + pl);
		assert(strcmp(out + strlen(out) - pl, path) == 0);
		/* the slug is the host's first label, and it has no dot */
		assert(strncmp(out + 3, host, strlen(out) - 3 - pl) == 0);
		assert(memchr(out + 3, '.', strlen(out) - 3 - pl) == NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[4096], *nl;
	enum http_method method;

	if (size < 1 || size >= sizeof(text))
		return 0;
	method = (enum http_method)(data[0] % (HTTP_OTHER + 1));
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	nl = strchr(text, '\n');
	if (nl == NULL) {
		check_route(method, text);
		return 0;
	}
	*nl = '\0';
	check_route(method, nl + 1);
	check_portal(text, nl + 1);
	return 0;
}
