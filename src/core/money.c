/*
 * money.c — integer money and minutes arithmetic (see money.h).
 *
 * Products such as seconds * micro_per_minute pass 2^63 long before the
 * quotient does, so every "multiply, then divide once" is carried out in
 * __int128 and rounded in a single step. The results are clamped to the
 * int64 range; with the bounds callers use (seconds <= 10^12, prices far
 * below 10^9 micro per minute) the clamp is never reached.
 */
#include "core/money.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"

#define MICRO_PER_CENT 10000
#define PARSE_MINUTES_MAX 1000000000LL /* |minutes| <= 1e9 */

typedef __int128 wide_t;

/* num / den rounded half away from zero; den > 0. */
static wide_t
div_round(wide_t num, wide_t den)
{
	assert(den > 0);
	if (num >= 0)
		return (2 * num + den) / (2 * den);
	return -((2 * -num + den) / (2 * den));
}

static int64_t
clamp_i64(wide_t v)
{
	if (v > (wide_t)INT64_MAX)
		return INT64_MAX;
	if (v < (wide_t)INT64_MIN)
		return INT64_MIN;
	return (int64_t)v;
}

/*
 * Writes sign, integer part and `decimals` fraction digits of
 * magnitude / 10^decimals. With trim, trailing fraction zeros (and the dot
 * when nothing is left) are dropped. A zero value never gets a '-'.
 */
static void
format_fixed(char out[32], bool negative, unsigned __int128 magnitude, unsigned decimals, bool trim)
{
	unsigned long long whole, frac;
	unsigned scale = 1, i, nfrac = decimals;
	char digits[32]; /* '-', 20 digits, '.', 6 digits */
	size_t at = sizeof(digits), len = 0;

	assert(decimals >= 1 && decimals <= 6);
	for (i = 0; i < decimals; i++)
		scale *= 10;
	/* Every caller's magnitude fits: at most |INT64_MIN| * 100 / 60. */
	assert(magnitude / scale <= (unsigned __int128)UINT64_MAX);
	whole = (unsigned long long)(magnitude / scale);
	frac = (unsigned long long)(magnitude % scale);
	if (magnitude == 0)
		negative = false;
	/* digits by hand, right to left (no printf: this runs on every answer
	 * that shows a balance) */
	if (trim) {
		while (nfrac > 0 && frac % 10 == 0) {
			frac /= 10;
			nfrac--;
		}
	}
	for (i = 0; i < nfrac; i++) {
		digits[--at] = (char)('0' + frac % 10);
		frac /= 10;
	}
	if (nfrac > 0)
		digits[--at] = '.';
	do {
		digits[--at] = (char)('0' + whole % 10);
		whole /= 10;
	} while (whole != 0);
	if (negative)
		digits[--at] = '-';
	len = sizeof(digits) - at;
	assert(len > 0 && len < 32);
	memcpy(out, digits + at, len);
	out[len] = '\0';
}

int64_t
wl_cost_cents(int64_t seconds, int64_t micro_per_minute)
{
	assert(seconds >= 0);
	assert(micro_per_minute >= 0);
	/* cents = seconds / 60 * micro / 10000, one rounding at the end. */
	return clamp_i64(div_round((wide_t)seconds * micro_per_minute,
				   (wide_t)WL_SECONDS_PER_CREDIT * MICRO_PER_CENT));
}

int64_t
wl_credits_cost_cents(int64_t credits, int64_t micro_per_minute)
{
	return clamp_i64(div_round((wide_t)credits * micro_per_minute, MICRO_PER_CENT));
}

int64_t
wl_credits_cost_converted(int64_t credits, int64_t micro_per_minute, int64_t rate_ppm)
{
	assert(credits >= 0 && micro_per_minute >= 0 && rate_ppm >= 0);
	/* minor units = credits * micro / 10^4 (cents) * ppm / 10^6 */
	return clamp_i64(div_round((wide_t)credits * micro_per_minute * rate_ppm,
				   (wide_t)MICRO_PER_CENT * 1000000));
}

int64_t
wl_package_cost_minor(int64_t seconds, int64_t price_cents, int64_t credits)
{
	assert(seconds >= 0 && price_cents >= 0 && credits > 0);
	return clamp_i64(
		div_round((wide_t)seconds * price_cents, (wide_t)credits * WL_SECONDS_PER_CREDIT));
}

int64_t
wl_minutes_hundredths(int64_t seconds)
{
	return clamp_i64(div_round((wide_t)seconds * 100, WL_SECONDS_PER_CREDIT));
}

void
wl_format_hundredths(int64_t hundredths, char out[32])
{
	wide_t v = hundredths;

	format_fixed(out, v < 0, (unsigned __int128)(v < 0 ? -v : v), 2, true);
}

void
wl_format_minutes(int64_t seconds, char out[32])
{
	wide_t hundredths;

	/* wide: hundredths of the extreme seconds do not fit in 64 bits */
	hundredths = div_round((wide_t)seconds * 100, WL_SECONDS_PER_CREDIT);
	format_fixed(out, hundredths < 0,
		     (unsigned __int128)(hundredths < 0 ? -hundredths : hundredths), 2, true);
}

void
wl_format_cents(int64_t cents, char out[32])
{
	wide_t v = cents;

	format_fixed(out, v < 0, (unsigned __int128)(v < 0 ? -v : v), 2, false);
}

void
wl_format_margin_percent(int64_t price_cents, int64_t cost_cents, char out[32])
{
	wide_t num, den, tenths;

	if (price_cents == 0) {
		snprintf(out, 32, "0");
		return;
	}
	/* tenths of a percent = (price - cost) * 1000 / price */
	num = ((wide_t)price_cents - cost_cents) * 1000;
	den = price_cents;
	if (den < 0) {
		num = -num;
		den = -den;
	}
	tenths = div_round(num, den);
	format_fixed(out, tenths < 0, (unsigned __int128)(tenths < 0 ? -tenths : tenths), 1, true);
}

int
wl_parse_minutes(const char *s, bool allow_negative, int64_t *seconds)
{
	const char *p = s;
	bool negative = false;
	int64_t whole = 0, hundredths;
	int frac = 0, nwhole = 0;
	wide_t secs;

	if (s == NULL || seconds == NULL)
		return WL_EINVALID;
	if (*p == '-') {
		if (!allow_negative)
			return WL_EINVALID;
		negative = true;
		p++;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > PARSE_MINUTES_MAX)
			return WL_EINVALID;
		nwhole++;
	}
	if (nwhole == 0)
		return WL_EINVALID;
	if (*p == '.') {
		int nfrac = 0;

		p++;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (++nfrac > 2)
				return WL_EINVALID;
			frac = frac * 10 + (*p - '0');
		}
		if (nfrac == 0)
			return WL_EINVALID;
		if (nfrac == 1)
			frac *= 10;
	}
	if (*p != '\0')
		return WL_EINVALID;
	hundredths = whole * 100 + frac;
	if (hundredths > PARSE_MINUTES_MAX * 100)
		return WL_EINVALID;
	if (negative)
		hundredths = -hundredths;
	/* seconds = hundredths * 60 / 100; the fraction is a multiple of 0.2,
	 * so there is never an exact half to break. */
	secs = div_round((wide_t)hundredths * WL_SECONDS_PER_CREDIT, 100);
	*seconds = (int64_t)secs;
	return WL_OK;
}

const char *
wl_currency_symbol(const char *iso)
{
	if (iso != NULL && strcmp(iso, "USD") == 0)
		return "$";
	if (iso != NULL && strcmp(iso, "GBP") == 0)
		return "\xc2\xa3";
	return "\xe2\x82\xac";
}
