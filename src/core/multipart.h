/*
 * multipart.h — the file of a multipart/form-data upload (RFC 7578): the
 * boundary from the Content-Type header, and the first part that carries a
 * file (a filename in its Content-Disposition), with its name, its own
 * Content-Type and its bytes, which stay in the caller's body (nothing is
 * copied). Bounded and strict: a part head is at most 8 KiB, a missing
 * closing boundary is an error. Also what kind of document an upload is,
 * from its media type or, for application/octet-stream, its file name. Pure.
 */
#ifndef WL_CORE_MULTIPART_H
#define WL_CORE_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#define WL_BOUNDARY_MAX 70
#define WL_FILENAME_MAX 255

/* The boundary of a "multipart/form-data; boundary=…" value (quoted or
 * not) into out; false when the type is something else or has none. */
bool wl_multipart_boundary(const char *content_type, char out[WL_BOUNDARY_MAX + 1]);

struct wl_upload_part {
	char filename[WL_FILENAME_MAX + 1]; /* as sent, "" when none */
	char content_type[128];             /* the part's, "" when none */
	const char *data;                   /* into the body */
	size_t len;
};

/* The first file part of body; -1 with `why` when malformed or fileless. */
int wl_multipart_file(const char *body, size_t len, const char *boundary,
		      struct wl_upload_part *out, const char **why);

/* The document types a knowledge base takes, by media type (parameters
 * such as "; charset=utf-8" ignored, any case), or by file extension
 * (.txt .md .markdown .pdf .csv) when the type is empty or
 * application/octet-stream. NULL when neither says a known type; else
 * the canonical media type: text/plain, text/markdown, application/pdf,
 * text/csv. */
const char *wl_document_type(const char *content_type, const char *filename);

/* A file name we keep: 1..255 bytes of valid UTF-8 without control
 * characters, '/', '\\' or '"'. */
bool wl_valid_filename(const char *s);

#endif
