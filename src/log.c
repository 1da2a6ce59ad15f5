/*
 * log.c — escaped log lines on stderr (see log.h).
 */
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>


static _Thread_local char current_request[WL_REQUEST_ID_MAX + 1];

void
wl_log_request(const char *id)
{
	size_t n = id != NULL ? strnlen(id, WL_REQUEST_ID_MAX) : 0;

	if (n >= sizeof(current_request))
		n = sizeof(current_request) - 1;
	if (n > 0)
		memcpy(current_request, id, n);
	current_request[n] = '\0';
}

size_t
wl_log_escape(const char *in, size_t n, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (cap == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c < 0x20 || c == 0x7f) {
			if (o + 4 >= cap)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else if (c == '\\') {
			if (o + 2 >= cap)
				break;
			out[o++] = '\\';
			out[o++] = '\\';
		} else {
			if (o + 1 >= cap)
				break;
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o;
}

void
wl_logv(const char *fmt, va_list ap)
{
	char msg[WL_LOG_LINE_MAX], line[WL_LOG_LINE_MAX + 16];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t len;

	if (n < 0)
		return;
	if (current_request[0] != '\0') {
		size_t used = strlen(msg);

		snprintf(msg + used, sizeof(msg) - used, " request_id=%s", current_request);
	}
	memcpy(line, "wlportal: ", 10);
	len = 10 + wl_log_escape(msg, strlen(msg), line + 10, sizeof(line) - 11);
	line[len++] = '\n';
	/* One write: lines of different threads never interleave. */
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}

void
wl_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wl_logv(fmt, ap);
	va_end(ap);
}
