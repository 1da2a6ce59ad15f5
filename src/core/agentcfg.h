/*
 * agentcfg.h — syntax checks for the per-org configuration objects (agents,
 * tools, knowledge bases, phone numbers): BCP-47 language tags, tool
 * function names, webhook event names, outbound URLs (scheme, length, and
 * literal private or loopback addresses), exact decimal numbers kept as
 * integer thousandths, and the If-Match values of optimistic concurrency.
 * Whether an id exists is the store's question, not this file's. Pure.
 */
#ifndef WL_CORE_AGENTCFG_H
#define WL_CORE_AGENTCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WL_URL_MAX 2048
#define WL_LANGUAGE_MAX 35
#define WL_FUNCTION_NAME_MAX 64

/* A BCP-47 tag in its common shape: a language of 2-3 letters, then
 * optional script (4 letters), region (2 letters or 3 digits), variants
 * (5-8 letters/digits, or a digit and 3 more) and extensions (a singleton
 * then 2-8 letters/digits), "-" between; at most WL_LANGUAGE_MAX bytes. */
bool wl_valid_bcp47(const char *s);

/* A tool's function name: 1..64 of [A-Za-z0-9_-], not starting with '-'. */
bool wl_valid_function_name(const char *s);

/* A webhook event an agent may filter on: assistant-request, status-update,
 * tool-calls, end-of-call-report. */
bool wl_valid_call_event(const char *s);

/* Why an outbound URL (agent webhook_url, tool url) is refused, or NULL
 * when it is fine: http or https only, a host, at most WL_URL_MAX bytes,
 * printable ASCII without spaces, no user name or password. Unless
 * allow_private, a host that is a literal loopback, private, link-local,
 * unspecified, carrier-grade NAT or multicast address (IPv4 or IPv6, IPv4
 * mapped into IPv6 included) or "localhost" is refused; names are resolved
 * and checked again at connect time by the webhook sender. */
const char *wl_url_problem(const char *url, bool allow_private);

/* v (a JSON number) as whole thousandths when it has at most three
 * decimals and lies in [min, max] thousandths; false otherwise. */
bool wl_thousandths_from_double(double v, int64_t min, int64_t max, int64_t *out);
/* Thousandths as a JSON number: 700 → "0.7", 1250 → "1.25", 2000 → "2". */
void wl_format_thousandths(int64_t v, char out[32]);

/* An If-Match value against a row's updated_at (unix ms): "*" matches
 * anything; the ETag we send ("\"{ms}\"", also weak W/"…" or bare digits);
 * or the updated_at text the API returns (ISO-8601 with milliseconds).
 * A list of several values matches when one does. */
bool wl_if_match(const char *if_match, int64_t updated_at_ms);
/* The ETag of a row: "\"{updated_at ms}\"". */
void wl_etag(int64_t updated_at_ms, char out[32]);

#endif
