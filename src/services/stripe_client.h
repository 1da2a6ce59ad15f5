/*
 * stripe_client.h — the calls wlportal makes to the Stripe API with
 * libcurl: fetch a Price (portal activation checks it against the package)
 * and create a Checkout Session (Buy Credits). Owns the HTTP exchange,
 * time-outs, reading Stripe's JSON answers and turning Stripe's error body
 * {"error":{"type","message","code","param"}} into a wl_error. It does not
 * own where keys are stored (services/secrets.c), the checks on a price
 * (core/stripe.c) nor webhooks (core/stripe_sig.c).
 *
 * Blocking: every call waits on the network for up to timeout_ms, so it
 * must run on a worker thread (services/workers.c), never on a server
 * thread. Thread-safe: one curl handle per call, no shared state. The
 * process calls curl_global_init(CURL_GLOBAL_DEFAULT) once at start, before
 * threads exist.
 *
 * The secret key: the caller owns it (e.g. from secrets_open, released with
 * secrets_free, which wipes it). Every copy this module makes (the
 * Authorization header, the header list handed to libcurl) is wiped with
 * sodium_memzero before it is freed; libcurl's own transient request
 * buffer is freed by libcurl unwiped. The key never appears in a wl_error,
 * in a stripe_api_error, or in anything this module returns, and Stripe's
 * messages are scrubbed of key-like tokens (stripe_redact).
 */
#ifndef WL_SERVICES_STRIPE_CLIENT_H
#define WL_SERVICES_STRIPE_CLIENT_H

#include "core/error.h"
#include "core/stripe.h"

#define STRIPE_API_DEFAULT "https://api.stripe.com"
#define STRIPE_CONNECT_TIMEOUT_MS_DEFAULT 5000
#define STRIPE_TIMEOUT_MS_DEFAULT 20000
#define STRIPE_ANSWER_MAX (256 * 1024)

/* Where and how patiently to call. */
struct stripe_api {
	const char *base;        /* WLPORTAL_STRIPE_API, e.g. "https://api.stripe.com" or a
				    * loopback fake; http(s), no path; NULL = STRIPE_API_DEFAULT */
	long connect_timeout_ms; /* <= 0: STRIPE_CONNECT_TIMEOUT_MS_DEFAULT */
	long timeout_ms;         /* whole exchange; <= 0: STRIPE_TIMEOUT_MS_DEFAULT */
};

/* What Stripe said when it refused, for the log and for naming a field
 * (param "line_items[0][price]" → stripe.price_id). Empty strings when
 * absent; http_status 0 when Stripe was not reached or did not answer. */
struct stripe_api_error {
	long http_status;
	char type[48]; /* "invalid_request_error", "authentication_error", … */
	char code[64]; /* "resource_missing", … */
	char param[96];
};

struct stripe_session {
	char id[STRIPE_ID_MAX];   /* "cs_test_…" / "cs_live_…" */
	char url[STRIPE_URL_MAX]; /* where to send the client (303) */
};

/*
 * GET {base}/v1/prices/{price_id} with the secret key.
 * On WL_OK *out holds the price. Errors (err->message says which, without
 * the key): WL_EINVALID bad arguments, or Stripe refused the request or
 * the key (4xx); WL_ENOTFOUND no such price (Stripe's resource_missing);
 * WL_ERATELIMITED Stripe's 429; WL_EUNAVAILABLE Stripe not reached, timed
 * out, answered 5xx or something unreadable. detail may be NULL.
 */
int stripe_price_fetch(const struct stripe_api *api, const char *secret_key, const char *price_id,
		       struct stripe_price *out, struct stripe_api_error *detail,
		       struct wl_error *err);

/*
 * POST {base}/v1/checkout/sessions, form-encoded from req (see
 * stripe_checkout_form), with an Idempotency-Key header: a retry with the
 * same key gets Stripe's first answer. On WL_OK *out holds the session's
 * id and url. Errors as stripe_price_fetch, plus WL_ECONFLICT when Stripe
 * says the idempotency key was used with other parameters.
 */
int stripe_session_create(const struct stripe_api *api, const char *secret_key,
			  const struct stripe_checkout *req, const char *idempotency_key,
			  struct stripe_session *out, struct stripe_api_error *detail,
			  struct wl_error *err);

#endif
