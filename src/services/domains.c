/*
 * domains.c — custom domains: claims with a proof of ownership, their
 * verification, expiry and the background re-check (the rules are in
 * domains.h). DNS itself is asked in services/dns.c.
 */
#include "services/domains.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/host.h"
#include "core/timeutil.h"
#include "core/whitelabel.h"
#include "services/dns.h"
#include "services/whitelabel.h"

#define RECHECK_PAGE 32
#define RECHECK_TICK_MAX_MS 60000

/* ---- rules ---------------------------------------------------------------------- */

int64_t
domains_claim_expires_at(const struct wl_app *app, const struct store_whitelabel *s)
{
	int64_t since = s->domain_claimed_at > s->domain_verified_at ? s->domain_claimed_at
								     : s->domain_verified_at;

	if (strcmp(s->domain_status, "verified") == 0)
		return 0;
	return since + app->domain_claim_ttl_ms;
}

bool
domains_claim_live(const struct wl_app *app, const struct store_whitelabel *s, int64_t now)
{
	if (s->custom_domain[0] == '\0')
		return false;
	return strcmp(s->domain_status, "verified") == 0 || domains_claim_expires_at(app, s) > now;
}

void
domains_txt_name(const char *domain, char *out, size_t n)
{
	snprintf(out, n, "%s%s", DOMAINS_TXT_PREFIX, domain);
}

void
domains_txt_value(const char *token, char *out, size_t n)
{
	snprintf(out, n, "%s%s", DOMAINS_TXT_VALUE_PREFIX, token);
}

static void
clear_claim(struct store_whitelabel *s)
{
	s->custom_domain[0] = '\0';
	s->domain_status[0] = '\0';
	s->domain_reason[0] = '\0';
	s->domain_token[0] = '\0';
	s->domain_checked_at = 0;
	s->domain_claimed_at = 0;
	s->domain_verified_at = 0;
}

/* ---- claims ----------------------------------------------------------------------- */

int
domains_claim_prepare(const struct wl_app *app, const char *org_id, const char *typed,
		      struct domains_job *r, struct wl_error *err)
{
	const char *base = app->base_domain;
	unsigned char raw[16];

	memset(r, 0, sizeof(*r));
	if (typed == NULL || typed[0] == '\0') {
		wl_error_field(err, "domain", "is needed, like portal.yourdomain.com");
		return WL_EVALIDATION;
	}
	if (!wl_host_lower(typed, strlen(typed), r->domain, sizeof(r->domain)) ||
	    !wl_valid_hostname(r->domain)) {
		wl_error_field(err, "domain", "must be a host name like portal.yourdomain.com");
		return WL_EVALIDATION;
	}
	if (wl_host_under(r->domain, base)) {
		wl_error_field(err, "domain", "must be a domain of your own, not one under %s",
			       base);
		return WL_EVALIDATION;
	}
	snprintf(r->org_id, sizeof(r->org_id), "%s", org_id);
	/* Made here, not in the job: a retried batch must keep the same token. */
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(r->token, sizeof(r->token), raw, sizeof(raw));
	r->claim_ttl_ms = app->domain_claim_ttl_ms;
	return WL_OK;
}

void
domains_remove_prepare(const struct wl_app *app, const char *org_id, struct domains_job *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->org_id, sizeof(r->org_id), "%s", org_id);
	r->claim_ttl_ms = app->domain_claim_ttl_ms;
}

static bool
live_at(const struct domains_job *r, const struct store_whitelabel *s, int64_t now)
{
	struct wl_app rules;

	memset(&rules, 0, sizeof(rules));
	rules.domain_claim_ttl_ms = r->claim_ttl_ms;
	return domains_claim_live(&rules, s, now);
}

/* The domain is held by another org: refused while that claim lives, taken
 * from it once expired. On PostgreSQL the other row is locked before it is
 * changed (a deadlock with a crossing claim is retried by the writer). */
static int
take_from_other(struct store_conn *c, const struct domains_job *r, int64_t now,
		struct wl_error *err)
{
	struct store_whitelabel other;
	int rc = store_wl_find(c, NULL, r->domain, &other, err);

	if (rc == WL_ENOTFOUND) {
		wl_error_clear(err);
		return WL_OK;
	}
	if (rc != WL_OK || strcmp(other.org_id, r->org_id) == 0)
		return rc;
	if ((rc = store_wl_get(c, other.org_id, true, &other, err)) != WL_OK)
		return rc;
	if (strcmp(other.custom_domain, r->domain) != 0)
		return WL_OK;
	if (live_at(r, &other, now))
		return wl_fail(err, WL_ECONFLICT, "%s is already claimed by another portal",
			       r->domain);
	clear_claim(&other);
	other.updated_at = now;
	return store_wl_put(c, &other, err);
}

