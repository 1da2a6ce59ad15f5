/*
 * test_stripe_sig.c — unit tests for src/core/stripe_sig.c: a known answer
 * made by the official stripe npm package, several v1 (any may match), v0
 * ignored, whitespace and unknown keys, every malformed shape, the age
 * window both ways, bounds on header size and signature count, and a body
 * holding NUL bytes (raw bytes with their length).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/stripe_sig.h"

#define SECRET "whsec_abc"
#define NOW 1700000000
/* stripe.webhooks.generateTestHeaderString({payload: '{"a":1}',
 * secret: 'whsec_abc', timestamp: 1700000000}) from stripe 23.1.0. */
#define KNOWN_SIG "3b843bacfb18cc5554542fdcc84d815b399c52758e508a6fcecf0a2af4efea2b"
#define BODY "{\"a\":1}"
#define WRONG_SIG "0000000000000000000000000000000000000000000000000000000000000000"

static enum stripe_sig_result
verify_at(const char *header, const char *body, int64_t now)
{
	return stripe_sig_verify(header, header ? strlen(header) : 0, SECRET, body, strlen(body),
				 now, 300, NULL);
}

static enum stripe_sig_result
verify(const char *header)
{
	return verify_at(header, BODY, NOW);
}

static void
test_known_answer(void **state)
{
	char hex[STRIPE_SIG_HEX_SIZE];
	int64_t t = -1;

	(void)state;
	stripe_sig_sign(SECRET, NOW, BODY, strlen(BODY), hex);
	assert_string_equal(hex, KNOWN_SIG);
	assert_int_equal(stripe_sig_verify("t=1700000000,v1=" KNOWN_SIG,
					   strlen("t=1700000000,v1=" KNOWN_SIG), SECRET, BODY,
					   strlen(BODY), NOW, 300, &t),
			 STRIPE_SIG_OK);
	assert_int_equal(t, NOW);
	/* Upper-case hex is the same signature. */
	assert_int_equal(verify("t=1700000000,v1=3B843BACFB18CC5554542FDCC84D815B399C52758E508A6FCE"
				"CF0A2AF4EFEA2B"),
			 STRIPE_SIG_OK);
}

static void
test_several_v1_and_other_schemes(void **state)
{
	(void)state;
	assert_int_equal(verify("t=1700000000,v1=" WRONG_SIG ",v1=" KNOWN_SIG), STRIPE_SIG_OK);
	assert_int_equal(verify("t=1700000000,v1=" KNOWN_SIG ",v1=" WRONG_SIG), STRIPE_SIG_OK);
	assert_int_equal(verify("v0=" KNOWN_SIG ",t=1700000000,v1=" KNOWN_SIG), STRIPE_SIG_OK);
	/* The right signature under another scheme name does not count. */
	assert_int_equal(verify("t=1700000000,v0=" KNOWN_SIG), STRIPE_SIG_NO_V1);
	assert_int_equal(verify("t=1700000000,v2=" KNOWN_SIG ",v1=" WRONG_SIG),
			 STRIPE_SIG_BAD_SIGNATURE);
	assert_int_equal(verify("t=1700000000"), STRIPE_SIG_NO_V1);
	/* A v1 that is not 64 hex digits simply does not match. */
	assert_int_equal(verify("t=1700000000,v1=abc,v1=" KNOWN_SIG), STRIPE_SIG_OK);
	assert_int_equal(verify("t=1700000000,v1=" KNOWN_SIG "00"), STRIPE_SIG_BAD_SIGNATURE);
	assert_int_equal(
		verify("t=1700000000,v1=zz843bacfb18cc5554542fdcc84d815b399c52758e508a6fcecf0a2af4efea2b"),
		STRIPE_SIG_BAD_SIGNATURE);
	assert_int_equal(verify("t=1700000000,v1="), STRIPE_SIG_BAD_SIGNATURE);
}

