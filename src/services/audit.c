/*
 * audit.c — compares every organization's balance with the sum of its ledger
 * entries, every call with its usage row, and the daily usage totals with
 * the rows, each read in one consistent snapshot; and that no reference of a
 * call's debits was written twice.
 */
#include "services/audit.h"

#include <inttypes.h>

#include "core/timeutil.h"

struct audit_ctx {
	FILE *report;
	int64_t mismatches;
};

static void
on_mismatch(const struct store_audit_row *row, void *arg)
{
	struct audit_ctx *ctx = arg;

	ctx->mismatches++;
	fprintf(ctx->report,
		"mismatch: org %s balance_seconds %" PRId64 " but its entries sum to %" PRId64 "\n",
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

struct calls_ctx {
	FILE *report;
	struct audit_result *out;
	int64_t now;
};

static void
on_unsettled(const struct store_call *call, void *arg)
{
	struct calls_ctx *ctx = arg;

	ctx->out->unsettled++;
	fprintf(ctx->report,
		"unsettled: call %s (org %s) is ended but has no usage row "
		"(billed_seconds %" PRId64 ")\n",
		call->id, call->org_id, call->billed_seconds);
}

static void
on_stale(const struct store_call *call, void *arg)
{
	struct calls_ctx *ctx = arg;

	ctx->out->stale++;
	fprintf(ctx->report,
		"stale: call %s (org %s) is %s with no event for %" PRId64 " s "
		"(billed_seconds %" PRId64 ")\n",
		call->id, call->org_id, call->status, (ctx->now - call->last_event_at) / 1000,
		call->billed_seconds);
}

int
audit_calls(struct store *s, int64_t stale_after_ms, FILE *report, struct audit_result *out,
	    struct wl_error *err)
{
	struct calls_ctx ctx = { report, out, wl_now_ms() };
	struct store_recon_hooks hooks = { on_unsettled, on_stale, &ctx };
	struct store_conn *c = store_acquire(s, err);
	int rc;

	if (c == NULL)
		return err->code;
	out->unsettled = 0;
	out->stale = 0;
	rc = store_reconcile(c, ctx.now - stale_after_ms, &hooks, &out->calls, err);
	store_release(c);
	return rc;
}

struct days_ctx {
	FILE *report;
	int64_t differ;
};

static void
on_day_differs(const struct store_days_row *row, void *arg)
{
	struct days_ctx *ctx = arg;
	int64_t y;
	unsigned m, d;

	ctx->differ++;
	wl_civil_from_days(row->day, &y, &m, &d);
	fprintf(ctx->report,
		"totals: org %s %s on %04" PRId64 "-%02u-%02u: daily totals %" PRId64
		" s in %" PRId64 " calls but the usage rows sum to %" PRId64 " s in %" PRId64
		" calls\n",
		row->org_id, row->by_billed ? "paid" : "used", y, m, d, row->total_seconds,
		row->total_calls, row->rows_seconds, row->rows_calls);
}

int
audit_usage_days(struct store *s, FILE *report, struct audit_result *out, struct wl_error *err)
{
	struct days_ctx ctx = { report, 0 };
	struct store_conn *c = store_acquire(s, err);
	int rc;

	if (c == NULL)
		return err->code;
	rc = store_audit_usage_days(c, on_day_differs, &ctx, err);
	store_release(c);
	out->day_mismatches = ctx.differ;
	return rc;
}

struct refs_ctx {
	FILE *report;
	int64_t repeated;
};

static void
on_repeated(const struct store_audit_ref *row, void *arg)
{
	struct refs_ctx *ctx = arg;

	ctx->repeated++;
	fprintf(ctx->report, "repeated: org %s has %" PRId64 " ledger entries with reference %s\n",
		row->org_id, row->copies, row->reference);
}

int
audit_references(struct store *s, FILE *report, struct audit_result *out, struct wl_error *err)
{
	struct refs_ctx ctx = { report, 0 };
	struct store_conn *c = store_acquire(s, err);
	int rc;

	if (c == NULL)
		return err->code;
	rc = store_audit_refs(c, on_repeated, &ctx, err);
	store_release(c);
	out->repeated_refs = ctx.repeated;
	return rc;
}
