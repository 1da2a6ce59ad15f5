/*
 * trail.c — the audit trail's rows (audit_events): one insert, and the
 * list an agency or a client reads, newest first, filtered by type and
 * time. Written once for both drivers.
 */
#include <string.h>

#include "store/db.h"

int
store_trail_insert(struct store_conn *c, const struct store_trail_event *e, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_TRAIL_INSERT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, e->id);
	db_bind_text(st, 2, e->org_id);
	db_bind_text(st, 3, e->agency_id);
	db_bind_text(st, 4, e->type);
	db_bind_text(st, 5, e->actor_type);
	db_bind_text(st, 6, e->actor_id);
	db_bind_text(st, 7, e->address);
	db_bind_text(st, 8, e->detail);
	db_bind_int64(st, 9, e->created_at);
	return db_exec(st, err);
}

static void
read_event(struct db_stmt *st, void *out)
{
	struct store_trail_event *e = out;

	db_col_text(st, 0, e->id, sizeof(e->id));
	db_col_text(st, 1, e->org_id, sizeof(e->org_id));
	db_col_text(st, 2, e->agency_id, sizeof(e->agency_id));
	db_col_text(st, 3, e->type, sizeof(e->type));
	db_col_text(st, 4, e->actor_type, sizeof(e->actor_type));
	db_col_text(st, 5, e->actor_id, sizeof(e->actor_id));
	db_col_text(st, 6, e->address, sizeof(e->address));
	db_col_text(st, 7, e->detail, sizeof(e->detail));
	e->created_at = db_col_int64(st, 8);
}

int
store_trail_list(struct store_conn *c, const struct store_trail_query *q, int64_t cursor_ms,
		 const char *cursor_id, int limit, struct store_trail_event *out, int *n,
		 struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, q->as_agency ? Q_TRAIL_LIST_AGENCY : Q_TRAIL_LIST_ORG, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, q->org_id);
	db_bind_int64(st, 2, cursor_ms);
	db_bind_text(st, 3, cursor_id);
	db_bind_int64(st, 4, q->from_ms);
	db_bind_int64(st, 5, q->to_ms);
	db_bind_text(st, 6, q->type);
	db_bind_int64(st, 7, limit);
	return db_rows(st, read_event, out, sizeof(*out), limit, n, err);
}
