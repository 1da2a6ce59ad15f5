/*
 * sqlite_sql.h — the text of every SQLite statement, by id (enum stmt_id in
 * store_sqlite_int.h). Included once, by store_sqlite.c, which prepares
 * them per connection.
 */
#ifndef WL_SQLITE_SQL_H
#define WL_SQLITE_SQL_H

#include "store/store_sqlite_int.h"

#define CALL_COLS "id, org_id, billed_org_id, direction, status, from_number, to_number, " \
	"number_id, agent_id, elapsed_sec, billed_seconds, cut_off, ended_reason, created_at, ended_at, " \
	"last_event_at"
#define WL_COLS "org_id, company_name, COALESCE(slug, ''), logo_url, primary_color, " \
	"accent_color, stripe_publishable_key, stripe_secret_key_sealed, stripe_secret_mode, " \
	"stripe_product_id, stripe_price_id, stripe_webhook_secret_sealed, package_credits, " \
	"package_price_cents, package_currency, active, COALESCE(custom_domain, ''), " \
	"domain_status, domain_reason, domain_checked_at, updated_at, domain_token, " \
	"domain_claimed_at, domain_verified_at"
#define USER_COLS "u.id, u.org_id, u.email, u.password_hash, u.created_at"
#define USAGE_COLS "id, org_id, billed_org_id, call_id, duration_sec, number_id, created_at"

