/*
 * host.c — host names against the base domain (see host.h). Every layer
 * that asks "is this ours" or "which portal is this" asks here.
 */
#include "core/host.h"

#include <assert.h>
#include <string.h>

bool
wl_host_lower(const char *in, size_t n, char *out, size_t cap)
{
	size_t i;

	assert(cap > 0);
	if (n == 0 || n >= cap)
		return false;
	for (i = 0; i < n; i++)
		out[i] = (char)((in[i] >= 'A' && in[i] <= 'Z') ? in[i] - 'A' + 'a' : in[i]);
	out[n] = '\0';
	return true;
}

bool
wl_host_from_header(const char *header, char *out, size_t cap)
{
	if (header == NULL)
		return false;
	return wl_host_lower(header, strcspn(header, ":"), out, cap);
}

bool
wl_base_is_local(const char *base)
{
	size_t n = strlen(base);

	return strcmp(base, "localhost") == 0 ||
	       (n > 10 && strcmp(base + n - 10, ".localhost") == 0);
}

bool
wl_host_under(const char *host, const char *base)
{
	size_t n = strlen(host), bl = strlen(base);

	return strcmp(host, base) == 0 ||
	       (n > bl && host[n - bl - 1] == '.' && strcmp(host + n - bl, base) == 0);
}

bool
wl_host_is_platform(const char *host, const char *base)
{
	return strcmp(host, base) == 0 ||
	       (strncmp(host, "portal.", 7) == 0 && strcmp(host + 7, base) == 0);
}

size_t
wl_host_portal_slug(const char *host, const char *base)
{
	size_t hl = strlen(host), bl = strlen(base), sl;

	if (hl <= bl + 8 || strcmp(host + hl - bl, base) != 0 ||
	    strncmp(host + hl - bl - 8, ".portal.", 8) != 0)
		return 0;
	sl = hl - bl - 8;
	if (memchr(host, '.', sl) != NULL)
		return 0;
	return sl;
}
