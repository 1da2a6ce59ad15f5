/*
 * whitelabel.c — syntax rules of the whitelabel settings, the activation
 * check and the margin calculator (see whitelabel.h). No I/O.
 *
 * Every check bounds its walk by the longest value it accepts, so a huge
 * hostile string costs no more than a valid one.
 */
#include "core/whitelabel.h"

#include <string.h>
#include <strings.h>

#include "core/money.h"
#include "core/validate.h"

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_lower_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z');
}

static bool
is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool
is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool
wl_valid_slug(const char *s)
{
	size_t n;

	if (s == NULL || s[0] == '-')
		return false;
	for (n = 0; s[n] != '\0'; n++) {
		if (n >= WL_SLUG_MAX)
			return false;
		if (s[n] == '-') {
			if (s[n + 1] == '-' || s[n + 1] == '\0')
				return false;
		} else if (!is_lower_alnum(s[n])) {
			return false;
		}
	}
	return n >= WL_SLUG_MIN;
}

/* Names that would clash with our own hosts (x.portal.base), well-known
 * mailboxes, or pages a visitor could mistake for the platform's. */
static const char *const reserved_slugs[] = {
	"abuse",     "account",    "accounts",   "admin",    "administrator",
	"api",       "app",        "apps",       "assets",   "auth",
	"billing",   "blog",       "cdn",        "cname",    "console",
	"dashboard", "demo",       "dev",        "dns",      "docs",
	"email",     "engine",     "ftp",        "help",     "hostmaster",
	"imap",      "img",        "info",       "internal", "localhost",
	"login",     "logout",     "mail",       "media",    "mx",
	"ns1",       "ns2",        "oauth",      "pop",      "portal",
	"portals",   "postmaster", "root",       "security", "signup",
	"smtp",      "sso",        "staging",    "static",   "status",
	"stripe",    "support",    "system",     "test",     "webhook",
	"webhooks",  "webmaster",  "whitelabel", "www",
};

bool
wl_slug_reserved(const char *s)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; i < sizeof(reserved_slugs) / sizeof(reserved_slugs[0]); i++) {
		if (strcmp(s, reserved_slugs[i]) == 0)
			return true;
	}
	return false;
}

bool
wl_valid_color(const char *s)
{
	size_t i;

	if (s == NULL || s[0] != '#')
		return false;
	for (i = 1; i <= 6; i++) {
		if (!is_hex(s[i]))
			return false; /* also stops at the NUL of a short string */
	}
	return s[7] == '\0';
}

/* A character allowed anywhere in a logo URL. */
static bool
url_char_ok(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false; /* controls, space, DEL, raw non-ASCII */
	return c != '"' && c != '\'' && c != '`' && c != '<' && c != '>' && c != '\\';
}

/* The port after ':' in [p, end): 1..5 digits, 1..65535. */
static bool
port_ok(const char *p, const char *end)
{
	long value = 0;
	size_t n = (size_t)(end - p);

	if (n == 0 || n > 5)
		return false;
	for (; p < end; p++) {
		if (!is_digit(*p))
			return false;
		value = value * 10 + (*p - '0');
	}
	return value >= 1 && value <= 65535;
}

/* host[:port] or [v6]:port in [a, end), no user info. */
static bool
authority_ok(const char *a, const char *end)
{
	const char *p, *colon = NULL;

	if (memchr(a, '@', (size_t)(end - a)) != NULL)
		return false;
	if (a < end && *a == '[') {
		for (p = a + 1; p < end && *p != ']'; p++) {
			if (!is_hex(*p) && *p != ':' && *p != '.')
				return false;
		}
		if (p >= end || p - a < 3)
			return false; /* no ']' or fewer than two chars inside */
		p++;
		if (p == end)
			return true;
		return *p == ':' && port_ok(p + 1, end);
	}
	for (p = a; p < end; p++) {
		if (*p == ':') {
			colon = p;
			break;
		}
		if (!is_alnum(*p) && *p != '.' && *p != '-')
			return false;
	}
	if (p == a || *a == '.' || *a == '-')
		return false; /* empty host, or one starting with a separator */
	return colon == NULL || port_ok(colon + 1, end);
}

