/*
 * wal_shm.h — SQLite's WAL-index header read from the -shm file without a
 * lock (wal_shm.c): a change check for the SQLite driver's data version.
 */
#ifndef WL_STORE_WAL_SHM_H
#define WL_STORE_WAL_SHM_H

#include <stdbool.h>
#include <stdint.h>

struct wal_shm;

/* Maps "<db_file>-shm" read-only. NULL when there is none (not WAL mode, an
 * in-memory or temporary database), it is too short, or it cannot be
 * mapped: the caller then asks SQLite instead. Call only while a
 * connection of this process has the database open in WAL mode and has
 * read from it (so the file exists, holds a header, and stays: see .c). */
struct wal_shm *wal_shm_map(const char *db_file);
/* True and *out when both copies of the header are equal, initialised and
 * pass their checksum: *out then moves whenever any connection of any
 * process committed (its top bit set). False: ask SQLite. */
bool wal_shm_version(const struct wal_shm *m, uint64_t *out);
/* Only once the connections of this process on the database are closed:
 * closing its descriptor drops all the process's locks on the -shm. */
void wal_shm_unmap(struct wal_shm *m);

#endif
