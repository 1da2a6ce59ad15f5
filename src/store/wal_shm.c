/*
 * wal_shm.c — the WAL-index header of an SQLite database in WAL mode, read
 * from its -shm file without a lock, as a data version that moves whenever
 * any connection of any process commits (db_sqlite.c's data_version; the
 * key cache of keycache.c stands on it).
 *
 * The file starts with two copies of a 48-byte header, in the machine's
 * own byte order (SQLite's "walformat" documentation): iVersion, unused,
 * iChange (one more at each commit), isInit, bigEndCksum, szPage, mxFrame
 * (the last valid frame), nPage, aFrameCksum[2], aSalt[2] (new at each
 * restart of the log) and aCksum[2] (a checksum of what comes before). A
 * committing writer writes copy 1, then a barrier, then copy 0; a reader
 * reads copy 0, then copy 1, and trusts them only when they are equal and
 * their checksum holds, else it asks again. So do we, with acquire loads,
 * and instead of asking again we answer "no version" and the driver runs
 * PRAGMA data_version, the locked way, as before.
 *
 * The version: top bit set (PRAGMA data_version's values never have it, so
 * a version of one kind never equals one of the other), then the 32 bits
 * of iChange, then 31 bits mixed from mxFrame, aFrameCksum and aSalt. Two
 * different states give the same version only if iChange came round to the
 * same value (2^32 commits between two lookups, or a recovery that started
 * it again) and, at the same time, those 31 bits agree.
 *
 * Why the mapping stays the live file: we map only while a connection of
 * this process has the database open in WAL mode and has read from it. Such
 * a connection keeps a shared lock on the database file and on the -shm's
 * "dead man switch" byte until it closes, and SQLite deletes or truncates
 * the -shm only when the last connection of all processes closes or the
 * first one opens (it must get those locks exclusively). The store keeps
 * its connections open until it closes: the file cannot be replaced or cut
 * under the mapping while it is used. One trap: closing any descriptor of
 * a file drops all of this process's POSIX locks on it, SQLite's included;
 * so the descriptor we mapped through stays open until the store has
 * closed its connections (and, when mapping fails, is never closed).
 */
#include "store/wal_shm.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define HDR_WORDS 12              /* one copy of the header: 48 bytes */
#define WALINDEX_VERSION 3007000u /* iVersion of the format we read */
#define MAP_BYTES 136             /* two copies and the checkpoint info */

struct wal_shm {
	int fd; /* kept open: see wal_shm_unmap */
	void *map;
	const uint32_t *words; /* the same: copy 0 at 0, copy 1 at HDR_WORDS */
};

struct wal_shm *
wal_shm_map(const char *db_file)
{
	struct wal_shm *m;
	struct stat st;
	char path[4096];
	void *p;
	int fd;

	if (db_file == NULL || db_file[0] == '\0' ||
	    (size_t)snprintf(path, sizeof(path), "%s-shm", db_file) >= sizeof(path))
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < MAP_BYTES)
		return NULL; /* the descriptor stays open: see below */
	p = mmap(NULL, MAP_BYTES, PROT_READ, MAP_SHARED, fd, 0);
	m = p != MAP_FAILED ? malloc(sizeof(*m)) : NULL;
	if (m == NULL) {
		/* Closing now drops SQLite's locks on the -shm of this process
		 * (POSIX): deliberately leaked, once per store at most. */
		if (p != MAP_FAILED)
			munmap(p, MAP_BYTES);
		return NULL;
	}
	m->fd = fd;
	m->map = p;
	m->words = p; /* page-aligned: every word is aligned */
	return m;
}

static void
load_copy(const uint32_t *src, uint32_t dst[HDR_WORDS])
{
	int i;

	for (i = 0; i < HDR_WORDS; i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_ACQUIRE);
}

/* SQLite's checksum of the first 40 bytes, summed in native order. */
static bool
checksum_holds(const uint32_t h[HDR_WORDS])
{
	uint32_t s1 = 0, s2 = 0;
	int i;

	for (i = 0; i < 10; i += 2) {
		s1 += h[i] + s2;
		s2 += h[i + 1] + s1;
	}
	return s1 == h[10] && s2 == h[11];
}

static uint64_t
mix(uint64_t acc, uint32_t w)
{
	acc = (acc ^ w) * 0x9e3779b97f4a7c15ULL;
	return acc ^ (acc >> 29);
}

bool
wal_shm_version(const struct wal_shm *m, uint64_t *out)
{
	uint32_t a[HDR_WORDS], b[HDR_WORDS];
	uint64_t low = 0;
	int i;

	load_copy(m->words, a); /* copy 0 first: the writer writes it last */
	load_copy(m->words + HDR_WORDS, b);
	if (memcmp(a, b, sizeof(a)) != 0 || a[0] != WALINDEX_VERSION)
		return false;
	if (((const unsigned char *)a)[12] == 0 || !checksum_holds(a))
		return false;    /* isInit is byte 12 */
	for (i = 4; i < 10; i++) /* mxFrame, nPage, aFrameCksum, aSalt */
		low = mix(low, a[i]);
	*out = (1ULL << 63) | ((uint64_t)a[2] << 31) | (low >> 33);
	return true;
}

void
wal_shm_unmap(struct wal_shm *m)
{
	if (m == NULL)
		return;
	munmap(m->map, MAP_BYTES);
	close(m->fd); /* drops every lock of this process on the -shm (POSIX) */
	free(m);
}
