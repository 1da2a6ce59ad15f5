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
#define USAGE_EXPORT_COLS "u.id, u.org_id, u.billed_org_id, u.call_id, u.duration_sec, " \
	"u.number_id, u.created_at, COALESCE(o.name, '') FROM usage u LEFT JOIN orgs o ON o.id = u.org_id"
#define ORG_COLS "id, name, COALESCE(parent_id, ''), balance_seconds, is_demo, created_at, " \
	"low_balance_minutes, low_balance_armed"
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
	"COALESCE(u.email, ''), p.seller, p.net_cents, p.vat_rate_bp, p.vat_rule"
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
#define BILLING_COLS "org_id, company_name, address, country, vat_id, vat_status, " \
	"vat_checked_at, vat_check_detail, client_invoices, updated_at"
#define INVOICE_COLS "id, seller_id, number, buyer_org_id, purchase_ref, issued_at, issue_date, " \
	"seller_name, seller_address, seller_country, seller_vat_id, buyer_name, buyer_address, " \
	"buyer_country, buyer_vat_id, buyer_vat_status, description, quantity, unit_price_micro, " \
	"net_cents, vat_rate_bp, vat_cents, gross_cents, currency, vat_rule, vat_wording, vat_note"
#define WH_COLS "id, org_id, url, events, description, secret_sealed, old_secret_sealed, " \
	"old_secret_until, created_at, updated_at"
/* The log's columns: the body only where a sender needs it (WD_GET). */
#define WD_COLS "id, org_id, endpoint_id, event, status, attempts, next_attempt_at, " \
	"retry_until, last_status_code, last_duration_ms, last_error, last_response, created_at, " \
	"updated_at, url"
/* floor(col / 86400000): the UTC day of a time (also before 1970). */
#define DAY_OF(col) "CASE WHEN " col " < 0 AND " col " % 86400000 <> 0 " \
	"THEN " col " / 86400000 - 1 ELSE " col " / 86400000 END"
#define USAGE_SUM(billed, col, org, day_from, day_to, a_from, a_to, b_from, b_to) \
	"SELECT COALESCE(SUM(s), 0), COALESCE(SUM(n), 0) FROM (" \
	"SELECT seconds AS s, calls AS n FROM usage_days WHERE org_id = " org \
	" AND by_billed = " billed " AND day >= " day_from " AND day < " day_to \
	" UNION ALL SELECT duration_sec, 1 FROM usage WHERE " col " = " org \
	" AND created_at >= " a_from " AND created_at < " a_to \
	" UNION ALL SELECT duration_sec, 1 FROM usage WHERE " col " = " org \
	" AND created_at >= " b_from " AND created_at < " b_to ") t"
/* Seconds only, as one scalar expression of the org row of the outer query. */
#define USAGE_SECONDS(billed, col, org, day_from, day_to, a_from, a_to, b_from, b_to) \
	"(SELECT COALESCE(SUM(seconds), 0) FROM usage_days WHERE org_id = " org \
	" AND by_billed = " billed " AND day >= " day_from " AND day < " day_to ") + " \
	"(SELECT COALESCE(SUM(duration_sec), 0) FROM usage WHERE " col " = " org \
	" AND created_at >= " a_from " AND created_at < " a_to ") + " \
	"(SELECT COALESCE(SUM(duration_sec), 0) FROM usage WHERE " col " = " org \
	" AND created_at >= " b_from " AND created_at < " b_to ")"
#define KEY_ORG_COLS(day_from, day_to, a_from, a_to, b_from, b_to, with_usage) \
	"SELECT " ORG_COLS ", k.kid, k.klast, CASE WHEN " with_usage " = 0 THEN 0 " \
	"WHEN parent_id IS NULL THEN " USAGE_SECONDS("1", "billed_org_id", "orgs.id", day_from, \
		day_to, a_from, a_to, b_from, b_to) \
	" ELSE " USAGE_SECONDS("0", "org_id", "orgs.id", day_from, day_to, a_from, a_to, b_from, \
		b_to) " END "
#define KEY_ORG(hash, day_from, day_to, a_from, a_to, b_from, b_to, with_usage) \
	KEY_ORG_COLS(day_from, day_to, a_from, a_to, b_from, b_to, with_usage) \
	"FROM (SELECT id AS kid, org_id AS korg, last_used_at AS klast FROM api_keys " \
	"WHERE key_hash = " hash " AND revoked_at IS NULL) k JOIN orgs ON orgs.id = k.korg"
#define USAGE_DAYS_UPSERT "ON CONFLICT (org_id, by_billed, day) DO UPDATE SET " \
	"seconds = usage_days.seconds + excluded.seconds, " \
	"calls = usage_days.calls + excluded.calls"
#define AGENT_COLS "id, org_id, name, system_prompt, first_message, voice_id, language, " \
	"temperature_milli, max_duration_seconds, tool_ids, knowledge_base_ids, webhook_url, " \
	"webhook_events, created_at, updated_at"
#define TOOL_COLS "id, org_id, name, description, parameters, url, timeout_seconds, " \
	"created_at, updated_at"
#define KB_COLS "k.id, k.org_id, k.name, k.description, " \
	"(SELECT COUNT(*) FROM kb_documents d WHERE d.kb_id = k.id), " \
	"(SELECT COALESCE(SUM(d.size_bytes), 0) FROM kb_documents d WHERE d.kb_id = k.id), " \
	"k.created_at, k.updated_at"
#define DOC_COLS "id, org_id, kb_id, filename, content_type, size_bytes, sha256, " \
	"text_bytes, created_at"
