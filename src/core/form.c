/*
 * form.c — parsing urlencoded form bodies and Cookie headers, and URL
 * percent-encoding (see form.h). Owns nothing beyond the text of a parsed
 * form. The parser decodes into one buffer no larger than the body, so a
 * body's size bounds its memory.
 */
#include "core/form.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/validate.h"

/* Decodes s[0..n) into dst; returns the decoded length or -1. */
static long
decode(const char *s, size_t n, char *dst)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			dst[o++] = ' ';
		} else if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return -1;
			hi = wl_hex_digit(s[i + 1]);
			lo = wl_hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			dst[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (s[i] == '\0') {
			return -1;
		} else {
			dst[o++] = s[i];
		}
	}
	dst[o] = '\0';
	return (long)o;
}

static void
form_clear(struct wl_form *f)
{
	if (f->text != NULL) {
		explicit_bzero(f->text, f->text_len);
		free(f->text);
	}
	memset(f, 0, sizeof(*f));
}

int
wl_form_parse(const char *body, size_t len, struct wl_form *out)
{
	size_t pos = 0, used = 0;

	memset(out, 0, sizeof(*out));
	/* Decoded text never grows: one byte per input byte plus a NUL per pair. */
	out->text_len = len * 2 + 2;
	out->text = malloc(out->text_len);
	if (out->text == NULL) {
		out->text_len = 0;
		return WL_EINTERNAL;
	}
	while (pos < len) {
		const char *pair = body + pos;
		const char *amp = memchr(pair, '&', len - pos);
		size_t plen = amp != NULL ? (size_t)(amp - pair) : len - pos;
		const char *eq = memchr(pair, '=', plen);
		size_t nlen = eq != NULL ? (size_t)(eq - pair) : plen;
		size_t vlen = eq != NULL ? plen - nlen - 1 : 0;
		struct wl_form_field *fld;
		long dn, dv;

		pos += plen + 1;
		if (plen == 0)
			continue;
		if (out->n >= WL_FORM_FIELDS_MAX || nlen == 0 || nlen > WL_FORM_NAME_MAX * 3)
			goto bad;
		fld = &out->fields[out->n];
		dn = decode(pair, nlen, out->text + used);
		if (dn <= 0 || dn > WL_FORM_NAME_MAX ||
		    !wl_valid_utf8(out->text + used, (size_t)dn))
			goto bad;
		fld->name = out->text + used;
		used += (size_t)dn + 1;
		dv = decode(eq != NULL ? eq + 1 : "", vlen, out->text + used);
		if (dv < 0 || !wl_valid_utf8(out->text + used, (size_t)dv))
			goto bad;
		fld->value = out->text + used;
		fld->value_len = (size_t)dv;
		used += (size_t)dv + 1;
		out->n++;
	}
	return WL_OK;
bad:
	form_clear(out);
	return WL_EINVALID;
}

const char *
wl_form_get(const struct wl_form *f, const char *name)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return f->fields[i].value;
	return NULL;
}

void
wl_form_free(struct wl_form *f)
{
	if (f != NULL)
		form_clear(f);
}

bool
wl_cookie_get(const char *header, const char *name, char *out, size_t n)
{
	size_t nlen = strlen(name);
	const char *p = header;

	if (n > 0)
		out[0] = '\0';
	if (header == NULL || nlen == 0)
		return false;
	while (*p != '\0') {
		const char *end;
		size_t vlen;

		while (*p == ' ' || *p == ';')
			p++;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			const char *v = p + nlen + 1;

			vlen = (size_t)(end - v);
			while (vlen > 0 && v[vlen - 1] == ' ')
				vlen--;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			if (vlen + 1 > n)
				return false;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return true;
		}
		p = end;
	}
	return false;
}

bool
wl_url_encode(const char *s, char *out, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (n == 0)
		return false;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';

		if (o + (keep ? 1 : 3) >= n) {
			out[0] = '\0';
			return false;
		}
		if (keep) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return true;
}
