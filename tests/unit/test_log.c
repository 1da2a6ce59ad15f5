/*
 * test_log.c — unit tests for src/log.c: control characters and
 * backslashes escaped so request-derived text can never forge or split a
 * log line, output bounded by its buffer, and wl_log writing one line;
 * src/access_log.c: each access line the same bytes as the JSON writer
 * makes of its fields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "log.h"

static void
test_plain_text_unchanged(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(wl_log_escape("/api/v1/calls?x=1", 17, out, sizeof(out)), 17);
	assert_string_equal(out, "/api/v1/calls?x=1");
}

static void
test_controls_escaped(void **state)
{
	const char in[] = "/x\r\nwlportal: forged\t\x1b[31m\x7f\\";
	char out[128];

	(void)state;
	wl_log_escape(in, sizeof(in) - 1, out, sizeof(out));
	assert_string_equal(out, "/x\\x0d\\x0awlportal: forged\\x09\\x1b[31m\\x7f\\\\");
	assert_null(strchr(out, '\n'));
	assert_null(strchr(out, '\r'));
}

static void
test_nul_escaped(void **state)
{
	const char in[] = { 'a', '\0', 'b' };
	char out[16];

	(void)state;
	assert_int_equal(wl_log_escape(in, 3, out, sizeof(out)), 6);
	assert_string_equal(out, "a\\x00b");
}

static void
test_bounded(void **state)
{
	char out[8];

	(void)state;
	/* Never a cut escape sequence, always terminated. */
	assert_int_equal(wl_log_escape("abcd\n\n", 6, out, sizeof(out)), 4);
	assert_string_equal(out, "abcd");
	assert_int_equal(wl_log_escape("abcdefghij", 10, out, sizeof(out)), 7);
	assert_string_equal(out, "abcdefg");
	assert_int_equal(wl_log_escape("x", 1, out, 0), 0);
}

static void
test_one_line(void **state)
{
	int fds[2], saved;
	char buf[256];
	ssize_t n;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	saved = dup(STDERR_FILENO);
	dup2(fds[1], STDERR_FILENO);
	wl_log("GET %s failed: %s", "/p/a\nwlportal: admin logged in", "no\r");
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf,
			    "wlportal: GET /p/a\\x0awlportal: admin logged in failed: no\\x0d\n");
}

/* The access line the JSON writer makes of a's fields, after "time". */
static void
expected_rest(const struct wl_access *a, const char *ms, struct wl_buf *b)
{
	wl_buf_init(b, WL_LOG_LINE_MAX);
	wl_json_obj_begin(b);
	wl_json_kv_str(b, "request_id", a->request_id);
	wl_json_kv_str(b, "method", a->method);
	wl_json_kv_str(b, "route", a->route);
	wl_json_kv_int(b, "status", a->status);
	wl_json_kv_raw(b, "duration_ms", ms);
	wl_json_kv_str(b, "org_id", a->org_id);
	wl_json_kv_int(b, "bytes", (int64_t)a->bytes);
	wl_json_obj_end(b);
	wl_buf_puts(b, "\n");
}

static void
test_access_lines(void **state)
{
	static char longid[WL_LOG_LINE_MAX];
	struct wl_access cases[] = {
		{ "0123456789abcdef0123456789abcdef", "GET", "/api/v1/account", 200, 1234,
		  "9b2f0c1e-3a4d-4e5f-8a6b-7c8d9e0f1a2b", 512 },
		{ "x", "POST", NULL, 404, 0, NULL, 0 },
		{ "a\"b\\c\n\x01\x7f", "DELETE", "</script>/x", -1, 999999999, "</",
		  18446744073709551615ULL },
		{ "x", "OTHER", "/p/:slug/ caf\xc3\xa9", 503, 1000, "o/r<g", 7 },
		{ "q\"q", "GET", "/r\\s", 200, 5, "b\\s", 1 },
		{ longid, "GET", "/", 200, 1, NULL, 1 }, /* too long: dropped */
	};
	const char *ms[] = { "1.234", "0.000", "999999.999", "1.000", "0.005", "0.001" };
	int fds[2], saved, n = (int)(sizeof(cases) / sizeof(cases[0]));
	char buf[16384], *line;
	size_t got = 0;
	ssize_t r;

	(void)state;
	memset(longid, 'i', sizeof(longid) - 1);
	assert_int_equal(pipe(fds), 0);
	saved = dup(STDERR_FILENO);
	dup2(fds[1], STDERR_FILENO);
	for (int i = 0; i < n; i++)
		wl_log_access(&cases[i]);
	wl_log_access_flush(2000);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fds[1]);
	while ((r = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)r;
	close(fds[0]);
	buf[got] = '\0';
	line = buf;
	for (int i = 0; i < n - 1; i++) {
		struct wl_buf want;
		char *end = strchr(line, '\n');

		assert_non_null(end);
		/* {"time":"2024-05-01T12:34:56.789Z", then the rest */
		assert_memory_equal(line, "{\"time\":\"", 9);
		assert_int_equal(line[9 + 24], '"');
		assert_int_equal(line[9 + 23], 'Z');
		expected_rest(&cases[i], ms[i], &want);
		assert_true(wl_buf_ok(&want));
		assert_int_equal(line[9 + 25], ',');
		assert_int_equal((size_t)(end + 1 - (line + 9 + 26)), want.len - 1);
		assert_memory_equal(line + 9 + 26, want.p + 1, want.len - 1);
		wl_buf_free(&want);
		line = end + 1;
	}
	assert_string_equal(line, ""); /* the long one was dropped */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_unchanged),
		cmocka_unit_test(test_controls_escaped),
		cmocka_unit_test(test_nul_escaped),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_one_line),
		cmocka_unit_test(test_access_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
