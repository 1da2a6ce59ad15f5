/*
 * test_money.c — unit tests for src/core/money.c: cost rounding, minutes
 * and cents text, minutes parsing (good and bad inputs) and the margin
 * helpers, including the seed examples and int64 extremes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/money.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
test_constants(void **state)
{
	(void)state;
	assert_int_equal(WL_SECONDS_PER_CREDIT, 60);
	assert_int_equal(WL_PLATFORM_PRICE_MICRO, 70000);
}

static void
test_cost_cents(void **state)
{
	static const struct {
		int64_t seconds, micro, cents;
	} cases[] = {
		{ 7200, 70000, 840 }, /* seed: 120 min at 0.07 */
		{ 0, 70000, 0 },
		{ 7200, 0, 0 },
		{ 60, 70000, 7 },
		{ 1, 70000, 0 },        /* 0.1167 cents */
		{ 5, 70000, 1 },        /* 0.583 cents */
		{ 3, 100000, 1 },       /* exactly 0.5 -> up */
		{ 1, 300000, 1 },       /* exactly 0.5 -> up */
		{ 1, 299999, 0 },       /* just under half */
		{ 29916, 70000, 3490 }, /* 498.6 min -> EUR 34.902 */
		{ 1000000000000LL, 70000, 116666666667LL },
		{ 1000000000000LL, 1000000000LL, 1666666666666667LL },
		{ INT64_MAX, INT64_MAX, INT64_MAX }, /* saturates */
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_int_equal(wl_cost_cents(cases[i].seconds, cases[i].micro), cases[i].cents);
}

static void
test_credits_cost_cents(void **state)
{
	static const struct {
		int64_t credits, micro, cents;
	} cases[] = {
		{ 100, 70000, 700 }, /* seed */
		{ 100, WL_PLATFORM_PRICE_MICRO, 700 },
		{ 0, 70000, 0 },
		{ 1, 70000, 7 },
		{ 1, 5000, 1 }, /* 0.5 -> 1 */
		{ 1, 4999, 0 },
		{ -1, 5000, -1 }, /* away from zero */
		{ -1, 4999, 0 },
		{ 1, -15000, -2 },
		{ INT64_MAX, INT64_MAX, INT64_MAX },
		{ INT64_MIN, INT64_MAX, INT64_MIN },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_int_equal(wl_credits_cost_cents(cases[i].credits, cases[i].micro),
				 cases[i].cents);
}

static void
test_format_minutes(void **state)
{
	static const struct {
		int64_t seconds;
		const char *text;
	} cases[] = {
		{ 0, "0" },
		{ 7200, "120" }, /* seed */
		{ 29916, "498.6" },
		{ 61, "1.02" },
		{ 30, "0.5" },
		{ 1, "0.02" }, /* 1.67 hundredths -> 2 */
		{ -1, "-0.02" },
		{ -90, "-1.5" },
		{ 60, "1" },
		{ 66, "1.1" },
		{ 3, "0.05" },
		{ 59, "0.98" },  /* 98.33 -> 98 */
		{ 119, "1.98" }, /* 198.33 */
		{ 100, "1.67" }, /* 166.67 */
		{ 6, "0.1" },
		{ 600, "10" },
		{ 30000, "500" },
		{ 60000000000LL, "1000000000" },
		{ INT64_MAX, "153722867280912930.12" },
		{ INT64_MIN, "-153722867280912930.13" },
	};
	char out[32];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		memset(out, 'x', sizeof(out));
		wl_format_minutes(cases[i].seconds, out);
		assert_string_equal(out, cases[i].text);
	}
}

/* Hundredths of minutes: the rounding of wl_format_minutes, and running
 * differences that add up to the rounded total (the CSV export's rows). */
static void
test_minutes_hundredths(void **state)
{
	static const int64_t durations[] = { 7, 7, 7, 61, 1, 29, 3599 };
	int64_t sum = 0, shares = 0;
	char out[32], again[32];
	size_t i;

	(void)state;
	assert_int_equal(wl_minutes_hundredths(0), 0);
	assert_int_equal(wl_minutes_hundredths(30), 50);
	assert_int_equal(wl_minutes_hundredths(7), 12);   /* 11.67 */
	assert_int_equal(wl_minutes_hundredths(61), 102); /* 101.67 */
	assert_int_equal(wl_minutes_hundredths(INT64_MAX), INT64_MAX);
	wl_format_hundredths(150, out);
	assert_string_equal(out, "1.5");
	wl_format_hundredths(12000, out);
	assert_string_equal(out, "120");
	wl_format_hundredths(2, out);
	assert_string_equal(out, "0.02");
	for (i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		shares += wl_minutes_hundredths(sum + durations[i]) - wl_minutes_hundredths(sum);
		sum += durations[i];
	}
	assert_int_equal(shares, wl_minutes_hundredths(sum));
	wl_format_minutes(sum, out);
	wl_format_hundredths(shares, again);
	assert_string_equal(out, again);
}

static void
test_format_cents(void **state)
{
	static const struct {
		int64_t cents;
		const char *text;
	} cases[] = {
		{ 840, "8.40" }, /* seed */
		{ 0, "0.00" },
		{ 5, "0.05" },
		{ -5, "-0.05" },
		{ 50, "0.50" },
		{ 100, "1.00" },
		{ -100, "-1.00" },
		{ 123456, "1234.56" },
		{ -123456, "-1234.56" },
		{ INT64_MAX, "92233720368547758.07" },
		{ INT64_MIN, "-92233720368547758.08" },
	};
	char out[32];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		wl_format_cents(cases[i].cents, out);
		assert_string_equal(out, cases[i].text);
	}
}

