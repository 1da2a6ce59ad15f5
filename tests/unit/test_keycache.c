/*
 * test_keycache.c — store_apikey_org answers from the connection's memory
 * only while the database is unchanged (src/store/keycache.c): a balance
 * moved by another connection, by another store opened on the same file
 * (another process, such as `wlportal admin grant-minutes`), or by the
 * connection itself, and a revoked key, are all seen at the very next
 * lookup; more keys than the memory holds each keep their own org; and
 * an unchanged database is answered without a statement. On SQLite, and
 * on PostgreSQL (which remembers nothing) when WLPORTAL_TEST_PG is set.
 * On SQLite the change check reads the WAL-index header without a lock
 * (src/store/wal_shm.c): the counters of store_version_reads show it is
 * the one that answers, that it sees a commit by another process (this
 * test run again as a child, with its own SQLite), and that PRAGMA
 * data_version answers instead when the header is not consistent (its two
 * copies differ) or there is no -shm at all (":memory:").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "services/ids.h"
#include "store/store.h"

#define KEYS 40 /* more than one connection remembers */

struct org_key {
	char org[WL_ID_LEN];
	unsigned char hash[WL_KEY_HASH_LEN];
};

static void
add_org_key(struct store_conn *c, struct org_key *k, int n)
{
	struct store_org o;
	struct wl_error err;
	char key_id[WL_ID_LEN];

	memset(&o, 0, sizeof(o));
	ids_new_uuid(k->org);
	memcpy(o.id, k->org, WL_ID_LEN);
	snprintf(o.name, sizeof(o.name), "keycache %d", n);
	o.created_at = 1;
	assert_int_equal(store_org_insert(c, &o, &err), WL_OK);
	ids_new_uuid(key_id);
	memset(k->hash, 0, sizeof(k->hash));
	memcpy(k->hash, k->org, 32);
	assert_int_equal(store_apikey_insert(c, key_id, k->org, k->hash, "test", 1, &err), WL_OK);
}

static void
add_balance(struct store_conn *c, const char *org, int64_t delta)
{
	struct wl_error err;

	assert_int_equal(store_begin(c, &err), WL_OK);
	assert_int_equal(store_org_add_balance(c, org, delta, &err), WL_OK);
	assert_int_equal(store_commit(c, &err), WL_OK);
}

static int64_t
balance(struct store_conn *c, const struct org_key *k)
{
	struct store_key_org out;
	struct wl_error err;

	assert_int_equal(store_apikey_org(c, k->hash, NULL, &out, &err), WL_OK);
	assert_string_equal(out.org.id, k->org);
	return out.org.balance_seconds;
}

/* Lock-free and PRAGMA data versions read by c so far. */
struct reads {
	uint64_t header, pragma;
};

static struct reads
reads_of(struct store_conn *c)
{
	struct reads r;

	store_version_reads(c, &r.header, &r.pragma);
	return r;
}

static const char *self_exe;

/* Another process: this test's binary run again (a fresh SQLite, not a
 * fork's copy of this one's state) adds delta to org's balance. */
