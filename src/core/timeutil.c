/*
 * timeutil.c — UTC calendar arithmetic (see timeutil.h).
 *
 * Day counts use the 400-year Gregorian cycle (146097 days). Years are
 * shifted to start on 1 March so that the leap day is the last day of the
 * shifted year; then the day of the year follows from a linear formula over
 * the months March..February (month lengths 31,30,31,30,31 repeat), and the
 * day within a cycle from 365 * years plus the leap days before them.
 * Day 0 of this count is 0000-03-01; 1970-01-01 is day 719468.
 */
#include "core/timeutil.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "core/error.h"

#define DAYS_PER_CYCLE 146097 /* days in 400 Gregorian years */
#define EPOCH_SHIFT 719468    /* 0000-03-01 .. 1970-01-01 */

/* Floor division for a positive divisor. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b != 0 && a < 0)
		q--;
	return q;
}

int64_t
wl_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t
wl_monotonic_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int64_t
wl_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t cycle, year_of_cycle, day_of_year, day_of_cycle;
	unsigned shifted_month;

	assert(m >= 1 && m <= 12);
	assert(d >= 1 && d <= 31);
	if (m <= 2)
		y--; /* Jan, Feb belong to the previous March-year */
	cycle = floor_div(y, 400);
	year_of_cycle = y - cycle * 400;       /* 0..399 */
	shifted_month = m > 2 ? m - 3 : m + 9; /* March = 0 */
	day_of_year = (153 * (int64_t)shifted_month + 2) / 5 + (int64_t)d - 1;
	day_of_cycle = year_of_cycle * 365 + year_of_cycle / 4 - year_of_cycle / 100 + day_of_year;
	return cycle * DAYS_PER_CYCLE + day_of_cycle - EPOCH_SHIFT;
}

void
wl_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t shifted, cycle, day_of_cycle, year_of_cycle, day_of_year, mp;

	shifted = days + EPOCH_SHIFT;
	cycle = floor_div(shifted, DAYS_PER_CYCLE);
	day_of_cycle = shifted - cycle * DAYS_PER_CYCLE; /* 0..146096 */
	/* Undo the leap-day count: the -1460 / +36524 / -146096 terms remove
	 * the extra days at 4-, 100- and 400-year marks. */
	year_of_cycle = (day_of_cycle - day_of_cycle / 1460 + day_of_cycle / 36524 -
			 day_of_cycle / (DAYS_PER_CYCLE - 1)) /
			365;
	day_of_year = day_of_cycle -
		      (365 * year_of_cycle + year_of_cycle / 4 - year_of_cycle / 100); /* 0..365 */
	mp = (5 * day_of_year + 2) / 153; /* March = 0 */
	*d = (unsigned)(day_of_year - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = year_of_cycle + cycle * 400 + (*m <= 2 ? 1 : 0);
}

static bool
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
days_in_month(int64_t y, unsigned m)
{
	static const unsigned char len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	assert(m >= 1 && m <= 12);
	if (m == 2 && is_leap(y))
		return 29;
	return len[m - 1];
}

/* n ASCII digits at s as a number, or -1 if any is not a digit. */
static int
digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
wl_parse_date(const char *s, int64_t *days)
{
	int y, m, d, i;

	if (s == NULL || days == NULL)
		return WL_EINVALID;
	/* Check length without reading past a short string's NUL. */
	for (i = 0; i < 10; i++) {
		if (s[i] == '\0')
			return WL_EINVALID;
	}
	if (s[10] != '\0' || s[4] != '-' || s[7] != '-')
		return WL_EINVALID;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1)
		return WL_EINVALID;
	if ((unsigned)d > days_in_month(y, (unsigned)m))
		return WL_EINVALID;
	*days = wl_days_from_civil(y, (unsigned)m, (unsigned)d);
	return WL_OK;
}

void
wl_format_iso_ms(int64_t unix_ms, char out[32])
{
	int64_t days, ms_of_day, y;
	unsigned m, d;
	int n;

	assert(unix_ms >= 0);
	days = floor_div(unix_ms, WL_MS_PER_DAY);
	ms_of_day = unix_ms - days * WL_MS_PER_DAY;
	wl_civil_from_days(days, &y, &m, &d);
	n = snprintf(out, 32, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, m, d,
		     (int)(ms_of_day / 3600000), (int)(ms_of_day / 60000 % 60),
		     (int)(ms_of_day / 1000 % 60), (int)(ms_of_day % 1000));
	assert(n > 0 && n < 32);
}

int64_t
wl_month_start_ms(int64_t unix_ms)
{
	int64_t y;
	unsigned m, d;

	wl_civil_from_days(floor_div(unix_ms, WL_MS_PER_DAY), &y, &m, &d);
	return wl_days_from_civil(y, m, 1) * WL_MS_PER_DAY;
}

int64_t
wl_day_floor(int64_t unix_ms)
{
	return unix_ms / WL_MS_PER_DAY - (unix_ms % WL_MS_PER_DAY < 0 ? 1 : 0);
}

int64_t
wl_day_ceil(int64_t unix_ms)
{
	return unix_ms / WL_MS_PER_DAY + (unix_ms % WL_MS_PER_DAY > 0 ? 1 : 0);
}
