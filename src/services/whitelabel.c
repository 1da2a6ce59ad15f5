/*
 * whitelabel.c — agency settings and manual credit allocations (custom
 * domains are services/domains.c). Validation of the values themselves is
 * pure and lives in core/whitelabel.c; this file merges an update with what
 * is stored, keeps secrets sealed, and moves credits through the ledger.
 */
#include "services/whitelabel.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/host.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "services/ledger.h"
#include "services/stripe_activation.h"

int
whitelabel_require_parent(const struct store_org *org, struct wl_error *err)
{
	if (org->parent_id[0] != '\0')
		return wl_fail(err, WL_EFORBIDDEN, WHITELABEL_PARENT_ONLY);
	return WL_OK;
}

int
whitelabel_load(struct store_conn *c, const char *org_id, struct store_whitelabel *out,
		struct wl_error *err)
{
	int rc = store_wl_get(c, org_id, false, out, err);

	if (rc == WL_ENOTFOUND) {
		wl_error_clear(err);
		memset(out, 0, sizeof(*out));
		snprintf(out->org_id, sizeof(out->org_id), "%s", org_id);
		snprintf(out->package_currency, sizeof(out->package_currency), "EUR");
		return WL_OK;
	}
	return rc;
}

unsigned
whitelabel_have(const struct store_whitelabel *s)
{
	unsigned have = 0;

	if (s->company_name[0] != '\0')
		have |= WL_WLF_COMPANY_NAME;
	if (s->slug[0] != '\0')
		have |= WL_WLF_SLUG;
	if (s->stripe_publishable_key[0] != '\0')
		have |= WL_WLF_STRIPE_PUBLISHABLE_KEY;
	if (s->stripe_secret_key_sealed[0] != '\0')
		have |= WL_WLF_STRIPE_SECRET_KEY;
	if (s->stripe_product_id[0] != '\0')
		have |= WL_WLF_STRIPE_PRODUCT_ID;
	if (s->stripe_price_id[0] != '\0')
		have |= WL_WLF_STRIPE_PRICE_ID;
	if (s->active)
		have |= WL_WLF_ACTIVE;
	return have;
}

static bool
local_base(const struct wl_app *app)
{
	return wl_base_is_local(app->base_domain);
}

/* On a localhost base the portal runs on our own port over plain HTTP;
 * elsewhere it sits behind a TLS proxy on the standard port. */
static void
origin(const struct wl_app *app, const char *host_prefix, const char *slug, char *out, size_t n)
{
	if (local_base(app) && app->public_port != 80 && app->public_port != 0)
		snprintf(out, n, "http://%s%s%s:%d", slug, host_prefix, app->base_domain,
			 app->public_port);
	else
		snprintf(out, n, "%s://%s%s%s", local_base(app) ? "http" : "https", slug,
			 host_prefix, app->base_domain);
}

void
whitelabel_portal_url(const struct wl_app *app, const char *slug, char *out, size_t n)
{
	origin(app, ".portal.", slug, out, n);
}

void
whitelabel_platform_url(const struct wl_app *app, char *out, size_t n)
{
	origin(app, "", "", out, n);
}

void
whitelabel_webhook_url(const struct wl_app *app, const char *slug, char *out, size_t n)
{
	char base[512];

	origin(app, "", "portal.", base, sizeof(base));
	snprintf(out, n, "%s/api/webhooks/stripe/%s", base, slug);
}

void
whitelabel_record_name(const char *domain, char *out, size_t n)
{
	const char *last = strrchr(domain, '.');
	const char *p;
	size_t len;

	if (last == NULL) {
		snprintf(out, n, "@");
		return;
	}
	/* everything before the last two labels */
	for (p = last - 1; p > domain && *p != '.'; p--)
		;
	if (p <= domain) {
		snprintf(out, n, "@");
		return;
	}
	len = (size_t)(p - domain);
	snprintf(out, n, "%.*s", (int)len, domain);
}

static void
set_text(char *dst, size_t n, const char *v)
{
	if (v != NULL)
		snprintf(dst, n, "%s", v);
}

