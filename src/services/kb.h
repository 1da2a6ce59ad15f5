/*
 * kb.h — an org's knowledge bases and their documents: text, Markdown,
 * CSV or PDF files, each kept with its SHA-256 and, for a PDF, the text
 * pdftotext extracts from it (beside the file, for the engine to read).
 * The bytes live in the database, the place every instance shares.
 *
 * An upload is prepared on a worker (size and type checks, the hash, the
 * PDF's text), then written by a writer job that checks the org's quota
 * under the org's row lock, so two uploads at once cannot both pass it.
 */
#ifndef WL_SERVICES_KB_H
#define WL_SERVICES_KB_H

#include <stdbool.h>
#include <stdint.h>

#include "services/app.h"
#include "services/orgcfg.h"
#include "store/store.h"

#define KB_FILE_MAX_DEFAULT (10LL * 1024 * 1024)             /* WLPORTAL_KB_MAX_FILE_BYTES */
#define KB_QUOTA_DEFAULT (100LL * 1024 * 1024)               /* WLPORTAL_KB_ORG_QUOTA_BYTES */
#define KB_TEXT_MAX(file_max) ((size_t)(file_max)*2 + 65536) /* a PDF's text */

struct kb_input {
	const char *name; /* NULL = absent */
	const char *description;
};

struct kbs_write {
	/* in */
	enum orgcfg_op op;
	char org_id[WL_ID_LEN];
	char id[WL_ID_LEN];
	struct kb_input in;
	const char *if_match;
	/* out */
	struct store_kb kb;
};
/* A delete removes the documents too; WL_ECONFLICT while an agent lists
 * the knowledge base. */
int kbs_write_run(struct store_conn *c, void *arg, struct wl_error *err);
int kbs_get(struct store_conn *c, const char *org_id, const char *id, struct store_kb *out,
	    struct wl_error *err);
int kbs_list(struct store_conn *c, const char *org_id, int64_t cursor_ms, const char *cursor_id,
	     int limit, struct page *out, struct wl_error *err);

struct kb_upload {
	/* in */
	char org_id[WL_ID_LEN];
	char kb_id[WL_ID_LEN];
	char filename[256];
	const char *content_type; /* as sent (the part's, or the body's) */
	const void *data;         /* the file's bytes, owned by the caller */
	size_t len;
	int64_t max_file_bytes;
	int64_t quota_bytes;
	/* kb_upload_prepare: the canonical type, the hash, a PDF's text
	 * (malloc'ed; kb_upload_free) */
	const char *type;
	char sha256[65];
	char *text;
	size_t text_len;
	/* out */
	struct store_kb_doc doc;
	int64_t org_bytes; /* the org's documents after the upload */
};
/* Blocking (pdftotext): on a worker. WL_ETOOLARGE past max_file_bytes;
 * WL_EVALIDATION for an empty file, a file name or type we do not take
 * ("content_type" names text/plain, text/markdown, application/pdf,
 * text/csv), text that is not UTF-8, or a PDF that cannot be read. */
int kb_upload_prepare(struct kb_upload *u, struct wl_error *err);
/* The writer job: WL_ENOTFOUND for another org's knowledge base,
 * WL_EVALIDATION (field "file") past the org's quota. */
int kb_upload_run(struct store_conn *c, void *arg, struct wl_error *err);
void kb_upload_free(struct kb_upload *u);

struct kb_doc_delete {
	char org_id[WL_ID_LEN];
	char kb_id[WL_ID_LEN];
	char id[WL_ID_LEN];
};
int kb_doc_delete_run(struct store_conn *c, void *arg, struct wl_error *err);
int kb_docs_list(struct store_conn *c, const struct store_doc_query *q, int64_t cursor_ms,
		 const char *cursor_id, int limit, struct page *out, struct wl_error *err);
int kb_doc_get(struct store_conn *c, const char *org_id, const char *kb_id, const char *id,
	       struct store_kb_doc *out, struct wl_error *err);
/* A document and its bytes (malloc'ed, the caller frees): the file, or with
 * want_text the text kept beside a PDF (*text tells which was given; a text
 * document is its own text). */
int kb_doc_content(struct store_conn *c, const char *org_id, const char *kb_id, const char *id,
		   bool want_text, struct store_kb_doc *doc, char **data, size_t *len, bool *text,
		   struct wl_error *err);

#endif
