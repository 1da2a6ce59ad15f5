/*
 * webhook.h — the pure rules of outbound webhooks: which event names exist,
 * an endpoint's events list (parsed, normalised, matched), the URL's shape,
 * which network addresses a delivery may connect to, the signature header,
 * and turning a receiver's answer into text fit to store. No I/O: the
 * sender (services/webhook_sender.c) resolves and connects.
 */
#ifndef WL_CORE_WEBHOOK_H
#define WL_CORE_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/error.h"

#define WL_WEBHOOK_SIG_HEX 64
/* "sha256=<64 hex>" once, or twice comma-separated during a rotation */
#define WL_WEBHOOK_SIG_HEADER_MAX (2 * (7 + WL_WEBHOOK_SIG_HEX) + 2)

/* Whether `name` is an event an endpoint may subscribe to. */
bool wl_webhook_event_known(const char *name);
/* The known events, NULL-terminated (for messages and pages). */
extern const char *const wl_webhook_events[];

/* Appends one event name to a comma-separated list (out, outsz), unless
 * it is there already. WL_EINVALID for an unknown name or no room. */
int wl_webhook_events_add(char *out, size_t outsz, const char *name, struct wl_error *err);
/* Whether the comma-separated list holds `name`. */
bool wl_webhook_events_has(const char *list, const char *name);

/* An endpoint URL: http:// or https:// (any case), a host, at most max
 * bytes, no spaces, control characters or user:password@. */
bool wl_webhook_url_valid(const char *url, size_t max);

/* Whether a delivery may connect to this address: false for loopback,
 * private (RFC 1918, fc00::/7), link-local, unspecified, carrier-grade NAT,
 * multicast, broadcast and IPv4-mapped forms of them. */
bool wl_addr_public(const struct sockaddr *sa);

/* "sha256=" + hex(HMAC-SHA256(secret, "{ts}.{body}")) into out (at least
 * 7 + WL_WEBHOOK_SIG_HEX + 1 bytes). */
void wl_webhook_sign(const char *secret, int64_t ts, const char *body, size_t body_len, char *out,
		     size_t outsz);

/* Copies up to `max` bytes of in (n bytes) to out (max + 1 bytes) as valid
 * UTF-8 without NUL: an invalid byte or a control character other than
 * tab and newline becomes '?'; a sequence cut at the end is dropped. */
void wl_text_sanitize(const char *in, size_t n, char *out, size_t max);

#endif
