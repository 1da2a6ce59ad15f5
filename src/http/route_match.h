/*
 * route_match.h — which route of a table answers a request, and which path
 * a portal host's request means (route_match.c). Pure functions of their
 * arguments: no server, no I/O, so tests/fuzz/fuzz_route.c can drive them.
 */
#ifndef WL_ROUTE_MATCH_H
#define WL_ROUTE_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

#define HTTP_PARAM_MAX 64 /* a captured segment, with its NUL */

/* path against pattern: literal bytes must be equal, ":name" takes one
 * non-empty segment of fewer than HTTP_PARAM_MAX bytes, at most
 * WL_PATH_PARAMS of them, captured in order into params. */
bool http_path_match(const char *pattern, const char *path,
		     char params[WL_PATH_PARAMS][HTTP_PARAM_MAX]);

/* The first route of routes[0..n) with this method (HEAD counts as GET) and
 * a matching pattern; its captures go to params (left alone when none
 * matches). NULL when none: *method_mismatch is then set when the path
 * matches under other methods, which allow lists ("GET, POST"), cut to
 * allow_sz. */
const struct route *http_route_match(const struct route *routes, size_t n, enum http_method method,
				     const char *path, char params[WL_PATH_PARAMS][HTTP_PARAM_MAX],
				     bool *method_mismatch, char *allow, size_t allow_sz);

/* Whether a portal host's request for path means the portal's page
 * (false for /api/, /engine/, /static/, /healthz: the same on every host). */
bool http_portal_rewrites(const char *path);
/* A request to host {slug}.portal.{base} (host lowercase, no port) means
 * /p/{slug}{path}, written to out; false (out untouched) when host is not a
 * portal host, when path is one that keeps its own meaning on every host
 * (/api/, /engine/, /static/, /healthz), or when the result does not fit. */
bool http_portal_path(const char *host, const char *base, const char *path, char *out,
		      size_t out_sz);

#endif
