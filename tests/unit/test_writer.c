/*
 * test_writer.c — the group-commit writer's failure paths, on a scripted
 * backend that records every transaction step and can make any of them
 * fail: a RELEASE that fails is rolled back before the job is reported
 * failed, a job whose savepoint cannot be undone is left out of a batch run
 * again from BEGIN, a failed COMMIT fails every job, and a refused job's
 * reads run after its savepoint is undone. The driver below the real
 * store.c is scripted (a struct db_driver that logs each transaction
 * statement and fails the ones a test asks for). With WLPORTAL_TEST_PG set, a
 * COMMIT of a failed PostgreSQL transaction (answered "ROLLBACK") is not
 * taken for a commit.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "services/ids.h"
#include "services/writer.h"
#include "store/db.h"

/* ---- a scripted driver ----------------------------------------------------------
 * Below the real store.c: the writer's store_begin, store_savepoint,
 * store_savepoint_release, store_savepoint_rollback, store_commit and
 * store_rollback reach this driver as the statements Q_BEGIN, Q_SAVEPOINT,
 * Q_RELEASE, Q_ROLLBACK_TO, Q_COMMIT and Q_ROLLBACK. */

#define MAX_WRITES 32

struct fake {
	struct store base;
	struct store_conn conn;
	struct db_stmt stmt;
	char log[1024];      /* the steps, space separated */
	char tx[MAX_WRITES]; /* writes of the open transaction */
	int ntx;
	bool in_tx;
	int savepoint_at; /* ntx when the savepoint was taken */
	char committed[MAX_WRITES];
	int ncommitted;
	int fail_release;     /* fail the next N RELEASEs */
	int fail_rollback_to; /* fail the next N ROLLBACK TOs */
	int fail_commit;      /* fail the next N COMMITs */
	int armed;            /* failures apply once a test job ran */
	uint64_t writes;      /* every write ever (the change mark) */
};

static struct fake *
fake_of(struct store_conn *c)
{
	return (struct fake *)((char *)c - offsetof(struct fake, conn));
}

static void
step(struct fake *f, const char *what)
{
	size_t n = strlen(f->log);

	snprintf(f->log + n, sizeof(f->log) - n, "%s%s", n > 0 ? " " : "", what);
}

/* Counts down one scripted failure of a step. */
static bool
scripted_failure(struct fake *f, int *count)
{
	if (!f->armed || *count <= 0)
		return false;
	(*count)--;
	return true;
}

static enum db_step
fake_step(struct db_stmt *st, struct wl_error *err)
{
	struct fake *f = fake_of(st->conn);

	switch (st->id) {
	case Q_BEGIN:
		step(f, "BEGIN");
		f->ntx = 0;
		f->in_tx = true;
		return DB_DONE;
	case Q_SAVEPOINT:
		step(f, "SAVEPOINT");
		f->savepoint_at = f->ntx;
		return DB_DONE;
	case Q_RELEASE:
		step(f, "RELEASE");
		if (scripted_failure(f, &f->fail_release)) {
			wl_fail(err, WL_EINTERNAL, "release refused");
			return DB_FAIL;
		}
		return DB_DONE;
	case Q_ROLLBACK_TO:
		step(f, "ROLLBACK_TO");
		if (scripted_failure(f, &f->fail_rollback_to)) {
			wl_fail(err, WL_EINTERNAL, "rollback to refused");
			return DB_FAIL;
		}
		f->ntx = f->savepoint_at;
		return DB_DONE;
	case Q_COMMIT:
		step(f, "COMMIT");
		if (scripted_failure(f, &f->fail_commit)) {
			wl_fail(err, WL_EINTERNAL, "commit refused");
			return DB_FAIL;
		}
		memcpy(f->committed + f->ncommitted, f->tx, (size_t)f->ntx);
		f->ncommitted += f->ntx;
		f->ntx = 0;
		f->in_tx = false;
		return DB_DONE;
	case Q_ROLLBACK:
		step(f, "ROLLBACK");
		f->ntx = 0;
		f->in_tx = false;
		return DB_DONE;
	default:
		wl_fail(err, WL_EINTERNAL, "statement %d is not scripted", (int)st->id);
		return DB_FAIL;
	}
}

static struct db_stmt *
fake_stmt(struct store_conn *c, enum stmt_id id, struct wl_error *err)
{
	struct fake *f = fake_of(c);

	(void)err;
	f->stmt = (struct db_stmt){ c->drv, c, id };
	return &f->stmt;
}

static int
fake_begin(struct store_conn *c, struct wl_error *err)
{
	return db_run(c, Q_BEGIN, err);
}

