/*
 * test_secrets.c — unit tests for src/services/secrets.c: seal/open round
 * trips, fresh nonces, refusal of every tampered, truncated, wrong-key and
 * garbage input, and the master key file (created 0600 with its
 * directories, reused, refused when the size or mode is wrong, and one key
 * for processes racing to create it). Files live in a temp directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "services/secrets.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static unsigned char key_a[SECRETS_KEY_BYTES];
static unsigned char key_b[SECRETS_KEY_BYTES];

static int
setup_keys(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	randombytes_buf(key_a, sizeof(key_a));
	randombytes_buf(key_b, sizeof(key_b));
	return 0;
}

/* Seals then opens s under key_a and checks it comes back unchanged. */
static void
round_trip(const char *s)
{
	struct wl_error err;
	char *sealed = NULL, *opened = NULL;

	wl_error_clear(&err);
	assert_int_equal(secrets_seal(key_a, s, &sealed, &err), WL_OK);
	assert_non_null(sealed);
	assert_int_equal(strncmp(sealed, "v1.", 3), 0);
	assert_int_equal(strspn(sealed, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					"0123456789-_."),
			 strlen(sealed));
	if (strlen(s) >= 8)
		assert_null(strstr(sealed, s)); /* not readable in the sealed text */
	assert_int_equal(secrets_open(key_a, sealed, &opened, &err), WL_OK);
	assert_non_null(opened);
	assert_string_equal(opened, s);
	secrets_free(opened);
	free(sealed);
}

/* Sealing into a stored column: fits, or refused without writing past it. */
static void
test_seal_to(void **state)
{
	struct wl_error err;
	char buf[512], small[40], *opened = NULL;

	(void)state;
	wl_error_clear(&err);
	assert_int_equal(
		secrets_seal_to(key_a, "sk_test_51AbCdEfGhIjKlMnOp", buf, sizeof(buf), &err),
		WL_OK);
	assert_int_equal(secrets_open(key_a, buf, &opened, &err), WL_OK);
	assert_string_equal(opened, "sk_test_51AbCdEfGhIjKlMnOp");
	secrets_free(opened);
	memset(small, 'Z', sizeof(small));
	assert_int_equal(
		secrets_seal_to(key_a, "sk_test_51AbCdEfGhIjKlMnOp", small, sizeof(small), &err),
		WL_EINVALID);
	assert_int_equal(small[0], 'Z');
	assert_int_equal(secrets_seal_to(key_a, "x", NULL, 0, &err), WL_EINVALID);
}

static void
test_round_trip(void **state)
{
	char *big;

	(void)state;
	round_trip("sk_test_51AbCdEfGhIjKlMnOpQrStUv");
	round_trip("whsec_abcdefgh12345678");
	round_trip("");
	round_trip("x");
	round_trip("B\xc3\xa4renstark \xe2\x82\xac 100");
	big = malloc(10001);
	assert_non_null(big);
	memset(big, 'k', 10000);
	big[10000] = '\0';
	round_trip(big);
	free(big);
}

static void
test_fresh_nonce(void **state)
{
	struct wl_error err;
	char *one = NULL, *two = NULL, *p1 = NULL, *p2 = NULL;

	(void)state;
	wl_error_clear(&err);
	assert_int_equal(secrets_seal(key_a, "sk_live_x_same_same_same", &one, &err), WL_OK);
	assert_int_equal(secrets_seal(key_a, "sk_live_x_same_same_same", &two, &err), WL_OK);
	assert_string_not_equal(one, two);
	/* the nonce parts differ, not just the ciphertexts */
	assert_int_not_equal(memcmp(one, two, (size_t)(strchr(one + 3, '.') - one)), 0);
	assert_int_equal(secrets_open(key_a, one, &p1, &err), WL_OK);
	assert_int_equal(secrets_open(key_a, two, &p2, &err), WL_OK);
	assert_string_equal(p1, p2);
	secrets_free(p1);
	secrets_free(p2);
	free(one);
	free(two);
}

/* secrets_open must fail, leave *out NULL and say why. */
static void
assert_open_fails(const unsigned char *key, const char *sealed)
{
	struct wl_error err;
	char *out = (char *)"untouched";
	int rc;

	wl_error_clear(&err);
	rc = secrets_open(key, sealed, &out, &err);
	if (rc == WL_OK)
		fail_msg("opened a bad value: %s", sealed);
	assert_int_equal(rc, WL_EINTERNAL);
	assert_int_equal(err.code, WL_EINTERNAL);
	assert_null(out);
	assert_non_null(strstr(err.message, "could not be decrypted"));
}

