/*
 * writer.c — the group-commit writer (see writer.h for why).
 *
 * Batch life: take up to MAX_BATCH queued jobs → BEGIN → run each job →
 * COMMIT → call every job's done. First quickly: no savepoints, and on
 * PostgreSQL in pipeline mode (writes sent without waiting). A job refused
 * before its first write keeps its refusal (then its refusal reads) and the
 * batch goes on; a job that failed after writing, or a pipelined write that
 * failed, sends the batch round again carefully: for each job SAVEPOINT,
 * run, RELEASE (or ROLLBACK TO on failure, then the job's refusal reads).
 * If BEGIN or COMMIT
 * fails, nothing of the batch is durable: a transient conflict retries the
 * whole batch a few times, any other failure ends every job of the batch
 * with that error. A job whose savepoint cannot be undone (ROLLBACK TO
 * failed, also after a failed RELEASE) is left out and the batch is run
 * again from BEGIN without it, so none of its writes can commit.
 *
 * In the quick attempt the rows of the jobs that name theirs (writer.h) are
 * locked in one statement when the first of them is reached; the careful
 * attempt lets every job lock its own.
 */
#include "services/writer.h"

#include <pthread.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "core/timeutil.h"
#include "metrics.h"

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
	uint64_t last_commit_us; /* the last batch's COMMIT (writer thread only) */
	/* the rows to lock ahead (lock_ahead; writer thread only) */
	const char *agencies[MAX_BATCH], *orgs[MAX_BATCH], *calls[MAX_BATCH];
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

/* How a batch attempt ended. */
enum attempt { ATTEMPT_DONE, ATTEMPT_RETRY, ATTEMPT_WITHOUT_JOB, ATTEMPT_CAREFUL };

/* A job whose savepoint cannot be undone: its writes may still be in the
 * transaction, so the transaction goes and the batch runs again without it. */
static enum attempt
exclude(struct writer *w, struct wl_job *j, const struct wl_error *why)
{
	if (j->rc >= 0 || j->err.code == WL_OK) {
		j->rc = why->code != WL_OK ? why->code : WL_EINTERNAL;
		j->err = *why;
	}
	j->excluded = true;
	store_rollback(w->conn);
	return ATTEMPT_WITHOUT_JOB;
}

/* After a failed job's writes are undone (or when it wrote nothing): its
 * reads for the refusal, in a savepoint of their own that is always rolled
 * back (a failed read on PostgreSQL aborts only that savepoint). */
static enum attempt
refusal_reads(struct writer *w, struct wl_job *j)
{
	struct wl_error e;

	wl_error_clear(&e);
	if (j->refused == NULL)
		return ATTEMPT_DONE;
	if (store_savepoint(w->conn, &e) != WL_OK)
		return exclude(w, j, &j->err);
	j->refused(w->conn, j->arg);
	if (store_savepoint_rollback(w->conn, &e) != WL_OK)
		return exclude(w, j, &j->err);
	return ATTEMPT_DONE;
}

/* A failure the whole transaction cannot survive: retry the batch. */
static enum attempt
retry(struct writer *w, struct wl_error *berr)
{
	store_rollback(w->conn);
	wl_fail(berr, WL_EUNAVAILABLE, "write conflict");
	return ATTEMPT_RETRY;
}

/* One job without a savepoint (the quick attempt). Most jobs either succeed
 * or are refused before their first write (a call's debit, capped by the
 * balances it read, is never refused); those need no savepoint. A job that
 * failed after writing — or whose failure spoiled the transaction, or
 * whose pipelined write failed — cannot be undone alone: the batch is
 * rolled back and run again carefully, every job in its savepoint. */
static enum attempt
run_job_quick(struct writer *w, struct wl_job *j, struct wl_error *berr)
{
	uint64_t mark = store_change_mark(w->conn);

	wl_error_clear(&j->err);
	j->rc = j->run(w->conn, j->arg, &j->err);
	if (j->rc >= 0)
		return ATTEMPT_DONE;
	if (j->err.code == WL_OK)
		wl_fail(&j->err, j->rc, "write failed");
	if (store_retryable(w->conn))
		return retry(w, berr);
	if (!store_unchanged_since(w->conn, mark)) {
		store_rollback(w->conn);
		return ATTEMPT_CAREFUL;
	}
	return refusal_reads(w, j);
}