static bool
fake_in_transaction(struct store_conn *c)
{
	return fake_of(c)->in_tx;
}
static struct store_conn *
fake_acquire(struct store *s, struct wl_error *e)
{
	(void)e;
	return &((struct fake *)s)->conn;
}
static void
fake_release_conn(struct store_conn *c)
{
	(void)c;
}
/* Moves with every write (the writer's quick attempt compares it). */
static uint64_t
fake_change_mark(struct store_conn *c)
{
	return fake_of(c)->writes;
}
static int64_t
fake_changes(struct db_stmt *st)
{
	(void)st;
	return 0;
}
static void
fake_reset(struct db_stmt *st)
{
	(void)st;
}

/* Only what the writer reaches; the rest stays NULL and would crash a test
 * that strayed into it. */
static const struct db_driver fake_driver = {
	.acquire = fake_acquire,
	.release = fake_release_conn,
	.begin = fake_begin,
	.in_transaction = fake_in_transaction,
	.stmt = fake_stmt,
	.step = fake_step,
	.changes = fake_changes,
	.reset = fake_reset,
	.change_mark = fake_change_mark,
};

/* A job's write: one letter into the open transaction. */
static void
fake_write(struct store_conn *c, char what)
{
	struct fake *f = fake_of(c);

	f->tx[f->ntx++] = what;
	f->writes++;
}

/* ---- jobs ------------------------------------------------------------------------- */

struct tjob {
	struct wl_job job;
	char letter;
	int fail;   /* run fails after writing */
	int early;  /* run fails before writing */
	bool quick; /* no savepoint of its own (the writer decides) */
	int runs;
	int refusal_reads;
	char seen_at_refusal[MAX_WRITES + 1];
	pthread_mutex_t *mu;
	pthread_cond_t *cv;
	int *pending;
};

static int
tjob_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct tjob *t = arg;

	t->runs++;
	fake_of(c)->armed = 1;
	if (t->early)
		return wl_fail(err, WL_EINSUFFICIENT, "refused early");
	fake_write(c, t->letter);
	if (t->fail)
		return wl_fail(err, WL_EVALIDATION, "refused");
	return WL_OK;
}

static void
tjob_refused(struct store_conn *c, void *arg)
{
	struct tjob *t = arg;
	struct fake *f = fake_of(c);

	t->refusal_reads++;
	memcpy(t->seen_at_refusal, f->tx, (size_t)f->ntx);
	t->seen_at_refusal[f->ntx] = '\0';
	step(f, "READS");
}

static void
tjob_done(struct wl_job *job)
{
	struct tjob *t = (struct tjob *)job;

	pthread_mutex_lock(t->mu);
	(*t->pending)--;
	pthread_cond_signal(t->cv);
	pthread_mutex_unlock(t->mu);
}

/* Holds the writer in a batch of its own until the test has queued the
 * jobs that must share the next batch. */
struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int entered, open;
};

static int
gate_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct gate *g = arg;

	(void)c;
	(void)err;
	pthread_mutex_lock(&g->mu);
	g->entered = 1;
	pthread_cond_broadcast(&g->cv);
	while (!g->open)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
	return WL_OK;
}

static void
gate_done(struct wl_job *job)
{
	(void)job;
}

/* Runs jobs[0..n) in one batch of the writer over fake f. */
static void
run_one_batch(struct fake *f, struct tjob *jobs, int n)
{
	struct wl_error err;
	struct writer *w;
	struct gate g = { .entered = 0, .open = 0 };
	struct wl_job gj;
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
	int pending = n, i;

	f->base.drv = &fake_driver;
	f->base.kind = STORE_SQLITE;
	f->conn.drv = &fake_driver;
	f->conn.owner = &f->base;
	w = writer_start(&f->base, &err);
	assert_non_null(w);
	pthread_mutex_init(&g.mu, NULL);
	pthread_cond_init(&g.cv, NULL);
	memset(&gj, 0, sizeof(gj));
	gj.run = gate_run;
	gj.done = gate_done;
	gj.arg = &g;
	assert_int_equal(writer_submit(w, &gj), WL_OK);
	pthread_mutex_lock(&g.mu);
	while (!g.entered)
		pthread_cond_wait(&g.cv, &g.mu);
	pthread_mutex_unlock(&g.mu);
	for (i = 0; i < n; i++) {
		jobs[i].job.run = tjob_run;
		jobs[i].job.done = tjob_done;
		jobs[i].job.arg = &jobs[i];
		jobs[i].job.savepoint = !jobs[i].quick;
		jobs[i].mu = &mu;
		jobs[i].cv = &cv;
		jobs[i].pending = &pending;
		assert_int_equal(writer_submit(w, &jobs[i].job), WL_OK);
	}
	pthread_mutex_lock(&g.mu);
	g.open = 1;
	pthread_cond_broadcast(&g.cv);
	pthread_mutex_unlock(&g.mu);
	pthread_mutex_lock(&mu);
	while (pending > 0)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	writer_stop(w);
	pthread_cond_destroy(&g.cv);
	pthread_mutex_destroy(&g.mu);
	/* Only the batch of the jobs: drop the gate's own steps. */
	{
		char *second = strstr(f->log + 1, "BEGIN");

		assert_non_null(second);
		memmove(f->log, second, strlen(second) + 1);
	}
}

