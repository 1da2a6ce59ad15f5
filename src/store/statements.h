/*
 * statements.h — the id of every statement the store runs. Their SQL text,
 * one per dialect side by side, is in statements*.c; a driver prepares a
 * statement the first time a connection runs it (db.h).
 */
#ifndef WL_STORE_STATEMENTS_H
#define WL_STORE_STATEMENTS_H

#include "store/store.h"

/* Rows one SQLite batch write-out statement takes (Q_ENTRIES_MANY,
 * Q_CALLS_TICK_MANY: batch.c binds this many, the unused ones NULL). */
#define DB_BATCH_ROWS 16

enum stmt_id {
	/* transactions, migrations (store.c) */
	Q_BEGIN,
	Q_BEGIN_SNAPSHOT,
	Q_COMMIT,
	Q_ROLLBACK,
	Q_SAVEPOINT,
	Q_RELEASE,
	Q_ROLLBACK_TO,
	Q_SCHEMA_VERSION,
	Q_SCHEMA_SET,
	/* organizations, users, API keys (orgs.c) */
	Q_ORG_INSERT,
	Q_ORG_GET,
	Q_ORG_GET_LOCK,
	Q_ORG_ADD,
	Q_ORG_DEMO_AGENCY,
	Q_ORG_DEMO_CLIENT,
	Q_ORG_CHILDREN,
	Q_USER_INSERT,
	Q_USER_GET,
	Q_USER_BY_EMAIL,
	Q_CLIENT_USERS,
	Q_KEY_INSERT,
	Q_KEY_LOOKUP,
	Q_KEY_REVOKE,
	/* ledger (ledger_ops.c) */
	Q_LEDGER_INSERT,
	Q_LEDGER_APPLY,
	Q_LEDGER_APPLY_KNOWN,
	Q_LEDGER_APPLY_KNOWN_PAIR,
	Q_ENTRY_DEFERRED,
	Q_ENTRY_PAIR_DEFERRED,
	Q_ENTRIES_MANY,
	Q_ORG_ADD_DEFERRED,
	Q_LEDGER_EXISTS,
	Q_AUDIT,
	Q_AUDIT_REFS,
	Q_AUDIT_COUNT,
	Q_AUDIT_USAGE_DAYS,
	/* calls and usage (calls.c) */
	Q_CALL_INSERT,
	Q_CALL_GET,
	Q_CALL_GET_LOCK,
	Q_BATCH_LOCK,
	Q_CALL_UPDATE,
	Q_CALL_TICK,
	Q_CALLS_TICK_MANY,
	Q_CALL_LIST,
	Q_CALL_LIST_AFTER,
	Q_NUMBER_ORG,
	Q_USAGE_INSERT,
	Q_USAGE_LIST_ORG,
	Q_USAGE_LIST_BILLED,
	Q_USAGE_SUM_ORG,
	Q_USAGE_SUM_BILLED,
	Q_USAGE_DAYS_ADD,
	Q_USAGE_EXPORT_ORG,
	Q_USAGE_EXPORT_BILLED,
	Q_USAGE_DAYS_LIST,
	Q_CALL_STALE,
	Q_RECON_UNSETTLED,
	Q_RECON_STALE,
	Q_RECON_COUNT,
	/* whitelabel (whitelabel.c) */
	Q_WL_GET,
	Q_WL_GET_LOCK,
	Q_WL_PUT,
	Q_WL_BY_SLUG,
	Q_WL_BY_DOMAIN,
	Q_SLUG_OWNER,
	Q_SLUG_RECORD,
	Q_WL_DOMAINS,
	/* idempotency fingerprints, installation values (meta.c) */
	Q_IDEM_INSERT,
	Q_IDEM_GET,
	Q_META_GET,
	Q_META_INSERT,
	Q_SEALED_SAMPLE,
	/* sessions and log-in failures (sessions.c) */
	Q_SESSION_INSERT,
	Q_SESSION_GET,
	Q_SESSION_DELETE,
	Q_SESSION_PURGE,
	Q_LOGIN_GET,
	Q_LOGIN_ADD,
	Q_LOGIN_CLEAR,
	Q_LOGIN_PURGE,
	/* the client portal: its users, sessions, mailed tokens, API keys, history
	 * (portal.c), and the e-mail outbox (mail.c) — issue 9, accounts */
	Q_PUSER_GET,
	Q_PUSER_BY_EMAIL,
	Q_PUSER_VERIFIED,
	Q_PUSER_LOGIN,
	Q_PUSER_PASSWORD,
	Q_PSESSION_INSERT,
	Q_PSESSION_GET,
	Q_PSESSION_DELETE,
	Q_PSESSION_DELETE_USER,
	Q_PSESSION_PURGE,
	Q_PTOKEN_INSERT,
	Q_PTOKEN_GET,
	Q_PTOKEN_USE,
	Q_PTOKEN_PURGE,
	Q_PTOKEN_RECENT,
	Q_KEY_LIST,
	Q_KEY_REVOKE_ID,
	Q_KEY_COUNT_ACTIVE,
	Q_KEY_TOUCH,
	Q_KEY_ORG,
	Q_KEY_ORGS,
	Q_LEDGER_LIST_ORG,
	Q_MAIL_INSERT,
	Q_MAIL_DUE,
	Q_MAIL_CLAIM,
	Q_MAIL_GET,
	Q_MAIL_SENT,
	Q_MAIL_RETRY,
	Q_MAIL_FAIL,
	/* Stripe purchases and the Stripe events log (purchases.c; issue 9, Stripe) */
	Q_PURCHASE_PENDING,
	Q_PURCHASE_SETTLE,
	Q_PURCHASE_BY_SESSION,
	Q_PURCHASE_LIST,
	Q_STRIPE_EVENT_INSERT,
	Q_STRIPE_EVENT_LIST,
	Q_STRIPE_EVENT_BAD_SINCE,
	/* billing information, invoices, provider keys (billing.c; issue 12) */
	Q_PURCHASE_PENDING_PLATFORM,
	Q_BILLING_GET,
	Q_BILLING_PUT,
	Q_INVOICE_NEXT,
	Q_INVOICE_INSERT,
	Q_INVOICE_GET,
	Q_INVOICE_LIST,
	Q_INVOICE_SOLD,
	Q_PROVIDER_KEY_PUT,
	Q_PROVIDER_KEY_DELETE,
	Q_PROVIDER_KEY_LIST,
	/* outbound webhooks (webhooks.c; issue 11) */
	Q_ORG_SET_LOW_BALANCE,
	Q_ORG_LOW_BALANCE_FLIP,
	Q_WH_INSERT,
	Q_WH_GET,
	Q_WH_LIST,
	Q_WH_COUNT,
	Q_WH_UPDATE,
	Q_WH_ROTATE,
	Q_WH_DELETE_DELIVERIES,
	Q_WH_DELETE,
	Q_WD_INSERT,
	Q_WD_CLAIM,
	Q_WD_GET,
	Q_WD_SETTLE,
	Q_WD_LIST,
	Q_WD_RESEND,
	/* API keys paged, client limits, the audit trail (limits.c, trail.c;
	 * issue 13, keys) */
	Q_KEY_PAGE,
	Q_KEY_GET,
	Q_LIMITS_GET,
	Q_LIMITS_PUT,
	Q_CALLS_OPEN_COUNT,
	Q_TRAIL_INSERT,
	Q_TRAIL_LIST_AGENCY,
	Q_TRAIL_LIST_ORG,
	/* per-org configuration (issue 11): agents, tools (agents.c), knowledge
	 * bases and documents (kb.c), phone numbers and inbound settings (numbers.c) */
	Q_AGENT_INSERT,
	Q_AGENT_GET,
	Q_AGENT_GET_LOCK,
	Q_AGENT_UPDATE,
	Q_AGENT_DELETE,
	Q_AGENT_LIST,
	Q_AGENT_USING_TOOL,
	Q_AGENT_USING_KB,
	Q_AGENT_BRIEFS,
	Q_TOOL_INSERT,
	Q_TOOL_GET,
	Q_TOOL_GET_LOCK,
	Q_TOOL_UPDATE,
	Q_TOOL_DELETE,
	Q_TOOL_LIST,
	Q_KB_INSERT,
	Q_KB_GET,
	Q_KB_GET_LOCK,
	Q_KB_UPDATE,
	Q_KB_DELETE,
	Q_KB_LIST,
	Q_DOC_INSERT,
	Q_DOC_GET,
	Q_DOC_CONTENT,
	Q_DOC_TEXT,
	Q_DOC_DELETE,
	Q_DOC_DELETE_KB,
	Q_DOC_LIST,
	Q_DOC_ORG_BYTES,
	Q_NUMBER_INSERT,
	Q_NUMBER_GET,
	Q_NUMBER_GET_LOCK,
	Q_NUMBER_UPDATE,
	Q_NUMBER_RELEASE,
	Q_NUMBER_LIST,
	Q_NUMBER_BY_E164,
	Q_NUMBER_USING_AGENT,
	Q_INBOUND_GET,
	Q_INBOUND_PUT,
	/* what /metrics reads at a scrape (ops.c) */
	Q_OPS_OPEN_CALLS,
	Q_OPS_MAIL_WAITING,
	Q_COUNT
};

/* One statement: what it touches (for error messages) and its text in each
 * dialect. NULL means the dialect has no such statement (see db_has). */
struct db_sql {
	const char *what;
	const char *sqlite;
	const char *pg;
};

/* Statement `id`'s texts (statements*.c: one table per subject). */
const struct db_sql *db_sql_of(enum stmt_id id);

/* The text of statement `id` for a database kind, NULL when it has none. */
static inline const char *
db_sql_text(enum store_kind kind, enum stmt_id id)
{
	const struct db_sql *q = db_sql_of(id);

	return kind == STORE_SQLITE ? q->sqlite : q->pg;
}

#endif