/* The parts of a package the update left out, from the locked row. */
static void
merge_package(struct whitelabel_put *r, const struct store_whitelabel *s)
{
	struct wl_whitelabel_update *u = &r->u;

	if (!u->has_package || r->package_missing == 0)
		return;
	if (r->package_missing & WHITELABEL_PKG_CREDITS)
		u->package_credits = s->package_credits;
	if (r->package_missing & WHITELABEL_PKG_PRICE)
		u->package_price_cents = s->package_price_cents;
	if (r->package_missing & WHITELABEL_PKG_CURRENCY) {
		snprintf(r->merged_currency, sizeof(r->merged_currency), "%s",
			 s->package_currency[0] != '\0' ? s->package_currency : "EUR");
		u->package_currency = r->merged_currency;
	}
}

static void
diff_text(struct wl_buf *b, const char *key, const char *was, const char *now, int *n)
{
	if (strcmp(was, now) == 0)
		return;
	wl_json_kv_str(b, key, now[0] != '\0' ? now : NULL);
	(*n)++;
}

/* A secret: only whether it changed, never its value (sealed or not). */
static void
diff_secret(struct wl_buf *b, const char *key, const char *was, const char *now, int *n)
{
	if (strcmp(was, now) == 0)
		return;
	wl_json_kv_str(b, key, now[0] != '\0' ? "changed" : "removed");
	(*n)++;
}

static void
diff_int(struct wl_buf *b, const char *key, int64_t was, int64_t now, int *n)
{
	if (was == now)
		return;
	wl_json_kv_int(b, key, now);
	(*n)++;
}

/* The audit events of a settings change: what changed, then activation. */
static int
put_trail(struct store_conn *c, const struct whitelabel_put *r, const struct store_whitelabel *a,
	  const struct store_whitelabel *b, struct wl_error *err)
{
	struct wl_buf d;
	int n = 0, rc = WL_OK;

	trail_detail_begin(&d);
	diff_text(&d, "company_name", a->company_name, b->company_name, &n);
	diff_text(&d, "slug", a->slug, b->slug, &n);
	diff_text(&d, "logo_url", a->logo_url, b->logo_url, &n);
	diff_text(&d, "primary_color", a->primary_color, b->primary_color, &n);
	diff_text(&d, "accent_color", a->accent_color, b->accent_color, &n);
	diff_text(&d, "stripe.publishable_key", a->stripe_publishable_key,
		  b->stripe_publishable_key, &n);
	diff_secret(&d, "stripe.secret_key", a->stripe_secret_key_sealed,
		    b->stripe_secret_key_sealed, &n);
	diff_text(&d, "stripe.product_id", a->stripe_product_id, b->stripe_product_id, &n);
	diff_text(&d, "stripe.price_id", a->stripe_price_id, b->stripe_price_id, &n);
	diff_secret(&d, "stripe.webhook_secret", a->stripe_webhook_secret_sealed,
		    b->stripe_webhook_secret_sealed, &n);
	diff_int(&d, "package.credits", a->package_credits, b->package_credits, &n);
	diff_int(&d, "package.price_cents", a->package_price_cents, b->package_price_cents, &n);
	diff_text(&d, "package.currency", a->package_currency, b->package_currency, &n);
	if (n > 0)
		rc = trail_record(c, &r->actor, r->org_id, NULL, TRAIL_SETTINGS, &d, b->updated_at,
				  err);
	trail_detail_free(&d);
	if (rc == WL_OK && a->active != b->active)
		rc = trail_record(c, &r->actor, r->org_id, NULL,
				  b->active ? TRAIL_ACTIVATED : TRAIL_DEACTIVATED, NULL,
				  b->updated_at, err);
	return rc;
}

