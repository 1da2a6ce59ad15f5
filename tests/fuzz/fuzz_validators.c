/*
 * fuzz_validators.c — every validator that sees outside input (phone
 * numbers, e-mail, slugs, colors, URLs, host names, Stripe keys, dates,
 * minutes, UTF-8) gets arbitrary bytes. None may crash or read past the
 * string, and what they accept must hold their own promises.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/money.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "core/whitelabel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	int64_t days, seconds;
	size_t i;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if (wl_valid_e164(s))
		assert(s[0] == '+' && strlen(s) >= 9 && strlen(s) <= 16);
	if (wl_valid_slug(s)) {
		assert(strlen(s) >= 3 && strlen(s) <= 50);
		for (i = 0; s[i] != '\0'; i++)
			assert((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
			       s[i] == '-');
	}
	if (wl_valid_color(s))
		assert(strlen(s) == 7 && s[0] == '#');
	if (wl_valid_logo_url(s))
		assert(strncmp(s, "http", 4) == 0 || strncmp(s, "HTTP", 4) == 0 ||
		       strncasecmp(s, "http", 4) == 0);
	if (wl_valid_hostname(s))
		assert(strchr(s, '.') != NULL && strchr(s, ' ') == NULL);
	if (wl_valid_email(s))
		assert(strchr(s, '@') != NULL);
	(void)wl_valid_uuid(s);
	(void)wl_valid_token(s, 64);
	(void)wl_valid_utf8(s, size);
	(void)wl_valid_currency(s);
	(void)wl_stripe_key_mode(s, "sk_live_", "sk_test_");
	(void)wl_valid_stripe_id(s, "price_");
	(void)wl_slug_reserved(s);
	if (wl_parse_date(s, &days) == 0) {
		int64_t y;
		unsigned m, d;
		char back[16];

		wl_civil_from_days(days, &y, &m, &d);
		snprintf(back, sizeof(back), "%04lld-%02u-%02u", (long long)y, m, d);
		assert(strcmp(back, s) == 0);
	}
	if (wl_parse_minutes(s, true, &seconds) == 0)
		assert(seconds <= 60LL * 1000000000LL && seconds >= -60LL * 1000000000LL);
	free(s);
	return 0;
}
