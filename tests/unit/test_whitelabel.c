/*
 * test_whitelabel.c — unit tests for src/core/whitelabel.c: tables of good
 * and bad values for every validator (with their length boundaries), live
 * and test key detection, the whole-update check with its activation rule,
 * and the margin calculator on the seeds' example.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/money.h"
#include "core/whitelabel.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Fills buf with prefix then n copies of c; buf must hold the result. */
static char *
repeat(char *buf, const char *prefix, char c, size_t n)
{
	size_t plen = strlen(prefix);

	memcpy(buf, prefix, plen);
	memset(buf + plen, c, n);
	buf[plen + n] = '\0';
	return buf;
}

static void
test_slug(void **state)
{
	static const char *const good[] = {
		"abc",   "a1b", "my-agency", "agency-2024",
		"a-b-c", "123", "x9z",       "acme-voice-solutions",
	};
	static const char *const bad[] = {
		"",     "ab",   "-abc", "abc-", "a--b", "ABC",  "Abc",   "ab c",
		"ab_c", "ab.c", "abç",  "ab/c", " abc", "abc ", "abc\n", "---",
	};
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(good); i++)
		assert_true(wl_valid_slug(good[i]));
	for (i = 0; i < NELEM(bad); i++)
		assert_false(wl_valid_slug(bad[i]));
	assert_false(wl_valid_slug(NULL));
	assert_true(wl_valid_slug(repeat(buf, "", 'a', 3)));
	assert_true(wl_valid_slug(repeat(buf, "", 'a', 50)));
	assert_false(wl_valid_slug(repeat(buf, "", 'a', 51)));
	assert_false(wl_valid_slug(repeat(buf, "", 'a', 2)));
}

static void
test_slug_reserved(void **state)
{
	static const char *const reserved[] = {
		"www",    "api",     "app",    "admin", "portal", "dashboard",
		"mail",   "static",  "assets", "cname", "help",   "support",
		"status", "billing", "login",  "auth",  "root",
	};
	static const char *const free_words[] = {
		"acme",    "my-agency", "wwww", "apis", "admin-team",
		"portal1", "",          "WWW", /* not a valid slug anyway; reserved list is lowercase */
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(reserved); i++)
		assert_true(wl_slug_reserved(reserved[i]));
	for (i = 0; i < NELEM(free_words); i++)
		assert_false(wl_slug_reserved(free_words[i]));
	assert_false(wl_slug_reserved(NULL));
}

static void
test_color(void **state)
{
	static const char *const good[] = {
		"#3B82F6", "#3b82f6", "#000000", "#FFFFFF", "#aBcDeF", "#123456",
	};
	static const char *const bad[] = {
		"",         "#",        "3B82F6",  "#3B82F",  "#3B82F66",   "#FFF", "#GGGGGG",
		"#3B82F6 ", " #3B82F6", "##3B82F", "#3B-2F6", "rgb(0,0,0)", "red",  "#3B82F6\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(good); i++)
		assert_true(wl_valid_color(good[i]));
	for (i = 0; i < NELEM(bad); i++)
		assert_false(wl_valid_color(bad[i]));
	assert_false(wl_valid_color(NULL));
}

static void
test_logo_url(void **state)
{
	static const char *const good[] = {
		"https://example.com/logo.png",
		"http://example.com/logo.png",
		"HTTPS://Example.COM/Logo.svg",
		"https://cdn.example.com",
		"https://cdn.example.com/",
		"https://example.com:8443/a/b.png?v=2&size=large#top",
		"https://localhost/logo.png",
		"https://[2001:db8::1]/logo.png",
		"https://[::1]:8080/logo.png",
		"https://example.com/path%20with%20escapes.png",
		"https://example.com?x=1",
	};
	static const char *const bad[] = {
		"",
		"example.com/logo.png",
		"ftp://example.com/logo.png",
		"javascript:alert(1)",
		"data:image/png;base64,AAAA",
		"//example.com/logo.png",
		"https://",
		"https:///logo.png",
		"https://:443/logo.png",
		"https://example.com:/logo.png",
		"https://example.com:0/logo.png",
		"https://example.com:65536/logo.png",
		"https://example.com:123456/logo.png",
		"https://example.com:8a/logo.png",
		"https://user:pw@example.com/logo.png",
		"https://exa mple.com/logo.png",
		"https://example.com/lo go.png",
		"https://example.com/logo.png\"onerror=\"x",
		"https://example.com/'x'",
		"https://example.com/<script>",
		"https://example.com\\@evil.test/",
		"https://example.com/`x`",
		"https://example.com/\tlogo.png",
		"https://example.com/logo.png\n",
		"https://exam_ple.com/logo.png",
		"https://.example.com/logo.png",
		"https://[]/logo.png",
		"https://[2001:db8::1/logo.png",
		"https://[2001:db8::g]/logo.png",
		"https://[::1]x/logo.png",
		"https://ex\xc3\xa4mple.com/logo.png",
		" https://example.com/logo.png",
	};
	char buf[2200];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(good); i++)
		assert_true(wl_valid_logo_url(good[i]));
	for (i = 0; i < NELEM(bad); i++) {
		if (wl_valid_logo_url(bad[i]))
			fail_msg("accepted bad logo url %s", bad[i]);
	}
	assert_false(wl_valid_logo_url(NULL));
	/* 2048 bytes in total is the limit */
	repeat(buf, "https://example.com/", 'a', 2048 - strlen("https://example.com/"));
	assert_int_equal(strlen(buf), 2048);
	assert_true(wl_valid_logo_url(buf));
	repeat(buf, "https://example.com/", 'a', 2049 - strlen("https://example.com/"));
	assert_false(wl_valid_logo_url(buf));
}

