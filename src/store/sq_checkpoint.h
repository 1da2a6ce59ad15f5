/*
 * sq_checkpoint.h — SQLite's WAL checkpoints on a thread of their own
 * (db_sqlite.c), so the writer's commits never copy pages into the
 * database file.
 */
#ifndef WL_STORE_SQ_CHECKPOINT_H
#define WL_STORE_SQ_CHECKPOINT_H

#include <sqlite3.h>
#include <stdbool.h>

struct sq_checkpointer;

/* Opens its own connection to the database at path and starts the thread;
 * NULL when either fails (the connections then checkpoint as SQLite does
 * by default). */
struct sq_checkpointer *sq_checkpointer_start(const char *path);
/* Hands connection db's checkpoints to k: db no longer checkpoints at its
 * commits, and a commit that leaves the WAL long wakes the thread. */
void sq_checkpointer_attach(struct sq_checkpointer *k, sqlite3 *db);
/* Stops the thread and closes its connection. */
void sq_checkpointer_stop(struct sq_checkpointer *k);
/* Whether a connection is in WAL mode (reading it opens the WAL). */
bool sq_in_wal_mode(sqlite3 *db);

#endif
