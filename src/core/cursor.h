/*
 * cursor.h — the opaque paging cursor of list endpoints.
 *
 * A cursor names the last row of a page by (created_at_ms, id), the key the
 * lists are ordered by; clients pass it back unchanged to get the next page.
 * It is the unpadded base64url text of "<ms>:<id>". Decoding is strict, so
 * a cursor that decodes was produced by wl_cursor_encode. Pure.
 */
#ifndef WL_CORE_CURSOR_H
#define WL_CORE_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#define WL_CURSOR_MS_MAX 253402300799999LL /* 9999-12-31T23:59:59.999Z */
#define WL_CURSOR_ID_MAX 63
/* Longest cursor text plus NUL: 15-digit ms, ':', 63-byte id -> 79 bytes
 * -> 106 base64url chars. 96 bytes is enough for ids up to 55 bytes
 * (a UUID id gives a 67-char cursor). */
#define WL_CURSOR_TEXT_MAX 107

/* Encodes as unpadded base64url of "<ms>:<id>". id must be 1..63 bytes of
 * [A-Za-z0-9-] and created_ms in 0..WL_CURSOR_MS_MAX. Returns 0, or
 * WL_EINVALID if an argument is out of range or the text does not fit
 * outsz (WL_CURSOR_TEXT_MAX is always enough). */
int wl_cursor_encode(int64_t created_ms, const char *id, char *out, size_t outsz);

/* Strict inverse: rejects anything not produced by encode (bad alphabet,
 * bad length, padding, non-zero unused bits, non-digit or zero-padded ms,
 * ms < 0 or > WL_CURSOR_MS_MAX, empty/too long/bad-char id). id buffer 64
 * bytes. Outputs are written only on success. Returns 0 or WL_EINVALID. */
int wl_cursor_decode(const char *s, int64_t *created_ms, char id[64]);

#endif