static void
test_stripe_keys(void **state)
{
	char buf[400];

	(void)state;
	assert_int_equal(wl_stripe_key_mode("pk_live_51AbCdEf", "pk_live_", "pk_test_"), 'l');
	assert_int_equal(wl_stripe_key_mode("pk_test_51AbCdEf", "pk_live_", "pk_test_"), 't');
	assert_int_equal(wl_stripe_key_mode("sk_live_x_abcdefgh_123", "sk_live_", "sk_test_"), 'l');
	assert_int_equal(wl_stripe_key_mode("sk_test_ABCDEFGH", "sk_live_", "sk_test_"), 't');
	/* wrong kind of key for the prefixes asked about */
	assert_int_equal(wl_stripe_key_mode("sk_live_x_1AbCdEf", "pk_live_", "pk_test_"), 0);
	assert_int_equal(wl_stripe_key_mode("pk_test_51AbCdEf", "sk_live_", "sk_test_"), 0);
	assert_int_equal(wl_stripe_key_mode("rk_live_51AbCdEf", "sk_live_", "sk_test_"), 0);
	/* malformed tails */
	assert_int_equal(wl_stripe_key_mode("pk_live_", "pk_live_", "pk_test_"), 0);
	assert_int_equal(wl_stripe_key_mode("pk_live_1234567", "pk_live_", "pk_test_"), 0);
	assert_int_equal(wl_stripe_key_mode("pk_live_12345678", "pk_live_", "pk_test_"), 'l');
	assert_int_equal(wl_stripe_key_mode("pk_live_1234-5678", "pk_live_", "pk_test_"), 0);
	assert_int_equal(wl_stripe_key_mode("pk_live_12345678 ", "pk_live_", "pk_test_"), 0);
	assert_int_equal(wl_stripe_key_mode(" pk_live_12345678", "pk_live_", "pk_test_"), 0);
	assert_int_equal(wl_stripe_key_mode("PK_LIVE_12345678", "pk_live_", "pk_test_"), 0);
	assert_int_equal(wl_stripe_key_mode("pk_live_1234567\xc3\xa4", "pk_live_", "pk_test_"), 0);
	assert_int_equal(wl_stripe_key_mode("", "pk_live_", "pk_test_"), 0);
	assert_int_equal(wl_stripe_key_mode(NULL, "pk_live_", "pk_test_"), 0);
	/* 247 characters after the prefix is the longest */
	assert_int_equal(
		wl_stripe_key_mode(repeat(buf, "sk_test_", 'x', 247), "sk_live_", "sk_test_"), 't');
	assert_int_equal(
		wl_stripe_key_mode(repeat(buf, "sk_test_", 'x', 248), "sk_live_", "sk_test_"), 0);
}

