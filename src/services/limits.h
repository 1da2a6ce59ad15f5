/*
 * limits.h — the limits an agency sets on one of its clients: how many of
 * its calls may be open at once, and how many minutes its calls may bill in
 * a calendar month (UTC). Both are checked by the writer job that creates a
 * call (services/calls.c), after the client org's row is locked, in the
 * same transaction as the call's insert: so they hold exactly, whatever
 * arrives at once, on one instance or several on one PostgreSQL.
 */
#ifndef WL_SERVICES_LIMITS_H
#define WL_SERVICES_LIMITS_H

#include <stdbool.h>
#include <stdint.h>

#include "services/trail.h"
#include "store/store.h"

#define LIMITS_CONCURRENT_MAX 100000
#define LIMITS_MONTHLY_MAX 100000000

/* In a writer job whose transaction holds the org's row lock:
 * WL_ECONCURRENCY when the org has as many open calls as it may,
 * WL_EMONTHLY when its calls billed its minutes for this month. */
int limits_check(struct store_conn *c, const char *org_id, int64_t now, struct wl_error *err);

/* The limits of client org_id as its agency agency_id sees them;
 * WL_ENOTFOUND when org_id is not a client of that agency. */
int limits_read(struct store_conn *c, const char *agency_id, const char *org_id,
		struct store_limits *out, struct wl_error *err);

struct limits_put {
	/* in */
	char agency_id[WL_ID_LEN];
	char org_id[WL_ID_LEN];
	bool set_concurrent; /* false: keep what is stored */
	bool set_monthly;
	struct store_limits want; /* STORE_NO_LIMIT clears a limit */
	struct trail_actor actor;
	/* out */
	struct store_limits result;
	bool changed;
};
/* Writer job: WL_ENOTFOUND when org_id is not a client of agency_id;
 * records a limits.changed event when a value changes. */
int limits_put_run(struct store_conn *c, void *arg, struct wl_error *err);

#endif
