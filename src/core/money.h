/*
 * money.h — credits, minutes and money arithmetic for wlportal.
 *
 * Owns the conversions between call seconds, minutes shown to people,
 * credits and prices in integer micro-currency per minute, and the decimal
 * text forms of those amounts. Everything is integer arithmetic (no double)
 * with one rounding step per result. Pure: no I/O, libc only.
 *
 * Units: a balance is kept in seconds; 1 credit = 1 minute = 60 s. Prices
 * are micro-euros (1e-6 EUR) per minute; money results are cents.
 */
#ifndef WL_CORE_MONEY_H
#define WL_CORE_MONEY_H

#include <stdbool.h>
#include <stdint.h>

#define WL_SECONDS_PER_CREDIT 60      /* 1 credit = 1 minute = 60 s */
#define WL_PLATFORM_PRICE_MICRO 70000 /* EUR 0.07 per minute in micro-euros */

/* Cost in cents of `seconds` at `micro_per_minute` (integer micro-currency
 * per minute), computed once and rounded half-up to cents.
 * seconds >= 0, micro_per_minute >= 0 (asserted). 7200 s at 70000 -> 840.
 * Exact for seconds up to 10^12; saturates at INT64_MAX. */
int64_t wl_cost_cents(int64_t seconds, int64_t micro_per_minute);

/* Minutes as a JSON number with at most 2 decimals: hundredths of a minute
 * rounded half-up (away from zero for negatives), trailing zeros trimmed.
 * 0->"0", 29916->"498.6", 7200->"120", 61->"1.02", 30->"0.5", 1->"0.02",
 * -90->"-1.5". out must hold 32 bytes. */
void wl_format_minutes(int64_t seconds, char out[32]);
/* The minutes of `seconds` in hundredths, rounded as wl_format_minutes
 * rounds them (saturating past about 5.5e16 seconds), and such an amount
 * printed the same way ("1.5", "120"). */
int64_t wl_minutes_hundredths(int64_t seconds);
void wl_format_hundredths(int64_t hundredths, char out[32]);

/* Cents as a decimal with exactly 2 decimals: 840->"8.40", 0->"0.00",
 * 5->"0.05", -5->"-0.05", 123456->"1234.56". out 32 bytes. */
void wl_format_cents(int64_t cents, char out[32]);

/* Parses a minutes amount as typed on a command line or in JSON text:
 * digits with an optional '.' and 1-2 decimals, optional leading '-' only
 * when allow_negative; no spaces, no exponent, no '+', no bare ".5" or "5.".
 * Converts to seconds, rounding half away from zero ("1.5"->90, "0.01"->1,
 * "500"->30000). Bound: |minutes| <= 1e9. Returns 0 or WL_EINVALID; *seconds
 * is written only on success. s may be NULL -> WL_EINVALID. */
int wl_parse_minutes(const char *s, bool allow_negative, int64_t *seconds);

/* Margin helpers (used by the whitelabel margin calculator). */

/* Cost of `credits` credits at micro_per_minute, in cents, rounded half-up
 * (half away from zero if an argument is negative): 100 credits at 70000
 * -> 700. Saturates at the int64 range. */
int64_t wl_credits_cost_cents(int64_t credits, int64_t micro_per_minute);

/* The platform cost of `credits` credits converted to another currency:
 * credits * micro_per_minute (micro-euros) * rate_ppm / 10^6, in that
 * currency's minor units, rounded half-up once (rate_ppm = units per euro
 * in parts per million, 1000000 for EUR itself). 100 credits at 70000 and
 * 1080000 (USD=1.08) -> 756. All arguments >= 0 (asserted). */
int64_t wl_credits_cost_converted(int64_t credits, int64_t micro_per_minute, int64_t rate_ppm);

/* What `seconds` of calls cost a client at its agency's package price:
 * price_cents buys `credits` credits (minutes), so the cost is
 * seconds / 60 * price_cents / credits, in the package's minor units,
 * rounded half-up once over the total. 7200 s on a 100-credit package at
 * 4000 -> 4800; 30 s at 4000/100 -> 20. seconds >= 0, price_cents >= 0,
 * credits > 0 (asserted). */
int64_t wl_package_cost_minor(int64_t seconds, int64_t price_cents, int64_t credits);

/* Margin percent of price vs cost, (price - cost) / price * 100, with one
 * decimal, rounded half away from zero: price 4000, cost 700 -> "82.5";
 * price 0 -> "0"; negative margins allowed ("-75"). A trailing ".0" is
 * trimmed and a result that rounds to zero is "0". out 32 bytes. */
void wl_format_margin_percent(int64_t price_cents, int64_t cost_cents, char out[32]);

/* "€", "$" or "£" for EUR, USD, GBP (anything else: the euro sign). */
const char *wl_currency_symbol(const char *iso);

#endif
