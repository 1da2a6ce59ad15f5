/*
 * test_json_alloc.c — jansson's blocks are wiped before they go back to
 * malloc. The allocator file is included with `free` renamed so the test
 * sees every block as it is released.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static size_t released, released_dirty;

static void
checking_free(void *p)
{
	const unsigned char *b = p;
	size_t n = *(const size_t *)p, i;

	released++;
	for (i = 0; i < n; i++)
		if (b[sizeof(max_align_t) + i] != 0) {
			released_dirty++;
			break;
		}
	free(p);
}

#define free checking_free
#include "../../src/services/json_alloc.c"
#undef free

static void
test_parsed_secret_is_wiped(void **state)
{
	const char *body = "{\"secret_key\":\"sk_test_wipe_me_0123456789\",\"n\":[1,2,3]}";
	json_error_t jerr;
	json_t *root;

	(void)state;
	json_alloc_install_wiping();
	released = released_dirty = 0;
	root = json_loads(body, 0, &jerr);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "secret_key")),
			    "sk_test_wipe_me_0123456789");
	json_decref(root);
	assert_true(released > 0);
	assert_int_equal(released_dirty, 0);
}

static void
test_alignment_and_size(void **state)
{
	void *p;

	(void)state;
	p = wiping_malloc(1);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
	wiping_free(p);
	assert_null(wiping_malloc(SIZE_MAX));
	wiping_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parsed_secret_is_wiped),
		cmocka_unit_test(test_alignment_and_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
