/*
 * mail.h — one plain-text e-mail as bytes (RFC 5322 + MIME): the headers
 * Date, From (with a display name such as the agency's name), To, Subject,
 * Message-ID, MIME-Version, Content-Type text/plain; charset=utf-8 and
 * Content-Transfer-Encoding 8bit, then the body with CRLF line ends.
 * Non-ASCII display names and subjects are written as RFC 2047 encoded
 * words. Header injection is refused: no CR, LF or other control
 * character in a name, subject or address.
 *
 * Owns the message text only; sending it (SMTP via libcurl) is
 * services/mailer.c, and what the mails say is up to their callers.
 * Pure: no I/O, libc only (the caller supplies time and randomness).
 */
#ifndef WL_CORE_MAIL_H
#define WL_CORE_MAIL_H

#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

#define WL_MAIL_NAME_MAX 128    /* display name, bytes */
#define WL_MAIL_SUBJECT_MAX 200 /* bytes */
#define WL_MAIL_BODY_MAX (64 * 1024)
#define WL_MAIL_LINE_MAX 998 /* RFC 5322: octets per line, without CRLF */
#define WL_MAIL_UNIQUE_MAX 64
#define WL_MAIL_MESSAGE_MAX (WL_MAIL_BODY_MAX * 2 + 4096)

struct wl_mail {
	const char *from_name; /* UTF-8; NULL or "" = address only */
	const char *from_addr; /* envelope and header sender */
	const char *to_addr;
	const char *subject; /* UTF-8, one line */
	const char *body;    /* UTF-8 plain text, LF or CRLF line ends */
};

/* Checks every field: addresses by wl_valid_email, name and subject valid
 * UTF-8 without control characters and within their maximum, the subject
 * not empty, the body valid UTF-8 without NUL or a lone CR, no line longer
 * than WL_MAIL_LINE_MAX, at most WL_MAIL_BODY_MAX bytes. Returns WL_OK or
 * WL_EINVALID with a message naming the field (never echoing it). */
int wl_mail_check(const struct wl_mail *m, struct wl_error *err);

/*
 * Writes the whole message into out (reset first). now is Unix seconds
 * (the Date header, in UTC); unique ([A-Za-z0-9.-], 1..WL_MAIL_UNIQUE_MAX,
 * e.g. random hex) becomes Message-ID <unique@domain of from_addr>.
 * Returns WL_OK, WL_EINVALID (as wl_mail_check, or a bad unique) or
 * WL_EINTERNAL (out of memory).
 */
int wl_mail_build(const struct wl_mail *m, int64_t now, const char *unique, struct wl_buf *out,
		  struct wl_error *err);

#endif