bool
wl_valid_logo_url(const char *s)
{
	const char *auth, *end;
	size_t n, i;

	if (s == NULL)
		return false;
	n = strnlen(s, WL_LOGO_URL_MAX + 1);
	if (n > WL_LOGO_URL_MAX)
		return false;
	for (i = 0; i < n; i++) {
		if (!url_char_ok((unsigned char)s[i]))
			return false;
	}
	if (strncasecmp(s, "http://", 7) == 0)
		auth = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		auth = s + 8;
	else
		return false;
	end = auth + strcspn(auth, "/?#");
	return authority_ok(auth, end);
}

/* s = prefix then WL_STRIPE_TAIL_MIN..MAX of [A-Za-z0-9_]. */
static bool
stripe_token_ok(const char *s, const char *prefix)
{
	size_t plen, n;

	if (s == NULL || prefix == NULL)
		return false;
	plen = strlen(prefix);
	if (plen == 0 || strncmp(s, prefix, plen) != 0)
		return false;
	for (n = 0; s[plen + n] != '\0'; n++) {
		if (n >= WL_STRIPE_TAIL_MAX)
			return false;
		if (!is_alnum(s[plen + n]) && s[plen + n] != '_')
			return false;
	}
	return n >= WL_STRIPE_TAIL_MIN;
}

char
wl_stripe_key_mode(const char *s, const char *prefix_live, const char *prefix_test)
{
	if (stripe_token_ok(s, prefix_live))
		return 'l';
	if (stripe_token_ok(s, prefix_test))
		return 't';
	return 0;
}

bool
wl_valid_stripe_id(const char *s, const char *prefix)
{
	return stripe_token_ok(s, prefix);
}

bool
wl_valid_currency(const char *s)
{
	return s != NULL &&
	       (strcmp(s, "EUR") == 0 || strcmp(s, "USD") == 0 || strcmp(s, "GBP") == 0);
}

bool
wl_valid_hostname(const char *s)
{
	size_t n, label = 0, labels = 0;
	bool label_all_digits = true;

	if (s == NULL)
		return false;
	for (n = 0;; n++) {
		char c = s[n];

		if (n > WL_HOSTNAME_MAX)
			return false;
		if (c == '.' || c == '\0') {
			/* close the label: non-empty, no hyphen at its end */
			if (label == 0 || s[n - 1] == '-')
				return false;
			labels++;
			if (c == '\0')
				break;
			label = 0;
			label_all_digits = true;
			continue;
		}
		if (c == '-') {
			if (label == 0)
				return false;
		} else if (!is_lower_alnum(c)) {
			return false;
		}
		if (!is_digit(c))
			label_all_digits = false;
		if (++label > 63)
			return false;
	}
	return n >= WL_HOSTNAME_MIN && labels >= 2 && !label_all_digits;
}

static bool
company_name_ok(const char *s)
{
	size_t n, i;

	n = strnlen(s, WL_COMPANY_NAME_MAX + 1);
	if (n == 0 || n > WL_COMPANY_NAME_MAX || !wl_valid_utf8(s, n))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return s[0] != ' ' && s[n - 1] != ' ';
}

/* Checks one optional or required string of the update. "" clears it and is
 * always well formed here; whether clearing is allowed is the activation
 * check's business. */
static void
check_string(struct wl_error *err, const char *field, const char *value, bool (*ok)(const char *),
	     const char *complaint)
{
	if (value == NULL || value[0] == '\0')
		return;
	if (!ok(value))
		wl_error_field(err, field, "%s", complaint);
}

static bool
publishable_key_ok(const char *s)
{
	return wl_stripe_key_mode(s, "pk_live_", "pk_test_") != 0;
}

