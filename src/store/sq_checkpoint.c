/*
 * sq_checkpoint.c — SQLite's WAL checkpoints on a thread of their own.
 *
 * By default the connection whose commit leaves the WAL over 1,000 pages
 * copies the WAL's pages into the database file and syncs it, inside that
 * commit: the writer thread, with its batch's answers waiting (a debit's
 * p99 went from 3.5 ms to 26 ms in a run where they fell there). Here the
 * connections attached (the serving process's) never checkpoint; their
 * commit only notes the WAL's length (a WAL hook: a flag and a signal),
 * and this thread runs a PASSIVE checkpoint on its own connection: it
 * copies what no reader still needs while the writer goes on, and the
 * writer starts the WAL over at its next transaction once all of it is in
 * the database. Durability is SQLite's own: the checkpoint syncs the WAL
 * before it copies and the database after. A command that is not serving
 * keeps SQLite's default.
 */
#include "store/sq_checkpoint.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "metrics.h"

/* The WAL's length in pages past which a commit asks for a checkpoint
 * (SQLite's default autocheckpoint). */
#define CHECKPOINT_PAGES 1000

struct sq_checkpointer {
	sqlite3 *db;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool wanted, stop;
};

static void *
checkpointer_main(void *arg)
{
	struct sq_checkpointer *k = arg;

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
		if (sqlite3_wal_checkpoint_v2(k->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) ==
		    SQLITE_OK)
			metrics_sqlite_checkpoint();
	}
}

/* After a commit of an attached connection (its thread, under no lock of
 * ours but this mutex): a flag and a signal when the WAL is long. */
static int
on_commit(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct sq_checkpointer *k = arg;

	(void)db;
	(void)name;
	if (pages >= CHECKPOINT_PAGES) {
		pthread_mutex_lock(&k->mu);
		if (!k->wanted) {
			k->wanted = true;
			pthread_cond_signal(&k->cv);
		}
		pthread_mutex_unlock(&k->mu);
	}
	return SQLITE_OK;
}

struct sq_checkpointer *
sq_checkpointer_start(const char *path)
{
	struct sq_checkpointer *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return NULL;
	if (sqlite3_open_v2(path, &k->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(k->db);
		free(k);
		return NULL;
	}
	sqlite3_busy_timeout(k->db, 5000);
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
