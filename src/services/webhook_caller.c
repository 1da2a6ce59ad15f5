/*
 * webhook_caller.c — the curl multi loop of the synchronous webhook calls
 * (see webhook_caller.h). Transfers are handed over through a small locked
 * queue and curl_multi_wakeup; each one's time-out is its own
 * (CURLOPT_TIMEOUT_MS), so the loop only waits for sockets.
 */
#include "services/webhook_caller.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "log.h"

struct pending {
	struct pending *next;
	struct webhook_transfer *t;
	void (*done)(void *arg, int rc);
	void *arg;
};

struct webhook_caller {
	CURLM *multi;
	pthread_t thread;
	pthread_mutex_t mu;
	struct pending *queue;  /* handed over, not yet added to multi */
	struct pending *active; /* in multi (the loop's thread only) */
	bool stopping;
	atomic_int used;
	int max;
};

bool
webhook_caller_reserve(struct webhook_caller *c)
{
	int n = atomic_fetch_add(&c->used, 1);

	if (n >= c->max) {
		atomic_fetch_sub(&c->used, 1);
		return false;
	}
	return true;
}

void
webhook_caller_release(struct webhook_caller *c)
{
	atomic_fetch_sub(&c->used, 1);
}

static void
finish(struct webhook_caller *c, struct pending *p, int rc)
{
	p->done(p->arg, rc);
	webhook_transfer_free(p->t);
	free(p);
	webhook_caller_release(c);
}

void
webhook_caller_run(struct webhook_caller *c, struct webhook_transfer *t,
		   void (*done)(void *arg, int rc), void *arg)
{
	struct pending *p = calloc(1, sizeof(*p));
	bool refused;

	if (p == NULL) {
		done(arg, WL_EUNAVAILABLE);
		webhook_transfer_free(t);
		webhook_caller_release(c);
		return;
	}
	p->t = t;
	p->done = done;
	p->arg = arg;
	pthread_mutex_lock(&c->mu);
	refused = c->stopping;
	if (!refused) {
		p->next = c->queue;
		c->queue = p;
	}
	pthread_mutex_unlock(&c->mu);
	if (refused)
		finish(c, p, WL_EUNAVAILABLE);
	else
		curl_multi_wakeup(c->multi);
}

/* Moves the handed-over transfers into the multi handle. */
static void
take_queue(struct webhook_caller *c)
{
	struct pending *p, *next;

	pthread_mutex_lock(&c->mu);
	p = c->queue;
	c->queue = NULL;
	pthread_mutex_unlock(&c->mu);
	for (; p != NULL; p = next) {
		next = p->next;
		curl_easy_setopt(webhook_transfer_easy(p->t), CURLOPT_PRIVATE, p);
		if (curl_multi_add_handle(c->multi, webhook_transfer_easy(p->t)) != CURLM_OK) {
			finish(c, p, WL_EUNAVAILABLE);
		} else {
			p->next = c->active;
			c->active = p;
		}
	}
}

/* Transfers that ended: their outcome, their done. */
static void
unlink_active(struct webhook_caller *c, struct pending *p)
{
	struct pending **pp;

	for (pp = &c->active; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			return;
		}
}

static void
reap(struct webhook_caller *c)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
		struct pending *p = NULL;
		CURL *easy = m->easy_handle;
		CURLcode cc = m->data.result;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&p);
		curl_multi_remove_handle(c->multi, easy);
		unlink_active(c, p);
		finish(c, p, webhook_transfer_outcome(p->t, cc));
	}
}

/* Stopping: every transfer still in the multi handle ends as failed. */
static void
abandon_all(struct webhook_caller *c)
{
	struct pending *p;

	take_queue(c);
	while ((p = c->active) != NULL) {
		c->active = p->next;
		curl_multi_remove_handle(c->multi, webhook_transfer_easy(p->t));
		finish(c, p, webhook_transfer_outcome(p->t, CURLE_ABORTED_BY_CALLBACK));
	}
}

static void *
caller_main(void *arg)
{
	struct webhook_caller *c = arg;
	int running = 0;
	bool stopping = false;

	while (!stopping) {
		take_queue(c);
		if (curl_multi_perform(c->multi, &running) != CURLM_OK)
			wl_log("webhook caller: curl_multi_perform failed");
		reap(c);
		curl_multi_poll(c->multi, NULL, 0, 1000, NULL);
		pthread_mutex_lock(&c->mu);
		stopping = c->stopping;
		pthread_mutex_unlock(&c->mu);
	}
	abandon_all(c);
	return NULL;
}

struct webhook_caller *
webhook_caller_start(int max, struct wl_error *err)
{
	struct webhook_caller *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->multi = curl_multi_init()) == NULL) {
		free(c);
		wl_fail(err, WL_EINTERNAL, "cannot start the webhook caller");
		return NULL;
	}
	c->max = max > 0 ? max : WEBHOOK_CALLER_MAX_DEFAULT;
	pthread_mutex_init(&c->mu, NULL);
	if (pthread_create(&c->thread, NULL, caller_main, c) != 0) {
		curl_multi_cleanup(c->multi);
		pthread_mutex_destroy(&c->mu);
		free(c);
		wl_fail(err, WL_EINTERNAL, "cannot start the webhook caller");
		return NULL;
	}
	pthread_setname_np(c->thread, "wl-hook-caller"); /* top -H, perf */
	return c;
}

void
webhook_caller_stop(struct webhook_caller *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	c->stopping = true;
	pthread_mutex_unlock(&c->mu);
	curl_multi_wakeup(c->multi);
	pthread_join(c->thread, NULL);
	curl_multi_cleanup(c->multi);
	pthread_mutex_destroy(&c->mu);
	free(c);
}