static bool
secret_key_ok(const char *s)
{
	return wl_stripe_key_mode(s, "sk_live_", "sk_test_") != 0;
}

static bool
product_id_ok(const char *s)
{
	return wl_valid_stripe_id(s, "prod_");
}

static bool
price_id_ok(const char *s)
{
	return wl_valid_stripe_id(s, "price_");
}

static bool
webhook_secret_ok(const char *s)
{
	return wl_valid_stripe_id(s, "whsec_");
}

static void
check_package(const struct wl_whitelabel_update *u, struct wl_error *err)
{
	int64_t min_price;

	if (u->package_credits < 1 || u->package_credits > WL_PACKAGE_CREDITS_MAX)
		wl_error_field(err, "package.credits", "must be a whole number from 1 to %d",
			       WL_PACKAGE_CREDITS_MAX);
	if (!wl_valid_currency(u->package_currency)) {
		wl_error_field(err, "package.currency", "must be EUR, USD or GBP");
		return;
	}
	/* Stripe refuses charges below its minimum amount per currency. */
	min_price = strcmp(u->package_currency, "GBP") == 0 ? 30 : 50;
	if (u->package_price_cents < min_price || u->package_price_cents > WL_PACKAGE_PRICE_MAX)
		wl_error_field(err, "package.price_cents", "must be from %lld to %d cents for %s",
			       (long long)min_price, WL_PACKAGE_PRICE_MAX, u->package_currency);
}

/* Required fields, in the order they are reported. */
static const struct {
	unsigned bit;
	const char *name;
} required_fields[] = {
	{ WL_WLF_COMPANY_NAME, "company_name" },
	{ WL_WLF_SLUG, "slug" },
	{ WL_WLF_STRIPE_PUBLISHABLE_KEY, "stripe_publishable_key" },
	{ WL_WLF_STRIPE_SECRET_KEY, "stripe_secret_key" },
	{ WL_WLF_STRIPE_PRODUCT_ID, "stripe_product_id" },
	{ WL_WLF_STRIPE_PRICE_ID, "stripe_price_id" },
};

#define NREQUIRED (sizeof(required_fields) / sizeof(required_fields[0]))

size_t
wl_whitelabel_missing(unsigned have, const char **names, size_t max)
{
	size_t i, count = 0;

	for (i = 0; i < NREQUIRED; i++) {
		if (have & required_fields[i].bit)
			continue;
		if (names != NULL && count < max)
			names[count] = required_fields[i].name;
		count++;
	}
	return count;
}

/* The WL_WLF_* bits that will be set once the update is applied. */
static unsigned
bits_after(const struct wl_whitelabel_update *u, unsigned stored)
{
	const char *values[NREQUIRED];
	unsigned after = stored;
	size_t i;

	values[0] = u->company_name;
	values[1] = u->slug;
	values[2] = u->stripe_publishable_key;
	values[3] = u->stripe_secret_key;
	values[4] = u->stripe_product_id;
	values[5] = u->stripe_price_id;
	for (i = 0; i < NREQUIRED; i++) {
		if (values[i] == NULL)
			continue; /* unchanged */
		if (values[i][0] == '\0')
			after &= ~required_fields[i].bit;
		else
			after |= required_fields[i].bit;
	}
	if (u->has_active) {
		if (u->active)
			after |= WL_WLF_ACTIVE;
		else
			after &= ~(unsigned)WL_WLF_ACTIVE;
	}
	return after;
}

