/*
 * test_call_owner.c — the process-wide memory of whose a call is
 * (services/call_owner.c): what was put is found, an unknown or malformed
 * id is not, a call that falls in a taken slot takes it (and the one before
 * is then read from the database again, never answered with another
 * call's owner).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "services/call_owner.h"

static void
test_found_and_not(void **state)
{
	char org[WL_ID_LEN], billed[WL_ID_LEN];

	(void)state;
	assert_false(call_owner_get("00000000-0000-4000-8000-000000000001", org, billed));
	call_owner_put("00000000-0000-4000-8000-000000000001", "org-a", "agency-a");
	assert_true(call_owner_get("00000000-0000-4000-8000-000000000001", org, billed));
	assert_string_equal(org, "org-a");
	assert_string_equal(billed, "agency-a");
	assert_false(call_owner_get("00000000-0000-4000-8000-000000000002", org, billed));
	assert_false(call_owner_get("", org, billed));
	/* an id longer than any id is never looked up nor kept */
	call_owner_put("00000000-0000-4000-8000-0000000000012345", "x", "y");
	assert_false(call_owner_get("00000000-0000-4000-8000-0000000000012345", org, billed));
}

/* Many calls through the fixed table: every answer is the call's own. */
static void
test_never_another_calls_owner(void **state)
{
	char id[WL_ID_LEN], org[WL_ID_LEN], billed[WL_ID_LEN], want[WL_ID_LEN];
	int i, found = 0;

	(void)state;
	for (i = 0; i < 50000; i++) {
		snprintf(id, sizeof(id), "10000000-0000-4000-8000-%012d", i);
		snprintf(org, sizeof(org), "org-%d", i);
		snprintf(billed, sizeof(billed), "agency-%d", i % 7);
		call_owner_put(id, org, billed);
	}
	for (i = 0; i < 50000; i++) {
		snprintf(id, sizeof(id), "10000000-0000-4000-8000-%012d", i);
		if (!call_owner_get(id, org, billed))
			continue;
		found++;
		snprintf(want, sizeof(want), "org-%d", i);
		assert_string_equal(org, want);
		snprintf(want, sizeof(want), "agency-%d", i % 7);
		assert_string_equal(billed, want);
	}
	/* the table holds fewer calls than were put, and keeps many */
	assert_true(found > 1000 && found < 50000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found_and_not),
		cmocka_unit_test(test_never_another_calls_owner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
