/*
 * validate.h — syntax checks for values that enter wlportal from outside:
 * phone numbers, UUIDs, e-mail addresses, client-chosen tokens and UTF-8
 * text. They answer "is this well formed", never "does it exist"; that is
 * the store's job. Every function accepts NULL and answers false. Pure.
 */
#ifndef WL_CORE_VALIDATE_H
#define WL_CORE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

/* '+' then 8..15 digits, first digit 1-9. */
bool wl_valid_e164(const char *s);

/* 36 chars, lowercase hex in 8-4-4-4-12 groups with dashes. The version
 * and variant nibbles are not checked. */
bool wl_valid_uuid(const char *s);

/* Formats 16 random bytes as a version-4 UUID (sets version and variant
 * bits in a copy; raw is not modified). out 37 bytes. */
void wl_uuid_from_bytes(const unsigned char raw[16], char out[37]);

/* Pragmatic e-mail check: 3..254 bytes, exactly one '@', non-empty local
 * part <= 64, domain with at least one dot, no dot at domain start/end,
 * no "..", only printable ASCII without spaces, quotes, commas, angle
 * brackets, parentheses, semicolons or backslashes. */
bool wl_valid_email(const char *s);
/* The stored and compared form of an address: ASCII lowercased in place
 * (valid addresses are ASCII only), so that one mailbox is one account
 * whatever case it is typed in. */
void wl_email_normalize(char *s);

/* An opaque reference/id given by a client (idempotency keys, agent ids):
 * 1..maxlen bytes of [A-Za-z0-9._:-]. */
bool wl_valid_token(const char *s, size_t maxlen);

/* The n bytes at s are valid UTF-8 (no overlongs, no surrogates,
 * <= U+10FFFF) and contain no NUL. n == 0 is valid (s may then be NULL). */
bool wl_valid_utf8(const char *s, size_t n);

/* The value of one hexadecimal digit (either case), -1 for anything else. */
int wl_hex_digit(char c);

#endif
