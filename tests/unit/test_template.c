/*
 * test_template.c — unit tests for src/web/template.c: escaping, sections
 * over lists and booleans, inverted sections, lookup in enclosing contexts,
 * partials, comments, and the syntax errors reported at compile time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "web/template.h"

static struct tpl_set *
set_with(const char *name, const char *text)
{
	struct tpl_set *s = tpl_set_new();
	struct wl_error err;

	wl_error_clear(&err);
	assert_non_null(s);
	assert_int_equal(tpl_set_add(s, name, text, strlen(text), &err), WL_OK);
	return s;
}

/* Renders name from s with d into a fresh string (caller frees). */
static char *
render(const struct tpl_set *s, const char *name, const struct tpl_data *d)
{
	struct wl_buf b;
	struct wl_error err;
	size_t n;
	char *out;

	wl_error_clear(&err);
	wl_buf_init(&b, 1 << 16);
	assert_int_equal(tpl_render(s, name, d, &b, &err), WL_OK);
	wl_buf_cstr(&b);
	out = wl_buf_steal(&b, &n);
	wl_buf_free(&b);
	return out != NULL ? out : strdup("");
}

static void
test_variables_are_escaped(void **state)
{
	struct tpl_set *s = set_with("p", "<p title=\"{{t}}\">{{ name }}</p>{{missing}}!");
	struct tpl_data *d = tpl_data_new();
	char *out;

	(void)state;
	tpl_put(d, "name", "<script>alert('x') & \"y\"</script>");
	tpl_put(d, "t", "a\"b");
	out = render(s, "p", d);
	assert_string_equal(out, "<p title=\"a&quot;b\">&lt;script&gt;alert(&#39;x&#39;) &amp; "
				 "&quot;y&quot;&lt;/script&gt;</p>!");
	free(out);
	tpl_data_free(d);
	tpl_set_free(s);
}

static void
test_later_value_hides_earlier(void **state)
{
	struct tpl_set *s = set_with("p", "{{a}}");
	struct tpl_data *d = tpl_data_new();
	char *out;

	(void)state;
	tpl_put(d, "a", "one");
	tpl_putf(d, "a", "%d-%s", 2, "two");
	out = render(s, "p", d);
	assert_string_equal(out, "2-two");
	free(out);
	tpl_data_free(d);
	tpl_set_free(s);
}

static void
test_list_sections(void **state)
{
	struct tpl_set *s = set_with("p", "<ul>{{#rows}}<li>{{email}} of {{org}}</li>{{/rows}}</ul>"
					  "{{^rows}}none{{/rows}}");
	struct tpl_data *d = tpl_data_new(), *item;
	char *out;

	(void)state;
	tpl_put(d, "org", "Acme");
	item = tpl_push(d, "rows");
	tpl_put(item, "email", "a@x.test");
	item = tpl_push(d, "rows");
	tpl_put(item, "email", "b@x.test");
	tpl_put(item, "org", "Beta"); /* an item's own value wins */
	out = render(s, "p", d);
	assert_string_equal(out, "<ul><li>a@x.test of Acme</li><li>b@x.test of Beta</li></ul>");
	free(out);
	tpl_data_free(d);

	d = tpl_data_new();
	tpl_put_list(d, "rows");
	out = render(s, "p", d);
	assert_string_equal(out, "<ul></ul>none");
	free(out);
	tpl_data_free(d);
	tpl_set_free(s);
}

static void
test_booleans_and_strings_as_sections(void **state)
{
	struct tpl_set *s =
		set_with("p", "{{#on}}ON{{/on}}{{^on}}off{{/on}}|"
			      "{{#s}}[{{s}}]{{/s}}{{^s}}empty{{/s}}|{{#nope}}x{{/nope}}");
	struct tpl_data *d = tpl_data_new();
	char *out;

	(void)state;
	tpl_put_bool(d, "on", true);
	tpl_put(d, "s", "v");
	out = render(s, "p", d);
	assert_string_equal(out, "ON|[v]|");
	free(out);
	tpl_data_free(d);

	d = tpl_data_new();
	tpl_put_bool(d, "on", false);
	tpl_put(d, "s", "");
	out = render(s, "p", d);
	assert_string_equal(out, "off|empty|");
	free(out);
	tpl_data_free(d);
	tpl_set_free(s);
}

