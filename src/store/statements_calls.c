/*
 * statements_calls.c — the SQL of calls and usage, whitelabel settings, idempotency fingerprints and
 * installation values, sessions and rate limits, both dialects side by side (see
 * statements.c for how the tables are laid out and found).
 */
#include "store/statements_int.h"

/* The table is laid out by hand, one statement a block: clang-format off. */
/* clang-format off */
const struct db_sql db_sql_calls[Q_COUNT] = {
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
	/* An event that leaves the call's status as it was: only what every
	 * event moves. SQLite rewrites an index whose column a statement sets,
	 * changed or not (two partial indexes name the status). */
	[Q_CALL_TICK] = { "call",
		"UPDATE calls SET elapsed_sec = ?2, billed_seconds = ?3, cut_off = ?4, "
		"last_event_at = ?5 WHERE id = ?1",
		"UPDATE calls SET elapsed_sec = $2::bigint, billed_seconds = $3::bigint, "
		"cut_off = $4::boolean, last_event_at = $5::bigint WHERE id = $1::text" },
	/* The seconds of a batch's calls (batch.c); PostgreSQL: arrays in the same order. */
	[Q_CALLS_TICK_MANY] = { "calls",
		/* SQLite: DB_BATCH_ROWS calls at a time, the unused ones NULL */
		"UPDATE calls SET elapsed_sec = v.column2, billed_seconds = v.column3, "
		"cut_off = v.column4, last_event_at = v.column5 FROM (VALUES "
		"(?1, ?2, ?3, ?4, ?5), (?6, ?7, ?8, ?9, ?10), "
		"(?11, ?12, ?13, ?14, ?15), (?16, ?17, ?18, ?19, ?20), "
		"(?21, ?22, ?23, ?24, ?25), (?26, ?27, ?28, ?29, ?30), "
		"(?31, ?32, ?33, ?34, ?35), (?36, ?37, ?38, ?39, ?40), "
		"(?41, ?42, ?43, ?44, ?45), (?46, ?47, ?48, ?49, ?50), "
		"(?51, ?52, ?53, ?54, ?55), (?56, ?57, ?58, ?59, ?60), "
		"(?61, ?62, ?63, ?64, ?65), (?66, ?67, ?68, ?69, ?70), "
		"(?71, ?72, ?73, ?74, ?75), (?76, ?77, ?78, ?79, ?80)"
		") AS v WHERE calls.id = v.column1",
		"UPDATE calls SET elapsed_sec = u.e, billed_seconds = u.b, cut_off = u.x, "
		"last_event_at = u.l FROM unnest($1::text[], $2::bigint[], $3::bigint[], "
		"$4::boolean[], $5::bigint[]) AS u(id, e, b, x, l) WHERE calls.id = u.id" },
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
};
/* clang-format on */
