/*
 * ids.h — random identifiers and secrets: UUIDs for rows, API keys (shown to
 * their owner once, stored only as a hash) and password hashing (argon2id,
 * slow on purpose: never call it on a server thread).
 */
#ifndef WL_IDS_H
#define WL_IDS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define WL_API_KEY_PREFIX "wlp_"
#define WL_API_KEY_LEN 48 /* "wlp_" + 43 base64url chars + NUL fits */

int ids_init(void);
void ids_new_uuid(char out[WL_ID_LEN]);
/* A time-ordered UUID (version 7): unix_ms in its first 48 bits, then
 * 42 bits of `salt` (random per writer) and `seq` (32 bits), so ids made
 * in time order by one writer sort in that order (bulk inserts append to
 * their indexes). */
void ids_time_uuid(int64_t unix_ms, uint64_t salt, uint32_t seq, char out[WL_ID_LEN]);
/* A new random API key (printable) and its hash for storage. */
void ids_new_api_key(char key[WL_API_KEY_LEN + 1], unsigned char hash[WL_KEY_HASH_LEN]);
/* Hash of a presented key; WL_EUNAUTHORIZED when it cannot be a key of ours. */
int ids_hash_api_key(const char *key, size_t n, unsigned char hash[WL_KEY_HASH_LEN]);
/* argon2id; out holds the encoded hash string. */
int ids_hash_password(const char *password, char *out, size_t outsz);
int ids_verify_password(const char *encoded, const char *password);
/* A random printable token (base64url), e.g. the engine token. */
void ids_random_token(char *out, size_t nbytes_random);
/* Constant-time comparison of two strings of possibly different length. */
int ids_token_equal(const char *a, size_t an, const char *b, size_t bn);

#endif
