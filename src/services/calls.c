/*
 * calls.c — metering calls against the ledger.
 *
 * The conditional debit: an event says "the call has run elapsed_sec". The
 * seconds not yet billed are elapsed_sec − billed_seconds (never negative, so
 * a repeated or late event bills nothing). A child org's call costs its own
 * credits AND its parent's minutes, the same seconds, in the same job; the
 * amount is capped by the smaller of the two balances, read inside the
 * writer's transaction (PostgreSQL: rows locked, parent first). When the cap
 * bites, the call is billed down to exactly zero, marked cut_off, and told to
 * stop; a cut-off call is billed no further. Each debit's ledger reference is
 * "call:{id}:{billed total after it}", unique and the same on a retry.
 *
 * Webhook events (services/webhook_events.h) are queued in the same job as
 * the change that causes them: status-update when a call's status changes,
 * and end-of-call-report once it is settled.
 */
#include "services/calls.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "services/agents.h"
#include "services/call_owner.h"
#include "services/ids.h"
#include "services/ledger.h"
#include "services/limits.h"
#include "services/numbers.h"

static bool
is_child(const struct store_org *o)
{
	return o->parent_id[0] != '\0';
}

/* Loads an org and, for a child, its parent (parent locked first so two
 * instances always lock in the same order); *avail = what both can pay. */
static int
load_payers(struct store_conn *c, const char *org_id, struct store_org *org,
	    struct store_org *parent, int64_t *avail, struct wl_error *err)
{
	struct store_org probe;
	int rc;

	rc = store_org_get(c, org_id, false, &probe, err);
	if (rc != WL_OK)
		return rc;
	if (is_child(&probe)) {
		rc = store_org_get(c, probe.parent_id, true, parent, err);
		if (rc != WL_OK)
			return rc;
	}
	rc = store_org_get(c, org_id, true, org, err);
	if (rc != WL_OK)
		return rc;
	*avail = org->balance_seconds;
	if (is_child(org) && parent->balance_seconds < *avail)
		*avail = parent->balance_seconds;
	return WL_OK;
}

static void
new_call(struct store_call *call, const struct store_org *org, const char *direction, int64_t now)
{
	memset(call, 0, sizeof(*call));
	ids_new_uuid(call->id);
	memcpy(call->org_id, org->id, WL_ID_LEN);
	memcpy(call->billed_org_id, is_child(org) ? org->parent_id : org->id, WL_ID_LEN);
	snprintf(call->direction, sizeof(call->direction), "%s", direction);
	call->created_at = now;
	call->last_event_at = now;
}

int
calls_outbound_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct calls_outbound *r = arg;
	struct store_org org, parent;
	struct store_number number;
	int64_t avail;
	int rc;

	rc = load_payers(c, r->org_id, &org, &parent, &avail, err);
	if (rc != WL_OK)
		return rc;
	if (r->number_id[0] != '\0') {
		rc = store_number_get(c, org.id, r->number_id, false, &number, err);
		if (rc != WL_OK)
			return rc;
	}
	/* The agent must be one of the org's own (not another org's, not made up). */
	if (r->agent_id[0] != '\0') {
		rc = agents_check_ref(c, org.id, r->agent_id, "agent_id", err);
		if (rc == WL_EVALIDATION)
			return wl_fail(err, WL_EVALIDATION, "Field 'agent_id' %s",
				       err->fields[0].message);
		if (rc != WL_OK)
			return rc;
	}
	if (avail <= 0)
		return wl_fail(err, WL_EINSUFFICIENT, "%s", CALLS_INSUFFICIENT_MESSAGE);
	/* the org's row is locked (load_payers): the count and the insert below
	 * cannot interleave with another call's */
	if ((rc = limits_check(c, org.id, wl_now_ms(), err)) != WL_OK)
		return rc;
	new_call(&r->call, &org, "outbound", wl_now_ms());
	snprintf(r->call.status, sizeof(r->call.status), "queued");
	snprintf(r->call.to_number, sizeof(r->call.to_number), "%s", r->to);
	snprintf(r->call.agent_id, sizeof(r->call.agent_id), "%s", r->agent_id);
	snprintf(r->call.number_id, sizeof(r->call.number_id), "%s", r->number_id);
	return store_call_insert(c, &r->call, err);
}

