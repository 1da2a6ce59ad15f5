/*
 * fuzz_mail.c — the display name (an agency's name), subject and recipient
 * of a mail come from people. The input is split at NULs into name,
 * subject, recipient and body. Whatever they hold, a message that is
 * built has exactly the eight headers wl_mail_build writes (no injected
 * header), only CRLF line ends, and no line over 998 bytes; also checks
 * that stripe_redact leaves no secret-looking token unmasked.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mail.h"
#include "core/stripe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_message(const char *s, size_t n)
{
	size_t i, line = 0, headers = 0;
	int in_head = 1;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			assert(i > 0 && s[i - 1] == '\r');
		if (s[i] == '\r') {
			assert(i + 1 < n && s[i + 1] == '\n');
			if (in_head && line == 0)
				in_head = 0;
			else if (in_head && s[i + 2] != ' ')
				headers++;
			line = 0;
			i++;
			continue;
		}
		if (in_head && line == 0 && s[i] != ' ')
			assert(memchr(s + i, ':', n - i) != NULL);
		line++;
		assert(line <= WL_MAIL_LINE_MAX);
	}
	assert(!in_head);
	assert(headers == 8);
}

static int
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* After redaction, whatever follows "whsec_" or "sk_[test_|live_]" at the
 * start of a word is only stars. */
static void
check_redact(char *text)
{
	size_t i, j, n;

	stripe_redact(text);
	n = strlen(text);
	for (i = 0; i < n; i++) {
		if (i > 0 && word_char(text[i - 1]))
			continue;
		if (strncmp(text + i, "whsec_", 6) == 0) {
			j = i + 6;
		} else if (strncmp(text + i, "sk_", 3) == 0) {
			j = i + 3;
			if (strncmp(text + j, "test_", 5) == 0 ||
			    strncmp(text + j, "live_", 5) == 0)
				j += 5;
		} else {
			continue;
		}
		for (; j < n && (word_char(text[j]) || text[j] == '*'); j++)
			assert(text[j] == '*');
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 4);
	const char *field[4];
	struct wl_mail m;
	struct wl_buf b;
	size_t at = 0;
	int i;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	memset(text + size, 0, 4);
	for (i = 0; i < 4; i++) {
		field[i] = text + at;
		at += strlen(text + at) + 1;
		if (at > size)
			at = size;
	}
	m.from_name = field[0];
	m.subject = field[1];
	m.to_addr = field[2][0] ? field[2] : "client@example.test";
	m.from_addr = "noreply@acme.test";
	m.body = field[3];
	wl_buf_init(&b, WL_MAIL_MESSAGE_MAX);
	if (wl_mail_build(&m, 1700000000, "abc", &b, NULL) == WL_OK)
		check_message(b.p, b.len);
	else
		assert(b.len == 0);
	wl_buf_free(&b);
	check_redact(text);
	free(text);
	return 0;
}
