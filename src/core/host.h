/*
 * host.h — host names and the platform's base domain, the rules written
 * once: how a Host header or a typed domain becomes the lowercase name we
 * compare, whether the base is a local one (plain http on our own port),
 * which names belong to the platform, and which host is a portal host
 * ({slug}.portal.{base}). Pure functions: no I/O, no allocation.
 */
#ifndef WL_HOST_H
#define WL_HOST_H

#include <stdbool.h>
#include <stddef.h>

/* The first n bytes of in, lowercased (ASCII), into out; false when n is 0
 * or does not fit out with its NUL. */
bool wl_host_lower(const char *in, size_t n, char *out, size_t cap);
/* A Host header's name without its port, lowercased; false when absent,
 * empty or too long. */
bool wl_host_from_header(const char *header, char *out, size_t cap);
/* A base domain that is localhost or *.localhost: served over plain http. */
bool wl_base_is_local(const char *base);
/* host (lowercase) is base itself or a name under it. */
bool wl_host_under(const char *host, const char *base);
/* host (lowercase) is the platform's own name: base or portal.{base}. */
bool wl_host_is_platform(const char *host, const char *base);
/* The length of the slug when host (lowercase) is {slug}.portal.{base} with
 * a slug of one label, else 0. */
size_t wl_host_portal_slug(const char *host, const char *base);

#endif
