/*
 * seed.h — history on demand (wlportal admin seed-usage): N ended calls of
 * one organization spread over the last D days, written exactly as the
 * metering path leaves a call (services/calls.c): the call row, its ledger
 * debits with their idempotency references, its usage row and the daily
 * totals, and the balances, in large transactions. For sizing a deployment
 * and for the benchmark of reads over a long history.
 */
#ifndef WL_SEED_H
#define WL_SEED_H

#include <stdbool.h>
#include <stdint.h>

#include "services/app.h"

#define SEED_CALLS_MAX 100000000LL /* 100 M calls */
#define SEED_DAYS_MAX 3660         /* ten years */
#define SEED_CHUNK 50000           /* calls per transaction */

struct seed_request {
	const char *org_id;
	int64_t calls; /* 1..SEED_CALLS_MAX */
	int days;      /* 1..SEED_DAYS_MAX: the calls end within the last `days` days */
	/* When the balances cannot pay every call: false refuses before writing
	 * anything (WL_EINSUFFICIENT, saying what is missing); true grants the
	 * calls' whole cost first (a ledger entry of kind "grant" to each payer
	 * short of it), so the balance ends where it started. */
	bool grant;
	int64_t now_ms;
	/* After every transaction (may be NULL). */
	void (*progress)(int64_t done, int64_t total, void *arg);
	void *arg;
};

struct seed_result {
	int64_t calls;          /* written */
	int64_t seconds;        /* billed in all */
	int64_t granted;        /* seconds granted to the org first (grant) */
	int64_t granted_parent; /* and to its agency, for a client org */
};

/* Plans the calls (their durations drawn from one seeded generator, drawn
 * twice: once to know what they cost, once to write them), checks or
 * grants what they cost, then writes them SEED_CHUNK to a transaction. On
 * a failure after some transactions, *out says what was written (every
 * transaction written is complete: the audit passes). */
int seed_usage(struct wl_app *app, const struct seed_request *r, struct seed_result *out,
	       struct wl_error *err);

#endif
