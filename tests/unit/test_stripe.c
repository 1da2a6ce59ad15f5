/*
 * test_stripe.c — unit tests for src/core/stripe.c: the price check names
 * each mismatch under stripe.price_id, the Checkout Session form body
 * (every parameter, braces percent-encoded, bad input refused), ids and
 * idempotency keys, key modes, and redaction of key-like tokens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/stripe.h"

static struct stripe_price
good_price(void)
{
	struct stripe_price p;

	memset(&p, 0, sizeof(p));
	strcpy(p.id, "price_1");
	p.active = true;
	strcpy(p.type, "one_time");
	strcpy(p.product, "prod_A");
	p.has_unit_amount = true;
	p.unit_amount = 4000;
	strcpy(p.currency, "eur");
	return p;
}

static void
expect_mismatch(const struct stripe_price *p, const char *needle)
{
	struct wl_error err;

	wl_error_clear(&err);
	assert_int_equal(stripe_price_check(p, "price_1", "prod_A", 4000, "EUR", &err),
			 WL_EVALIDATION);
	assert_int_equal(err.code, WL_EVALIDATION);
	assert_int_equal(err.nfields, 1);
	assert_string_equal(err.fields[0].name, "stripe.price_id");
	if (strstr(err.fields[0].message, needle) == NULL)
		fail_msg("'%s' does not mention '%s'", err.fields[0].message, needle);
	assert_non_null(strstr(err.message, needle));
}

static void
test_price_check(void **state)
{
	struct stripe_price p = good_price();
	struct wl_error err;

	(void)state;
	wl_error_clear(&err);
	assert_int_equal(stripe_price_check(&p, "price_1", "prod_A", 4000, "EUR", &err), WL_OK);
	assert_int_equal(err.code, WL_OK);
	p.active = false;
	expect_mismatch(&p, "not active");
	p = good_price();
	strcpy(p.type, "recurring");
	expect_mismatch(&p, "recurring");
	p = good_price();
	strcpy(p.product, "prod_B");
	expect_mismatch(&p, "prod_B");
	p = good_price();
	p.unit_amount = 5000;
	expect_mismatch(&p, "5000 eur; the package costs 4000 EUR");
	p = good_price();
	strcpy(p.currency, "usd");
	expect_mismatch(&p, "4000 usd");
	p = good_price();
	p.has_unit_amount = false;
	expect_mismatch(&p, "no fixed amount");
	p = good_price();
	strcpy(p.id, "price_2");
	expect_mismatch(&p, "price_2");
}

static struct stripe_checkout
good_checkout(void)
{
	struct stripe_checkout c = {
		.price_id = "price_1",
		.success_url = "https://acme.portal.test/success",
		.cancel_url = "https://acme.portal.test/buy?cancelled=1",
		.client_reference_id = "org_123",
		.org_id = "org_123",
		.user_id = "usr_9",
		.customer_email = "zoe+x@example.test",
	};
	return c;
}

static void
test_checkout_form(void **state)
{
	struct stripe_checkout c = good_checkout();
	struct wl_buf b;
	struct wl_error err;

	(void)state;
	wl_buf_init(&b, 1 << 16);
	assert_int_equal(stripe_checkout_form(&c, &b, &err), WL_OK);
	assert_string_equal(wl_buf_cstr(&b),
			    "mode=payment&line_items[0][price]=price_1&line_items[0][quantity]=1"
			    "&success_url=https%3A%2F%2Facme.portal.test%2Fsuccess%3Fsession_id%3D"
			    "%7BCHECKOUT_SESSION_ID%7D"
			    "&cancel_url=https%3A%2F%2Facme.portal.test%2Fbuy%3Fcancelled%3D1"
			    "&client_reference_id=org_123&metadata[org_id]=org_123"
			    "&metadata[user_id]=usr_9&customer_email=zoe%2Bx%40example.test");
	/* A success URL with a query gets "&session_id=…"; no e-mail, no field. */
	c.success_url = "http://127.0.0.1:8080/p/acme/success?x=1";
	c.customer_email = NULL;
	assert_int_equal(stripe_checkout_form(&c, &b, &err), WL_OK);
	assert_non_null(strstr(wl_buf_cstr(&b), "success%3Fx%3D1%26session_id%3D%7BCHECKOUT_SE"));
	assert_null(strstr(wl_buf_cstr(&b), "customer_email"));
	wl_buf_free(&b);
}