static void
assert_committed(struct fake *f, const char *want)
{
	f->committed[f->ncommitted] = '\0';
	assert_string_equal(f->committed, want);
}

/* ---- tests ------------------------------------------------------------------------ */

static void
test_release_failure_is_rolled_back(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct tjob jobs[2];

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	jobs[0].letter = 'a';
	jobs[1].letter = 'b';
	f->fail_release = 1;
	run_one_batch(f, jobs, 2);
	assert_true(jobs[0].job.rc < 0);
	assert_int_equal(jobs[1].job.rc, WL_OK);
	/* a's writes were undone before b ran; only b commits */
	assert_string_equal(f->log,
			    "BEGIN SAVEPOINT RELEASE ROLLBACK_TO RELEASE SAVEPOINT RELEASE COMMIT");
	assert_committed(f, "b");
	free(f);
}

static void
test_undo_failure_reruns_batch_without_the_job(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct tjob jobs[3];

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	jobs[0].letter = 'a';
	jobs[1].letter = 'b';
	jobs[1].fail = 1;
	jobs[2].letter = 'c';
	f->fail_rollback_to = 1;
	run_one_batch(f, jobs, 3);
	assert_int_equal(jobs[0].job.rc, WL_OK);
	assert_int_equal(jobs[1].job.rc, WL_EVALIDATION);
	assert_string_equal(jobs[1].job.err.message, "refused");
	assert_int_equal(jobs[2].job.rc, WL_OK);
	assert_int_equal(jobs[0].runs, 2);
	assert_int_equal(jobs[1].runs, 1);
	assert_int_equal(jobs[2].runs, 1);
	assert_committed(f, "ac");
	assert_non_null(strstr(f->log, "ROLLBACK_TO ROLLBACK BEGIN"));
	free(f);
}

static void
test_release_and_undo_failure(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct tjob jobs[2];

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	jobs[0].letter = 'a';
	jobs[1].letter = 'b';
	f->fail_release = 1;
	f->fail_rollback_to = 1;
	run_one_batch(f, jobs, 2);
	assert_true(jobs[0].job.rc < 0);
	assert_int_equal(jobs[1].job.rc, WL_OK);
	assert_committed(f, "b");
	free(f);
}

static void
test_commit_failure_fails_every_job(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct tjob jobs[2];

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	jobs[0].letter = 'a';
	jobs[1].letter = 'b';
	f->fail_commit = 1;
	run_one_batch(f, jobs, 2);
	assert_int_equal(jobs[0].job.rc, WL_EINTERNAL);
	assert_int_equal(jobs[1].job.rc, WL_EINTERNAL);
	assert_committed(f, "");
	free(f);
}

static void
test_refusal_reads_after_undo(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct tjob jobs[3];

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	jobs[0].letter = 'a';
	jobs[1].letter = 'b';
	jobs[1].fail = 1;
	jobs[1].job.refused = tjob_refused;
	jobs[2].letter = 'c';
	jobs[2].job.refused = tjob_refused;
	run_one_batch(f, jobs, 3);
	assert_int_equal(jobs[1].job.rc, WL_EVALIDATION);
	assert_int_equal(jobs[1].refusal_reads, 1);
	/* the reads see the batch without the refused job's write */
	assert_string_equal(jobs[1].seen_at_refusal, "a");
	assert_int_equal(jobs[2].refusal_reads, 0);
	assert_non_null(strstr(f->log, "ROLLBACK_TO RELEASE SAVEPOINT READS ROLLBACK_TO RELEASE"));
	assert_committed(f, "ac");
	free(f);
}

/* ---- the quick attempt: savepoints only when a job failed half-way ------------------ */