/* One job in its savepoint (the careful attempt). */
static enum attempt
run_job_careful(struct writer *w, struct wl_job *j, struct wl_error *berr)
{
	struct wl_error e;

	wl_error_clear(&j->err);
	wl_error_clear(&e);
	j->rc = store_savepoint(w->conn, &j->err);
	if (j->rc != WL_OK)
		return ATTEMPT_DONE;
	j->rc = j->run(w->conn, j->arg, &j->err);
	if (j->rc >= 0) {
		if (store_savepoint_release(w->conn, &j->err) == WL_OK)
			return ATTEMPT_DONE;
		/* Not released: undo it, or its writes would commit with the batch. */
		j->rc = j->err.code;
		if (store_savepoint_rollback(w->conn, &e) != WL_OK)
			return exclude(w, j, &j->err);
		return ATTEMPT_DONE;
	}
	if (j->err.code == WL_OK)
		wl_fail(&j->err, j->rc, "write failed");
	if (store_retryable(w->conn))
		return retry(w, berr);
	if (store_savepoint_rollback(w->conn, &e) != WL_OK)
		return exclude(w, j, &j->err);
	return refusal_reads(w, j);
}

/* Appends id to list unless empty or the same as the last one: jobs come
 * sorted by agency, then arrival, so repeats are mostly neighbours (the
 * others cost nothing but their bytes). */
static void
add_id(const char **list, int *n, const char *id)
{
	if (id[0] != '\0' && (*n == 0 || strcmp(list[*n - 1], id) != 0))
		list[(*n)++] = id;
}

/* Locks the rows of jobs[0..n) in one go (writer.h). A failure the
 * transaction cannot survive retries the batch, any other runs it
 * carefully (each job then locks its own rows). */
static enum attempt
lock_ahead(struct writer *w, struct wl_job **jobs, size_t n, struct wl_error *berr)
{
	struct store_batch_rows rows = { w->agencies, 0, w->orgs, 0, w->calls, 0 };
	struct wl_error e;
	size_t i;

	for (i = 0; i < n; i++) {
		if (jobs[i]->excluded)
			continue;
		add_id(w->agencies, &rows.nagencies, jobs[i]->order_key);
		add_id(w->orgs, &rows.norgs, jobs[i]->lock_org);
		add_id(w->calls, &rows.ncalls, jobs[i]->lock_call);
	}
	wl_error_clear(&e);
	if (store_batch_lock(w->conn, &rows, &e) == WL_OK)
		return ATTEMPT_DONE;
	if (store_retryable(w->conn))
		return retry(w, berr);
	store_rollback(w->conn);
	return ATTEMPT_CAREFUL;
}

/* The quick attempt pipelines on PostgreSQL: a write that failed there
 * shows only at COMMIT, without saying whose it was, so the batch runs
 * again carefully (nothing of it committed). */
static enum attempt
run_batch_once(struct writer *w, struct wl_job **jobs, size_t n, bool careful,
	       struct wl_error *berr, int *brc)
{
	enum attempt a;
	uint64_t commit_from;
	bool locked = careful;
	size_t i;

	*brc = store_pipeline(w->conn, !careful, berr);
	if (*brc == WL_OK)
		*brc = store_begin(w->conn, berr);
	if (*brc != WL_OK) {
		store_pipeline(w->conn, false, berr);
		return ATTEMPT_DONE;
	}
	for (i = 0; i < n; i++) {
		if (jobs[i]->excluded)
			continue;
		if (!locked && jobs[i]->lock_call[0] != '\0') {
			locked = true;
			if ((a = lock_ahead(w, jobs + i, n - i, berr)) != ATTEMPT_DONE) {
				if (a == ATTEMPT_RETRY)
					*brc = berr->code;
				store_pipeline(w->conn, false, berr);
				return a;
			}
		}
		wl_log_request(jobs[i]->request_id);
		if (careful || jobs[i]->savepoint)
			a = run_job_careful(w, jobs[i], berr);
		else
			a = run_job_quick(w, jobs[i], berr);
		wl_log_request(NULL);
		if (a == ATTEMPT_RETRY)
			*brc = berr->code;
		if (a != ATTEMPT_DONE) {
			store_pipeline(w->conn, false, berr);
			return a;
		}
	}
	commit_from = wl_monotonic_us();
	*brc = store_commit(w->conn, berr);
	w->last_commit_us = wl_monotonic_us() - commit_from;
	if (*brc != WL_OK)
		store_rollback(w->conn);
	store_pipeline(w->conn, false, berr);
	if (*brc != WL_OK && !careful && store_pipeline_failed(w->conn))
		return ATTEMPT_CAREFUL;
	return ATTEMPT_DONE;
}

