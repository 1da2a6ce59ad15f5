/*
 * fuzz_form.c — form bodies and Cookie headers come straight from the
 * network. The form parser either refuses or yields fields that lie inside
 * its own copy, are NUL-terminated and hold no NUL; the cookie reader never
 * writes past its buffer and always terminates it; a URL-encoded value has
 * only unreserved characters and escapes.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_form(const char *body, size_t size)
{
	struct wl_form f;
	int i;

	memset(&f, 0, sizeof(f));
	if (wl_form_parse(body, size, &f) != 0) {
		assert(f.n == 0);
		wl_form_free(&f);
		return;
	}
	assert(f.n >= 0 && f.n <= WL_FORM_FIELDS_MAX);
	for (i = 0; i < f.n; i++) {
		const struct wl_form_field *fld = &f.fields[i];

		assert(fld->name >= f.text && fld->name < f.text + f.text_len + 1);
		assert(fld->value >= f.text &&
		       fld->value + fld->value_len <= f.text + f.text_len + 1);
		assert(strlen(fld->name) >= 1 && strlen(fld->name) <= WL_FORM_NAME_MAX);
		assert(strlen(fld->value) == fld->value_len);
		assert(wl_form_get(&f, fld->name) != NULL);
	}
	wl_form_free(&f);
}

static void
check_cookie(const char *header)
{
	char out[16];
	size_t n;

	memset(out, 'x', sizeof(out));
	if (wl_cookie_get(header, "wl_session", out, sizeof(out))) {
		n = strnlen(out, sizeof(out));
		assert(n < sizeof(out));
	}
	(void)wl_cookie_get(header, "a", out, 1);
}

static void
check_url_encode(const char *s)
{
	char out[64];
	size_t i;

	if (!wl_url_encode(s, out, sizeof(out))) {
		assert(out[0] == '\0');
		return;
	}
	for (i = 0; out[i] != '\0'; i++)
		assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%",
			      out[i]) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	check_form((const char *)data, size);
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_cookie(text);
	check_url_encode(text);
	free(text);
	return 0;
}