static const char *const stmt_sql[Q_COUNT] = {
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_SAVEPOINT] = "SAVEPOINT job",
	[Q_RELEASE] = "RELEASE job",
	[Q_ROLLBACK_TO] = "ROLLBACK TO job",
	[Q_ORG_INSERT] = "INSERT INTO orgs (id, name, parent_id, balance_seconds, is_demo, created_at) "
			 "VALUES (?1, ?2, NULLIF(?3, ''), 0, ?4, ?5)",
	[Q_ORG_GET] = "SELECT id, name, COALESCE(parent_id, ''), balance_seconds, is_demo, created_at "
		      "FROM orgs WHERE id = ?1",
	[Q_ORG_ADD] = "UPDATE orgs SET balance_seconds = balance_seconds + ?2 "
		      "WHERE id = ?1 AND balance_seconds + ?2 >= 0",
	[Q_ORG_DEMO_AGENCY] = "SELECT id FROM orgs WHERE is_demo = 1 AND parent_id IS NULL "
			      "ORDER BY created_at LIMIT 1",
	[Q_ORG_DEMO_CLIENT] = "SELECT id FROM orgs WHERE is_demo = 1 AND parent_id = ?1 "
			      "ORDER BY created_at LIMIT 1",
	[Q_USER_INSERT] = "INSERT INTO users (id, org_id, email, password_hash, created_at) "
			  "VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_KEY_INSERT] = "INSERT INTO api_keys (id, org_id, key_hash, label, created_at) "
			 "VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_KEY_LOOKUP] = "SELECT org_id FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL",
	[Q_KEY_REVOKE] = "UPDATE api_keys SET revoked_at = ?3 "
			 "WHERE org_id = ?1 AND label = ?2 AND revoked_at IS NULL",
	[Q_LEDGER_INSERT] = "INSERT INTO ledger_entries "
			    "(org_id, delta_seconds, kind, reference, description, created_at) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[Q_AUDIT] = "SELECT o.id, o.balance_seconds, COALESCE(e.total, 0) FROM orgs o "
		    "LEFT JOIN (SELECT org_id, SUM(delta_seconds) AS total FROM ledger_entries "
		    "GROUP BY org_id) e ON e.org_id = o.id "
		    "WHERE o.balance_seconds <> COALESCE(e.total, 0) ORDER BY o.id",
	[Q_AUDIT_COUNT] = "SELECT (SELECT COUNT(*) FROM orgs), (SELECT COUNT(*) FROM ledger_entries)",
	[Q_CALL_INSERT] = "INSERT INTO calls (" CALL_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, NULLIF(?6, ''), "
			  "?7, NULLIF(?8, ''), NULLIF(?9, ''), ?10, ?11, ?12, NULLIF(?13, ''), ?14, "
			  "NULLIF(?15, 0), ?16)",
	[Q_CALL_GET] = "SELECT " CALL_COLS " FROM calls WHERE id = ?1",
	[Q_CALL_UPDATE] = "UPDATE calls SET status = ?2, elapsed_sec = ?3, billed_seconds = ?4, "
			  "cut_off = ?5, ended_reason = NULLIF(?6, ''), ended_at = NULLIF(?7, 0), "
			  "last_event_at = ?8 "
			  "WHERE id = ?1",
	[Q_CALL_LIST] = "SELECT " CALL_COLS " FROM calls WHERE org_id = ?1 "
			"ORDER BY created_at DESC, id DESC LIMIT ?2",
	[Q_CALL_LIST_AFTER] = "SELECT " CALL_COLS " FROM calls WHERE org_id = ?1 "
			      "AND (created_at < ?3 OR (created_at = ?3 AND id < ?4)) "
			      "ORDER BY created_at DESC, id DESC LIMIT ?2",
	[Q_NUMBER_EXISTS] = "SELECT org_id FROM phone_numbers WHERE id = ?1",
	[Q_USAGE_INSERT] = "INSERT INTO usage (" USAGE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, "
			   "NULLIF(?6, ''), ?7)",
	[Q_USAGE_LIST_ORG] = "SELECT " USAGE_COLS " FROM usage WHERE org_id = ?1 "
			     "AND created_at >= ?2 AND created_at < ?3 "
			     "AND (created_at > ?4 OR (created_at = ?4 AND id > ?5)) "
			     "ORDER BY created_at, id LIMIT ?6",
	[Q_USAGE_LIST_BILLED] = "SELECT " USAGE_COLS " FROM usage WHERE billed_org_id = ?1 "
				"AND created_at >= ?2 AND created_at < ?3 "
				"AND (created_at > ?4 OR (created_at = ?4 AND id > ?5)) "
				"ORDER BY created_at, id LIMIT ?6",
	[Q_USAGE_SUM_ORG] = "SELECT COALESCE(SUM(duration_sec), 0), COUNT(*) FROM usage "
			    "WHERE org_id = ?1 AND created_at >= ?2 AND created_at < ?3",
	[Q_WL_GET] = "SELECT " WL_COLS " FROM whitelabel WHERE org_id = ?1",
	/* An upsert on org_id only: a slug or domain of another org must fail
	 * with a constraint error, never replace that org's row. */
	[Q_WL_PUT] = "INSERT INTO whitelabel (org_id, company_name, slug, logo_url, "
		     "primary_color, accent_color, stripe_publishable_key, stripe_secret_key_sealed, "
		     "stripe_secret_mode, stripe_product_id, stripe_price_id, "
		     "stripe_webhook_secret_sealed, package_credits, package_price_cents, "
		     "package_currency, active, custom_domain, domain_status, domain_reason, "
		     "domain_checked_at, updated_at, domain_token, domain_claimed_at, "
		     "domain_verified_at) VALUES (?1, ?2, NULLIF(?3, ''), ?4, ?5, ?6, ?7, "
		     "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, NULLIF(?17, ''), ?18, ?19, ?20, ?21, "
		     "?22, ?23, ?24) "
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
	[Q_WL_BY_SLUG] = "SELECT " WL_COLS " FROM whitelabel WHERE slug = ?1",
	[Q_WL_BY_DOMAIN] = "SELECT " WL_COLS " FROM whitelabel WHERE custom_domain = ?1",
	[Q_SLUG_OWNER] = "SELECT org_id FROM slug_history WHERE slug = ?1",
	[Q_SLUG_RECORD] = "INSERT INTO slug_history (slug, org_id, created_at) VALUES (?1, ?2, ?3) "
			  "ON CONFLICT (slug) DO NOTHING",
	[Q_WL_DOMAINS] = "SELECT " WL_COLS " FROM whitelabel WHERE custom_domain IS NOT NULL "
			 "AND org_id > ?1 ORDER BY org_id LIMIT ?2",
	[Q_USER_GET] = "SELECT " USER_COLS " FROM users u WHERE u.id = ?1",
	/* users_email_lower makes this an index lookup. */
	[Q_USER_BY_EMAIL] = "SELECT " USER_COLS " FROM users u WHERE lower(u.email) = lower(?1)",
	[Q_CLIENT_USERS] = "SELECT " USER_COLS ", o.balance_seconds FROM users u "
			   "JOIN orgs o ON o.id = u.org_id WHERE o.parent_id = ?1 "
			   "AND (u.created_at > ?2 OR (u.created_at = ?2 AND u.id > ?3)) "
			   "ORDER BY u.created_at, u.id LIMIT ?4",
	[Q_ORG_CHILDREN] = "SELECT id, name, COALESCE(parent_id, ''), balance_seconds, is_demo, "
			   "created_at FROM orgs WHERE parent_id = ?1 ORDER BY name, id LIMIT ?2",
	[Q_SESSION_INSERT] = "INSERT INTO sessions (token_hash, user_id, org_id, csrf_token, "
			     "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[Q_SESSION_GET] = "SELECT user_id, org_id, csrf_token, created_at, expires_at FROM sessions "
			  "WHERE token_hash = ?1 AND expires_at > ?2",
	[Q_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?1",
	[Q_SESSION_PURGE] = "DELETE FROM sessions WHERE expires_at <= ?1",
	/* ---- stale calls, reconciliation, idempotency, installation values ---- */
	[Q_CALL_STALE] = "SELECT " CALL_COLS " FROM calls WHERE status IN ('queued','ringing','in-progress') "
			 "AND last_event_at < ?1 ORDER BY last_event_at, id LIMIT ?2",
	[Q_RECON_UNSETTLED] = "SELECT " CALL_COLS " FROM calls c WHERE status = 'ended' "
			      "AND NOT EXISTS (SELECT 1 FROM usage u WHERE u.call_id = c.id) "
			      "ORDER BY created_at, id",
	[Q_RECON_STALE] = "SELECT " CALL_COLS " FROM calls "
			  "WHERE status IN ('queued','ringing','in-progress') AND last_event_at < ?1 "
			  "ORDER BY last_event_at, id",
	[Q_RECON_COUNT] = "SELECT COUNT(*) FROM calls",
	[Q_IDEM_INSERT] = "INSERT INTO idempotency_keys (scope, key, fingerprint, created_at) "
			  "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (scope, key) DO NOTHING",
	[Q_IDEM_GET] = "SELECT fingerprint FROM idempotency_keys WHERE scope = ?1 AND key = ?2",
	[Q_META_GET] = "SELECT value FROM meta WHERE name = ?1",
	[Q_META_INSERT] = "INSERT INTO meta (name, value) VALUES (?1, ?2) "
			  "ON CONFLICT (name) DO NOTHING",
	[Q_SEALED_SAMPLE] = "SELECT stripe_secret_key_sealed FROM whitelabel "
			    "WHERE stripe_secret_key_sealed <> '' UNION ALL "
			    "SELECT stripe_webhook_secret_sealed FROM whitelabel "
			    "WHERE stripe_webhook_secret_sealed <> '' LIMIT 1",
	[Q_LOGIN_GET] = "SELECT failures, last_failed_at FROM login_failures WHERE bucket = ?1",
	[Q_LOGIN_ADD] = "INSERT INTO login_failures (bucket, failures, last_failed_at) "
			"VALUES (?1, max(?2, 0), ?3) ON CONFLICT (bucket) DO UPDATE SET "
			"failures = max(0, (CASE WHEN last_failed_at < ?4 THEN 0 ELSE failures END) "
			"+ ?2), "
			"last_failed_at = CASE WHEN ?2 > 0 THEN ?3 ELSE last_failed_at END",
	[Q_LOGIN_CLEAR] = "DELETE FROM login_failures WHERE bucket = ?1",
	[Q_LOGIN_PURGE] = "DELETE FROM login_failures WHERE last_failed_at < ?1",
	[Q_USAGE_SUM_BILLED] = "SELECT COALESCE(SUM(duration_sec), 0), COUNT(*) FROM usage "
			       "WHERE billed_org_id = ?1 AND created_at >= ?2 AND created_at < ?3",
};

#endif