static int
claim(struct store_conn *c, struct domains_job *r, struct store_whitelabel *s, int64_t now,
      struct wl_error *err)
{
	int rc;

	if (strcmp(s->custom_domain, r->domain) == 0 && live_at(r, s, now))
		return WL_OK; /* claimed already: keep its token and state */
	if ((rc = take_from_other(c, r, now, err)) != WL_OK)
		return rc;
	clear_claim(s);
	snprintf(s->custom_domain, sizeof(s->custom_domain), "%s", r->domain);
	snprintf(s->domain_token, sizeof(s->domain_token), "%s", r->token);
	snprintf(s->domain_status, sizeof(s->domain_status), "pending");
	snprintf(s->domain_reason, sizeof(s->domain_reason),
		 "Create the CNAME and TXT records, then refresh. DNS changes can take up to 48 "
		 "hours.");
	s->domain_claimed_at = now;
	return WL_OK;
}

static int
record_verdict(struct domains_job *r, struct store_whitelabel *s, int64_t now, struct wl_error *err)
{
	/* The claim may have changed while DNS was asked: keep the newer one. */
	if (strcmp(s->custom_domain, r->domain) != 0 || strcmp(s->domain_token, r->token) != 0)
		return wl_fail(err, WL_ECONFLICT, "the custom domain changed during the check");
	snprintf(s->domain_status, sizeof(s->domain_status), "%s", r->status);
	snprintf(s->domain_reason, sizeof(s->domain_reason), "%s", r->reason);
	s->domain_checked_at = now;
	if (strcmp(r->status, "verified") == 0)
		s->domain_verified_at = now;
	return WL_OK;
}

/* The audit event of what domains_run changed, if anything. */
static int
domain_trail(struct store_conn *c, const struct domains_job *r, const char *old_domain,
	     const char *old_token, const char *old_status, const struct store_whitelabel *s,
	     int64_t now, struct wl_error *err)
{
	struct wl_buf detail;
	const char *type;
	int rc;

	if (s->custom_domain[0] == '\0' && old_domain[0] != '\0')
		type = TRAIL_DOMAIN_REMOVED;
	else if (s->custom_domain[0] != '\0' && (strcmp(s->custom_domain, old_domain) != 0 ||
						 strcmp(s->domain_token, old_token) != 0))
		type = TRAIL_DOMAIN_CLAIMED;
	else if (s->custom_domain[0] != '\0' && strcmp(s->domain_status, old_status) != 0)
		type = TRAIL_DOMAIN_STATUS;
	else
		return WL_OK;
	trail_detail_begin(&detail);
	wl_json_kv_str(&detail, "domain", s->custom_domain[0] ? s->custom_domain : old_domain);
	if (s->custom_domain[0] == '\0')
		wl_json_kv_str(&detail, "reason", r->expire ? "expired" : "removed");
	else
		wl_json_kv_str(&detail, "status", s->domain_status);
	rc = trail_record(c, &r->actor, r->org_id, NULL, type, &detail, now, err);
	trail_detail_free(&detail);
	return rc;
}

int
domains_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct domains_job *r = arg;
	struct store_whitelabel s;
	char old_domain[sizeof(s.custom_domain)], old_token[sizeof(s.domain_token)];
	char old_status[sizeof(s.domain_status)];
	int64_t now = wl_now_ms();
	int rc;

	rc = store_wl_get(c, r->org_id, true, &s, err);
	if (rc == WL_ENOTFOUND)
		rc = whitelabel_load(c, r->org_id, &s, err);
	if (rc != WL_OK)
		return rc;
	memcpy(old_domain, s.custom_domain, sizeof(old_domain));
	memcpy(old_token, s.domain_token, sizeof(old_token));
	memcpy(old_status, s.domain_status, sizeof(old_status));
	if (r->status_update) {
		rc = record_verdict(r, &s, now, err);
	} else if (r->expire) {
		/* only this very claim, and only when it has expired meanwhile */
		if (strcmp(s.domain_token, r->token) != 0 || live_at(r, &s, now) ||
		    s.custom_domain[0] == '\0')
			return wl_fail(err, WL_ECONFLICT, "the claim is no longer the expired one");
		clear_claim(&s);
	} else if (r->domain[0] == '\0') {
		if (!live_at(r, &s, now))
			return wl_fail(err, WL_ENOTFOUND, "no custom domain is set");
		clear_claim(&s);
	} else {
		rc = claim(c, r, &s, now, err);
	}
	if (rc != WL_OK)
		return rc;
	s.updated_at = now;
	rc = store_wl_put(c, &s, err);
	if (rc == WL_ECONFLICT)
		return wl_fail(err, WL_ECONFLICT, "%s is already used by another portal",
			       r->domain);
	if (rc != WL_OK)
		return rc;
	if ((rc = domain_trail(c, r, old_domain, old_token, old_status, &s, now, err)) != WL_OK)
		return rc;
	r->result = s;
	return WL_OK;
}

