/*
 * csv.h — CSV text as RFC 4180 writes it: fields separated by commas,
 * records ended by CRLF, a field quoted when it holds a comma, a double
 * quote, CR or LF, its quotes doubled. Pure: appends to a wl_buf.
 */
#ifndef WL_CORE_CSV_H
#define WL_CORE_CSV_H

#include <stdbool.h>

#include "core/buf.h"

/* Whether s must be quoted (a comma, a double quote, CR or LF). */
bool wl_csv_needs_quotes(const char *s);
/* Appends s as one field (NULL: an empty field). */
void wl_csv_field(struct wl_buf *b, const char *s);
/* The same for free text people typed (a company name): a text that a
 * spreadsheet would read as a formula (first character = + - @, TAB or
 * CR) gets a leading apostrophe first, the usual guard against formula
 * injection; everything else is written as wl_csv_field writes it. */
void wl_csv_text(struct wl_buf *b, const char *s);
/* The separator before every field but the first of a record. */
void wl_csv_sep(struct wl_buf *b);
/* Ends a record (CRLF). */
void wl_csv_end(struct wl_buf *b);

#endif