static void
test_tampered(void **state)
{
	struct wl_error err;
	char *sealed = NULL, *copy;
	size_t i, n;

	(void)state;
	wl_error_clear(&err);
	assert_int_equal(secrets_seal(key_a, "sk_test_tamperproof", &sealed, &err), WL_OK);
	n = strlen(sealed);
	copy = malloc(n + 1);
	assert_non_null(copy);
	/* change each character in turn to another one of the alphabet */
	for (i = 0; i < n; i++) {
		memcpy(copy, sealed, n + 1);
		if (copy[i] == '.') {
			copy[i] = 'A';
			assert_open_fails(key_a, copy);
			continue;
		}
		copy[i] = copy[i] == 'A' ? 'B' : 'A';
		assert_open_fails(key_a, copy);
		copy[i] = '.';
		assert_open_fails(key_a, copy);
	}
	/* every truncation */
	for (i = 0; i < n; i++) {
		memcpy(copy, sealed, i);
		copy[i] = '\0';
		assert_open_fails(key_a, copy);
	}
	/* trailing junk */
	{
		char *longer = malloc(n + 3);

		assert_non_null(longer);
		snprintf(longer, n + 3, "%sAA", sealed);
		assert_open_fails(key_a, longer);
		snprintf(longer, n + 3, "%s=", sealed);
		assert_open_fails(key_a, longer);
		snprintf(longer, n + 3, "%s.", sealed);
		assert_open_fails(key_a, longer);
		free(longer);
	}
	free(copy);
	free(sealed);
}

static void
test_wrong_key(void **state)
{
	struct wl_error err;
	char *sealed = NULL;

	(void)state;
	wl_error_clear(&err);
	assert_int_equal(secrets_seal(key_a, "sk_live_x_only_for_key_a", &sealed, &err), WL_OK);
	assert_open_fails(key_b, sealed);
	free(sealed);
}

static void
test_garbage(void **state)
{
	static const char *const garbage[] = {
		"",
		"v1",
		"v1.",
		"v1..",
		"v1...",
		"v2.AAAA.AAAA",
		"V1.AAAA.AAAA",
		"sk_test_plaintext",
		"v1.AAAA.AAAA",
		/* a 24-byte nonce but a box shorter than its MAC */
		"v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAA",
		/* nonce and MAC-sized box of zeros: decodes, fails to verify */
		"v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",
		"v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==.AAAAAAAAAAAAAAAAAAAAAA",
		"v1.AAAAAAAA+AAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",
		"v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAA AAAAAAAAAAAAAAAAA",
		"v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAA\nAAAAAAAAAAA",
		"v1.\xff\xfe.\x01\x02",
	};
	struct wl_error err;
	char *out = NULL;
	char *huge;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(garbage); i++)
		assert_open_fails(key_a, garbage[i]);
	huge = malloc(1 << 20);
	assert_non_null(huge);
	memset(huge, 'A', (1 << 20) - 1);
	memcpy(huge, "v1.", 3);
	huge[(1 << 20) - 1] = '\0';
	assert_open_fails(key_a, huge);
	free(huge);

	/* NULL arguments */
	wl_error_clear(&err);
	assert_int_equal(secrets_open(key_a, NULL, &out, &err), WL_EINVALID);
	assert_int_equal(secrets_open(NULL, "v1.a.b", &out, &err), WL_EINVALID);
	assert_int_equal(secrets_open(key_a, "v1.a.b", NULL, &err), WL_EINVALID);
	assert_int_equal(secrets_seal(key_a, NULL, &out, &err), WL_EINVALID);
	assert_null(out);
	assert_int_equal(secrets_seal(NULL, "x", &out, &err), WL_EINVALID);
	assert_int_equal(secrets_seal(key_a, "x", NULL, &err), WL_EINVALID);
	secrets_free(NULL);
}

/* ---- master key file ------------------------------------------------- */

struct tmp {
	char dir[64];
	char path[128];
};

static int
setup_tmp(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/wl-secrets-XXXXXX");
	if (mkdtemp(t->dir) == NULL) {
		free(t);
		return -1;
	}
	snprintf(t->path, sizeof(t->path), "%s/data/keys/master.key", t->dir);
	*state = t;
	return 0;
}

