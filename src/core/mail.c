/*
 * mail.c — builds one plain-text e-mail (see mail.h): field checks that
 * refuse header injection, RFC 2047 encoded words for non-ASCII names and
 * subjects, the Date header, CRLF line ends. Pure: libc only.
 */
#include "core/mail.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "core/validate.h"

/* Input bytes per encoded word: 42 bytes → 56 base64 characters, so a
 * "Subject: =?UTF-8?B?…?=" line stays within 78 characters. */
#define WORD_CHUNK 42

/* Valid UTF-8, no control character (so no CR/LF), at most max bytes. */
static bool
header_text_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n > max || !wl_valid_utf8(s, n))
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static bool
body_ok(const char *s, struct wl_error *err)
{
	size_t n = strlen(s), i, line = 0;

	if (n > WL_MAIL_BODY_MAX)
		return wl_fail(err, WL_EINVALID, "mail: the body is longer than %d bytes",
			       WL_MAIL_BODY_MAX) == WL_OK;
	if (!wl_valid_utf8(s, n))
		return wl_fail(err, WL_EINVALID, "mail: the body is not valid UTF-8") == WL_OK;
	for (i = 0; i < n; i++) {
		if (s[i] == '\r' && s[i + 1] != '\n')
			return wl_fail(err, WL_EINVALID, "mail: the body has a lone CR") == WL_OK;
		if (s[i] == '\r' || s[i] == '\n') {
			line = 0;
			continue;
		}
		if (++line > WL_MAIL_LINE_MAX)
			return wl_fail(err, WL_EINVALID,
				       "mail: a body line is longer than %d bytes",
				       WL_MAIL_LINE_MAX) == WL_OK;
	}
	return true;
}

int
wl_mail_check(const struct wl_mail *m, struct wl_error *err)
{
	if (m == NULL)
		return wl_fail(err, WL_EINVALID, "mail: nothing to send");
	if (!wl_valid_email(m->from_addr))
		return wl_fail(err, WL_EINVALID, "mail: the sender address is not valid");
	if (!wl_valid_email(m->to_addr))
		return wl_fail(err, WL_EINVALID, "mail: the recipient address is not valid");
	if (m->from_name != NULL && !header_text_ok(m->from_name, WL_MAIL_NAME_MAX))
		return wl_fail(err, WL_EINVALID,
			       "mail: the sender name holds a line break or "
			       "control character, is not UTF-8, or is too long");
	if (m->subject == NULL || m->subject[0] == '\0' ||
	    !header_text_ok(m->subject, WL_MAIL_SUBJECT_MAX))
		return wl_fail(err, WL_EINVALID,
			       "mail: the subject is empty, holds a line break or "
			       "control character, is not UTF-8, or is too long");
	if (m->body == NULL)
		return wl_fail(err, WL_EINVALID, "mail: no body");
	return body_ok(m->body, err) ? WL_OK : err != NULL ? err->code : WL_EINVALID;
}

static bool
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static void
put_base64(struct wl_buf *b, const unsigned char *p, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char q[4];
	size_t i;

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = tab[(v >> 18) & 63];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		wl_buf_append(b, q, 4);
	}
}

/* RFC 2047 "B" words, folded onto continuation lines; never splits a
 * UTF-8 sequence between words. */
static void
put_encoded_words(struct wl_buf *b, const char *s)
{
	size_t n = strlen(s), at = 0, take;

	while (at < n) {
		take = n - at < WORD_CHUNK ? n - at : WORD_CHUNK;
		while (at + take < n && ((unsigned char)s[at + take] & 0xC0) == 0x80)
			take--;
		if (at > 0)
			wl_buf_puts(b, "\r\n ");
		wl_buf_puts(b, "=?UTF-8?B?");
		put_base64(b, (const unsigned char *)s + at, take);
		wl_buf_puts(b, "?=");
		at += take;
	}
}

static void
put_display_name(struct wl_buf *b, const char *name)
{
	if (!is_ascii(name)) {
		put_encoded_words(b, name);
		return;
	}
	wl_buf_append(b, "\"", 1);
	for (; *name != '\0'; name++) {
		if (*name == '"' || *name == '\\')
			wl_buf_append(b, "\\", 1);
		wl_buf_append(b, name, 1);
	}
	wl_buf_append(b, "\"", 1);
}

static void
put_date(struct wl_buf *b, int64_t now)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)now;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	wl_buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday % 7],
		      tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		      tm.tm_sec);
}

static bool
unique_ok(const char *u)
{
	size_t i;

	if (u == NULL || u[0] == '\0')
		return false;
	for (i = 0; u[i] != '\0'; i++) {
		char c = u[i];

		if (i >= WL_MAIL_UNIQUE_MAX || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
						 (c >= '0' && c <= '9') || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static void
put_body(struct wl_buf *b, const char *s)
{
	size_t start = 0, i;

	for (i = 0;; i++) {
		if (s[i] != '\n' && s[i] != '\0')
			continue;
		/* s[start..i) is one line, maybe ending in the CR of a CRLF. */
		wl_buf_append(b, s + start,
			      i > start && s[i - 1] == '\r' ? i - start - 1 : i - start);
		if (s[i] == '\0' && i == start)
			break;
		wl_buf_puts(b, "\r\n");
		if (s[i] == '\0')
			break;
		start = i + 1;
	}
}

int
wl_mail_build(const struct wl_mail *m, int64_t now, const char *unique, struct wl_buf *out,
	      struct wl_error *err)
{
	int rc = wl_mail_check(m, err);

	if (rc != WL_OK)
		return rc;
	if (!unique_ok(unique))
		return wl_fail(err, WL_EINVALID, "mail: the Message-ID part is not valid");
	wl_buf_reset(out);
	put_date(out, now);
	wl_buf_puts(out, "From: ");
	if (m->from_name != NULL && m->from_name[0] != '\0') {
		put_display_name(out, m->from_name);
		/* Encoded words can fill a line: the address goes on the next. */
		wl_buf_puts(out, is_ascii(m->from_name) ? " " : "\r\n ");
	}
	wl_buf_printf(out, "<%s>\r\nTo: <%s>\r\nSubject: ", m->from_addr, m->to_addr);
	if (is_ascii(m->subject))
		wl_buf_puts(out, m->subject);
	else
		put_encoded_words(out, m->subject);
	wl_buf_printf(out, "\r\nMessage-ID: <%s@%s>\r\n", unique, strchr(m->from_addr, '@') + 1);
	wl_buf_puts(out, "MIME-Version: 1.0\r\n"
			 "Content-Type: text/plain; charset=utf-8\r\n"
			 "Content-Transfer-Encoding: 8bit\r\n"
			 "\r\n");
	put_body(out, m->body);
	if (!wl_buf_ok(out)) {
		wl_buf_reset(out);
		return wl_fail(err, WL_EINTERNAL, "mail: out of memory building the message");
	}
	return WL_OK;
}
