/*
 * stripe_sig.c — verifies Stripe's `Stripe-Signature` webhook header (see
 * stripe_sig.h for the contract). Pure: libc and libsodium's HMAC only.
 *
 * The header is a comma-separated list of key=value items. We read `t`
 * (exactly once, decimal seconds) and every `v1`; any other key (v0, a
 * scheme Stripe may add later) is ignored. The signed payload is
 * "{t}.{body}" with t written in decimal, fed to the HMAC in three parts so
 * the body is never copied or re-encoded.
 */
#include "core/stripe_sig.h"
#include "core/validate.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#define T_DIGITS_MAX 12 /* far beyond year 9999; keeps int64 arithmetic safe */
#define MAC_BYTES crypto_auth_hmacsha256_BYTES

struct sig_header {
	int64_t t;
	bool has_t;
	int nv1;
	const char *v1[STRIPE_SIG_V1_MAX];
	size_t v1_len[STRIPE_SIG_V1_MAX];
};

static bool
is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Trims blanks around [*p, *p + *n). */
static void
trim(const char **p, size_t *n)
{
	while (*n > 0 && is_space(**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && is_space((*p)[*n - 1]))
		(*n)--;
}

static bool
key_is(const char *k, size_t kn, const char *want)
{
	size_t wn = strlen(want);

	return kn == wn && memcmp(k, want, wn) == 0;
}

static bool
parse_t(const char *v, size_t n, int64_t *out)
{
	int64_t t = 0;
	size_t i;

	if (n == 0 || n > T_DIGITS_MAX)
		return false;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		t = t * 10 + (v[i] - '0');
	}
	*out = t;
	return true;
}

/* One "key=value" item; false when it makes the header malformed. */
static bool
parse_item(const char *item, size_t n, struct sig_header *h)
{
	const char *eq, *k, *v;
	size_t kn, vn;

	trim(&item, &n);
	if (n == 0)
		return true; /* "a,,b": an empty item says nothing */
	k = item;
	eq = memchr(item, '=', n);
	if (eq == NULL)
		return false;
	kn = (size_t)(eq - k);
	v = eq + 1;
	vn = n - kn - 1;
	trim(&k, &kn);
	trim(&v, &vn);
	if (key_is(k, kn, "t")) {
		if (h->has_t || !parse_t(v, vn, &h->t))
			return false;
		h->has_t = true;
	} else if (key_is(k, kn, "v1")) {
		if (h->nv1 == STRIPE_SIG_V1_MAX)
			return false;
		h->v1[h->nv1] = v;
		h->v1_len[h->nv1] = vn;
		h->nv1++;
	}
	return true;
}

static enum stripe_sig_result
parse_header(const char *s, size_t n, struct sig_header *h)
{
	size_t start = 0, i;

	memset(h, 0, sizeof(*h));
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != ',')
			continue;
		if (!parse_item(s + start, i - start, h))
			return STRIPE_SIG_MALFORMED;
		start = i + 1;
	}
	if (!h->has_t)
		return STRIPE_SIG_MALFORMED;
	return h->nv1 == 0 ? STRIPE_SIG_NO_V1 : STRIPE_SIG_OK;
}

