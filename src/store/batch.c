/*
 * batch.c — what the writer's connection remembers for the length of one
 * transaction: the organization rows its jobs have locked (their balances
 * kept current by every balance change the store makes), and a mark that
 * moves whenever a statement changed data or spoiled the transaction.
 *
 * Why the rows may be remembered: on SQLite the writer holds the database's
 * write lock from BEGIN IMMEDIATE to COMMIT, on PostgreSQL a row read with
 * FOR UPDATE stays locked until the transaction ends, so nobody else can
 * change a remembered row meanwhile. Only locking reads fill the cache, and
 * it is emptied whenever that guarantee ends or the rows may have gone back
 * to older values: at BEGIN, COMMIT, ROLLBACK and ROLLBACK TO SAVEPOINT
 * (store.c). A connection without a cache (every one but the writer's)
 * reads the database each time.
 *
 * Why the mark: a job that runs without a savepoint may fail only before its
 * first write; the writer compares the mark before and after to know whether
 * the batch can go on or must run again without that job.
 */
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

/* More orgs than this in one batch simply are not remembered. */
#define BATCH_ORGS_MAX 64

struct batch_cache {
	int n;
	struct store_org org[BATCH_ORGS_MAX];
};

void
store_batch_cache(struct store_conn *c, bool on)
{
	if (!on) {
		free(c->cache);
		c->cache = NULL;
	} else if (c->cache == NULL) {
		c->cache = calloc(1, sizeof(*c->cache)); /* none: nothing is remembered */
	}
}

void
batch_forget(struct store_conn *c)
{
	if (c->cache != NULL)
		c->cache->n = 0;
}

static struct store_org *
find(struct store_conn *c, const char *id)
{
	int i;

	if (c->cache == NULL)
		return NULL;
	for (i = 0; i < c->cache->n; i++)
		if (strcmp(c->cache->org[i].id, id) == 0)
			return &c->cache->org[i];
	return NULL;
}

const struct store_org *
batch_org(struct store_conn *c, const char *id)
{
	return find(c, id);
}

void
batch_org_put(struct store_conn *c, const struct store_org *o)
{
	if (c->cache == NULL || c->cache->n >= BATCH_ORGS_MAX || find(c, o->id) != NULL)
		return;
	c->cache->org[c->cache->n++] = *o;
}

void
batch_org_moved(struct store_conn *c, const char *id, int64_t delta)
{
	struct store_org *o = find(c, id);

	if (o != NULL)
		o->balance_seconds += delta;
}

uint64_t
store_change_mark(struct store_conn *c)
{
	return c->drv->change_mark(c);
}
