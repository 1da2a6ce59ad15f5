/*
 * sq_checkpoint.c — SQLite's WAL checkpoints on a thread of their own.
 *
 * By default the connection whose commit leaves the WAL over 1,000 pages
 * copies the WAL's pages into the database file and syncs it, inside that
 * commit: the writer thread, with its batch's answers waiting (a debit's
 * p99 went from 3.5 ms to 26 ms in a run where they fell there). Here the
 * connections attached (the serving process's) leave the copying to this
 * thread, which runs PASSIVE checkpoints on its own connection: it copies
 * what no reader still needs while the writer goes on.
 *
 * Alone that never ends under steady load: SQLite starts the WAL over only
 * at a write transaction that finds every frame copied, and the writer
 * appends a batch while the thread copies the one before (the WAL grew by
 * 80 MB a second in a debits benchmark, and with it every commit's sync).
 * So a round that copied all it saw leaves the rest, the frames of the
 * last few commits, to the next commit of an attached connection, which
 * copies that short tail itself in its WAL hook; its next write
 * transaction then starts the WAL from its beginning (when no reader still
 * reads old frames; else the next round tries again). Durability is
 * SQLite's own: a checkpoint syncs the WAL before it copies and the
 * database after. A command that is not serving keeps SQLite's default.
 */
#include "store/sq_checkpoint.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "log.h"
#include "metrics.h"

/* The WAL's length in pages past which a commit asks for a checkpoint
 * (SQLite's default autocheckpoint). */
#define CHECKPOINT_PAGES 1000
/* The most pages a committing connection copies itself (the tail). */
#define TAIL_PAGES 200

struct sq_checkpointer {
	sqlite3 *db;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool wanted, stop;
	bool caught_up;        /* the last round copied every frame it saw ... */
	int caught_up_at;      /* ... of a WAL this many pages long */
	atomic_int last_pages; /* the WAL's length at the last commit */
};

static void *
checkpointer_main(void *arg)
{
	struct sq_checkpointer *k = arg;
	int log, copied;

	for (;;) {
		pthread_mutex_lock(&k->mu);
		while (!k->wanted && !k->stop)
			pthread_cond_wait(&k->cv, &k->mu);
		if (k->stop) {
			pthread_mutex_unlock(&k->mu);
			return NULL;
		}
		k->wanted = false;
		pthread_mutex_unlock(&k->mu);
		/* SQLITE_BUSY: another process's checkpoint runs; the next
		 * commit asks again. */
		if (sqlite3_wal_checkpoint_v2(k->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log,
					      &copied) == SQLITE_OK &&
		    log >= 0) {
			metrics_sqlite_checkpoint(false);
			pthread_mutex_lock(&k->mu);
			k->caught_up = log > 0 && copied == log;
			k->caught_up_at = log;
			pthread_mutex_unlock(&k->mu);
		}
	}
}

/* After a commit of an attached connection, on its thread, outside its
 * write lock: a shorter WAL than at the last commit was started over; a
 * long one is the thread's to copy, or its tail this connection's when the
 * thread's last round copied all of it but the frames written since, fewer
 * than TAIL_PAGES (see the top of the file). */
static int
on_commit(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct sq_checkpointer *k = arg;
	bool restarted, tail;

	restarted = pages < atomic_exchange_explicit(&k->last_pages, pages, memory_order_relaxed);
	if (restarted)
		metrics_sqlite_wal_restart();
	if (pages < CHECKPOINT_PAGES && !restarted)
		return SQLITE_OK;
	pthread_mutex_lock(&k->mu);
	/* a round of a WAL since started over says nothing of this one */
	tail = !restarted && k->caught_up && pages >= k->caught_up_at &&
	       pages - k->caught_up_at < TAIL_PAGES;
	k->caught_up = false;
	if (!tail && !restarted && !k->wanted) {
		k->wanted = true;
		pthread_cond_signal(&k->cv);
	}
	pthread_mutex_unlock(&k->mu);
	/* SQLITE_BUSY: the thread's round has begun meanwhile; it asks again. */
	if (tail &&
	    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) == SQLITE_OK)
		metrics_sqlite_checkpoint(true);
	return SQLITE_OK;
}

bool
sq_in_wal_mode(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	bool wal = sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
		   sqlite3_step(st) == SQLITE_ROW &&
		   sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;

	sqlite3_finalize(st);
	return wal;
}

struct sq_checkpointer *
sq_checkpointer_start(const char *path)
{
	struct sq_checkpointer *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return NULL;
	/* The journal mode read opens the WAL: a connection that has read
	 * nothing yet is not in WAL mode, and a checkpoint on it does nothing
	 * (and says so only by a length of -1). */
	if (sqlite3_open_v2(path, &k->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
		    SQLITE_OK ||
	    sqlite3_busy_timeout(k->db, 5000) != SQLITE_OK || !sq_in_wal_mode(k->db)) {
		wl_log("sqlite: no checkpoint thread (%s); commits checkpoint the WAL themselves",
		       sqlite3_errcode(k->db) != SQLITE_OK ? sqlite3_errmsg(k->db)
							   : "not in WAL mode");
		sqlite3_close(k->db);
		free(k);
		return NULL;
	}
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	if (pthread_create(&k->thread, NULL, checkpointer_main, k) != 0) {
		pthread_cond_destroy(&k->cv);
		pthread_mutex_destroy(&k->mu);
		sqlite3_close(k->db);
		free(k);
		return NULL;
	}
	pthread_setname_np(k->thread, "wl-checkpoint"); /* top -H, perf */
	return k;
}

void
sq_checkpointer_attach(struct sq_checkpointer *k, sqlite3 *db)
{
	/* Replaces SQLite's own hook, which checkpointed in the commit. */
	sqlite3_wal_hook(db, on_commit, k);
}

void
sq_checkpointer_stop(struct sq_checkpointer *k)
{
	if (k == NULL)
		return;
	pthread_mutex_lock(&k->mu);
	k->stop = true;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
	pthread_join(k->thread, NULL);
	pthread_cond_destroy(&k->cv);
	pthread_mutex_destroy(&k->mu);
	sqlite3_close(k->db);
	free(k);
}
