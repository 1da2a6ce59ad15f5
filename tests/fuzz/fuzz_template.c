/*
 * fuzz_template.c — the page template compiler takes files an operator may
 * edit. Any text either compiles or is refused with a message; what
 * compiles renders without reading or writing out of bounds, within the
 * page limit, against data with a value, a list and a flag.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "web/template.h"

/* fuzz-extra: src/web/template.c */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tpl_set *set = tpl_set_new();
	struct tpl_data *d, *item;
	struct wl_error err;
	struct wl_buf out;

	if (set == NULL)
		return 0;
	wl_error_clear(&err);
	if (tpl_set_add(set, "page", (const char *)data, size, &err) != WL_OK) {
		assert(err.code != WL_OK && err.message[0] != '\0');
		tpl_set_free(set);
		return 0;
	}
	/* a partial named like the page itself must not recurse for ever */
	(void)tpl_set_add(set, "part", "{{>page}}", 9, &err);
	d = tpl_data_new();
	if (d != NULL) {
		tpl_put(d, "name", "<b>&\"'");
		tpl_put_bool(d, "flag", true);
		item = tpl_push(d, "items");
		if (item != NULL)
			tpl_put(item, "name", "one");
		tpl_put_list(d, "empty");
		wl_buf_init(&out, 1 << 20);
		wl_error_clear(&err);
		if (tpl_set_check(set, &err) == WL_OK)
			(void)tpl_render(set, "page", d, &out, &err);
		wl_buf_free(&out);
		tpl_data_free(d);
	}
	tpl_set_free(set);
	return 0;
}
