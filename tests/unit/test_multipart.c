/*
 * test_multipart.c — unit tests for src/core/multipart.c: the boundary of
 * a Content-Type, the file part of a body, document types and file names;
 * and src/core/jsonschema.c: which tool parameter schemas are well formed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/jsonschema.h"
#include "core/multipart.h"

static void
test_boundary(void **state)
{
	char b[WL_BOUNDARY_MAX + 1];

	(void)state;
	assert_true(wl_multipart_boundary("multipart/form-data; boundary=abc123", b));
	assert_string_equal(b, "abc123");
	assert_true(wl_multipart_boundary("multipart/form-data; charset=x; boundary=\"a b\"", b));
	assert_string_equal(b, "a b");
	assert_false(wl_multipart_boundary("multipart/form-data", b));
	assert_false(wl_multipart_boundary("multipart/form-data; boundary=", b));
	assert_false(wl_multipart_boundary("text/plain; boundary=x", b));
	assert_false(wl_multipart_boundary(NULL, b));
}

static void
test_file(void **state)
{
	const char body[] = "--XB\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n"
			    "--XB\r\nContent-Disposition: form-data; name=\"file\"; "
			    "filename=\"notes.md\"\r\nContent-Type: text/markdown\r\n\r\n"
			    "# Title\r\n--not the end\r\n--XB--\r\n";
	struct wl_upload_part p;
	const char *why = NULL;

	(void)state;
	assert_int_equal(wl_multipart_file(body, sizeof(body) - 1, "XB", &p, &why), 0);
	assert_string_equal(p.filename, "notes.md");
	assert_string_equal(p.content_type, "text/markdown");
	assert_int_equal(p.len, strlen("# Title\r\n--not the end"));
	assert_memory_equal(p.data, "# Title\r\n--not the end", p.len);
	/* no file part, no closing boundary, no boundary at all */
	assert_int_equal(wl_multipart_file(body, 60, "XB", &p, &why), -1);
	assert_int_equal(
		wl_multipart_file("--XB\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv"
				  "\r\n--XB--\r\n",
				  60, "XB", &p, &why),
		-1);
	assert_non_null(why);
	assert_int_equal(wl_multipart_file("hello", 5, "XB", &p, &why), -1);
}

static void
test_types(void **state)
{
	(void)state;
	assert_string_equal(wl_document_type("text/plain; charset=utf-8", NULL), "text/plain");
	assert_string_equal(wl_document_type("Application/PDF", "x"), "application/pdf");
	assert_string_equal(wl_document_type("application/octet-stream", "a.CSV"), "text/csv");
	assert_string_equal(wl_document_type("", "read.markdown"), "text/markdown");
	assert_null(wl_document_type("image/png", "a.pdf"));
	assert_null(wl_document_type("application/octet-stream", "a.exe"));
	assert_null(wl_document_type(NULL, NULL));
	assert_true(wl_valid_filename("Prijslijst 2024 – €.pdf"));
	assert_false(wl_valid_filename("a/b.txt"));
	assert_false(wl_valid_filename("a\\b.txt"));
	assert_false(wl_valid_filename("quote\".txt"));
	assert_false(wl_valid_filename("line\nbreak"));
	assert_false(wl_valid_filename(""));
}

static int
check(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);
	char why[200];
	int rc;

	assert_non_null(v);
	rc = wl_schema_check(v, why, sizeof(why));
	json_decref(v);
	return rc;
}

static void
test_schema(void **state)
{
	(void)state;
	assert_int_equal(check("{\"type\":\"object\",\"properties\":{}}"), 0);
	assert_int_equal(check("{\"type\":\"object\",\"properties\":{\"d\":{\"type\":[\"string\","
			       "\"null\"],\"format\":\"date\"},\"n\":{\"type\":\"array\",\"items\":"
			       "{\"type\":\"integer\",\"minimum\":1}}},\"required\":[\"d\"],"
			       "\"additionalProperties\":false}"),
			 0);
	assert_int_equal(check("{\"type\":\"array\"}"), -1);
	assert_int_equal(check("{\"properties\":{}}"), -1);
	assert_int_equal(check("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"text\"}}}"),
			 -1);
	assert_int_equal(check("{\"type\":\"object\",\"required\":[\"a\"]}"), -1);
	assert_int_equal(check("{\"type\":\"object\",\"properties\":{\"a\":{}},\"required\":[1]}"),
			 -1);
	assert_int_equal(check("{\"type\":\"object\",\"maxLength\":-2}"), -1);
	assert_int_equal(check("{\"type\":\"object\",\"anyOf\":[]}"), -1);
	assert_int_equal(check("{\"type\":\"object\",\"bogus\":1}"), -1);
	assert_int_equal(check("{\"type\":\"object\",\"properties\":{\"a\":{\"items\":{\"items\":"
			       "{\"items\":{\"items\":{\"items\":{\"items\":{\"items\":{\"items\":"
			       "{\"type\":\"string\"}}}}}}}}}}}"),
			 -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundary),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_schema),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
