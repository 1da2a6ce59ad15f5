/*
 * ledger.c — entry first, then the balance: a duplicate reference is found
 * by the unique index before any balance moves, and a refused balance change
 * fails the job so its savepoint removes the entry again.
 */
#include "services/ledger.h"

#include <assert.h>
#include <string.h>

#include "services/webhook_events.h"

/* balance.low: the armed flag flips in the same statement that finds the
 * crossing, under the org's row lock, so concurrent debits of one org fire
 * one event per crossing; a rise back to the threshold re-arms it. */
static int
low_balance(struct store_conn *c, const char *org_id, struct wl_error *err)
{
	int64_t balance = 0, minutes = 0;
	bool fired;
	int rc = store_org_low_balance_check(c, org_id, &fired, &balance, &minutes, err);

	if (rc != WL_OK || !fired)
		return rc;
	return webhook_events_balance_low(c, org_id, balance, minutes, err);
}

/* The entry and the balance; LEDGER_APPLIED, LEDGER_DUPLICATE or an error. */
static int
apply_entry(struct store_conn *c, const char *org_id, int64_t delta_seconds, const char *kind,
	    const char *reference, const char *description, int64_t now, struct wl_error *err)
{
	struct store_entry e = {
		.org_id = org_id,
		.delta_seconds = delta_seconds,
		.kind = kind,
		.reference = reference,
		.description = description != NULL ? description : "",
		.created_at = now,
	};
	int rc;

	assert(reference != NULL && reference[0] != '\0');
	rc = store_ledger_apply(c, &e, err);
	if (rc == WL_ECONFLICT) {
		wl_error_clear(err);
		return LEDGER_DUPLICATE;
	}
	return rc != WL_OK ? rc : LEDGER_APPLIED;
}

int
ledger_apply(struct store_conn *c, const char *org_id, int64_t delta_seconds, const char *kind,
	     const char *reference, const char *description, int64_t now, struct wl_error *err)
{
	int rc = apply_entry(c, org_id, delta_seconds, kind, reference, description, now, err);

	if (rc == LEDGER_APPLIED && (rc = low_balance(c, org_id, err)) == WL_OK)
		rc = LEDGER_APPLIED;
	return rc;
}

int
ledger_apply_known_pair(struct store_conn *c, const struct ledger_known *a,
			const struct ledger_known *b, int64_t delta_seconds, const char *reference,
			int64_t now, struct wl_error *err)
{
	struct store_entry e[2] = {
		{ a->org->id, delta_seconds, a->kind, reference, a->description, now },
		{ b->org->id, delta_seconds, b->kind, reference, b->description, now },
	};
	int rc;

	assert(reference != NULL && reference[0] != '\0' && strcmp(e[0].org_id, e[1].org_id) != 0);
	rc = store_ledger_apply_known_pair(c, &e[0], &e[1], err);
	if (rc == WL_ECONFLICT || rc == WL_EINSUFFICIENT)
		return wl_fail(err, WL_EINTERNAL, "ledger entry %s: %s", reference,
			       "not new or not covered");
	if (rc != WL_OK)
		return rc;
	if (a->org->low_balance_minutes > 0 && (rc = low_balance(c, a->org->id, err)) != WL_OK)
		return rc;
	if (b->org->low_balance_minutes > 0 && (rc = low_balance(c, b->org->id, err)) != WL_OK)
		return rc;
	return LEDGER_APPLIED;
}

int
ledger_apply_known(struct store_conn *c, const struct store_org *org, int64_t delta_seconds,
		   const char *kind, const char *reference, const char *description, int64_t now,
		   struct wl_error *err)
{
	struct store_entry e = {
		.org_id = org->id,
		.delta_seconds = delta_seconds,
		.kind = kind,
		.reference = reference,
		.description = description != NULL ? description : "",
		.created_at = now,
	};
	int rc;

	assert(reference != NULL && reference[0] != '\0');
	rc = store_ledger_apply_known(c, &e, err);
	if (rc == WL_ECONFLICT || rc == WL_EINSUFFICIENT)
		return wl_fail(err, WL_EINTERNAL, "ledger entry %s: %s", reference,
			       "not new or not covered");
	if (rc != WL_OK)
		return rc;
	/* The row lock held since org was read keeps its threshold as read: an
	 * org without one has no alert to check, and pays no statement for it. */
	if (org->low_balance_minutes > 0 && (rc = low_balance(c, org->id, err)) != WL_OK)
		return rc;
	return LEDGER_APPLIED;
}