int
calls_inbound_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct calls_inbound *r = arg;
	struct store_org org, parent;
	struct store_number number;
	int64_t avail, now = wl_now_ms();
	bool found;
	int rc;

	/* The number the call came in on (named, or the one dialled) picks the
	 * org and the agent; a dialled number of another org than the one
	 * named is not this call's. */
	rc = numbers_for_inbound(c, r->number_id, r->to, &number, &found, err);
	if (rc != WL_OK)
		return rc;
	if (found && r->org_id[0] != '\0' && strcmp(number.org_id, r->org_id) != 0) {
		if (r->number_id[0] != '\0')
			return wl_fail(err, WL_ENOTFOUND, "phone number not found");
		found = false;
	}
	if (found) {
		memcpy(r->org_id, number.org_id, WL_ID_LEN);
		memcpy(r->number_id, number.id, WL_ID_LEN);
	} else if (r->org_id[0] == '\0') {
		return wl_fail(err, WL_ENOTFOUND, "phone number not found");
	}
	rc = load_payers(c, r->org_id, &org, &parent, &avail, err);
	if (rc == WL_ENOTFOUND)
		return wl_fail(err, WL_ENOTFOUND, "organization not found");
	if (rc != WL_OK)
		return rc;
	new_call(&r->call, &org, "inbound", now);
	snprintf(r->call.from_number, sizeof(r->call.from_number), "%s", r->from);
	snprintf(r->call.to_number, sizeof(r->call.to_number), "%s", r->to);
	snprintf(r->call.number_id, sizeof(r->call.number_id), "%s", r->number_id);
	if (found)
		snprintf(r->call.agent_id, sizeof(r->call.agent_id), "%s", number.agent_id);
	snprintf(r->reason, sizeof(r->reason), "%s", avail > 0 ? "" : "insufficient_credits");
	if (avail > 0) {
		rc = limits_check(c, org.id, now, err);
		if (rc == WL_ECONCURRENCY || rc == WL_EMONTHLY) {
			snprintf(r->reason, sizeof(r->reason), "%s", wl_error_code_name(rc));
			wl_error_clear(err);
		} else if (rc != WL_OK) {
			return rc;
		}
	}
	r->answered = r->reason[0] == '\0';
	if (r->answered) {
		snprintf(r->call.status, sizeof(r->call.status), "ringing");
	} else {
		if (strcmp(r->reason, "insufficient_credits") == 0)
			numbers_reject_message(c, calls_agency_of(&org), r->message,
					       sizeof(r->message));
		else
			snprintf(r->message, sizeof(r->message), "%s", CALLS_LIMIT_REJECT_MESSAGE);
		snprintf(r->call.status, sizeof(r->call.status), "rejected");
		snprintf(r->call.ended_reason, sizeof(r->call.ended_reason), "%s", r->reason);
		r->call.ended_at = now;
	}
	rc = store_call_insert(c, &r->call, err);
	if (rc != WL_OK || !r->answered)
		return rc;
	return webhook_events_status(c, &r->call, "ringing", NULL, err);
}

static bool
is_final(const char *status)
{
	return strcmp(status, "ended") == 0 || strcmp(status, "rejected") == 0;
}

/* Bills up to `want` seconds on call; returns what it billed. org and
 * parent (NULL unless org is a client) were read under their row locks. */
static int
bill(struct store_conn *c, struct store_call *call, const struct store_org *org,
     const struct store_org *parent, int64_t want, int64_t avail, int64_t now, int64_t *billed,
     struct wl_error *err)
{
	char ref[WL_REF_MAX];
	int64_t amount = want < avail ? want : avail;
	int rc;

	*billed = 0;
	if (want > avail)
		call->cut_off = true;
	if (amount <= 0)
		return WL_OK;
	snprintf(ref, sizeof(ref), "call:%s:%lld", call->id,
		 (long long)(call->billed_seconds + amount));
	/* amount <= both balances, read under lock; the reference carries the
	 * call's new billed total, read under the call's lock: new. */
	if (is_child(org)) {
		struct ledger_known client = { org, "call", "Call" },
				    agency = { parent, "child_call", "Client call" };

		rc = ledger_apply_known_pair(c, &client, &agency, -amount, ref, now, err);
	} else {
		rc = ledger_apply_known(c, org, -amount, "call", ref, "Call", now, err);
	}
	if (rc < 0)
		return rc;
	call->billed_seconds += amount;
	*billed = amount;
	return WL_OK;
}

