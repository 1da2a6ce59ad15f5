/*
 * test_fx.c — unit tests for the money rules of issue 7: the operator's
 * exchange rates (src/core/fx.c: parsing, defaults, refusals, printing),
 * the platform cost converted into a package currency and the margin that
 * compares like with like (src/core/money.c, src/core/whitelabel.c), and a
 * client's cost at its agency's package price per credit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/fx.h"
#include "core/money.h"
#include "core/whitelabel.h"

static void
test_fx_defaults(void **state)
{
	struct wl_fx fx;
	char msg[300], text[200];

	(void)state;
	assert_int_equal(wl_fx_parse(NULL, &fx, msg, sizeof(msg)), WL_OK);
	assert_int_equal(wl_fx_rate(&fx, "EUR"), 1000000);
	assert_int_equal(wl_fx_rate(&fx, "USD"), 1080000);
	assert_int_equal(wl_fx_rate(&fx, "GBP"), 860000);
	assert_int_equal(wl_fx_rate(&fx, "JPY"), 0);
	assert_int_equal(wl_fx_rate(&fx, NULL), 0);
	wl_fx_describe(&fx, text, sizeof(text));
	assert_string_equal(text, "1 EUR = 1.08 USD, 0.86 GBP");
	assert_int_equal(wl_fx_parse("", &fx, msg, sizeof(msg)), WL_OK);
	assert_int_equal(wl_fx_rate(&fx, "USD"), 1080000);
}

static void
test_fx_override(void **state)
{
	struct wl_fx fx;
	char msg[300];

	(void)state;
	/* one currency given: the other keeps its default */
	assert_int_equal(wl_fx_parse("USD=1.1", &fx, msg, sizeof(msg)), WL_OK);
	assert_int_equal(wl_fx_rate(&fx, "USD"), 1100000);
	assert_int_equal(wl_fx_rate(&fx, "GBP"), 860000);
	assert_int_equal(wl_fx_parse(" GBP = 0.855123 , USD=2 ", &fx, msg, sizeof(msg)), WL_OK);
	assert_int_equal(wl_fx_rate(&fx, "GBP"), 855123);
	assert_int_equal(wl_fx_rate(&fx, "USD"), 2000000);
	assert_int_equal(wl_fx_parse("USD=1000", &fx, msg, sizeof(msg)), WL_OK);
	assert_int_equal(wl_fx_rate(&fx, "USD"), 1000000000);
	assert_int_equal(wl_fx_parse("USD=0.000001", &fx, msg, sizeof(msg)), WL_OK);
	assert_int_equal(wl_fx_rate(&fx, "USD"), 1);
}

static void
test_fx_refused(void **state)
{
	static const char *const bad[] = {
		"USD",
		"USD=",
		"=1.08",
		"USD=abc",
		"USD=1,08",
		"USD=-1",
		"USD=0",
		"USD=0.0",
		"USD=1.0000001",
		"USD=1000.000001",
		"USD=1e3",
		"USD=.5",
		"USD=5.",
		"usd=1.08",
		"JPY=150",
		"EUR=1",
		"USD=1.08,USD=1.09",
		"USD=1.08,",
		",USD=1.08",
		"USD=1.08;GBP=0.86",
		"USDX=1",
		"US=1",
		"USD=99999999999999999999",
	};
	struct wl_fx fx;
	char msg[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg[0] = '\0';
		if (wl_fx_parse(bad[i], &fx, msg, sizeof(msg)) != WL_EINVALID)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_non_null(strstr(msg, "WLPORTAL_FX_RATES"));
	}
	assert_int_equal(wl_fx_parse("JPY=150", &fx, msg, sizeof(msg)), WL_EINVALID);
	assert_non_null(strstr(msg, "JPY"));
	assert_int_equal(wl_fx_parse("USD=abc", &fx, msg, sizeof(msg)), WL_EINVALID);
	assert_non_null(strstr(msg, "USD"));
}

static void
test_fx_format(void **state)
{
	char out[32];

	(void)state;
	wl_fx_format_rate(1080000, out);
	assert_string_equal(out, "1.08");
	wl_fx_format_rate(1000000, out);
	assert_string_equal(out, "1");
	wl_fx_format_rate(1234567, out);
	assert_string_equal(out, "1.234567");
	wl_fx_format_rate(860000, out);
	assert_string_equal(out, "0.86");
	wl_fx_format_rate(1000000000, out);
	assert_string_equal(out, "1000");
}

