/*
 * pg_sql.h — the SQL text of every statement the PostgreSQL backend
 * prepares, indexed by enum stmt_id (store_pg_int.h). Only store_pg.c
 * includes it: it prepares a statement the first time a connection runs it.
 * The same queries as store_sqlite.c, in PostgreSQL's dialect.
 *
 * Every parameter carries an explicit type: PostgreSQL would otherwise infer
 * int4 from a literal such as NULLIF($1, 0) and refuse millisecond times.
 * Values are always bound, never spliced into the text.
 */
#ifndef WL_PG_SQL_H
#define WL_PG_SQL_H

#include "store/store_pg_int.h"

#define CALL_COLS "id, org_id, billed_org_id, direction, status, from_number, to_number, " \
	"number_id, agent_id, elapsed_sec, billed_seconds, cut_off, ended_reason, created_at, ended_at, " \
	"last_event_at"
#define USAGE_COLS "id, org_id, billed_org_id, call_id, duration_sec, number_id, created_at"
#define ORG_SELECT "SELECT id, name, COALESCE(parent_id, ''), balance_seconds, is_demo, " \
	"created_at FROM orgs WHERE id = $1::text"

#define WL_COLS "org_id, company_name, COALESCE(slug, ''), logo_url, primary_color, " \
	"accent_color, stripe_publishable_key, stripe_secret_key_sealed, stripe_secret_mode, " \
	"stripe_product_id, stripe_price_id, stripe_webhook_secret_sealed, package_credits, " \
	"package_price_cents, package_currency, active, COALESCE(custom_domain, ''), " \
	"domain_status, domain_reason, domain_checked_at, updated_at, domain_token, " \
	"domain_claimed_at, domain_verified_at"
#define USER_COLS "u.id, u.org_id, u.email, u.password_hash, u.created_at"

