/*
 * webhook_sender.c — delivering the webhook outbox (see webhook_sender.h):
 * claim, resolve and check the address, POST with the signature headers,
 * settle. Runs on its own threads, never on a server thread.
 */
#include "services/webhook_sender.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"
#include "core/webhook.h"
#include "log.h"
#include "services/secrets.h"
#include "services/webhook_client.h"
#include "services/webhooks.h"

#define CLAIM_MAX 4
#define POLL_MS 200

int64_t
webhook_retry_delay_ms(int64_t base_ms, int64_t attempts)
{
	int64_t d = base_ms > 0 ? base_ms : 1;
	uint32_t spread;

	while (--attempts > 0 && d < WEBHOOK_RETRY_CAP_MS)
		d *= 2;
	if (d > WEBHOOK_RETRY_CAP_MS)
		d = WEBHOOK_RETRY_CAP_MS;
	/* jitter: 3/4 .. 5/4 of d, so receivers coming back are not hit by
	 * every sender at the same moment */
	spread = (uint32_t)(d / 2 > 0 ? d / 2 : 1);
	return d - d / 4 + (int64_t)randombytes_uniform(spread + 1);
}

/* ---- claim, send, settle ----------------------------------------------------------------- */

struct claim_job {
	int64_t now, lease_until;
	struct store_wh_claim rows[CLAIM_MAX];
	int n;
};

static int
claim_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct claim_job *j = arg;

	return store_wh_claim(c, j->now, j->lease_until, CLAIM_MAX, j->rows, &j->n, err);
}

static int
settle_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	const struct store_wh_delivery *d = arg;

	return store_wh_settle(c, d, wl_now_ms(), err);
}

/* Reads the delivery and its endpoint (a read connection, given back
 * before the slow part). */
static int
load(struct wl_app *app, const char *id, struct store_wh_delivery *d, struct store_wh_endpoint *e,
     struct wl_error *err)
{
	struct store_conn *c = store_acquire(app->store, err);
	int rc;

	if (c == NULL)
		return err->code;
	rc = store_wh_delivery_get(c, id, d, err);
	if (rc == WL_OK && (rc = store_wh_get(c, d->endpoint_id, e, err)) != WL_OK) {
		free(d->body);
		d->body = NULL;
	}
	store_release(c);
	return rc;
}

/* What the attempt's outcome writes: delivered, or the next try, or failed
 * once the next try would fall after the retry window. */
static void
outcome(const struct wl_app *app, struct store_wh_delivery *d, const struct webhook_attempt *a,
	int rc)
{
	int64_t now = wl_now_ms(), next;

	d->last_status_code = a->status;
	d->last_duration_ms = a->duration_ms;
	snprintf(d->last_error, sizeof(d->last_error), "%s", rc == WL_OK ? "" : a->error);
	wl_text_sanitize(a->answer, a->answer_len, d->last_response, WL_WEBHOOK_RESPONSE_MAX);
	if (rc == WL_OK) {
		snprintf(d->status, sizeof(d->status), "delivered");
		d->next_attempt_at = now;
		return;
	}
	next = now + webhook_retry_delay_ms(app->webhook_retry_ms, d->attempts);
	if (next > d->retry_until) {
		snprintf(d->status, sizeof(d->status), "failed");
		d->next_attempt_at = now;
	} else {
		snprintf(d->status, sizeof(d->status), "pending");
		d->next_attempt_at = next;
	}
}

static int
deliver(struct wl_app *app, const struct store_wh_claim *cl, struct wl_error *err)
{
	struct store_wh_endpoint e;
	struct store_wh_delivery d;
	struct webhook_attempt a;
	struct webhook_request in;
	char sig[WL_WEBHOOK_SIG_HEADER_MAX], answer[WL_WEBHOOK_RESPONSE_MAX];
	int rc = load(app, cl->id, &d, &e, err);

	if (rc == WL_ENOTFOUND)
		return WL_OK; /* its endpoint was deleted meanwhile */
	if (rc != WL_OK)
		return rc;
	memset(&a, 0, sizeof(a));
	a.allow_private = app->webhook_allow_private;
	a.answer = answer;
	a.answer_cap = sizeof(answer);
	d.attempts = cl->attempts;
	if (d.url[0] != '\0') /* an agent's webhook_url, signed with the endpoint's secret */
		snprintf(e.url, sizeof(e.url), "%s", d.url);
	in = (struct webhook_request){ e.url,  d.event,
				       d.id,   cl->attempts,
				       sig,    wl_now_ms() / 1000,
				       d.body, WEBHOOK_TIMEOUT_MS };
	if (webhooks_sign(app, &e, in.ts, d.body, sig, err) != WL_OK) {
		snprintf(a.error, sizeof(a.error), "the endpoint's secret cannot be opened");
		rc = WL_EINVALID;
	} else {
		rc = webhook_post(&in, &a);
	}
	sodium_memzero(&e, sizeof(e));
	outcome(app, &d, &a, rc);
	if (rc != WL_OK)
		wl_log("webhook delivery %s (%s, attempt %lld) %s: %s", d.id, d.event,
		       (long long)d.attempts,
		       strcmp(d.status, "failed") == 0 ? "failed" : "will retry", a.error);
	free(d.body);
	d.body = NULL;
	wl_error_clear(err);
	return writer_run(app->writer, settle_run, &d, err);
}

/* One pass: claims up to CLAIM_MAX due deliveries and sends them;
 * *claimed = how many. */
static int
pass(struct wl_app *app, int *claimed, struct wl_error *err)
{
	struct claim_job j;
	int i, rc;

	memset(&j, 0, sizeof(j));
	j.now = wl_now_ms();
	j.lease_until = j.now + WEBHOOK_LEASE_MS;
	*claimed = 0;
	if ((rc = writer_run(app->writer, claim_run, &j, err)) != WL_OK)
		return rc;
	*claimed = j.n;
	for (i = 0; i < j.n && rc == WL_OK; i++)
		rc = deliver(app, &j.rows[i], err);
	return rc;
}

/* ---- the threads ------------------------------------------------------------------------- */

struct webhook_sender {
	struct wl_app *app;
	pthread_t threads[WEBHOOK_SENDERS];
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stopping;
};

static void *
sender_main(void *arg)
{
	struct webhook_sender *s = arg;
	struct wl_error err;
	struct timespec until;
	int claimed;

	pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		pthread_mutex_unlock(&s->mu);
		wl_error_clear(&err);
		if (pass(s->app, &claimed, &err) != WL_OK)
			wl_log("webhook sender: %s", err.message);
		pthread_mutex_lock(&s->mu);
		if (s->stopping)
			break;
		if (claimed == CLAIM_MAX)
			continue; /* more may be due */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += POLL_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->cv, &s->mu, &until);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

struct webhook_sender *
webhook_sender_start(struct wl_app *app, struct wl_error *err)
{
	struct webhook_sender *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		wl_fail(err, WL_EINTERNAL, "out of memory");
		return NULL;
	}
	s->app = app;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	for (s->started = 0; s->started < WEBHOOK_SENDERS; s->started++) {
		if (pthread_create(&s->threads[s->started], NULL, sender_main, s) != 0)
			break;
		pthread_setname_np(s->threads[s->started], "wl-hook-sender"); /* top -H, perf */
	}
	if (s->started == 0) {
		webhook_sender_stop(s);
		wl_fail(err, WL_EINTERNAL, "cannot start the webhook sender");
		return NULL;
	}
	return s;
}

void
webhook_sender_stop(struct webhook_sender *s)
{
	int i;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	for (i = 0; i < s->started; i++)
		pthread_join(s->threads[i], NULL);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}
