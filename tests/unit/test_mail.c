/*
 * test_mail.c — unit tests for src/core/mail.c: the exact bytes of a
 * message, encoded words for non-ASCII names and subjects (never split
 * inside a character), CRLF normalisation, and every refusal: header
 * injection through name, subject or addresses, long lines, lone CR.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/mail.h"

static struct wl_mail
good(void)
{
	struct wl_mail m = {
		.from_name = "Acme \"Calls\" Agency",
		.from_addr = "noreply@acme.test",
		.to_addr = "client+1@example.test",
		.subject = "Confirm your address",
		.body = "Hello,\n\nopen https://acme.portal.test/verify?t=abc\n.dot line\n",
	};
	return m;
}

static void
test_exact_message(void **state)
{
	struct wl_mail m = good();
	struct wl_buf b;
	struct wl_error err;

	(void)state;
	wl_buf_init(&b, WL_MAIL_MESSAGE_MAX);
	assert_int_equal(wl_mail_build(&m, 1700000000, "0a1b2c", &b, &err), WL_OK);
	assert_string_equal(
		wl_buf_cstr(&b),
		"Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
		"From: \"Acme \\\"Calls\\\" Agency\" <noreply@acme.test>\r\n"
		"To: <client+1@example.test>\r\n"
		"Subject: Confirm your address\r\n"
		"Message-ID: <0a1b2c@acme.test>\r\n"
		"MIME-Version: 1.0\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"Content-Transfer-Encoding: 8bit\r\n"
		"\r\n"
		"Hello,\r\n\r\nopen https://acme.portal.test/verify?t=abc\r\n.dot line\r\n");
	/* CRLF input stays CRLF; a last line without newline gets one; no name. */
	m.body = "a\r\nb";
	m.from_name = NULL;
	assert_int_equal(wl_mail_build(&m, 1700000000, "x", &b, &err), WL_OK);
	assert_non_null(strstr(wl_buf_cstr(&b), "\r\nFrom: <noreply@acme.test>\r\n"));
	assert_non_null(strstr(wl_buf_cstr(&b), "\r\n\r\na\r\nb\r\n"));
	assert_int_equal(strstr(wl_buf_cstr(&b), "b\r\n") - wl_buf_cstr(&b) + 3, (long)b.len);
	wl_buf_free(&b);
}

static void
test_encoded_words(void **state)
{
	struct wl_mail m = good();
	struct wl_buf b;
	struct wl_error err;
	const char *s;

	(void)state;
	wl_buf_init(&b, WL_MAIL_MESSAGE_MAX);
	m.from_name = "Zoë's Agentur";
	/* 30 × "é" = 60 bytes: two words, split between characters. */
	m.subject = "éééééééééééééééééééééééééééééé";
	assert_int_equal(wl_mail_build(&m, 1700000000, "u", &b, &err), WL_OK);
	s = wl_buf_cstr(&b);
	assert_non_null(strstr(
		s, "\r\nFrom: =?UTF-8?B?Wm/DqydzIEFnZW50dXI=?=\r\n <noreply@acme.test>\r\n"));
	/* 21 characters (42 bytes) in the first word, 9 in the second. */
	assert_non_null(strstr(
		s,
		"\r\nSubject: =?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOp?="
		"\r\n =?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOp?=\r\nMessage-ID"));
	wl_buf_free(&b);
}

static void
expect_refused(struct wl_mail m, const char *needle)
{
	struct wl_buf b;
	struct wl_error err;

	wl_buf_init(&b, WL_MAIL_MESSAGE_MAX);
	wl_error_clear(&err);
	assert_int_equal(wl_mail_build(&m, 1700000000, "u", &b, &err), WL_EINVALID);
	assert_int_equal(b.len, 0);
	if (strstr(err.message, needle) == NULL)
		fail_msg("'%s' does not mention '%s'", err.message, needle);
	wl_buf_free(&b);
}

static void
test_refusals(void **state)
{
	struct wl_mail m;
	char line[WL_MAIL_LINE_MAX + 2];

	(void)state;
	m = good();
	m.subject = "Hi\r\nBcc: victim@example.test";
	expect_refused(m, "subject");
	m = good();
	m.subject = "Hi\nBcc: x@y.test";
	expect_refused(m, "subject");
	m = good();
	m.subject = "";
	expect_refused(m, "subject");
	m = good();
	m.subject = NULL;
	expect_refused(m, "subject");
	m = good();
	m.subject = "tab\there";
	expect_refused(m, "subject");
	m = good();
	m.subject = "bad \xff utf8";
	expect_refused(m, "subject");
	m = good();
	m.from_name = "Acme\r\nBcc: x@y.test";
	expect_refused(m, "sender name");
	m = good();
	m.from_name = "Acme\n";
	expect_refused(m, "sender name");
	m = good();
	m.to_addr = "a@b.test\r\nBcc: x@y.test";
	expect_refused(m, "recipient");
	m = good();
	m.to_addr = "a@b.test, c@d.test";
	expect_refused(m, "recipient");
	m = good();
	m.to_addr = "<a@b.test>";
	expect_refused(m, "recipient");
	m = good();
	m.from_addr = "noreply@acme.test\n";
	expect_refused(m, "sender address");
	m = good();
	m.body = "one\rtwo";
	expect_refused(m, "lone CR");
	m = good();
	m.body = "bad \xc3";
	expect_refused(m, "UTF-8");
	m = good();
	m.body = NULL;
	expect_refused(m, "body");
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	m = good();
	m.body = line;
	expect_refused(m, "longer than 998");
	line[WL_MAIL_LINE_MAX] = '\0';
	m = good();
	m.body = line;
	{
		struct wl_buf b;
		struct wl_error err;

		wl_buf_init(&b, WL_MAIL_MESSAGE_MAX);
		assert_int_equal(wl_mail_build(&m, 1700000000, "u", &b, &err), WL_OK);
		assert_int_equal(wl_mail_build(&m, 1700000000, "u@x", &b, &err), WL_EINVALID);
		assert_int_equal(wl_mail_build(&m, 1700000000, "", &b, &err), WL_EINVALID);
		wl_buf_free(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_message),
		cmocka_unit_test(test_encoded_words),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
