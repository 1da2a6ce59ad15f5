/*
 * kb.c — /api/v1/knowledge-bases and their documents: upload (a raw body
 * with its Content-Type, or multipart/form-data), list, download (with its
 * type), the extracted text, delete. An upload's body is read in chunks
 * into a buffer bounded by app->upload_body_max (src/http/server.c);
 * hashing and PDF extraction run on a worker, the write on the writer.
 */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/multipart.h"
#include "services/kb.h"

/* ---- knowledge bases ---------------------------------------------------------- */

static void
render_kb(struct wl_buf *b, const struct store_kb *k)
{
	wl_json_obj_begin(b);
	wl_json_kv_str(b, "id", k->id);
	wl_json_kv_str(b, "org_id", k->org_id);
	wl_json_kv_str(b, "name", k->name);
	wl_json_kv_str(b, "description", k->description);
	wl_json_kv_int(b, "document_count", k->documents);
	wl_json_kv_int(b, "total_bytes", k->total_bytes);
	api_kv_time(b, "created_at", k->created_at);
	api_kv_time(b, "updated_at", k->updated_at);
	wl_json_obj_end(b);
}

static void
render_kb_row(struct wl_buf *b, const void *row)
{
	render_kb(b, row);
}

static void
kb_cursor(const void *row, int64_t *ms, const char **id)
{
	const struct store_kb *k = row;

	*ms = k->created_at;
	*id = k->id;
}

