/*
 * stripe.h — the pure half of wlportal's Stripe API client: the Price as
 * wlportal reads it and its check against the agency's package, the
 * form-encoded body of a Checkout Session create, the test/live mode of a
 * key, and scrubbing key-like tokens out of text that will be shown or
 * logged. The HTTP calls themselves live in services/stripe_client.c;
 * webhook signatures in core/stripe_sig.c. Pure: no I/O, libc only.
 */
#ifndef WL_CORE_STRIPE_H
#define WL_CORE_STRIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

#define STRIPE_ID_MAX 256   /* Stripe's ids are at most 255 characters */
#define STRIPE_URL_MAX 2048 /* success/cancel and checkout URLs */
#define STRIPE_IDEMPOTENCY_MAX 255
#define STRIPE_FORM_MAX 16384 /* the whole Checkout Session form body */
/* What Stripe substitutes with the session id in success_url. */
#define STRIPE_SESSION_PLACEHOLDER "{CHECKOUT_SESSION_ID}"

/* A Price as GET /v1/prices/{id} describes it (only what wlportal checks). */
struct stripe_price {
	char id[STRIPE_ID_MAX];
	bool active;
	char type[16];               /* "one_time" or "recurring" */
	char product[STRIPE_ID_MAX]; /* the product's id */
	bool has_unit_amount;        /* false for custom / tiered prices */
	int64_t unit_amount;         /* minor units (cents) */
	char currency[8];            /* lowercase, as Stripe writes it: "eur" */
};

/*
 * Checks that a fetched price can sell the agency's package: it is the
 * price asked for, active, one_time, of product_id, and costs exactly
 * amount_minor in currency (compared without case: the package says
 * "EUR", Stripe "eur"). Returns WL_OK, or WL_EVALIDATION with one field
 * "stripe.price_id" whose message names the first mismatch and both
 * values, e.g. "price_123 costs 5000 usd; the package costs 4000 EUR".
 */
int stripe_price_check(const struct stripe_price *p, const char *price_id, const char *product_id,
		       int64_t amount_minor, const char *currency, struct wl_error *err);

/* An amount made for one session instead of a Price (the platform's
 * minutes: their gross amount depends on the buyer's VAT). */
struct stripe_price_data {
	const char *currency;     /* "eur": 3 lower-case letters */
	int64_t unit_amount;      /* minor units, 1..99999999 */
	const char *product_name; /* "1000 calling minutes": 1..200 printable characters */
};

/* What one Checkout Session create asks for. Every string is required
 * except customer_email and user_id (NULL or "" = not sent), and price_id
 * when price_data is given. */
struct stripe_checkout {
	const char *price_id;
	const struct stripe_price_data *price_data; /* NULL = price_id */
	const char *success_url; /* without the session id: "?session_id={CHECKOUT_SESSION_ID}"
				    * (or "&…" when it already has a query) is appended */
	const char *cancel_url;
	const char *client_reference_id; /* the child org, as Stripe shows it to the agency */
	const char *org_id;              /* metadata[org_id] */
	const char *user_id;             /* metadata[user_id] */
	const char *customer_email;
};

/*
 * Appends the form-encoded body of POST /v1/checkout/sessions to out:
 * mode=payment, line_items[0][price] (or, with price_data,
 * line_items[0][price_data][currency], …[unit_amount] and
 * …[product_data][name]), line_items[0][quantity]=1,
 * success_url, cancel_url, client_reference_id, metadata[org_id],
 * metadata[user_id] and customer_email. Keys are written as Stripe's own
 * libraries write them (brackets literal); every value is percent-encoded
 * (so the braces of {CHECKOUT_SESSION_ID} travel as %7B…%7D). Refused with
 * WL_EINVALID: a missing value, an id that is not [A-Za-z0-9_-], a URL
 * that is not http(s) or holds control characters or spaces, a bad e-mail,
 * a body over STRIPE_FORM_MAX.
 */
int stripe_checkout_form(const struct stripe_checkout *c, struct wl_buf *out, struct wl_error *err);

/* 1..STRIPE_IDEMPOTENCY_MAX printable ASCII characters without spaces. */
bool stripe_idempotency_key_ok(const char *key);

/* A Stripe object id as wlportal accepts it in a URL path: 1..255 of
 * [A-Za-z0-9_-]. */
bool stripe_id_ok(const char *id);

/* "test" for sk_test_/rk_test_/pk_test_ keys, "live" for the _live_ ones,
 * NULL for anything else. Never returns any part of the key. */
const char *stripe_key_mode(const char *key);

/* Replaces, in place, the body of every token that looks like a Stripe
 * secret (sk_…, rk_…, whsec_…) with '*', keeping the prefix: Stripe's
 * own error messages may quote part of the key. */
void stripe_redact(char *text);

#endif
