/*
 * ledger.h — the only way a balance changes. Every change is an entry
 * (org, delta_seconds, kind, reference, description, time) written in the
 * same transaction as the balance it moves, so a balance always equals the
 * sum of its entries (`wlportal audit` checks it). The reference is the
 * idempotency key: applying the same (org, reference) twice changes nothing.
 *
 * These functions run inside a writer job (services/writer.h).
 */
#ifndef WL_LEDGER_H
#define WL_LEDGER_H

#include <stdint.h>

#include "store/store.h"

#define LEDGER_APPLIED 0
#define LEDGER_DUPLICATE 1

/* Returns LEDGER_APPLIED, LEDGER_DUPLICATE (nothing changed), or a negative
 * error (WL_EINSUFFICIENT when the balance would go below zero — the caller's
 * job then fails and its savepoint undoes the entry). */
int ledger_apply(struct store_conn *c, const char *org_id, int64_t delta_seconds, const char *kind,
		 const char *reference, const char *description, int64_t now, struct wl_error *err);

/* For a change the caller has checked under lock in this transaction, org
 * read under its row lock (store_org_get with for_update) earlier in the
 * job: the reference is new and the balance covers it (a call's debit).
 * Returns LEDGER_APPLIED or an error; a duplicate or an overdraft would be a
 * broken invariant (WL_EINTERNAL). On PostgreSQL the writer's pipeline sends
 * it without waiting for its result. The balance.low check runs only when
 * the org has a threshold, so debits of orgs without one cost the entry and
 * the balance only. */
int ledger_apply_known(struct store_conn *c, const struct store_org *org, int64_t delta_seconds,
		       const char *kind, const char *reference, const char *description,
		       int64_t now, struct wl_error *err);

/* Two such changes of one amount and one reference on two different orgs
 * (a client's call: its credits and its agency's minutes): one statement
 * for both where the database has one (PostgreSQL), the same outcome as
 * two ledger_apply_known. */
struct ledger_known {
	const struct store_org *org;
	const char *kind;
	const char *description;
};
int ledger_apply_known_pair(struct store_conn *c, const struct ledger_known *a,
			    const struct ledger_known *b, int64_t delta_seconds,
			    const char *reference, int64_t now, struct wl_error *err);

#endif
