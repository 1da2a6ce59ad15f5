/*
 * statements.h — the id of every statement the store runs. Their SQL text,
 * one per dialect side by side, is in statements.c; a driver prepares a
 * statement the first time a connection runs it (db.h).
 */
#ifndef WL_STORE_STATEMENTS_H
#define WL_STORE_STATEMENTS_H

#include "store/store.h"

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
	Q_AUDIT,
	Q_AUDIT_COUNT,
	/* calls and usage (calls.c) */
	Q_CALL_INSERT,
	Q_CALL_GET,
	Q_CALL_GET_LOCK,
	Q_CALL_UPDATE,
	Q_CALL_LIST,
	Q_CALL_LIST_AFTER,
	Q_NUMBER_ORG,
	Q_USAGE_INSERT,
	Q_USAGE_LIST_ORG,
	Q_USAGE_LIST_BILLED,
	Q_USAGE_SUM_ORG,
	Q_USAGE_SUM_BILLED,
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
	Q_KEY_LOOKUP_USED,
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

extern const struct db_sql db_sql[Q_COUNT];

/* The text of statement `id` for a database kind, NULL when it has none. */
static inline const char *
db_sql_text(enum store_kind kind, enum stmt_id id)
{
	return kind == STORE_SQLITE ? db_sql[id].sqlite : db_sql[id].pg;
}

#endif
