/*
 * kb.c — knowledge bases and their documents, written once for both
 * drivers (db.h). A document's bytes live in the database (BLOB / BYTEA),
 * the one place every instance shares; they are read only when asked for
 * (download, extracted text), never with a list.
 */
#include "store/db.h"

#include <stdlib.h>

static void
read_kb(struct db_stmt *st, void *out)
{
	struct store_kb *k = out;

	db_col_text(st, 0, k->id, sizeof(k->id));
	db_col_text(st, 1, k->org_id, sizeof(k->org_id));
	db_col_text(st, 2, k->name, sizeof(k->name));
	db_col_text(st, 3, k->description, sizeof(k->description));
	k->documents = db_col_int64(st, 4);
	k->total_bytes = db_col_int64(st, 5);
	k->created_at = db_col_int64(st, 6);
	k->updated_at = db_col_int64(st, 7);
}

int
store_kb_insert(struct store_conn *c, const struct store_kb *k, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_KB_INSERT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, k->id);
	db_bind_text(st, 2, k->org_id);
	db_bind_text(st, 3, k->name);
	db_bind_text(st, 4, k->description);
	db_bind_int64(st, 5, k->created_at);
	db_bind_int64(st, 6, k->updated_at);
	return db_exec(st, err);
}

int
store_kb_get(struct store_conn *c, const char *org_id, const char *id, bool for_update,
	     struct store_kb *out, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, for_update ? Q_KB_GET_LOCK : Q_KB_GET, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, org_id);
	return db_one(st, read_kb, out, WL_ENOTFOUND, "knowledge base not found", err);
}

int
store_kb_update(struct store_conn *c, const struct store_kb *k, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_KB_UPDATE, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, k->id);
	db_bind_text(st, 2, k->org_id);
	db_bind_text(st, 3, k->name);
	db_bind_text(st, 4, k->description);
	db_bind_int64(st, 5, k->updated_at);
	return db_exec_one(st, "knowledge base not found", err);
}

int
store_kb_delete(struct store_conn *c, const char *org_id, const char *id, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_DOC_DELETE_KB, err);
	int rc;

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, org_id);
	rc = db_exec(st, err);
	if (rc != WL_OK)
		return rc;
	st = db_stmt(c, Q_KB_DELETE, err);
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, org_id);
	return db_exec_one(st, "knowledge base not found", err);
}

int
store_kb_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
	      int limit, struct store_kb *out, int *n, struct wl_error *err)
{
	return db_list_page(c, Q_KB_LIST, org_id, cursor_ms, cursor_id, limit, read_kb, out,
			    sizeof(*out), n, err);
}

/* ---- documents ------------------------------------------------------------ */

static void
read_doc(struct db_stmt *st, void *out)
{
	struct store_kb_doc *d = out;

	db_col_text(st, 0, d->id, sizeof(d->id));
	db_col_text(st, 1, d->org_id, sizeof(d->org_id));
	db_col_text(st, 2, d->kb_id, sizeof(d->kb_id));
	db_col_text(st, 3, d->filename, sizeof(d->filename));
	db_col_text(st, 4, d->content_type, sizeof(d->content_type));
	d->size_bytes = db_col_int64(st, 5);
	db_col_text(st, 6, d->sha256, sizeof(d->sha256));
	d->text_bytes = db_col_int64(st, 7);
	d->created_at = db_col_int64(st, 8);
}

int
store_kb_doc_insert(struct store_conn *c, const struct store_kb_doc *d,
		    const struct store_kb_doc_data *data, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_DOC_INSERT, err);

	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, d->id);
	db_bind_text(st, 2, d->org_id);
	db_bind_text(st, 3, d->kb_id);
	db_bind_text(st, 4, d->filename);
	db_bind_text(st, 5, d->content_type);
	db_bind_int64(st, 6, (int64_t)data->content_len);
	db_bind_text(st, 7, d->sha256);
	db_bind_blob(st, 8, data->content, data->content_len);
	db_bind_text(st, 9, data->text_len > 0 ? data->text : "");
	db_bind_int64(st, 10, (int64_t)data->text_len);
	db_bind_int64(st, 11, d->created_at);
	return db_exec(st, err);
}

static struct db_stmt *
doc_stmt(struct store_conn *c, enum stmt_id id, const char *org_id, const char *kb_id,
	 const char *doc_id, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, id, err);

	if (st == NULL)
		return NULL;
	db_bind_text(st, 1, doc_id);
	db_bind_text(st, 2, kb_id);
	db_bind_text(st, 3, org_id);
	return st;
}

int
store_kb_doc_get(struct store_conn *c, const char *org_id, const char *kb_id, const char *id,
		 struct store_kb_doc *out, struct wl_error *err)
{
	struct db_stmt *st = doc_stmt(c, Q_DOC_GET, org_id, kb_id, id, err);

	if (st == NULL)
		return err->code;
	return db_one(st, read_doc, out, WL_ENOTFOUND, "document not found", err);
}

int
store_kb_doc_bytes(struct store_conn *c, const char *org_id, const char *kb_id, const char *id,
		   bool text, char **out, size_t *len, struct wl_error *err)
{
	struct db_stmt *st = doc_stmt(c, text ? Q_DOC_TEXT : Q_DOC_CONTENT, org_id, kb_id, id, err);
	int64_t size;
	char *buf;

	*out = NULL;
	*len = 0;
	if (st == NULL)
		return err->code;
	switch (db_step(st, err)) {
	case DB_ROW: break;
	case DB_DONE: return db_finish(st, wl_fail(err, WL_ENOTFOUND, "document not found"));
	default: return db_finish(st, err->code);
	}
	size = db_col_int64(st, 0);
	if (size < 0 || (buf = malloc((size_t)size + 1)) == NULL)
		return db_finish(st, wl_fail(err, WL_EUNAVAILABLE, "out of memory"));
	if (text)
		db_col_text(st, 1, buf, (size_t)size + 1);
	else if (size > 0 && db_col_blob(st, 1, buf, (size_t)size) != (size_t)size) {
		free(buf);
		return db_finish(st, wl_fail(err, WL_EINTERNAL, "document size mismatch"));
	}
	buf[size] = '\0';
	*out = buf;
	*len = (size_t)size;
	return db_finish(st, WL_OK);
}

int
store_kb_doc_delete(struct store_conn *c, const char *org_id, const char *kb_id, const char *id,
		    struct wl_error *err)
{
	struct db_stmt *st = doc_stmt(c, Q_DOC_DELETE, org_id, kb_id, id, err);

	if (st == NULL)
		return err->code;
	return db_exec_one(st, "document not found", err);
}

int
store_kb_doc_list(struct store_conn *c, const struct store_doc_query *q, int64_t cursor_ms,
		  const char *cursor_id, int limit, struct store_kb_doc *out, int *n,
		  struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_DOC_LIST, err);

	*n = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, q->kb_id);
	db_bind_int64(st, 2, cursor_ms);
	db_bind_text(st, 3, cursor_id != NULL ? cursor_id : "");
	db_bind_int64(st, 4, limit);
	db_bind_text(st, 5, q->org_id);
	return db_rows(st, read_doc, out, sizeof(*out), limit, n, err);
}

int
store_kb_org_bytes(struct store_conn *c, const char *org_id, int64_t *bytes, struct wl_error *err)
{
	struct db_stmt *st = db_stmt(c, Q_DOC_ORG_BYTES, err);

	*bytes = 0;
	if (st == NULL)
		return err->code;
	db_bind_text(st, 1, org_id);
	return db_one(st, db_read_int64, bytes, WL_ENOTFOUND, "no documents", err);
}
