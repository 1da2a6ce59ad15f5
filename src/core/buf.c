/*
 * buf.c — bounded growable buffer and a streaming JSON writer.
 * The writer escapes every string it is given (control characters, quotes,
 * backslashes; "</" so a JSON body can never close an HTML script tag) and
 * leaves UTF-8 bytes as they are: inputs are validated as UTF-8 where they
 * enter (jansson refuses invalid UTF-8).
 */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
wl_buf_init(struct wl_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void
wl_buf_free(struct wl_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->overflow = false;
	b->depth = 0;
	b->comma = 0;
}

void
wl_buf_reset(struct wl_buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
	b->overflow = false;
	b->depth = 0;
	b->comma = 0;
}

bool
wl_buf_ok(const struct wl_buf *b)
{
	return !b->overflow;
}

static bool
reserve(struct wl_buf *b, size_t extra)
{
	size_t need, ncap;
	char *np;

	if (b->overflow)
		return false;
	if (extra > b->max || b->len > b->max - extra) {
		b->overflow = true;
		return false;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap *= 2;
	np = realloc(b->p, ncap);
	if (np == NULL) {
		b->overflow = true;
		return false;
	}
	b->p = np;
	b->cap = ncap;
	return true;
}

void
wl_buf_append(struct wl_buf *b, const void *data, size_t n)
{
	if (!reserve(b, n))
		return;
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
wl_buf_puts(struct wl_buf *b, const char *s)
{
	wl_buf_append(b, s, strlen(s));
}

void
wl_buf_printf(struct wl_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *
wl_buf_cstr(struct wl_buf *b)
{
	if (b->p == NULL)
		return "";
	return b->p;
}

char *
wl_buf_steal(struct wl_buf *b, size_t *len)
{
	char *p = b->p;

	if (p == NULL) {
		p = malloc(1);
		if (p != NULL)
			p[0] = '\0';
	}
	if (len != NULL)
		*len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	b->overflow = false;
	b->depth = 0;
	b->comma = 0;
	return p;
}

/* ---- JSON writer ---------------------------------------------------- */

static void
before_value(struct wl_buf *b)
{
	uint64_t bit;

	if (b->depth <= 0 || b->depth > 63)
		return;
	bit = (uint64_t)1 << b->depth;
	if (b->comma & bit)
		wl_buf_append(b, ",", 1);
	b->comma |= bit;
}

static void value_prefix(struct wl_buf *b);

static void
open_container(struct wl_buf *b, char c)
{
	value_prefix(b);
	wl_buf_append(b, &c, 1);
	b->depth++;
	if (b->depth > 63) {
		b->overflow = true;
		return;
	}
	b->comma &= ~((uint64_t)1 << b->depth);
}

static void
close_container(struct wl_buf *b, char c)
{
	if (b->depth > 0 && b->depth <= 63)
		b->comma &= ~((uint64_t)1 << b->depth);
	b->depth--;
	wl_buf_append(b, &c, 1);
}

void
wl_json_obj_begin(struct wl_buf *b)
{
	open_container(b, '{');
}
void
wl_json_obj_end(struct wl_buf *b)
{
	close_container(b, '}');
}
void
wl_json_arr_begin(struct wl_buf *b)
{
	open_container(b, '[');
}
void
wl_json_arr_end(struct wl_buf *b)
{
	close_container(b, ']');
}

/* Bit c set: byte c may need escaping inside a JSON string: a control
 * character, '"', '<' (when "/" follows: "</" is written "<\\/"), '\\'
 * or DEL. Every other byte is written as it is. */
static const uint64_t json_special[4] = {
	0x10000004ffffffffULL,
	0x8000000010000000ULL,
	0,
	0,
};

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Whether a byte of x is zero / is below n (n <= 128): exact for "any". */
static uint64_t
any_zero(uint64_t x)
{
	return (x - ONES) & ~x & HIGHS;
}

static uint64_t
any_below(uint64_t x, unsigned n)
{
	return (x - ONES * n) & ~x & HIGHS;
}

size_t
wl_json_plain_prefix(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	/* eight bytes at a time while none of them may need escaping */
	for (; n - i >= 8; i += 8) {
		uint64_t x;

		memcpy(&x, s + i, sizeof(x));
		if (any_below(x, 0x20) | any_zero(x ^ (ONES * '"')) | any_zero(x ^ (ONES * '\\')) |
		    any_zero(x ^ (ONES * '<')) | any_zero(x ^ (ONES * 0x7f)))
			break;
	}
	for (; i < n; i++) {
		unsigned char c = s[i];

		if (((json_special[c >> 6] >> (c & 63)) & 1) &&
		    (c != '<' || (i + 1 < n && s[i + 1] == '/')))
			break;
	}
	return i;
}

static void
write_escaped_slow(struct wl_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	wl_buf_append(b, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[6];

		/* the common case first: printable, not '"', '\\' or '/' */
		if (c >= 0x20 && c != 0x7f && c != '"' && c != '\\' && c != '/') {
			run++;
			continue;
		}
		if (c == '"')
			esc = "\\\"";
		else if (c == '\\')
			esc = "\\\\";
		else if (c == '\n')
			esc = "\\n";
		else if (c == '\r')
			esc = "\\r";
		else if (c == '\t')
			esc = "\\t";
		else if (c == '/' && i > 0 && s[i - 1] == '<')
			esc = "\\/";
		else if (c < 0x20 || c == 0x7f) {
			u[0] = '\\';
			u[1] = 'u';
			u[2] = '0';
			u[3] = '0';
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
		}
		if (esc == NULL && !(c < 0x20 || c == 0x7f)) {
			run++;
			continue;
		}
		wl_buf_append(b, s + i - run, run);
		run = 0;
		if (esc != NULL)
			wl_buf_puts(b, esc);
		else
			wl_buf_append(b, u, 6);
	}
	wl_buf_append(b, s + n - run, run);
	wl_buf_append(b, "\"", 1);
}

/* The common case, a string with nothing to escape, in one copy; the rest
 * (and a string that would reach the buffer's limit) piece by piece. */
static void
write_escaped(struct wl_buf *b, const char *s, size_t n)
{
	if (wl_json_plain_prefix(s, n) < n || b->overflow || n + 2 > b->max ||
	    b->len > b->max - (n + 2) || !reserve(b, n + 2)) {
		write_escaped_slow(b, s, n);
		return;
	}
	b->p[b->len] = '"';
	memcpy(b->p + b->len + 1, s, n);
	b->p[b->len + 1 + n] = '"';
	b->len += n + 2;
	b->p[b->len] = '\0';
}

/* ,"key": in one copy when the key needs no escaping and all of it fits
 * (false: nothing written). */
static bool
key_at_once(struct wl_buf *b, const char *key, size_t n)
{
	bool comma = b->depth > 0 && b->depth <= 63 && (b->comma & ((uint64_t)1 << b->depth));
	size_t need = n + 3 + (comma ? 1 : 0);
	char *at;

	if (wl_json_plain_prefix(key, n) < n || b->overflow || need > b->max ||
	    b->len > b->max - need || !reserve(b, need))
		return false;
	at = b->p + b->len;
	if (comma)
		*at++ = ',';
	*at++ = '"';
	memcpy(at, key, n);
	at += n;
	*at++ = '"';
	*at++ = ':';
	*at = '\0';
	b->len += need;
	return true;
}

void
wl_json_key(struct wl_buf *b, const char *key)
{
	size_t n = strlen(key);

	if (!key_at_once(b, key, n)) {
		before_value(b);
		write_escaped(b, key, n);
		wl_buf_append(b, ":", 1);
	}
	/* The value that follows must not add a comma. */
	if (b->depth > 0 && b->depth <= 63)
		b->comma &= ~((uint64_t)1 << b->depth);
	b->comma |= (uint64_t)1; /* bit 0 marks "value after key" */
}

/* After a key the next value is written without a comma, then the object's
 * comma bit is set again for the next key. */
static void
value_prefix(struct wl_buf *b)
{
	if (b->comma & (uint64_t)1) {
		b->comma &= ~(uint64_t)1;
		if (b->depth > 0 && b->depth <= 63)
			b->comma |= (uint64_t)1 << b->depth;
		return;
	}
	before_value(b);
}

void
wl_json_strn(struct wl_buf *b, const char *s, size_t n)
{
	value_prefix(b);
	write_escaped(b, s, n);
}

void
wl_json_str(struct wl_buf *b, const char *s)
{
	if (s == NULL) {
		wl_json_null(b);
		return;
	}
	wl_json_strn(b, s, strlen(s));
}

size_t
wl_format_int(int64_t v, char out[24])
{
	char digits[24];
	size_t at = sizeof(digits), n;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		digits[--at] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		digits[--at] = '-';
	n = sizeof(digits) - at;
	memcpy(out, digits + at, n);
	out[n] = '\0';
	return n;
}

bool
wl_format_ipv4(const unsigned char addr[4], char *out, size_t n)
{
	char text[16];
	size_t len = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0)
			text[len++] = '.';
		if (addr[i] >= 100)
			text[len++] = (char)('0' + addr[i] / 100);
		if (addr[i] >= 10)
			text[len++] = (char)('0' + addr[i] / 10 % 10);
		text[len++] = (char)('0' + addr[i] % 10);
	}
	if (len >= n)
		return false;
	memcpy(out, text, len);
	out[len] = '\0';
	return true;
}

void
wl_json_int(struct wl_buf *b, int64_t v)
{
	char digits[24];
	size_t n = wl_format_int(v, digits);

	value_prefix(b);
	wl_buf_append(b, digits, n);
}

void
wl_json_bool(struct wl_buf *b, bool v)
{
	value_prefix(b);
	wl_buf_puts(b, v ? "true" : "false");
}

void
wl_json_null(struct wl_buf *b)
{
	value_prefix(b);
	wl_buf_puts(b, "null");
}

void
wl_json_raw(struct wl_buf *b, const char *number)
{
	value_prefix(b);
	wl_buf_puts(b, number);
}

void
wl_json_kv_str(struct wl_buf *b, const char *k, const char *s)
{
	wl_json_key(b, k);
	wl_json_str(b, s);
}
void
wl_json_kv_int(struct wl_buf *b, const char *k, int64_t v)
{
	wl_json_key(b, k);
	wl_json_int(b, v);
}
void
wl_json_kv_bool(struct wl_buf *b, const char *k, bool v)
{
	wl_json_key(b, k);
	wl_json_bool(b, v);
}
void
wl_json_kv_raw(struct wl_buf *b, const char *k, const char *n)
{
	wl_json_key(b, k);
	wl_json_raw(b, n);
}

void
wl_html_escape(struct wl_buf *out, const char *s)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		const char *rep;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		wl_buf_append(out, run, (size_t)(s - run));
		wl_buf_puts(out, rep);
		run = s + 1;
	}
	wl_buf_append(out, run, (size_t)(s - run));
}
