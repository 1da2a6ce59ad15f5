/*
 * stripecall.c — test driver for src/services/stripe_client.c, used by
 * tests/integration/stripe_client.test.mjs against the fake Stripe: makes
 * one call and prints one line on stdout. The secret key comes from the
 * environment (STRIPE_SECRET_KEY), never the command line. Not installed.
 *
 * Usage:
 *   stripecall price   BASE PRICE_ID [TIMEOUT_MS]
 *   stripecall check   BASE PRICE_ID PRODUCT AMOUNT CURRENCY
 *   stripecall session BASE IDEMPOTENCY_KEY PRICE_ID SUCCESS_URL CANCEL_URL ORG USER EMAIL
 *                      [TIMEOUT_MS]
 * Prints "ok …", "match", "mismatch FIELD: MESSAGE" or
 * "error CODE http=N type=T code=C param=P | MESSAGE".
 * Exit: 0 line printed, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "services/stripe_client.h"

static void
print_error(const struct wl_error *err, const struct stripe_api_error *d)
{
	printf("error %s http=%ld type=%s code=%s param=%s | %s\n", wl_error_code_name(err->code),
	       d->http_status, d->type, d->code, d->param, err->message);
}

static int
do_price(const struct stripe_api *api, const char *key, char **argv, int check)
{
	struct stripe_price p;
	struct stripe_api_error d;
	struct wl_error err;

	wl_error_clear(&err);
	if (stripe_price_fetch(api, key, argv[3], &p, &d, &err) != WL_OK) {
		print_error(&err, &d);
		return 0;
	}
	if (!check) {
		char amount[24] = "none";

		if (p.has_unit_amount)
			snprintf(amount, sizeof(amount), "%lld", (long long)p.unit_amount);
		printf("ok id=%s active=%s type=%s product=%s unit_amount=%s currency=%s\n", p.id,
		       p.active ? "true" : "false", p.type, p.product, amount, p.currency);
		return 0;
	}
	if (stripe_price_check(&p, argv[3], argv[4], strtoll(argv[5], NULL, 10), argv[6], &err) ==
	    WL_OK)
		printf("match\n");
	else
		printf("mismatch %s: %s\n", err.fields[0].name, err.fields[0].message);
	return 0;
}

static int
do_session(const struct stripe_api *api, const char *key, char **argv)
{
	struct stripe_checkout req = {
		.price_id = argv[4],
		.success_url = argv[5],
		.cancel_url = argv[6],
		.client_reference_id = argv[7],
		.org_id = argv[7],
		.user_id = argv[8],
		.customer_email = argv[9],
	};
	struct stripe_session s;
	struct stripe_api_error d;
	struct wl_error err;

	wl_error_clear(&err);
	if (stripe_session_create(api, key, &req, argv[3], &s, &d, &err) != WL_OK)
		print_error(&err, &d);
	else
		printf("ok %s %s\n", s.id, s.url);
	return 0;
}

int
main(int argc, char **argv)
{
	struct stripe_api api = { .connect_timeout_ms = 2000, .timeout_ms = 0 };
	const char *key = getenv("STRIPE_SECRET_KEY");
	int rc = 2;

	if (argc < 4 || sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "usage: see tests/stripecall.c\n");
		return 2;
	}
	api.base = argv[2];
	if (strcmp(argv[1], "price") == 0 && (argc == 4 || argc == 5)) {
		api.timeout_ms = argc == 5 ? atol(argv[4]) : 0;
		rc = do_price(&api, key, argv, 0);
	} else if (strcmp(argv[1], "check") == 0 && argc == 7) {
		rc = do_price(&api, key, argv, 1);
	} else if (strcmp(argv[1], "session") == 0 && (argc == 10 || argc == 11)) {
		api.timeout_ms = argc == 11 ? atol(argv[10]) : 0;
		rc = do_session(&api, key, argv);
	} else {
		fprintf(stderr, "usage: see tests/stripecall.c\n");
	}
	curl_global_cleanup();
	return rc;
}
