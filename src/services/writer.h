/*
 * writer.h — the group-commit writer: the one thread that writes to the
 * database. Why: one fsync'd commit per request caps a ledger near 5,000
 * writes/s on these machines, while many writes in one transaction share one
 * fsync. So every write is a job; the writer takes whatever jobs have queued,
 * runs them in one transaction, commits once, and only then tells each job's
 * owner how it ended. An answer is therefore sent only after its change is
 * durable.
 *
 * Savepoints only when needed: a batch first runs quickly, its jobs one
 * after the other without savepoints (on PostgreSQL in pipeline mode: a
 * statement whose result nothing reads is sent without waiting). A job that
 * succeeds, or fails before its first write (the store's change mark did not
 * move), needs none. When a job failed after writing, or a pipelined write
 * failed, the batch is rolled back and run again carefully: each job inside
 * its own savepoint, so a job that fails is rolled back alone and keeps its
 * own outcome. A job that sets `savepoint` gets its savepoint in the quick
 * attempt too.
 *
 * A job's `run` may be called more than once (the batch is retried after a
 * transient conflict on PostgreSQL, or without a job whose savepoint could
 * not be undone), so it must write its results into its own argument and
 * have no effect outside the transaction. `done` runs on the writer thread
 * after the commit: keep it short (resume a connection, signal a condition
 * variable).
 *
 * A refused job (careful run): when `run` fails, its savepoint is rolled back; if that
 * (or a failed RELEASE's rollback) fails too, the job's writes could still
 * be in the transaction, so the writer rolls the whole transaction back and
 * runs the batch again without that job, which keeps its failure. A job may
 * name `refused`: it runs after its savepoint is undone, still inside the
 * batch (in a savepoint of its own, rolled back after), and reads what the
 * job's owner needs to show the refusal — its answer then never needs the
 * database again.
 *
 * Lock order: on PostgreSQL a batch holds the row locks of all its jobs
 * until it commits, and several instances run batches at once. If two
 * batches took the same rows in different orders they would deadlock, so
 * the writer runs each batch sorted by `order_key` — the agency (parent org)
 * whose rows the job locks first — keeping arrival order within a key.
 *
 * Locked ahead: a job that names the org and the call it locks after its
 * agency (`lock_org`, `lock_call`: a call's event) lets the quick attempt
 * lock, before that job runs, the agencies of it and of every job after it
 * and the orgs and calls they name, in one statement and in the same order
 * (store_batch_lock): on PostgreSQL one round trip for the batch's reads
 * instead of one per job. The agencies of the jobs before it are already
 * locked (they sort first), those of the jobs after it may be taken early:
 * every instance still takes agencies in key order.
 */
#ifndef WL_WRITER_H
#define WL_WRITER_H

#include "log.h"
#include "core/error.h"
#include "store/store.h"

struct wl_job {
	int (*run)(struct store_conn *c, void *arg, struct wl_error *err);
	void (*done)(struct wl_job *job);
	/* optional: reads after a failure (see above); its own errors are ignored */
	void (*refused)(struct store_conn *c, void *arg);
	void *arg;
	char order_key[40];  /* the agency id whose rows the job locks; "" = none */
	int rc;              /* outcome after commit */
	struct wl_error err; /* filled when rc < 0 */
	struct wl_job *next; /* queue link, owned by the writer */
	unsigned seq;        /* arrival order within a batch, owned by the writer */
	bool excluded;       /* its savepoint could not be undone: not run again */
	bool savepoint;      /* in its own savepoint even in the quick attempt */
	/* optional: the org and the call it locks after its agency ("": none) */
	char lock_org[WL_ID_LEN];
	char lock_call[WL_ID_LEN];
	/* the request that queued it, named in the writer's log lines ("": none) */
	char request_id[WL_REQUEST_ID_MAX + 1];
};

/* Every member zero, err cleared: what calloc gives, without writing the
 * error's message and fields (most of the job; read only after wl_fail). */
void writer_job_init(struct wl_job *job);

struct writer;

struct writer *writer_start(struct store *s, struct wl_error *err);
/* Finishes every queued job, then stops the thread. */
void writer_stop(struct writer *w);
/* Queues a job; WL_EUNAVAILABLE when the writer is stopping or the queue is
 * full (the caller answers 503 and nothing was written). */
int writer_submit(struct writer *w, struct wl_job *job);
/* Runs one job and waits for its durable outcome (CLI and start-up). */
int writer_run(struct writer *w, int (*run)(struct store_conn *, void *, struct wl_error *),
	       void *arg, struct wl_error *err);

struct writer_stats {
	uint64_t batches;
	uint64_t jobs;
	uint64_t max_batch;
	uint64_t careful;     /* batches that had to run again with savepoints */
	uint64_t round_trips; /* waits for the database's answer (PostgreSQL) */
};
void writer_get_stats(struct writer *w, struct writer_stats *out);
/* Jobs queued and not yet taken into a batch (for /metrics). */
size_t writer_queue_depth(struct writer *w);

#endif