/* Returns whether the batch had to run carefully. */
static bool
run_batch(struct writer *w, struct wl_job **jobs, size_t n)
{
	struct wl_error berr;
	int brc = WL_OK, retries = 0;
	size_t i, restarts = 0;
	bool careful = false;
	enum attempt a;

	for (i = 0; i < n; i++)
		jobs[i]->excluded = false;
	for (;;) {
		wl_error_clear(&berr);
		brc = WL_OK;
		a = run_batch_once(w, jobs, n, careful, &berr, &brc);
		if (a == ATTEMPT_CAREFUL && !careful) {
			careful = true;
			continue;
		}
		/* Each restart leaves one more job out: at most n of them. */
		if (a == ATTEMPT_WITHOUT_JOB && ++restarts <= n)
			continue;
		if (a == ATTEMPT_WITHOUT_JOB) {
			brc = wl_fail(&berr, WL_EINTERNAL, "the batch could not be written");
			break;
		}
		if (brc == WL_OK || !store_retryable(w->conn) || ++retries >= MAX_RETRIES)
			break;
	}
	for (i = 0; i < n; i++) {
		if (brc != WL_OK && !jobs[i]->excluded) {
			jobs[i]->rc = brc;
			jobs[i]->err = berr;
		}
		jobs[i]->done(jobs[i]);
	}
	return careful;
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct wl_job *batch[MAX_BATCH];

	for (;;) {
		size_t n = 0;
		uint64_t round_trips, balance_writes, statements;
		bool careful;

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
		w->last_commit_us = 0;
		round_trips = store_round_trips(w->conn);
		balance_writes = store_balance_writes(w->conn);
		statements = store_statements(w->conn);
		careful = run_batch(w, batch, n);
		round_trips = store_round_trips(w->conn) - round_trips;
		balance_writes = store_balance_writes(w->conn) - balance_writes;
		statements = store_statements(w->conn) - statements;
		metrics_writer_batch(n, w->last_commit_us, round_trips, balance_writes, statements);

		pthread_mutex_lock(&w->mu);
		w->stats.careful += careful;
		w->stats.round_trips += round_trips;
		w->stats.batches++;
		w->stats.jobs += n;
		if (n > w->stats.max_batch)
			w->stats.max_batch = n;
		pthread_mutex_unlock(&w->mu);
	}
	return NULL;
}

void
writer_job_init(struct wl_job *job)
{
	char *tail = (char *)job + offsetof(struct wl_job, err) + sizeof(job->err);

	memset(job, 0, offsetof(struct wl_job, err));
	wl_error_clear(&job->err);
	memset(tail, 0, sizeof(*job) - (size_t)(tail - (char *)job));
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
	store_batch_cache(w->conn, true);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		store_batch_cache(w->conn, false);
		store_release(w->conn);
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		wl_fail(err, WL_EINTERNAL, "cannot start the writer thread");
		return NULL;
	}
	pthread_setname_np(w->thread, "wl-writer"); /* top -H, perf */
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
	store_batch_cache(w->conn, false);
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
writer_run(struct writer *w, int (*run)(struct store_conn *, void *, struct wl_error *), void *arg,
	   struct wl_error *err)
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

size_t
writer_queue_depth(struct writer *w)
{
	size_t n;

	pthread_mutex_lock(&w->mu);
	n = w->queued;
	pthread_mutex_unlock(&w->mu);
	return n;
}
