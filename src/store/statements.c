/*
 * statements.c — the SQL text of every statement of the store, both dialects
 * side by side: { what, SQLite, PostgreSQL }. `what` names the subject in
 * error messages ("organization: already exists").
 *
 * The texts live in one table per subject (this file: transactions,
 * organizations, users and keys, the ledger; statements_calls.c: calls,
 * usage, whitelabel, fingerprints, sessions; statements_portal.c: the client
 * portal, purchases, billing; statements_config.c: webhooks, keys paged,
 * limits, the audit trail, per-org configuration, operations), each indexed
 * by enum stmt_id; db_sql_of finds a statement in the one that sets it.
 *
 * To add an operation: add its id to enum stmt_id (statements.h), its pair of
 * texts to the table of its subject, and the operation to the store file of its subject (orgs.c,
 * ledger_ops.c, calls.c, whitelabel.c, sessions.c, meta.c), written once with db.h:
 * db_stmt, db_bind_*, db_step, db_col_*, db_finish. When both dialects read
 * the same, write the text once with BOTH(...) (SQLite numbers `$1, $2, …` by
 * first appearance, so only when they first appear in order). An expected
 * duplicate is `INSERT … ON CONFLICT DO NOTHING` plus db_insert_once, on both.
 *
 * SQLite takes ?N. PostgreSQL's parameters carry an explicit type: it would
 * otherwise infer int4 from a literal such as NULLIF($1, 0) and refuse
 * millisecond times. Values are always bound, never spliced into the text.
 */
#include "store/statements_int.h"

#include <assert.h>
#include <stddef.h>

static const struct db_sql *const tables[] = { db_sql_core, db_sql_calls, db_sql_portal,
					       db_sql_config };

const struct db_sql *
db_sql_of(enum stmt_id id)
{
	size_t i;

	assert((unsigned)id < (unsigned)Q_COUNT);
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (tables[i][id].what != NULL)
			return &tables[i][id];
	assert(!"a statement without a text");
	return &tables[0][id];
}