static void
compute_mac(const char *secret, int64_t t, const void *body, size_t body_len,
	    unsigned char mac[MAC_BYTES])
{
	crypto_auth_hmacsha256_state st;
	char ts[24];
	int tn = snprintf(ts, sizeof(ts), "%lld.", (long long)t);

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (unsigned long long)tn);
	if (body_len > 0)
		crypto_auth_hmacsha256_update(&st, body, (unsigned long long)body_len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

/* Decodes exactly 2 * MAC_BYTES hex digits; false for anything else. */
static bool
decode_sig(const char *hex, size_t n, unsigned char out[MAC_BYTES])
{
	size_t i;

	if (n != 2 * MAC_BYTES)
		return false;
	for (i = 0; i < MAC_BYTES; i++) {
		int hi = wl_hex_digit(hex[2 * i]), lo = wl_hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

/* Every candidate is compared, matched or not, so the time taken does not
 * say which one matched. */
static bool
any_v1_matches(const struct sig_header *h, const unsigned char mac[MAC_BYTES])
{
	unsigned char cand[MAC_BYTES];
	int matched = 0, i;

	for (i = 0; i < h->nv1; i++) {
		if (!decode_sig(h->v1[i], h->v1_len[i], cand))
			continue;
		matched |= sodium_memcmp(cand, mac, MAC_BYTES) == 0;
	}
	sodium_memzero(cand, sizeof(cand));
	return matched != 0;
}

static bool
only_blanks(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_space(s[i]))
			return false;
	return true;
}

enum stripe_sig_result
stripe_sig_verify(const char *header, size_t header_len, const char *secret, const void *body,
		  size_t body_len, int64_t now, int64_t tolerance_s, int64_t *timestamp_out)
{
	struct sig_header h;
	unsigned char mac[MAC_BYTES];
	enum stripe_sig_result r;
	bool ok;

	if (timestamp_out != NULL)
		*timestamp_out = 0;
	if (secret == NULL || secret[0] == '\0')
		return STRIPE_SIG_NO_SECRET;
	if (header == NULL || only_blanks(header, header_len))
		return STRIPE_SIG_MISSING;
	if (header_len > STRIPE_SIG_HEADER_MAX || (body == NULL && body_len > 0))
		return STRIPE_SIG_MALFORMED;
	r = parse_header(header, header_len, &h);
	if (h.has_t && timestamp_out != NULL)
		*timestamp_out = h.t;
	if (r != STRIPE_SIG_OK)
		return r;
	compute_mac(secret, h.t, body, body_len, mac);
	ok = any_v1_matches(&h, mac);
	sodium_memzero(mac, sizeof(mac));
	if (!ok)
		return STRIPE_SIG_BAD_SIGNATURE;
	if (tolerance_s <= 0)
		tolerance_s = STRIPE_SIG_TOLERANCE_DEFAULT;
	if (now - h.t > tolerance_s)
		return STRIPE_SIG_TOO_OLD;
	if (h.t - now > tolerance_s)
		return STRIPE_SIG_IN_FUTURE;
	return STRIPE_SIG_OK;
}

void
stripe_sig_sign(const char *secret, int64_t t, const void *body, size_t body_len,
		char out[STRIPE_SIG_HEX_SIZE])
{
	unsigned char mac[MAC_BYTES];

	compute_mac(secret, t, body, body_len, mac);
	sodium_bin2hex(out, STRIPE_SIG_HEX_SIZE, mac, sizeof(mac));
	sodium_memzero(mac, sizeof(mac));
}

const char *
stripe_sig_result_name(enum stripe_sig_result r)
{
	switch (r) {
	case STRIPE_SIG_OK: return "ok";
	case STRIPE_SIG_MISSING: return "missing_header";
	case STRIPE_SIG_MALFORMED: return "malformed_header";
	case STRIPE_SIG_NO_V1: return "no_v1_signature";
	case STRIPE_SIG_BAD_SIGNATURE: return "bad_signature";
	case STRIPE_SIG_TOO_OLD: return "too_old";
	case STRIPE_SIG_IN_FUTURE: return "in_future";
	case STRIPE_SIG_NO_SECRET: return "no_secret";
	}
	return "unknown";
}

const char *
stripe_sig_result_message(enum stripe_sig_result r)
{
	switch (r) {
	case STRIPE_SIG_OK: return "signature verified";
	case STRIPE_SIG_MISSING: return "no Stripe-Signature header";
	case STRIPE_SIG_MALFORMED:
		return "the Stripe-Signature header could not be read (timestamp missing or invalid, "
		       "or too long)";
	case STRIPE_SIG_NO_V1: return "the Stripe-Signature header has no v1 signature";
	case STRIPE_SIG_BAD_SIGNATURE:
		return "no v1 signature matches: check that the webhook signing secret matches the "
		       "one Stripe shows for this endpoint";
	case STRIPE_SIG_TOO_OLD:
		return "the signature is valid but older than the tolerance (a replay, or a clock "
		       "out of step)";
	case STRIPE_SIG_IN_FUTURE:
		return "the signature is valid but its timestamp lies in the future (a clock out of "
		       "step)";
	case STRIPE_SIG_NO_SECRET: return "no webhook signing secret is configured";
	}
	return "unknown verdict";
}