#define NUMBER_COLS "id, org_id, number, name, COALESCE(agent_id, ''), created_at, updated_at"
/* An id in a list of ids joined by ',' (an agent's tools or knowledge bases). */
#define IN_ID_LIST(col, p) "(',' || " col " || ',') LIKE ('%,' || " p " || ',%')"
#define OPEN_CALL "status IN ('queued','ringing','in-progress')"
/* SQLite's open-call index has this condition (migration 8), word for word. */
#define OPEN_CALL_SQ "(status = 'queued' OR status = 'ringing' OR status = 'in-progress')"
/* A client's limits beside its users; -1 = none. */
#define CLIENT_LIMIT_COLS "COALESCE(l.max_concurrent_calls, -1), COALESCE(l.monthly_minutes, -1) "
#define CLIENT_LIMIT_JOIN "LEFT JOIN client_limits l ON l.org_id = o.id "
#define KEY_COLS "id, label, created_at, last_used_at, COALESCE(revoked_at, 0)"
#define TRAIL_COLS "id, org_id, agency_id, type, actor_type, actor_id, address, detail, created_at"

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
	 * reference is new, and a repeat must fail the batch, not pass. */
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
	[Q_ORG_ADD_DEFERRED] = { "balance",
		"UPDATE orgs SET balance_seconds = balance_seconds + ?2 WHERE id = ?1",
		"UPDATE orgs SET balance_seconds = balance_seconds + $2::bigint WHERE id = $1::text" },
	/* Whether a reference was applied: a change refused before any write
	 * still answers "duplicate" for a reference seen before. */
	[Q_LEDGER_EXISTS] = { "ledger entry",
		"SELECT 1 FROM ledger_entries WHERE org_id = ?1 AND reference = ?2",
		"SELECT 1 FROM ledger_entries WHERE org_id = $1::text AND reference = $2::text" },
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
	/* A writer batch's rows (batch.c), in the order every job locks them:
	 * the agencies ($1), the orgs ($2), then the calls ($3), each by id;
	 * ids joined by commas. One result of both kinds of row, every column
	 * as text: an org's ORG_COLS in columns 0 to 7, a call's CALL_COLS,
	 * and in column 16 which it is. The first branch of the UNION ALL (and
	 * its locks) is done before the second starts. */
	[Q_BATCH_LOCK] = { "batch rows",
		NULL,
		"SELECT id, name, parent_id, balance_seconds::text, is_demo::text, "
		"created_at::text, low_balance_minutes::text, low_balance_armed::text, "
		"NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'o' FROM ("
		"SELECT id, name, COALESCE(parent_id, '') AS parent_id, balance_seconds, is_demo, "
		"created_at, low_balance_minutes, low_balance_armed FROM orgs "
		"WHERE id = ANY (string_to_array($1::text, ',')) "
		"OR id = ANY (string_to_array($2::text, ',')) "
		"ORDER BY id <> ALL (string_to_array($1::text, ',')), id FOR UPDATE) o "
		"UNION ALL "
		"SELECT id, org_id, billed_org_id, direction, status, from_number, to_number, "
		"number_id, agent_id, elapsed_sec::text, billed_seconds::text, cut_off::text, "
		"ended_reason, created_at::text, ended_at::text, last_event_at::text, 'c' FROM ("
		"SELECT " CALL_COLS " FROM calls WHERE id = ANY (string_to_array($3::text, ',')) "
		"ORDER BY id FOR UPDATE) c" },
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
	/* The totals of a range: whole days [$2, $3) from usage_days, the rest
	 * ([$4, $5) and [$6, $7), the partial first and last day) from the rows,
	 * each an index range (usage_days' key, usage_org_created or
	 * usage_billed_created). store_usage_sum splits the range. */
	[Q_USAGE_SUM_ORG] = { "usage",
		USAGE_SUM("0", "org_id", "?1", "?2", "?3", "?4", "?5", "?6", "?7"),
		USAGE_SUM("0", "org_id", "$1::text", "$2::bigint", "$3::bigint", "$4::bigint",
			"$5::bigint", "$6::bigint", "$7::bigint") },
	[Q_USAGE_SUM_BILLED] = { "usage",
		USAGE_SUM("1", "billed_org_id", "?1", "?2", "?3", "?4", "?5", "?6", "?7"),
		USAGE_SUM("1", "billed_org_id", "$1::text", "$2::bigint", "$3::bigint",
			"$4::bigint", "$5::bigint", "$6::bigint", "$7::bigint") },
	/* One usage row's seconds added to its day, for its org and its payer. */
	[Q_USAGE_DAYS_ADD] = { "usage totals",
		"INSERT INTO usage_days (org_id, by_billed, day, seconds, calls) "
		"VALUES (?1, 0, ?3, ?4, ?5), (?2, 1, ?3, ?4, ?5) " USAGE_DAYS_UPSERT,
		"INSERT INTO usage_days (org_id, by_billed, day, seconds, calls) "
		"VALUES ($1::text, 0, $3::bigint, $4::bigint, $5::bigint), "
		"($2::text, 1, $3::bigint, $4::bigint, $5::bigint) " USAGE_DAYS_UPSERT },
	/* The usage rows with the name of the org that made the call (the CSV
	 * export), oldest first after the key ($4, $5): usage_org_created or
	 * usage_billed_created, one orgs lookup a row. */
	[Q_USAGE_EXPORT_ORG] = { "usage",
		"SELECT " USAGE_EXPORT_COLS " WHERE u.org_id = ?1 "
		"AND u.created_at >= ?2 AND u.created_at < ?3 "
		"AND (u.created_at > ?4 OR (u.created_at = ?4 AND u.id > ?5)) "
		"ORDER BY u.created_at, u.id LIMIT ?6",
		"SELECT " USAGE_EXPORT_COLS " WHERE u.org_id = $1::text "
		"AND u.created_at >= $2::bigint AND u.created_at < $3::bigint "
		"AND (u.created_at, u.id) > ($4::bigint, $5::text) "
		"ORDER BY u.created_at, u.id LIMIT $6::integer" },
	[Q_USAGE_EXPORT_BILLED] = { "usage",
		"SELECT " USAGE_EXPORT_COLS " WHERE u.billed_org_id = ?1 "
		"AND u.created_at >= ?2 AND u.created_at < ?3 "
		"AND (u.created_at > ?4 OR (u.created_at = ?4 AND u.id > ?5)) "
		"ORDER BY u.created_at, u.id LIMIT ?6",
		"SELECT " USAGE_EXPORT_COLS " WHERE u.billed_org_id = $1::text "
		"AND u.created_at >= $2::bigint AND u.created_at < $3::bigint "
		"AND (u.created_at, u.id) > ($4::bigint, $5::text) "
		"ORDER BY u.created_at, u.id LIMIT $6::integer" },
	/* The daily totals of days [$3, $4] of what org $1 used ($2 = 0) or
	 * paid for ($2 = 1), by day: days without calls have no row. */
	[Q_USAGE_DAYS_LIST] = { "usage totals",
		"SELECT day, seconds, calls FROM usage_days WHERE org_id = ?1 AND by_billed = ?2 "
		"AND day >= ?3 AND day <= ?4 ORDER BY day LIMIT ?5",
		"SELECT day, seconds, calls FROM usage_days WHERE org_id = $1::text "
		"AND by_billed = $2::integer AND day >= $3::bigint AND day <= $4::bigint "
		"ORDER BY day LIMIT $5::integer" },
	/* Open calls silent since before $1, oldest first (the reaper): the
	 * open calls by their index (migration 15), their last event from the
	 * rows. */
	[Q_CALL_STALE] = { "stale calls",
		"SELECT " CALL_COLS " FROM calls INDEXED BY calls_open_created WHERE " OPEN_CALL_SQ
		" AND last_event_at < ?1 ORDER BY last_event_at, id LIMIT ?2",
		"SELECT " CALL_COLS " FROM calls WHERE " OPEN_CALL " AND last_event_at < $1::bigint "
		"ORDER BY last_event_at, id LIMIT $2::integer" },
	/* Reconciliation (`wlportal audit`): ended calls without a usage row,
	 * open calls silent since before $1, and how many calls were read. */
	[Q_RECON_UNSETTLED] = { "reconciliation", BOTH(
		"SELECT " CALL_COLS " FROM calls c WHERE status = 'ended' "
		"AND NOT EXISTS (SELECT 1 FROM usage u WHERE u.call_id = c.id) "
		"ORDER BY created_at, id") },
	[Q_RECON_STALE] = { "reconciliation",
		"SELECT " CALL_COLS " FROM calls INDEXED BY calls_open_created WHERE " OPEN_CALL_SQ
		" AND last_event_at < ?1 ORDER BY last_event_at, id",
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
		"WHERE stripe_webhook_secret_sealed <> '' UNION ALL "
		"SELECT key_sealed FROM provider_keys LIMIT 1") },

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
	/* An unrevoked key's org row, the key's id and last use, and with $8 = 1
	 * the org's seconds of usage in [a_from, b_to) as store_usage_sum counts
	 * them (by_billed for an org without a parent): authentication and GET
	 * /api/v1/account in one statement (one round trip on PostgreSQL). */
	[Q_KEY_ORG] = { "lookup",
		KEY_ORG("?1", "?2", "?3", "?4", "?5", "?6", "?7", "?8"),
		KEY_ORG("$1::bytea", "$2::bigint", "$3::bigint", "$4::bigint", "$5::bigint",
			"$6::bigint", "$7::bigint", "$8::integer") },
	/* Q_KEY_ORG for many keys at once, each row with its key's hash in hex
	 * ($1 a text[] of hex hashes); the month's usage always. PostgreSQL
	 * only: the account reads of a moment share one round trip
	 * (http/keybatch.c); SQLite answers each from memory (keycache.c). */
	[Q_KEY_ORGS] = { "lookup",
		NULL,
		KEY_ORG_COLS("$2::bigint", "$3::bigint", "$4::bigint", "$5::bigint", "$6::bigint",
			"$7::bigint", "1") ", encode(k.khash, 'hex') "
		"FROM (SELECT id AS kid, org_id AS korg, last_used_at AS klast, key_hash AS khash "
		"FROM api_keys WHERE key_hash = ANY (SELECT decode(h, 'hex') "
		"FROM unnest($1::text[]) AS h) AND revoked_at IS NULL) k "
		"JOIN orgs ON orgs.id = k.korg" },
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
		"SELECT " PURCHASE_COLS PURCHASE_FROM "WHERE p.agency_id = ?1 AND p.seller = 'agency' "
		"AND (?3 = '' OR p.created_at < ?2 OR (p.created_at = ?2 AND p.id < ?3)) "
		"ORDER BY p.created_at DESC, p.id DESC LIMIT ?4",
		"SELECT " PURCHASE_COLS PURCHASE_FROM "WHERE p.agency_id = $1::text "
		"AND p.seller = 'agency' AND ($3::text = '' OR (p.created_at, p.id) < ($2::bigint, $3::text)) "
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

	/* ---- billing information, invoices, provider keys (issue 12) ---- */
	[Q_PURCHASE_PENDING_PLATFORM] = { "purchase",
		"INSERT INTO purchases (id, agency_id, org_id, user_id, session_id, status, credits, "
		"amount_cents, currency, event_id, created_at, paid_at, seller, net_cents, vat_rate_bp, "
		"vat_rule) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7, ?8, '', ?9, 0, 'platform', "
		"?10, ?11, ?12) ON CONFLICT (session_id) DO NOTHING",
		"INSERT INTO purchases (id, agency_id, org_id, user_id, session_id, status, credits, "
		"amount_cents, currency, event_id, created_at, paid_at, seller, net_cents, vat_rate_bp, "
		"vat_rule) VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, 'pending', "
		"$6::bigint, $7::bigint, $8::text, '', $9::bigint, 0, 'platform', $10::bigint, "
		"$11::bigint, $12::text) ON CONFLICT (session_id) DO NOTHING" },
	[Q_BILLING_GET] = { "billing information",
		"SELECT " BILLING_COLS " FROM billing_info WHERE org_id = ?1",
		"SELECT " BILLING_COLS " FROM billing_info WHERE org_id = $1::text" },
	[Q_BILLING_PUT] = { "billing information",
		"INSERT INTO billing_info (" BILLING_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
		"ON CONFLICT (org_id) DO UPDATE SET company_name = excluded.company_name, "
		"address = excluded.address, country = excluded.country, vat_id = excluded.vat_id, "
		"vat_status = excluded.vat_status, vat_checked_at = excluded.vat_checked_at, "
		"vat_check_detail = excluded.vat_check_detail, "
		"client_invoices = excluded.client_invoices, updated_at = excluded.updated_at",
		"INSERT INTO billing_info (" BILLING_COLS ") VALUES ($1::text, $2::text, $3::text, "
		"$4::text, $5::text, $6::text, $7::bigint, $8::text, $9::bigint, $10::bigint) "
		"ON CONFLICT (org_id) DO UPDATE SET company_name = excluded.company_name, "
		"address = excluded.address, country = excluded.country, vat_id = excluded.vat_id, "
		"vat_status = excluded.vat_status, vat_checked_at = excluded.vat_checked_at, "
		"vat_check_detail = excluded.vat_check_detail, "
		"client_invoices = excluded.client_invoices, updated_at = excluded.updated_at" },
	/* The seller's counter for the year, made or moved on by one in the
	 * writer's transaction: the row stays locked until it commits. */
	[Q_INVOICE_NEXT] = { "invoice number",
		"INSERT INTO invoice_counters (seller_id, year, last_number) VALUES (?1, ?2, 1) "
		"ON CONFLICT (seller_id, year) DO UPDATE SET "
		"last_number = invoice_counters.last_number + 1 RETURNING last_number",
		"INSERT INTO invoice_counters (seller_id, year, last_number) "
		"VALUES ($1::text, $2::bigint, 1) ON CONFLICT (seller_id, year) DO UPDATE SET "
		"last_number = invoice_counters.last_number + 1 RETURNING last_number" },
	[Q_INVOICE_INSERT] = { "invoice",
		"INSERT INTO invoices (" INVOICE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
		"?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, "
		"?27) ON CONFLICT (purchase_ref) DO NOTHING",
		"INSERT INTO invoices (" INVOICE_COLS ") VALUES ($1::text, $2::text, $3::text, "
		"$4::text, $5::text, $6::bigint, $7::text, $8::text, $9::text, $10::text, $11::text, "
		"$12::text, $13::text, $14::text, $15::text, $16::text, $17::text, $18::bigint, "
		"$19::bigint, $20::bigint, $21::bigint, $22::bigint, $23::bigint, $24::text, "
		"$25::text, $26::text, $27::text) ON CONFLICT (purchase_ref) DO NOTHING" },
	[Q_INVOICE_GET] = { "invoice",
		"SELECT " INVOICE_COLS " FROM invoices WHERE id = ?2 "
		"AND (buyer_org_id = ?1 OR seller_id = ?1)",
		"SELECT " INVOICE_COLS " FROM invoices WHERE id = $2::text "
		"AND (buyer_org_id = $1::text OR seller_id = $1::text)" },
	/* Newest first, after (issued_at, id) unless the cursor id is "". */
	[Q_INVOICE_LIST] = { "invoices",
		"SELECT " INVOICE_COLS " FROM invoices WHERE buyer_org_id = ?1 "
		"AND (?3 = '' OR issued_at < ?2 OR (issued_at = ?2 AND id < ?3)) "
		"ORDER BY issued_at DESC, id DESC LIMIT ?4",
		"SELECT " INVOICE_COLS " FROM invoices WHERE buyer_org_id = $1::text "
		"AND ($3::text = '' OR (issued_at, id) < ($2::bigint, $3::text)) "
		"ORDER BY issued_at DESC, id DESC LIMIT $4::integer" },
	/* The same, the org as seller (an agency's invoices to its clients). */
	[Q_INVOICE_SOLD] = { "invoices sold",
		"SELECT " INVOICE_COLS " FROM invoices WHERE seller_id = ?1 "
		"AND (?3 = '' OR issued_at < ?2 OR (issued_at = ?2 AND id < ?3)) "
		"ORDER BY issued_at DESC, id DESC LIMIT ?4",
		"SELECT " INVOICE_COLS " FROM invoices WHERE seller_id = $1::text "
		"AND ($3::text = '' OR (issued_at, id) < ($2::bigint, $3::text)) "
		"ORDER BY issued_at DESC, id DESC LIMIT $4::integer" },
	[Q_PROVIDER_KEY_PUT] = { "provider key",
		"INSERT INTO provider_keys (org_id, provider, key_sealed, updated_at) "
		"VALUES (?1, ?2, ?3, ?4) ON CONFLICT (org_id, provider) DO UPDATE SET "
		"key_sealed = excluded.key_sealed, updated_at = excluded.updated_at",
		"INSERT INTO provider_keys (org_id, provider, key_sealed, updated_at) "
		"VALUES ($1::text, $2::text, $3::text, $4::bigint) ON CONFLICT (org_id, provider) "
		"DO UPDATE SET key_sealed = excluded.key_sealed, updated_at = excluded.updated_at" },
	[Q_PROVIDER_KEY_DELETE] = { "provider key",
		"DELETE FROM provider_keys WHERE org_id = ?1 AND provider = ?2",
		"DELETE FROM provider_keys WHERE org_id = $1::text AND provider = $2::text" },
	[Q_PROVIDER_KEY_LIST] = { "provider keys",
		"SELECT provider FROM provider_keys WHERE org_id = ?1 ORDER BY provider LIMIT ?2",
		"SELECT provider FROM provider_keys WHERE org_id = $1::text ORDER BY provider "
		"LIMIT $2::integer" },
	/* ---- outbound webhooks: endpoints, the deliveries outbox, low-balance alerts ---- */
	/* armed = at or above the threshold when it is set: only a crossing
	 * after that fires. */
	[Q_ORG_SET_LOW_BALANCE] = { "organization",
		"UPDATE orgs SET low_balance_minutes = ?2, "
		"low_balance_armed = (balance_seconds >= ?2 * 60) WHERE id = ?1",
		"UPDATE orgs SET low_balance_minutes = $2::bigint, "
		"low_balance_armed = (balance_seconds >= $2::bigint * 60) WHERE id = $1::text" },
	/* After a balance moved: flips the flag when the balance crossed the
	 * threshold (armed and below: fire; disarmed and at or above: re-arm)
	 * and says so by returning the row; no row when nothing crossed. */
	[Q_ORG_LOW_BALANCE_FLIP] = { "organization",
		"UPDATE orgs SET low_balance_armed = 1 - low_balance_armed WHERE id = ?1 "
		"AND low_balance_minutes > 0 "
		"AND low_balance_armed = (balance_seconds < low_balance_minutes * 60) "
		"RETURNING low_balance_armed, balance_seconds, low_balance_minutes",
		"UPDATE orgs SET low_balance_armed = NOT low_balance_armed WHERE id = $1::text "
		"AND low_balance_minutes > 0 "
		"AND low_balance_armed = (balance_seconds < low_balance_minutes * 60) "
		"RETURNING low_balance_armed, balance_seconds, low_balance_minutes" },
	[Q_WH_INSERT] = { "webhook endpoint",
		"INSERT INTO webhook_endpoints (" WH_COLS ") "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, '', 0, ?7, ?7)",
		"INSERT INTO webhook_endpoints (" WH_COLS ") VALUES ($1::text, $2::text, $3::text, "
		"$4::text, $5::text, $6::text, '', 0, $7::bigint, $7::bigint)" },
	[Q_WH_GET] = { "webhook endpoint",
		"SELECT " WH_COLS " FROM webhook_endpoints WHERE id = ?1",
		"SELECT " WH_COLS " FROM webhook_endpoints WHERE id = $1::text" },
	/* Oldest first, after (created_at, id). */
	[Q_WH_LIST] = { "webhook endpoints",
		"SELECT " WH_COLS " FROM webhook_endpoints WHERE org_id = ?1 "
		"AND (created_at > ?2 OR (created_at = ?2 AND id > ?3)) "
		"ORDER BY created_at, id LIMIT ?4",
		"SELECT " WH_COLS " FROM webhook_endpoints WHERE org_id = $1::text "
		"AND (created_at, id) > ($2::bigint, $3::text) "
		"ORDER BY created_at, id LIMIT $4::integer" },
	[Q_WH_COUNT] = { "webhook endpoints",
		"SELECT COUNT(*) FROM webhook_endpoints WHERE org_id = ?1",
		"SELECT COUNT(*) FROM webhook_endpoints WHERE org_id = $1::text" },
	[Q_WH_UPDATE] = { "webhook endpoint",
		"UPDATE webhook_endpoints SET url = ?3, events = ?4, description = ?5, "
		"updated_at = ?6 WHERE id = ?1 AND org_id = ?2",
		"UPDATE webhook_endpoints SET url = $3::text, events = $4::text, "
		"description = $5::text, updated_at = $6::bigint "
		"WHERE id = $1::text AND org_id = $2::text" },
	/* The current secret becomes the old one, valid until ?4. */
	[Q_WH_ROTATE] = { "webhook endpoint",
		"UPDATE webhook_endpoints SET old_secret_sealed = secret_sealed, "
		"secret_sealed = ?3, old_secret_until = ?4, updated_at = ?5 "
		"WHERE id = ?1 AND org_id = ?2",
		"UPDATE webhook_endpoints SET old_secret_sealed = secret_sealed, "
		"secret_sealed = $3::text, old_secret_until = $4::bigint, updated_at = $5::bigint "
		"WHERE id = $1::text AND org_id = $2::text" },
	[Q_WH_DELETE_DELIVERIES] = { "webhook deliveries",
		"DELETE FROM webhook_deliveries WHERE endpoint_id = ?1",
		"DELETE FROM webhook_deliveries WHERE endpoint_id = $1::text" },
	[Q_WH_DELETE] = { "webhook endpoint",
		"DELETE FROM webhook_endpoints WHERE id = ?1 AND org_id = ?2",
		"DELETE FROM webhook_endpoints WHERE id = $1::text AND org_id = $2::text" },
	[Q_WD_INSERT] = { "webhook delivery",
		"INSERT INTO webhook_deliveries (id, org_id, endpoint_id, event, body, "
		"next_attempt_at, retry_until, created_at, updated_at, url) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, ?6, ?8)",
		"INSERT INTO webhook_deliveries (id, org_id, endpoint_id, event, body, "
		"next_attempt_at, retry_until, created_at, updated_at, url) VALUES ($1::text, "
		"$2::text, $3::text, $4::text, $5::text, $6::bigint, $7::bigint, $6::bigint, "
		"$6::bigint, $8::text)" },
	/* Claims due deliveries until ?2 (the lease). PostgreSQL skips rows
	 * another instance is claiming right now, so none is claimed twice;
	 * SQLite's single writer needs no lock. */
	[Q_WD_CLAIM] = { "webhook deliveries",
		"UPDATE webhook_deliveries SET next_attempt_at = ?2, attempts = attempts + 1, "
		"updated_at = ?1 WHERE id IN (SELECT id FROM webhook_deliveries "
		"WHERE status = 'pending' AND next_attempt_at <= ?1 "
		"ORDER BY next_attempt_at, id LIMIT ?3) RETURNING id, attempts",
		"UPDATE webhook_deliveries SET next_attempt_at = $2::bigint, attempts = attempts + 1, "
		"updated_at = $1::bigint WHERE id IN (SELECT id FROM webhook_deliveries "
		"WHERE status = 'pending' AND next_attempt_at <= $1::bigint "
		"ORDER BY next_attempt_at, id LIMIT $3::integer FOR UPDATE SKIP LOCKED) "
		"RETURNING id, attempts" },
	[Q_WD_GET] = { "webhook delivery",
		"SELECT " WD_COLS ", body FROM webhook_deliveries WHERE id = ?1",
		"SELECT " WD_COLS ", body FROM webhook_deliveries WHERE id = $1::text" },
	/* Only the claim that made attempt ?2 settles it. */
	[Q_WD_SETTLE] = { "webhook delivery",
		"UPDATE webhook_deliveries SET status = ?3, next_attempt_at = ?4, "
		"last_status_code = ?5, last_duration_ms = ?6, last_error = ?7, last_response = ?8, "
		"updated_at = ?9 WHERE id = ?1 AND attempts = ?2 AND status = 'pending'",
		"UPDATE webhook_deliveries SET status = $3::text, next_attempt_at = $4::bigint, "
		"last_status_code = $5::bigint, last_duration_ms = $6::bigint, last_error = $7::text, "
		"last_response = $8::text, updated_at = $9::bigint "
		"WHERE id = $1::text AND attempts = $2::bigint AND status = 'pending'" },
	/* Newest first, after (created_at, id) unless the cursor id is "". */
	[Q_WD_LIST] = { "webhook deliveries",
		"SELECT " WD_COLS ", '' FROM webhook_deliveries WHERE endpoint_id = ?1 "
		"AND (?3 = '' OR created_at < ?2 OR (created_at = ?2 AND id < ?3)) "
		"ORDER BY created_at DESC, id DESC LIMIT ?4",
		"SELECT " WD_COLS ", '' FROM webhook_deliveries WHERE endpoint_id = $1::text "
		"AND ($3::text = '' OR (created_at, id) < ($2::bigint, $3::text)) "
		"ORDER BY created_at DESC, id DESC LIMIT $4::integer" },
	/* A resend: the same delivery due now, with a new retry window. */
	[Q_WD_RESEND] = { "webhook delivery",
		"UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?2, "
		"retry_until = ?3, updated_at = ?2 WHERE id = ?1",
		"UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $2::bigint, "
		"retry_until = $3::bigint, updated_at = $2::bigint WHERE id = $1::text" },
	/* ---- API keys paged, client limits, the audit trail (issue 13) ---- */
	/* Newest first, after (created_at, id) unless the cursor id is "". */
	[Q_KEY_PAGE] = { "api keys",
		"SELECT " KEY_COLS " FROM api_keys WHERE org_id = ?1 "
		"AND (?3 = '' OR created_at < ?2 OR (created_at = ?2 AND id < ?3)) "
		"ORDER BY created_at DESC, id DESC LIMIT ?4",
		"SELECT " KEY_COLS " FROM api_keys WHERE org_id = $1::text "
		"AND ($3::text = '' OR (created_at, id) < ($2::bigint, $3::text)) "
		"ORDER BY created_at DESC, id DESC LIMIT $4::integer" },
	[Q_KEY_GET] = { "api key",
		"SELECT " KEY_COLS " FROM api_keys WHERE id = ?1 AND org_id = ?2",
		"SELECT " KEY_COLS " FROM api_keys WHERE id = $1::text AND org_id = $2::text" },
	/* -1 stands for "no limit" (NULL in the table). */
	[Q_LIMITS_GET] = { "limits",
		"SELECT COALESCE(max_concurrent_calls, -1), COALESCE(monthly_minutes, -1) "
		"FROM client_limits WHERE org_id = ?1",
		"SELECT COALESCE(max_concurrent_calls, -1), COALESCE(monthly_minutes, -1) "
		"FROM client_limits WHERE org_id = $1::text" },
	[Q_LIMITS_PUT] = { "limits",
		"INSERT INTO client_limits (org_id, max_concurrent_calls, monthly_minutes, updated_at) "
		"VALUES (?1, NULLIF(?2, -1), NULLIF(?3, -1), ?4) ON CONFLICT (org_id) DO UPDATE SET "
		"max_concurrent_calls = excluded.max_concurrent_calls, "
		"monthly_minutes = excluded.monthly_minutes, updated_at = excluded.updated_at",
		"INSERT INTO client_limits (org_id, max_concurrent_calls, monthly_minutes, updated_at) "
		"VALUES ($1::text, NULLIF($2::bigint, -1), NULLIF($3::bigint, -1), $4::bigint) "
		"ON CONFLICT (org_id) DO UPDATE SET "
		"max_concurrent_calls = excluded.max_concurrent_calls, "
		"monthly_minutes = excluded.monthly_minutes, updated_at = excluded.updated_at" },
	/* calls_org_open makes this an index lookup. */
	[Q_CALLS_OPEN_COUNT] = { "calls",
		"SELECT COUNT(*) FROM calls WHERE org_id = ?1 AND " OPEN_CALL_SQ,
		"SELECT COUNT(*) FROM calls WHERE org_id = $1::text AND " OPEN_CALL },
	[Q_TRAIL_INSERT] = { "audit event",
		"INSERT INTO audit_events (" TRAIL_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
		"INSERT INTO audit_events (" TRAIL_COLS ") VALUES ($1::text, $2::text, $3::text, "
		"$4::text, $5::text, $6::text, $7::text, $8::text, $9::bigint)" },
	/* Newest first in [$4, $5), of type $6 unless it is "", after
	 * (created_at, id) unless the cursor id is "". An agency's list holds
	 * its own events and its clients'; a client's only its own. */
	[Q_TRAIL_LIST_AGENCY] = { "audit events",
		"SELECT " TRAIL_COLS " FROM audit_events WHERE agency_id = ?1 "
		"AND (?3 = '' OR created_at < ?2 OR (created_at = ?2 AND id < ?3)) "
		"AND created_at >= ?4 AND created_at < ?5 AND (?6 = '' OR type = ?6) "
		"ORDER BY created_at DESC, id DESC LIMIT ?7",
		"SELECT " TRAIL_COLS " FROM audit_events WHERE agency_id = $1::text "
		"AND ($3::text = '' OR (created_at, id) < ($2::bigint, $3::text)) "
		"AND created_at >= $4::bigint AND created_at < $5::bigint "
		"AND ($6::text = '' OR type = $6::text) "
		"ORDER BY created_at DESC, id DESC LIMIT $7::integer" },
	[Q_TRAIL_LIST_ORG] = { "audit events",
		"SELECT " TRAIL_COLS " FROM audit_events WHERE org_id = ?1 "
		"AND (?3 = '' OR created_at < ?2 OR (created_at = ?2 AND id < ?3)) "
		"AND created_at >= ?4 AND created_at < ?5 AND (?6 = '' OR type = ?6) "
		"ORDER BY created_at DESC, id DESC LIMIT ?7",
		"SELECT " TRAIL_COLS " FROM audit_events WHERE org_id = $1::text "
		"AND ($3::text = '' OR (created_at, id) < ($2::bigint, $3::text)) "
		"AND created_at >= $4::bigint AND created_at < $5::bigint "
		"AND ($6::text = '' OR type = $6::text) "
		"ORDER BY created_at DESC, id DESC LIMIT $7::integer" },
	/* ---- per-org configuration (issue 11) ----
	 * Every read names the org: another org's id is simply not found.
	 * Lists are oldest first, after (created_at, id) unless the cursor id
	 * is "". The locking reads are the writer's (PostgreSQL: FOR UPDATE),
	 * so a conditional write (If-Match) compares under the row's lock. */
	[Q_AGENT_INSERT] = { "agent",
		"INSERT INTO agents (" AGENT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
		"?10, ?11, ?12, ?13, ?14, ?15)",
		"INSERT INTO agents (" AGENT_COLS ") VALUES ($1::text, $2::text, $3::text, "
		"$4::text, $5::text, $6::text, $7::text, $8::bigint, $9::bigint, $10::text, "
		"$11::text, $12::text, $13::text, $14::bigint, $15::bigint)" },
	[Q_AGENT_GET] = { "agent",
		"SELECT " AGENT_COLS " FROM agents WHERE id = ?1 AND org_id = ?2",
		"SELECT " AGENT_COLS " FROM agents WHERE id = $1::text AND org_id = $2::text" },
	[Q_AGENT_GET_LOCK] = { "agent",
		"SELECT " AGENT_COLS " FROM agents WHERE id = ?1 AND org_id = ?2",
		"SELECT " AGENT_COLS " FROM agents WHERE id = $1::text AND org_id = $2::text "
		"FOR UPDATE" },
	[Q_AGENT_UPDATE] = { "agent",
		"UPDATE agents SET name = ?3, system_prompt = ?4, first_message = ?5, voice_id = ?6, "
		"language = ?7, temperature_milli = ?8, max_duration_seconds = ?9, tool_ids = ?10, "
		"knowledge_base_ids = ?11, webhook_url = ?12, webhook_events = ?13, "
		"updated_at = ?14 WHERE id = ?1 AND org_id = ?2",
		"UPDATE agents SET name = $3::text, system_prompt = $4::text, "
		"first_message = $5::text, voice_id = $6::text, language = $7::text, "
		"temperature_milli = $8::bigint, max_duration_seconds = $9::bigint, "
		"tool_ids = $10::text, knowledge_base_ids = $11::text, webhook_url = $12::text, "
		"webhook_events = $13::text, updated_at = $14::bigint "
		"WHERE id = $1::text AND org_id = $2::text" },
	[Q_AGENT_DELETE] = { "agent",
		"DELETE FROM agents WHERE id = ?1 AND org_id = ?2",
		"DELETE FROM agents WHERE id = $1::text AND org_id = $2::text" },
	[Q_AGENT_LIST] = { "agents",
		"SELECT " AGENT_COLS " FROM agents WHERE org_id = ?1 "
		"AND (?3 = '' OR created_at > ?2 OR (created_at = ?2 AND id > ?3)) "
		"ORDER BY created_at, id LIMIT ?4",
		"SELECT " AGENT_COLS " FROM agents WHERE org_id = $1::text "
		"AND ($3::text = '' OR (created_at, id) > ($2::bigint, $3::text)) "
		"ORDER BY created_at, id LIMIT $4::integer" },
	[Q_AGENT_USING_TOOL] = { "agent",
		"SELECT name FROM agents WHERE org_id = ?1 AND " IN_ID_LIST("tool_ids", "?2")
		" ORDER BY created_at, id LIMIT 1",
		"SELECT name FROM agents WHERE org_id = $1::text AND "
		IN_ID_LIST("tool_ids", "$2::text") " ORDER BY created_at, id LIMIT 1" },
	[Q_AGENT_USING_KB] = { "agent",
		"SELECT name FROM agents WHERE org_id = ?1 AND "
		IN_ID_LIST("knowledge_base_ids", "?2") " ORDER BY created_at, id LIMIT 1",
		"SELECT name FROM agents WHERE org_id = $1::text AND "
		IN_ID_LIST("knowledge_base_ids", "$2::text") " ORDER BY created_at, id LIMIT 1" },
	/* The pages' lists and choices: no prompts read. */
	[Q_AGENT_BRIEFS] = { "agents",
		"SELECT id, name, language, voice_id, updated_at FROM agents WHERE org_id = ?1 "
		"ORDER BY created_at, id LIMIT ?2",
		"SELECT id, name, language, voice_id, updated_at FROM agents WHERE org_id = $1::text "
		"ORDER BY created_at, id LIMIT $2::integer" },
	/* A name taken in the org is a unique violation: WL_ECONFLICT. */
	[Q_TOOL_INSERT] = { "tool",
		"INSERT INTO tools (" TOOL_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
		"INSERT INTO tools (" TOOL_COLS ") VALUES ($1::text, $2::text, $3::text, "
		"$4::text, $5::text, $6::text, $7::bigint, $8::bigint, $9::bigint)" },
	[Q_TOOL_GET] = { "tool",
		"SELECT " TOOL_COLS " FROM tools WHERE id = ?1 AND org_id = ?2",
		"SELECT " TOOL_COLS " FROM tools WHERE id = $1::text AND org_id = $2::text" },
	[Q_TOOL_GET_LOCK] = { "tool",
		"SELECT " TOOL_COLS " FROM tools WHERE id = ?1 AND org_id = ?2",
		"SELECT " TOOL_COLS " FROM tools WHERE id = $1::text AND org_id = $2::text "
		"FOR UPDATE" },
	[Q_TOOL_UPDATE] = { "tool",
		"UPDATE tools SET name = ?3, description = ?4, parameters = ?5, url = ?6, "
		"timeout_seconds = ?7, updated_at = ?8 WHERE id = ?1 AND org_id = ?2",
		"UPDATE tools SET name = $3::text, description = $4::text, parameters = $5::text, "
		"url = $6::text, timeout_seconds = $7::bigint, updated_at = $8::bigint "
		"WHERE id = $1::text AND org_id = $2::text" },
	[Q_TOOL_DELETE] = { "tool",
		"DELETE FROM tools WHERE id = ?1 AND org_id = ?2",
		"DELETE FROM tools WHERE id = $1::text AND org_id = $2::text" },
	[Q_TOOL_LIST] = { "tools",
		"SELECT " TOOL_COLS " FROM tools WHERE org_id = ?1 "
		"AND (?3 = '' OR created_at > ?2 OR (created_at = ?2 AND id > ?3)) "
		"ORDER BY created_at, id LIMIT ?4",
		"SELECT " TOOL_COLS " FROM tools WHERE org_id = $1::text "
		"AND ($3::text = '' OR (created_at, id) > ($2::bigint, $3::text)) "
		"ORDER BY created_at, id LIMIT $4::integer" },
	[Q_KB_INSERT] = { "knowledge base",
		"INSERT INTO knowledge_bases (id, org_id, name, description, created_at, updated_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		"INSERT INTO knowledge_bases (id, org_id, name, description, created_at, updated_at) "
		"VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint, $6::bigint)" },
	[Q_KB_GET] = { "knowledge base",
		"SELECT " KB_COLS " FROM knowledge_bases k WHERE k.id = ?1 AND k.org_id = ?2",
		"SELECT " KB_COLS " FROM knowledge_bases k WHERE k.id = $1::text "
		"AND k.org_id = $2::text" },
	[Q_KB_GET_LOCK] = { "knowledge base",
		"SELECT " KB_COLS " FROM knowledge_bases k WHERE k.id = ?1 AND k.org_id = ?2",
		"SELECT " KB_COLS " FROM knowledge_bases k WHERE k.id = $1::text "
		"AND k.org_id = $2::text FOR UPDATE OF k" },
	[Q_KB_UPDATE] = { "knowledge base",
		"UPDATE knowledge_bases SET name = ?3, description = ?4, updated_at = ?5 "
		"WHERE id = ?1 AND org_id = ?2",
		"UPDATE knowledge_bases SET name = $3::text, description = $4::text, "
		"updated_at = $5::bigint WHERE id = $1::text AND org_id = $2::text" },
	[Q_KB_DELETE] = { "knowledge base",
		"DELETE FROM knowledge_bases WHERE id = ?1 AND org_id = ?2",
		"DELETE FROM knowledge_bases WHERE id = $1::text AND org_id = $2::text" },
	[Q_KB_LIST] = { "knowledge bases",
		"SELECT " KB_COLS " FROM knowledge_bases k WHERE k.org_id = ?1 "
		"AND (?3 = '' OR k.created_at > ?2 OR (k.created_at = ?2 AND k.id > ?3)) "
		"ORDER BY k.created_at, k.id LIMIT ?4",
		"SELECT " KB_COLS " FROM knowledge_bases k WHERE k.org_id = $1::text "
		"AND ($3::text = '' OR (k.created_at, k.id) > ($2::bigint, $3::text)) "
		"ORDER BY k.created_at, k.id LIMIT $4::integer" },
	[Q_DOC_INSERT] = { "document",
		"INSERT INTO kb_documents (id, org_id, kb_id, filename, content_type, size_bytes, "
		"sha256, content, text, text_bytes, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
		"?8, NULLIF(?9, ''), ?10, ?11)",
		"INSERT INTO kb_documents (id, org_id, kb_id, filename, content_type, size_bytes, "
		"sha256, content, text, text_bytes, created_at) VALUES ($1::text, $2::text, $3::text, "
		"$4::text, $5::text, $6::bigint, $7::text, $8::bytea, NULLIF($9::text, ''), "
		"$10::bigint, $11::bigint)" },
	[Q_DOC_GET] = { "document",
		"SELECT " DOC_COLS " FROM kb_documents WHERE id = ?1 AND kb_id = ?2 AND org_id = ?3",
		"SELECT " DOC_COLS " FROM kb_documents WHERE id = $1::text AND kb_id = $2::text "
		"AND org_id = $3::text" },
	[Q_DOC_CONTENT] = { "document",
		"SELECT size_bytes, content FROM kb_documents WHERE id = ?1 AND kb_id = ?2 "
		"AND org_id = ?3",
		"SELECT size_bytes, content FROM kb_documents WHERE id = $1::text "
		"AND kb_id = $2::text AND org_id = $3::text" },
	[Q_DOC_TEXT] = { "document",
		"SELECT text_bytes, COALESCE(text, '') FROM kb_documents "
		"WHERE id = ?1 AND kb_id = ?2 AND org_id = ?3",
		"SELECT text_bytes, COALESCE(text, '') FROM kb_documents "
		"WHERE id = $1::text AND kb_id = $2::text AND org_id = $3::text" },
	[Q_DOC_DELETE] = { "document",
		"DELETE FROM kb_documents WHERE id = ?1 AND kb_id = ?2 AND org_id = ?3",
		"DELETE FROM kb_documents WHERE id = $1::text AND kb_id = $2::text "
		"AND org_id = $3::text" },
	[Q_DOC_DELETE_KB] = { "document",
		"DELETE FROM kb_documents WHERE kb_id = ?1 AND org_id = ?2",
		"DELETE FROM kb_documents WHERE kb_id = $1::text AND org_id = $2::text" },
	[Q_DOC_LIST] = { "documents",
		"SELECT " DOC_COLS " FROM kb_documents WHERE kb_id = ?1 AND org_id = ?5 "
		"AND (?3 = '' OR created_at > ?2 OR (created_at = ?2 AND id > ?3)) "
		"ORDER BY created_at, id LIMIT ?4",
		"SELECT " DOC_COLS " FROM kb_documents WHERE kb_id = $1::text AND org_id = $5::text "
		"AND ($3::text = '' OR (created_at, id) > ($2::bigint, $3::text)) "
		"ORDER BY created_at, id LIMIT $4::integer" },
	[Q_DOC_ORG_BYTES] = { "documents",
		"SELECT COALESCE(SUM(size_bytes), 0) FROM kb_documents WHERE org_id = ?1",
		"SELECT COALESCE(SUM(size_bytes), 0)::bigint FROM kb_documents "
		"WHERE org_id = $1::text" },
	/* A number taken on the platform (by any org) is a unique violation. */
	[Q_NUMBER_INSERT] = { "phone number",
		"INSERT INTO phone_numbers (id, org_id, number, name, agent_id, created_at, "
		"updated_at) VALUES (?1, ?2, ?3, ?4, NULLIF(?5, ''), ?6, ?7)",
		"INSERT INTO phone_numbers (id, org_id, number, name, agent_id, created_at, "
		"updated_at) VALUES ($1::text, $2::text, $3::text, $4::text, NULLIF($5::text, ''), "
		"$6::bigint, $7::bigint)" },
	[Q_NUMBER_GET] = { "phone number",
		"SELECT " NUMBER_COLS " FROM phone_numbers WHERE id = ?1 AND org_id = ?2 "
		"AND deleted_at = 0",
		"SELECT " NUMBER_COLS " FROM phone_numbers WHERE id = $1::text AND org_id = $2::text "
		"AND deleted_at = 0" },
	[Q_NUMBER_GET_LOCK] = { "phone number",
		"SELECT " NUMBER_COLS " FROM phone_numbers WHERE id = ?1 AND org_id = ?2 "
		"AND deleted_at = 0",
		"SELECT " NUMBER_COLS " FROM phone_numbers WHERE id = $1::text AND org_id = $2::text "
		"AND deleted_at = 0 FOR UPDATE" },
	[Q_NUMBER_UPDATE] = { "phone number",
		"UPDATE phone_numbers SET number = ?3, name = ?4, agent_id = NULLIF(?5, ''), "
		"updated_at = ?6 WHERE id = ?1 AND org_id = ?2 AND deleted_at = 0",
		"UPDATE phone_numbers SET number = $3::text, name = $4::text, "
		"agent_id = NULLIF($5::text, ''), updated_at = $6::bigint "
		"WHERE id = $1::text AND org_id = $2::text AND deleted_at = 0" },
	/* Calls and usage rows may name the number: its row stays, the number
	 * itself is released for anyone to add again. */
	[Q_NUMBER_RELEASE] = { "phone number",
		"UPDATE phone_numbers SET number = '~' || id, agent_id = NULL, deleted_at = ?3, "
		"updated_at = ?3 WHERE id = ?1 AND org_id = ?2 AND deleted_at = 0",
		"UPDATE phone_numbers SET number = '~' || id, agent_id = NULL, "
		"deleted_at = $3::bigint, updated_at = $3::bigint "
		"WHERE id = $1::text AND org_id = $2::text AND deleted_at = 0" },
	[Q_NUMBER_LIST] = { "phone numbers",
		"SELECT " NUMBER_COLS " FROM phone_numbers WHERE org_id = ?1 AND deleted_at = 0 "
		"AND (?3 = '' OR created_at > ?2 OR (created_at = ?2 AND id > ?3)) "
		"ORDER BY created_at, id LIMIT ?4",
		"SELECT " NUMBER_COLS " FROM phone_numbers WHERE org_id = $1::text "
		"AND deleted_at = 0 "
		"AND ($3::text = '' OR (created_at, id) > ($2::bigint, $3::text)) "
		"ORDER BY created_at, id LIMIT $4::integer" },
	[Q_NUMBER_BY_E164] = { "phone number",
		"SELECT " NUMBER_COLS " FROM phone_numbers WHERE number = ?1 AND deleted_at = 0",
		"SELECT " NUMBER_COLS " FROM phone_numbers WHERE number = $1::text "
		"AND deleted_at = 0" },
	[Q_NUMBER_USING_AGENT] = { "phone number",
		"SELECT number FROM phone_numbers WHERE agent_id = ?1 AND deleted_at = 0 "
		"ORDER BY created_at, id LIMIT 1",
		"SELECT number FROM phone_numbers WHERE agent_id = $1::text AND deleted_at = 0 "
		"ORDER BY created_at, id LIMIT 1" },
	[Q_INBOUND_GET] = { "inbound settings",
		"SELECT insufficient_credits_message FROM inbound_settings WHERE org_id = ?1",
		"SELECT insufficient_credits_message FROM inbound_settings WHERE org_id = $1::text" },
	[Q_INBOUND_PUT] = { "inbound settings",
		"INSERT INTO inbound_settings (org_id, insufficient_credits_message, updated_at) "
		"VALUES (?1, ?2, ?3) ON CONFLICT (org_id) DO UPDATE SET "
		"insufficient_credits_message = excluded.insufficient_credits_message, "
		"updated_at = excluded.updated_at",
		"INSERT INTO inbound_settings (org_id, insufficient_credits_message, updated_at) "
		"VALUES ($1::text, $2::text, $3::bigint) ON CONFLICT (org_id) DO UPDATE SET "
		"insufficient_credits_message = excluded.insufficient_credits_message, "
		"updated_at = excluded.updated_at" },
	[Q_OPS_OPEN_CALLS] = { "calls", BOTH(
		"SELECT COUNT(*) FROM calls WHERE status NOT IN ('ended', 'rejected')") },
	[Q_OPS_MAIL_WAITING] = { "mail", BOTH(
		"SELECT COUNT(*) FILTER (WHERE status = 'queued'), "
		"COUNT(*) FILTER (WHERE status = 'failed') FROM mail_outbox "
		"WHERE status <> 'sent'") },
};
/* clang-format on */