/* The platform's minutes: an amount made for the session, no user. */
static void
test_checkout_price_data(void **state)
{
	struct stripe_price_data pd = { "eur", 8470, "1000 calling minutes" };
	struct stripe_checkout c = good_checkout();
	struct wl_buf b;
	struct wl_error err;

	(void)state;
	c.price_id = NULL;
	c.price_data = &pd;
	c.user_id = NULL;
	wl_buf_init(&b, 1 << 16);
	assert_int_equal(stripe_checkout_form(&c, &b, &err), WL_OK);
	assert_non_null(
		strstr(wl_buf_cstr(&b),
		       "mode=payment&line_items[0][price_data][currency]=eur"
		       "&line_items[0][price_data][unit_amount]=8470"
		       "&line_items[0][price_data][product_data][name]=1000%20calling%20minutes"
		       "&line_items[0][quantity]=1&"));
	assert_null(strstr(wl_buf_cstr(&b), "line_items[0][price]="));
	assert_null(strstr(wl_buf_cstr(&b), "metadata[user_id]"));
	pd.unit_amount = 0;
	assert_int_equal(stripe_checkout_form(&c, &b, &err), WL_EINVALID);
	pd.unit_amount = 100;
	pd.currency = "EUR";
	assert_int_equal(stripe_checkout_form(&c, &b, &err), WL_EINVALID);
	pd.currency = "eur";
	pd.product_name = "two\nlines";
	assert_int_equal(stripe_checkout_form(&c, &b, &err), WL_EINVALID);
	wl_buf_free(&b);
}

static void
expect_refused(struct stripe_checkout c)
{
	struct wl_buf b;
	struct wl_error err;

	wl_buf_init(&b, 1 << 16);
	wl_buf_puts(&b, "old");
	wl_error_clear(&err);
	assert_int_equal(stripe_checkout_form(&c, &b, &err), WL_EINVALID);
	assert_int_equal(err.code, WL_EINVALID);
	wl_buf_free(&b);
}

static void
test_checkout_refused(void **state)
{
	struct stripe_checkout c;
	char long_url[STRIPE_URL_MAX + 10];

	(void)state;
	c = good_checkout();
	c.price_id = NULL;
	expect_refused(c);
	c = good_checkout();
	c.price_id = "price_1&mode=subscription";
	expect_refused(c);
	c = good_checkout();
	c.success_url = "javascript:alert(1)";
	expect_refused(c);
	c = good_checkout();
	c.success_url = "https://a.test/\r\nX: y";
	expect_refused(c);
	c = good_checkout();
	c.success_url = "https://a.test/ok#frag";
	expect_refused(c);
	c = good_checkout();
	c.cancel_url = "https://a.test/a b";
	expect_refused(c);
	c = good_checkout();
	c.cancel_url = "";
	expect_refused(c);
	c = good_checkout();
	c.org_id = "";
	expect_refused(c);
	c = good_checkout();
	c.user_id = "u&x=1";
	expect_refused(c);
	c = good_checkout();
	c.client_reference_id = NULL;
	expect_refused(c);
	c = good_checkout();
	c.customer_email = "not an address";
	expect_refused(c);
	c = good_checkout();
	c.customer_email = "a@b.test\r\nBcc: x@y.test";
	expect_refused(c);
	memset(long_url, 'a', sizeof(long_url) - 1);
	long_url[sizeof(long_url) - 1] = '\0';
	memcpy(long_url, "https://", 8);
	c = good_checkout();
	c.success_url = long_url;
	expect_refused(c);
}

static void
test_ids_and_keys(void **state)
{
	char key[STRIPE_IDEMPOTENCY_MAX + 2];

	(void)state;
	assert_true(stripe_id_ok("price_1NqX-abc"));
	assert_false(stripe_id_ok(""));
	assert_false(stripe_id_ok(NULL));
	assert_false(stripe_id_ok("price/../x"));
	assert_false(stripe_id_ok("price 1"));
	assert_true(stripe_idempotency_key_ok("buy:org_1:2026-11-29T20:00:00Z"));
	assert_false(stripe_idempotency_key_ok("a b"));
	assert_false(stripe_idempotency_key_ok("a\r\nb"));
	assert_false(stripe_idempotency_key_ok(""));
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	assert_false(stripe_idempotency_key_ok(key));
	key[STRIPE_IDEMPOTENCY_MAX] = '\0';
	assert_true(stripe_idempotency_key_ok(key));
	assert_string_equal(stripe_key_mode("sk_test_abc"), "test");
	assert_string_equal(stripe_key_mode("pk_live_abc"), "live");
	assert_string_equal(stripe_key_mode("rk_live_abc"), "live");
	assert_null(stripe_key_mode("sk_test_"));
	assert_null(stripe_key_mode("whsec_abc"));
	assert_null(stripe_key_mode("sk_other_abc"));
	assert_null(stripe_key_mode(NULL));
}

static void
test_redact(void **state)
{
	char s[] = "Invalid API Key provided: sk_test_****************abcd; "
		   "also rk_live_XYZ9 and whsec_s3cr3t, but ask_me and risk_x stay.";

	(void)state;
	stripe_redact(s);
	assert_string_equal(s, "Invalid API Key provided: sk_test_********************; "
			       "also rk_live_**** and whsec_******, but ask_me and risk_x stay.");
	stripe_redact(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_price_check),         cmocka_unit_test(test_checkout_form),
		cmocka_unit_test(test_checkout_price_data), cmocka_unit_test(test_checkout_refused),
		cmocka_unit_test(test_ids_and_keys),        cmocka_unit_test(test_redact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
