/*
 * test_timeutil.c — unit tests for src/core/timeutil.c: day counts against
 * known dates, a day-by-day walk that checks civil <-> days both ways over
 * ~11,000 years, strict date parsing (leap years, every malformed shape),
 * ISO timestamps and month starts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/timeutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct known_date {
	int64_t y;
	unsigned m, d;
	int64_t days;
};

/* Day numbers computed independently (Python's datetime.date). */
static const struct known_date known[] = {
	{ 1970, 1, 1, 0 },         { 1969, 12, 31, -1 },   { 2000, 2, 29, 11016 },
	{ 2000, 3, 1, 11017 },     { 2024, 2, 29, 19782 }, { 2025, 12, 13, 20435 },
	{ 9999, 12, 31, 2932896 }, { 1, 1, 1, -719162 },   { 1600, 2, 29, -135081 },
	{ 0, 3, 1, -719468 },
};

static void
test_days_known(void **state)
{
	int64_t y;
	unsigned m, d;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(known); i++) {
		assert_int_equal(wl_days_from_civil(known[i].y, known[i].m, known[i].d),
				 known[i].days);
		wl_civil_from_days(known[i].days, &y, &m, &d);
		assert_int_equal(y, known[i].y);
		assert_int_equal(m, known[i].m);
		assert_int_equal(d, known[i].d);
	}
}

static int
month_length(int64_t y, unsigned m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : len[m - 1];
}

/* Walk every day from 1000 BC-ish to past 9999 and check that the civil
 * date advances by exactly one calendar day, and both directions agree. */
static void
test_days_walk(void **state)
{
	int64_t days, y, py;
	unsigned m, d, pm, pd;

	(void)state;
	wl_civil_from_days(-1100000, &py, &pm, &pd);
	for (days = -1100000 + 1; days <= 3100000; days++) {
		wl_civil_from_days(days, &y, &m, &d);
		if ((int)pd < month_length(py, pm)) {
			assert_int_equal(y, py);
			assert_int_equal(m, pm);
			assert_int_equal(d, pd + 1);
		} else if (pm < 12) {
			assert_int_equal(y, py);
			assert_int_equal(m, pm + 1);
			assert_int_equal(d, 1);
		} else {
			assert_int_equal(y, py + 1);
			assert_int_equal(m, 1);
			assert_int_equal(d, 1);
		}
		assert_int_equal(wl_days_from_civil(y, m, d), days);
		py = y;
		pm = m;
		pd = d;
	}
}

/* Far from the epoch the 400-year cycle arithmetic must still agree. */
static void
test_days_far(void **state)
{
	static const int64_t years[] = {
		-1000000, -401, -400, -1, 0, 399, 400, 1000000, 100000000
	};
	int64_t y;
	unsigned m, d;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(years); i++) {
		int64_t jan1 = wl_days_from_civil(years[i], 1, 1);
		int64_t next = wl_days_from_civil(years[i] + 1, 1, 1);
		int64_t leap = (years[i] % 4 == 0 && years[i] % 100 != 0) || years[i] % 400 == 0;

		assert_int_equal(next - jan1, 365 + leap);
		wl_civil_from_days(jan1, &y, &m, &d);
		assert_int_equal(y, years[i]);
		assert_int_equal(m, 1);
		assert_int_equal(d, 1);
		wl_civil_from_days(next - 1, &y, &m, &d);
		assert_int_equal(y, years[i]);
		assert_int_equal(m, 12);
		assert_int_equal(d, 31);
	}
	/* 400 Gregorian years are exactly 146097 days. */
	assert_int_equal(wl_days_from_civil(2400, 1, 1) - wl_days_from_civil(2000, 1, 1), 146097);
}

static void
test_parse_date_good(void **state)
{
	static const struct {
		const char *text;
		int64_t days;
	} cases[] = {
		{ "1970-01-01", 0 },     { "2024-02-29", 19782 }, /* leap year */
		{ "2000-02-29", 11016 },                          /* divisible by 400 */
		{ "2000-03-01", 11017 }, { "2025-12-13", 20435 }, { "9999-12-31", 2932896 },
		{ "2024-01-31", 19753 }, { "2024-04-30", 19843 }, { "2023-02-28", 19416 },
	};
	int64_t days;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		days = -99;
		assert_int_equal(wl_parse_date(cases[i].text, &days), WL_OK);
		assert_int_equal(days, cases[i].days);
	}
}

static void
test_parse_date_bad(void **state)
{
	static const char *const cases[] = {
		"",
		"2023-02-29", /* not a leap year */
		"2100-02-29", /* century, not leap */
		"1900-02-29", /* out of range anyway */
		"1969-12-31", /* before 1970 */
		"0000-01-01",
		"10000-01-01",
		"2024-00-10",
		"2024-13-01",
		"2024-01-00",
		"2024-01-32",
		"2024-04-31",
		"2024-06-31",
		"2024-09-31",
		"2024-11-31",
		"2024-02-30",
		"2024-1-01",
		"2024-01-1",
		"2024-01-1 ",
		" 2024-01-1",
		"2024-01-01 ",
		"2024-01-01T00:00:00Z",
		"2024/01/01",
		"2024-01/01",
		"20240101xx",
		"2024-0a-01",
		"2024-01-0a",
		"2a24-01-01",
		"+024-01-01",
		"-024-01-01",
		"2024--1-01",
		"2024-01--1",
		"2024",
		"2024-01",
		"2024-01-01\n",
	};
	int64_t days = 5;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_int_equal(wl_parse_date(cases[i], &days), WL_EINVALID);
	assert_int_equal(days, 5);
	assert_int_equal(wl_parse_date(NULL, &days), WL_EINVALID);
	assert_int_equal(wl_parse_date("2024-01-01", NULL), WL_EINVALID);
	/* An embedded NUL ends the string early. */
	assert_int_equal(wl_parse_date("2024-01\0-01", &days), WL_EINVALID);
}

