/*
 * statements.c — the SQL text of every statement of the store, both dialects
 * side by side: { what, SQLite, PostgreSQL }. `what` names the subject in
 * error messages ("organization: already exists").
 *
 * To add an operation: add its id to enum stmt_id (statements.h), its pair of
 * texts here, and the operation to the store file of its subject (orgs.c,
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
#include "store/statements.h"

/* The table is laid out by hand, one statement a block: clang-format off. */
/* clang-format off */
#define BOTH(sql) sql, sql

#define CALL_COLS "id, org_id, billed_org_id, direction, status, from_number, to_number, " \
	"number_id, agent_id, elapsed_sec, billed_seconds, cut_off, ended_reason, created_at, ended_at, " \
	"last_event_at"
#define USAGE_COLS "id, org_id, billed_org_id, call_id, duration_sec, number_id, created_at"
#define ORG_COLS "id, name, COALESCE(parent_id, ''), balance_seconds, is_demo, created_at"
#define USER_COLS "u.id, u.org_id, u.email, u.password_hash, u.created_at"
#define WL_COLS "org_id, company_name, COALESCE(slug, ''), logo_url, primary_color, " \
	"accent_color, stripe_publishable_key, stripe_secret_key_sealed, stripe_secret_mode, " \
	"stripe_product_id, stripe_price_id, stripe_webhook_secret_sealed, package_credits, " \
	"package_price_cents, package_currency, active, COALESCE(custom_domain, ''), " \
	"domain_status, domain_reason, domain_checked_at, updated_at, domain_token, " \
	"domain_claimed_at, domain_verified_at"
#define WL_INSERT "INSERT INTO whitelabel (org_id, company_name, slug, logo_url, " \
	"primary_color, accent_color, stripe_publishable_key, stripe_secret_key_sealed, " \
	"stripe_secret_mode, stripe_product_id, stripe_price_id, " \
	"stripe_webhook_secret_sealed, package_credits, package_price_cents, " \
	"package_currency, active, custom_domain, domain_status, domain_reason, " \
	"domain_checked_at, updated_at, domain_token, domain_claimed_at, domain_verified_at) VALUES "
#define WL_UPSERT " ON CONFLICT (org_id) DO UPDATE SET company_name = excluded.company_name, " \
	"slug = excluded.slug, logo_url = excluded.logo_url, " \
	"primary_color = excluded.primary_color, accent_color = excluded.accent_color, " \
	"stripe_publishable_key = excluded.stripe_publishable_key, " \
	"stripe_secret_key_sealed = excluded.stripe_secret_key_sealed, " \
	"stripe_secret_mode = excluded.stripe_secret_mode, " \
	"stripe_product_id = excluded.stripe_product_id, " \
	"stripe_price_id = excluded.stripe_price_id, " \
	"stripe_webhook_secret_sealed = excluded.stripe_webhook_secret_sealed, " \
	"package_credits = excluded.package_credits, " \
	"package_price_cents = excluded.package_price_cents, " \
	"package_currency = excluded.package_currency, active = excluded.active, " \
	"custom_domain = excluded.custom_domain, domain_status = excluded.domain_status, " \
	"domain_reason = excluded.domain_reason, " \
	"domain_checked_at = excluded.domain_checked_at, updated_at = excluded.updated_at, " \
	"domain_token = excluded.domain_token, domain_claimed_at = excluded.domain_claimed_at, " \
	"domain_verified_at = excluded.domain_verified_at"
#define PUSER_COLS "u.id, u.org_id, u.email, u.password_hash, u.created_at, u.verified_at, " \
	"u.last_login_at, COALESCE(o.parent_id, '')"
#define PUSER_FROM " FROM users u JOIN orgs o ON o.id = u.org_id "
#define MAIL_COLS "id, agency_id, kind, to_addr, from_name, subject, body_sealed, status, attempts"
#define PURCHASE_COLS "p.id, p.agency_id, p.org_id, p.user_id, p.session_id, p.status, " \
	"p.credits, p.amount_cents, p.currency, p.event_id, p.created_at, p.paid_at, " \
	"COALESCE(u.email, '')"
#define PURCHASE_FROM " FROM purchases p LEFT JOIN users u ON u.id = p.user_id "
#define PURCHASE_INSERT "INSERT INTO purchases AS p (id, agency_id, org_id, user_id, " \
	"session_id, status, credits, amount_cents, currency, event_id, created_at, paid_at) VALUES "
/* A paid purchase stays as it is; a pending or mismatched one of the same
 * agency and org takes the webhook's verdict. */