static void
test_stripe_ids(void **state)
{
	char buf[400];

	(void)state;
	assert_true(wl_valid_stripe_id("prod_NWjs8kKbJWmuuc", "prod_"));
	assert_true(wl_valid_stripe_id("price_1MoBy5LkdIwHu7ixZhnattbh", "price_"));
	assert_true(wl_valid_stripe_id("whsec_abcdefgh12345678", "whsec_"));
	assert_true(wl_valid_stripe_id("prod_12345678", "prod_"));
	assert_false(wl_valid_stripe_id("prod_1234567", "prod_"));
	assert_false(wl_valid_stripe_id("prod_", "prod_"));
	assert_false(wl_valid_stripe_id("price_1MoBy5LkdIwHu7ix", "prod_"));
	assert_false(wl_valid_stripe_id("prod_NWjs8kKbJWmuuc", "price_"));
	assert_false(wl_valid_stripe_id("prod_NWjs8kKb-Wmuuc", "prod_"));
	assert_false(wl_valid_stripe_id("prod_NWjs8kKb.Wmuuc", "prod_"));
	assert_false(wl_valid_stripe_id("whsec_abc def gh", "whsec_"));
	assert_false(wl_valid_stripe_id("", "prod_"));
	assert_false(wl_valid_stripe_id(NULL, "prod_"));
	assert_false(wl_valid_stripe_id("prod_NWjs8kKbJWmuuc", NULL));
	assert_false(wl_valid_stripe_id("anything12345", ""));
	assert_true(wl_valid_stripe_id(repeat(buf, "whsec_", 'Z', 247), "whsec_"));
	assert_false(wl_valid_stripe_id(repeat(buf, "whsec_", 'Z', 248), "whsec_"));
}

static void
test_currency(void **state)
{
	static const char *const bad[] = {
		"", "eur", "Eur", "usd", "gbp", "CHF", "EURO", "EU", " EUR", "EUR ",
	};
	size_t i;

	(void)state;
	assert_true(wl_valid_currency("EUR"));
	assert_true(wl_valid_currency("USD"));
	assert_true(wl_valid_currency("GBP"));
	for (i = 0; i < NELEM(bad); i++)
		assert_false(wl_valid_currency(bad[i]));
	assert_false(wl_valid_currency(NULL));
}

static void
test_hostname(void **state)
{
	static const char *const good[] = {
		"a.io",
		"portal.yourdomain.com",
		"my-portal.agency.co.uk",
		"x1.example.test",
		"123.example.com",
		"xn--bcher-kva.example",
		"a.b.c.d.e.f",
		"portal.example.c0m",
	};
	static const char *const bad[] = {
		"",
		"a.b",
		"localhost",
		"example",
		"Portal.example.com",
		"portal.example.com.",
		".example.com",
		"portal..example.com",
		"-portal.example.com",
		"portal-.example.com",
		"portal.-example.com",
		"portal.example-",
		"192.168.1.1",
		"10.0.0.1",
		"1.2.3.4",
		"example.123",
		"[::1]",
		"::1",
		"portal_x.example.com",
		"portal example.com",
		"portal.example.com:443",
		"portal.example.com/",
		"*.example.com",
		"portal.ex\xc3\xa4mple.com",
	};
	char buf[400];
	char label63[64];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(good); i++) {
		if (!wl_valid_hostname(good[i]))
			fail_msg("refused good hostname %s", good[i]);
	}
	for (i = 0; i < NELEM(bad); i++) {
		if (wl_valid_hostname(bad[i]))
			fail_msg("accepted bad hostname %s", bad[i]);
	}
	assert_false(wl_valid_hostname(NULL));

	/* labels of 63 are fine, 64 are not */
	repeat(label63, "", 'a', 63);
	strcpy(buf, label63);
	strcat(buf, ".com");
	assert_true(wl_valid_hostname(buf));
	strcpy(buf, label63);
	strcat(buf, "a.com");
	assert_false(wl_valid_hostname(buf));

	/* 253 characters in total is the longest: 3 × (63 + '.') + 61 */
	buf[0] = '\0';
	for (i = 0; i < 3; i++) {
		strcat(buf, label63);
		strcat(buf, ".");
	}
	repeat(buf + strlen(buf), "", 'b', 61);
	assert_int_equal(strlen(buf), 253);
	assert_true(wl_valid_hostname(buf));
	strcat(buf, "b");
	assert_false(wl_valid_hostname(buf));
}

static void
test_margin_seed_example(void **state)
{
	struct wl_margin m;

	(void)state;
	assert_int_equal(wl_margin_compute(100, 4000, WL_PLATFORM_PRICE_MICRO, &m), WL_OK);
	assert_int_equal(m.price_cents, 4000);
	assert_int_equal(m.cost_cents, 700);
	assert_int_equal(m.profit_cents, 3300);
	assert_string_equal(m.margin_percent, "82.5");
	assert_false(m.below_cost);
}

