/*
 * audit.c — compares every organization's balance with the sum of its ledger
 * entries, read in one consistent snapshot.
 */
#include "services/audit.h"

#include <inttypes.h>

struct audit_ctx {
	FILE *report;
	int64_t mismatches;
};

static void
on_mismatch(const struct store_audit_row *row, void *arg)
{
	struct audit_ctx *ctx = arg;

	ctx->mismatches++;
	fprintf(ctx->report, "mismatch: org %s balance_seconds %" PRId64 " but its entries sum to %" PRId64 "\n",
		row->org_id, row->balance_seconds, row->entries_sum);
}

int
audit_run(struct store *s, FILE *report, struct audit_result *out, struct wl_error *err)
{
	struct audit_ctx ctx = { report, 0 };
	struct store_conn *c = store_acquire(s, err);
	int rc;

	if (c == NULL)
		return err->code;
	rc = store_audit(c, on_mismatch, &ctx, &out->orgs, &out->entries, err);
	store_release(c);
	out->mismatches = ctx.mismatches;
	return rc;
}
