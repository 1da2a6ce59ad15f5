/*
 * fx.h — the operator's exchange rates (WLPORTAL_FX_RATES): how many units
 * of a package currency one euro buys, kept as integer parts per million
 * (USD=1.08 -> 1080000). The platform prices in EUR; an agency may price its
 * package in USD or GBP, and its margin compares the two only after the
 * platform cost is converted with these rates. Pure: no I/O, libc only.
 */
#ifndef WL_CORE_FX_H
#define WL_CORE_FX_H

#include <stddef.h>
#include <stdint.h>

#define WL_FX_PPM 1000000LL                 /* 1.000000 */
#define WL_FX_DEFAULT "USD=1.08,GBP=0.86"   /* used for any currency not configured */
#define WL_FX_RATE_MAX (1000LL * WL_FX_PPM) /* at most 1000 units per euro */
#define WL_FX_TEXT_MAX 256
#define WL_FX_SLOTS 4

struct wl_fx {
	int n;
	struct {
		char currency[4];
		int64_t per_eur_ppm;
	} rate[WL_FX_SLOTS];
};

/* Fills fx with WL_FX_DEFAULT, then applies `text` (NULL or "" = defaults
 * only): comma-separated CUR=RATE, CUR a package currency other than EUR
 * (USD, GBP), RATE a decimal > 0 with at most 6 decimals and at most 1000;
 * spaces around items are allowed, a currency may appear once. On a bad
 * value returns WL_EINVALID with a message naming the item in msg (fx is
 * then undefined); else 0. */
int wl_fx_parse(const char *text, struct wl_fx *fx, char *msg, size_t msg_n);

/* Units of `currency` per euro in ppm: WL_FX_PPM for EUR, 0 for a currency
 * without a rate. */
int64_t wl_fx_rate(const struct wl_fx *fx, const char *currency);

/* A ppm rate as a decimal without trailing zeros: 1080000 -> "1.08",
 * 1000000 -> "1", 1234567 -> "1.234567". out 32 bytes. */
void wl_fx_format_rate(int64_t ppm, char out[32]);

/* "1 EUR = 1.08 USD, 0.86 GBP": what start-up prints. */
void wl_fx_describe(const struct wl_fx *fx, char *out, size_t n);

#endif