static void
test_margin_edges(void **state)
{
	struct wl_margin m;

	(void)state;
	/* below cost: 100 credits for 5.00 cost 7.00 */
	assert_int_equal(wl_margin_compute(100, 500, 70000, &m), WL_OK);
	assert_int_equal(m.cost_cents, 700);
	assert_int_equal(m.profit_cents, -200);
	assert_string_equal(m.margin_percent, "-40");
	assert_true(m.below_cost);

	/* exactly at cost is not below it */
	assert_int_equal(wl_margin_compute(100, 700, 70000, &m), WL_OK);
	assert_int_equal(m.profit_cents, 0);
	assert_string_equal(m.margin_percent, "0");
	assert_false(m.below_cost);

	/* a free package: no division by zero */
	assert_int_equal(wl_margin_compute(0, 0, 70000, &m), WL_OK);
	assert_int_equal(m.cost_cents, 0);
	assert_string_equal(m.margin_percent, "0");
	assert_false(m.below_cost);

	/* rounding half-up of the cost: 1 credit at 0.07 -> 7 cents; 3 credits
	 * at 0.0125 -> 3.75 -> 4 cents */
	assert_int_equal(wl_margin_compute(1, 40, 70000, &m), WL_OK);
	assert_int_equal(m.cost_cents, 7);
	assert_int_equal(wl_margin_compute(3, 100, 12500, &m), WL_OK);
	assert_int_equal(m.cost_cents, 4);
	assert_int_equal(m.profit_cents, 96);

	/* bad arguments leave out alone */
	memset(&m, 0x5a, sizeof(m));
	assert_int_equal(wl_margin_compute(-1, 4000, 70000, &m), WL_EINVALID);
	assert_int_equal(wl_margin_compute(100, -1, 70000, &m), WL_EINVALID);
	assert_int_equal(wl_margin_compute(100, 4000, -1, &m), WL_EINVALID);
	assert_int_equal(m.price_cents, 0x5a5a5a5a5a5a5a5a);
	assert_int_equal(wl_margin_compute(100, 4000, 70000, NULL), WL_EINVALID);
}

/* Is there a complaint about `field` in err? */
static bool
has_field(const struct wl_error *err, const char *field)
{
	int i;

	for (i = 0; i < err->nfields; i++) {
		if (strcmp(err->fields[i].name, field) == 0)
			return true;
	}
	return false;
}

static struct wl_whitelabel_update
complete_update(void)
{
	struct wl_whitelabel_update u;

	memset(&u, 0, sizeof(u));
	u.company_name = "Acme Voice";
	u.slug = "acme-voice";
	u.logo_url = "https://acme.example/logo.svg";
	u.primary_color = "#3B82F6";
	u.accent_color = "#f59e0b";
	u.stripe_publishable_key = "pk_test_51AbCdEfGh";
	u.stripe_secret_key = "sk_test_51AbCdEfGh";
	u.stripe_product_id = "prod_NWjs8kKbJWmuuc";
	u.stripe_price_id = "price_1MoBy5LkdIwHu7ix";
	u.stripe_webhook_secret = "whsec_abcdefgh12345678";
	u.has_package = true;
	u.package_credits = 100;
	u.package_price_cents = 4000;
	u.package_currency = "EUR";
	u.has_active = true;
	u.active = true;
	return u;
}

static void
test_update_ok(void **state)
{
	struct wl_whitelabel_update u = complete_update();
	struct wl_error err;

	(void)state;
	wl_error_clear(&err);
	assert_int_equal(wl_whitelabel_validate(&u, 0, &err), WL_OK);
	assert_int_equal(err.code, WL_OK);
	assert_int_equal(err.nfields, 0);

	/* an empty update changes nothing and is fine */
	memset(&u, 0, sizeof(u));
	assert_int_equal(wl_whitelabel_validate(&u, 0, &err), WL_OK);
	/* clearing optional fields is fine */
	u.logo_url = "";
	u.stripe_webhook_secret = "";
	assert_int_equal(wl_whitelabel_validate(&u, WL_WLF_REQUIRED | WL_WLF_ACTIVE, &err), WL_OK);
	/* NULL err: answer only */
	assert_int_equal(wl_whitelabel_validate(&u, 0, NULL), WL_OK);
	assert_int_equal(wl_whitelabel_validate(NULL, 0, &err), WL_EINVALID);
}

