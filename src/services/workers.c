/*
 * workers.c — a fixed pool of threads draining one bounded FIFO of tasks.
 */
#include "services/workers.h"

#include <pthread.h>
#include <stdlib.h>

#define MAX_THREADS 64
#define MAX_QUEUE 10000

struct task {
	void (*fn)(void *);
	void *arg;
	struct task *next;
};

struct workers {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct task *head, *tail;
	int queued;
	int busy; /* threads running a task */
	int stopping;
	int nthreads;
	pthread_t threads[MAX_THREADS];
};

static void *
worker_main(void *arg)
{
	struct workers *w = arg;

	for (;;) {
		struct task *t;

		pthread_mutex_lock(&w->mu);
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->cv, &w->mu);
		t = w->head;
		if (t == NULL) {
			pthread_mutex_unlock(&w->mu);
			return NULL;
		}
		w->head = t->next;
		if (w->head == NULL)
			w->tail = NULL;
		w->queued--;
		w->busy++;
		pthread_mutex_unlock(&w->mu);
		t->fn(t->arg);
		free(t);
		pthread_mutex_lock(&w->mu);
		w->busy--;
		pthread_mutex_unlock(&w->mu);
	}
}

struct workers *
workers_start(int nthreads, struct wl_error *err)
{
	struct workers *w = calloc(1, sizeof(*w));
	int i;

	if (w == NULL) {
		wl_fail(err, WL_EINTERNAL, "out of memory");
		return NULL;
	}
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&w->threads[i], NULL, worker_main, w) != 0)
			break;
		pthread_setname_np(w->threads[i], "wl-worker"); /* top -H, perf */
	}
	w->nthreads = i;
	if (i == 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		wl_fail(err, WL_EINTERNAL, "cannot start worker threads");
		return NULL;
	}
	return w;
}

void
workers_stop(struct workers *w)
{
	int i;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

int
workers_submit(struct workers *w, void (*fn)(void *), void *arg)
{
	struct task *t = malloc(sizeof(*t));

	if (t == NULL)
		return WL_EUNAVAILABLE;
	t->fn = fn;
	t->arg = arg;
	t->next = NULL;
	pthread_mutex_lock(&w->mu);
	if (w->stopping || w->queued >= MAX_QUEUE) {
		pthread_mutex_unlock(&w->mu);
		free(t);
		return WL_EUNAVAILABLE;
	}
	if (w->tail != NULL)
		w->tail->next = t;
	else
		w->head = t;
	w->tail = t;
	w->queued++;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return WL_OK;
}

void
workers_usage(struct workers *w, int *queued, int *busy, int *threads)
{
	pthread_mutex_lock(&w->mu);
	*queued = w->queued;
	*busy = w->busy;
	*threads = w->nthreads;
	pthread_mutex_unlock(&w->mu);
}
