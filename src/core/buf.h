/*
 * buf.h — a growable byte buffer with a hard maximum, and the JSON writer
 * built on it. Every response body and every SQL-free string assembly goes
 * through here: no unbounded sprintf into fixed arrays.
 *
 * Ownership: the struct's owner calls wl_buf_free. When an append would pass
 * `max`, the buffer keeps what it had, sets `overflow` and every later append
 * is a no-op; callers check wl_buf_ok() once at the end.
 */
#ifndef WL_CORE_BUF_H
#define WL_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wl_str {
	const char *p;
	size_t n;
};

#define WL_STR(lit) ((struct wl_str){ (lit), sizeof(lit) - 1 })

struct wl_buf {
	char *p; /* NUL-terminated whenever len > 0 or after wl_buf_cstr */
	size_t len;
	size_t cap;
	size_t max;     /* hard limit on len */
	bool overflow;  /* an append was refused (limit or out of memory) */
	int depth;      /* JSON writer: nesting depth */
	uint64_t comma; /* JSON writer: bit d set = container at depth d needs a comma */
};

void wl_buf_init(struct wl_buf *b, size_t max);
void wl_buf_free(struct wl_buf *b);
void wl_buf_reset(struct wl_buf *b);
bool wl_buf_ok(const struct wl_buf *b);
void wl_buf_append(struct wl_buf *b, const void *data, size_t n);
void wl_buf_puts(struct wl_buf *b, const char *s);
/* Appends s with & < > " ' as HTML character references. */
void wl_html_escape(struct wl_buf *b, const char *s);
void wl_buf_printf(struct wl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns a NUL-terminated view (never NULL; "" when empty). */
const char *wl_buf_cstr(struct wl_buf *b);
/* Hands the storage to the caller (malloc'd, NUL-terminated) and resets b. */
char *wl_buf_steal(struct wl_buf *b, size_t *len);

/* JSON writer: commas and nesting are handled for the caller. Keys are
 * written with wl_json_key before a value inside an object. */
void wl_json_obj_begin(struct wl_buf *b);
void wl_json_obj_end(struct wl_buf *b);
void wl_json_arr_begin(struct wl_buf *b);
void wl_json_arr_end(struct wl_buf *b);
void wl_json_key(struct wl_buf *b, const char *key);
void wl_json_str(struct wl_buf *b, const char *s); /* NULL → null */
void wl_json_strn(struct wl_buf *b, const char *s, size_t n);
void wl_json_int(struct wl_buf *b, int64_t v);
/* How many bytes from the start of s (n bytes) the JSON writer copies as
 * they are (no control character, DEL, '"', '\\' or "</"). */
size_t wl_json_plain_prefix(const char *s, size_t n);
/* v in decimal into out (NUL-terminated, at most 21 bytes with the NUL);
 * the length. What "%lld" prints, without printf's cost. */
size_t wl_format_int(int64_t v, char out[24]);
/* The IPv4 address of 4 bytes in network order, as inet_ntop writes it
 * (dotted decimal); false and out unchanged when it does not fit in n, as
 * there. */
bool wl_format_ipv4(const unsigned char addr[4], char *out, size_t n);
void wl_json_bool(struct wl_buf *b, bool v);
void wl_json_null(struct wl_buf *b);
/* A number already formatted by core (e.g. "498.6", "8.40"); written as is. */
void wl_json_raw(struct wl_buf *b, const char *number);
/* Convenience: key + value. */
void wl_json_kv_str(struct wl_buf *b, const char *key, const char *s);
void wl_json_kv_int(struct wl_buf *b, const char *key, int64_t v);
void wl_json_kv_bool(struct wl_buf *b, const char *key, bool v);
void wl_json_kv_raw(struct wl_buf *b, const char *key, const char *number);

#endif
