/*
 * webhook_sender.h — the threads of `serve` that deliver the outbox of
 * webhook events (services/webhooks.h).
 *
 * A sender claims due deliveries (a writer job: PostgreSQL skips rows
 * another instance is claiming, so none is sent twice at once) for
 * WEBHOOK_LEASE_MS, POSTs each with libcurl (WEBHOOK_TIMEOUT_MS) signed
 * with the endpoint's secret(s), and writes the outcome: delivered on a
 * 2xx; else retried after an exponential back-off with jitter
 * (WLPORTAL_WEBHOOK_RETRY_BASE_MS, 2 s, doubling up to an hour) until the
 * delivery's retry window (24 h) ends, then failed. A sender that dies
 * holding a claim loses nothing: the claim expires and another sender (or
 * the restarted one) sends the delivery again under the same id.
 *
 * The SSRF guard: the endpoint's host is resolved once, every address is
 * checked (core/webhook.h wl_addr_public) and the connection is pinned to
 * them (CURLOPT_RESOLVE) and checked again as it opens, so a DNS answer
 * that changes in between cannot point it elsewhere. Private, loopback and
 * link-local addresses are refused unless WLPORTAL_WEBHOOK_ALLOW_PRIVATE=1;
 * the refusal is the attempt's recorded error.
 */
#ifndef WL_SERVICES_WEBHOOK_SENDER_H
#define WL_SERVICES_WEBHOOK_SENDER_H

#include "services/app.h"

#define WEBHOOK_TIMEOUT_MS 10000
#define WEBHOOK_LEASE_MS (WEBHOOK_TIMEOUT_MS + 20000)
#define WEBHOOK_RETRY_CAP_MS (3600LL * 1000)
#define WEBHOOK_SENDERS 2 /* threads per instance */

struct webhook_sender;

struct webhook_sender *webhook_sender_start(struct wl_app *app, struct wl_error *err);
/* Ends the current passes and stops the threads (before the writer stops). */
void webhook_sender_stop(struct webhook_sender *s);

/* The wait before attempt `attempts` + 1 (exponential with jitter: between
 * 3/4 and 5/4 of base · 2^(attempts − 1), at most an hour). */
int64_t webhook_retry_delay_ms(int64_t base_ms, int64_t attempts);

#endif
