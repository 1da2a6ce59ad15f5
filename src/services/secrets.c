/*
 * secrets.c — the master key file and sealing/opening of secrets at rest
 * with crypto_secretbox (see secrets.h). Owns no state: the caller keeps
 * the key.
 *
 * Sealed format: "v1." base64url(nonce, 24 bytes) "." base64url(MAC ||
 * ciphertext), unpadded. The version prefix lets a later key rotation or
 * cipher change tell old values from new ones.
 */
#include "services/secrets.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <sodium.h>

#define SEALED_PREFIX "v1."
#define B64_VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define PLAINTEXT_MAX (64 * 1024) /* far above any Stripe secret */
#define SEALED_MAX (4 * PLAINTEXT_MAX / 3 + 256)

/* ---- master key file ------------------------------------------------- */

/* Creates the missing directories above path, mode 0700. */
static int
make_parent_dirs(const char *path, struct wl_error *err)
{
	char dir[PATH_MAX];
	char *slash;
	size_t n = strlen(path);

	if (n >= sizeof(dir))
		return wl_fail(err, WL_EINTERNAL, "master key path is too long");
	memcpy(dir, path, n + 1);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return WL_OK; /* relative to the working directory, or under / */
	*slash = '\0';
	for (slash = dir + 1; *slash != '\0'; slash++) {
		if (*slash != '/')
			continue;
		*slash = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return wl_fail(err, WL_EINTERNAL, "cannot create directory %s: %s", dir,
				       strerror(errno));
		*slash = '/';
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return wl_fail(err, WL_EINTERNAL, "cannot create directory %s: %s", dir,
			       strerror(errno));
	return WL_OK;
}

/* Reads exactly n bytes; returns n, fewer at end of file, or -1. */
static ssize_t
read_full(int fd, unsigned char *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int
write_full(int fd, const unsigned char *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, p + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

/* Reads an existing key file. Returns 0, 1 if the file does not exist,
 * or a negative error. */
static int
read_key_file(const char *path, unsigned char key[SECRETS_KEY_BYTES], struct wl_error *err)
{
	unsigned char extra;
	struct stat st;
	int fd, rc = WL_EINTERNAL;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd < 0)
		return wl_fail(err, WL_EINTERNAL, "cannot open master key file %s: %s", path,
			       strerror(errno));
	if (fstat(fd, &st) != 0) {
		wl_fail(err, WL_EINTERNAL, "cannot stat master key file %s: %s", path,
			strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		wl_fail(err, WL_EINTERNAL, "master key file %s is not a regular file", path);
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		wl_fail(err, WL_EINTERNAL,
			"master key file %s is accessible by group or others (mode %03o); "
			"refusing to use it: run chmod 600 %s",
			path, (unsigned)(st.st_mode & 0777), path);
		goto out;
	}
	if (st.st_size != SECRETS_KEY_BYTES) {
		wl_fail(err, WL_EINTERNAL,
			"master key file %s must be exactly %d bytes, it has %lld", path,
			SECRETS_KEY_BYTES, (long long)st.st_size);
		goto out;
	}
	if (read_full(fd, key, SECRETS_KEY_BYTES) != SECRETS_KEY_BYTES ||
	    read_full(fd, &extra, 1) != 0) {
		sodium_memzero(key, SECRETS_KEY_BYTES);
		wl_fail(err, WL_EINTERNAL, "master key file %s could not be read as %d bytes", path,
			SECRETS_KEY_BYTES);
		goto out;
	}
	rc = WL_OK;
out:
	close(fd);
	return rc;
}

/* Makes a new key file. Returns 0 (key filled), 1 if another process
 * created the file first, or a negative error. */
static int
create_key_file(const char *path, unsigned char key[SECRETS_KEY_BYTES], struct wl_error *err)
{
	unsigned char fresh[SECRETS_KEY_BYTES];
	char tmp[PATH_MAX];
	int fd, n, rc;

	if (make_parent_dirs(path, err) != WL_OK)
		return WL_EINTERNAL;
	rc = WL_EINTERNAL;
	n = snprintf(tmp, sizeof(tmp), "%s.tmp-%08x%08x", path, randombytes_random(),
		     randombytes_random());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return wl_fail(err, WL_EINTERNAL, "master key path is too long");

	/* O_EXCL on a private name: nobody else writes into our file */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return wl_fail(err, WL_EINTERNAL, "cannot create master key file %s: %s", tmp,
			       strerror(errno));
	randombytes_buf(fresh, sizeof(fresh));
	if (fchmod(fd, 0600) != 0 || write_full(fd, fresh, sizeof(fresh)) != 0 || fsync(fd) != 0) {
		wl_fail(err, WL_EINTERNAL, "cannot write master key file %s: %s", tmp,
			strerror(errno));
		close(fd);
		goto out;
	}
	if (close(fd) != 0) {
		wl_fail(err, WL_EINTERNAL, "cannot write master key file %s: %s", tmp,
			strerror(errno));
		goto out;
	}
	/* link() fails with EEXIST instead of replacing: exactly one process
	 * publishes a key, and the file appears complete or not at all. */
	if (link(tmp, path) != 0) {
		if (errno == EEXIST)
			rc = 1;
		else
			wl_fail(err, WL_EINTERNAL, "cannot create master key file %s: %s", path,
				strerror(errno));
		goto out;
	}
	memcpy(key, fresh, sizeof(fresh));
	rc = WL_OK;
out:
	unlink(tmp);
	sodium_memzero(fresh, sizeof(fresh));
	return rc;
}

int
secrets_load_master_key(const char *path, unsigned char key[SECRETS_KEY_BYTES],
			struct wl_error *err)
{
	int attempt;

	if (path == NULL || path[0] == '\0' || key == NULL)
		return wl_fail(err, WL_EINTERNAL, "no master key file configured");
	if (sodium_init() < 0)
		return wl_fail(err, WL_EINTERNAL, "libsodium could not be initialised");
	/* read; if absent create; if someone beat us to it, read theirs */
	for (attempt = 0; attempt < 3; attempt++) {
		int rc = read_key_file(path, key, err);

		if (rc != 1)
			return rc;
		rc = create_key_file(path, key, err);
		if (rc != 1)
			return rc;
	}
	return wl_fail(err, WL_EINTERNAL, "master key file %s keeps appearing and vanishing", path);
}

/* ---- sealing --------------------------------------------------------- */

int
secrets_seal(const unsigned char key[SECRETS_KEY_BYTES], const char *plaintext, char **out,
	     struct wl_error *err)
{
	unsigned char nonce[crypto_secretbox_NONCEBYTES];
	unsigned char *box = NULL;
	char *text = NULL;
	size_t mlen, boxlen, nonce_b64, box_b64, prefix = sizeof(SEALED_PREFIX) - 1;
	int rc = WL_EINTERNAL;

	if (out != NULL)
		*out = NULL;
	if (key == NULL || plaintext == NULL || out == NULL)
		return wl_fail(err, WL_EINVALID, "nothing to seal");
	mlen = strnlen(plaintext, PLAINTEXT_MAX + 1);
	if (mlen > PLAINTEXT_MAX)
		return wl_fail(err, WL_EINVALID, "secret is too long to store");
	if (sodium_init() < 0)
		return wl_fail(err, WL_EINTERNAL, "libsodium could not be initialised");

	boxlen = crypto_secretbox_MACBYTES + mlen;
	box = malloc(boxlen);
	/* the encoded lengths below include their NUL terminators */
	nonce_b64 = sodium_base64_ENCODED_LEN(sizeof(nonce), B64_VARIANT);
	box_b64 = sodium_base64_ENCODED_LEN(boxlen, B64_VARIANT);
	text = malloc(prefix + nonce_b64 + box_b64);
	if (box == NULL || text == NULL) {
		wl_fail(err, WL_EINTERNAL, "out of memory");
		goto out;
	}
	randombytes_buf(nonce, sizeof(nonce));
	crypto_secretbox_easy(box, (const unsigned char *)plaintext, mlen, nonce, key);

	memcpy(text, SEALED_PREFIX, prefix);
	sodium_bin2base64(text + prefix, nonce_b64, nonce, sizeof(nonce), B64_VARIANT);
	text[prefix + nonce_b64 - 1] = '.';
	sodium_bin2base64(text + prefix + nonce_b64, box_b64, box, boxlen, B64_VARIANT);
	*out = text;
	text = NULL;
	rc = WL_OK;
out:
	free(box);
	free(text);
	return rc;
}

/* Decodes exactly the n characters at b64 into at most max bytes. */
static bool
decode_part(const char *b64, size_t n, unsigned char *bin, size_t max, size_t *len)
{
	const char *end = NULL;

	if (n == 0)
		return false;
	if (sodium_base642bin(bin, max, b64, n, NULL, len, &end, B64_VARIANT) != 0)
		return false;
	return end == b64 + n;
}

static int
open_failed(struct wl_error *err, const char *why)
{
	return wl_fail(err, WL_EINTERNAL, "stored secret could not be decrypted: %s", why);
}

int
secrets_open(const unsigned char key[SECRETS_KEY_BYTES], const char *sealed, char **plaintext,
	     struct wl_error *err)
{
	unsigned char nonce[crypto_secretbox_NONCEBYTES];
	unsigned char *box = NULL, *message = NULL;
	const char *nonce_part, *box_part, *dot;
	size_t total, nonce_len = 0, box_max, box_len = 0, mlen = 0;
	int rc = WL_EINTERNAL;

	if (plaintext != NULL)
		*plaintext = NULL;
	if (key == NULL || sealed == NULL || plaintext == NULL)
		return wl_fail(err, WL_EINVALID, "nothing to open");
	if (sodium_init() < 0)
		return wl_fail(err, WL_EINTERNAL, "libsodium could not be initialised");
	total = strnlen(sealed, SEALED_MAX + 1);
	if (total > SEALED_MAX)
		return open_failed(err, "value is too long");
	if (strncmp(sealed, SEALED_PREFIX, sizeof(SEALED_PREFIX) - 1) != 0)
		return open_failed(err, "not a sealed value (expected v1.…)");
	nonce_part = sealed + sizeof(SEALED_PREFIX) - 1;
	dot = strchr(nonce_part, '.');
	if (dot == NULL)
		return open_failed(err, "value is truncated");
	box_part = dot + 1;
	if (!decode_part(nonce_part, (size_t)(dot - nonce_part), nonce, sizeof(nonce),
			 &nonce_len) ||
	    nonce_len != sizeof(nonce))
		return open_failed(err, "bad nonce");

	box_max = strlen(box_part) / 4 * 3 + 3;
	box = malloc(box_max);
	if (box == NULL)
		return wl_fail(err, WL_EINTERNAL, "out of memory");
	if (!decode_part(box_part, strlen(box_part), box, box_max, &box_len) ||
	    box_len < crypto_secretbox_MACBYTES) {
		open_failed(err, "bad ciphertext");
		goto out;
	}
	mlen = box_len - crypto_secretbox_MACBYTES;
	message = malloc(mlen + 1);
	if (message == NULL) {
		wl_fail(err, WL_EINTERNAL, "out of memory");
		goto out;
	}
	if (crypto_secretbox_open_easy(message, box, box_len, nonce, key) != 0) {
		open_failed(err, "wrong master key or altered value");
		goto out;
	}
	/* our own seal never puts a NUL inside; one here cannot be a string */
	if (memchr(message, '\0', mlen) != NULL) {
		open_failed(err, "value holds a NUL byte");
		goto out;
	}
	message[mlen] = '\0';
	*plaintext = (char *)message;
	message = NULL;
	rc = WL_OK;
out:
	if (message != NULL) {
		sodium_memzero(message, mlen + 1);
		free(message);
	}
	free(box);
	return rc;
}

void
secrets_free(char *p)
{
	if (p == NULL)
		return;
	sodium_memzero(p, strlen(p));
	free(p);
}

int
secrets_seal_to(const unsigned char key[SECRETS_KEY_BYTES], const char *plaintext, char *out,
		size_t outsz, struct wl_error *err)
{
	char *sealed = NULL;
	size_t n;
	int rc = secrets_seal(key, plaintext, &sealed, err);

	if (rc != WL_OK)
		return rc;
	n = strlen(sealed);
	if (out == NULL || n >= outsz) {
		free(sealed);
		return wl_fail(err, WL_EINVALID, "the secret is too long to store");
	}
	memcpy(out, sealed, n + 1);
	free(sealed);
	return WL_OK;
}
