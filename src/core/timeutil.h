/*
 * timeutil.h — calendar and clock helpers for wlportal.
 *
 * Owns conversions between unix milliseconds, days since 1970-01-01 and
 * proleptic Gregorian (y, m, d) dates, strict "YYYY-MM-DD" parsing, the ISO
 * 8601 UTC text form used in API responses and month boundaries for usage
 * reports. All UTC; no time zones, no leap seconds. Pure except wl_now_ms
 * and wl_monotonic_us, which read the clock.
 */
#ifndef WL_CORE_TIMEUTIL_H
#define WL_CORE_TIMEUTIL_H

#include <stdint.h>

#define WL_MS_PER_DAY 86400000LL

/* CLOCK_REALTIME in ms (the one impure helper, allowed). */
int64_t wl_now_ms(void);
/* Microseconds of the monotonic clock (for durations only). */
uint64_t wl_monotonic_us(void);

/* Proleptic Gregorian, 1970-01-01 -> 0. m 1..12, d 1..31 (asserted);
 * d is not checked against the month's length. */
int64_t wl_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Inverse of wl_days_from_civil. */
void wl_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* Strict "YYYY-MM-DD": exactly 10 chars, digits and dashes in place, real
 * calendar date (leap years), year 1970..9999. *days = days since epoch,
 * written only on success. Returns 0 or WL_EINVALID. s may be NULL ->
 * WL_EINVALID. */
int wl_parse_date(const char *s, int64_t *days);

/* "2025-12-13T10:00:00.000Z" from unix milliseconds (>= 0). out 32 bytes. */
void wl_format_iso_ms(int64_t unix_ms, char out[32]);

/* The UTC day (days since 1970-01-01) containing unix_ms: floor division,
 * also before 1970. wl_day_ceil: the first day starting at or after unix_ms. */
int64_t wl_day_floor(int64_t unix_ms);
int64_t wl_day_ceil(int64_t unix_ms);

/* First millisecond of the UTC calendar month containing unix_ms. */
int64_t wl_month_start_ms(int64_t unix_ms);

#endif