void
api_kbs_list(struct wl_req *req)
{
	static const struct api_list_shape shape = { "knowledge_bases", render_kb_row, kb_cursor };
	struct page pg;
	struct wl_error err;
	int64_t cursor_ms;
	char cursor_id[64];
	int limit;

	wl_error_clear(&err);
	if (api_config_page(req, &limit, &cursor_ms, cursor_id, &err) != WL_OK ||
	    kbs_list(req->conn, req->org.id, cursor_ms, cursor_id, limit, &pg, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_reply_list(req, &shape, &pg);
}

void
api_kbs_get(struct wl_req *req)
{
	struct store_kb k;
	struct wl_error err;

	wl_error_clear(&err);
	if (kbs_get(req->conn, req->org.id, req->params[0], &k, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_etag(req, k.updated_at);
	render_kb(&req->out, &k);
	http_reply_json(req, 200);
}

static void
kb_written(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct kbs_write *w = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	if (w->op == ORGCFG_DELETE) {
		wl_json_obj_begin(&req->out);
		wl_json_kv_str(&req->out, "id", w->kb.id);
		wl_json_kv_bool(&req->out, "deleted", true);
		wl_json_obj_end(&req->out);
		http_reply_json(req, 200);
		return;
	}
	api_etag(req, w->kb.updated_at);
	render_kb(&req->out, &w->kb);
	http_reply_json(req, w->op == ORGCFG_CREATE ? 201 : 200);
}

void
api_kbs_write(struct wl_req *req)
{
	static const char *const known[] = { "name", "description", NULL };
	struct kbs_write *w = http_alloc(req, sizeof(*w));
	struct wl_error err;
	json_t *body;

	wl_error_clear(&err);
	if (w == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	w->op = api_write_op(req);
	if (w->op != ORGCFG_CREATE && !api_id_param(req, 0, "knowledge base not found"))
		return;
	if (w->op != ORGCFG_DELETE) {
		if ((body = api_body_object(req)) == NULL)
			return;
		if (api_unknown_fields_named(body, known, &err) == WL_OK &&
		    api_take_string(req, body, "name", "name", WL_NAME_MAX, &w->in.name, &err) ==
			    WL_OK)
			(void)api_take_string(req, body, "description", "description",
					      WL_DESCRIPTION_MAX, &w->in.description, &err);
		json_decref(body);
		if (err.code != WL_OK) {
			http_reply_error(req, &err);
			return;
		}
	}
	memcpy(w->org_id, req->org.id, WL_ID_LEN);
	if (w->op != ORGCFG_CREATE)
		memcpy(w->id, req->params[0], WL_ID_LEN);
	w->if_match = api_if_match(req);
	http_submit(req, kbs_write_run, w, kb_written);
}

/* ---- documents ------------------------------------------------------------------ */

static void
render_doc(struct wl_buf *b, const struct store_kb_doc *d)
{
	wl_json_obj_begin(b);
	wl_json_kv_str(b, "id", d->id);
	wl_json_kv_str(b, "knowledge_base_id", d->kb_id);
	wl_json_kv_str(b, "filename", d->filename);
	wl_json_kv_str(b, "content_type", d->content_type);
	wl_json_kv_int(b, "size_bytes", d->size_bytes);
	wl_json_kv_str(b, "sha256", d->sha256);
	wl_json_kv_int(b, "text_bytes", d->text_bytes);
	api_kv_time(b, "created_at", d->created_at);
	wl_json_obj_end(b);
}

static void
render_doc_row(struct wl_buf *b, const void *row)
{
	render_doc(b, row);
}

static void
doc_cursor(const void *row, int64_t *ms, const char **id)
{
	const struct store_kb_doc *d = row;

	*ms = d->created_at;
	*id = d->id;
}

/* The knowledge base of the path is the org's, else 404 (answered). */
static bool
kb_of_org(struct wl_req *req)
{
	struct store_kb k;
	struct wl_error err;

	wl_error_clear(&err);
	if (kbs_get(req->conn, req->org.id, req->params[0], &k, &err) != WL_OK) {
		http_reply_error(req, &err);
		return false;
	}
	return true;
}

void
api_kb_docs_list(struct wl_req *req)
{
	static const struct api_list_shape shape = { "documents", render_doc_row, doc_cursor };
	struct store_doc_query q = { req->org.id, req->params[0] };
	struct page pg;
	struct wl_error err;
	int64_t cursor_ms;
	char cursor_id[64];
	int limit;

	wl_error_clear(&err);
	if (!kb_of_org(req))
		return;
	if (api_config_page(req, &limit, &cursor_ms, cursor_id, &err) != WL_OK ||
	    kb_docs_list(req->conn, &q, cursor_ms, cursor_id, limit, &pg, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	api_reply_list(req, &shape, &pg);
}

void
api_kb_doc_get(struct wl_req *req)
{
	struct store_kb_doc d;
	struct wl_error err;

	wl_error_clear(&err);
	if (kb_doc_get(req->conn, req->org.id, req->params[0], req->params[1], &d, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	render_doc(&req->out, &d);
	http_reply_json(req, 200);
}

static void
uploaded(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct kb_upload *u = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	render_doc(&req->out, &u->doc);
	http_reply_json(req, 201);
}

/* On a worker: the checks, the hash and a PDF's text, then the write. */
static void
upload_work(struct wl_req *req, void *arg)
{
	struct kb_upload *u = arg;
	struct wl_error err;
	char *text;

	wl_error_clear(&err);
	if (kb_upload_prepare(u, &err) != WL_OK) {
		kb_upload_free(u);
		http_reply_error(req, &err);
		return;
	}
	/* The text lives as long as the request, whatever becomes of it. */
	if (u->text != NULL) {
		text = http_alloc(req, u->text_len + 1);
		if (text == NULL) {
			kb_upload_free(u);
			http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
			return;
		}
		memcpy(text, u->text, u->text_len + 1);
		kb_upload_free(u);
		u->text = text;
		u->text_len = strlen(text);
	}
	http_submit(req, kb_upload_run, u, uploaded);
}

/* The file of the body: a multipart part, or the whole raw body. */
static bool
upload_file(struct wl_req *req, struct kb_upload *u)
{
	const char *ct = http_header(req, "Content-Type");
	const char *name = http_query(req, "filename");
	char boundary[WL_BOUNDARY_MAX + 1];
	struct wl_upload_part part;
	const char *why;
	char *type;

	if (wl_multipart_boundary(ct, boundary)) {
		if (wl_multipart_file(req->body.p != NULL ? req->body.p : "", req->body.len,
				      boundary, &part, &why) != 0) {
			http_reply_fail(req, WL_EINVALID, "The upload is not readable: %s", why);
			return false;
		}
		type = http_alloc(req, strlen(part.content_type) + 1);
		if (type == NULL) {
			http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
			return false;
		}
		memcpy(type, part.content_type, strlen(part.content_type));
		snprintf(u->filename, sizeof(u->filename), "%s",
			 name != NULL ? name : part.filename);
		u->content_type = type;
		u->data = part.data;
		u->len = part.len;
		return true;
	}
	u->content_type = ct != NULL ? ct : "";
	u->data = req->body.p != NULL ? req->body.p : "";
	u->len = req->body.len;
	if (name != NULL) {
		snprintf(u->filename, sizeof(u->filename), "%s", name);
	} else {
		const char *t = wl_document_type(u->content_type, NULL);

		snprintf(u->filename, sizeof(u->filename), "document.%s",
			 t == NULL                           ? "bin"
			 : strcmp(t, "application/pdf") == 0 ? "pdf"
			 : strcmp(t, "text/markdown") == 0   ? "md"
			 : strcmp(t, "text/csv") == 0        ? "csv"
							     : "txt");
	}
	return true;
}

void
api_kb_doc_upload(struct wl_req *req)
{
	struct kb_upload *u;

	if (!api_id_param(req, 0, "knowledge base not found") || !kb_of_org(req))
		return;
	u = http_alloc(req, sizeof(*u));
	if (u == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	if (!upload_file(req, u))
		return;
	if ((int64_t)u->len > req->app->kb_max_file_bytes) {
		http_reply_fail(req, WL_ETOOLARGE, "The file is larger than %lld bytes",
				(long long)req->app->kb_max_file_bytes);
		return;
	}
	memcpy(u->org_id, req->org.id, WL_ID_LEN);
	memcpy(u->kb_id, req->params[0], WL_ID_LEN);
	u->max_file_bytes = req->app->kb_max_file_bytes;
	u->quota_bytes = req->app->kb_quota_bytes;
	http_offload(req, upload_work, u);
}

/* On a worker: a document's bytes (or its text) as the answer. */
static void
send_doc(struct wl_req *req, void *arg)
{
	bool *want_text = arg;
	struct store_kb_doc d;
	struct wl_error err;
	char disposition[320], *data;
	size_t len, i;
	bool text;

	wl_error_clear(&err);
	if (kb_doc_content(req->conn, req->org.id, req->params[0], req->params[1], *want_text, &d,
			   &data, &len, &text, &err) != WL_OK) {
		http_reply_error(req, &err);
		return;
	}
	/* The name as plain ASCII for the header; the API has it in full. */
	for (i = 0; d.filename[i] != '\0'; i++)
		if ((unsigned char)d.filename[i] >= 0x7f || d.filename[i] == ';')
			d.filename[i] = '_';
	snprintf(disposition, sizeof(disposition), "%s; filename=\"%s%s\"",
		 *want_text ? "inline" : "attachment", d.filename, text ? ".txt" : "");
	http_add_header(req, "Content-Disposition", disposition);
	http_add_header(req, "X-Content-SHA256", d.sha256);
	if (*want_text)
		http_reply_bytes(req, 200, "text/plain; charset=utf-8", data, len);
	else
		http_reply_bytes(req, 200,
				 strcmp(d.content_type, "application/pdf") == 0 ? "application/pdf"
				 : strcmp(d.content_type, "text/markdown") == 0
					 ? "text/markdown; charset=utf-8"
				 : strcmp(d.content_type, "text/csv") == 0
					 ? "text/csv; charset=utf-8"
					 : "text/plain; charset=utf-8",
				 data, len);
}

void
api_kb_doc_content(struct wl_req *req)
{
	static bool bytes = false;

	if (api_id_param(req, 0, "document not found") &&
	    api_id_param(req, 1, "document not found"))
		http_offload(req, send_doc, &bytes);
}

void
api_kb_doc_text(struct wl_req *req)
{
	static bool text = true;

	if (api_id_param(req, 0, "document not found") &&
	    api_id_param(req, 1, "document not found"))
		http_offload(req, send_doc, &text);
}

static void
doc_deleted(struct wl_req *req, void *arg, int rc, const struct wl_error *err)
{
	struct kb_doc_delete *d = arg;

	if (rc != WL_OK) {
		http_reply_error(req, err);
		return;
	}
	wl_json_obj_begin(&req->out);
	wl_json_kv_str(&req->out, "id", d->id);
	wl_json_kv_bool(&req->out, "deleted", true);
	wl_json_obj_end(&req->out);
	http_reply_json(req, 200);
}

void
api_kb_doc_delete(struct wl_req *req)
{
	struct kb_doc_delete *d;

	if (!api_id_param(req, 0, "document not found") ||
	    !api_id_param(req, 1, "document not found"))
		return;
	d = http_alloc(req, sizeof(*d));
	if (d == NULL) {
		http_reply_fail(req, WL_EUNAVAILABLE, "out of memory");
		return;
	}
	memcpy(d->org_id, req->org.id, WL_ID_LEN);
	memcpy(d->kb_id, req->params[0], WL_ID_LEN);
	memcpy(d->id, req->params[1], WL_ID_LEN);
	http_submit(req, kb_doc_delete_run, d, doc_deleted);
}
