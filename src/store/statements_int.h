/*
 * statements_int.h — what the statement tables (statements*.c) share: the
 * column lists and SQL pieces several statements repeat, and the tables of
 * each subject. Only the statements*.c files include it.
 */
#ifndef WL_STORE_STATEMENTS_INT_H
#define WL_STORE_STATEMENTS_INT_H

#include "store/statements.h"

/* The texts of each subject: a table indexed by enum stmt_id in which only
 * that subject's statements are set (statements.c finds a statement in the
 * one table that sets it; test_statements checks it is set in exactly one). */
extern const struct db_sql db_sql_core[Q_COUNT];   /* statements.c */
extern const struct db_sql db_sql_calls[Q_COUNT];  /* statements_calls.c */
extern const struct db_sql db_sql_portal[Q_COUNT]; /* statements_portal.c */
extern const struct db_sql db_sql_config[Q_COUNT]; /* statements_config.c */

/* The pieces are laid out by hand: clang-format off. */
/* clang-format off */
#define BOTH(sql) sql, sql

/* The entries the unique (org_id, reference) index holds (migration 16):
 * every kind but a call's debits, which are new by construction. A
 * statement that looks a reference up or relies on its uniqueness says it,
 * so the partial index applies. */
#define ENTRY_REF_UNIQUE "kind NOT IN ('call', 'child_call')"

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
/* clang-format on */

#endif
