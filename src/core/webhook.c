/*
 * webhook.c — the pure rules of outbound webhooks (see webhook.h): event
 * names and lists, URL shape, address classes, the signature, and keeping
 * a receiver's answer storable.
 */
#include "core/webhook.h"

#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *const wl_webhook_events[] = { "status-update",     "end-of-call-report", "balance.low",
					  "assistant-request", "tool-calls",         NULL };

bool
wl_webhook_event_known(const char *name)
{
	size_t i;

	for (i = 0; wl_webhook_events[i] != NULL; i++)
		if (strcmp(wl_webhook_events[i], name) == 0)
			return true;
	return false;
}

bool
wl_webhook_events_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, name, n) == 0)
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}

int
wl_webhook_events_add(char *out, size_t outsz, const char *name, struct wl_error *err)
{
	size_t used = strlen(out);

	if (!wl_webhook_event_known(name))
		return wl_fail(err, WL_EINVALID, "unknown event");
	if (wl_webhook_events_has(out, name))
		return WL_OK;
	if (used + (used > 0) + strlen(name) + 1 > outsz)
		return wl_fail(err, WL_EINVALID, "too many events");
	snprintf(out + used, outsz - used, "%s%s", used > 0 ? "," : "", name);
	return WL_OK;
}

bool
wl_webhook_url_valid(const char *url, size_t max)
{
	size_t n = strlen(url), i, skip;
	const char *host, *end;

	if (n > max)
		return false;
	if (strncasecmp(url, "https://", 8) == 0)
		skip = 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		skip = 7;
	else
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
			return false;
	host = url + skip;
	end = host + strcspn(host, "/?#");
	if (end == host || memchr(host, '@', (size_t)(end - host)) != NULL)
		return false;
	return host[0] != ':';
}

static bool
v4_public(uint32_t a)
{
	uint8_t b0 = (uint8_t)(a >> 24), b1 = (uint8_t)(a >> 16);

	return !(b0 == 0 || b0 == 10 || b0 == 127 || (b0 == 169 && b1 == 254) ||
		 (b0 == 172 && (b1 & 0xf0) == 16) || (b0 == 192 && b1 == 168) ||
		 (b0 == 100 && (b1 & 0xc0) == 64) || (b0 == 192 && b1 == 0 && (a & 0xff00) == 0) ||
		 (b0 == 198 && (b1 & 0xfe) == 18) || b0 >= 224);
}

bool
wl_addr_public(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		return v4_public(ntohl(in->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		const uint8_t *b = in6->sin6_addr.s6_addr;
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		static const uint8_t zero[16];

		if (memcmp(b, mapped, 12) == 0 || memcmp(b, zero, 12) == 0) /* mapped, compatible */
			return v4_public((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
					 (uint32_t)b[14] << 8 | b[15]) &&
			       memcmp(b, zero, 16) != 0;
		if ((b[0] & 0xfe) == 0xfc) /* unique local fc00::/7 */
			return false;
		if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) /* link-local fe80::/10 */
			return false;
		if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) /* site-local fec0::/10 */
			return false;
		if (b[0] == 0xff) /* multicast */
			return false;
		return true;
	}
	return false;
}

void
wl_webhook_sign(const char *secret, int64_t ts, const char *body, size_t body_len, char *out,
		size_t outsz)
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char prefix[32], hex[2 * crypto_auth_hmacsha256_BYTES + 1];
	int pn = snprintf(prefix, sizeof(prefix), "%lld.", (long long)ts);

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)prefix, (unsigned long long)pn);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body,
				      (unsigned long long)body_len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	snprintf(out, outsz, "sha256=%s", hex);
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 when invalid
 * or cut short. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void
wl_text_sanitize(const char *in, size_t n, char *out, size_t max)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, o = 0, len;

	if (n > max)
		n = max;
	while (i < n) {
		len = utf8_len(p + i, n - i);
		if (len == 0) {
			if (n - i < 4 && n == max && p[i] >= 0xc2)
				break; /* a sequence cut by the limit */
			out[o++] = '?';
			i++;
		} else if (len == 1 &&
			   ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n') || p[i] == 0x7f)) {
			out[o++] = '?';
			i++;
		} else {
			memcpy(out + o, p + i, len);
			o += len;
			i += len;
		}
	}
	out[o] = '\0';
}
