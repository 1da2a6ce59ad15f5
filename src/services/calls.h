/*
 * calls.h — outbound and inbound calls, the engine's status events that
 * meter them second by second, and the usage report.
 *
 * The *_run functions are writer jobs (services/writer.h): the caller fills
 * the request part of the struct, submits it, and reads the result part
 * after the job's durable outcome is known.
 */
#ifndef WL_CALLS_H
#define WL_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "services/app.h"
#include "services/paging.h"
#include "services/pricing.h"
#include "services/webhook_events.h"
#include "store/store.h"

/* What the engine says to an inbound caller when the org's limits set by
 * its agency (concurrent calls, minutes this month) refuse the call. */
#define CALLS_LIMIT_REJECT_MESSAGE \
	"This line cannot take your call right now. Please try again later."
#define CALLS_INSUFFICIENT_MESSAGE \
	"Insufficient credits to make outbound call. Please add credits in your billing dashboard."
#define CALLS_MAX_ELAPSED_SEC (7 * 24 * 3600)
#define CALLS_PAGE_MAX PAGE_MAX

struct calls_outbound {
	/* in */
	char org_id[WL_ID_LEN];
	char to[WL_NUMBER_MAX];
	char agent_id[65];
	char number_id[WL_ID_LEN];
	/* out */
	struct store_call call;
};
/* WL_EINSUFFICIENT, or past the org's limits (services/limits.h)
 * WL_ECONCURRENCY or WL_EMONTHLY. */
int calls_outbound_run(struct store_conn *c, void *arg, struct wl_error *err);

struct calls_inbound {
	/* in: org_id and/or number_id, or a `to` that is one of the platform's
	 * numbers (which then picks the org and the agent) */
	char org_id[WL_ID_LEN];
	char number_id[WL_ID_LEN];
	char from[WL_NUMBER_MAX];
	char to[WL_NUMBER_MAX];
	/* out: the call (with its number and that number's agent) */
	struct store_call call;
	bool answered;
	/* why not: insufficient_credits, concurrency_limit, monthly_limit_reached */
	char reason[32];
	char message[512]; /* refused: what the engine says to the caller */
};
int calls_inbound_run(struct store_conn *c, void *arg, struct wl_error *err);

struct calls_event {
	/* in */
	const struct wl_app *app; /* prices the end-of-call report */
	char call_id[WL_ID_LEN];
	char org_id[WL_ID_LEN];        /* from calls_event_prepare, or "" */
	char billed_org_id[WL_ID_LEN]; /* the agency that pays, likewise */
	char status[20];               /* ringing | in-progress | ended | ended-with-error */
	int64_t elapsed_sec;
	char ended_reason[65];
	struct webhook_call_extras extras; /* with `ended`: pointers the job only reads */
	/* out */
	bool keep_going;        /* the engine may continue the call */
	int64_t billed_seconds; /* billed on this call so far */
	int64_t billed_now;     /* billed by this event */
};
int calls_event_run(struct store_conn *c, void *arg, struct wl_error *err);
/* A read before the job: who owns and who pays for the call (immutable), so
 * the job can lock the agency first and the writer can order its batch.
 * WL_ENOTFOUND for an unknown call. */
int calls_event_prepare(struct store_conn *c, struct calls_event *r, struct wl_error *err);

/* Settles a call that went silent: when it is still open and its last
 * event is older than stale_before_ms (checked under the call's lock, so
 * two instances settle it once), it ends with ended_reason "stale" and its
 * usage row carries the seconds already billed. */
struct calls_reap {
	/* in: from store_call_stale's row */
	const struct wl_app *app;
	char call_id[WL_ID_LEN];
	char org_id[WL_ID_LEN];
	char billed_org_id[WL_ID_LEN];
	int64_t stale_before_ms;
	/* out */
	bool settled;
	int64_t billed_seconds;
};
int calls_reap_run(struct store_conn *c, void *arg, struct wl_error *err);

/* The agency whose minutes pay for an org's calls: its parent, or itself. */
const char *calls_agency_of(const struct store_org *org);
/* The agency of org org_id (calls_agency_of), for the writer's lock order;
 * WL_ENOTFOUND when there is no such org. */
int calls_agency_of_id(struct store_conn *c, const char *org_id, char agency[WL_ID_LEN],
		       struct wl_error *err);

/* Reads. A call of another org is WL_ENOTFOUND. */
int calls_get(struct store_conn *c, const char *org_id, const char *call_id, struct store_call *out,
	      struct wl_error *err);

/* An org's calls, newest first: one page of `limit` (1..CALLS_PAGE_MAX)
 * after the cursor. page rows are struct store_call; page_free them. */
int calls_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
	       int limit, struct page *out, struct wl_error *err);

struct usage_report {
	struct page page;      /* struct store_usage rows, oldest first */
	int64_t total_seconds; /* the whole range, not just the page */
	int64_t total_rows;
	struct pricing_cost cost; /* of total_seconds, by services/pricing.h */
};
/* [from_day, to_day] inclusive UTC days since epoch; `limit` rows a page
 * (1..CALLS_PAGE_MAX). On success the caller calls usage_report_free. */
int calls_usage(struct store_conn *c, const struct wl_app *app, const struct store_org *org,
		int64_t from_day, int64_t to_day, int64_t cursor_ms, const char *cursor_id,
		int limit, struct usage_report *out, struct wl_error *err);
void usage_report_free(struct usage_report *r);
static inline const struct store_usage *
usage_rows(const struct usage_report *r)
{
	return r->page.rows;
}

#endif
