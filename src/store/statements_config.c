/*
 * statements_config.c — the SQL of outbound webhooks, API keys paged, client limits, the audit trail,
 * per-org configuration (agents, tools, knowledge bases, numbers) and the
 * operations figures, both dialects side by side (see
 * statements.c for how the tables are laid out and found).
 */
#include "store/statements_int.h"

/* The table is laid out by hand, one statement a block: clang-format off. */
/* clang-format off */
const struct db_sql db_sql_config[Q_COUNT] = {
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
