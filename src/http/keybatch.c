/*
 * keybatch.c — on a networked database (PostgreSQL), the account reads of
 * a moment share one round trip. A suspended GET /api/v1/account request
 * (its key's own org, no X-Organization-Id) is queued here instead of on
 * the worker pool; one thread takes every request queued meanwhile (up to
 * STORE_KEYS_MAX), looks all their keys up in one statement
 * (accounts_api_auth_many: the key, its org and the month's usage), leaves
 * each answer in the request (auth.c takes it instead of asking the
 * database), then runs each request as a worker would (its handler only
 * formats). Under load many requests share one statement, one wake-up of
 * the database's backend and of this thread; alone, a request waits for
 * nothing but its own lookup.
 */
#include "http/http_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/timeutil.h"
#include "metrics.h"
#include "services/accounts.h"

struct kb_item {
	struct kb_item *next;
	struct wl_req *req;
	void (*run)(void *);
	void *arg;
};

struct keybatch {
	struct wl_app *app;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct kb_item *head, **tail;
	bool stop;
	pthread_t thread;
};

/* The bearer token of the request, NULL when it has none (auth.c then
 * answers the request as it always does). */
static const char *
bearer(struct wl_req *req)
{
	const char *h = http_header(req, "Authorization");

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 || h[7] == '\0')
		return NULL;
	return h + 7;
}

/* Looks every request's key up in one statement; a request whose lookup
 * could not run is left to ask by itself. */
static void
look_up(struct keybatch *kb, struct kb_item **items, int n)
{
	const char *keys[STORE_KEYS_MAX];
	size_t lens[STORE_KEYS_MAX];
	struct api_auth found[STORE_KEYS_MAX];
	struct wl_error errs[STORE_KEYS_MAX], err;
	int rc[STORE_KEYS_MAX], at[STORE_KEYS_MAX], m = 0, i;
	struct store_conn *c;

	for (i = 0; i < n; i++)
		if ((keys[m] = bearer(items[i]->req)) != NULL) {
			lens[m] = strlen(keys[m]);
			at[m++] = i;
		}
	if (m == 0)
		return;
	wl_error_clear(&err);
	if ((c = store_acquire(kb->app->store, &err)) == NULL)
		return;
	accounts_api_auth_many(kb->app, c, m, keys, lens, wl_now_ms(), found, rc, errs);
	store_release(c);
	metrics_key_batch((size_t)m);
	for (i = 0; i < m; i++) {
		struct http_private *p = items[at[i]]->req->priv;
		struct http_preauth *pa = malloc(sizeof(*pa));

		if (pa == NULL)
			continue; /* it asks by itself */
		pa->rc = rc[i];
		pa->err = errs[i];
		pa->auth = found[i];
		free(p->preauth);
		p->preauth = pa;
	}
}

static void *
keybatch_main(void *arg)
{
	struct keybatch *kb = arg;
	struct kb_item *items[STORE_KEYS_MAX];
	int n, i;

	for (;;) {
		pthread_mutex_lock(&kb->mu);
		while (kb->head == NULL && !kb->stop)
			pthread_cond_wait(&kb->cv, &kb->mu);
		if (kb->head == NULL) {
			pthread_mutex_unlock(&kb->mu);
			return NULL;
		}
		for (n = 0; n < STORE_KEYS_MAX && kb->head != NULL; n++) {
			items[n] = kb->head;
			kb->head = kb->head->next;
		}
		if (kb->head == NULL)
			kb->tail = &kb->head;
		pthread_mutex_unlock(&kb->mu);
		look_up(kb, items, n);
		for (i = 0; i < n; i++) {
			items[i]->run(items[i]->arg); /* the request may be gone after */
			free(items[i]);
		}
	}
}

struct keybatch *
keybatch_start(struct wl_app *app)
{
	struct keybatch *kb = calloc(1, sizeof(*kb));

	if (kb == NULL)
		return NULL;
	kb->app = app;
	kb->tail = &kb->head;
	pthread_mutex_init(&kb->mu, NULL);
	pthread_cond_init(&kb->cv, NULL);
	if (pthread_create(&kb->thread, NULL, keybatch_main, kb) != 0) {
		pthread_cond_destroy(&kb->cv);
		pthread_mutex_destroy(&kb->mu);
		free(kb);
		return NULL;
	}
	pthread_setname_np(kb->thread, "wl-keybatch"); /* top -H, perf */
	return kb;
}

int
keybatch_submit(struct keybatch *kb, struct wl_req *req, void (*run)(void *), void *arg)
{
	struct kb_item *it = malloc(sizeof(*it));

	if (it == NULL)
		return WL_EUNAVAILABLE;
	it->next = NULL;
	it->req = req;
	it->run = run;
	it->arg = arg;
	pthread_mutex_lock(&kb->mu);
	*kb->tail = it;
	kb->tail = &it->next;
	pthread_cond_signal(&kb->cv);
	pthread_mutex_unlock(&kb->mu);
	return WL_OK;
}

/* After the server stopped: everything queued has run (no request is in
 * flight), the thread ends. */
void
keybatch_stop(struct keybatch *kb)
{
	if (kb == NULL)
		return;
	pthread_mutex_lock(&kb->mu);
	kb->stop = true;
	pthread_cond_signal(&kb->cv);
	pthread_mutex_unlock(&kb->mu);
	pthread_join(kb->thread, NULL);
	pthread_cond_destroy(&kb->cv);
	pthread_mutex_destroy(&kb->mu);
	free(kb);
}