static void
test_update_every_field_bad(void **state)
{
	struct wl_whitelabel_update u;
	struct wl_error err;
	static const char *const fields[] = {
		"company_name",      "slug",
		"logo_url",          "primary_color",
		"accent_color",      "stripe_publishable_key",
		"stripe_secret_key", "stripe_product_id",
		"stripe_price_id",   "stripe_webhook_secret",
		"package.credits",   "package.currency",
	};
	size_t i;

	(void)state;
	memset(&u, 0, sizeof(u));
	u.company_name = " Acme";
	u.slug = "Acme";
	u.logo_url = "javascript:alert(1)";
	u.primary_color = "blue";
	u.accent_color = "#12345";
	u.stripe_publishable_key = "sk_test_51AbCdEfGh";
	u.stripe_secret_key = "pk_test_51AbCdEfGh";
	u.stripe_product_id = "price_1MoBy5LkdIwHu7ix";
	u.stripe_price_id = "prod_NWjs8kKbJWmuuc";
	u.stripe_webhook_secret = "sk_test_51AbCdEfGh";
	u.has_package = true;
	u.package_credits = 0;
	u.package_price_cents = 4000;
	u.package_currency = "eur";
	wl_error_clear(&err);
	assert_int_equal(wl_whitelabel_validate(&u, 0, NULL), WL_EVALIDATION);
	assert_int_equal(wl_whitelabel_validate(&u, 0, &err), WL_EVALIDATION);
	assert_int_equal(err.code, WL_EVALIDATION);
	for (i = 0; i < NELEM(fields); i++) {
		if (!has_field(&err, fields[i]))
			fail_msg("no complaint about %s", fields[i]);
	}
	assert_int_equal(err.nfields, (int)NELEM(fields));
}

static void
test_update_rules(void **state)
{
	struct wl_whitelabel_update u;
	struct wl_error err;

	(void)state;
	/* reserved slug */
	memset(&u, 0, sizeof(u));
	u.slug = "admin";
	wl_error_clear(&err);
	assert_int_equal(wl_whitelabel_validate(&u, 0, &err), WL_EVALIDATION);
	assert_true(has_field(&err, "slug"));
	assert_non_null(strstr(err.fields[0].message, "reserved"));

	/* live publishable key with a test secret key */
	memset(&u, 0, sizeof(u));
	u.stripe_publishable_key = "pk_live_51AbCdEfGh";
	u.stripe_secret_key = "sk_test_51AbCdEfGh";
	wl_error_clear(&err);
	assert_int_equal(wl_whitelabel_validate(&u, 0, &err), WL_EVALIDATION);
	assert_true(has_field(&err, "stripe_secret_key"));
	assert_non_null(strstr(err.fields[0].message, "live"));
	u.stripe_secret_key = "sk_live_x_1AbCdEfGh";
	wl_error_clear(&err);
	assert_int_equal(wl_whitelabel_validate(&u, 0, &err), WL_OK);

	/* package prices: Stripe's minimum per currency, and the maximum */
	memset(&u, 0, sizeof(u));
	u.has_package = true;
	u.package_credits = 1;
	u.package_currency = "EUR";
	u.package_price_cents = 49;
	wl_error_clear(&err);
	assert_int_equal(wl_whitelabel_validate(&u, 0, &err), WL_EVALIDATION);
	assert_true(has_field(&err, "package.price_cents"));
	u.package_price_cents = 50;
	wl_error_clear(&err);
	assert_int_equal(wl_whitelabel_validate(&u, 0, &err), WL_OK);
	u.package_currency = "GBP";
	u.package_price_cents = 30;
	assert_int_equal(wl_whitelabel_validate(&u, 0, &err), WL_OK);
	u.package_price_cents = WL_PACKAGE_PRICE_MAX + 1;
	assert_int_equal(wl_whitelabel_validate(&u, 0, &err), WL_EVALIDATION);
	u.package_price_cents = 4000;
	u.package_credits = WL_PACKAGE_CREDITS_MAX;
	wl_error_clear(&err);
	assert_int_equal(wl_whitelabel_validate(&u, 0, &err), WL_OK);
	u.package_credits = WL_PACKAGE_CREDITS_MAX + 1;
	assert_int_equal(wl_whitelabel_validate(&u, 0, &err), WL_EVALIDATION);
	u.package_credits = -5;
	wl_error_clear(&err);
	assert_int_equal(wl_whitelabel_validate(&u, 0, &err), WL_EVALIDATION);
	assert_true(has_field(&err, "package.credits"));

	/* company name: UTF-8 fine, control characters and bad UTF-8 not */
	memset(&u, 0, sizeof(u));
	u.company_name = "B\xc3\xa4renstark GmbH";
	wl_error_clear(&err);
	assert_int_equal(wl_whitelabel_validate(&u, 0, &err), WL_OK);
	u.company_name = "Acme\tVoice";
	assert_int_equal(wl_whitelabel_validate(&u, 0, &err), WL_EVALIDATION);
	wl_error_clear(&err);
	u.company_name = "Acme \xc3";
	assert_int_equal(wl_whitelabel_validate(&u, 0, &err), WL_EVALIDATION);
}