static void
test_whitespace_and_unknown_keys(void **state)
{
	(void)state;
	assert_int_equal(verify("  t = 1700000000 ,\tv1=" KNOWN_SIG " , foo=bar,,x=1=2 "),
			 STRIPE_SIG_OK);
	assert_int_equal(verify("t=1700000000,v1=" KNOWN_SIG ","), STRIPE_SIG_OK);
}

static void
test_malformed(void **state)
{
	(void)state;
	assert_int_equal(verify(NULL), STRIPE_SIG_MISSING);
	assert_int_equal(verify(""), STRIPE_SIG_MISSING);
	assert_int_equal(verify("   "), STRIPE_SIG_MISSING);
	assert_int_equal(verify("v1=" KNOWN_SIG), STRIPE_SIG_MALFORMED); /* no t */
	assert_int_equal(verify("t=,v1=" KNOWN_SIG), STRIPE_SIG_MALFORMED);
	assert_int_equal(verify("t=17e8,v1=" KNOWN_SIG), STRIPE_SIG_MALFORMED);
	assert_int_equal(verify("t=-1700000000,v1=" KNOWN_SIG), STRIPE_SIG_MALFORMED);
	assert_int_equal(verify("t=1234567890123,v1=" KNOWN_SIG), STRIPE_SIG_MALFORMED);
	assert_int_equal(verify("t=1700000000,t=1700000000,v1=" KNOWN_SIG), STRIPE_SIG_MALFORMED);
	assert_int_equal(verify("t=1700000000,v1=" KNOWN_SIG ",garbage"), STRIPE_SIG_MALFORMED);
	assert_int_equal(verify("t=1700000000;v1=" KNOWN_SIG), STRIPE_SIG_MALFORMED);
	assert_int_equal(verify("T=1700000000,v1=" KNOWN_SIG), STRIPE_SIG_MALFORMED);
}

static void
test_bounds(void **state)
{
	char header[STRIPE_SIG_HEADER_MAX + 200];
	size_t n;
	int i;

	(void)state;
	/* STRIPE_SIG_V1_MAX signatures, the right one last: accepted. */
	n = (size_t)snprintf(header, sizeof(header), "t=1700000000");
	for (i = 0; i < STRIPE_SIG_V1_MAX - 1; i++)
		n += (size_t)snprintf(header + n, sizeof(header) - n, ",v1=" WRONG_SIG);
	n += (size_t)snprintf(header + n, sizeof(header) - n, ",v1=" KNOWN_SIG);
	assert_int_equal(verify(header), STRIPE_SIG_OK);
	/* One more: refused, even though one matches. */
	snprintf(header + n, sizeof(header) - n, ",v1=" KNOWN_SIG);
	assert_int_equal(verify(header), STRIPE_SIG_MALFORMED);
	/* A valid header padded past the size limit with an unknown key. */
	n = (size_t)snprintf(header, sizeof(header), "t=1700000000,v1=" KNOWN_SIG ",x=");
	memset(header + n, 'a', sizeof(header) - n - 1);
	header[sizeof(header) - 1] = '\0';
	assert_int_equal(verify(header), STRIPE_SIG_MALFORMED);
	header[STRIPE_SIG_HEADER_MAX] = '\0';
	assert_int_equal(verify(header), STRIPE_SIG_OK);
}

static void
test_age(void **state)
{
	(void)state;
	assert_int_equal(verify_at("t=1700000000,v1=" KNOWN_SIG, BODY, NOW + 300), STRIPE_SIG_OK);
	assert_int_equal(verify_at("t=1700000000,v1=" KNOWN_SIG, BODY, NOW + 301),
			 STRIPE_SIG_TOO_OLD);
	assert_int_equal(verify_at("t=1700000000,v1=" KNOWN_SIG, BODY, NOW - 300), STRIPE_SIG_OK);
	assert_int_equal(verify_at("t=1700000000,v1=" KNOWN_SIG, BODY, NOW - 301),
			 STRIPE_SIG_IN_FUTURE);
	/* A forged stale header is a bad signature, not "too old". */
	assert_int_equal(verify_at("t=1700000000,v1=" WRONG_SIG, BODY, NOW + 9999),
			 STRIPE_SIG_BAD_SIGNATURE);
	/* The tolerance is a parameter; <= 0 means the default 300 s. */
	assert_int_equal(stripe_sig_verify("t=1700000000,v1=" KNOWN_SIG,
					   strlen("t=1700000000,v1=" KNOWN_SIG), SECRET, BODY,
					   strlen(BODY), NOW + 61, 60, NULL),
			 STRIPE_SIG_TOO_OLD);
	assert_int_equal(stripe_sig_verify("t=1700000000,v1=" KNOWN_SIG,
					   strlen("t=1700000000,v1=" KNOWN_SIG), SECRET, BODY,
					   strlen(BODY), NOW + 299, 0, NULL),
			 STRIPE_SIG_OK);
}