#define PURCHASE_SETTLE " ON CONFLICT (session_id) DO UPDATE SET status = excluded.status, " \
	"credits = excluded.credits, amount_cents = excluded.amount_cents, " \
	"currency = excluded.currency, event_id = excluded.event_id, " \
	"paid_at = excluded.paid_at, " \
	"user_id = CASE WHEN p.user_id = '' THEN excluded.user_id ELSE p.user_id END " \
	"WHERE p.status <> 'paid' AND p.agency_id = excluded.agency_id " \
	"AND p.org_id = excluded.org_id"
#define EVENT_COLS "id, agency_id, received_at, event_id, type, signature, outcome, org_id, " \
	"session_id, detail"
#define OPEN_CALL "status IN ('queued','ringing','in-progress')"

const struct db_sql db_sql[Q_COUNT] = {
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
		"(SELECT COUNT(*) FROM purchases p WHERE p.org_id = u.org_id AND p.status = 'paid') "
		"FROM users u "
		"JOIN orgs o ON o.id = u.org_id WHERE o.parent_id = ?1 "
		"AND (u.created_at > ?2 OR (u.created_at = ?2 AND u.id > ?3)) "
		"ORDER BY u.created_at, u.id LIMIT ?4",
		"SELECT " USER_COLS ", o.balance_seconds, u.verified_at, u.last_login_at, "
		"(SELECT COUNT(*) FROM purchases p WHERE p.org_id = u.org_id AND p.status = 'paid') "
		"FROM users u "
		"JOIN orgs o ON o.id = u.org_id WHERE o.parent_id = $1::text "
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
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (org_id, reference) DO NOTHING",
		"INSERT INTO ledger_entries "
		"(org_id, delta_seconds, kind, reference, description, created_at) "
		"VALUES ($1::text, $2::bigint, $3::text, $4::text, $5::text, $6::bigint) "
		"ON CONFLICT (org_id, reference) DO NOTHING" },
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
		"ON CONFLICT (org_id, reference) DO NOTHING RETURNING 1), "
		"u AS (UPDATE orgs SET balance_seconds = balance_seconds + $2::bigint "
		"WHERE id = $1::text AND EXISTS (SELECT 1 FROM e) "
		"AND balance_seconds + $2::bigint >= 0 RETURNING 1) "
		"SELECT (SELECT count(*) FROM e), (SELECT count(*) FROM u)" },
	[Q_AUDIT] = { "audit", BOTH(
		"SELECT o.id, o.balance_seconds, COALESCE(e.total, 0) FROM orgs o "
		"LEFT JOIN (SELECT org_id, SUM(delta_seconds) AS total FROM ledger_entries "
		"GROUP BY org_id) e ON e.org_id = o.id "
		"WHERE o.balance_seconds <> COALESCE(e.total, 0) ORDER BY o.id") },
	[Q_AUDIT_COUNT] = { "audit", BOTH(
		"SELECT (SELECT COUNT(*) FROM orgs), (SELECT COUNT(*) FROM ledger_entries)") },

	/* ---- calls and usage ---- */
	[Q_CALL_INSERT] = { "call",
		"INSERT INTO calls (" CALL_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, NULLIF(?6, ''), "
		"?7, NULLIF(?8, ''), NULLIF(?9, ''), ?10, ?11, ?12, NULLIF(?13, ''), ?14, "
		"NULLIF(?15, 0), ?16)",
		"INSERT INTO calls (" CALL_COLS ") VALUES ($1::text, $2::text, $3::text, "
		"$4::text, $5::text, NULLIF($6::text, ''), $7::text, NULLIF($8::text, ''), "
		"NULLIF($9::text, ''), $10::bigint, $11::bigint, $12::boolean, "
		"NULLIF($13::text, ''), $14::bigint, NULLIF($15::bigint, 0), $16::bigint)" },
	[Q_CALL_GET] = { "call",
		"SELECT " CALL_COLS " FROM calls WHERE id = ?1",
		"SELECT " CALL_COLS " FROM calls WHERE id = $1::text" },
	[Q_CALL_GET_LOCK] = { "call",
		"SELECT " CALL_COLS " FROM calls WHERE id = ?1",
		"SELECT " CALL_COLS " FROM calls WHERE id = $1::text FOR UPDATE" },
	[Q_CALL_UPDATE] = { "call",
		"UPDATE calls SET status = ?2, elapsed_sec = ?3, billed_seconds = ?4, "
		"cut_off = ?5, ended_reason = NULLIF(?6, ''), ended_at = NULLIF(?7, 0), "
		"last_event_at = ?8 WHERE id = ?1",
		"UPDATE calls SET status = $2::text, elapsed_sec = $3::bigint, "
		"billed_seconds = $4::bigint, cut_off = $5::boolean, "
		"ended_reason = NULLIF($6::text, ''), ended_at = NULLIF($7::bigint, 0), "
		"last_event_at = $8::bigint WHERE id = $1::text" },
	[Q_CALL_LIST] = { "calls",
		"SELECT " CALL_COLS " FROM calls WHERE org_id = ?1 "
		"ORDER BY created_at DESC, id DESC LIMIT ?2",
		"SELECT " CALL_COLS " FROM calls WHERE org_id = $1::text "
		"ORDER BY created_at DESC, id DESC LIMIT $2::integer" },
	[Q_CALL_LIST_AFTER] = { "calls",
		"SELECT " CALL_COLS " FROM calls WHERE org_id = ?1 "
		"AND (created_at < ?3 OR (created_at = ?3 AND id < ?4)) "
		"ORDER BY created_at DESC, id DESC LIMIT ?2",
		"SELECT " CALL_COLS " FROM calls WHERE org_id = $1::text "
		"AND (created_at, id) < ($3::bigint, $4::text) "
		"ORDER BY created_at DESC, id DESC LIMIT $2::integer" },
	[Q_NUMBER_ORG] = { "lookup",
		"SELECT org_id FROM phone_numbers WHERE id = ?1",
		"SELECT org_id FROM phone_numbers WHERE id = $1::text" },
	[Q_USAGE_INSERT] = { "usage",
		"INSERT INTO usage (" USAGE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, NULLIF(?6, ''), ?7)",
		"INSERT INTO usage (" USAGE_COLS ") VALUES ($1::text, $2::text, "
		"$3::text, $4::text, $5::bigint, NULLIF($6::text, ''), $7::bigint)" },
	[Q_USAGE_LIST_ORG] = { "usage",
		"SELECT " USAGE_COLS " FROM usage WHERE org_id = ?1 "
		"AND created_at >= ?2 AND created_at < ?3 "
		"AND (created_at > ?4 OR (created_at = ?4 AND id > ?5)) "
		"ORDER BY created_at, id LIMIT ?6",
		"SELECT " USAGE_COLS " FROM usage WHERE org_id = $1::text "
		"AND created_at >= $2::bigint AND created_at < $3::bigint "
		"AND (created_at, id) > ($4::bigint, $5::text) "
		"ORDER BY created_at, id LIMIT $6::integer" },
	[Q_USAGE_LIST_BILLED] = { "usage",
		"SELECT " USAGE_COLS " FROM usage WHERE billed_org_id = ?1 "
		"AND created_at >= ?2 AND created_at < ?3 "
		"AND (created_at > ?4 OR (created_at = ?4 AND id > ?5)) "
		"ORDER BY created_at, id LIMIT ?6",
		"SELECT " USAGE_COLS " FROM usage WHERE billed_org_id = $1::text "
		"AND created_at >= $2::bigint AND created_at < $3::bigint "
		"AND (created_at, id) > ($4::bigint, $5::text) "
		"ORDER BY created_at, id LIMIT $6::integer" },
	[Q_USAGE_SUM_ORG] = { "usage",
		"SELECT COALESCE(SUM(duration_sec), 0), COUNT(*) FROM usage "
		"WHERE org_id = ?1 AND created_at >= ?2 AND created_at < ?3",
		"SELECT COALESCE(SUM(duration_sec), 0), COUNT(*) FROM usage "
		"WHERE org_id = $1::text AND created_at >= $2::bigint AND created_at < $3::bigint" },
	[Q_USAGE_SUM_BILLED] = { "usage",
		"SELECT COALESCE(SUM(duration_sec), 0), COUNT(*) FROM usage "
		"WHERE billed_org_id = ?1 AND created_at >= ?2 AND created_at < ?3",
		"SELECT COALESCE(SUM(duration_sec), 0), COUNT(*) FROM usage "
		"WHERE billed_org_id = $1::text AND created_at >= $2::bigint "
		"AND created_at < $3::bigint" },
	/* Open calls silent since before $1, oldest first (the reaper). */
	[Q_CALL_STALE] = { "stale calls",
		"SELECT " CALL_COLS " FROM calls WHERE " OPEN_CALL " AND last_event_at < ?1 "
		"ORDER BY last_event_at, id LIMIT ?2",
		"SELECT " CALL_COLS " FROM calls WHERE " OPEN_CALL " AND last_event_at < $1::bigint "
		"ORDER BY last_event_at, id LIMIT $2::integer" },
	/* Reconciliation (`wlportal audit`): ended calls without a usage row,
	 * open calls silent since before $1, and how many calls were read. */
	[Q_RECON_UNSETTLED] = { "reconciliation", BOTH(
		"SELECT " CALL_COLS " FROM calls c WHERE status = 'ended' "
		"AND NOT EXISTS (SELECT 1 FROM usage u WHERE u.call_id = c.id) "
		"ORDER BY created_at, id") },
	[Q_RECON_STALE] = { "reconciliation",
		"SELECT " CALL_COLS " FROM calls WHERE " OPEN_CALL " AND last_event_at < ?1 "
		"ORDER BY last_event_at, id",
		"SELECT " CALL_COLS " FROM calls WHERE " OPEN_CALL " AND last_event_at < $1::bigint "
		"ORDER BY last_event_at, id" },
	[Q_RECON_COUNT] = { "reconciliation", BOTH("SELECT COUNT(*) FROM calls") },

	/* ---- whitelabel ---- */
	[Q_WL_GET] = { "whitelabel",
		"SELECT " WL_COLS " FROM whitelabel WHERE org_id = ?1",
		"SELECT " WL_COLS " FROM whitelabel WHERE org_id = $1::text" },
	[Q_WL_GET_LOCK] = { "whitelabel",
		"SELECT " WL_COLS " FROM whitelabel WHERE org_id = ?1",
		"SELECT " WL_COLS " FROM whitelabel WHERE org_id = $1::text FOR UPDATE" },
	/* An upsert on org_id only: a slug or domain of another org hits the
	 * UNIQUE index and fails (WL_ECONFLICT), never replacing that org's
	 * row. On PostgreSQL the error aborts the job's savepoint; the job
	 * fails as a whole and the writer rolls the savepoint back. "" is
	 * NULL, so any number of orgs may have no slug or domain. */
	[Q_WL_PUT] = { "whitelabel",
		WL_INSERT "(?1, ?2, NULLIF(?3, ''), ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
		"?14, ?15, ?16, NULLIF(?17, ''), ?18, ?19, ?20, ?21, ?22, ?23, ?24)" WL_UPSERT,
		WL_INSERT "($1::text, $2::text, NULLIF($3::text, ''), $4::text, $5::text, "
		"$6::text, $7::text, $8::text, $9::text, $10::text, $11::text, $12::text, "
		"$13::bigint, $14::bigint, $15::text, $16::boolean, NULLIF($17::text, ''), "
		"$18::text, $19::text, $20::bigint, $21::bigint, $22::text, $23::bigint, "
		"$24::bigint)" WL_UPSERT },
	[Q_WL_BY_SLUG] = { "whitelabel",
		"SELECT " WL_COLS " FROM whitelabel WHERE slug = ?1",
		"SELECT " WL_COLS " FROM whitelabel WHERE slug = $1::text" },
	[Q_WL_BY_DOMAIN] = { "whitelabel",
		"SELECT " WL_COLS " FROM whitelabel WHERE custom_domain = ?1",
		"SELECT " WL_COLS " FROM whitelabel WHERE custom_domain = $1::text" },
	/* Every slug an org ever set stays reserved to it. */
	[Q_SLUG_OWNER] = { "slug history",
		"SELECT org_id FROM slug_history WHERE slug = ?1",
		"SELECT org_id FROM slug_history WHERE slug = $1::text" },
	[Q_SLUG_RECORD] = { "slug history",
		"INSERT INTO slug_history (slug, org_id, created_at) VALUES (?1, ?2, ?3) "
		"ON CONFLICT (slug) DO NOTHING",
		"INSERT INTO slug_history (slug, org_id, created_at) "
		"VALUES ($1::text, $2::text, $3::bigint) ON CONFLICT (slug) DO NOTHING" },
	[Q_WL_DOMAINS] = { "whitelabel",
		"SELECT " WL_COLS " FROM whitelabel WHERE custom_domain IS NOT NULL "
		"AND org_id > ?1 ORDER BY org_id LIMIT ?2",
		"SELECT " WL_COLS " FROM whitelabel WHERE custom_domain IS NOT NULL "
		"AND org_id > $1::text ORDER BY org_id LIMIT $2::integer" },

	/* ---- idempotency fingerprints, installation values ---- */
	/* A key seen before inserts nothing; its fingerprint is then read. */
	[Q_IDEM_INSERT] = { "idempotency key",
		"INSERT INTO idempotency_keys (scope, key, fingerprint, created_at) "
		"VALUES (?1, ?2, ?3, ?4) ON CONFLICT (scope, key) DO NOTHING",
		"INSERT INTO idempotency_keys (scope, key, fingerprint, created_at) "
		"VALUES ($1::text, $2::text, $3::text, $4::bigint) ON CONFLICT (scope, key) DO NOTHING" },
	[Q_IDEM_GET] = { "idempotency key",
		"SELECT fingerprint FROM idempotency_keys WHERE scope = ?1 AND key = ?2",
		"SELECT fingerprint FROM idempotency_keys WHERE scope = $1::text AND key = $2::text" },
	[Q_META_GET] = { "installation value",
		"SELECT value FROM meta WHERE name = ?1",
		"SELECT value FROM meta WHERE name = $1::text" },
	[Q_META_INSERT] = { "installation value",
		"INSERT INTO meta (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
		"INSERT INTO meta (name, value) VALUES ($1::text, $2::text) "
		"ON CONFLICT (name) DO NOTHING" },
	/* Any one sealed secret (the master key check opens it). */
	[Q_SEALED_SAMPLE] = { "sealed secret", BOTH(
		"SELECT stripe_secret_key_sealed FROM whitelabel "
		"WHERE stripe_secret_key_sealed <> '' UNION ALL "
		"SELECT stripe_webhook_secret_sealed FROM whitelabel "
		"WHERE stripe_webhook_secret_sealed <> '' LIMIT 1") },

	/* ---- sessions and rate limits ---- */
	[Q_SESSION_INSERT] = { "session",
		"INSERT INTO sessions (token_hash, user_id, org_id, csrf_token, created_at, "
		"expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		"INSERT INTO sessions (token_hash, user_id, org_id, csrf_token, created_at, "
		"expires_at) VALUES ($1::bytea, $2::text, $3::text, $4::text, $5::bigint, $6::bigint)" },
	[Q_SESSION_GET] = { "session",
		"SELECT user_id, org_id, csrf_token, created_at, expires_at FROM sessions "
		"WHERE token_hash = ?1 AND expires_at > ?2",
		"SELECT user_id, org_id, csrf_token, created_at, expires_at FROM sessions "
		"WHERE token_hash = $1::bytea AND expires_at > $2::bigint" },
	[Q_SESSION_DELETE] = { "session",
		"DELETE FROM sessions WHERE token_hash = ?1",
		"DELETE FROM sessions WHERE token_hash = $1::bytea" },
	[Q_SESSION_PURGE] = { "session",
		"DELETE FROM sessions WHERE expires_at <= ?1",
		"DELETE FROM sessions WHERE expires_at <= $1::bigint" },
	/* Failed log-ins per bucket (services/sessions.c). On PostgreSQL the
	 * writer's job locks the row it reads; both SET expressions of the add
	 * read the row as it was. */
	[Q_LOGIN_GET] = { "log-in failures",
		"SELECT failures, last_failed_at FROM login_failures WHERE bucket = ?1",
		"SELECT failures, last_failed_at FROM login_failures "
		"WHERE bucket = $1::text FOR UPDATE" },
	[Q_LOGIN_ADD] = { "log-in failures",
		"INSERT INTO login_failures (bucket, failures, last_failed_at) "
		"VALUES (?1, max(?2, 0), ?3) ON CONFLICT (bucket) DO UPDATE SET "
		"failures = max(0, (CASE WHEN last_failed_at < ?4 THEN 0 ELSE failures END) + ?2), "
		"last_failed_at = CASE WHEN ?2 > 0 THEN ?3 ELSE last_failed_at END",
		"INSERT INTO login_failures AS f (bucket, failures, last_failed_at) "
		"VALUES ($1::text, GREATEST($2::bigint, 0), $3::bigint) "
		"ON CONFLICT (bucket) DO UPDATE SET "
		"failures = GREATEST(0, (CASE WHEN f.last_failed_at < $4::bigint THEN 0 "
		"ELSE f.failures END) + $2::bigint), "
		"last_failed_at = CASE WHEN $2::bigint > 0 THEN $3::bigint "
		"ELSE f.last_failed_at END" },
	[Q_LOGIN_CLEAR] = { "log-in failures", BOTH("DELETE FROM login_failures WHERE bucket = $1") },
	[Q_LOGIN_PURGE] = { "log-in failures",
		BOTH("DELETE FROM login_failures WHERE last_failed_at < $1") },
	/* ---- the client portal (issue 9, accounts) ---- */
	[Q_PUSER_GET] = { "user",
		"SELECT " PUSER_COLS PUSER_FROM "WHERE u.id = ?1",
		"SELECT " PUSER_COLS PUSER_FROM "WHERE u.id = $1::text" },
	[Q_PUSER_BY_EMAIL] = { "user",
		"SELECT " PUSER_COLS PUSER_FROM "WHERE lower(u.email) = lower(?1)",
		"SELECT " PUSER_COLS PUSER_FROM "WHERE lower(u.email) = lower($1::text)" },
	[Q_PUSER_VERIFIED] = { "user",
		"UPDATE users SET verified_at = ?2 WHERE id = ?1 AND verified_at = 0",
		"UPDATE users SET verified_at = $2::bigint WHERE id = $1::text AND verified_at = 0" },
	[Q_PUSER_LOGIN] = { "user",
		"UPDATE users SET last_login_at = ?2 WHERE id = ?1",
		"UPDATE users SET last_login_at = $2::bigint WHERE id = $1::text" },
	[Q_PUSER_PASSWORD] = { "user",
		"UPDATE users SET password_hash = ?2 WHERE id = ?1",
		"UPDATE users SET password_hash = $2::text WHERE id = $1::text" },
	[Q_PSESSION_INSERT] = { "portal session",
		"INSERT INTO portal_sessions (token_hash, user_id, org_id, agency_id, csrf_token, "
		"created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		"INSERT INTO portal_sessions (token_hash, user_id, org_id, agency_id, csrf_token, "
		"created_at, expires_at) VALUES ($1::bytea, $2::text, $3::text, $4::text, $5::text, "
		"$6::bigint, $7::bigint)" },
	[Q_PSESSION_GET] = { "portal session",
		"SELECT user_id, org_id, agency_id, csrf_token, created_at, expires_at "
		"FROM portal_sessions WHERE token_hash = ?1 AND expires_at > ?2",
		"SELECT user_id, org_id, agency_id, csrf_token, created_at, expires_at "
		"FROM portal_sessions WHERE token_hash = $1::bytea AND expires_at > $2::bigint" },
	[Q_PSESSION_DELETE] = { "portal session",
		"DELETE FROM portal_sessions WHERE token_hash = ?1",
		"DELETE FROM portal_sessions WHERE token_hash = $1::bytea" },
	/* Every session of a user but the one named (a new password ends the others). */
	[Q_PSESSION_DELETE_USER] = { "portal session",
		"DELETE FROM portal_sessions WHERE user_id = ?1 AND token_hash <> ?2",
		"DELETE FROM portal_sessions WHERE user_id = $1::text AND token_hash <> $2::bytea" },
	[Q_PSESSION_PURGE] = { "portal session",
		"DELETE FROM portal_sessions WHERE expires_at <= ?1",
		"DELETE FROM portal_sessions WHERE expires_at <= $1::bigint" },
	[Q_PTOKEN_INSERT] = { "mailed token",
		"INSERT INTO portal_tokens (token_hash, purpose, user_id, created_at, expires_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5)",
		"INSERT INTO portal_tokens (token_hash, purpose, user_id, created_at, expires_at) "
		"VALUES ($1::bytea, $2::text, $3::text, $4::bigint, $5::bigint)" },
	/* Read under the writer: PostgreSQL locks the row, so two uses of one
	 * token cannot both see it unused. */
	[Q_PTOKEN_GET] = { "mailed token",
		"SELECT user_id, expires_at, used_at FROM portal_tokens "
		"WHERE token_hash = ?1 AND purpose = ?2",
		"SELECT user_id, expires_at, used_at FROM portal_tokens "
		"WHERE token_hash = $1::bytea AND purpose = $2::text FOR UPDATE" },
	/* Using one token of a purpose uses up every other of the user's too. */
	[Q_PTOKEN_USE] = { "mailed token",
		"UPDATE portal_tokens SET used_at = ?3 WHERE user_id = ?1 AND purpose = ?2 "
		"AND used_at = 0",
		"UPDATE portal_tokens SET used_at = $3::bigint WHERE user_id = $1::text "
		"AND purpose = $2::text AND used_at = 0" },
	[Q_PTOKEN_PURGE] = { "mailed token",
		"DELETE FROM portal_tokens WHERE expires_at <= ?1",
		"DELETE FROM portal_tokens WHERE expires_at <= $1::bigint" },
	[Q_PTOKEN_RECENT] = { "mailed token",
		"SELECT COUNT(*) FROM portal_tokens WHERE user_id = ?1 AND purpose = ?2 "
		"AND created_at > ?3",
		"SELECT COUNT(*) FROM portal_tokens WHERE user_id = $1::text AND purpose = $2::text "
		"AND created_at > $3::bigint" },
	[Q_KEY_LIST] = { "api keys",
		"SELECT id, label, created_at, last_used_at, COALESCE(revoked_at, 0) FROM api_keys "
		"WHERE org_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2",
		"SELECT id, label, created_at, last_used_at, COALESCE(revoked_at, 0) FROM api_keys "
		"WHERE org_id = $1::text ORDER BY created_at DESC, id DESC LIMIT $2::integer" },
	[Q_KEY_REVOKE_ID] = { "api key",
		"UPDATE api_keys SET revoked_at = ?3 WHERE id = ?1 AND org_id = ?2 "
		"AND revoked_at IS NULL",
		"UPDATE api_keys SET revoked_at = $3::bigint WHERE id = $1::text "
		"AND org_id = $2::text AND revoked_at IS NULL" },
	[Q_KEY_COUNT_ACTIVE] = { "api keys",
		"SELECT COUNT(*) FROM api_keys WHERE org_id = ?1 AND revoked_at IS NULL",
		"SELECT COUNT(*) FROM api_keys WHERE org_id = $1::text AND revoked_at IS NULL" },
	/* At most one write per key and minute: only when the last is older. */
	[Q_KEY_TOUCH] = { "api key",
		"UPDATE api_keys SET last_used_at = ?2 WHERE key_hash = ?1 AND last_used_at < ?3",
		"UPDATE api_keys SET last_used_at = $2::bigint WHERE key_hash = $1::bytea "
		"AND last_used_at < $3::bigint" },
	[Q_KEY_LOOKUP_USED] = { "lookup",
		"SELECT org_id, last_used_at FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL",
		"SELECT org_id, last_used_at FROM api_keys WHERE key_hash = $1::bytea "
		"AND revoked_at IS NULL" },
	[Q_LEDGER_LIST_ORG] = { "ledger entries",
		"SELECT delta_seconds, kind, reference, description, created_at FROM ledger_entries "
		"WHERE org_id = ?1 ORDER BY id DESC LIMIT ?2",
		"SELECT delta_seconds, kind, reference, description, created_at FROM ledger_entries "
		"WHERE org_id = $1::text ORDER BY id DESC LIMIT $2::integer" },
	[Q_MAIL_INSERT] = { "mail",
		"INSERT INTO mail_outbox (id, agency_id, kind, to_addr, from_name, subject, "
		"body_sealed, next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
		"INSERT INTO mail_outbox (id, agency_id, kind, to_addr, from_name, subject, "
		"body_sealed, next_attempt_at, created_at) VALUES ($1::text, $2::text, $3::text, "
		"$4::text, $5::text, $6::text, $7::text, $8::bigint, $8::bigint)" },
	[Q_MAIL_DUE] = { "mail",
		"SELECT id FROM mail_outbox WHERE status = 'queued' AND next_attempt_at <= ?1 "
		"ORDER BY next_attempt_at, id LIMIT ?2",
		"SELECT id FROM mail_outbox WHERE status = 'queued' AND next_attempt_at <= $1::bigint "
		"ORDER BY next_attempt_at, id LIMIT $2::integer" },
	/* A claim moves the next attempt past the time a send may take, so
	 * another instance does not send the same mail meanwhile. */
	[Q_MAIL_CLAIM] = { "mail",
		"UPDATE mail_outbox SET next_attempt_at = ?3, attempts = attempts + 1 "
		"WHERE id = ?1 AND status = 'queued' AND next_attempt_at <= ?2",
		"UPDATE mail_outbox SET next_attempt_at = $3::bigint, attempts = attempts + 1 "
		"WHERE id = $1::text AND status = 'queued' AND next_attempt_at <= $2::bigint" },
	[Q_MAIL_GET] = { "mail",
		"SELECT " MAIL_COLS " FROM mail_outbox WHERE id = ?1",
		"SELECT " MAIL_COLS " FROM mail_outbox WHERE id = $1::text" },
	/* Once sent or given up, the body (which may hold a token) is dropped. */
	[Q_MAIL_SENT] = { "mail",
		"UPDATE mail_outbox SET status = 'sent', sent_at = ?2, body_sealed = '', "
		"last_error = '' WHERE id = ?1",
		"UPDATE mail_outbox SET status = 'sent', sent_at = $2::bigint, body_sealed = '', "
		"last_error = '' WHERE id = $1::text" },
	[Q_MAIL_RETRY] = { "mail",
		"UPDATE mail_outbox SET next_attempt_at = ?2, last_error = ?3 "
		"WHERE id = ?1 AND status = 'queued'",
		"UPDATE mail_outbox SET next_attempt_at = $2::bigint, last_error = $3::text "
		"WHERE id = $1::text AND status = 'queued'" },
	[Q_MAIL_FAIL] = { "mail",
		"UPDATE mail_outbox SET status = 'failed', body_sealed = '', last_error = ?2 "
		"WHERE id = ?1",
		"UPDATE mail_outbox SET status = 'failed', body_sealed = '', last_error = $2::text "
		"WHERE id = $1::text" },

	/* ---- Stripe purchases and the Stripe events log ---- */
	/* A new Checkout Session; its session id is new (Stripe's), so a
	 * conflict only means the same answer was recorded already. */
	[Q_PURCHASE_PENDING] = { "purchase",
		PURCHASE_INSERT "(?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7, ?8, '', ?9, 0) "
		"ON CONFLICT (session_id) DO NOTHING",
		PURCHASE_INSERT "($1::text, $2::text, $3::text, $4::text, $5::text, 'pending', "
		"$6::bigint, $7::bigint, $8::text, '', $9::bigint, 0) ON CONFLICT (session_id) DO NOTHING" },
	[Q_PURCHASE_SETTLE] = { "purchase",
		PURCHASE_INSERT "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)" PURCHASE_SETTLE,
		PURCHASE_INSERT "($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, "
		"$7::bigint, $8::bigint, $9::text, $10::text, $11::bigint, $12::bigint)"
		PURCHASE_SETTLE },
	[Q_PURCHASE_BY_SESSION] = { "purchase",
		"SELECT " PURCHASE_COLS PURCHASE_FROM "WHERE p.session_id = ?1",
		"SELECT " PURCHASE_COLS PURCHASE_FROM "WHERE p.session_id = $1::text" },
	/* Newest first, after (created_at, id) unless the cursor id is "". */
	[Q_PURCHASE_LIST] = { "purchases",
		"SELECT " PURCHASE_COLS PURCHASE_FROM "WHERE p.agency_id = ?1 "
		"AND (?3 = '' OR p.created_at < ?2 OR (p.created_at = ?2 AND p.id < ?3)) "
		"ORDER BY p.created_at DESC, p.id DESC LIMIT ?4",
		"SELECT " PURCHASE_COLS PURCHASE_FROM "WHERE p.agency_id = $1::text "
		"AND ($3::text = '' OR (p.created_at, p.id) < ($2::bigint, $3::text)) "
		"ORDER BY p.created_at DESC, p.id DESC LIMIT $4::integer" },
	[Q_STRIPE_EVENT_INSERT] = { "stripe event",
		"INSERT INTO stripe_events (" EVENT_COLS ") "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
		"INSERT INTO stripe_events (" EVENT_COLS ") VALUES ($1::text, $2::text, $3::bigint, "
		"$4::text, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text)" },
	/* Unsigned deliveries logged lately: a flood of them is not all kept. */
	[Q_STRIPE_EVENT_BAD_SINCE] = { "stripe events",
		"SELECT COUNT(*) FROM stripe_events WHERE agency_id = ?1 AND received_at >= ?2 "
		"AND outcome = 'bad_signature'",
		"SELECT COUNT(*) FROM stripe_events WHERE agency_id = $1::text "
		"AND received_at >= $2::bigint AND outcome = 'bad_signature'" },
	[Q_STRIPE_EVENT_LIST] = { "stripe events",
		"SELECT " EVENT_COLS " FROM stripe_events WHERE agency_id = ?1 "
		"AND (?3 = '' OR received_at < ?2 OR (received_at = ?2 AND id < ?3)) "
		"ORDER BY received_at DESC, id DESC LIMIT ?4",
		"SELECT " EVENT_COLS " FROM stripe_events WHERE agency_id = $1::text "
		"AND ($3::text = '' OR (received_at, id) < ($2::bigint, $3::text)) "
		"ORDER BY received_at DESC, id DESC LIMIT $4::integer" },
	[Q_OPS_OPEN_CALLS] = { "calls", BOTH(
		"SELECT COUNT(*) FROM calls WHERE status NOT IN ('ended', 'rejected')") },
	[Q_OPS_MAIL_WAITING] = { "mail", BOTH(
		"SELECT COUNT(*) FILTER (WHERE status = 'queued'), "
		"COUNT(*) FILTER (WHERE status = 'failed') FROM mail_outbox "
		"WHERE status <> 'sent'") },
};
/* clang-format on */
