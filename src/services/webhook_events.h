/*
 * webhook_events.h — the fire-and-forget events wlportal sends to webhooks
 * (DESIGN.md "Outbound webhooks"): their bodies, and queueing them through
 * webhooks_emit inside the writer job whose change caused them.
 *
 *   status-update       a call's status changed (ringing, in-progress,
 *                       ended, ended-with-error with its error)
 *   end-of-call-report  after a call is settled: durations, cost in the
 *                       org's own price (services/pricing.h), ended_reason,
 *                       and what the engine sent with `ended`
 *   balance.low         an org's balance went below its threshold
 */
#ifndef WL_SERVICES_WEBHOOK_EVENTS_H
#define WL_SERVICES_WEBHOOK_EVENTS_H

#include <stdint.h>

#include "core/buf.h"
#include "services/app.h"
#include "store/store.h"

/* The engine's optional fields of an `ended` event, bounded by its route
 * (NULL when absent); analysis is JSON text (an object). */
#define WEBHOOK_SUMMARY_MAX (16 * 1024)
#define WEBHOOK_TRANSCRIPT_MAX (128 * 1024)
#define WEBHOOK_ANALYSIS_MAX (32 * 1024)
#define WEBHOOK_ERROR_MAX 500
struct webhook_call_extras {
	const char *error; /* ended-with-error */
	const char *summary;
	const char *transcript;
	const char *analysis;
};

/* status: the status the engine reported (may be "ended-with-error",
 * stored as "ended"); x may be NULL. */
int webhook_events_status(struct store_conn *c, const struct store_call *call, const char *status,
			  const struct webhook_call_extras *x, struct wl_error *err);
int webhook_events_report(struct store_conn *c, const struct wl_app *app,
			  const struct store_call *call, const struct webhook_call_extras *x,
			  struct wl_error *err);
/* "type", "timestamp" and the call, its number, its customer and its agent:
 * the head of every call event's message (also the synchronous ones). */
void webhook_events_head(struct wl_buf *b, const char *type, const struct store_call *call);

int webhook_events_balance_low(struct store_conn *c, const char *org_id, int64_t balance_seconds,
			       int64_t threshold_minutes, struct wl_error *err);

#endif
