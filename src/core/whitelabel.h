/*
 * whitelabel.h — the pure rules of an agency's whitelabel settings: what a
 * portal slug, a brand color, a logo URL, a Stripe key or id, a currency and
 * a custom domain may look like; which fields a portal needs before it can
 * be activated; and the margin calculator (price vs platform cost).
 *
 * It answers "is this well formed" only. Storing the settings, encrypting
 * the secret key and checking DNS belong to services/. Every bool check
 * accepts NULL and answers false. Pure: no I/O, libc only.
 */
#ifndef WL_CORE_WHITELABEL_H
#define WL_CORE_WHITELABEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define WL_SLUG_MIN 3
#define WL_SLUG_MAX 50
#define WL_LOGO_URL_MAX 2048
#define WL_COMPANY_NAME_MAX 100
#define WL_STRIPE_TAIL_MIN 8 /* characters after the prefix */
#define WL_STRIPE_TAIL_MAX 247
#define WL_HOSTNAME_MIN 4
#define WL_HOSTNAME_MAX 253
#define WL_PACKAGE_CREDITS_MAX 1000000
#define WL_PACKAGE_PRICE_MAX 99999999 /* cents; Stripe's largest unit amount */

/* 3..50 chars of [a-z0-9-], no '-' first or last, no "--". */
bool wl_valid_slug(const char *s);

/* The slug names a host or path we keep for ourselves (www, api, admin,
 * portal, …). Exact, case-sensitive match against lowercase words. */
bool wl_slug_reserved(const char *s);

/* Exactly "#RRGGBB", hex digits of either case. */
bool wl_valid_color(const char *s);

/* An absolute http:// or https:// URL (scheme in any case) of at most 2048
 * bytes with a non-empty host ([A-Za-z0-9.-] or a bracketed IPv6 literal),
 * an optional numeric port 1..65535, no user info, and only printable ASCII
 * without spaces, quotes, backticks, angle brackets or backslashes. */
bool wl_valid_logo_url(const char *s);

/* 'l' if s is prefix_live followed by 8..247 of [A-Za-z0-9_], 't' for the
 * same after prefix_test, 0 otherwise. Use ("pk_live_", "pk_test_") for a
 * publishable key and ("sk_live_", "sk_test_") for a secret key. */
char wl_stripe_key_mode(const char *s, const char *prefix_live, const char *prefix_test);

/* prefix ("prod_", "price_", "whsec_") followed by 8..247 of [A-Za-z0-9_]. */
bool wl_valid_stripe_id(const char *s, const char *prefix);

/* "EUR", "USD" or "GBP", upper case only. */
bool wl_valid_currency(const char *s);

/* A custom domain as its owner types it (the caller lowercases first):
 * 4..253 chars, at least two dot-separated labels of 1..63 chars of
 * [a-z0-9-], no label starting or ending with '-', a top-level label that
 * is not all digits (so no IPv4 address), no trailing dot. */
bool wl_valid_hostname(const char *s);

/*
 * A settings update as it arrives (PUT /api/v1/whitelabel). For each string
 * NULL means "leave unchanged" and "" means "clear it". The package is
 * validated only when has_package is set, the active flag only when
 * has_active is set.
 */
struct wl_whitelabel_update {
	const char *company_name;
	const char *slug;
	const char *logo_url;
	const char *primary_color;
	const char *accent_color;
	const char *stripe_publishable_key;
	const char *stripe_secret_key;
	const char *stripe_product_id;
	const char *stripe_price_id;
	const char *stripe_webhook_secret;
	bool has_package;
	int64_t package_credits;
	int64_t package_price_cents;
	const char *package_currency;
	bool has_active;
	bool active;
};

/* Bits of the settings already stored, for the activation check. */
enum {
	WL_WLF_COMPANY_NAME = 1u << 0,
	WL_WLF_SLUG = 1u << 1,
	WL_WLF_STRIPE_PUBLISHABLE_KEY = 1u << 2,
	WL_WLF_STRIPE_SECRET_KEY = 1u << 3,
	WL_WLF_STRIPE_PRODUCT_ID = 1u << 4,
	WL_WLF_STRIPE_PRICE_ID = 1u << 5,
	WL_WLF_ACTIVE = 1u << 6, /* the portal is active now */
};

/* The fields a portal needs before it may be active. */
#define WL_WLF_REQUIRED \
	(WL_WLF_COMPANY_NAME | WL_WLF_SLUG | WL_WLF_STRIPE_PUBLISHABLE_KEY | \
	 WL_WLF_STRIPE_SECRET_KEY | WL_WLF_STRIPE_PRODUCT_ID | WL_WLF_STRIPE_PRICE_ID)

/*
 * Validates a whole update against the rules above. `stored` holds the
 * WL_WLF_* bits of what is already saved. Every bad field becomes one
 * wl_error_field complaint named like the JSON field ("slug",
 * "stripe_secret_key", "package.credits", …), so a form can mark all of
 * them at once. Also refused: a reserved slug; publishable and secret keys
 * of different modes (live vs test) in the same update; and a portal that
 * is (or becomes) active while a required field would be missing after the
 * update (the complaint names each missing field). A package needs 1..1e6
 * credits and a price Stripe can charge: at least 50 cents (EUR, USD) or 30
 * (GBP), at most WL_PACKAGE_PRICE_MAX. The company name is 1..100 bytes of
 * UTF-8 without control characters or leading/trailing spaces.
 * err must start clear (wl_error_clear) and may be NULL.
 * Returns 0 or WL_EVALIDATION (err filled); WL_EINVALID if u is NULL.
 */
int wl_whitelabel_validate(const struct wl_whitelabel_update *u, unsigned stored,
			   struct wl_error *err);

/* Writes the JSON names of the required fields absent from `have` (WL_WLF_*
 * bits) into names[0..max), in a fixed order; returns how many are absent
 * (which may exceed max). Feeds the "missing" list of the settings reply. */
size_t wl_whitelabel_missing(unsigned have, const char **names, size_t max);

/* The margin calculator of the dashboard. Every amount is in the minor
 * units of the package's currency except platform_cost_eur_cents. */
struct wl_margin {
	int64_t price_cents;             /* what the agency charges for the package */
	int64_t platform_cost_eur_cents; /* credits at the platform price, in EUR cents */
	int64_t rate_ppm;                /* package currency units per EUR, ppm (EUR: 1000000) */
	int64_t cost_cents;      /* the platform cost converted at rate_ppm, rounded half-up once */
	int64_t profit_cents;    /* price - cost; negative when below cost */
	char margin_percent[32]; /* "82.5"; see wl_format_margin_percent */
	bool below_cost;         /* price < cost */
};

/* Fills out for a package of `credits` at `price_cents` when the platform
 * charges micro_per_minute (WL_PLATFORM_PRICE_MICRO): 100 credits at 4000
 * cents and 70000 -> cost 700, profit 3300, "82.5", not below cost.
 * Returns 0, or WL_EINVALID (out untouched) if an argument is negative or
 * out is NULL. */
int wl_margin_compute(int64_t credits, int64_t price_cents, int64_t micro_per_minute,
		      struct wl_margin *out);
/* The same for a package priced in another currency: the platform cost
 * (EUR) is converted at rate_ppm units per euro (core/fx.h) before it is
 * compared: 100 credits at 4000 US cents, 70000 and 1080000 -> cost 756,
 * profit 3244, "81.1". rate_ppm must be > 0, else WL_EINVALID. */
int wl_margin_compute_fx(int64_t credits, int64_t price_cents, int64_t micro_per_minute,
			 int64_t rate_ppm, struct wl_margin *out);

#endif
