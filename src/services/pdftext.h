/*
 * pdftext.h — the text of a PDF, by poppler-utils' pdftotext run as a
 * child process (no shell; the PDF on its stdin, UTF-8 text on its
 * stdout), bounded in time and in output. Blocking: call it on a worker.
 */
#ifndef WL_SERVICES_PDFTEXT_H
#define WL_SERVICES_PDFTEXT_H

#include <stddef.h>

#include "core/error.h"

#define PDFTEXT_TIMEOUT_MS 20000

/* The text into *out (malloc'ed, NUL-terminated, *out_len bytes: valid
 * UTF-8 without NUL bytes; the caller frees it). More than max_out bytes
 * of text, a time-out (the child is killed), a PDF pdftotext cannot read,
 * or no pdftotext installed are errors: WL_EVALIDATION for an unreadable
 * PDF, WL_EUNAVAILABLE for the rest. */
int pdftext_extract(const void *pdf, size_t len, size_t max_out, int timeout_ms, char **out,
		    size_t *out_len, struct wl_error *err);

/* Makes s (n bytes) valid UTF-8 without NULs in place: each byte that is
 * not part of a valid sequence becomes '?'. */
void pdftext_clean_utf8(char *s, size_t n);

#endif
