/*
 * api.h — the JSON API handlers (one per route in http/routes.c) and the
 * helpers they share for reading JSON bodies and writing objects.
 * Handlers stay thin: validate input → one service call → render.
 */
#ifndef WL_API_H
#define WL_API_H

#include <jansson.h>

#include "http/http.h"
#include "services/orgcfg.h"
#include "services/paging.h"
#include "core/model.h"

/* Parses the body as a JSON object; on failure answers 400 and returns NULL.
 * The caller json_decref()s the result. */
json_t *api_body_object(struct wl_req *req);

/* Field readers: 0 when present and valid, 1 when absent and optional, or a
 * negative code after filling err with a message naming the field. */
int api_string(json_t *obj, const char *field, bool required, size_t maxlen, const char **out,
	       struct wl_error *err);
int api_int(json_t *obj, const char *field, bool required, int64_t min, int64_t max, int64_t *out,
	    struct wl_error *err);

/* A settable string: absent → unchanged (*out NULL), null → cleared (""),
 * a string of at most max bytes → copied into the request's memory. A bad
 * value adds a field complaint under `report` and returns WL_OK; only
 * running out of memory fails. */
int api_take_string(struct wl_req *req, json_t *obj, const char *field, const char *report,
		    size_t max, const char **out, struct wl_error *err);
/* 400 "Unknown field '{where}{key}'" for the first key of obj not in known
 * (NULL-terminated). */
int api_unknown_fields(json_t *obj, const char *const *known, const char *where,
		       struct wl_error *err);
/* 422 with one field complaint for each key of obj not in known. */
int api_unknown_fields_named(json_t *obj, const char *const *known, struct wl_error *err);
/* A whole number 0..max from the query string: 1 when absent, WL_OK, or
 * WL_EINVALID naming the parameter. */
int api_query_int(struct wl_req *req, const char *name, int64_t max, int64_t *out,
		  struct wl_error *err);
/* The org acted on is a parent (whitelabel is theirs); else answers 403
 * and returns false. */
bool api_parent_only(struct wl_req *req);

/* Paging: limit (1..max, default dflt) and cursor from the query string. */
int api_page(struct wl_req *req, int dflt, int max, int *limit, int64_t *cursor_ms,
	     char cursor_id[64], struct wl_error *err);

/* "next_cursor": the cursor after (created_ms, id) when more rows follow,
 * else null. */
void api_kv_next_cursor(struct wl_buf *b, bool more, int64_t created_ms, const char *id);

/* How a paged list's rows are written: one row as a JSON object, and the
 * (time, id) of a row that the next page starts after. */
struct api_list_shape {
	const char *key; /* the array's name in the answer: "calls", "users", … */
	void (*render)(struct wl_buf *b, const void *row);
	void (*cursor_of)(const void *row, int64_t *ms, const char **id);
};
/* Answers 200 {key: [rows…], "next_cursor": …} from one page, then frees it. */
void api_reply_list(struct wl_req *req, const struct api_list_shape *shape, struct page *pg);

void api_render_call(struct wl_buf *b, const struct store_call *call);

void api_healthz(struct wl_req *req);
void api_openapi(struct wl_req *req);
void api_tls_ask(struct wl_req *req);
void api_account_get(struct wl_req *req);
void api_usage_get(struct wl_req *req);
void api_usage_csv(struct wl_req *req);
void api_calls_create(struct wl_req *req);
void api_calls_list(struct wl_req *req);
void api_calls_get(struct wl_req *req);
void api_engine_inbound(struct wl_req *req);
void api_engine_event(struct wl_req *req);
void api_engine_assistant_request(struct wl_req *req);
void api_engine_tool_calls(struct wl_req *req);

void api_render_whitelabel(const struct wl_app *app, struct wl_buf *b,
			   const struct store_whitelabel *s);
/* The custom_domain value: the live claim with its CNAME record and TXT
 * verification, or null. */
void api_render_domain(const struct wl_app *app, struct wl_buf *b,
		       const struct store_whitelabel *s);