int
whitelabel_put_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct whitelabel_put *r = arg;
	struct store_whitelabel s, before;
	const struct wl_whitelabel_update *u = &r->u;
	char pk_mode, sk_mode;
	int rc;

	rc = store_wl_get(c, r->org_id, true, &s, err);
	if (rc == WL_ENOTFOUND)
		rc = whitelabel_load(c, r->org_id, &s, err);
	if (rc != WL_OK)
		return rc;
	before = s;
	merge_package(r, &s);
	rc = wl_whitelabel_validate(u, whitelabel_have(&s), err);
	if (rc != WL_OK)
		return rc;
	/* A key pair of different modes, one stored and one new, fails too. */
	pk_mode = wl_stripe_key_mode(u->stripe_publishable_key != NULL ? u->stripe_publishable_key
								       : s.stripe_publishable_key,
				     "pk_live_", "pk_test_");
	sk_mode = u->stripe_secret_key != NULL
			  ? wl_stripe_key_mode(u->stripe_secret_key, "sk_live_", "sk_test_")
			  : s.stripe_secret_mode[0];
	if (pk_mode != 0 && sk_mode != 0 && pk_mode != sk_mode) {
		wl_error_field(
			err,
			u->stripe_secret_key != NULL ? "stripe_secret_key"
						     : "stripe_publishable_key",
			"test and live keys cannot be mixed: the publishable key is a %s key "
			"and the secret key a %s key",
			pk_mode == 'l' ? "live" : "test", sk_mode == 'l' ? "live" : "test");
		return WL_EVALIDATION;
	}

	set_text(s.company_name, sizeof(s.company_name), u->company_name);
	set_text(s.slug, sizeof(s.slug), u->slug);
	set_text(s.logo_url, sizeof(s.logo_url), u->logo_url);
	set_text(s.primary_color, sizeof(s.primary_color), u->primary_color);
	set_text(s.accent_color, sizeof(s.accent_color), u->accent_color);
	set_text(s.stripe_publishable_key, sizeof(s.stripe_publishable_key),
		 u->stripe_publishable_key);
	if (u->stripe_secret_key != NULL) {
		set_text(s.stripe_secret_key_sealed, sizeof(s.stripe_secret_key_sealed),
			 u->stripe_secret_key[0] != '\0' ? r->secret_key_sealed : "");
		s.stripe_secret_mode[0] = sk_mode;
		s.stripe_secret_mode[1] = '\0';
	}
	set_text(s.stripe_product_id, sizeof(s.stripe_product_id), u->stripe_product_id);
	set_text(s.stripe_price_id, sizeof(s.stripe_price_id), u->stripe_price_id);
	if (u->stripe_webhook_secret != NULL)
		set_text(s.stripe_webhook_secret_sealed, sizeof(s.stripe_webhook_secret_sealed),
			 u->stripe_webhook_secret[0] != '\0' ? r->webhook_secret_sealed : "");
	if (u->has_package) {
		s.package_credits = u->package_credits;
		s.package_price_cents = u->package_price_cents;
		set_text(s.package_currency, sizeof(s.package_currency), u->package_currency);
	}
	if (u->has_active)
		s.active = u->active;
	if ((rc = stripe_activation_verify(r, &s, err)) != WL_OK)
		return rc;
	s.updated_at = wl_now_ms();
	rc = store_wl_put(c, &s, err);
	if (rc == WL_ECONFLICT) {
		wl_error_clear(err);
		wl_error_field(err, "slug", "\"%s\" is already taken by another portal", s.slug);
		return WL_EVALIDATION;
	}
	if (rc != WL_OK)
		return rc;
	if ((rc = put_trail(c, r, &before, &s, err)) != WL_OK)
		return rc;
	r->result = s;
	return WL_OK;
}

int
whitelabel_allocation_prepare(struct whitelabel_allocation *r, const char *parent_org_id,
			      const char *user_id, int64_t credits, const char *description,
			      const char *ref_prefix, const char *key, struct wl_error *err)
{
	_Static_assert(sizeof(r->description) > WHITELABEL_ALLOC_DESC_MAX, "description fits");

	memset(r, 0, sizeof(*r));
	if (credits == 0)
		wl_error_field_why(err, "credits", WL_FIELD_OUT_OF_RANGE, "must not be zero");
	else if (credits < -WL_PACKAGE_CREDITS_MAX || credits > WL_PACKAGE_CREDITS_MAX)
		wl_error_field_why(err, "credits", WL_FIELD_OUT_OF_RANGE, "must be from %d to %d",
				   -WL_PACKAGE_CREDITS_MAX, WL_PACKAGE_CREDITS_MAX);
	if (description == NULL || description[strspn(description, " \t")] == '\0')
		wl_error_field_why(err, "description", WL_FIELD_REQUIRED,
				   "must say what the credits are for");
	else if (strlen(description) > WHITELABEL_ALLOC_DESC_MAX)
		wl_error_field_why(err, "description", WL_FIELD_TOO_LONG,
				   "must be at most %d characters", WHITELABEL_ALLOC_DESC_MAX);
	else if (!wl_valid_utf8(description, strlen(description)))
		wl_error_field(err, "description", "must say what the credits are for");
	if (key == NULL || !wl_valid_token(key, WHITELABEL_ALLOC_KEY_MAX))
		wl_error_field_why(
			err, "reference", key == NULL ? WL_FIELD_REQUIRED : WL_FIELD_INVALID,
			"must be 1 to %d letters, digits or ._:-", WHITELABEL_ALLOC_KEY_MAX);
	if (err->nfields > 0)
		return WL_EVALIDATION;
	snprintf(r->parent_org_id, sizeof(r->parent_org_id), "%s", parent_org_id);
	snprintf(r->user_id, sizeof(r->user_id), "%s", user_id);
	r->credits = credits;
	snprintf(r->description, sizeof(r->description), "%s", description);
	if (snprintf(r->reference, sizeof(r->reference), "%s%s", ref_prefix, key) >=
	    (int)sizeof(r->reference))
		return wl_fail(err, WL_EINTERNAL, "allocation reference too long");
	return WL_OK;
}

