/*
 * audit.h — proves the ledger: every balance equals the sum of its entries.
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
};

/* Writes one line per mismatching org to `report`. */
int audit_run(struct store *s, FILE *report, struct audit_result *out, struct wl_error *err);

#endif