static void
test_body_secret_and_raw_bytes(void **state)
{
	static const char raw[] = "{\"a\":\0\"b\"}";
	char hex[STRIPE_SIG_HEX_SIZE], header[128];

	(void)state;
	assert_int_equal(verify_at("t=1700000000,v1=" KNOWN_SIG, "{\"a\": 1}", NOW),
			 STRIPE_SIG_BAD_SIGNATURE);
	assert_int_equal(stripe_sig_verify("t=1700000000,v1=" KNOWN_SIG,
					   strlen("t=1700000000,v1=" KNOWN_SIG), "whsec_abd", BODY,
					   strlen(BODY), NOW, 300, NULL),
			 STRIPE_SIG_BAD_SIGNATURE);
	assert_int_equal(stripe_sig_verify("t=1700000000,v1=" KNOWN_SIG,
					   strlen("t=1700000000,v1=" KNOWN_SIG), "", BODY,
					   strlen(BODY), NOW, 300, NULL),
			 STRIPE_SIG_NO_SECRET);
	assert_int_equal(stripe_sig_verify("t=1", 3, NULL, BODY, strlen(BODY), NOW, 300, NULL),
			 STRIPE_SIG_NO_SECRET);
	/* The body is bytes with a length: a NUL inside is signed too. */
	stripe_sig_sign(SECRET, NOW, raw, sizeof(raw) - 1, hex);
	snprintf(header, sizeof(header), "t=%d,v1=%s", NOW, hex);
	assert_int_equal(stripe_sig_verify(header, strlen(header), SECRET, raw, sizeof(raw) - 1,
					   NOW, 300, NULL),
			 STRIPE_SIG_OK);
	assert_int_equal(stripe_sig_verify(header, strlen(header), SECRET, raw, 5, NOW, 300, NULL),
			 STRIPE_SIG_BAD_SIGNATURE);
	/* An empty body is fine (NULL with length 0). */
	stripe_sig_sign(SECRET, NOW, NULL, 0, hex);
	snprintf(header, sizeof(header), "t=%d,v1=%s", NOW, hex);
	assert_int_equal(stripe_sig_verify(header, strlen(header), SECRET, NULL, 0, NOW, 300, NULL),
			 STRIPE_SIG_OK);
	/* The header's length is honoured: the bytes after it are not read. */
	assert_int_equal(stripe_sig_verify("t=1700000000,v1=" KNOWN_SIG "ff", 16 + 64, SECRET, BODY,
					   strlen(BODY), NOW, 300, NULL),
			 STRIPE_SIG_OK);
}

static void
test_names(void **state)
{
	int r;

	(void)state;
	for (r = STRIPE_SIG_OK; r <= STRIPE_SIG_NO_SECRET; r++) {
		assert_string_not_equal(stripe_sig_result_name((enum stripe_sig_result)r),
					"unknown");
		assert_non_null(stripe_sig_result_message((enum stripe_sig_result)r));
	}
	assert_string_equal(stripe_sig_result_name(STRIPE_SIG_BAD_SIGNATURE), "bad_signature");
	assert_string_equal(stripe_sig_result_name(STRIPE_SIG_TOO_OLD), "too_old");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_several_v1_and_other_schemes),
		cmocka_unit_test(test_whitespace_and_unknown_keys),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_body_secret_and_raw_bytes),
		cmocka_unit_test(test_names),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
