/*
 * test_log.c — unit tests for src/log.c: control characters and
 * backslashes escaped so request-derived text can never forge or split a
 * log line, output bounded by its buffer, and wl_log writing one line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_unchanged),
		cmocka_unit_test(test_controls_escaped),
		cmocka_unit_test(test_nul_escaped),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
