/*
 * test_usage_totals.c — store_usage_sum (src/store/calls.c) reads whole UTC
 * days from the daily totals and the rest from the usage rows: over ranges
 * that start and end mid-day, on day boundaries, within one day, empty, and
 * open-ended (INT64_MAX), for a client (its own rows) and its agency (what it
 * paid), including times before 1970, it must answer exactly what summing
 * the rows answers. On SQLite, and on PostgreSQL when WLPORTAL_TEST_PG is set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/timeutil.h"
#include "services/ids.h"
#include "store/store.h"

#define ROWS 400
#define DAY WL_MS_PER_DAY

struct row {
	bool child; /* the client's call (billed to the agency), else the agency's own */
	int64_t seconds, at;
};

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static int64_t
rnd(int64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (int64_t)(rng % (uint64_t)n);
}

static void
add_org(struct store_conn *c, char id[WL_ID_LEN], const char *parent)
{
	struct store_org o;
	struct wl_error err;

	memset(&o, 0, sizeof(o));
	ids_new_uuid(id);
	memcpy(o.id, id, WL_ID_LEN);
	snprintf(o.name, sizeof(o.name), "totals");
	snprintf(o.parent_id, sizeof(o.parent_id), "%s", parent ? parent : "");
	o.created_at = 1;
	assert_int_equal(store_org_insert(c, &o, &err), WL_OK);
}

static void
add_usage(struct store_conn *c, const char *org, const char *billed, const struct row *r)
{
	struct store_call call;
	struct store_usage u;
	struct wl_error err;

	memset(&call, 0, sizeof(call));
	ids_new_uuid(call.id);
	memcpy(call.org_id, org, WL_ID_LEN);
	memcpy(call.billed_org_id, billed, WL_ID_LEN);
	snprintf(call.direction, sizeof(call.direction), "inbound");
	snprintf(call.status, sizeof(call.status), "ended");
	snprintf(call.to_number, sizeof(call.to_number), "+3120");
	call.billed_seconds = r->seconds;
	call.created_at = r->at;
	call.ended_at = r->at;
	assert_int_equal(store_call_insert(c, &call, &err), WL_OK);
	memset(&u, 0, sizeof(u));
	ids_new_uuid(u.id);
	memcpy(u.org_id, org, WL_ID_LEN);
	memcpy(u.billed_org_id, billed, WL_ID_LEN);
	memcpy(u.call_id, call.id, WL_ID_LEN);
	u.duration_sec = r->seconds;
	u.created_at = r->at;
	if (store_usage_insert(c, &u, &err) != WL_OK)
		fail_msg("usage insert: %s", err.message);
}

static void
brute(const struct row *rows, bool billed, int64_t from, int64_t to, int64_t *secs, int64_t *n)
{
	int i;

	*secs = 0;
	*n = 0;
	for (i = 0; i < ROWS; i++) {
		if ((billed || rows[i].child) && rows[i].at >= from && rows[i].at < to) {
			*secs += rows[i].seconds;
			(*n)++;
		}
	}
}

static void
check_range(struct store_conn *c, const char *agency, const char *client, const struct row *rows,
	    int64_t from, int64_t to)
{
	int k;

	for (k = 0; k < 2; k++) {
		struct store_usage_query q = { k ? agency : client, k == 1, from, to };
		int64_t want_s, want_n, got_s = -1, got_n = -1;
		struct wl_error err;

		brute(rows, k == 1, from, to, &want_s, &want_n);
		if (store_usage_sum(c, &q, &got_s, &got_n, &err) != WL_OK)
			fail_msg("sum: %s", err.message);
		if (got_s != want_s || got_n != want_n)
			fail_msg("[%lld, %lld) %s: %lld s in %lld rows, want %lld in %lld",
				 (long long)from, (long long)to, k ? "agency" : "client",
				 (long long)got_s, (long long)got_n, (long long)want_s,
				 (long long)want_n);
	}
}

static void
run(const char *url)
{
	static struct row rows[ROWS];
	char agency[WL_ID_LEN], client[WL_ID_LEN];
	int64_t base = -2 * DAY, from, to;
	struct wl_error err;
	struct store *s;
	struct store_conn *c;
	int i, d;

	assert_int_equal(ids_init(), WL_OK);
	s = store_open(url, &err);
	assert_non_null(s);
	assert_int_equal(store_migrate(s, &err), WL_OK);
	c = store_acquire(s, &err);
	assert_non_null(c);
	assert_int_equal(store_begin(c, &err), WL_OK);
	add_org(c, agency, NULL);
	add_org(c, client, agency);
	for (i = 0; i < ROWS; i++) {
		rows[i].child = rnd(3) != 0;
		rows[i].seconds = rnd(600);
		/* six days from two days before 1970; some exactly on midnight */
		rows[i].at = base + (rnd(4) == 0 ? rnd(7) * DAY : rnd(6 * DAY));
		add_usage(c, rows[i].child ? client : agency, agency, &rows[i]);
	}
	assert_int_equal(store_commit(c, &err), WL_OK);

	for (d = -1; d <= 6; d++) {
		check_range(c, agency, client, rows, base + d * DAY, base + (d + 1) * DAY);
		check_range(c, agency, client, rows, base + d * DAY, base + (d + 3) * DAY);
		check_range(c, agency, client, rows, base + d * DAY + 1, base + (d + 2) * DAY - 1);
		check_range(c, agency, client, rows, base + d * DAY, INT64_MAX);
		check_range(c, agency, client, rows, base + d * DAY + 5, INT64_MAX);
	}
	for (i = 0; i < 300; i++) {
		from = base - DAY + rnd(8 * DAY);
		to = rnd(10) == 0 ? from - rnd(DAY) : from + rnd(rnd(2) ? DAY : 5 * DAY);
		check_range(c, agency, client, rows, from, to);
	}
	check_range(c, agency, client, rows, INT64_MIN, INT64_MAX);
	check_range(c, agency, client, rows, 0, 0);
	store_release(c);
	store_close(s);
}

static void
test_sqlite(void **state)
{
	char dir[64], url[96];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/wl-totals-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(url, sizeof(url), "sqlite:%s/db", dir);
	run(url);
	snprintf(url, sizeof(url), "rm -rf %s", dir);
	assert_int_equal(system(url), 0);
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
	run(url);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite),
		cmocka_unit_test(test_pg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
