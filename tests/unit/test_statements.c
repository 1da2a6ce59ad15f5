/*
 * test_statements.c — the store's statement tables (src/store/statements*.c):
 * every statement is set in exactly one subject's table, has a subject and a text in both dialects (or none where
 * an operation says so), no more parameters than a driver binds, a text
 * shared by both numbers its parameters in order of first appearance (as
 * SQLite requires), and every SQLite text prepares against the migrated
 * schema. Catches a statement added to one dialect only.
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
#include <sqlite3.h>

#include "store/db.h"
#include "store/statements_int.h"

/* Statements that one dialect leaves out on purpose. */
static bool
one_dialect_only(enum stmt_id id)
{
	/* SQLite: insert, then balance; a batch's rows need no lock there
	 * (the writer holds the database's); key lookups come from memory; a
	 * statement costs it too little to gather a batch's entries and calls */
	return id == Q_LEDGER_APPLY || id == Q_LEDGER_APPLY_KNOWN ||
	       id == Q_LEDGER_APPLY_KNOWN_PAIR || id == Q_BATCH_LOCK || id == Q_KEY_ORGS ||
	       id == Q_ENTRIES_MANY || id == Q_CALLS_TICK_MANY;
}

/* The highest $N or ?N in a text; *in_order false when some $N first
 * appears before a lower one. */
static int
max_param(const char *sql, bool *in_order)
{
	int max = 0;
	const char *p;

	*in_order = true;
	for (p = sql; *p != '\0'; p++) {
		if ((*p == '$' || *p == '?') && p[1] >= '1' && p[1] <= '9') {
			int n = atoi(p + 1);

			if (n > max + 1)
				*in_order = false;
			if (n > max)
				max = n;
		}
	}
	return max;
}

static void
test_table_complete(void **state)
{
	int id;

	(void)state;
	for (id = 0; id < Q_COUNT; id++) {
		const struct db_sql *const tables[] = { db_sql_core, db_sql_calls, db_sql_portal,
							db_sql_config };
		const struct db_sql *q;
		bool in_order;
		size_t t, set = 0;

		for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
			set += tables[t][id].what != NULL;
		if (set != 1)
			fail_msg("statement %d is set in %zu tables", id, set);
		q = db_sql_of(id);

		assert_non_null(q->what);
		if (!one_dialect_only((enum stmt_id)id)) {
			assert_non_null(q->sqlite);
			assert_non_null(q->pg);
		}
		if (q->sqlite != NULL)
			assert_true(max_param(q->sqlite, &in_order) <= DB_MAX_PARAMS_SQLITE);
		if (q->pg != NULL)
			assert_true(max_param(q->pg, &in_order) <= DB_MAX_PARAMS);
		/* SQLite's batch write-outs bind exactly DB_BATCH_ROWS rows
		 * (batch_out.c): a statement of other rows would drop some */
		if (id == Q_ENTRIES_MANY || id == Q_CALLS_TICK_MANY) {
			assert_int_equal(max_param(q->sqlite, &in_order),
					 (id == Q_ENTRIES_MANY ? 6 : 5) * DB_BATCH_ROWS);
			assert_true(in_order);
		}
		if (q->sqlite != NULL && q->sqlite == q->pg) {
			max_param(q->sqlite, &in_order);
			assert_true(in_order);
		}
	}
}

static void
test_sqlite_prepares_all(void **state)
{
	char dir[64], url[96];
	struct wl_error err;
	struct store *s;
	struct store_conn *c;
	int id;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/wl-stmt-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(url, sizeof(url), "sqlite:%s/db", dir);
	s = store_open(url, &err);
	assert_non_null(s);
	assert_int_equal(store_migrate(s, &err), WL_OK);
	c = store_acquire(s, &err);
	assert_non_null(c);
	for (id = 0; id < Q_COUNT; id++) {
		struct db_stmt *st;

		if (db_sql_of(id)->sqlite == NULL) {
			assert_false(db_has(c, (enum stmt_id)id));
			continue;
		}
		st = db_stmt(c, (enum stmt_id)id, &err);
		if (st == NULL)
			fail_msg("statement %d: %s", id, err.message);
		else
			db_finish(st, WL_OK);
	}
	store_release(c);
	store_close(s);
	snprintf(url, sizeof(url), "rm -rf %s", dir);
	assert_int_equal(system(url), 0);
}