void api_whitelabel_get(struct wl_req *req);
void api_whitelabel_put(struct wl_req *req);
void api_whitelabel_margin(struct wl_req *req);
void api_whitelabel_domain_set(struct wl_req *req);
void api_whitelabel_domain_delete(struct wl_req *req);
void api_whitelabel_domain_refresh(struct wl_req *req);
void api_whitelabel_users(struct wl_req *req);
void api_whitelabel_allocate(struct wl_req *req);
/* stripe.c, stripe_webhook.c */
void api_whitelabel_purchases(struct wl_req *req);
void api_whitelabel_stripe_events(struct wl_req *req);
void api_stripe_webhook(struct wl_req *req);
/* billing.c: platform billing (issue 12) */
void api_billing_info_get(struct wl_req *req);
void api_billing_info_put(struct wl_req *req);
void api_billing_checkout(struct wl_req *req);
void api_invoices_list(struct wl_req *req);
void api_invoice_get(struct wl_req *req);
void api_render_invoice(struct wl_buf *b, const void *row);
void api_platform_stripe_webhook(struct wl_req *req);
/* provider_keys.c: bring-your-own-key */
void api_provider_keys_list(struct wl_req *req);
void api_provider_key_put(struct wl_req *req);
void api_provider_key_delete(struct wl_req *req);
/* webhooks.c: outbound webhook endpoints, their deliveries, balance alerts */
void api_webhooks_list(struct wl_req *req);
void api_webhooks_create(struct wl_req *req);
void api_webhooks_get(struct wl_req *req);
void api_webhooks_update(struct wl_req *req);
void api_webhooks_delete(struct wl_req *req);
void api_webhooks_rotate(struct wl_req *req);
void api_webhooks_deliveries(struct wl_req *req);
void api_webhooks_resend(struct wl_req *req);
void api_alerts_get(struct wl_req *req);
void api_alerts_put(struct wl_req *req);
/* keys.c: API keys and a client's limits; trail.c: the audit trail */
void api_keys_list(struct wl_req *req);
void api_keys_create(struct wl_req *req);
void api_keys_revoke(struct wl_req *req);
void api_limits_get(struct wl_req *req);
void api_limits_put(struct wl_req *req);
void api_audit_events(struct wl_req *req);
/* type, start_date and end_date of an audit-trail list (the API's and the
 * dashboard's): type NULL or "" = any, [from_ms, to_ms) the days. */
int api_trail_range(struct wl_req *req, const char **type, int64_t *from_ms, int64_t *to_ms,
		    struct wl_error *err);

/* ---- per-org configuration (config_common.c, agents.c, kb.c, numbers.c) ---- */
/* A list of strings (ids, event names): absent → NULL, null → "", else the
 * items joined by ',' in the request's memory; a complaint under `field`
 * when it is not a list of at most max_items short strings. */
int api_take_list(struct wl_req *req, json_t *obj, const char *field, size_t max_items,
		  const char **out, struct wl_error *err);
/* "key": [items of a ','-joined list] */
void api_kv_list(struct wl_buf *b, const char *key, const char *joined);
void api_kv_time(struct wl_buf *b, const char *key, int64_t ms);
/* ETag of a row whose version is updated_at; the request's If-Match (NULL). */
void api_etag(struct wl_req *req, int64_t updated_at);
const char *api_if_match(struct wl_req *req);
/* POST create, PUT replace, PATCH update, DELETE delete. */
enum orgcfg_op api_write_op(struct wl_req *req);
/* Path parameter i is an id, else answers 404 with `missing`. */
bool api_id_param(struct wl_req *req, int i, const char *missing);
/* limit (1..ORGCFG_PAGE_MAX, default 50) and cursor. */
int api_config_page(struct wl_req *req, int *limit, int64_t *cursor_ms, char cursor_id[64],
		    struct wl_error *err);

void api_render_agent(struct wl_buf *b, const struct store_agent *a);
void api_render_tool(struct wl_buf *b, const struct store_tool *t);
void api_agents_list(struct wl_req *req);
void api_agents_get(struct wl_req *req);
void api_agents_write(struct wl_req *req);
void api_tools_list(struct wl_req *req);
void api_tools_get(struct wl_req *req);
void api_tools_write(struct wl_req *req);
void api_kbs_list(struct wl_req *req);
void api_kbs_get(struct wl_req *req);
void api_kbs_write(struct wl_req *req);
void api_kb_docs_list(struct wl_req *req);
void api_kb_doc_get(struct wl_req *req);
void api_kb_doc_upload(struct wl_req *req);
void api_kb_doc_content(struct wl_req *req);
void api_kb_doc_text(struct wl_req *req);
void api_kb_doc_delete(struct wl_req *req);
void api_render_number(struct wl_buf *b, const struct store_number *p);
void api_numbers_list(struct wl_req *req);
void api_numbers_get(struct wl_req *req);
void api_numbers_write(struct wl_req *req);
void api_inbound_settings_get(struct wl_req *req);
void api_inbound_settings_put(struct wl_req *req);

#endif
