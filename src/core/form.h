/*
 * form.h — HTML form bodies (application/x-www-form-urlencoded) and the
 * Cookie request header, parsed into bounded name/value lists, and the
 * percent-encoding used to put a value back into a URL.
 *
 * A parsed form owns one private copy of the decoded text; wl_form_free
 * wipes it (it may hold a password or a Stripe secret key) and frees it.
 * Pure: no I/O, libc only.
 */
#ifndef WL_CORE_FORM_H
#define WL_CORE_FORM_H

#include <stdbool.h>
#include <stddef.h>

#define WL_FORM_FIELDS_MAX 64
#define WL_FORM_NAME_MAX 64

struct wl_form_field {
	const char *name; /* decoded, NUL-terminated, inside `text` */
	const char *value;
	size_t value_len;
};

struct wl_form {
	char *text; /* owned storage for every name and value */
	size_t text_len;
	int n;
	struct wl_form_field fields[WL_FORM_FIELDS_MAX];
};

/* Parses "a=1&b=x+y%21" (the whole body, not NUL-terminated). '+' is a
 * space; %XX must be two hex digits. Empty pairs ("a=1&&b") are skipped; a
 * pair without '=' has the value "". Refused (WL_EINVALID, form left
 * empty): a bad escape, more than WL_FORM_FIELDS_MAX fields, a name longer
 * than WL_FORM_NAME_MAX or empty, a decoded NUL, or text that is not
 * valid UTF-8. Returns 0, WL_EINVALID or WL_EINTERNAL (out of memory). */
int wl_form_parse(const char *body, size_t len, struct wl_form *out);

/* The first value of name, or NULL when absent. */
const char *wl_form_get(const struct wl_form *f, const char *name);

/* Wipes and frees the storage; the form is then empty. NULL is fine. */
void wl_form_free(struct wl_form *f);

/* Copies the value of cookie `name` from a Cookie header ("a=1; b=2") into
 * out (n bytes). Returns true when found and it fits. */
bool wl_cookie_get(const char *header, const char *name, char *out, size_t n);

/* Percent-encodes s for a URL query value (unreserved characters kept).
 * Returns false when out (n bytes) is too small; out is then "". */
bool wl_url_encode(const char *s, char *out, size_t n);

#endif
