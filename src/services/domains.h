/*
 * domains.h — an agency's custom domain: the claim, its proof of ownership,
 * its verification and the daily re-check. Owns the rules; the DNS lookups
 * are in services/dns.c and the rows in the store.
 *
 * The rules:
 *   - POST …/domain makes a claim with a random token of its own. The agency
 *     publishes two records: a CNAME from the domain to our target, and a TXT
 *     record "_wlportal-challenge.{domain}" = "wlportal-verify={token}".
 *   - Refresh Status (and the re-check) calls a domain verified only when
 *     both records are right. Only a verified domain serves the portal.
 *   - A claim that is not verified lives for the claim lifetime
 *     (WLPORTAL_DOMAIN_CLAIM_TTL_SECONDS, 7 days) from when it was made, or
 *     from when the domain was last seen verified. After that it is gone:
 *     not shown, not blocking another agency's claim of the same domain.
 *   - A domain that was verified is re-checked in the background every
 *     WLPORTAL_DOMAIN_RECHECK_SECONDS (a day) and on Refresh. When its CNAME
 *     or its TXT record is no longer right it becomes `misconfigured` (the
 *     reason says which) and stops serving until both are right again.
 */
#ifndef WL_SERVICES_DOMAINS_H
#define WL_SERVICES_DOMAINS_H

#include <stdbool.h>
#include <stdint.h>

#include "services/app.h"
#include "services/trail.h"
#include "store/store.h"

#define DOMAINS_TXT_PREFIX "_wlportal-challenge."
#define DOMAINS_TXT_VALUE_PREFIX "wlportal-verify="
#define DOMAINS_CLAIM_TTL_DEFAULT_S 604800 /* 7 days */
#define DOMAINS_RECHECK_DEFAULT_S 86400    /* a day */

/* Whether s holds a claim that counts at `now`: verified, or younger than
 * the claim lifetime. */
bool domains_claim_live(const struct wl_app *app, const struct store_whitelabel *s, int64_t now);
/* When an unverified claim stops counting; 0 for a verified domain. */
int64_t domains_claim_expires_at(const struct wl_app *app, const struct store_whitelabel *s);
/* The TXT record of a claim: "_wlportal-challenge.{domain}", "wlportal-verify={token}". */
void domains_txt_name(const char *domain, char *out, size_t n);
void domains_txt_value(const char *token, char *out, size_t n);

struct domains_job {
	/* in */
	char org_id[WL_ID_LEN];
	char domain[254]; /* "" = remove the claim */
	char token[65];   /* a new claim's token, or the checked claim's */
	int64_t claim_ttl_ms;
	/* in, for a status update after a DNS check */
	bool status_update;
	bool expire;       /* drop this claim (token) if it expired */
	bool was_verified; /* the claim had been verified before */
	char status[16];
	char reason[256];
	struct trail_actor actor; /* who asked; zeroed for the background check */
	/* out */
	struct store_whitelabel result;
};

/* A claim of `typed` (any case) for org_id: WL_EVALIDATION naming `domain`
 * for a name that is no host name or one under our base domain. Makes the
 * claim's token. Submit r with domains_run. */
int domains_claim_prepare(const struct wl_app *app, const char *org_id, const char *typed,
			  struct domains_job *r, struct wl_error *err);
/* Removal of org_id's claim; submit r with domains_run. */
void domains_remove_prepare(const struct wl_app *app, const char *org_id, struct domains_job *r);
/* Writer job: makes, removes or records the verdict of a claim (and its
 * audit event: a claim made or removed, a status that changed). A claim of
 * a domain held by another org's live claim is WL_ECONFLICT; an expired one
 * is taken from that org. Claiming again the domain one already holds
 * changes nothing (the token stays). */
int domains_run(struct store_conn *c, void *arg, struct wl_error *err);

/* Refresh Status in two steps. prepare (a read) fills r with the org's
 * live claim, WL_ENOTFOUND when there is none; check asks DNS (blocking:
 * call it from a worker) and turns r into the status update to submit with
 * domains_run. */
int domains_refresh_prepare(struct store_conn *c, const struct wl_app *app, const char *org_id,
			    struct domains_job *r, struct wl_error *err);
int domains_refresh_check(const struct wl_app *app, struct domains_job *r, struct wl_error *err);

/* The background re-check: one thread of its own that wakes at most every
 * minute (sooner for a shorter interval), re-checks each verified domain
 * whose last check is older than the interval, and drops expired claims.
 * Writes go through the writer; nothing runs on a server thread. */
struct domains_rechecker;
struct domains_rechecker *domains_recheck_start(const struct wl_app *app, struct wl_error *err);
/* Stops after the domain being checked; NULL is fine. */
void domains_recheck_stop(struct domains_rechecker *rc);

#endif
