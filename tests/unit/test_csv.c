/*
 * test_csv.c — unit tests for src/core/csv.c: RFC 4180 quoting (comma,
 * quote, CR, LF), doubled quotes, empty and NULL fields, records ended by
 * CRLF, and the formula guard of free text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/csv.h"

static const char *
field(struct wl_buf *b, const char *s, bool text)
{
	wl_buf_reset(b);
	if (text)
		wl_csv_text(b, s);
	else
		wl_csv_field(b, s);
	return wl_buf_cstr(b);
}

static void
quoting(void **state)
{
	struct wl_buf b;

	(void)state;
	wl_buf_init(&b, 4096);
	assert_string_equal(field(&b, "plain", false), "plain");
	assert_string_equal(field(&b, "", false), "");
	assert_string_equal(field(&b, NULL, false), "");
	assert_string_equal(field(&b, "a,b", false), "\"a,b\"");
	assert_string_equal(field(&b, "say \"hi\"", false), "\"say \"\"hi\"\"\"");
	assert_string_equal(field(&b, "\"", false), "\"\"\"\"");
	assert_string_equal(field(&b, "two\nlines", false), "\"two\nlines\"");
	assert_string_equal(field(&b, "cr\rhere", false), "\"cr\rhere\"");
	assert_string_equal(field(&b, "semi;colon tab\there", false), "semi;colon tab\there");
	assert_string_equal(field(&b, "Ünïcode, ok", false), "\"Ünïcode, ok\"");
	assert_true(wl_csv_needs_quotes("x\ny"));
	assert_false(wl_csv_needs_quotes("x y"));
	assert_false(wl_csv_needs_quotes(NULL));
	wl_buf_free(&b);
}

static void
formula_guard(void **state)
{
	struct wl_buf b;

	(void)state;
	wl_buf_init(&b, 4096);
	assert_string_equal(field(&b, "=SUM(A1)", true), "'=SUM(A1)");
	assert_string_equal(field(&b, "+1", true), "'+1");
	assert_string_equal(field(&b, "-1", true), "'-1");
	assert_string_equal(field(&b, "@cmd", true), "'@cmd");
	assert_string_equal(field(&b, "=A1,\"x\"", true), "\"'=A1,\"\"x\"\"\"");
	assert_string_equal(field(&b, "Acme, \"Ltd\"", true), "\"Acme, \"\"Ltd\"\"\"");
	assert_string_equal(field(&b, "a=b", true), "a=b");
	assert_string_equal(field(&b, "", true), "");
	/* plain fields are never changed */
	assert_string_equal(field(&b, "-1", false), "-1");
	wl_buf_free(&b);
}

static void
records(void **state)
{
	struct wl_buf b;

	(void)state;
	wl_buf_init(&b, 4096);
	wl_csv_field(&b, "a");
	wl_csv_sep(&b);
	wl_csv_field(&b, NULL);
	wl_csv_sep(&b);
	wl_csv_field(&b, "c,d");
	wl_csv_end(&b);
	wl_csv_field(&b, "e");
	wl_csv_end(&b);
	assert_string_equal(wl_buf_cstr(&b), "a,,\"c,d\"\r\ne\r\n");
	wl_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quoting),
		cmocka_unit_test(formula_guard),
		cmocka_unit_test(records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
