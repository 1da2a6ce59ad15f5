/*
 * agentcfg.c — syntax checks of the per-org configuration objects (see
 * agentcfg.h). Pure: inet_pton reads text, nothing is resolved here.
 */
#include "core/agentcfg.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/timeutil.h"

static bool
all_of(const char *s, size_t n, int (*cls)(int))
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!cls((unsigned char)s[i]))
			return false;
	return true;
}

/* Where a tag is: what the next subtag may be depends on what came before
 * (script, then region, then variants, then extensions). */
struct tag_state {
	int stage;        /* 0 language, 1 script, 2 region, 3 variants */
	bool in_ext;      /* after a singleton: extension subtags */
	bool ext_open;    /* a singleton not yet followed by a subtag */
	bool private_use; /* after "x": any subtags of 1 to 8 */
};

static bool
subtag_ok(const char *p, size_t n, struct tag_state *t)
{
	if (t->private_use) {
		t->ext_open = false;
		return n >= 1 && n <= 8 && all_of(p, n, isalnum);
	}
	if (n == 1 && isalnum((unsigned char)p[0])) {
		if (t->ext_open)
			return false;
		t->in_ext = t->ext_open = true; /* an extension, or x- private use */
		t->private_use = p[0] == 'x' || p[0] == 'X';
		return true;
	}
	if (t->in_ext) {
		t->ext_open = false;
		return n >= 2 && n <= 8 && all_of(p, n, isalnum);
	}
	if (t->stage < 1 && n == 4 && all_of(p, n, isalpha)) {
		t->stage = 1;
		return true;
	}
	if (t->stage < 2 &&
	    ((n == 2 && all_of(p, n, isalpha)) || (n == 3 && all_of(p, n, isdigit)))) {
		t->stage = 2;
		return true;
	}
	if ((n >= 5 && n <= 8 && all_of(p, n, isalnum)) ||
	    (n == 4 && isdigit((unsigned char)p[0]) && all_of(p, n, isalnum))) {
		t->stage = 3;
		return true;
	}
	return false;
}

bool
wl_valid_bcp47(const char *s)
{
	struct tag_state t = { 0, false, false, false };
	size_t len, n;
	const char *p;

	if (s == NULL || (len = strlen(s)) == 0 || len > WL_LANGUAGE_MAX)
		return false;
	n = strcspn(s, "-");
	if (n < 2 || n > 3 || !all_of(s, n, isalpha))
		return false;
	for (p = s + n; *p != '\0'; p += n) {
		p++; /* the '-' */
		n = strcspn(p, "-");
		if (n == 0 || !subtag_ok(p, n, &t))
			return false;
	}
	return !t.ext_open;
}

bool
wl_valid_function_name(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || s[0] == '-')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= WL_FUNCTION_NAME_MAX || !(isalnum(c) || c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool
wl_valid_call_event(const char *s)
{
	static const char *const events[] = { "assistant-request", "status-update", "tool-calls",
					      "end-of-call-report", NULL };
	size_t i;

	for (i = 0; s != NULL && events[i] != NULL; i++)
		if (strcmp(s, events[i]) == 0)
			return true;
	return false;
}

/* ---- URLs -------------------------------------------------------------- */

static bool
private_v4(const unsigned char a[4])
{
	return a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 169 && a[1] == 254) ||
	       (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
	       (a[0] == 100 && (a[1] & 0xc0) == 64) || a[0] >= 224 ||
	       (a[0] == 192 && a[1] == 0 && a[2] == 0) || (a[0] == 198 && (a[1] & 0xfe) == 18);
}

static bool
private_v6(const unsigned char a[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char zero[16];

	if (memcmp(a, mapped, 12) == 0)
		return private_v4(a + 12);
	if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1)) /* :: and ::1 */
		return true;
	return (a[0] & 0xfe) == 0xfc ||                   /* fc00::/7 unique local */
	       (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || /* fe80::/10 link-local */
	       a[0] == 0xff;                              /* multicast */
}

/* A host as it appears in the URL: "[v6]" or a name or IPv4 literal. */
static bool
private_host(const char *host, size_t n)
{
	char buf[256];
	unsigned char addr[16];

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, host, n);
	buf[n] = '\0';
	if (buf[0] == '[') {
		if (buf[n - 1] != ']')
			return false;
		buf[n - 1] = '\0';
		return inet_pton(AF_INET6, buf + 1, addr) == 1 && private_v6(addr);
	}
	if (buf[n - 1] == '.') /* "localhost." is localhost */
		buf[n - 1] = '\0';
	if (strcasecmp(buf, "localhost") == 0 ||
	    (strlen(buf) > 10 && strcasecmp(buf + strlen(buf) - 10, ".localhost") == 0))
		return true;
	/* Also the short forms inet_aton takes ("127.1", "2130706433"). */
	if (inet_aton(buf, (struct in_addr *)(void *)addr) != 0)
		return private_v4(addr);
	return false;
}

