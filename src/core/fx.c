/*
 * fx.c — parsing, looking up and printing the operator's exchange rates
 * (see fx.h). Rates never pass through a double: "1.08" is read digit by
 * digit into 1080000 ppm.
 */
#include "core/fx.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/whitelabel.h"

static int
set_rate(struct wl_fx *fx, const char *currency, int64_t ppm)
{
	int i;

	for (i = 0; i < fx->n; i++) {
		if (strcmp(fx->rate[i].currency, currency) == 0) {
			fx->rate[i].per_eur_ppm = ppm;
			return i;
		}
	}
	if (fx->n >= WL_FX_SLOTS)
		return -1;
	snprintf(fx->rate[fx->n].currency, sizeof(fx->rate[0].currency), "%s", currency);
	fx->rate[fx->n].per_eur_ppm = ppm;
	return fx->n++;
}

/* s[0..n): digits, optionally '.' and 1..6 more digits; > 0 and <= max. */
static bool
parse_ppm(const char *s, size_t n, int64_t *out)
{
	int64_t whole = 0, frac = 0;
	size_t i = 0, nfrac = 0;

	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		whole = whole * 10 + (s[i] - '0');
		if (whole > WL_FX_RATE_MAX / WL_FX_PPM)
			return false;
	}
	if (i == 0)
		return false;
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			if (++nfrac > 6)
				return false;
			frac = frac * 10 + (s[i] - '0');
		}
		if (nfrac == 0)
			return false;
	}
	if (i != n)
		return false;
	for (; nfrac < 6; nfrac++)
		frac *= 10;
	*out = whole * WL_FX_PPM + frac;
	return *out > 0 && *out <= WL_FX_RATE_MAX;
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* One "CUR=RATE" item, s[0..n). seen: slots this text has set so far. */
static int
parse_item(struct wl_fx *fx, const char *s, size_t n, unsigned *seen, char *msg, size_t msg_n)
{
	const char *eq, *v;
	char cur[4];
	int64_t ppm;
	size_t cn, vn;
	int slot;

	trim(&s, &n);
	eq = memchr(s, '=', n);
	if (eq == NULL) {
		snprintf(msg, msg_n, "WLPORTAL_FX_RATES: \"%.*s\" is not CUR=RATE (e.g. USD=1.08)",
			 (int)(n > 40 ? 40 : n), s);
		return WL_EINVALID;
	}
	cn = (size_t)(eq - s);
	trim(&s, &cn);
	v = eq + 1;
	vn = n - (size_t)(v - s);
	trim(&v, &vn);
	if (cn != 3) {
		snprintf(msg, msg_n, "WLPORTAL_FX_RATES: \"%.*s\" is not a currency code",
			 (int)(cn > 10 ? 10 : cn), s);
		return WL_EINVALID;
	}
	memcpy(cur, s, 3);
	cur[3] = '\0';
	if (strcmp(cur, "EUR") == 0) {
		snprintf(msg, msg_n,
			 "WLPORTAL_FX_RATES: EUR is the platform's own currency (its "
			 "rate is 1); give rates for USD and GBP only");
		return WL_EINVALID;
	}
	if (!wl_valid_currency(cur)) {
		snprintf(msg, msg_n,
			 "WLPORTAL_FX_RATES: %s is not a package currency (packages "
			 "are priced in EUR, USD or GBP)",
			 cur);
		return WL_EINVALID;
	}
	if (!parse_ppm(v, vn, &ppm)) {
		snprintf(msg, msg_n,
			 "WLPORTAL_FX_RATES: the rate of %s must be a decimal above 0 "
			 "and at most 1000 with at most 6 decimals (e.g. %s=1.08), not \"%.*s\"",
			 cur, cur, (int)(vn > 20 ? 20 : vn), v);
		return WL_EINVALID;
	}
	slot = set_rate(fx, cur, ppm);
	if (slot < 0 || (*seen & (1u << slot)) != 0) {
		snprintf(msg, msg_n, "WLPORTAL_FX_RATES: %s is given more than once", cur);
		return WL_EINVALID;
	}
	*seen |= 1u << slot;
	return WL_OK;
}

static int
apply(struct wl_fx *fx, const char *text, unsigned *seen, char *msg, size_t msg_n)
{
	const char *p = text, *comma;
	size_t n;
	int rc;

	if (strlen(text) > WL_FX_TEXT_MAX) {
		snprintf(msg, msg_n, "WLPORTAL_FX_RATES is longer than %d characters",
			 WL_FX_TEXT_MAX);
		return WL_EINVALID;
	}
	for (;;) {
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		rc = parse_item(fx, p, n, seen, msg, msg_n);
		if (rc != WL_OK)
			return rc;
		if (comma == NULL)
			return WL_OK;
		p = comma + 1;
	}
}

int
wl_fx_parse(const char *text, struct wl_fx *fx, char *msg, size_t msg_n)
{
	unsigned seen = 0;
	int rc;

	memset(fx, 0, sizeof(*fx));
	if (msg_n > 0)
		msg[0] = '\0';
	rc = apply(fx, WL_FX_DEFAULT, &seen, msg, msg_n);
	if (rc != WL_OK)
		return rc;
	seen = 0;
	if (text == NULL || text[0] == '\0')
		return WL_OK;
	return apply(fx, text, &seen, msg, msg_n);
}

int64_t
wl_fx_rate(const struct wl_fx *fx, const char *currency)
{
	int i;

	if (currency == NULL)
		return 0;
	if (strcmp(currency, "EUR") == 0)
		return WL_FX_PPM;
	for (i = 0; i < fx->n; i++)
		if (strcmp(fx->rate[i].currency, currency) == 0)
			return fx->rate[i].per_eur_ppm;
	return 0;
}

void
wl_fx_format_rate(int64_t ppm, char out[32])
{
	char frac[8];
	int n;

	if (ppm < 0)
		ppm = 0;
	n = snprintf(frac, sizeof(frac), "%06lld", (long long)(ppm % WL_FX_PPM));
	while (n > 0 && frac[n - 1] == '0')
		frac[--n] = '\0';
	if (n == 0)
		snprintf(out, 32, "%lld", (long long)(ppm / WL_FX_PPM));
	else
		snprintf(out, 32, "%lld.%s", (long long)(ppm / WL_FX_PPM), frac);
}

void
wl_fx_describe(const struct wl_fx *fx, char *out, size_t n)
{
	char rate[32];
	size_t used;
	int i;

	used = (size_t)snprintf(out, n, "1 EUR =");
	for (i = 0; i < fx->n && used < n; i++) {
		wl_fx_format_rate(fx->rate[i].per_eur_ppm, rate);
		used += (size_t)snprintf(out + used, n - used, "%s %s %s", i > 0 ? "," : "", rate,
					 fx->rate[i].currency);
	}
}
