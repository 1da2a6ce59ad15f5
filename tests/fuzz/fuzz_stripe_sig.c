/*
 * fuzz_stripe_sig.c — the Stripe-Signature header and the webhook body come
 * straight from the network. The input is split at its first NUL into a
 * header and a body; the verifier must return a known verdict without
 * reading past either, accept only when a v1 really matches, and a header
 * it accepts must stay accepted when the same signature is re-made by
 * stripe_sig_sign.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/stripe_sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECRET "whsec_fuzz"
#define NOW 1700000000

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t hlen = nul ? (size_t)(nul - data) : size;
	const uint8_t *body = nul ? nul + 1 : data + size;
	size_t blen = nul ? size - hlen - 1 : 0;
	char *header = malloc(hlen + 1), hex[STRIPE_SIG_HEX_SIZE], good[160];
	enum stripe_sig_result r;
	int64_t t;

	if (header == NULL)
		return 0;
	/* An exact-size copy, so ASan sees any read past the header. */
	memcpy(header, data, hlen);
	r = stripe_sig_verify(header, hlen, SECRET, body, blen, NOW, 300, &t);
	assert(r >= STRIPE_SIG_OK && r <= STRIPE_SIG_NO_SECRET);
	assert(strcmp(stripe_sig_result_name(r), "unknown") != 0);
	if (r == STRIPE_SIG_OK) {
		assert(t >= NOW - 300 && t <= NOW + 300);
		stripe_sig_sign(SECRET, t, body, blen, hex);
		snprintf(good, sizeof(good), "t=%lld,v1=%s", (long long)t, hex);
		assert(stripe_sig_verify(good, strlen(good), SECRET, body, blen, NOW, 300, NULL) ==
		       STRIPE_SIG_OK);
	}
	free(header);
	return 0;
}
