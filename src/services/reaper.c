/*
 * reaper.c — the stale-call reaper (see reaper.h). A pass reads a page of
 * silent calls on a read connection, queues one writer job per call (each
 * ordered by its agency, like every job that locks one), waits for all of
 * them, and goes on while full pages come back (bounded per pass).
 */
#include "services/reaper.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"
#include "services/calls.h"

#define REAP_PAGE 100
#define REAP_PAGES_PER_PASS 20
#define REAP_INTERVAL_MIN_MS 250
#define REAP_INTERVAL_MAX_MS 30000

struct reaper {
	struct wl_app *app;
	int64_t stale_after_ms;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stopping;
};

struct reap_job {
	struct wl_job job;
	struct calls_reap reap;
	struct reap_wait *wait;
};

/* Counts the page's jobs still in the writer. */
struct reap_wait {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int pending;
};

static void
reap_done(struct wl_job *job)
{
	struct reap_job *j = (struct reap_job *)job;
	struct reap_wait *w = j->wait;

	pthread_mutex_lock(&w->mu);
	w->pending--;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* Settles one page of silent calls; *found = calls the page held. */
static int
reap_page(struct wl_app *app, int64_t before_ms, int *found, int64_t *settled, struct wl_error *err)
{
	struct store_call *calls = calloc(REAP_PAGE, sizeof(*calls));
	struct reap_job *jobs = calloc(REAP_PAGE, sizeof(*jobs));
	struct reap_wait wait = { .pending = 0 };
	struct store_conn *c;
	int rc = WL_OK, i;

	*found = 0;
	if (calls == NULL || jobs == NULL) {
		rc = wl_fail(err, WL_EINTERNAL, "out of memory");
		goto out;
	}
	if ((c = store_acquire(app->store, err)) == NULL) {
		rc = err->code;
		goto out;
	}
	rc = store_call_stale(c, before_ms, REAP_PAGE, calls, found, err);
	store_release(c);
	if (rc != WL_OK)
		goto out;
	pthread_mutex_init(&wait.mu, NULL);
	pthread_cond_init(&wait.cv, NULL);
	for (i = 0; i < *found; i++) {
		struct reap_job *j = &jobs[i];

		j->reap.app = app;
		memcpy(j->reap.call_id, calls[i].id, WL_ID_LEN);
		memcpy(j->reap.org_id, calls[i].org_id, WL_ID_LEN);
		memcpy(j->reap.billed_org_id, calls[i].billed_org_id, WL_ID_LEN);
		j->reap.stale_before_ms = before_ms;
		j->job.run = calls_reap_run;
		j->job.done = reap_done;
		j->job.arg = &j->reap;
		snprintf(j->job.order_key, sizeof(j->job.order_key), "%s", calls[i].billed_org_id);
		memcpy(j->job.lock_org, calls[i].org_id, WL_ID_LEN);
		memcpy(j->job.lock_call, calls[i].id, WL_ID_LEN);
		j->wait = &wait;
		pthread_mutex_lock(&wait.mu);
		wait.pending++;
		pthread_mutex_unlock(&wait.mu);
		if (writer_submit(app->writer, &j->job) != WL_OK) {
			j->job.rc = wl_fail(&j->job.err, WL_EUNAVAILABLE, "the writer is busy");
			reap_done(&j->job);
		}
	}
	pthread_mutex_lock(&wait.mu);
	while (wait.pending > 0)
		pthread_cond_wait(&wait.cv, &wait.mu);
	pthread_mutex_unlock(&wait.mu);
	for (i = 0; i < *found; i++) {
		if (jobs[i].job.rc < 0 && rc == WL_OK)
			rc = wl_fail(err, jobs[i].job.rc, "%s", jobs[i].job.err.message);
		else if (jobs[i].job.rc >= 0 && jobs[i].reap.settled)
			(*settled)++;
	}
	pthread_cond_destroy(&wait.cv);
	pthread_mutex_destroy(&wait.mu);
out:
	free(calls);
	free(jobs);
	return rc;
}

int
reaper_pass(struct wl_app *app, int64_t stale_after_ms, int64_t *settled, struct wl_error *err)
{
	int64_t before_ms = wl_now_ms() - stale_after_ms;
	int page, found = 0, rc = WL_OK;

	*settled = 0;
	for (page = 0; page < REAP_PAGES_PER_PASS; page++) {
		rc = reap_page(app, before_ms, &found, settled, err);
		if (rc != WL_OK || found < REAP_PAGE)
			break;
	}
	return rc;
}

static void
deadline_in(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void *
reaper_main(void *arg)
{
	struct reaper *r = arg;
	int64_t interval = r->stale_after_ms / 4, settled;
	struct timespec until;
	struct wl_error err;

	if (interval < REAP_INTERVAL_MIN_MS)
		interval = REAP_INTERVAL_MIN_MS;
	if (interval > REAP_INTERVAL_MAX_MS)
		interval = REAP_INTERVAL_MAX_MS;
	pthread_mutex_lock(&r->mu);
	while (!r->stopping) {
		deadline_in(&until, interval);
		while (!r->stopping && pthread_cond_timedwait(&r->cv, &r->mu, &until) == 0)
			;
		if (r->stopping)
			break;
		pthread_mutex_unlock(&r->mu);
		wl_error_clear(&err);
		if (reaper_pass(r->app, r->stale_after_ms, &settled, &err) != WL_OK)
			fprintf(stderr, "wlportal: stale-call reaper: %s\n", err.message);
		else if (settled > 0)
			fprintf(stderr, "wlportal: settled %lld stale call(s)\n",
				(long long)settled);
		pthread_mutex_lock(&r->mu);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

struct reaper *
reaper_start(struct wl_app *app, int64_t stale_after_ms, struct wl_error *err)
{
	struct reaper *r = calloc(1, sizeof(*r));
	pthread_condattr_t attr;

	if (r == NULL) {
		wl_fail(err, WL_EINTERNAL, "out of memory");
		return NULL;
	}
	r->app = app;
	r->stale_after_ms = stale_after_ms;
	pthread_mutex_init(&r->mu, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cv, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&r->thread, NULL, reaper_main, r) != 0) {
		pthread_cond_destroy(&r->cv);
		pthread_mutex_destroy(&r->mu);
		free(r);
		wl_fail(err, WL_EINTERNAL, "cannot start the stale-call reaper");
		return NULL;
	}
	pthread_setname_np(r->thread, "wl-call-reaper"); /* top -H, perf */
	return r;
}

void
reaper_stop(struct reaper *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	r->stopping = 1;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	free(r);
}
