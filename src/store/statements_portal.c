/*
 * statements_portal.c — the SQL of the client portal's accounts, Stripe purchases and events, billing
 * information, invoices and provider keys, both dialects side by side (see
 * statements.c for how the tables are laid out and found).
 */
#include "store/statements_int.h"

/* The table is laid out by hand, one statement a block: clang-format off. */
/* clang-format off */
const struct db_sql db_sql_portal[Q_COUNT] = {
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
	/* Q_KEY_ORG for many keys at once, each row with its key's hash
	 * ($1 a text[] of hex hashes); the month's usage always. PostgreSQL
	 * only: the account reads of a moment share one round trip
	 * (http/keybatch.c); SQLite answers each from memory (keycache.c). */
	[Q_KEY_ORGS] = { "lookup",
		NULL,
		KEY_ORG_COLS("$2::bigint", "$3::bigint", "$4::bigint", "$5::bigint", "$6::bigint",
			"$7::bigint", "1") ", k.khash "
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
};
/* clang-format on */