/* The plan of a statement, one detail a line. */
static void
plan_of(sqlite3 *db, const char *sql, char *out, size_t n)
{
	char q[4096];
	sqlite3_stmt *st;
	size_t used = 0;

	snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
	assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
	out[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW && used < n)
		used += (size_t)snprintf(out + used, n - used, "%s\n",
					 (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
}

/* A usage summary reads index ranges only (issue 10): the whole days from
 * usage_days' key, the partial days from usage's (org or payer, created_at)
 * index, never a scan of the usage rows. And the calls' indexes. */
static void
test_usage_sum_plans(void **state)
{
	static const enum stmt_id ids[] = { Q_USAGE_SUM_ORG, Q_USAGE_SUM_BILLED, Q_USAGE_DAYS_ADD };
	char dir[64], path[96], url[112], plan[4096];
	struct wl_error err;
	struct store *s;
	sqlite3 *db;
	size_t i;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/wl-plan-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/db", dir);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	s = store_open(url, &err);
	assert_non_null(s);
	assert_int_equal(store_migrate(s, &err), WL_OK);
	store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		plan_of(db, db_sql_of(ids[i])->sqlite, plan, sizeof(plan));
		if (strstr(plan, "SCAN usage") != NULL)
			fail_msg("statement %d scans: %s", (int)ids[i], plan);
	}
	plan_of(db, db_sql_of(Q_USAGE_SUM_ORG)->sqlite, plan, sizeof(plan));
	assert_non_null(strstr(plan, "SEARCH usage_days USING PRIMARY KEY"));
	assert_non_null(strstr(plan, "SEARCH usage USING INDEX usage_org_created"));
	plan_of(db, db_sql_of(Q_USAGE_SUM_BILLED)->sqlite, plan, sizeof(plan));
	assert_non_null(strstr(plan, "SEARCH usage USING INDEX usage_billed_created"));
	/* The reaper walks the open calls' index; no index holds what every
	 * engine event rewrites (last_event_at), so an event's UPDATE of its
	 * call touches no index (migration 15). */
	plan_of(db, db_sql_of(Q_CALL_STALE)->sqlite, plan, sizeof(plan));
	assert_non_null(strstr(plan, "USING INDEX calls_open_created"));
	/* A batch's calls' seconds (Q_CALLS_TICK_MANY): each row of the
	 * statement finds its call by the primary key, no call is scanned;
	 * the entries' write-out reads no table. */
	plan_of(db, db_sql_of(Q_CALLS_TICK_MANY)->sqlite, plan, sizeof(plan));
	assert_non_null(strstr(plan, "SEARCH calls USING COVERING INDEX sqlite_autoindex_calls_1"));
	assert_null(strstr(plan, "SCAN calls"));
	plan_of(db, db_sql_of(Q_ENTRIES_MANY)->sqlite, plan, sizeof(plan));
	assert_null(strstr(plan, "SEARCH"));
	assert_null(strstr(plan, "SCAN ledger_entries"));
	/* An event that keeps its call's status sets only columns no index
	 * names (Q_CALL_TICK): SQLite rewrites an index whose column is set. */
	assert_null(strstr(db_sql_of(Q_CALL_TICK)->sqlite, "status"));
	assert_null(strstr(db_sql_of(Q_CALLS_TICK_MANY)->sqlite, "status"));
	{
		static const char *const moved[] = { "last_event_at", "elapsed_sec",
						     "billed_seconds", "cut_off" };
		char q[256];
		sqlite3_stmt *st;

		for (i = 0; i < sizeof(moved) / sizeof(moved[0]); i++) {
			assert_non_null(strstr(db_sql_of(Q_CALL_TICK)->sqlite, moved[i]));
			snprintf(q, sizeof(q),
				 "SELECT name FROM sqlite_master WHERE type = 'index' "
				 "AND tbl_name = 'calls' AND sql LIKE '%%%s%%'",
				 moved[i]);
			assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
			if (sqlite3_step(st) == SQLITE_ROW)
				fail_msg("index %s holds %s", sqlite3_column_text(st, 0), moved[i]);
			sqlite3_finalize(st);
		}
	}
	/* The ledger (migration 16): a reference is looked up in the unique
	 * index of the kinds it holds; an org's newest entries are read from
	 * the end of (org_id, id), never sorted. */
	plan_of(db, db_sql_of(Q_LEDGER_EXISTS)->sqlite, plan, sizeof(plan));
	assert_non_null(strstr(plan, "USING INDEX ledger_entries_ref (org_id=? AND reference=?)"));
	plan_of(db, db_sql_of(Q_LEDGER_LIST_ORG)->sqlite, plan, sizeof(plan));
	assert_non_null(strstr(plan, "USING INDEX ledger_entries_org"));
	assert_null(strstr(plan, "TEMP B-TREE"));
	sqlite3_close(db);
	snprintf(url, sizeof(url), "rm -rf %s", dir);
	assert_int_equal(system(url), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_complete),
		cmocka_unit_test(test_sqlite_prepares_all),
		cmocka_unit_test(test_usage_sum_plans),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