static void
add_balance_elsewhere(const char *url, const char *org, int64_t delta)
{
	char d[32];
	pid_t pid;
	int status;

	snprintf(d, sizeof(d), "%lld", (long long)delta);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/proc/self/exe", self_exe, "--add-balance", url, org, d, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int
child_add_balance(const char *url, const char *org, const char *delta)
{
	struct wl_error err;
	struct store *s = store_open(url, &err);
	struct store_conn *c = s != NULL ? store_acquire(s, &err) : NULL;
	int rc = 1;

	if (c != NULL && store_begin(c, &err) == WL_OK &&
	    store_org_add_balance(c, org, strtoll(delta, NULL, 10), &err) == WL_OK &&
	    store_commit(c, &err) == WL_OK)
		rc = 0;
	if (c != NULL)
		store_release(c);
	if (s != NULL)
		store_close(s);
	return rc;
}

/* SQLite only: the header answers, sees another process, and gives way to
 * PRAGMA data_version while its two copies differ. */
static void
header_path(const char *url, const char *dir, struct store_conn *a, const struct org_key *k)
{
	struct reads r0, r1;
	char shm[128];
	uint32_t word;
	uint64_t hits;
	int fd, i;

	/* Unchanged: every lookup answered from memory, by the header. */
	assert_int_equal(balance(a, k), 123);
	r0 = reads_of(a);
	hits = store_keycache_hits(a);
	for (i = 0; i < 5; i++)
		assert_int_equal(balance(a, k), 123);
	r1 = reads_of(a);
	assert_int_equal(r1.header, r0.header + 5);
	assert_int_equal(r1.pragma, r0.pragma);
	assert_int_equal(store_keycache_hits(a), hits + 5);

	/* Another process commits: seen at once, still by the header. */
	add_balance_elsewhere(url, k->org, 1000);
	r0 = reads_of(a);
	assert_int_equal(balance(a, k), 1123);
	r1 = reads_of(a);
	assert_int_equal(r1.header, r0.header + 1);
	assert_int_equal(r1.pragma, r0.pragma);

	/* Copy 1 of the header spoiled (its unused word): the two copies
	 * differ, PRAGMA data_version answers (and SQLite, starting its read,
	 * rebuilds the header), and the header answers again after. */
	snprintf(shm, sizeof(shm), "%s/db-shm", dir);
	assert_true((fd = open(shm, O_RDWR)) >= 0);
	assert_int_equal(pread(fd, &word, sizeof(word), 52), (ssize_t)sizeof(word));
	word ^= 0x5a5a5a5aU;
	assert_int_equal(pwrite(fd, &word, sizeof(word), 52), (ssize_t)sizeof(word));
	close(fd);
	r0 = reads_of(a);
	assert_int_equal(balance(a, k), 1123);
	r1 = reads_of(a);
	assert_int_equal(r1.pragma, r0.pragma + 1);
	assert_int_equal(r1.header, r0.header);
	assert_int_equal(balance(a, k), 1123);
	assert_int_equal(reads_of(a).header, r1.header + 1);
}

static void
run(const char *url, bool remembers)
{
	struct store *s = NULL, *other = NULL;
	struct store_conn *a, *b, *x;
	struct store_key_org out;
	struct org_key keys[KEYS];
	struct wl_error err;
	uint64_t hits;
	int i, round;

	assert_int_equal(ids_init(), WL_OK);
	assert_non_null(s = store_open(url, &err));
	assert_int_equal(store_migrate(s, &err), WL_OK);
	assert_non_null(a = store_acquire(s, &err));
	assert_non_null(b = store_acquire(s, &err));
	assert_int_equal(store_begin(b, &err), WL_OK);
	for (i = 0; i < KEYS; i++)
		add_org_key(b, &keys[i], i);
	assert_int_equal(store_commit(b, &err), WL_OK);

	/* Unchanged: the second lookup is a memory copy (SQLite). */
	assert_int_equal(balance(a, &keys[0]), 0);
	hits = store_keycache_hits(a);
	assert_int_equal(balance(a, &keys[0]), 0);
	assert_int_equal(store_keycache_hits(a), remembers ? hits + 1 : 0);

	/* Another connection of this process commits. */
	add_balance(b, keys[0].org, 100);
	assert_int_equal(balance(a, &keys[0]), 100);

	/* Another store on the same database: another process. */
	assert_non_null(other = store_open(url, &err));
	assert_non_null(x = store_acquire(other, &err));
	add_balance(x, keys[0].org, 20);
	assert_int_equal(balance(a, &keys[0]), 120);

	/* The connection's own commit. */
	assert_int_equal(balance(a, &keys[0]), 120);
	add_balance(a, keys[0].org, 3);
	assert_int_equal(balance(a, &keys[0]), 123);

	/* More keys than one connection remembers, each its own org, twice. */
	for (round = 0; round < 2; round++)
		for (i = 0; i < KEYS; i++)
			assert_int_equal(balance(a, &keys[i]), i == 0 ? 123 : 0);

	/* With the month's usage and without: two answers, both right. */
	{
		struct store_usage_query month = { .org_id = "", .from_ms = 0, .to_ms = INT64_MAX };

		assert_int_equal(store_apikey_org(a, keys[1].hash, &month, &out, &err), WL_OK);
		assert_int_equal(out.usage_seconds, 0);
		assert_int_equal(balance(a, &keys[1]), 0);
	}

	if (remembers) {
		char dir[64];

		snprintf(dir, sizeof(dir), "%s", url + strlen("sqlite:"));
		*strrchr(dir, '/') = '\0';
		header_path(url, dir, a, &keys[0]);
	}

	/* A revoked key is refused at once. */
	assert_int_equal(balance(a, &keys[2]), 0);
	assert_int_equal(store_begin(x, &err), WL_OK);
	assert_int_equal(store_apikey_revoke_label(x, keys[2].org, "test", 5, &err), WL_OK);
	assert_int_equal(store_commit(x, &err), WL_OK);
	assert_int_equal(store_apikey_org(a, keys[2].hash, NULL, &out, &err), WL_EUNAUTHORIZED);

	store_release(x);
	store_close(other);
	store_release(b);
	store_release(a);
	store_close(s);
}

static void
test_sqlite(void **state)
{
	char dir[64], url[96];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/wl-keycache-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(url, sizeof(url), "sqlite:%s/db", dir);
	run(url, true);
	snprintf(url, sizeof(url), "rm -rf %s", dir);
	assert_int_equal(system(url), 0);
}

/* No -shm (an in-memory database): PRAGMA data_version answers, still
 * remembering while nothing changed and seeing the connection's own
 * commit. */
static void
test_sqlite_memory(void **state)
{
	struct store *s;
	struct store_conn *a;
	struct org_key k;
	struct reads r;
	struct wl_error err;
	uint64_t hits;

	(void)state;
	assert_int_equal(ids_init(), WL_OK);
	assert_non_null(s = store_open("sqlite::memory:", &err));
	assert_int_equal(store_migrate(s, &err), WL_OK);
	assert_non_null(a = store_acquire(s, &err));
	add_org_key(a, &k, 0);
	assert_int_equal(balance(a, &k), 0);
	hits = store_keycache_hits(a);
	assert_int_equal(balance(a, &k), 0);
	assert_int_equal(store_keycache_hits(a), hits + 1);
	add_balance(a, k.org, 7);
	assert_int_equal(balance(a, &k), 7);
	r = reads_of(a);
	assert_int_equal(r.header, 0);
	assert_true(r.pragma >= 3);
	store_release(a);
	store_close(s);
}

static void
test_pg(void **state)
{
	const char *url = getenv("WLPORTAL_TEST_PG");

	(void)state;
	if (url == NULL || url[0] == '\0') {
		skip();
		return;
	}
	run(url, false);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite),
		cmocka_unit_test(test_sqlite_memory),
		cmocka_unit_test(test_pg),
	};

	if (argc == 5 && strcmp(argv[1], "--add-balance") == 0)
		return child_add_balance(argv[2], argv[3], argv[4]);
	self_exe = argv[0];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
