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
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WL_LOG_LINE_MAX 2048
/* A request id: 1 to 64 of A-Z a-z 0-9 . _ : - (X-Request-Id). */
#define WL_REQUEST_ID_MAX 64

/* Copies in[0..n) to out (cap bytes, always NUL-terminated, cut short when
 * it does not fit) with bytes below 0x20, 0x7f and '\\' written as \xNN or
 * \\; returns the length written. */
size_t wl_log_escape(const char *in, size_t n, char *out, size_t cap);

/* One escaped line on stderr, written at once. */
void wl_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void wl_logv(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* The request this thread works for now ("" or NULL: none): every wl_log
 * line of the thread ends with " request_id=ID" until it is cleared. */
void wl_log_request(const char *id);

/* The access log (access_log.c): one JSON line on stderr per answered
 * request, written by a thread of its own; a line that does not fit its
 * queue (stderr not read) is dropped and counted, never waited for. */
struct wl_access {
	const char *request_id;
	const char *method;
	const char *route; /* the route's pattern, NULL when none matched */
	int status;
	uint64_t duration_us;
	const char *org_id; /* NULL when none */
	size_t bytes;       /* of the response body */
};
void wl_log_access(const struct wl_access *a);
uint64_t wl_log_access_dropped(void);
/* Waits (up to max_ms) until the queued lines are written (at shutdown). */
void wl_log_access_flush(int max_ms);

#endif