static void
test_quick_refusal_before_write_needs_no_savepoint(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct tjob jobs[3];

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	jobs[0].letter = 'a';
	jobs[1].letter = 'b';
	jobs[1].early = 1;
	jobs[1].job.refused = tjob_refused;
	jobs[2].letter = 'c';
	jobs[0].quick = jobs[1].quick = jobs[2].quick = true;
	run_one_batch(f, jobs, 3);
	assert_int_equal(jobs[0].job.rc, WL_OK);
	assert_int_equal(jobs[1].job.rc, WL_EINSUFFICIENT);
	assert_int_equal(jobs[2].job.rc, WL_OK);
	assert_int_equal(jobs[1].refusal_reads, 1);
	/* one pass, no job savepoint: only the refusal reads' own */
	assert_string_equal(f->log, "BEGIN SAVEPOINT READS ROLLBACK_TO RELEASE COMMIT");
	assert_int_equal(jobs[0].runs, 1);
	assert_committed(f, "ac");
	free(f);
}

static void
test_quick_failure_after_write_runs_batch_carefully(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct tjob jobs[3];

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	jobs[0].letter = 'a';
	jobs[1].letter = 'b';
	jobs[1].fail = 1;
	jobs[1].job.refused = tjob_refused;
	jobs[2].letter = 'c';
	jobs[0].quick = jobs[1].quick = jobs[2].quick = true;
	run_one_batch(f, jobs, 3);
	assert_int_equal(jobs[0].job.rc, WL_OK);
	assert_int_equal(jobs[1].job.rc, WL_EVALIDATION);
	assert_int_equal(jobs[2].job.rc, WL_OK);
	/* b's write cannot be undone alone: the batch goes, and runs again
	 * with a savepoint per job; the refusal reads see a, never b */
	assert_non_null(strstr(f->log, "BEGIN ROLLBACK BEGIN SAVEPOINT RELEASE SAVEPOINT "
				       "ROLLBACK_TO RELEASE SAVEPOINT READS"));
	assert_string_equal(jobs[1].seen_at_refusal, "a");
	assert_int_equal(jobs[0].runs, 2);
	assert_int_equal(jobs[2].runs, 1);
	assert_committed(f, "ac");
	free(f);
}

/* ---- PostgreSQL: a failed transaction's COMMIT ------------------------------------ */

static void
test_pg_commit_of_failed_transaction(void **state)
{
	const char *url = getenv("WLPORTAL_TEST_PG");
	struct store *s;
	struct store_conn *c;
	struct store_org o;
	struct wl_error err;

	(void)state;
	if (url == NULL || url[0] == '\0') {
		skip();
		return;
	}
	assert_int_equal(ids_init(), WL_OK);
	s = store_open(url, &err);
	assert_non_null(s);
	c = store_acquire(s, &err);
	assert_non_null(c);
	memset(&o, 0, sizeof(o));
	ids_new_uuid(o.id);
	snprintf(o.name, sizeof(o.name), "commit test");
	o.created_at = 1;
	assert_int_equal(store_begin(c, &err), WL_OK);
	/* The second insert fails (a taken id, or no table at all): the
	 * transaction is aborted and its COMMIT is answered "ROLLBACK". */
	store_org_insert(c, &o, &err);
	assert_true(store_org_insert(c, &o, &err) != WL_OK);
	wl_error_clear(&err);
	assert_true(store_commit(c, &err) != WL_OK);
	store_rollback(c);
	/* The connection is usable again. */
	assert_int_equal(store_begin(c, &err), WL_OK);
	assert_int_equal(store_commit(c, &err), WL_OK);
	store_release(c);
	store_close(s);
}

/* writer_job_init: what calloc would give for every member read before a
 * failure fills the error (everything but the error's message and fields). */
static void
test_job_init(void **state)
{
	struct wl_job job;
	const unsigned char *b = (const unsigned char *)&job;
	size_t i, err_at = offsetof(struct wl_job, err), err_end = err_at + sizeof(job.err);

	(void)state;
	memset(&job, 0xAA, sizeof(job));
	writer_job_init(&job);
	for (i = 0; i < sizeof(job); i++)
		if (i < err_at || i >= err_end)
			assert_int_equal(b[i], 0);
	assert_int_equal(job.err.code, WL_OK);
	assert_int_equal(job.err.message[0], '\0');
	assert_int_equal(job.err.nfields, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_failure_is_rolled_back),
		cmocka_unit_test(test_undo_failure_reruns_batch_without_the_job),
		cmocka_unit_test(test_release_and_undo_failure),
		cmocka_unit_test(test_job_init),
		cmocka_unit_test(test_commit_failure_fails_every_job),
		cmocka_unit_test(test_refusal_reads_after_undo),
		cmocka_unit_test(test_quick_refusal_before_write_needs_no_savepoint),
		cmocka_unit_test(test_quick_failure_after_write_runs_batch_carefully),
		cmocka_unit_test(test_pg_commit_of_failed_transaction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
