/*
 * multipart.c — finding the file in a multipart/form-data body (see
 * multipart.h). The body is scanned for "--boundary" lines; each part's
 * head is read up to its blank line and its data runs to the next
 * "\r\n--boundary".
 */
#include "core/multipart.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/validate.h"

#define HEAD_MAX 8192

/* Skips "; " and spaces. */
static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* The value of parameter `name` in a header value ("…; name=value" or
 * name="value") into out; false when absent or too long. */
static bool
header_param(const char *value, const char *name, char *out, size_t n)
{
	size_t nl = strlen(name);
	const char *p = value;

	while ((p = strchr(p, ';')) != NULL) {
		size_t i = 0;

		p = skip_ws(p + 1);
		if (strncasecmp(p, name, nl) != 0 || p[nl] != '=')
			continue;
		p += nl + 1;
		if (*p == '"') {
			p++;
			while (p[i] != '\0' && p[i] != '"' && i + 1 < n) {
				out[i] = p[i];
				i++;
			}
			if (p[i] != '"')
				return false;
		} else {
			while (p[i] != '\0' && p[i] != ';' && p[i] != ' ' && i + 1 < n) {
				out[i] = p[i];
				i++;
			}
			if (p[i] != '\0' && p[i] != ';' && p[i] != ' ')
				return false;
		}
		out[i] = '\0';
		return true;
	}
	return false;
}

bool
wl_multipart_boundary(const char *ct, char out[WL_BOUNDARY_MAX + 1])
{
	size_t i;

	if (ct == NULL || strncasecmp(ct, "multipart/form-data", 19) != 0 ||
	    (ct[19] != ';' && ct[19] != ' '))
		return false;
	if (!header_param(ct + 19, "boundary", out, WL_BOUNDARY_MAX + 1) || out[0] == '\0')
		return false;
	for (i = 0; out[i] != '\0'; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
			return false;
	return true;
}

static const char *
find(const char *hay, size_t n, const char *needle, size_t nn)
{
	return memmem(hay, n, needle, nn);
}

/* One part head (its lines up to the blank one) into out's name and type;
 * whether it is a file (a filename parameter). */
static bool
read_head(const char *head, size_t n, struct wl_upload_part *out)
{
	char line[HEAD_MAX + 1];
	bool is_file = false;
	size_t pos = 0;

	out->filename[0] = out->content_type[0] = '\0';
	while (pos < n) {
		const char *eol = find(head + pos, n - pos, "\r\n", 2);
		size_t ll = eol != NULL ? (size_t)(eol - (head + pos)) : n - pos;

		memcpy(line, head + pos, ll);
		line[ll] = '\0';
		pos += ll + 2;
		if (strncasecmp(line, "Content-Disposition:", 20) == 0)
			is_file = header_param(line + 20, "filename", out->filename,
					       sizeof(out->filename));
		else if (strncasecmp(line, "Content-Type:", 13) == 0)
			snprintf(out->content_type, sizeof(out->content_type), "%.127s",
				 skip_ws(line + 13));
	}
	return is_file;
}

int
wl_multipart_file(const char *body, size_t len, const char *boundary, struct wl_upload_part *out,
		  const char **why)
{
	char delim[WL_BOUNDARY_MAX + 5];
	size_t dl, pos;
	const char *p;

	dl = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
	/* The first boundary may open the body (no CRLF before it). */
	if (len >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0) {
		pos = dl - 2;
	} else {
		p = find(body, len, delim, dl);
		if (p == NULL) {
			*why = "the multipart body has no boundary line";
			return -1;
		}
		pos = (size_t)(p - body) + dl;
	}
	for (;;) {
		const char *head_end, *next;
		size_t head_len;

		if (len - pos >= 2 && memcmp(body + pos, "--", 2) == 0)
			break; /* the closing boundary */
		if (len - pos < 2 || memcmp(body + pos, "\r\n", 2) != 0)
			break;
		pos += 2;
		head_end = find(body + pos, len - pos < HEAD_MAX ? len - pos : HEAD_MAX, "\r\n\r\n",
				4);
		if (head_end == NULL) {
			*why = "a part of the multipart body has no end to its headers";
			return -1;
		}
		head_len = (size_t)(head_end - (body + pos));
		next = find(head_end + 4, len - (size_t)(head_end + 4 - body), delim, dl);
		if (next == NULL) {
			*why = "the multipart body is not closed by its boundary";
			return -1;
		}
		if (read_head(body + pos, head_len, out)) {
			out->data = head_end + 4;
			out->len = (size_t)(next - out->data);
			return 0;
		}
		pos = (size_t)(next - body) + dl;
	}
	*why = "the multipart body has no file part (a field with a filename)";
	return -1;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcasecmp(s + n - m, suffix) == 0;
}

const char *
wl_document_type(const char *content_type, const char *filename)
{
	static const char *const types[] = { "text/plain", "text/markdown", "application/pdf",
					     "text/csv", NULL };
	const char *ct = content_type != NULL ? content_type : "";
	size_t n = strcspn(ct, "; \t"), i;

	for (i = 0; types[i] != NULL; i++)
		if (n == strlen(types[i]) && strncasecmp(ct, types[i], n) == 0)
			return types[i];
	if (n != 0 && !(n == 24 && strncasecmp(ct, "application/octet-stream", n) == 0))
		return NULL;
	if (filename == NULL)
		return NULL;
	if (ends_with(filename, ".txt"))
		return "text/plain";
	if (ends_with(filename, ".md") || ends_with(filename, ".markdown"))
		return "text/markdown";
	if (ends_with(filename, ".pdf"))
		return "application/pdf";
	if (ends_with(filename, ".csv"))
		return "text/csv";
	return NULL;
}

bool
wl_valid_filename(const char *s)
{
	size_t i, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > WL_FILENAME_MAX || !wl_valid_utf8(s, n))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '"')
			return false;
	}
	return true;
}
