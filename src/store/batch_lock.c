/*
 * batch_lock.c — the lock of all of a writer batch's rows in one statement
 * before its jobs run (PostgreSQL; see batch.c for why the rows may then be
 * remembered): the agencies, the orgs, then the calls, each by id — the
 * order every job takes them in — read with FOR UPDATE and put in the
 * batch's cache, so the jobs' own reads cost no round trip. SQLite reads
 * locally: nothing to gain, no statement.
 */
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

/* ids joined by commas ("" for none): string_to_array's input. An id that
 * holds a comma (none does: they are UUIDs) is left out, its job then
 * locks it itself. NULL when out of memory. */
static char *
id_list(const char *const *ids, int n)
{
	size_t len = 1;
	char *out, *p;
	int i;

	for (i = 0; i < n; i++)
		len += strlen(ids[i]) + 1;
	if ((out = p = malloc(len)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		size_t l = strlen(ids[i]);

		if (l == 0 || strchr(ids[i], ',') != NULL)
			continue;
		if (p != out)
			*p++ = ',';
		memcpy(p, ids[i], l);
		p += l;
	}
	*p = '\0';
	return out;
}

/* Column 16 says which kind of row: 'o' an org (columns 0 to 7), 'c' a call. */
static int
remember_rows(struct db_stmt *st, struct wl_error *err)
{
	struct store_org org;
	struct store_call call;
	char kind[2];
	enum db_step r;

	while ((r = db_step(st, err)) == DB_ROW) {
		db_col_text(st, 16, kind, sizeof(kind));
		if (kind[0] == 'o') {
			db_read_org(st, &org);
			batch_org_put(st->conn, &org);
		} else {
			db_read_call(st, &call);
			batch_call_put(st->conn, &call);
		}
	}
	return db_finish(st, r == DB_FAIL ? err->code : WL_OK);
}

int
store_batch_lock(struct store_conn *c, const struct store_batch_rows *rows, struct wl_error *err)
{
	char *list[3];
	struct db_stmt *st;
	int rc, i;

	if (c->cache == NULL || !db_has(c, Q_BATCH_LOCK) ||
	    rows->nagencies + rows->norgs + rows->ncalls == 0)
		return WL_OK;
	list[0] = id_list(rows->agencies, rows->nagencies);
	list[1] = id_list(rows->orgs, rows->norgs);
	list[2] = id_list(rows->calls, rows->ncalls);
	if (list[0] == NULL || list[1] == NULL || list[2] == NULL)
		rc = WL_OK; /* out of memory: every job locks its rows itself */
	else if ((st = db_stmt(c, Q_BATCH_LOCK, err)) == NULL)
		rc = err->code;
	else {
		for (i = 0; i < 3; i++)
			db_bind_text(st, i + 1, list[i]);
		rc = remember_rows(st, err);
	}
	for (i = 0; i < 3; i++)
		free(list[i]);
	return rc;
}
