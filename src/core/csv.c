/*
 * csv.c — RFC 4180 fields and records (see csv.h). Nothing here knows what
 * the columns mean; services/usage_export.c chooses them.
 */
#include "core/csv.h"

#include <string.h>

bool
wl_csv_needs_quotes(const char *s)
{
	return s != NULL && s[strcspn(s, ",\"\r\n")] != '\0';
}

static void
quoted(struct wl_buf *b, const char *prefix, const char *s)
{
	const char *q;

	wl_buf_puts(b, "\"");
	wl_buf_puts(b, prefix);
	while ((q = strchr(s, '"')) != NULL) {
		wl_buf_append(b, s, (size_t)(q - s) + 1);
		wl_buf_puts(b, "\""); /* the quote doubled */
		s = q + 1;
	}
	wl_buf_puts(b, s);
	wl_buf_puts(b, "\"");
}

void
wl_csv_field(struct wl_buf *b, const char *s)
{
	if (s == NULL)
		return;
	if (wl_csv_needs_quotes(s))
		quoted(b, "", s);
	else
		wl_buf_puts(b, s);
}

void
wl_csv_text(struct wl_buf *b, const char *s)
{
	const char *prefix;

	if (s == NULL)
		return;
	prefix = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL ? "'" : "";
	if (wl_csv_needs_quotes(s)) {
		quoted(b, prefix, s);
	} else {
		wl_buf_puts(b, prefix);
		wl_buf_puts(b, s);
	}
}

void
wl_csv_sep(struct wl_buf *b)
{
	wl_buf_puts(b, ",");
}

void
wl_csv_end(struct wl_buf *b)
{
	wl_buf_puts(b, "\r\n");
}
