/*
 * fuzz_cursor.c — the paging cursor decoder takes text straight from a
 * query string. Whatever it accepts must re-encode to the same text.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[512], id[64], again[WL_CURSOR_TEXT_MAX];
	int64_t ms;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (wl_cursor_decode(text, &ms, id) != 0)
		return 0;
	assert(wl_cursor_encode(ms, id, again, sizeof(again)) == 0);
	assert(strcmp(again, text) == 0);
	return 0;
}