/* Hex SHA-256 of the request in one canonical form: fields in a fixed
 * order, each ending in a NUL (a description cannot hold one). */
static void
allocation_fingerprint(const struct whitelabel_allocation *r, char out[WL_FINGERPRINT_LEN])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	char credits[24];

	snprintf(credits, sizeof(credits), "%lld", (long long)r->credits);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)"allocation/1", 13);
	crypto_hash_sha256_update(&st, (const unsigned char *)r->user_id, strlen(r->user_id) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)credits, strlen(credits) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)r->description,
				  strlen(r->description) + 1);
	crypto_hash_sha256_final(&st, digest);
	sodium_bin2hex(out, WL_FINGERPRINT_LEN, digest, sizeof(digest));
}

/* "document all manual credit allocations": who gave whom how much, and why. */
static int
allocation_trail(struct store_conn *c, const struct whitelabel_allocation *r, struct wl_error *err)
{
	struct wl_buf d;
	int rc;

	trail_detail_begin(&d);
	wl_json_kv_str(&d, "user_id", r->user_id);
	wl_json_kv_int(&d, "credits", r->credits);
	wl_json_kv_str(&d, "description", r->description);
	wl_json_kv_str(&d, "reference", r->reference);
	rc = trail_record(c, &r->actor, r->org_id, r->parent_org_id, TRAIL_ALLOCATION, &d,
			  wl_now_ms(), err);
	trail_detail_free(&d);
	return rc;
}

int
whitelabel_allocate_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct whitelabel_allocation *r = arg;
	struct store_user user;
	struct store_org org;
	char fingerprint[WL_FINGERPRINT_LEN];
	int64_t delta = r->credits * 60;
	int rc;

	/* First the key: a key reused for another request is refused whatever
	 * that request names (a claim of a refused job goes with its savepoint). */
	allocation_fingerprint(r, fingerprint);
	rc = store_idem_claim(c, r->parent_org_id, r->reference, fingerprint, wl_now_ms(), err);
	if (rc == WL_ECONFLICT)
		return wl_fail(err, WL_ECONFLICT, WHITELABEL_KEY_REUSED);
	if (rc != WL_OK)
		return rc;
	rc = store_user_get(c, r->user_id, &user, err);
	if (rc == WL_OK)
		rc = store_org_get(c, user.org_id, true, &org, err);
	if (rc == WL_ENOTFOUND || (rc == WL_OK && strcmp(org.parent_id, r->parent_org_id) != 0))
		return wl_fail(err, WL_ENOTFOUND, "user not found among your portal's users");
	if (rc != WL_OK)
		return rc;
	memcpy(r->org_id, org.id, WL_ID_LEN);
	if (org.balance_seconds + delta < 0) {
		wl_error_field(
			err, "credits",
			"would take the balance below zero (the user has %lld seconds of credits)",
			(long long)org.balance_seconds);
		return WL_EVALIDATION;
	}
	rc = ledger_apply(c, org.id, delta, "allocation", r->reference, r->description, wl_now_ms(),
			  err);
	if (rc < 0)
		return rc;
	r->applied = rc == LEDGER_APPLIED;
	r->balance_seconds = org.balance_seconds + (r->applied ? delta : 0);
	return r->applied ? allocation_trail(c, r, err) : WL_OK;
}
