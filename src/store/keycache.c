/*
 * keycache.c — what a connection remembers of API-key lookups while the
 * database has not changed, so that the hot read of every API request
 * (the key, its org and, for GET /api/v1/account, the month's usage: one
 * statement, store_apikey_org) is a memory copy when nothing was written.
 *
 * Why it stays exact: an entry is kept with the driver's data version
 * and the connection's own change mark (its own writes), both read before
 * the row was read; it is used only while both still have those values.
 * On SQLite the version comes from the WAL-index header at the start of
 * the -shm file, read without a lock (wal_shm.c): it moves at every
 * commit of any connection of any process; when the header cannot be read
 * (no -shm, its two copies differ mid-write, not WAL mode, ":memory:") it
 * is PRAGMA data_version, which moves whenever another connection or
 * process commits; the two kinds never equal each other. The version is
 * read first, so a commit that lands between the two reads leaves an entry
 * that is already outdated and read again next time, never one that is
 * older than it claims (SQLite's read transaction starts from a header at
 * least as new as the one the version came from). A driver without a data
 * version (PostgreSQL, where other instances write) remembers nothing.
 * Only found keys are kept: an unknown key costs its statement every time
 * and cannot push the known ones out.
 */
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

#include "store/keycache.h"

#define KEY_CACHE_N 16

struct key_cache_entry {
	uint64_t used; /* tick of the last use; 0 = empty */
	uint64_t version, mark;
	unsigned char hash[WL_KEY_HASH_LEN];
	bool with_usage;
	int64_t from_ms, to_ms;
	struct store_key_org row;
};

struct key_cache {
	uint64_t tick;
	uint64_t hits;
	struct key_cache_entry e[KEY_CACHE_N];
};

static bool
same_query(const struct key_cache_entry *e, const unsigned char hash[WL_KEY_HASH_LEN],
	   const struct store_usage_query *usage)
{
	if (memcmp(e->hash, hash, WL_KEY_HASH_LEN) != 0 || e->with_usage != (usage != NULL))
		return false;
	return usage == NULL || (e->from_ms == usage->from_ms && e->to_ms == usage->to_ms);
}

bool
keycache_version(struct store_conn *c, struct keycache_stamp *out)
{
	if (c->drv->data_version == NULL || c->drv->data_version(c, &out->version) != WL_OK)
		return false;
	out->mark = c->drv->change_mark(c);
	return true;
}

bool
keycache_get(struct store_conn *c, const struct keycache_stamp *at,
	     const unsigned char hash[WL_KEY_HASH_LEN], const struct store_usage_query *usage,
	     struct store_key_org *out)
{
	struct key_cache *k = c->keys;
	int i;

	if (k == NULL)
		return false;
	for (i = 0; i < KEY_CACHE_N; i++) {
		struct key_cache_entry *e = &k->e[i];

		if (e->used == 0 || !same_query(e, hash, usage))
			continue;
		if (e->version != at->version || e->mark != at->mark) {
			e->used = 0; /* outdated: the caller reads and puts it again */
			return false;
		}
		e->used = ++k->tick;
		k->hits++;
		*out = e->row;
		return true;
	}
	return false;
}

void
keycache_put(struct store_conn *c, const struct keycache_stamp *at,
	     const unsigned char hash[WL_KEY_HASH_LEN], const struct store_usage_query *usage,
	     const struct store_key_org *row)
{
	struct key_cache_entry *e;
	int i, victim = 0;

	if (c->keys == NULL && (c->keys = calloc(1, sizeof(*c->keys))) == NULL)
		return; /* nothing remembered: every lookup reads */
	for (i = 0; i < KEY_CACHE_N; i++) {
		if (c->keys->e[i].used < c->keys->e[victim].used)
			victim = i;
		if (c->keys->e[i].used == 0)
			break;
	}
	e = &c->keys->e[i < KEY_CACHE_N ? i : victim];
	e->used = ++c->keys->tick;
	e->version = at->version;
	e->mark = at->mark;
	memcpy(e->hash, hash, WL_KEY_HASH_LEN);
	e->with_usage = usage != NULL;
	e->from_ms = usage != NULL ? usage->from_ms : 0;
	e->to_ms = usage != NULL ? usage->to_ms : 0;
	e->row = *row;
}

uint64_t
store_keycache_hits(struct store_conn *c)
{
	return c->keys != NULL ? c->keys->hits : 0;
}

void
store_version_reads(struct store_conn *c, uint64_t *lock_free, uint64_t *by_statement)
{
	*lock_free = c->version_reads[0];
	*by_statement = c->version_reads[1];
}

void
keycache_free(struct store_conn *c)
{
	free(c->keys);
	c->keys = NULL;
}
