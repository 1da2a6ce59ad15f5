/*
 * webhooks.h — an org's webhook endpoints, the durable outbox their events
 * go through, and its delivery log.
 *
 * An endpoint is {url, events, description} plus a signing secret that
 * wlportal generates: shown once when the endpoint is made (or its secret
 * rotated) and stored only sealed with the master key. After a rotation the
 * previous secret keeps signing, beside the new one, for
 * WEBHOOK_ROTATE_OVERLAP_MS.
 *
 * Events are written to the outbox (webhooks_emit) inside the writer job
 * whose change caused them, so the event and its cause commit together or
 * not at all; services/webhook_sender.c delivers them. Each delivery is one
 * (event, endpoint) with its own id, the same on every attempt and resend.
 *
 * The *_run functions are writer jobs (services/writer.h); the caller fills
 * the request part and reads the result part after the durable outcome.
 * Every function takes the acting org: an id of another org's endpoint or
 * delivery is WL_ENOTFOUND.
 */
#ifndef WL_SERVICES_WEBHOOKS_H
#define WL_SERVICES_WEBHOOKS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/webhook.h"
#include "services/app.h"
#include "services/paging.h"
#include "store/store.h"

#define WEBHOOKS_PER_ORG_MAX 20
#define WEBHOOK_ROTATE_OVERLAP_MS (24LL * 3600 * 1000)
#define WEBHOOK_RETRY_WINDOW_MS (24LL * 3600 * 1000) /* retried this long, then failed */
#define WEBHOOK_SECRET_PREFIX "wlsec_"
#define WEBHOOK_SECRET_MAX 64 /* the prefix and 43 base64url characters, NUL */

/* What a create or update asks for (checked by webhooks_check). */
struct webhook_input {
	const char *url;         /* NULL: unchanged (update) */
	const char *events;      /* comma-separated known names, NULL: unchanged */
	const char *description; /* NULL: unchanged */
};
/* WL_EVALIDATION with a complaint per bad field (url, events, description). */
int webhooks_check(const struct webhook_input *in, bool create, struct wl_error *err);

struct webhooks_create {
	/* in, filled by webhooks_create_prepare from the input */
	struct store_wh_endpoint endpoint;
	/* out */
	char secret[WEBHOOK_SECRET_MAX]; /* shown once; wipe after use */
};
/* Checks the input, makes the id and the secret and seals it. */
int webhooks_create_prepare(const struct wl_app *app, const char *org_id,
			    const struct webhook_input *in, struct webhooks_create *r,
			    struct wl_error *err);
/* WL_EVALIDATION when the org has WEBHOOKS_PER_ORG_MAX endpoints already. */
int webhooks_create_run(struct store_conn *c, void *arg, struct wl_error *err);

struct webhooks_update {
	/* in */
	char org_id[WL_ID_LEN];
	char id[WL_ID_LEN];
	struct webhook_input in;
	/* out */
	struct store_wh_endpoint endpoint;
};
int webhooks_update_run(struct store_conn *c, void *arg, struct wl_error *err);

struct webhooks_rotate {
	/* in: made by webhooks_rotate_prepare */
	char org_id[WL_ID_LEN];
	char id[WL_ID_LEN];
	char sealed[WL_SEALED_SECRET_MAX];
	/* out */
	char secret[WEBHOOK_SECRET_MAX];
	struct store_wh_endpoint endpoint;
};
int webhooks_rotate_prepare(const struct wl_app *app, const char *org_id, const char *id,
			    struct webhooks_rotate *r, struct wl_error *err);
int webhooks_rotate_run(struct store_conn *c, void *arg, struct wl_error *err);

struct webhooks_delete {
	char org_id[WL_ID_LEN];
	char id[WL_ID_LEN];
};
int webhooks_delete_run(struct store_conn *c, void *arg, struct wl_error *err);

/* Reads. */
int webhooks_get(struct store_conn *c, const char *org_id, const char *id,
		 struct store_wh_endpoint *out, struct wl_error *err);
/* rows: struct store_wh_endpoint, oldest first. */
int webhooks_list(struct store_conn *c, const char *org_id, int64_t cursor_ms,
		  const char *cursor_id, int limit, struct page *out, struct wl_error *err);
/* rows: struct store_wh_delivery (no body), newest first. */
int webhooks_deliveries(struct store_conn *c, const char *org_id, const char *endpoint_id,
			int64_t cursor_ms, const char *cursor_id, int limit, struct page *out,
			struct wl_error *err);

/* A resend: the same delivery (same id) is due again now, with a new
 * retry window; its attempts keep counting. */
struct webhooks_resend {
	/* in */
	char org_id[WL_ID_LEN];
	char id[WL_ID_LEN];
	/* out */
	struct store_wh_delivery delivery;
};
int webhooks_resend_run(struct store_conn *c, void *arg, struct wl_error *err);

/* Writes an event's JSON body into out (bounded by WL_WEBHOOK_BODY_MAX). */
typedef int (*webhooks_body_fn)(struct store_conn *c, const void *arg, struct wl_buf *out,
				struct wl_error *err);
/* Inside a writer job: queues `event` for every target of the org's event
 * (webhooks_targets); the body is built (once) only when there is one.
 * agent_id may be "" (no agent). */
int webhooks_emit(struct store_conn *c, const char *org_id, const char *agent_id, const char *event,
		  webhooks_body_fn build, const void *arg, struct wl_error *err);

/* The receiver of a synchronous event (DESIGN.md: tool url → agent
 * webhook_url → the org's endpoints subscribed to it); *found false when
 * there is none. The endpoint holds sealed secrets: wipe it after use. */
int webhooks_sync_target(struct store_conn *c, const char *org_id, const char *agent_id,
			 const char *tool_name, const char *event, struct store_wh_endpoint *out,
			 bool *found, struct wl_error *err);
/* The X-Webhook-Signature value: "sha256=…" with the endpoint's secret, and
 * with its previous one too while a rotation's overlap lasts. */
int webhooks_sign(const struct wl_app *app, const struct store_wh_endpoint *e, int64_t ts,
		  const char *body, char out[WL_WEBHOOK_SIG_HEADER_MAX], struct wl_error *err);

/* The low-balance alert: threshold in minutes (0 = off). */
struct webhooks_alerts {
	char org_id[WL_ID_LEN];
	int64_t low_balance_minutes;
	/* out */
	struct store_org org;
};
int webhooks_alerts_run(struct store_conn *c, void *arg, struct wl_error *err);
/* Whether the org's balance is below its threshold now (the banner). */
bool webhooks_balance_low(const struct store_org *org);

#endif