static const char *const stmt_sql[Q_COUNT] = {
	/*
	 * READ COMMITTED is right for the writer: every decision that matters
	 * (a balance, a call's billed seconds) is read with SELECT … FOR UPDATE
	 * after the rows are locked, and in READ COMMITTED a locking read returns
	 * the newest committed version. Under REPEATABLE READ the same read
	 * would fail with a serialization error whenever another instance had
	 * committed to the row since the batch began — on a busy org, nearly
	 * every batch — and the writer would spend its time retrying.
	 */
	[Q_BEGIN] = "BEGIN",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_SAVEPOINT] = "SAVEPOINT job",
	[Q_RELEASE] = "RELEASE SAVEPOINT job",
	[Q_ROLLBACK_TO] = "ROLLBACK TO SAVEPOINT job",
	/* The audit reads balances and entries in one snapshot. */
	[Q_BEGIN_SNAPSHOT] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	[Q_ORG_INSERT] = "INSERT INTO orgs (id, name, parent_id, balance_seconds, is_demo, created_at) "
			 "VALUES ($1::text, $2::text, NULLIF($3::text, ''), 0, $4::boolean, $5::bigint)",
	[Q_ORG_GET] = ORG_SELECT,
	[Q_ORG_GET_LOCK] = ORG_SELECT " FOR UPDATE",
	[Q_ORG_ADD] = "UPDATE orgs SET balance_seconds = balance_seconds + $2::bigint "
		      "WHERE id = $1::text AND balance_seconds + $2::bigint >= 0",
	[Q_ORG_DEMO_AGENCY] = "SELECT id FROM orgs WHERE is_demo AND parent_id IS NULL "
			      "ORDER BY created_at, id LIMIT 1",
	[Q_ORG_DEMO_CLIENT] = "SELECT id FROM orgs WHERE is_demo AND parent_id = $1::text "
			      "ORDER BY created_at, id LIMIT 1",
	/* A taken e-mail address (in any case: users_email_lower) is an
	 * expected answer, not an aborted job. */
	[Q_USER_INSERT] = "INSERT INTO users (id, org_id, email, password_hash, created_at) "
			  "VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint) "
			  "ON CONFLICT DO NOTHING",
	[Q_KEY_INSERT] = "INSERT INTO api_keys (id, org_id, key_hash, label, created_at) "
			 "VALUES ($1::text, $2::text, $3::bytea, $4::text, $5::bigint)",
	[Q_KEY_LOOKUP] = "SELECT org_id FROM api_keys WHERE key_hash = $1::bytea "
			 "AND revoked_at IS NULL",
	[Q_KEY_REVOKE] = "UPDATE api_keys SET revoked_at = $3::bigint "
			 "WHERE org_id = $1::text AND label = $2::text AND revoked_at IS NULL",
	/* Idempotency: a reference seen before inserts nothing (see ledger.c). */
	[Q_LEDGER_INSERT] = "INSERT INTO ledger_entries "
			    "(org_id, delta_seconds, kind, reference, description, created_at) "
			    "VALUES ($1::text, $2::bigint, $3::text, $4::text, $5::text, $6::bigint) "
			    "ON CONFLICT (org_id, reference) DO NOTHING",
	/* The entry and its balance in one round trip: the entry goes in unless
	 * its reference exists; the balance moves only with a new entry and
	 * only if it stays >= 0. (inserted, updated) = (1,1) applied, (0,0)
	 * duplicate, (1,0) refused: the caller's savepoint removes the entry. */
	[Q_LEDGER_APPLY] = "WITH e AS (INSERT INTO ledger_entries "
			   "(org_id, delta_seconds, kind, reference, description, created_at) "
			   "VALUES ($1::text, $2::bigint, $3::text, $4::text, $5::text, $6::bigint) "
			   "ON CONFLICT (org_id, reference) DO NOTHING RETURNING 1), "
			   "u AS (UPDATE orgs SET balance_seconds = balance_seconds + $2::bigint "
			   "WHERE id = $1::text AND EXISTS (SELECT 1 FROM e) "
			   "AND balance_seconds + $2::bigint >= 0 RETURNING 1) "
			   "SELECT (SELECT count(*) FROM e), (SELECT count(*) FROM u)",
	[Q_AUDIT] = "SELECT o.id, o.balance_seconds, COALESCE(e.total, 0) FROM orgs o "
		    "LEFT JOIN (SELECT org_id, SUM(delta_seconds) AS total FROM ledger_entries "
		    "GROUP BY org_id) e ON e.org_id = o.id "
		    "WHERE o.balance_seconds <> COALESCE(e.total, 0) ORDER BY o.id",
	[Q_AUDIT_COUNT] = "SELECT (SELECT COUNT(*) FROM orgs), (SELECT COUNT(*) FROM ledger_entries)",
	[Q_CALL_INSERT] = "INSERT INTO calls (" CALL_COLS ") VALUES ($1::text, $2::text, $3::text, "
			  "$4::text, $5::text, NULLIF($6::text, ''), $7::text, NULLIF($8::text, ''), "
			  "NULLIF($9::text, ''), $10::bigint, $11::bigint, $12::boolean, "
			  "NULLIF($13::text, ''), $14::bigint, NULLIF($15::bigint, 0), $16::bigint)",
	[Q_CALL_GET] = "SELECT " CALL_COLS " FROM calls WHERE id = $1::text",
	[Q_CALL_GET_LOCK] = "SELECT " CALL_COLS " FROM calls WHERE id = $1::text FOR UPDATE",
	[Q_CALL_UPDATE] = "UPDATE calls SET status = $2::text, elapsed_sec = $3::bigint, "
			  "billed_seconds = $4::bigint, cut_off = $5::boolean, "
			  "ended_reason = NULLIF($6::text, ''), ended_at = NULLIF($7::bigint, 0), "
			  "last_event_at = $8::bigint "
			  "WHERE id = $1::text",
	[Q_CALL_LIST] = "SELECT " CALL_COLS " FROM calls WHERE org_id = $1::text "
			"ORDER BY created_at DESC, id DESC LIMIT $2::integer",
	[Q_CALL_LIST_AFTER] = "SELECT " CALL_COLS " FROM calls WHERE org_id = $1::text "
			      "AND (created_at, id) < ($3::bigint, $4::text) "
			      "ORDER BY created_at DESC, id DESC LIMIT $2::integer",
	[Q_NUMBER_ORG] = "SELECT org_id FROM phone_numbers WHERE id = $1::text",
	[Q_USAGE_INSERT] = "INSERT INTO usage (" USAGE_COLS ") VALUES ($1::text, $2::text, "
			   "$3::text, $4::text, $5::bigint, NULLIF($6::text, ''), $7::bigint)",
	[Q_USAGE_LIST_ORG] = "SELECT " USAGE_COLS " FROM usage WHERE org_id = $1::text "
			     "AND created_at >= $2::bigint AND created_at < $3::bigint "
			     "AND (created_at, id) > ($4::bigint, $5::text) "
			     "ORDER BY created_at, id LIMIT $6::integer",
	[Q_USAGE_LIST_BILLED] = "SELECT " USAGE_COLS " FROM usage WHERE billed_org_id = $1::text "
				"AND created_at >= $2::bigint AND created_at < $3::bigint "
				"AND (created_at, id) > ($4::bigint, $5::text) "
				"ORDER BY created_at, id LIMIT $6::integer",
	[Q_USAGE_SUM_ORG] = "SELECT COALESCE(SUM(duration_sec), 0), COUNT(*) FROM usage "
			    "WHERE org_id = $1::text AND created_at >= $2::bigint "
			    "AND created_at < $3::bigint",
	[Q_USAGE_SUM_BILLED] = "SELECT COALESCE(SUM(duration_sec), 0), COUNT(*) FROM usage "
			       "WHERE billed_org_id = $1::text AND created_at >= $2::bigint "
			       "AND created_at < $3::bigint",
	/* ---- stale calls, reconciliation, idempotency, installation values ---- */
	[Q_CALL_STALE] = "SELECT " CALL_COLS " FROM calls WHERE status IN ('queued','ringing','in-progress') "
			 "AND last_event_at < $1::bigint ORDER BY last_event_at, id LIMIT $2::integer",
	[Q_RECON_UNSETTLED] = "SELECT " CALL_COLS " FROM calls c WHERE status = 'ended' "
			      "AND NOT EXISTS (SELECT 1 FROM usage u WHERE u.call_id = c.id) "
			      "ORDER BY created_at, id",
	[Q_RECON_STALE] = "SELECT " CALL_COLS " FROM calls "
			  "WHERE status IN ('queued','ringing','in-progress') "
			  "AND last_event_at < $1::bigint ORDER BY last_event_at, id",
	[Q_RECON_COUNT] = "SELECT COUNT(*) FROM calls",
	/* A key seen before inserts nothing; its fingerprint is then read. */
	[Q_IDEM_INSERT] = "INSERT INTO idempotency_keys (scope, key, fingerprint, created_at) "
			  "VALUES ($1::text, $2::text, $3::text, $4::bigint) "
			  "ON CONFLICT (scope, key) DO NOTHING",
	[Q_IDEM_GET] = "SELECT fingerprint FROM idempotency_keys "
		       "WHERE scope = $1::text AND key = $2::text",
	[Q_META_GET] = "SELECT value FROM meta WHERE name = $1::text",
	[Q_META_INSERT] = "INSERT INTO meta (name, value) VALUES ($1::text, $2::text) "
			  "ON CONFLICT (name) DO NOTHING",
	[Q_SEALED_SAMPLE] = "SELECT stripe_secret_key_sealed FROM whitelabel "
			    "WHERE stripe_secret_key_sealed <> '' UNION ALL "
			    "SELECT stripe_webhook_secret_sealed FROM whitelabel "
			    "WHERE stripe_webhook_secret_sealed <> '' LIMIT 1",
	/* ---- whitelabel, portal users, sessions, rate limits ---- */
	[Q_WL_GET] = "SELECT " WL_COLS " FROM whitelabel WHERE org_id = $1::text",
	[Q_WL_GET_LOCK] = "SELECT " WL_COLS " FROM whitelabel WHERE org_id = $1::text FOR UPDATE",
	/*
	 * An upsert on org_id only: a slug or domain of another org hits the
	 * UNIQUE index and fails with 23505 (WL_ECONFLICT), never replacing
	 * that org's row. The error aborts the job's savepoint; the job fails
	 * as a whole and the writer rolls the savepoint back. "" is NULL, so
	 * any number of orgs may have no slug or domain.
	 */
	[Q_WL_PUT] = "INSERT INTO whitelabel (org_id, company_name, slug, logo_url, "
		     "primary_color, accent_color, stripe_publishable_key, stripe_secret_key_sealed, "
		     "stripe_secret_mode, stripe_product_id, stripe_price_id, "
		     "stripe_webhook_secret_sealed, package_credits, package_price_cents, "
		     "package_currency, active, custom_domain, domain_status, domain_reason, "
		     "domain_checked_at, updated_at, domain_token, domain_claimed_at, "
		     "domain_verified_at) VALUES ($1::text, $2::text, NULLIF($3::text, ''), "
		     "$4::text, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text, "
		     "$11::text, $12::text, $13::bigint, $14::bigint, $15::text, $16::boolean, "
		     "NULLIF($17::text, ''), $18::text, $19::text, $20::bigint, $21::bigint, "
		     "$22::text, $23::bigint, $24::bigint) "
		     "ON CONFLICT (org_id) DO UPDATE SET company_name = excluded.company_name, "
		     "slug = excluded.slug, logo_url = excluded.logo_url, "
		     "primary_color = excluded.primary_color, accent_color = excluded.accent_color, "
		     "stripe_publishable_key = excluded.stripe_publishable_key, "
		     "stripe_secret_key_sealed = excluded.stripe_secret_key_sealed, "
		     "stripe_secret_mode = excluded.stripe_secret_mode, "
		     "stripe_product_id = excluded.stripe_product_id, "
		     "stripe_price_id = excluded.stripe_price_id, "
		     "stripe_webhook_secret_sealed = excluded.stripe_webhook_secret_sealed, "
		     "package_credits = excluded.package_credits, "
		     "package_price_cents = excluded.package_price_cents, "
		     "package_currency = excluded.package_currency, active = excluded.active, "
		     "custom_domain = excluded.custom_domain, domain_status = excluded.domain_status, "
		     "domain_reason = excluded.domain_reason, "
		     "domain_checked_at = excluded.domain_checked_at, "
		     "updated_at = excluded.updated_at, domain_token = excluded.domain_token, "
		     "domain_claimed_at = excluded.domain_claimed_at, "
		     "domain_verified_at = excluded.domain_verified_at",
	[Q_WL_BY_SLUG] = "SELECT " WL_COLS " FROM whitelabel WHERE slug = $1::text",
	[Q_WL_BY_DOMAIN] = "SELECT " WL_COLS " FROM whitelabel WHERE custom_domain = $1::text",
	[Q_SLUG_OWNER] = "SELECT org_id FROM slug_history WHERE slug = $1::text",
	[Q_SLUG_RECORD] = "INSERT INTO slug_history (slug, org_id, created_at) "
			  "VALUES ($1::text, $2::text, $3::bigint) ON CONFLICT (slug) DO NOTHING",
	[Q_WL_DOMAINS] = "SELECT " WL_COLS " FROM whitelabel WHERE custom_domain IS NOT NULL "
			 "AND org_id > $1::text ORDER BY org_id LIMIT $2::bigint",
	[Q_USER_GET] = "SELECT " USER_COLS " FROM users u WHERE u.id = $1::text",
	/* users_email_lower makes this an index lookup. */
	[Q_USER_BY_EMAIL] = "SELECT " USER_COLS " FROM users u "
			    "WHERE lower(u.email) = lower($1::text)",
	[Q_CLIENT_USERS] = "SELECT " USER_COLS ", o.balance_seconds FROM users u "
			   "JOIN orgs o ON o.id = u.org_id WHERE o.parent_id = $1::text "
			   "AND (u.created_at, u.id) > ($2::bigint, $3::text) "
			   "ORDER BY u.created_at, u.id LIMIT $4::integer",
	/* Names sort byte-wise as in SQLite, whatever the database's locale. */
	[Q_ORG_CHILDREN] = "SELECT id, name, COALESCE(parent_id, ''), balance_seconds, is_demo, "
			   "created_at FROM orgs WHERE parent_id = $1::text "
			   "ORDER BY name COLLATE \"C\", id LIMIT $2::integer",
	[Q_SESSION_INSERT] = "INSERT INTO sessions (token_hash, user_id, org_id, csrf_token, "
			     "created_at, expires_at) VALUES ($1::bytea, $2::text, $3::text, "
			     "$4::text, $5::bigint, $6::bigint)",
	[Q_SESSION_GET] = "SELECT user_id, org_id, csrf_token, created_at, expires_at FROM sessions "
			  "WHERE token_hash = $1::bytea AND expires_at > $2::bigint",
	[Q_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = $1::bytea",
	[Q_SESSION_PURGE] = "DELETE FROM sessions WHERE expires_at <= $1::bigint",
	/* Both SET expressions read the row as it was; the writer's job has
	 * locked it (Q_LOGIN_GET) when it exists already. */
	[Q_LOGIN_GET] = "SELECT failures, last_failed_at FROM login_failures "
			"WHERE bucket = $1::text FOR UPDATE",
	[Q_LOGIN_ADD] = "INSERT INTO login_failures AS f (bucket, failures, last_failed_at) "
			"VALUES ($1::text, GREATEST($2::bigint, 0), $3::bigint) "
			"ON CONFLICT (bucket) DO UPDATE SET "
			"failures = GREATEST(0, (CASE WHEN f.last_failed_at < $4::bigint THEN 0 "
			"ELSE f.failures END) + $2::bigint), "
			"last_failed_at = CASE WHEN $2::bigint > 0 THEN $3::bigint "
			"ELSE f.last_failed_at END",
	[Q_LOGIN_CLEAR] = "DELETE FROM login_failures WHERE bucket = $1::text",
	[Q_LOGIN_PURGE] = "DELETE FROM login_failures WHERE last_failed_at < $1::bigint",
};

#endif
