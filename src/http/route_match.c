/*
 * route_match.c — route and portal-host matching (route_match.h), kept
 * apart from the server so that it can be fuzzed on its own.
 */
#include "http/route_match.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/host.h"

bool
http_path_match(const char *pattern, const char *path, char params[WL_PATH_PARAMS][HTTP_PARAM_MAX])
{
	int np = 0;

	while (*pattern != '\0' && *path != '\0') {
		if (*pattern == ':') {
			size_t n = strcspn(path, "/");

			if (n == 0 || n >= HTTP_PARAM_MAX || np >= WL_PATH_PARAMS)
				return false;
			memcpy(params[np], path, n);
			params[np][n] = '\0';
			np++;
			path += n;
			pattern += strcspn(pattern, "/");
			continue;
		}
		if (*pattern != *path)
			return false;
		pattern++;
		path++;
	}
	assert(np <= WL_PATH_PARAMS);
	return *pattern == '\0' && *path == '\0';
}

static const char *
method_name(enum http_method m)
{
	static const char *const names[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "" };

	assert((size_t)m < sizeof(names) / sizeof(names[0]));
	return names[m];
}

const struct route *
http_route_match(const struct route *routes, size_t n, enum http_method method, const char *path,
		 char params[WL_PATH_PARAMS][HTTP_PARAM_MAX], bool *method_mismatch, char *allow,
		 size_t allow_sz)
{
	const struct route *found = NULL;
	enum http_method m = method == HTTP_HEAD ? HTTP_GET : method;
	size_t i;

	assert(allow != NULL && allow_sz > 0);
	*method_mismatch = false;
	allow[0] = '\0';
	if (path[0] == '\0')
		return NULL;
	/* The first route of the method wins. A failed match may have written
	 * some of got: the winner's parameters are matched again into a
	 * zeroed params, so that its unused ones are empty. */
	for (i = 0; i < n; i++) {
		char got[WL_PATH_PARAMS][HTTP_PARAM_MAX];

		if (routes[i].pattern[1] != path[1] && routes[i].pattern[1] != ':')
			continue; /* the first character after '/' differs */
		if (!http_path_match(routes[i].pattern, path, got))
			continue;
		if (routes[i].method == m) {
			found = &routes[i];
			memset(params, 0, sizeof(got));
			(void)http_path_match(found->pattern, path, params);
			break;
		} else {
			size_t used = strlen(allow);

			*method_mismatch = true;
			if (used < allow_sz - 1)
				snprintf(allow + used, allow_sz - used, "%s%s", used ? ", " : "",
					 method_name(routes[i].method));
		}
	}
	if (found != NULL)
		*method_mismatch = false;
	return found;
}

bool
http_portal_rewrites(const char *path)
{
	return strncmp(path, "/api/", 5) != 0 && strncmp(path, "/engine/", 8) != 0 &&
	       strncmp(path, "/static/", 8) != 0 && strcmp(path, "/healthz") != 0;
}

bool
http_portal_path(const char *host, const char *base, const char *path, char *out, size_t out_sz)
{
	size_t sl = wl_host_portal_slug(host, base);
	int n;

	if (sl == 0 || !http_portal_rewrites(path))
		return false;
	assert(out_sz > 0);
	n = snprintf(NULL, 0, "/p/%.*s%s", (int)sl, host, path);
	if (n < 0 || (size_t)n >= out_sz)
		return false;
	snprintf(out, out_sz, "/p/%.*s%s", (int)sl, host, path);
	return true;
}
