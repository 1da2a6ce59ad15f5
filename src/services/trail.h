/*
 * trail.h — the audit trail: who changed what, when and from where.
 * Settings saved (whitelabel), the portal turned on or off, credits
 * allocated by hand, API keys made or revoked, custom domains claimed,
 * removed or changing status, a client's limits, and an agency's billing
 * information (company, address, country, VAT ID, client invoices). Each event is written
 * by the writer job that makes the change, in its transaction, so an event
 * exists exactly when its change does. Secrets appear only as "changed".
 *
 * Not to be confused with services/audit.c, the ledger's own check
 * (`wlportal audit`).
 */
#ifndef WL_SERVICES_TRAIL_H
#define WL_SERVICES_TRAIL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "services/paging.h"
#include "store/store.h"

#define TRAIL_SETTINGS "settings.changed"
#define TRAIL_ACTIVATED "portal.activated"
#define TRAIL_DEACTIVATED "portal.deactivated"
#define TRAIL_ALLOCATION "allocation.created"
#define TRAIL_KEY_CREATED "api_key.created"
#define TRAIL_KEY_REVOKED "api_key.revoked"
#define TRAIL_DOMAIN_CLAIMED "domain.claimed"
#define TRAIL_DOMAIN_REMOVED "domain.removed"
#define TRAIL_DOMAIN_STATUS "domain.status_changed"
#define TRAIL_LIMITS "limits.changed"
#define TRAIL_BILLING_INFO "billing_info.updated"

/* Who acts: a dashboard or portal user, an API key, or the server itself
 * (a zeroed actor is the server: the background domain check). */
struct trail_actor {
	char type[8]; /* "user", "api_key", "" = system */
	char id[WL_ID_LEN];
	char address[64];
};

/* Whether `type` is one of the TRAIL_* names (the list's filter). */
bool trail_type_known(const char *type);

/* A change's detail: a JSON object of field → new value. Begin, add with
 * the wl_json_kv_* writers, then trail_record takes it; trail_detail_free
 * after. */
void trail_detail_begin(struct wl_buf *b);
void trail_detail_free(struct wl_buf *b);

/* In a writer job: one event about org_id (agency_id: its agency, "" or
 * NULL for an agency's own change). detail may be NULL ({}); a detail too
 * long for the row is recorded as {"truncated":true}. */
int trail_record(struct store_conn *c, const struct trail_actor *who, const char *org_id,
		 const char *agency_id, const char *type, struct wl_buf *detail, int64_t now,
		 struct wl_error *err);

/* The events an org may read, newest first: an agency its own and its
 * clients', a client its own. Rows are struct store_trail_event; limit
 * 1..TRAIL_PAGE_MAX; page_free the page. */
#define TRAIL_PAGE_MAX 200
int trail_list(struct store_conn *c, const struct store_org *org, const char *type, int64_t from_ms,
	       int64_t to_ms, int64_t cursor_ms, const char *cursor_id, int limit, struct page *out,
	       struct wl_error *err);

#endif