const char *
wl_url_problem(const char *url, bool allow_private)
{
	const char *host, *end, *at;
	size_t i, len, hostlen;

	if (url == NULL || (len = strlen(url)) == 0)
		return "must be an http:// or https:// URL";
	if (len > WL_URL_MAX)
		return "must be at most 2048 characters";
	for (i = 0; i < len; i++)
		if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f)
			return "must not contain spaces or control or non-ASCII characters";
	if (strncasecmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return "must be an http:// or https:// URL";
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	if (at != NULL)
		return "must not carry a user name or password";
	/* The host without its port: a bracketed IPv6 keeps its colons. */
	if (host[0] == '[') {
		const char *close = memchr(host, ']', (size_t)(end - host));

		if (close == NULL)
			return "has a malformed IPv6 address";
		hostlen = (size_t)(close - host) + 1;
	} else {
		hostlen = strcspn(host, ":/?#");
	}
	if (hostlen == 0)
		return "must name a host";
	if (!allow_private && private_host(host, hostlen))
		return "must not point at a private, loopback or link-local address";
	return NULL;
}

/* ---- numbers and versions -------------------------------------------- */

bool
wl_thousandths_from_double(double v, int64_t min, int64_t max, int64_t *out)
{
	double scaled;
	int64_t r;

	if (!isfinite(v) || v < -1e12 || v > 1e12)
		return false;
	scaled = v * 1000.0;
	r = (int64_t)llround(scaled);
	/* 0.7 * 1000 is 699.9999…: anything closer than a millionth of a
	 * thousandth is that thousandth; more decimals than three are refused. */
	if (fabs(scaled - (double)r) > 1e-6)
		return false;
	if (r < min || r > max)
		return false;
	*out = r;
	return true;
}

void
wl_format_thousandths(int64_t v, char out[32])
{
	const char *sign = v < 0 ? "-" : "";
	uint64_t a = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
	unsigned frac = (unsigned)(a % 1000);
	int n;

	if (frac == 0) {
		snprintf(out, 32, "%s%llu", sign, (unsigned long long)(a / 1000));
		return;
	}
	n = snprintf(out, 32, "%s%llu.%03u", sign, (unsigned long long)(a / 1000), frac);
	while (n > 0 && out[n - 1] == '0')
		out[--n] = '\0';
}

void
wl_etag(int64_t updated_at_ms, char out[32])
{
	snprintf(out, 32, "\"%lld\"", (long long)updated_at_ms);
}

/* One entry of an If-Match list (trimmed, n bytes). */
static bool
match_one(const char *v, size_t n, int64_t updated_at_ms)
{
	char etag[32], iso[32];

	if (n == 1 && v[0] == '*')
		return true;
	if (n > 2 && v[0] == 'W' && v[1] == '/') {
		v += 2;
		n -= 2;
	}
	wl_etag(updated_at_ms, etag);
	if (n == strlen(etag) && memcmp(v, etag, n) == 0)
		return true;
	if (n == strlen(etag) - 2 && memcmp(v, etag + 1, n) == 0)
		return true;
	wl_format_iso_ms(updated_at_ms, iso);
	if (n == strlen(iso) && memcmp(v, iso, n) == 0)
		return true;
	return n == strlen(iso) + 2 && v[0] == '"' && memcmp(v + 1, iso, n - 2) == 0;
}

bool
wl_if_match(const char *if_match, int64_t updated_at_ms)
{
	const char *p = if_match;

	if (p == NULL)
		return false;
	while (*p != '\0') {
		size_t n;

		p += strspn(p, " \t,");
		n = strcspn(p, ",");
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n > 0 && match_one(p, n, updated_at_ms))
			return true;
		p += strcspn(p, ",");
	}
	return false;
}