/* Every day of 1970..9999 formatted as text parses back to itself. */
static void
test_parse_date_round_trip(void **state)
{
	char text[32];
	int64_t days, back, y;
	unsigned m, d;

	(void)state;
	for (days = 0; days <= 2932896; days += 7) {
		wl_civil_from_days(days, &y, &m, &d);
		snprintf(text, sizeof(text), "%04lld-%02u-%02u", (long long)y, m, d);
		assert_int_equal(wl_parse_date(text, &back), WL_OK);
		assert_int_equal(back, days);
	}
}

static void
test_format_iso(void **state)
{
	static const struct {
		int64_t ms;
		const char *text;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00.000Z" },
		{ 1, "1970-01-01T00:00:00.001Z" },
		{ 999, "1970-01-01T00:00:00.999Z" },
		{ 86399999, "1970-01-01T23:59:59.999Z" },
		{ 86400000, "1970-01-02T00:00:00.000Z" },
		{ 1765620000000LL, "2025-12-13T10:00:00.000Z" },
		{ 1000000000123LL, "2001-09-09T01:46:40.123Z" },
		{ 1709251199999LL, "2024-02-29T23:59:59.999Z" },
		{ 253402300799999LL, "9999-12-31T23:59:59.999Z" },
	};
	char out[32];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		wl_format_iso_ms(cases[i].ms, out);
		assert_string_equal(out, cases[i].text);
	}
	/* The largest input still fits the 32-byte buffer. */
	wl_format_iso_ms(INT64_MAX, out);
	assert_string_equal(out, "292278994-08-17T07:12:55.807Z");
}

static void
test_month_start(void **state)
{
	static const struct {
		int64_t ms, start;
	} cases[] = {
		{ 0, 0 },
		{ 1765620000000LL, 1764547200000LL }, /* 2025-12-13 -> 12-01 */
		{ 1764547200000LL, 1764547200000LL }, /* already a start */
		{ 1764547200000LL - 1, 1764547200000LL - 30LL * 86400000 },
		{ 1709251199999LL, 1706745600000LL }, /* leap day -> 02-01 */
		{ 1709251200000LL, 1709251200000LL }, /* 2024-03-01 */
		{ -1, -2678400000LL },                /* 1969-12-01 */
		{ 951782400000LL, 949363200000LL },   /* 2000-02-29 */
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		assert_int_equal(wl_month_start_ms(cases[i].ms), cases[i].start);
}

static void
test_now(void **state)
{
	int64_t a, b;

	(void)state;
	a = wl_now_ms();
	b = wl_now_ms();
	assert_true(a > 1577836800000LL); /* after 2020-01-01 */
	assert_true(a < 253402300799999LL);
	assert_true(b >= a - 1000); /* the wall clock may step */
}

static void
test_day_floor_ceil(void **state)
{
	(void)state;
	assert_int_equal(wl_day_floor(0), 0);
	assert_int_equal(wl_day_ceil(0), 0);
	assert_int_equal(wl_day_floor(1), 0);
	assert_int_equal(wl_day_ceil(1), 1);
	assert_int_equal(wl_day_floor(WL_MS_PER_DAY - 1), 0);
	assert_int_equal(wl_day_floor(WL_MS_PER_DAY), 1);
	assert_int_equal(wl_day_ceil(WL_MS_PER_DAY), 1);
	assert_int_equal(wl_day_ceil(WL_MS_PER_DAY + 1), 2);
	assert_int_equal(wl_day_floor(-1), -1);
	assert_int_equal(wl_day_ceil(-1), 0);
	assert_int_equal(wl_day_floor(-WL_MS_PER_DAY), -1);
	assert_int_equal(wl_day_ceil(-WL_MS_PER_DAY - 1), -1);
	assert_int_equal(wl_day_floor(INT64_MAX), INT64_MAX / WL_MS_PER_DAY);
	assert_int_equal(wl_day_ceil(INT64_MAX), INT64_MAX / WL_MS_PER_DAY + 1);
	assert_int_equal(wl_day_floor(INT64_MIN), INT64_MIN / WL_MS_PER_DAY - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_known),
		cmocka_unit_test(test_days_walk),
		cmocka_unit_test(test_days_far),
		cmocka_unit_test(test_parse_date_good),
		cmocka_unit_test(test_parse_date_bad),
		cmocka_unit_test(test_parse_date_round_trip),
		cmocka_unit_test(test_format_iso),
		cmocka_unit_test(test_month_start),
		cmocka_unit_test(test_now),
		cmocka_unit_test(test_day_floor_ceil),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