int
wl_whitelabel_validate(const struct wl_whitelabel_update *u, unsigned stored, struct wl_error *err)
{
	struct wl_error scratch;
	unsigned after;
	char pk_mode, sk_mode;

	if (u == NULL)
		return wl_fail(err, WL_EINVALID, "no settings given");
	if (err == NULL) {
		/* the caller wants a yes/no only; complaints still need a home */
		wl_error_clear(&scratch);
		err = &scratch;
	}

	check_string(
		err, "company_name", u->company_name, company_name_ok,
		"must be 1 to 100 characters, without control characters or surrounding spaces");
	if (u->slug != NULL && u->slug[0] != '\0') {
		if (!wl_valid_slug(u->slug))
			wl_error_field(
				err, "slug",
				"must be 3 to 50 lowercase letters, digits or single hyphens, "
				"not starting or ending with a hyphen");
		else if (wl_slug_reserved(u->slug))
			wl_error_field(err, "slug", "\"%s\" is reserved; choose another", u->slug);
	}
	check_string(err, "logo_url", u->logo_url, wl_valid_logo_url,
		     "must be an http:// or https:// URL of at most 2048 characters");
	check_string(err, "primary_color", u->primary_color, wl_valid_color,
		     "must be a hex color like #3B82F6");
	check_string(err, "accent_color", u->accent_color, wl_valid_color,
		     "must be a hex color like #3B82F6");
	check_string(err, "stripe_publishable_key", u->stripe_publishable_key, publishable_key_ok,
		     "must start with pk_live_ or pk_test_");
	check_string(err, "stripe_secret_key", u->stripe_secret_key, secret_key_ok,
		     "must start with sk_live_ or sk_test_");
	check_string(err, "stripe_product_id", u->stripe_product_id, product_id_ok,
		     "must start with prod_");
	check_string(err, "stripe_price_id", u->stripe_price_id, price_id_ok,
		     "must start with price_");
	check_string(err, "stripe_webhook_secret", u->stripe_webhook_secret, webhook_secret_ok,
		     "must start with whsec_");

	/* A live publishable key with a test secret key (or the reverse)
	 * makes every Checkout fail; catch it while the user is typing. */
	pk_mode = wl_stripe_key_mode(u->stripe_publishable_key, "pk_live_", "pk_test_");
	sk_mode = wl_stripe_key_mode(u->stripe_secret_key, "sk_live_", "sk_test_");
	if (pk_mode != 0 && sk_mode != 0 && pk_mode != sk_mode)
		wl_error_field(err, "stripe_secret_key",
			       "is a %s key but the publishable key is a %s key",
			       sk_mode == 'l' ? "live" : "test", pk_mode == 'l' ? "live" : "test");

	if (u->has_package)
		check_package(u, err);

	after = bits_after(u, stored);
	if (after & WL_WLF_ACTIVE) {
		const char *missing[NREQUIRED];
		size_t nmissing, i;

		nmissing = wl_whitelabel_missing(after, missing, NREQUIRED);
		for (i = 0; i < nmissing; i++)
			wl_error_field_why(err, missing[i], WL_FIELD_NEEDED_TO_ACTIVATE,
					   "is required to activate the portal");
	}
	return err->code == WL_OK ? WL_OK : WL_EVALIDATION;
}

int
wl_margin_compute(int64_t credits, int64_t price_cents, int64_t micro_per_minute,
		  struct wl_margin *out)
{
	return wl_margin_compute_fx(credits, price_cents, micro_per_minute, 1000000, out);
}

int
wl_margin_compute_fx(int64_t credits, int64_t price_cents, int64_t micro_per_minute,
		     int64_t rate_ppm, struct wl_margin *out)
{
	if (out == NULL || credits < 0 || price_cents < 0 || micro_per_minute < 0 || rate_ppm <= 0)
		return WL_EINVALID;
	out->price_cents = price_cents;
	out->platform_cost_eur_cents = wl_credits_cost_cents(credits, micro_per_minute);
	out->rate_ppm = rate_ppm;
	/* converted from the exact micro-euro amount: one rounding, not two */
	out->cost_cents = wl_credits_cost_converted(credits, micro_per_minute, rate_ppm);
	/* both are >= 0, so the difference cannot overflow */
	out->profit_cents = price_cents - out->cost_cents;
	wl_format_margin_percent(price_cents, out->cost_cents, out->margin_percent);
	out->below_cost = price_cents < out->cost_cents;
	return WL_OK;
}
