/*
 * numbers.c — an org's phone numbers (E.164, unique on the platform while
 * in use) and its inbound settings, written once for both drivers (db.h).
 */
#include "store/db.h"

static void
read_number(struct db_stmt *st, void *out)
{
	struct store_number *p = out;

	db_col_text(st, 0, p->id, sizeof(p->id));
	db_col_text(st, 1, p->org_id, sizeof(p->org_id));
	db_col_text(st, 2, p->number, sizeof(p->number));
	db_col_text(st, 3, p->name, sizeof(p->name));
	db_col_text(st, 4, p->agent_id, sizeof(p->agent_id));
	p->created_at = db_col_int64(st, 5);
	p->updated_at = db_col_int64(st, 6);
}

int
store_number_insert(struct store_conn *c, const struct store_number *p, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_NUMBER_INSERT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, p->id);
	db_bind_text(st, 2, p->org_id);
	db_bind_text(st, 3, p->number);
	db_bind_text(st, 4, p->name);
	db_bind_text(st, 5, p->agent_id);
	db_bind_int64(st, 6, p->created_at);
	db_bind_int64(st, 7, p->updated_at);
	return db_exec(st, err);
}

int
store_number_get(struct store_conn *c, const char *org_id, const char *id, bool for_update,
		 struct store_number *out, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, for_update ? Q_NUMBER_GET_LOCK : Q_NUMBER_GET, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, org_id);
	return db_one(st, read_number, out, WL_ENOTFOUND, "phone number not found", err);
}

int
store_number_update(struct store_conn *c, const struct store_number *p, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_NUMBER_UPDATE, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, p->id);
	db_bind_text(st, 2, p->org_id);
	db_bind_text(st, 3, p->number);
	db_bind_text(st, 4, p->name);
	db_bind_text(st, 5, p->agent_id);
	db_bind_int64(st, 6, p->updated_at);
	return db_exec_one(st, "phone number not found", err);
}

int
store_number_release(struct store_conn *c, const char *org_id, const char *id, int64_t now,
		     struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_NUMBER_RELEASE, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, org_id);
	db_bind_int64(st, 3, now);
	return db_exec_one(st, "phone number not found", err);
}

int
store_number_list(struct store_conn *c, const char *org_id, int64_t cursor_ms,
		  const char *cursor_id, int limit, struct store_number *out, int *n,
		  struct wl_error *err)
{
	return db_list_page(c, Q_NUMBER_LIST, org_id, cursor_ms, cursor_id, limit, read_number, out,
			    sizeof(*out), n, err);
}

int
store_number_by_e164(struct store_conn *c, const char *e164, struct store_number *out,
		     struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_NUMBER_BY_E164, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, e164);
	return db_one(st, read_number, out, WL_ENOTFOUND, "phone number not found", err);
}

int
store_number_using_agent(struct store_conn *c, const char *agent_id, char *number, size_t n,
			 struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_NUMBER_USING_AGENT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, agent_id);
	return db_first_text(st, number, n, err);
}

int
store_inbound_message_get(struct store_conn *c, const char *org_id, char *out, size_t n,
			  struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_INBOUND_GET, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	return db_first_text(st, out, n, err);
}

int
store_inbound_message_put(struct store_conn *c, const char *org_id, const char *message,
			  int64_t now, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_INBOUND_PUT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	db_bind_text(st, 2, message);
	db_bind_int64(st, 3, now);
	return db_exec(st, err);
}
