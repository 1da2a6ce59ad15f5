/*
 * kb.c — knowledge bases and their documents (see kb.h).
 */
#include "services/kb.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/multipart.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "services/ids.h"
#include "services/pdftext.h"

static void
take(char *dst, size_t cap, const char *v, const char *field, size_t max, struct wl_error *err)
{
	size_t n;

	if (v == NULL)
		return;
	n = strlen(v);
	if (n > max || n >= cap) {
		wl_error_field_why(err, field, WL_FIELD_TOO_LONG, "must be at most %zu characters",
				   max);
		return;
	}
	if (!wl_valid_utf8(v, n)) {
		wl_error_field(err, field, "must be UTF-8 text");
		return;
	}
	memcpy(dst, v, n + 1);
}

static int
write_fields(struct kbs_write *w, struct wl_error *err)
{
	take(w->kb.name, sizeof(w->kb.name), w->in.name, "name", WL_NAME_MAX, err);
	take(w->kb.description, sizeof(w->kb.description), w->in.description, "description",
	     WL_DESCRIPTION_MAX, err);
	if (err->nfields == 0 && w->kb.name[strspn(w->kb.name, " \t\r\n")] == '\0')
		wl_error_field_why(err, "name", WL_FIELD_REQUIRED, "is required");
	if (err->nfields > 0)
		return wl_fail(err, WL_EVALIDATION, "The knowledge base has invalid fields: %s %s",
			       err->fields[0].name, err->fields[0].message);
	return WL_OK;
}

static int
remove_kb(struct store_conn *c, struct kbs_write *w, struct wl_error *err)
{
	char agent[WL_NAME_MAX + 1];
	int rc = store_agent_using(c, w->org_id, NULL, w->id, agent, sizeof(agent), err);

	if (rc == WL_OK)
		return wl_fail(err, WL_ECONFLICT,
			       "Agent \"%s\" uses this knowledge base: remove it from the agent "
			       "first",
			       agent);
	if (rc != WL_ENOTFOUND)
		return rc;
	wl_error_clear(err);
	return store_kb_delete(c, w->org_id, w->id, err);
}

int
kbs_write_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct kbs_write *w = arg;
	int64_t now = wl_now_ms();
	int rc;

	if (w->op == ORGCFG_CREATE) {
		memset(&w->kb, 0, sizeof(w->kb));
		ids_new_uuid(w->kb.id);
		memcpy(w->kb.org_id, w->org_id, WL_ID_LEN);
		w->kb.created_at = w->kb.updated_at = now;
		rc = write_fields(w, err);
		return rc != WL_OK ? rc : store_kb_insert(c, &w->kb, err);
	}
	rc = store_kb_get(c, w->org_id, w->id, true, &w->kb, err);
	if (rc != WL_OK)
		return rc;
	rc = orgcfg_check_match(w->if_match, w->kb.updated_at, "knowledge base", err);
	if (rc != WL_OK)
		return rc;
	if (w->op == ORGCFG_DELETE)
		return remove_kb(c, w, err);
	if (w->op == ORGCFG_REPLACE)
		w->kb.name[0] = w->kb.description[0] = '\0';
	w->kb.updated_at = orgcfg_next_version(now, w->kb.updated_at);
	rc = write_fields(w, err);
	return rc != WL_OK ? rc : store_kb_update(c, &w->kb, err);
}

int
kbs_get(struct store_conn *c, const char *org_id, const char *id, struct store_kb *out,
	struct wl_error *err)
{
	if (!wl_valid_uuid(id))
		return wl_fail(err, WL_ENOTFOUND, "knowledge base not found");
	return store_kb_get(c, org_id, id, false, out, err);
}

static int
fetch_kbs(struct store_conn *c, const void *org_id, int64_t cursor_ms, const char *cursor_id,
	  int want, void *rows, int *n, struct wl_error *err)
{
	return store_kb_list(c, org_id, cursor_ms, cursor_id, want, rows, n, err);
}

int
kbs_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
	 int limit, struct page *out, struct wl_error *err)
{
	return page_fetch(c, fetch_kbs, org_id, sizeof(struct store_kb), limit, cursor_ms,
			  cursor_id, out, err);
}

/* ---- documents ------------------------------------------------------------ */

static void
hex_sha256(const void *data, size_t len, char out[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, data, len);
	sodium_bin2hex(out, 65, digest, sizeof(digest));
}