/* The table is laid out by hand, one statement a block: clang-format off. */
/* clang-format off */
const struct db_sql db_sql_core[Q_COUNT] = {
	/* ---- transactions ----
	 * PostgreSQL's writer runs READ COMMITTED: every decision that matters
	 * (a balance, a call's billed seconds) is read with SELECT … FOR UPDATE
	 * after the rows are locked, and a locking read returns the newest
	 * committed version. Under REPEATABLE READ the same read would fail
	 * whenever another instance had committed to the row since the batch
	 * began, and the writer would spend its time retrying. SQLite's single
	 * writer takes the write lock at BEGIN. */
	[Q_BEGIN] = { "begin", "BEGIN IMMEDIATE", "BEGIN" },
	/* The audit reads balances and entries in one snapshot. */
	[Q_BEGIN_SNAPSHOT] = { "audit", "BEGIN", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" },
	[Q_COMMIT] = { "commit", BOTH("COMMIT") },
	[Q_ROLLBACK] = { "rollback", BOTH("ROLLBACK") },
	[Q_SAVEPOINT] = { "savepoint", BOTH("SAVEPOINT job") },
	[Q_RELEASE] = { "release", BOTH("RELEASE SAVEPOINT job") },
	[Q_ROLLBACK_TO] = { "rollback to", BOTH("ROLLBACK TO SAVEPOINT job") },
	[Q_SCHEMA_VERSION] = { "migration",
		BOTH("SELECT COALESCE(MAX(version), 0) FROM schema_version") },
	[Q_SCHEMA_SET] = { "migration",
		"INSERT INTO schema_version (version) VALUES (?1)",
		"INSERT INTO schema_version (version) VALUES ($1::integer)" },

	/* ---- organizations, users, API keys ---- */
	[Q_ORG_INSERT] = { "organization",
		"INSERT INTO orgs (id, name, parent_id, balance_seconds, is_demo, created_at) "
		"VALUES (?1, ?2, NULLIF(?3, ''), 0, ?4, ?5)",
		"INSERT INTO orgs (id, name, parent_id, balance_seconds, is_demo, created_at) "
		"VALUES ($1::text, $2::text, NULLIF($3::text, ''), 0, $4::boolean, $5::bigint)" },
	/* SQLite's single writer excludes other writers: no lock needed. */
	[Q_ORG_GET] = { "organization",
		"SELECT " ORG_COLS " FROM orgs WHERE id = ?1",
		"SELECT " ORG_COLS " FROM orgs WHERE id = $1::text" },
	[Q_ORG_GET_LOCK] = { "organization",
		"SELECT " ORG_COLS " FROM orgs WHERE id = ?1",
		"SELECT " ORG_COLS " FROM orgs WHERE id = $1::text FOR UPDATE" },
	/* Refuses a negative balance without an error (the CHECK constraint
	 * would abort PostgreSQL's savepoint): 0 rows changed. */
	[Q_ORG_ADD] = { "balance",
		"UPDATE orgs SET balance_seconds = balance_seconds + ?2 "
		"WHERE id = ?1 AND balance_seconds + ?2 >= 0",
		"UPDATE orgs SET balance_seconds = balance_seconds + $2::bigint "
		"WHERE id = $1::text AND balance_seconds + $2::bigint >= 0" },
	[Q_ORG_DEMO_AGENCY] = { "lookup",
		"SELECT id FROM orgs WHERE is_demo = 1 AND parent_id IS NULL "
		"ORDER BY created_at LIMIT 1",
		"SELECT id FROM orgs WHERE is_demo AND parent_id IS NULL "
		"ORDER BY created_at, id LIMIT 1" },
	[Q_ORG_DEMO_CLIENT] = { "lookup",
		"SELECT id FROM orgs WHERE is_demo = 1 AND parent_id = ?1 "
		"ORDER BY created_at LIMIT 1",
		"SELECT id FROM orgs WHERE is_demo AND parent_id = $1::text "
		"ORDER BY created_at, id LIMIT 1" },
	/* Names sort byte-wise on both, whatever PostgreSQL's locale. */
	[Q_ORG_CHILDREN] = { "organizations",
		"SELECT " ORG_COLS " FROM orgs WHERE parent_id = ?1 ORDER BY name, id LIMIT ?2",
		"SELECT " ORG_COLS " FROM orgs WHERE parent_id = $1::text "
		"ORDER BY name COLLATE \"C\", id LIMIT $2::integer" },
	/* A taken e-mail address is an expected answer, not an aborted job. */
	[Q_USER_INSERT] = { "user",
		"INSERT INTO users (id, org_id, email, password_hash, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
		"INSERT INTO users (id, org_id, email, password_hash, created_at) "
		"VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint) "
		"ON CONFLICT DO NOTHING" },
	[Q_USER_GET] = { "user",
		"SELECT " USER_COLS " FROM users u WHERE u.id = ?1",
		"SELECT " USER_COLS " FROM users u WHERE u.id = $1::text" },
	/* users_email_lower makes this an index lookup. */
	[Q_USER_BY_EMAIL] = { "user",
		"SELECT " USER_COLS " FROM users u WHERE lower(u.email) = lower(?1)",
		"SELECT " USER_COLS " FROM users u WHERE lower(u.email) = lower($1::text)" },
	[Q_CLIENT_USERS] = { "users",
		"SELECT " USER_COLS ", o.balance_seconds, u.verified_at, u.last_login_at, "
		"(SELECT COUNT(*) FROM purchases p WHERE p.org_id = u.org_id AND p.status = 'paid'), "
		CLIENT_LIMIT_COLS "FROM users u "
		"JOIN orgs o ON o.id = u.org_id " CLIENT_LIMIT_JOIN "WHERE o.parent_id = ?1 "
		"AND (u.created_at > ?2 OR (u.created_at = ?2 AND u.id > ?3)) "
		"ORDER BY u.created_at, u.id LIMIT ?4",
		"SELECT " USER_COLS ", o.balance_seconds, u.verified_at, u.last_login_at, "
		"(SELECT COUNT(*) FROM purchases p WHERE p.org_id = u.org_id AND p.status = 'paid'), "
		CLIENT_LIMIT_COLS "FROM users u "
		"JOIN orgs o ON o.id = u.org_id " CLIENT_LIMIT_JOIN "WHERE o.parent_id = $1::text "
		"AND (u.created_at, u.id) > ($2::bigint, $3::text) "
		"ORDER BY u.created_at, u.id LIMIT $4::integer" },
	[Q_KEY_INSERT] = { "api key",
		"INSERT INTO api_keys (id, org_id, key_hash, label, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5)",
		"INSERT INTO api_keys (id, org_id, key_hash, label, created_at) "
		"VALUES ($1::text, $2::text, $3::bytea, $4::text, $5::bigint)" },
	[Q_KEY_LOOKUP] = { "lookup",
		"SELECT org_id FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL",
		"SELECT org_id FROM api_keys WHERE key_hash = $1::bytea AND revoked_at IS NULL" },
	[Q_KEY_REVOKE] = { "api key",
		"UPDATE api_keys SET revoked_at = ?3 "
		"WHERE org_id = ?1 AND label = ?2 AND revoked_at IS NULL",
		"UPDATE api_keys SET revoked_at = $3::bigint "
		"WHERE org_id = $1::text AND label = $2::text AND revoked_at IS NULL" },

	/* ---- ledger ---- */
	/* Idempotency: a reference seen before inserts nothing (0 rows). */
	[Q_LEDGER_INSERT] = { "ledger entry",
		"INSERT INTO ledger_entries "
		"(org_id, delta_seconds, kind, reference, description, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (org_id, reference) WHERE " ENTRY_REF_UNIQUE " DO NOTHING",
		"INSERT INTO ledger_entries "
		"(org_id, delta_seconds, kind, reference, description, created_at) "
		"VALUES ($1::text, $2::bigint, $3::text, $4::text, $5::text, $6::bigint) "
		"ON CONFLICT (org_id, reference) WHERE " ENTRY_REF_UNIQUE " DO NOTHING" },
	/* The entry and its balance in one round trip: the entry goes in unless
	 * its reference exists; the balance moves only with a new entry and
	 * only if it stays >= 0. (inserted, updated) = (1,1) applied, (0,0)
	 * duplicate, (1,0) refused: the caller's savepoint removes the entry.
	 * SQLite has no round trip to save (and no DML in WITH): it runs
	 * Q_LEDGER_INSERT, then Q_ORG_ADD. */
	[Q_LEDGER_APPLY] = { "ledger entry",
		NULL,
		"WITH e AS (INSERT INTO ledger_entries "
		"(org_id, delta_seconds, kind, reference, description, created_at) "
		"VALUES ($1::text, $2::bigint, $3::text, $4::text, $5::text, $6::bigint) "
		"ON CONFLICT (org_id, reference) WHERE " ENTRY_REF_UNIQUE " DO NOTHING RETURNING 1), "
		"u AS (UPDATE orgs SET balance_seconds = balance_seconds + $2::bigint "
		"WHERE id = $1::text AND EXISTS (SELECT 1 FROM e) "
		"AND balance_seconds + $2::bigint >= 0 RETURNING 1) "
		"SELECT (SELECT count(*) FROM e), (SELECT count(*) FROM u)" },
	/* A debit whose reference is new and whose balance was read under lock
	 * in this transaction: nothing is read back, so the writer's pipeline
	 * sends it without waiting; a duplicate (unique index) or an overdraft
	 * (CHECK) is an error that fails the batch's pipelined attempt. SQLite
	 * runs Q_LEDGER_INSERT, then Q_ORG_ADD. */
	[Q_LEDGER_APPLY_KNOWN] = { "ledger entry",
		NULL,
		"WITH e AS (INSERT INTO ledger_entries "
		"(org_id, delta_seconds, kind, reference, description, created_at) "
		"VALUES ($1::text, $2::bigint, $3::text, $4::text, $5::text, $6::bigint) "
		"RETURNING 1) "
		"UPDATE orgs SET balance_seconds = balance_seconds + $2::bigint "
		"WHERE id = $1::text AND EXISTS (SELECT 1 FROM e)" },
	/* Two known changes of two different orgs (a client's call: the client
	 * and its agency), entries and balances in one statement. */
	[Q_LEDGER_APPLY_KNOWN_PAIR] = { "ledger entry",
		NULL,
		"WITH e AS (INSERT INTO ledger_entries "
		"(org_id, delta_seconds, kind, reference, description, created_at) "
		"VALUES ($1::text, $2::bigint, $3::text, $4::text, $5::text, $6::bigint), "
		"($7::text, $8::bigint, $9::text, $10::text, $11::text, $12::bigint) "
		"RETURNING org_id, delta_seconds) "
		"UPDATE orgs SET balance_seconds = balance_seconds + e.delta_seconds "
		"FROM e WHERE orgs.id = e.org_id" },
	/* Deferred balances (batch.c): a known change of an org the
	 * batch holds locked writes its entry now and its balance once per
	 * batch, before anything else may read it. A plain INSERT: a known
	 * reference is new (a call's debit: by its call's billed total, not
	 * by an index; migration 16, and `wlportal audit` proves it). */
	[Q_ENTRY_DEFERRED] = { "ledger entry",
		"INSERT INTO ledger_entries "
		"(org_id, delta_seconds, kind, reference, description, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		"INSERT INTO ledger_entries "
		"(org_id, delta_seconds, kind, reference, description, created_at) "
		"VALUES ($1::text, $2::bigint, $3::text, $4::text, $5::text, $6::bigint)" },
	[Q_ENTRY_PAIR_DEFERRED] = { "ledger entry",
		"INSERT INTO ledger_entries "
		"(org_id, delta_seconds, kind, reference, description, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6), (?7, ?8, ?9, ?10, ?11, ?12)",
		"INSERT INTO ledger_entries "
		"(org_id, delta_seconds, kind, reference, description, created_at) "
		"VALUES ($1::text, $2::bigint, $3::text, $4::text, $5::text, $6::bigint), "
		"($7::text, $8::bigint, $9::text, $10::text, $11::text, $12::bigint)" },
	/* A batch's deferred entries (batch.c); PostgreSQL: arrays in column order. */
	[Q_ENTRIES_MANY] = { "ledger entries",
		/* SQLite: DB_BATCH_ROWS rows at a time, the unused ones NULL */
		"INSERT INTO ledger_entries "
		"(org_id, delta_seconds, kind, reference, description, created_at) "
		"SELECT column1, column2, column3, column4, column5, column6 FROM (VALUES "
		"(?1, ?2, ?3, ?4, ?5, ?6), (?7, ?8, ?9, ?10, ?11, ?12), "
		"(?13, ?14, ?15, ?16, ?17, ?18), (?19, ?20, ?21, ?22, ?23, ?24), "
		"(?25, ?26, ?27, ?28, ?29, ?30), (?31, ?32, ?33, ?34, ?35, ?36), "
		"(?37, ?38, ?39, ?40, ?41, ?42), (?43, ?44, ?45, ?46, ?47, ?48), "
		"(?49, ?50, ?51, ?52, ?53, ?54), (?55, ?56, ?57, ?58, ?59, ?60), "
		"(?61, ?62, ?63, ?64, ?65, ?66), (?67, ?68, ?69, ?70, ?71, ?72), "
		"(?73, ?74, ?75, ?76, ?77, ?78), (?79, ?80, ?81, ?82, ?83, ?84), "
		"(?85, ?86, ?87, ?88, ?89, ?90), (?91, ?92, ?93, ?94, ?95, ?96)"
		") WHERE column1 IS NOT NULL",
		"INSERT INTO ledger_entries "
		"(org_id, delta_seconds, kind, reference, description, created_at) "
		"SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], "
		"$5::text[], $6::bigint[])" },
	[Q_ORG_ADD_DEFERRED] = { "balance",
		"UPDATE orgs SET balance_seconds = balance_seconds + ?2 WHERE id = ?1",
		"UPDATE orgs SET balance_seconds = balance_seconds + $2::bigint WHERE id = $1::text" },
	/* Whether a reference was applied: a change refused before any write
	 * still answers "duplicate" for a reference seen before. */
	[Q_LEDGER_EXISTS] = { "ledger entry",
		"SELECT 1 FROM ledger_entries WHERE org_id = ?1 AND reference = ?2 "
		"AND " ENTRY_REF_UNIQUE,
		"SELECT 1 FROM ledger_entries WHERE org_id = $1::text AND reference = $2::text "
		"AND " ENTRY_REF_UNIQUE },
	[Q_AUDIT] = { "audit", BOTH(
		"SELECT o.id, o.balance_seconds, COALESCE(e.total, 0) FROM orgs o "
		"LEFT JOIN (SELECT org_id, SUM(delta_seconds) AS total FROM ledger_entries "
		"GROUP BY org_id) e ON e.org_id = o.id "
		"WHERE o.balance_seconds <> COALESCE(e.total, 0) ORDER BY o.id") },
	/* Every (org, by_billed, day) whose totals differ from its rows: the
	 * totals and the rows' sums side by side. */
	[Q_AUDIT_USAGE_DAYS] = { "audit", BOTH(
		"SELECT org_id, by_billed, day, SUM(ts), SUM(tn), SUM(rs), SUM(rn) FROM ("
		"SELECT org_id, by_billed, day, seconds AS ts, calls AS tn, 0 AS rs, 0 AS rn "
		"FROM usage_days UNION ALL "
		"SELECT org_id, 0, " DAY_OF("created_at") ", 0, 0, duration_sec, 1 FROM usage "
		"UNION ALL "
		"SELECT billed_org_id, 1, " DAY_OF("created_at") ", 0, 0, duration_sec, 1 FROM usage"
		") t GROUP BY org_id, by_billed, day "
		"HAVING SUM(ts) <> SUM(rs) OR SUM(tn) <> SUM(rn) ORDER BY org_id, by_billed, day") },
	/* A call's debits are new by construction, not by an index: the
	 * audit proves it (the other kinds are in the unique index). */
	[Q_AUDIT_REFS] = { "audit", BOTH(
		"SELECT org_id, reference, COUNT(*) FROM ledger_entries "
		"WHERE NOT (" ENTRY_REF_UNIQUE ") "
		"GROUP BY org_id, reference HAVING COUNT(*) > 1 ORDER BY org_id, reference") },
	[Q_AUDIT_COUNT] = { "audit", BOTH(
		"SELECT (SELECT COUNT(*) FROM orgs), (SELECT COUNT(*) FROM ledger_entries)") },
};
/* clang-format on */