static void
test_nested_lists(void **state)
{
	struct tpl_set *s = set_with("p", "{{#a}}({{n}}:{{#b}}{{m}}{{n}};{{/b}}){{/a}}");
	struct tpl_data *d = tpl_data_new(), *a, *b;
	char *out;

	(void)state;
	a = tpl_push(d, "a");
	tpl_put(a, "n", "1");
	b = tpl_push(a, "b");
	tpl_put(b, "m", "x");
	b = tpl_push(a, "b");
	tpl_put(b, "m", "y");
	a = tpl_push(d, "a");
	tpl_put(a, "n", "2");
	out = render(s, "p", d);
	assert_string_equal(out, "(1:x1;y1;)(2:)");
	free(out);
	tpl_data_free(d);
	tpl_set_free(s);
}

static void
test_partials_and_comments(void **state)
{
	struct tpl_set *s = set_with("page", "{{>head}}body{{! not shown }}{{>foot}}");
	struct wl_error err;
	struct tpl_data *d = tpl_data_new();
	char *out;

	(void)state;
	wl_error_clear(&err);
	assert_int_equal(tpl_set_check(s, &err), WL_EINVALID);
	assert_non_null(strstr(err.message, "head"));
	assert_int_equal(tpl_set_add(s, "head", "<h1>{{title}}</h1>", 18, &err), WL_OK);
	assert_int_equal(tpl_set_add(s, "foot", "<footer/>", 9, &err), WL_OK);
	wl_error_clear(&err);
	assert_int_equal(tpl_set_check(s, &err), WL_OK);
	assert_true(tpl_set_has(s, "foot"));
	assert_false(tpl_set_has(s, "nothing"));
	tpl_put(d, "title", "T&C");
	out = render(s, "page", d);
	assert_string_equal(out, "<h1>T&amp;C</h1>body<footer/>");
	free(out);
	/* replacing a template by name */
	assert_int_equal(tpl_set_add(s, "foot", "end", 3, &err), WL_OK);
	out = render(s, "page", d);
	assert_string_equal(out, "<h1>T&amp;C</h1>bodyend");
	free(out);
	tpl_data_free(d);
	tpl_set_free(s);
}

static void
test_partial_recursion_is_bounded(void **state)
{
	struct tpl_set *s = set_with("loop", "x{{>loop}}");
	struct wl_buf b;
	struct wl_error err;

	(void)state;
	wl_error_clear(&err);
	wl_buf_init(&b, 1 << 16);
	assert_int_not_equal(tpl_render(s, "loop", NULL, &b, &err), WL_OK);
	assert_non_null(strstr(err.message, "too deep"));
	wl_buf_free(&b);
	wl_error_clear(&err);
	wl_buf_init(&b, 1 << 16);
	assert_int_not_equal(tpl_render(s, "absent", NULL, &b, &err), WL_OK);
	wl_buf_free(&b);
	tpl_set_free(s);
}

static void
test_syntax_errors(void **state)
{
	static const char *const bad[] = {
		"{{#a}}never closed",
		"{{/a}}",
		"{{#a}}{{/b}}",
		"{{unclosed",
		"{{}}",
		"{{bad name}}",
		"{{a<b}}",
		"{{#a}}{{#b}}{{/a}}{{/b}}",
	};
	struct tpl_set *s = tpl_set_new();
	struct wl_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		wl_error_clear(&err);
		assert_int_equal(tpl_set_add(s, "bad", bad[i], strlen(bad[i]), &err), WL_EINVALID);
		assert_non_null(strstr(err.message, "bad"));
	}
	wl_error_clear(&err);
	assert_int_equal(tpl_set_add(s, "x", "line1\nline2 {{#a}}", 18, &err), WL_EINVALID);
	assert_non_null(strstr(err.message, "never closed"));
	wl_error_clear(&err);
	assert_int_equal(tpl_set_add(s, "y", "1\n2\n{{/z}}", 10, &err), WL_EINVALID);
	assert_non_null(strstr(err.message, "line 3"));
	wl_error_clear(&err);
	assert_int_equal(tpl_set_add(s, "bad/name", "x", 1, &err), WL_EINVALID);
	assert_int_equal(tpl_set_add(s, "nul", "a\0b", 3, &err), WL_EINVALID);
	assert_false(tpl_set_has(s, "bad"));
	tpl_set_free(s);
}

static void
test_plain_text_and_braces(void **state)
{
	struct tpl_set *s = set_with("p", "no tags { } here }}");
	char *out;

	(void)state;
	out = render(s, "p", NULL);
	assert_string_equal(out, "no tags { } here }}");
	free(out);
	tpl_set_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variables_are_escaped),
		cmocka_unit_test(test_later_value_hides_earlier),
		cmocka_unit_test(test_list_sections),
		cmocka_unit_test(test_booleans_and_strings_as_sections),
		cmocka_unit_test(test_nested_lists),
		cmocka_unit_test(test_partials_and_comments),
		cmocka_unit_test(test_partial_recursion_is_bounded),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_plain_text_and_braces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