static int
teardown_tmp(void **state)
{
	struct tmp *t = *state;
	char p[160];

	unlink(t->path);
	snprintf(p, sizeof(p), "%s/data/keys", t->dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/data", t->dir);
	rmdir(p);
	rmdir(t->dir);
	free(t);
	return 0;
}

static void
write_file(const char *path, size_t n, mode_t mode)
{
	FILE *f;
	size_t i;

	f = fopen(path, "wb");
	assert_non_null(f);
	for (i = 0; i < n; i++)
		fputc((int)(i * 7), f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void
test_key_created(void **state)
{
	struct tmp *t = *state;
	unsigned char first[SECRETS_KEY_BYTES], again[SECRETS_KEY_BYTES];
	unsigned char zero[SECRETS_KEY_BYTES] = { 0 };
	struct wl_error err;
	struct stat st;
	char dir[160];

	wl_error_clear(&err);
	assert_int_equal(secrets_load_master_key(t->path, first, &err), WL_OK);
	assert_int_equal(stat(t->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, SECRETS_KEY_BYTES);
	assert_int_not_equal(memcmp(first, zero, sizeof(zero)), 0);
	snprintf(dir, sizeof(dir), "%s/data/keys", t->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	/* the second start reads the same key */
	assert_int_equal(secrets_load_master_key(t->path, again, &err), WL_OK);
	assert_memory_equal(first, again, sizeof(first));
	/* no temporary files were left behind */
	{
		char pattern[200];
		FILE *p;
		int c;

		snprintf(pattern, sizeof(pattern), "ls -A %s/data/keys", t->dir);
		p = popen(pattern, "r");
		assert_non_null(p);
		assert_non_null(fgets(pattern, sizeof(pattern), p));
		assert_string_equal(pattern, "master.key\n");
		c = fgetc(p);
		assert_int_equal(c, EOF);
		pclose(p);
	}
}

static void
test_key_refused(void **state)
{
	struct tmp *t = *state;
	unsigned char key[SECRETS_KEY_BYTES];
	static const struct {
		size_t size;
		mode_t mode;
		const char *says;
	} cases[] = {
		{ 31, 0600, "exactly 32 bytes" }, { 33, 0600, "exactly 32 bytes" },
		{ 0, 0600, "exactly 32 bytes" },  { 32, 0640, "group or others" },
		{ 32, 0604, "group or others" },  { 32, 0620, "group or others" },
		{ 32, 0644, "chmod 600" },
	};
	struct wl_error err;
	char dir[160];
	size_t i;

	snprintf(dir, sizeof(dir), "%s/data", t->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(dir, sizeof(dir), "%s/data/keys", t->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	for (i = 0; i < NELEM(cases); i++) {
		write_file(t->path, cases[i].size, cases[i].mode);
		wl_error_clear(&err);
		assert_int_equal(secrets_load_master_key(t->path, key, &err), WL_EINTERNAL);
		if (strstr(err.message, cases[i].says) == NULL)
			fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.message,
				 cases[i].says);
		assert_non_null(strstr(err.message, t->path));
		/* the refused file is left alone */
		{
			struct stat st;

			assert_int_equal(stat(t->path, &st), 0);
			assert_int_equal((size_t)st.st_size, cases[i].size);
		}
	}
	/* a stricter mode than 0600 is fine */
	write_file(t->path, 32, 0400);
	wl_error_clear(&err);
	assert_int_equal(secrets_load_master_key(t->path, key, &err), WL_OK);
	chmod(t->path, 0600);

	/* a directory where the file should be */
	unlink(t->path);
	assert_int_equal(mkdir(t->path, 0700), 0);
	wl_error_clear(&err);
	assert_int_equal(secrets_load_master_key(t->path, key, &err), WL_EINTERNAL);
	rmdir(t->path);

	wl_error_clear(&err);
	assert_int_equal(secrets_load_master_key("", key, &err), WL_EINTERNAL);
	assert_int_equal(secrets_load_master_key(NULL, key, &err), WL_EINTERNAL);
}

/* Several processes starting at once must all end up with one key. */
static void
test_key_race(void **state)
{
	struct tmp *t = *state;
	enum { NPROC = 8 };
	unsigned char keys[NPROC][SECRETS_KEY_BYTES];
	int fds[NPROC][2];
	pid_t pids[NPROC];
	int i, status;

	for (i = 0; i < NPROC; i++) {
		assert_int_equal(pipe(fds[i]), 0);
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			unsigned char key[SECRETS_KEY_BYTES];
			struct wl_error err;

			close(fds[i][0]);
			wl_error_clear(&err);
			if (secrets_load_master_key(t->path, key, &err) != WL_OK) {
				fprintf(stderr, "child: %s\n", err.message);
				_exit(1);
			}
			if (write(fds[i][1], key, sizeof(key)) != (ssize_t)sizeof(key))
				_exit(1);
			_exit(0);
		}
		close(fds[i][1]);
	}
	for (i = 0; i < NPROC; i++) {
		assert_int_equal(read(fds[i][0], keys[i], SECRETS_KEY_BYTES), SECRETS_KEY_BYTES);
		close(fds[i][0]);
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	for (i = 1; i < NPROC; i++)
		assert_memory_equal(keys[0], keys[i], SECRETS_KEY_BYTES);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_fresh_nonce),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_seal_to),
		cmocka_unit_test_setup_teardown(test_key_created, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_key_refused, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_key_race, setup_tmp, teardown_tmp),
	};

	return cmocka_run_group_tests(tests, setup_keys, NULL);
}
