/*
 * writer.c — the group-commit writer (see writer.h for why).
 *
 * Batch life: take up to MAX_BATCH queued jobs → BEGIN → for each job
 * SAVEPOINT, run, RELEASE (or ROLLBACK TO on failure) → COMMIT → call every
 * job's done. If BEGIN or COMMIT fails, nothing of the batch is durable:
 * a transient conflict retries the whole batch a few times, any other
 * failure ends every job of the batch with that error.
 */
#include "services/writer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BATCH 512
#define MAX_QUEUE 20000
#define MAX_RETRIES 5

struct writer {
	struct store *store;
	struct store_conn *conn;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct wl_job *head, *tail;
	size_t queued;
	int stopping;
	struct writer_stats stats;
};

static int
by_order_key(const void *a, const void *b)
{
	const struct wl_job *x = *(const struct wl_job *const *)a;
	const struct wl_job *y = *(const struct wl_job *const *)b;
	int c = strcmp(x->order_key, y->order_key);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
run_batch_once(struct writer *w, struct wl_job **jobs, size_t n, struct wl_error *berr, int *brc)
{
	size_t i;

	*brc = store_begin(w->conn, berr);
	if (*brc != WL_OK)
		return;
	for (i = 0; i < n; i++) {
		struct wl_job *j = jobs[i];

		wl_error_clear(&j->err);
		j->rc = store_savepoint(w->conn, &j->err);
		if (j->rc == WL_OK) {
			j->rc = j->run(w->conn, j->arg, &j->err);
			if (j->rc < 0) {
				if (j->err.code == WL_OK)
					wl_fail(&j->err, j->rc, "write failed");
				if (store_retryable(w->conn)) {
					/* The whole transaction is gone: retry the batch. */
					store_rollback(w->conn);
					*brc = wl_fail(berr, WL_EUNAVAILABLE, "write conflict");
					return;
				}
				store_savepoint_rollback(w->conn);
			} else if (store_savepoint_release(w->conn, &j->err) != WL_OK) {
				j->rc = j->err.code;
			}
		}
	}
	*brc = store_commit(w->conn, berr);
	if (*brc != WL_OK)
		store_rollback(w->conn);
}

static void
run_batch(struct writer *w, struct wl_job **jobs, size_t n)
{
	struct wl_error berr;
	int brc = WL_OK, attempt;
	size_t i;

	for (attempt = 0; attempt < MAX_RETRIES; attempt++) {
		wl_error_clear(&berr);
		run_batch_once(w, jobs, n, &berr, &brc);
		if (brc == WL_OK || !store_retryable(w->conn))
			break;
	}
	for (i = 0; i < n; i++) {
		if (brc != WL_OK) {
			jobs[i]->rc = brc;
			jobs[i]->err = berr;
		}
		jobs[i]->done(jobs[i]);
	}
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct wl_job *batch[MAX_BATCH];

	for (;;) {
		size_t n = 0;

		pthread_mutex_lock(&w->mu);
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->head == NULL && w->stopping) {
			pthread_mutex_unlock(&w->mu);
			break;
		}
		while (w->head != NULL && n < MAX_BATCH) {
			batch[n++] = w->head;
			w->head = w->head->next;
		}
		if (w->head == NULL)
			w->tail = NULL;
		w->queued -= n;
		pthread_mutex_unlock(&w->mu);

		for (size_t i = 0; i < n; i++)
			batch[i]->seq = (unsigned)i;
		qsort(batch, n, sizeof(batch[0]), by_order_key);
		run_batch(w, batch, n);

		pthread_mutex_lock(&w->mu);
		w->stats.batches++;
		w->stats.jobs += n;
		if (n > w->stats.max_batch)
			w->stats.max_batch = n;
		pthread_mutex_unlock(&w->mu);
	}
	return NULL;
}

struct writer *
writer_start(struct store *s, struct wl_error *err)
{
	struct writer *w = calloc(1, sizeof(*w));

	if (w == NULL) {
		wl_fail(err, WL_EINTERNAL, "out of memory");
		return NULL;
	}
	w->store = s;
	w->conn = store_acquire(s, err);
	if (w->conn == NULL) {
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		store_release(w->conn);
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		wl_fail(err, WL_EINTERNAL, "cannot start the writer thread");
		return NULL;
	}
	return w;
}

void
writer_stop(struct writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	store_release(w->conn);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

int
writer_submit(struct writer *w, struct wl_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&w->mu);
	if (w->stopping || w->queued >= MAX_QUEUE) {
		pthread_mutex_unlock(&w->mu);
		return WL_EUNAVAILABLE;
	}
	if (w->tail != NULL)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	w->queued++;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return WL_OK;
}

struct sync_job {
	struct wl_job job;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int finished;
};

static void
sync_done(struct wl_job *job)
{
	struct sync_job *s = (struct sync_job *)job;

	pthread_mutex_lock(&s->mu);
	s->finished = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

int
writer_run(struct writer *w, int (*run)(struct store_conn *, void *, struct wl_error *),
	   void *arg, struct wl_error *err)
{
	struct sync_job s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.job.run = run;
	s.job.done = sync_done;
	s.job.arg = arg;
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);
	rc = writer_submit(w, &s.job);
	if (rc != WL_OK) {
		wl_fail(err, rc, "the writer is not accepting work");
	} else {
		pthread_mutex_lock(&s.mu);
		while (!s.finished)
			pthread_cond_wait(&s.cv, &s.mu);
		pthread_mutex_unlock(&s.mu);
		rc = s.job.rc;
		if (rc < 0)
			*err = s.job.err;
	}
	pthread_cond_destroy(&s.cv);
	pthread_mutex_destroy(&s.mu);
	return rc < 0 ? rc : WL_OK;
}

void
writer_get_stats(struct writer *w, struct writer_stats *out)
{
	pthread_mutex_lock(&w->mu);
	*out = w->stats;
	pthread_mutex_unlock(&w->mu);
}
