/*
 * settings_int.h — what the whitelabel settings pages (settings.c) share
 * with their custom-domain forms (settings_domain.c): a refused form shows
 * the whole settings page again, read by the writer after the job is undone
 * (a finish never queries), and the form's trimmed text fields.
 */
#ifndef WL_WEB_SETTINGS_INT_H
#define WL_WEB_SETTINGS_INT_H

#include "web/web.h"

/* A settings write refused by its job: the page to show again is read by
 * the writer after the job's savepoint is undone (http_on_refusal), so the
 * finish renders without a database. Each job argument that needs it
 * starts with its service struct and holds one of these. */
struct refusal {
	char org_id[WL_ID_LEN];
	char user_id[WL_ID_LEN];
	char session_org_id[WL_ID_LEN];
	struct store_org acting;
	struct web_chrome *chrome;
	struct store_whitelabel stored;
	bool read;
};

bool settings_refusal_init(struct wl_req *req, struct refusal *rf);
void settings_refusal_read(struct store_conn *c, struct refusal *rf);
/* The page again from what the writer read (or an error page). */
void settings_refused_read(struct wl_req *req, const struct wl_error *err, const struct refusal *rf);
/* The page again, read on the handler's (or worker's) connection. */
void settings_refused(struct wl_req *req, const struct wl_error *err);
/* A text field of the form, trimmed: NULL when the form did not carry it. */
const char *settings_take(struct wl_req *req, const char *name, struct wl_error *err);

#endif
