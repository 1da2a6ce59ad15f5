/*
 * stripe_sig.h — verification of Stripe's `Stripe-Signature` webhook header.
 *
 * Owns: parsing the header ("t=…,v1=…[,v1=…][,v0=…]", other keys and
 * whitespace tolerated), the HMAC-SHA256 over "{t}.{raw body}" keyed with
 * the whole `whsec_…` string, the constant-time comparison (any v1 may
 * match: Stripe signs with every active secret while one is rolled) and the
 * age window. It does not own where the secret comes from, the events log,
 * or what happens to the event.
 *
 * Pure: no I/O. The HMAC and the comparison come from libsodium
 * (crypto_auth_hmacsha256_*, sodium_memcmp), which is why core_lib links
 * libsodium; nothing here needs sodium_init() beyond what the process
 * already did. Thread-safe (no shared state).
 */
#ifndef WL_CORE_STRIPE_SIG_H
#define WL_CORE_STRIPE_SIG_H

#include <stddef.h>
#include <stdint.h>

/* Longest header accepted; Stripe's are ~150 bytes per signature. */
#define STRIPE_SIG_HEADER_MAX 4096
/* Most v1 signatures looked at in one header (two while a secret rolls). */
#define STRIPE_SIG_V1_MAX 8
/* Stripe's own default tolerance, in seconds. */
#define STRIPE_SIG_TOLERANCE_DEFAULT 300
/* Hex of one HMAC-SHA256, plus NUL. */
#define STRIPE_SIG_HEX_SIZE 65

enum stripe_sig_result {
	STRIPE_SIG_OK = 0,
	STRIPE_SIG_MISSING,       /* no header, or only whitespace */
	STRIPE_SIG_MALFORMED,     /* too long, no/duplicate/non-numeric t=, an item without '=',
				   * more than STRIPE_SIG_V1_MAX v1 */
	STRIPE_SIG_NO_V1,         /* well formed, but no v1 signature (e.g. v0 only) */
	STRIPE_SIG_BAD_SIGNATURE, /* no v1 matches this secret and body */
	STRIPE_SIG_TOO_OLD,       /* authentic, but now - t > tolerance */
	STRIPE_SIG_IN_FUTURE,     /* authentic, but t - now > tolerance */
	STRIPE_SIG_NO_SECRET,     /* the agency has no webhook secret configured */
};

/*
 * Verifies header (header_len bytes, not NUL-terminated; NULL = absent)
 * for body (the raw request body as received, body_len bytes, never a
 * re-serialisation) with secret (NUL-terminated `whsec_…`, used whole as
 * the HMAC key). now and tolerance_s are Unix seconds; tolerance_s <= 0
 * means STRIPE_SIG_TOLERANCE_DEFAULT. The signature is checked before the
 * age, so TOO_OLD/IN_FUTURE mean "signed by this secret, but stale".
 * *timestamp_out (may be NULL) receives t when it could be parsed, else 0.
 */
enum stripe_sig_result stripe_sig_verify(const char *header, size_t header_len, const char *secret,
					 const void *body, size_t body_len, int64_t now,
					 int64_t tolerance_s, int64_t *timestamp_out);

/* Short stable name for the events log: "ok", "missing_header",
 * "malformed_header", "no_v1_signature", "bad_signature", "too_old",
 * "in_future", "no_secret". */
const char *stripe_sig_result_name(enum stripe_sig_result r);

/* One sentence for a person reading the events log. */
const char *stripe_sig_result_message(enum stripe_sig_result r);

/* The v1 signature Stripe would send for (secret, t, body), as lowercase
 * hex in out. For tests and the fake Stripe; the verifier uses the same
 * computation. */
void stripe_sig_sign(const char *secret, int64_t t, const void *body, size_t body_len,
		     char out[STRIPE_SIG_HEX_SIZE]);

#endif