static int
settle(struct store_conn *c, struct store_call *call, int64_t now, struct wl_error *err)
{
	struct store_usage u;

	memset(&u, 0, sizeof(u));
	ids_new_uuid(u.id);
	memcpy(u.org_id, call->org_id, WL_ID_LEN);
	memcpy(u.billed_org_id, call->billed_org_id, WL_ID_LEN);
	memcpy(u.call_id, call->id, WL_ID_LEN);
	memcpy(u.number_id, call->number_id, WL_ID_LEN);
	u.duration_sec = call->billed_seconds;
	u.created_at = now;
	snprintf(call->status, sizeof(call->status), "ended");
	call->ended_at = now;
	return store_usage_insert(c, &u, err);
}

const char *
calls_agency_of(const struct store_org *org)
{
	return is_child(org) ? org->parent_id : org->id;
}

int
calls_agency_of_id(struct store_conn *c, const char *org_id, char agency[WL_ID_LEN],
		   struct wl_error *err)
{
	struct store_org o;
	int rc = store_org_get(c, org_id, false, &o, err);

	if (rc != WL_OK)
		return rc;
	snprintf(agency, WL_ID_LEN, "%s", calls_agency_of(&o));
	return WL_OK;
}

int
calls_event_prepare(struct store_conn *c, struct calls_event *r, struct wl_error *err)
{
	struct store_call call;
	int rc;

	/* whose it is never changes: read once a process (call_owner.c) */
	if (call_owner_get(r->call_id, r->org_id, r->billed_org_id))
		return WL_OK;
	if ((rc = store_call_get(c, r->call_id, false, &call, err)) != WL_OK)
		return rc;
	memcpy(r->org_id, call.org_id, WL_ID_LEN);
	memcpy(r->billed_org_id, call.billed_org_id, WL_ID_LEN);
	call_owner_put(call.id, call.org_id, call.billed_org_id);
	return WL_OK;
}

int
calls_event_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct calls_event *r = arg;
	struct store_call call;
	struct store_org org, parent;
	int64_t avail = 0, now = wl_now_ms(), before;
	char was[sizeof(call.status)];
	bool ending;
	int rc;

	r->billed_now = 0;
	r->keep_going = false;
	if (r->org_id[0] == '\0' && (rc = calls_event_prepare(c, r, err)) != WL_OK)
		return rc;
	/* Lock order: the agency, the org, then the call — the same in every
	 * job, so batches of two instances cannot wait on each other in a circle. */
	if (strcmp(r->billed_org_id, r->org_id) != 0) {
		rc = store_org_get(c, r->billed_org_id, true, &parent, err);
		if (rc != WL_OK)
			return rc;
	}
	rc = store_org_get(c, r->org_id, true, &org, err);
	if (rc != WL_OK)
		return rc;
	rc = store_call_get(c, r->call_id, true, &call, err);
	if (rc != WL_OK)
		return rc;
	r->billed_seconds = call.billed_seconds;
	if (is_final(call.status))
		return WL_OK; /* late or repeated: nothing to bill */
	avail = org.balance_seconds;
	if (is_child(&org) && parent.balance_seconds < avail)
		avail = parent.balance_seconds;
	before = call.billed_seconds;
	memcpy(was, call.status, sizeof(was));
	call.last_event_at = now; /* the reaper leaves a call alone while events come */
	if (r->elapsed_sec > call.elapsed_sec)
		call.elapsed_sec = r->elapsed_sec;
	if (!call.cut_off && r->elapsed_sec > call.billed_seconds) {
		rc = bill(c, &call, &org, is_child(&org) ? &parent : NULL,
			  r->elapsed_sec - call.billed_seconds, avail, now, &r->billed_now, err);
		if (rc != WL_OK)
			return rc;
	}
	assert(call.billed_seconds >= before);

	ending = strcmp(r->status, "ended") == 0 || strcmp(r->status, "ended-with-error") == 0;
	if (ending) {
		if (r->ended_reason[0] != '\0')
			snprintf(call.ended_reason, sizeof(call.ended_reason), "%s",
				 r->ended_reason);
		else if (call.cut_off)
			snprintf(call.ended_reason, sizeof(call.ended_reason),
				 "insufficient_credits");
		rc = settle(c, &call, now, err);
		if (rc != WL_OK)
			return rc;
	} else if (strcmp(r->status, "in-progress") == 0 ||
		   (strcmp(r->status, "ringing") == 0 && strcmp(call.status, "queued") == 0)) {
		/* Never move backwards: a late "ringing" after "in-progress" is ignored. */
		snprintf(call.status, sizeof(call.status), "%.15s", r->status);
	}
	if (ending || strcmp(was, call.status) != 0)
		rc = store_call_update(c, &call, err);
	else
		rc = store_call_tick(c, &call, err);
	if (rc == WL_OK && (ending || strcmp(was, call.status) != 0))
		rc = webhook_events_status(c, &call, ending ? r->status : call.status, &r->extras,
					   err);
	if (rc == WL_OK && ending)
		rc = webhook_events_report(c, r->app, &call, &r->extras, err);
	if (rc != WL_OK)
		return rc;
	r->billed_seconds = call.billed_seconds;
	r->keep_going = !ending && !call.cut_off && avail - r->billed_now > 0;
	return WL_OK;
}