static void
test_cost_converted(void **state)
{
	(void)state;
	/* 100 credits at EUR 0.07 = EUR 7.00 */
	assert_int_equal(wl_credits_cost_converted(100, 70000, 1000000), 700);
	assert_int_equal(wl_credits_cost_converted(100, 70000, 1080000), 756);
	assert_int_equal(wl_credits_cost_converted(100, 70000, 860000), 602);
	/* one rounding from the exact amount: 1 credit = 7 cents * 1.08 = 7.56
	 * -> 8, where rounding the euro cents first would give the same; at
	 * 1.07 it is 7.49 -> 7 (not 7 * 1.07 rounded twice) */
	assert_int_equal(wl_credits_cost_converted(1, 70000, 1080000), 8);
	assert_int_equal(wl_credits_cost_converted(1, 70000, 1070000), 7);
	/* 3 credits at 0.0125 EUR = 3.75 cents; at 1.2 -> 4.5 -> 5 (rounding
	 * 3.75 to 4 first would make 4.8 -> 5 too; 0.9 -> 3.375 -> 3, not 4*0.9 = 3.6 -> 4) */
	assert_int_equal(wl_credits_cost_converted(3, 12500, 900000), 3);
	/* the largest package at the largest rate does not overflow */
	assert_int_equal(wl_credits_cost_converted(1000000, 70000, 1000000000), 7000000000LL);
	assert_int_equal(wl_credits_cost_converted(0, 70000, 1080000), 0);
}

static void
test_margin_fx(void **state)
{
	struct wl_margin m;

	(void)state;
	/* a USD package of 100 credits at $40.00: cost EUR 7.00 = $7.56 */
	assert_int_equal(wl_margin_compute_fx(100, 4000, 70000, 1080000, &m), WL_OK);
	assert_int_equal(m.price_cents, 4000);
	assert_int_equal(m.platform_cost_eur_cents, 700);
	assert_int_equal(m.rate_ppm, 1080000);
	assert_int_equal(m.cost_cents, 756);
	assert_int_equal(m.profit_cents, 3244);
	assert_string_equal(m.margin_percent, "81.1");
	assert_false(m.below_cost);
	/* GBP 6.50 for 100 credits: cost EUR 7.00 = GBP 6.02, still above */
	assert_int_equal(wl_margin_compute_fx(100, 650, 70000, 860000, &m), WL_OK);
	assert_int_equal(m.cost_cents, 602);
	assert_false(m.below_cost);
	/* USD 7.50: above EUR 7.00 in numbers, below $7.56 in money */
	assert_int_equal(wl_margin_compute_fx(100, 750, 70000, 1080000, &m), WL_OK);
	assert_true(m.below_cost);
	assert_int_equal(m.profit_cents, -6);
	/* EUR is the plain computation */
	assert_int_equal(wl_margin_compute_fx(100, 4000, 70000, 1000000, &m), WL_OK);
	assert_int_equal(m.cost_cents, 700);
	assert_int_equal(m.platform_cost_eur_cents, 700);
	assert_int_equal(wl_margin_compute(100, 4000, 70000, &m), WL_OK);
	assert_int_equal(m.rate_ppm, 1000000);
	/* no rate, no margin */
	assert_int_equal(wl_margin_compute_fx(100, 4000, 70000, 0, &m), WL_EINVALID);
}

static void
test_package_cost(void **state)
{
	(void)state;
	/* 120 minutes on a 100-credit package at 40.00: 48.00 */
	assert_int_equal(wl_package_cost_minor(7200, 4000, 100), 4800);
	/* 30 s at 0.40 a credit = 0.20 */
	assert_int_equal(wl_package_cost_minor(30, 4000, 100), 20);
	/* rounded once over the total, half-up: 1 s at 0.40/min = 0.667 -> 1;
	 * 3 s at 0.10/min = 0.5 -> 1; 0 s -> 0 */
	assert_int_equal(wl_package_cost_minor(1, 4000, 100), 1);
	assert_int_equal(wl_package_cost_minor(3, 1000, 100), 1);
	assert_int_equal(wl_package_cost_minor(0, 4000, 100), 0);
	/* 100 calls of 1 s are 100 s: 66.67 -> 67, not 100 * 1 */
	assert_int_equal(wl_package_cost_minor(100, 4000, 100), 67);
	/* an odd package: 999 credits for 12.34 */
	assert_int_equal(wl_package_cost_minor(3600, 1234, 999), 74);
	/* huge totals saturate rather than wrap */
	assert_true(wl_package_cost_minor(INT64_MAX, WL_PACKAGE_PRICE_MAX, 1) == INT64_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fx_defaults),    cmocka_unit_test(test_fx_override),
		cmocka_unit_test(test_fx_refused),     cmocka_unit_test(test_fx_format),
		cmocka_unit_test(test_cost_converted), cmocka_unit_test(test_margin_fx),
		cmocka_unit_test(test_package_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
