/*
 * audit.h — proves the ledger: every balance equals the sum of its entries;
 * and reconciles calls with usage: every ended call has its usage row, and
 * no call stays open past the stale limit (the reaper settles those); and
 * the daily usage totals equal the usage rows they sum.
 */
#ifndef WL_AUDIT_H
#define WL_AUDIT_H

#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

struct audit_result {
	int64_t orgs;
	int64_t entries;
	int64_t mismatches;
	int64_t calls;
	int64_t unsettled;      /* ended calls without a usage row */
	int64_t stale;          /* open calls without an event for longer than the limit */
	int64_t day_mismatches; /* (org, day) whose daily usage totals differ from the rows */
	int64_t repeated_refs;  /* (org, reference) of a call's debits written twice or more */
};

/* Writes one line per mismatching org to `report`. */
int audit_run(struct store *s, FILE *report, struct audit_result *out, struct wl_error *err);
/* Writes one line per ended call without a usage row and per call open
 * with no event for stale_after_ms; fills calls, unsettled and stale. */
int audit_calls(struct store *s, int64_t stale_after_ms, FILE *report, struct audit_result *out,
		struct wl_error *err);

/* Writes one line per (org, reference) of a call's debits written more than
 * once (those are new by construction, not by the unique index); fills
 * repeated_refs. */
int audit_references(struct store *s, FILE *report, struct audit_result *out, struct wl_error *err);

/* Writes one line per (org, day) whose daily usage totals differ from its
 * usage rows; fills day_mismatches. */
int audit_usage_days(struct store *s, FILE *report, struct audit_result *out, struct wl_error *err);

#endif
