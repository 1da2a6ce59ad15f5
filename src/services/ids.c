/*
 * ids.c — identifiers and secrets on top of libsodium.
 * API keys carry 256 random bits, so a fast hash (BLAKE2b-256) is enough to
 * store them: nobody can guess one from its hash, and lookup stays O(1) on
 * every request. Passwords are low-entropy and get argon2id.
 */
#include "services/ids.h"

#include <sodium.h>
#include <string.h>

#include "core/validate.h"

int
ids_init(void)
{
	return sodium_init() < 0 ? WL_EINTERNAL : WL_OK;
}

void
ids_new_uuid(char out[WL_ID_LEN])
{
	unsigned char raw[16];

	randombytes_buf(raw, sizeof(raw));
	wl_uuid_from_bytes(raw, out);
}

void
ids_time_uuid(int64_t unix_ms, uint64_t salt, uint32_t seq, char out[WL_ID_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t i, o = 0;
	int k;

	for (k = 0; k < 6; k++)
		b[k] = (unsigned char)((uint64_t)unix_ms >> (40 - 8 * k));
	b[6] = (unsigned char)(0x70 | ((salt >> 46) & 0x0f)); /* version 7 */
	b[7] = (unsigned char)(salt >> 38);
	b[8] = (unsigned char)(0x80 | ((salt >> 32) & 0x3f)); /* RFC 4122 variant */
	for (k = 0; k < 3; k++)
		b[9 + k] = (unsigned char)(salt >> (24 - 8 * k));
	for (k = 0; k < 4; k++)
		b[12 + k] = (unsigned char)(seq >> (24 - 8 * k));
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
}

void
ids_random_token(char *out, size_t nbytes_random)
{
	unsigned char raw[64];

	if (nbytes_random > sizeof(raw))
		nbytes_random = sizeof(raw);
	randombytes_buf(raw, nbytes_random);
	sodium_bin2base64(
		out,
		sodium_base64_ENCODED_LEN(nbytes_random, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
		raw, nbytes_random, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void
ids_new_api_key(char key[WL_API_KEY_LEN + 1], unsigned char hash[WL_KEY_HASH_LEN])
{
	memcpy(key, WL_API_KEY_PREFIX, sizeof(WL_API_KEY_PREFIX) - 1);
	ids_random_token(key + sizeof(WL_API_KEY_PREFIX) - 1, 32);
	crypto_generichash(hash, WL_KEY_HASH_LEN, (const unsigned char *)key, strlen(key), NULL, 0);
}

int
ids_hash_api_key(const char *key, size_t n, unsigned char hash[WL_KEY_HASH_LEN])
{
	if (n < sizeof(WL_API_KEY_PREFIX) || n > WL_API_KEY_LEN ||
	    memcmp(key, WL_API_KEY_PREFIX, sizeof(WL_API_KEY_PREFIX) - 1) != 0)
		return WL_EUNAUTHORIZED;
	crypto_generichash(hash, WL_KEY_HASH_LEN, (const unsigned char *)key, n, NULL, 0);
	return WL_OK;
}

int
ids_hash_password(const char *password, char *out, size_t outsz)
{
	if (outsz < crypto_pwhash_STRBYTES)
		return WL_EINTERNAL;
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return WL_EINTERNAL;
	return WL_OK;
}

int
ids_verify_password(const char *encoded, const char *password)
{
	return crypto_pwhash_str_verify(encoded, password, strlen(password)) == 0
		       ? WL_OK
		       : WL_EUNAUTHORIZED;
}

int
ids_token_equal(const char *a, size_t an, const char *b, size_t bn)
{
	unsigned char ha[32], hb[32];

	/* Hash both so the comparison takes the same time whatever the lengths. */
	crypto_generichash(ha, sizeof(ha), (const unsigned char *)a, an, NULL, 0);
	crypto_generichash(hb, sizeof(hb), (const unsigned char *)b, bn, NULL, 0);
	return sodium_memcmp(ha, hb, sizeof(ha)) == 0;
}