static void
test_parse_minutes_good(void **state)
{
	static const struct {
		const char *text;
		bool allow_negative;
		int64_t seconds;
	} cases[] = {
		{ "0", false, 0 },
		{ "1", false, 60 },
		{ "500", false, 30000 },
		{ "1.5", false, 90 },
		{ "1.50", false, 90 },
		{ "0.01", false, 1 }, /* 0.6 s -> 1 */
		{ "0.02", false, 1 }, /* 1.2 s -> 1 */
		{ "0.03", false, 2 }, /* 1.8 s -> 2 */
		{ "0.05", false, 3 },
		{ "0.1", false, 6 },
		{ "0.99", false, 59 }, /* 59.4 */
		{ "498.6", false, 29916 },
		{ "120", false, 7200 },
		{ "007", false, 420 },
		{ "0.00", false, 0 },
		{ "1000000000", false, 60000000000LL }, /* the bound itself */
		{ "1000000000.00", false, 60000000000LL },
		{ "-1.5", true, -90 },
		{ "-0.01", true, -1 }, /* symmetric rounding */
		{ "-0", true, 0 },
		{ "-1000000000", true, -60000000000LL },
		{ "5", true, 300 },
	};
	int64_t seconds;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		seconds = -12345;
		assert_int_equal(wl_parse_minutes(cases[i].text, cases[i].allow_negative, &seconds),
				 WL_OK);
		assert_int_equal(seconds, cases[i].seconds);
	}
}

static void
test_parse_minutes_bad(void **state)
{
	static const struct {
		const char *text;
		bool allow_negative;
	} cases[] = {
		{ "", false },
		{ "", true },
		{ "-", true },
		{ "-1", false },
		{ "-0", false },
		{ "--1", true },
		{ "+1", false },
		{ "+1", true },
		{ " 1", false },
		{ "1 ", false },
		{ "1\n", false },
		{ "1.", false },
		{ ".5", false },
		{ "-.5", true },
		{ "1.234", false },
		{ "1.2.3", false },
		{ "1..2", false },
		{ "1e3", false },
		{ "1E3", false },
		{ "0x10", false },
		{ "abc", false },
		{ "1,5", false },
		{ "1-", true },
		{ "1000000000.01", false }, /* past the bound */
		{ "1000000001", false },
		{ "-1000000000.01", true },
		{ "99999999999999999999999", false }, /* would overflow */
		{ "NaN", false },
		{ "inf", false },
	};
	int64_t seconds;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		seconds = 777;
		assert_int_equal(wl_parse_minutes(cases[i].text, cases[i].allow_negative, &seconds),
				 WL_EINVALID);
		assert_int_equal(seconds, 777); /* untouched on failure */
	}
	assert_int_equal(wl_parse_minutes(NULL, true, &seconds), WL_EINVALID);
	assert_int_equal(wl_parse_minutes("1", true, NULL), WL_EINVALID);
}

/* Seconds that are whole hundredths of a minute (multiples of 0.6 s, i.e.
 * of 3 s) survive format -> parse unchanged. */
static void
test_minutes_round_trip(void **state)
{
	char out[32];
	int64_t s, back;

	(void)state;
	for (s = -30000; s <= 300000; s += 3) {
		wl_format_minutes(s, out);
		assert_int_equal(wl_parse_minutes(out, true, &back), WL_OK);
		assert_int_equal(back, s);
	}
}

static void
test_margin_percent(void **state)
{
	static const struct {
		int64_t price, cost;
		const char *text;
	} cases[] = {
		{ 4000, 700, "82.5" }, /* seed */
		{ 0, 700, "0" },
		{ 0, 0, "0" },
		{ 400, 700, "-75" },
		{ 700, 700, "0" },
		{ 1000, 0, "100" },
		{ 3, 1, "66.7" },
		{ 3, 2, "33.3" },
		{ 8, 7, "12.5" },
		{ 2000, 1999, "0.1" },  /* 0.05 % -> up */
		{ 2000, 2001, "-0.1" }, /* away from zero */
		{ 10000, 10004, "0" },  /* -0.04 % is not "-0" */
		{ 100, 300, "-200" },
		{ -100, 0, "100" },
		{ INT64_MAX, INT64_MIN, "200" },
	};
	char out[32];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		wl_format_margin_percent(cases[i].price, cases[i].cost, out);
		assert_string_equal(out, cases[i].text);
	}
}

/* The whitelabel calculator's seed: 100 credits bought at the platform
 * price and resold for EUR 40. */
static void
test_margin_seed_chain(void **state)
{
	char out[32];
	int64_t cost;

	(void)state;
	cost = wl_credits_cost_cents(100, WL_PLATFORM_PRICE_MICRO);
	assert_int_equal(cost, 700);
	wl_format_margin_percent(4000, cost, out);
	assert_string_equal(out, "82.5");
	wl_format_cents(cost, out);
	assert_string_equal(out, "7.00");
}

static void
test_currency_symbol(void **state)
{
	(void)state;
	assert_string_equal(wl_currency_symbol("EUR"), "\xe2\x82\xac");
	assert_string_equal(wl_currency_symbol("USD"), "$");
	assert_string_equal(wl_currency_symbol("GBP"), "\xc2\xa3");
	assert_string_equal(wl_currency_symbol(NULL), "\xe2\x82\xac");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_cost_cents),
		cmocka_unit_test(test_credits_cost_cents),
		cmocka_unit_test(test_format_minutes),
		cmocka_unit_test(test_format_cents),
		cmocka_unit_test(test_parse_minutes_good),
		cmocka_unit_test(test_parse_minutes_bad),
		cmocka_unit_test(test_minutes_round_trip),
		cmocka_unit_test(test_margin_percent),
		cmocka_unit_test(test_margin_seed_chain),
		cmocka_unit_test(test_currency_symbol),
		cmocka_unit_test(test_minutes_hundredths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
