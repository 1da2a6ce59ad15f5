/*
 * fuzz_json_writer.c — whatever valid UTF-8 a client sends and we echo
 * back (names, descriptions, e-mail addresses), the JSON writer must turn
 * into one valid JSON string that parses back to the same bytes.
 */
#include <assert.h>
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wl_buf b;
	json_t *root, *v;

	if (!wl_valid_utf8((const char *)data, size))
		return 0;
	wl_buf_init(&b, 1 << 20);
	wl_json_obj_begin(&b);
	wl_json_key(&b, "v");
	wl_json_strn(&b, (const char *)data, size);
	wl_json_key(&b, "n");
	wl_json_arr_begin(&b);
	wl_json_int(&b, (int64_t)size);
	wl_json_strn(&b, (const char *)data, size);
	wl_json_arr_end(&b);
	wl_json_obj_end(&b);
	assert(wl_buf_ok(&b));
	assert(memmem(b.p, b.len, "</", 2) == NULL);
	root = json_loadb(b.p, b.len, 0, NULL);
	assert(root != NULL);
	v = json_object_get(root, "v");
	assert(json_is_string(v) && json_string_length(v) == size);
	assert(memcmp(json_string_value(v), data, size) == 0);
	json_decref(root);
	wl_buf_free(&b);
	return 0;
}