/* ---- verification ------------------------------------------------------------------- */

int
domains_refresh_prepare(struct store_conn *c, const struct wl_app *app, const char *org_id,
			struct domains_job *r, struct wl_error *err)
{
	struct store_whitelabel s;
	int rc = store_wl_get(c, org_id, false, &s, err);

	if (rc == WL_ENOTFOUND || (rc == WL_OK && !domains_claim_live(app, &s, wl_now_ms()))) {
		wl_error_clear(err);
		return wl_fail(err, WL_ENOTFOUND, "No custom domain is set: add one first");
	}
	if (rc != WL_OK)
		return rc;
	memset(r, 0, sizeof(*r));
	snprintf(r->org_id, sizeof(r->org_id), "%s", org_id);
	memcpy(r->domain, s.custom_domain, sizeof(r->domain));
	memcpy(r->token, s.domain_token, sizeof(r->token));
	r->was_verified = s.domain_verified_at > 0;
	r->claim_ttl_ms = app->domain_claim_ttl_ms;
	return WL_OK;
}

static void
set_verdict(struct domains_job *r, const char *status, const char *reason)
{
	snprintf(r->status, sizeof(r->status), "%s", status);
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
}

/*
 * Both records right → verified. Otherwise a domain that was verified is
 * misconfigured (it stops serving; the reason says which record is wrong),
 * and a claim never verified is pending, or misconfigured when its CNAME
 * points elsewhere or addresses are in the way.
 */
static void
judge(struct domains_job *r, enum dns_verdict cname, const char *cname_reason, bool txt_found,
      int txt_others, const char *target)
{
	char reason[sizeof(r->reason)];
	const char *txt_problem = txt_others > 0 ? "the TXT record " DOMAINS_TXT_PREFIX
						   "… holds another value than this claim's"
						 : "there is no TXT record " DOMAINS_TXT_PREFIX
						   "… with this claim's value";

	if (cname == DNS_VERIFIED && txt_found) {
		/* reasons are sentences for people: a very long name is cut short */
		snprintf(reason, sizeof(reason), "CNAME to %.200s and the TXT record are in place",
			 target);
		set_verdict(r, "verified", reason);
	} else if (r->was_verified) {
		snprintf(reason, sizeof(reason), "Not served until fixed: %.220s",
			 cname != DNS_VERIFIED ? cname_reason : txt_problem);
		set_verdict(r, "misconfigured", reason);
	} else if (cname != DNS_VERIFIED) {
		set_verdict(r, cname == DNS_PENDING ? "pending" : "misconfigured", cname_reason);
	} else {
		snprintf(reason, sizeof(reason),
			 "The CNAME is in place, but %s: add it to prove you own the domain",
			 txt_problem);
		set_verdict(r, "pending", reason);
	}
}

int
domains_refresh_check(const struct wl_app *app, struct domains_job *r, struct wl_error *err)
{
	char cname_reason[256], name[300], value[100];
	enum dns_verdict v;
	bool found = false;
	int others = 0, rc;

	rc = dns_check_domain(app->dns_server, r->domain, app->cname_target, &v, cname_reason,
			      sizeof(cname_reason), err);
	if (rc != WL_OK)
		return rc;
	domains_txt_name(r->domain, name, sizeof(name));
	domains_txt_value(r->token, value, sizeof(value));
	rc = dns_find_txt(app->dns_server, name, value, &found, &others, err);
	if (rc != WL_OK)
		return rc;
	judge(r, v, cname_reason, found, others, app->cname_target);
	r->status_update = true;
	return WL_OK;
}

/* ---- the background re-check ------------------------------------------------------ */

struct domains_rechecker {
	const struct wl_app *app;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake;
	bool stop;
};

static bool
stopping(struct domains_rechecker *rc)
{
	bool stop;

	pthread_mutex_lock(&rc->mu);
	stop = rc->stop;
	pthread_mutex_unlock(&rc->mu);
	return stop;
}

/* One claim: dropped when expired, re-checked when it was verified and its
 * last check is older than the interval. A DNS failure changes nothing
 * (a resolver outage must not take every portal down); the next tick tries
 * again. */
