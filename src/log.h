/*
 * log.h — the server's log lines (stderr). Every line is "wlportal: " and
 * the formatted message with its control characters escaped, so that no
 * request-derived text (a URL, a header, a message quoting input) can end a
 * line early or forge another one. Every log line of the server goes
 * through wl_log.
 */
#ifndef WL_LOG_H
#define WL_LOG_H

#include <stdarg.h>
#include <stddef.h>

#define WL_LOG_LINE_MAX 2048

/* Copies in[0..n) to out (cap bytes, always NUL-terminated, cut short when
 * it does not fit) with bytes below 0x20, 0x7f and '\\' written as \xNN or
 * \\; returns the length written. */
size_t wl_log_escape(const char *in, size_t n, char *out, size_t cap);

/* One escaped line on stderr, written at once. */
void wl_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void wl_logv(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