static void
test_update_activation(void **state)
{
	struct wl_whitelabel_update u;
	struct wl_error err;

	(void)state;
	/* activating with nothing stored names every required field */
	memset(&u, 0, sizeof(u));
	u.has_active = true;
	u.active = true;
	wl_error_clear(&err);
	assert_int_equal(wl_whitelabel_validate(&u, 0, &err), WL_EVALIDATION);
	assert_int_equal(err.nfields, 6);
	assert_true(has_field(&err, "company_name"));
	assert_true(has_field(&err, "slug"));
	assert_true(has_field(&err, "stripe_publishable_key"));
	assert_true(has_field(&err, "stripe_secret_key"));
	assert_true(has_field(&err, "stripe_product_id"));
	assert_true(has_field(&err, "stripe_price_id"));
	assert_false(has_field(&err, "logo_url"));

	/* what is stored counts, and so does what the update brings */
	wl_error_clear(&err);
	u.stripe_price_id = "price_1MoBy5LkdIwHu7ix";
	assert_int_equal(wl_whitelabel_validate(
				 &u, WL_WLF_REQUIRED & ~(unsigned)WL_WLF_STRIPE_PRICE_ID, &err),
			 WL_OK);

	/* clearing a required field of an active portal is refused … */
	memset(&u, 0, sizeof(u));
	u.stripe_secret_key = "";
	wl_error_clear(&err);
	assert_int_equal(wl_whitelabel_validate(&u, WL_WLF_REQUIRED | WL_WLF_ACTIVE, &err),
			 WL_EVALIDATION);
	assert_int_equal(err.nfields, 1);
	assert_true(has_field(&err, "stripe_secret_key"));
	/* … unless the same update deactivates it, or it was never active */
	u.has_active = true;
	u.active = false;
	wl_error_clear(&err);
	assert_int_equal(wl_whitelabel_validate(&u, WL_WLF_REQUIRED | WL_WLF_ACTIVE, &err), WL_OK);
	u.has_active = false;
	assert_int_equal(wl_whitelabel_validate(&u, WL_WLF_REQUIRED, &err), WL_OK);
}

static void
test_missing(void **state)
{
	const char *names[8];

	(void)state;
	assert_int_equal(wl_whitelabel_missing(WL_WLF_REQUIRED, names, 8), 0);
	assert_int_equal(wl_whitelabel_missing(0, names, 8), 6);
	assert_string_equal(names[0], "company_name");
	assert_string_equal(names[5], "stripe_price_id");
	assert_int_equal(wl_whitelabel_missing(WL_WLF_REQUIRED & ~(unsigned)WL_WLF_SLUG, names, 8),
			 1);
	assert_string_equal(names[0], "slug");
	/* the count is right even when the array is short */
	assert_int_equal(wl_whitelabel_missing(0, names, 2), 6);
	assert_int_equal(wl_whitelabel_missing(0, NULL, 0), 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slug),
		cmocka_unit_test(test_slug_reserved),
		cmocka_unit_test(test_color),
		cmocka_unit_test(test_logo_url),
		cmocka_unit_test(test_stripe_keys),
		cmocka_unit_test(test_stripe_ids),
		cmocka_unit_test(test_currency),
		cmocka_unit_test(test_hostname),
		cmocka_unit_test(test_margin_seed_example),
		cmocka_unit_test(test_margin_edges),
		cmocka_unit_test(test_update_ok),
		cmocka_unit_test(test_update_every_field_bad),
		cmocka_unit_test(test_update_rules),
		cmocka_unit_test(test_update_activation),
		cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