static void
recheck_one(const struct wl_app *app, const struct store_whitelabel *s, int64_t now)
{
	struct domains_job r;
	struct wl_error err;

	wl_error_clear(&err);
	memset(&r, 0, sizeof(r));
	snprintf(r.org_id, sizeof(r.org_id), "%s", s->org_id);
	memcpy(r.domain, s->custom_domain, sizeof(r.domain));
	memcpy(r.token, s->domain_token, sizeof(r.token));
	r.claim_ttl_ms = app->domain_claim_ttl_ms;
	if (!domains_claim_live(app, s, now)) {
		/* removal of exactly this claim: domains_run re-checks under the lock */
		r.expire = true;
		if (writer_run(app->writer, domains_run, &r, &err) == WL_OK)
			fprintf(stderr, "wlportal: unverified claim of %s by org %s expired\n",
				s->custom_domain, s->org_id);
		return;
	}
	if (s->domain_verified_at == 0 || s->domain_checked_at + app->domain_recheck_ms > now)
		return;
	r.was_verified = true;
	if (domains_refresh_check(app, &r, &err) != WL_OK) {
		fprintf(stderr, "wlportal: re-check of %s postponed: DNS gave no answer\n",
			s->custom_domain);
		return;
	}
	if (writer_run(app->writer, domains_run, &r, &err) == WL_OK &&
	    strcmp(r.status, s->domain_status) != 0)
		fprintf(stderr, "wlportal: custom domain %s of org %s is now %s\n",
			s->custom_domain, s->org_id, r.status);
}

static void
recheck_pass(struct domains_rechecker *rc)
{
	const struct wl_app *app = rc->app;
	struct store_whitelabel *rows = calloc(RECHECK_PAGE, sizeof(*rows));
	char after[WL_ID_LEN] = "";
	struct store_conn *c;
	struct wl_error err;
	int n = RECHECK_PAGE, i;

	if (rows == NULL)
		return;
	while (n == RECHECK_PAGE && !stopping(rc)) {
		wl_error_clear(&err);
		if ((c = store_acquire(app->store, &err)) == NULL)
			break;
		if (store_wl_domains(c, after, RECHECK_PAGE, rows, &n, &err) != WL_OK)
			n = 0;
		store_release(c);
		for (i = 0; i < n && !stopping(rc); i++)
			recheck_one(app, &rows[i], wl_now_ms());
		if (n > 0)
			memcpy(after, rows[n - 1].org_id, sizeof(after));
	}
	free(rows);
}

static void *
recheck_main(void *arg)
{
	struct domains_rechecker *rc = arg;
	int64_t tick = rc->app->domain_recheck_ms < RECHECK_TICK_MAX_MS ? rc->app->domain_recheck_ms
									: RECHECK_TICK_MAX_MS;
	struct timespec until;

	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (time_t)(tick / 1000);
		until.tv_nsec += (long)(tick % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&rc->mu);
		while (!rc->stop && pthread_cond_timedwait(&rc->wake, &rc->mu, &until) == 0)
			;
		if (rc->stop) {
			pthread_mutex_unlock(&rc->mu);
			return NULL;
		}
		pthread_mutex_unlock(&rc->mu);
		recheck_pass(rc);
	}
}

struct domains_rechecker *
domains_recheck_start(const struct wl_app *app, struct wl_error *err)
{
	struct domains_rechecker *rc = calloc(1, sizeof(*rc));
	pthread_condattr_t attr;

	if (rc == NULL) {
		wl_fail(err, WL_EINTERNAL, "out of memory");
		return NULL;
	}
	rc->app = app;
	pthread_mutex_init(&rc->mu, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&rc->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&rc->thread, NULL, recheck_main, rc) != 0) {
		pthread_cond_destroy(&rc->wake);
		pthread_mutex_destroy(&rc->mu);
		free(rc);
		wl_fail(err, WL_EINTERNAL, "cannot start the custom-domain re-check");
		return NULL;
	}
	pthread_setname_np(rc->thread, "wl-domains"); /* top -H, perf */
	return rc;
}

void
domains_recheck_stop(struct domains_rechecker *rc)
{
	if (rc == NULL)
		return;
	pthread_mutex_lock(&rc->mu);
	rc->stop = true;
	pthread_cond_signal(&rc->wake);
	pthread_mutex_unlock(&rc->mu);
	pthread_join(rc->thread, NULL);
	pthread_cond_destroy(&rc->wake);
	pthread_mutex_destroy(&rc->mu);
	free(rc);
}
