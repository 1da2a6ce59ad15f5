/*
 * test_error.c — unit tests for src/core/error.c: wl_fail's return value
 * and message formatting (including truncation), field complaints and
 * their cap, and the HTTP status and code name of every code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
test_clear(void **state)
{
	struct wl_error err;

	(void)state;
	memset(&err, 0x5a, sizeof(err));
	wl_error_clear(&err);
	assert_int_equal(err.code, WL_OK);
	assert_string_equal(err.message, "");
	assert_int_equal(err.nfields, 0);
}

static void
test_fail(void **state)
{
	struct wl_error err;
	char longmsg[400];

	(void)state;
	wl_error_clear(&err);
	assert_int_equal(wl_fail(&err, WL_ENOTFOUND, "call %s not found (%d)", "abc", 7),
			 WL_ENOTFOUND);
	assert_int_equal(err.code, WL_ENOTFOUND);
	assert_string_equal(err.message, "call abc not found (7)");

	/* A later failure replaces the earlier one. */
	assert_int_equal(wl_fail(&err, WL_ECONFLICT, "%s", "busy"), WL_ECONFLICT);
	assert_int_equal(err.code, WL_ECONFLICT);
	assert_string_equal(err.message, "busy");

	/* No error struct: the code still comes back. */
	assert_int_equal(wl_fail(NULL, WL_EINTERNAL, "%s", "ignored"), WL_EINTERNAL);

	/* Messages longer than the buffer are cut, not overrun. */
	memset(longmsg, 'm', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	wl_fail(&err, WL_EINVALID, "%s", longmsg);
	assert_int_equal(strlen(err.message), WL_ERROR_MESSAGE_MAX - 1);
	assert_int_equal(err.code, WL_EINVALID);
}

static void
test_fields(void **state)
{
	struct wl_error err;
	char longname[100];
	int i;

	(void)state;
	wl_error_clear(&err);
	wl_error_field(&err, "email", "%s", "is not an e-mail address");
	assert_int_equal(err.code, WL_EVALIDATION);
	assert_string_equal(err.message, "Some fields are not valid");
	assert_int_equal(err.nfields, 1);
	assert_string_equal(err.fields[0].name, "email");
	assert_string_equal(err.fields[0].message, "is not an e-mail address");

	wl_error_field(&err, "minutes", "must be at most %d", 1000);
	assert_int_equal(err.nfields, 2);
	assert_string_equal(err.fields[1].name, "minutes");
	assert_string_equal(err.fields[1].message, "must be at most 1000");
	assert_string_equal(err.message, "Some fields are not valid");

	/* An error that is already set keeps its code and message. */
	wl_error_clear(&err);
	wl_fail(&err, WL_EINVALID, "%s", "bad body");
	wl_error_field(&err, "body", "%s", "not JSON");
	assert_int_equal(err.code, WL_EINVALID);
	assert_string_equal(err.message, "bad body");
	assert_int_equal(err.nfields, 1);

	/* At most WL_ERROR_FIELDS_MAX fields; later ones are dropped. */
	wl_error_clear(&err);
	for (i = 0; i < WL_ERROR_FIELDS_MAX + 5; i++)
		wl_error_field(&err, "f", "complaint %d", i);
	assert_int_equal(err.nfields, WL_ERROR_FIELDS_MAX);
	assert_string_equal(err.fields[WL_ERROR_FIELDS_MAX - 1].message, "complaint 15");
	assert_int_equal(err.code, WL_EVALIDATION);

	/* Long names and messages are cut to their arrays. */
	wl_error_clear(&err);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	wl_error_field(&err, longname, "%s%s", longname, longname);
	assert_int_equal(strlen(err.fields[0].name), sizeof(err.fields[0].name) - 1);
	assert_int_equal(strlen(err.fields[0].message), sizeof(err.fields[0].message) - 1);

	/* NULL error: nothing happens. */
	wl_error_field(NULL, "x", "%s", "y");
}

static void
test_status_and_names(void **state)
{
	static const struct {
		int code;
		int status;
		const char *name;
	} cases[] = {
		{ WL_OK, 200, "ok" },
		{ WL_EINVALID, 400, "invalid_request" },
		{ WL_EUNAUTHORIZED, 401, "unauthorized" },
		{ WL_EFORBIDDEN, 403, "forbidden" },
		{ WL_ENOTFOUND, 404, "not_found" },
		{ WL_ECONFLICT, 409, "conflict" },
		{ WL_ETOOLARGE, 413, "too_large" },
		{ WL_EVALIDATION, 422, "validation_failed" },
		{ WL_EINSUFFICIENT, 402, "insufficient_credits" },
		{ WL_ERATELIMITED, 429, "rate_limited" },
		{ WL_EINTERNAL, 500, "internal_error" },
		{ WL_EUNAVAILABLE, 503, "unavailable" },
		{ WL_EMETHOD, 405, "method_not_allowed" },
		{ WL_ECONCURRENCY, 429, "concurrency_limit" },
		{ WL_EMONTHLY, 402, "monthly_limit_reached" },
		{ WL_EPRECONDITION, 412, "precondition_failed" },
		/* Unknown codes are internal errors. */
		{ -16, 500, "internal_error" },
		{ -999, 500, "internal_error" },
		{ 1, 500, "internal_error" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		assert_int_equal(wl_error_http_status(cases[i].code), cases[i].status);
		assert_string_equal(wl_error_code_name(cases[i].code), cases[i].name);
	}
	/* Every defined code (-15..0) is in the table above. */
	assert_int_equal(WL_EMONTHLY, -14);
	assert_int_equal(WL_EPRECONDITION, -15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_fail),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_status_and_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