/* Locks the agency, the org and the call, in the order every job uses. */
static int
lock_call(struct store_conn *c, const char *org_id, const char *billed_org_id, const char *call_id,
	  struct store_call *call, struct wl_error *err)
{
	struct store_org org;
	int rc;

	if (strcmp(billed_org_id, org_id) != 0) {
		rc = store_org_get(c, billed_org_id, true, &org, err);
		if (rc != WL_OK)
			return rc;
	}
	rc = store_org_get(c, org_id, true, &org, err);
	if (rc != WL_OK)
		return rc;
	return store_call_get(c, call_id, true, call, err);
}

int
calls_reap_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct calls_reap *r = arg;
	struct store_call call;
	int64_t now = wl_now_ms();
	int rc;

	r->settled = false;
	rc = lock_call(c, r->org_id, r->billed_org_id, r->call_id, &call, err);
	if (rc != WL_OK)
		return rc;
	/* Read again under the lock: an event (or another instance's reaper)
	 * may have come first, and then there is nothing to settle. */
	if (is_final(call.status) || call.last_event_at >= r->stale_before_ms)
		return WL_OK;
	snprintf(call.ended_reason, sizeof(call.ended_reason), "stale");
	rc = settle(c, &call, now, err);
	if (rc != WL_OK)
		return rc;
	call.last_event_at = now;
	rc = store_call_update(c, &call, err);
	if (rc == WL_OK)
		rc = webhook_events_status(c, &call, "ended", NULL, err);
	if (rc == WL_OK)
		rc = webhook_events_report(c, r->app, &call, NULL, err);
	if (rc != WL_OK)
		return rc;
	r->settled = true;
	r->billed_seconds = call.billed_seconds;
	return WL_OK;
}

int
calls_get(struct store_conn *c, const char *org_id, const char *call_id, struct store_call *out,
	  struct wl_error *err)
{
	int rc = store_call_get(c, call_id, false, out, err);

	if (rc == WL_OK && strcmp(out->org_id, org_id) != 0)
		return wl_fail(err, WL_ENOTFOUND, "call not found");
	return rc;
}

static int
fetch_calls(struct store_conn *c, const void *org_id, int64_t cursor_ms, const char *cursor_id,
	    int want, void *rows, int *n, struct wl_error *err)
{
	return store_call_list(c, org_id, cursor_ms, cursor_id, want, rows, n, err);
}

int
calls_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
	   int limit, struct page *out, struct wl_error *err)
{
	assert(limit >= 1 && limit <= CALLS_PAGE_MAX);
	return page_fetch(c, fetch_calls, org_id, sizeof(struct store_call), limit, cursor_ms,
			  cursor_id, out, err);
}

static int
fetch_usage(struct store_conn *c, const void *query, int64_t cursor_ms, const char *cursor_id,
	    int want, void *rows, int *n, struct wl_error *err)
{
	return store_usage_list(c, query, cursor_ms, cursor_id, want, rows, n, err);
}

int
calls_usage(struct store_conn *c, const struct wl_app *app, const struct store_org *org,
	    int64_t from_day, int64_t to_day, int64_t cursor_ms, const char *cursor_id, int limit,
	    struct usage_report *out, struct wl_error *err)
{
	struct store_usage_query q = {
		.org_id = org->id,
		.by_billed_org = !is_child(org),
		.from_ms = from_day * 86400000LL,
		.to_ms = (to_day + 1) * 86400000LL,
	};
	int rc;

	assert(limit >= 1 && limit <= CALLS_PAGE_MAX);
	memset(out, 0, sizeof(*out));
	rc = store_usage_sum(c, &q, &out->total_seconds, &out->total_rows, err);
	if (rc != WL_OK)
		return rc;
	rc = pricing_usage_cost(c, app, org, out->total_seconds, &out->cost, err);
	if (rc != WL_OK)
		return rc;
	return page_fetch(c, fetch_usage, &q, sizeof(struct store_usage), limit, cursor_ms,
			  cursor_id, &out->page, err);
}

void
usage_report_free(struct usage_report *r)
{
	page_free(&r->page);
}