int
kb_upload_prepare(struct kb_upload *u, struct wl_error *err)
{
	if ((int64_t)u->len > u->max_file_bytes)
		return wl_fail(err, WL_ETOOLARGE, "The file is larger than %lld bytes",
			       (long long)u->max_file_bytes);
	if (!wl_valid_filename(u->filename)) {
		wl_error_field(err, "filename",
			       "must be 1 to 255 characters without / \\ \" or control characters");
		return WL_EVALIDATION;
	}
	if (u->len == 0) {
		wl_error_field(err, "file", "is empty");
		return WL_EVALIDATION;
	}
	u->type = wl_document_type(u->content_type, u->filename);
	if (u->type == NULL) {
		wl_error_field(err, "content_type",
			       "must be text/plain, text/markdown, application/pdf or text/csv");
		return WL_EVALIDATION;
	}
	if (strcmp(u->type, "application/pdf") == 0) {
		if (u->len < 5 || memcmp(u->data, "%PDF-", 5) != 0) {
			wl_error_field(err, "file", "is not a PDF (it does not start with %%PDF-)");
			return WL_EVALIDATION;
		}
	} else if (!wl_valid_utf8(u->data, u->len)) {
		wl_error_field(err, "file", "must be UTF-8 text (as %s)", u->type);
		return WL_EVALIDATION;
	}
	hex_sha256(u->data, u->len, u->sha256);
	if (strcmp(u->type, "application/pdf") != 0)
		return WL_OK;
	if (pdftext_extract(u->data, u->len, KB_TEXT_MAX(u->max_file_bytes), PDFTEXT_TIMEOUT_MS,
			    &u->text, &u->text_len, err) != WL_OK) {
		if (err->code == WL_EVALIDATION)
			wl_error_field(err, "file", "%s", err->message);
		return err->code;
	}
	return WL_OK;
}

int
kb_upload_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct kb_upload *u = arg;
	struct store_kb_doc_data data = { u->data, u->len, u->text, u->text_len };
	struct store_org org;
	struct store_kb kb;
	int64_t used;
	int rc;

	/* The org's row first: uploads of one org take turns at the quota. */
	rc = store_org_get(c, u->org_id, true, &org, err);
	if (rc == WL_OK)
		rc = store_kb_get(c, u->org_id, u->kb_id, true, &kb, err);
	if (rc == WL_OK)
		rc = store_kb_org_bytes(c, u->org_id, &used, err);
	if (rc != WL_OK)
		return rc;
	if (used + (int64_t)u->len > u->quota_bytes) {
		wl_error_field(err, "file",
			       "would take the organization's documents past its quota of %lld "
			       "bytes (%lld in use)",
			       (long long)u->quota_bytes, (long long)used);
		return wl_fail(err, WL_EVALIDATION,
			       "Storage quota exceeded: this organization's documents may take "
			       "%lld bytes, %lld are in use and the file has %zu",
			       (long long)u->quota_bytes, (long long)used, u->len);
	}
	memset(&u->doc, 0, sizeof(u->doc));
	ids_new_uuid(u->doc.id);
	memcpy(u->doc.org_id, u->org_id, WL_ID_LEN);
	memcpy(u->doc.kb_id, u->kb_id, WL_ID_LEN);
	snprintf(u->doc.filename, sizeof(u->doc.filename), "%s", u->filename);
	snprintf(u->doc.content_type, sizeof(u->doc.content_type), "%s", u->type);
	u->doc.size_bytes = (int64_t)u->len;
	memcpy(u->doc.sha256, u->sha256, sizeof(u->doc.sha256));
	u->doc.text_bytes = (int64_t)u->text_len;
	u->doc.created_at = wl_now_ms();
	u->org_bytes = used + (int64_t)u->len;
	return store_kb_doc_insert(c, &u->doc, &data, err);
}

void
kb_upload_free(struct kb_upload *u)
{
	free(u->text);
	u->text = NULL;
	u->text_len = 0;
}

int
kb_doc_delete_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct kb_doc_delete *d = arg;

	return store_kb_doc_delete(c, d->org_id, d->kb_id, d->id, err);
}

static int
fetch_docs(struct store_conn *c, const void *q, int64_t cursor_ms, const char *cursor_id, int want,
	   void *rows, int *n, struct wl_error *err)
{
	return store_kb_doc_list(c, q, cursor_ms, cursor_id, want, rows, n, err);
}

int
kb_docs_list(struct store_conn *c, const struct store_doc_query *q, int64_t cursor_ms,
	     const char *cursor_id, int limit, struct page *out, struct wl_error *err)
{
	return page_fetch(c, fetch_docs, q, sizeof(struct store_kb_doc), limit, cursor_ms,
			  cursor_id, out, err);
}

int
kb_doc_get(struct store_conn *c, const char *org_id, const char *kb_id, const char *id,
	   struct store_kb_doc *out, struct wl_error *err)
{
	if (!wl_valid_uuid(id) || !wl_valid_uuid(kb_id))
		return wl_fail(err, WL_ENOTFOUND, "document not found");
	return store_kb_doc_get(c, org_id, kb_id, id, out, err);
}

int
kb_doc_content(struct store_conn *c, const char *org_id, const char *kb_id, const char *id,
	       bool want_text, struct store_kb_doc *doc, char **data, size_t *len, bool *text,
	       struct wl_error *err)
{
	int rc = kb_doc_get(c, org_id, kb_id, id, doc, err);

	if (rc != WL_OK)
		return rc;
	*text = want_text && strcmp(doc->content_type, "application/pdf") == 0;
	return store_kb_doc_bytes(c, org_id, kb_id, id, *text, data, len, err);
}
