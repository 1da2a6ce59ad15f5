/*
 * secrets.h — secrets at rest: the agency's Stripe secret key and webhook
 * signing secret are stored sealed with libsodium's secretbox
 * (XSalsa20-Poly1305) under one master key kept in a file
 * (WLPORTAL_MASTER_KEY_FILE). This module owns that file's creation and
 * checks, and the sealed text format "v1.<nonce>.<ciphertext>" (both
 * base64url without padding). It does not decide which values are secret,
 * nor where they are stored.
 *
 * The master key is owned by whoever loaded it (normally the app, for the
 * process lifetime); wipe it with sodium_memzero when done. Strings handed
 * out by seal/open belong to the caller: release them with secrets_free.
 * All functions are thread-safe.
 */
#ifndef WL_SERVICES_SECRETS_H
#define WL_SERVICES_SECRETS_H

#include <stddef.h>

#include "core/error.h"

#define SECRETS_KEY_BYTES 32

/*
 * Loads the master key from path. If the file does not exist it is created
 * (with its missing parent directories, mode 0700) holding 32 random bytes,
 * mode 0600. Creation is atomic: the key is written to a private temporary
 * file and linked into place, so two processes starting together end up
 * with the same key and nobody ever reads a half-written file. An existing
 * file is refused unless it is a regular file of exactly 32 bytes with no
 * permission bits for group or others.
 * Returns 0 or WL_EINTERNAL with a message that names the path and problem.
 */
int secrets_load_master_key(const char *path, unsigned char key[SECRETS_KEY_BYTES],
			    struct wl_error *err);

/* Seals plaintext (a NUL-terminated string) under key with a fresh random
 * nonce. *out receives a malloc'd printable string. Returns 0, WL_EINVALID
 * (NULL arguments), or WL_EINTERNAL (out of memory). */
int secrets_seal(const unsigned char key[SECRETS_KEY_BYTES], const char *plaintext, char **out,
		 struct wl_error *err);

/* Like secrets_seal, into the caller's buffer of outsz bytes (a stored
 * column's size); WL_EINVALID when the sealed text would not fit. */
int secrets_seal_to(const unsigned char key[SECRETS_KEY_BYTES], const char *plaintext, char *out,
		    size_t outsz, struct wl_error *err);

/* Opens a value made by secrets_seal. *plaintext receives a malloc'd
 * string. A malformed, truncated or tampered value, or the wrong key,
 * fails with WL_EINTERNAL ("could not be decrypted") and *plaintext stays
 * NULL: never partial or garbage output. */
int secrets_open(const unsigned char key[SECRETS_KEY_BYTES], const char *sealed, char **plaintext,
		 struct wl_error *err);

/* Wipes the string (up to its NUL) and frees it. NULL is fine. */
void secrets_free(char *p);

#endif
