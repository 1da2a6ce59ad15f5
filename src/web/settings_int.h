/*
 * settings_int.h — what the two files of the whitelabel settings page
 * share: settings.c draws the page and saves its steps, settings_domain.c
 * holds the custom-domain forms; both show a refused form again through
 * the refusal page below. Nothing outside src/web/settings*.c includes it.
 */
#ifndef WL_SETTINGS_INT_H
#define WL_SETTINGS_INT_H

#include "web/web.h"

/* The page, from the stored settings s; err (may be NULL) is a refused
 * form; chrome NULL reads the page's common data on req->conn. */
void settings_page(struct wl_req *req, int status, const struct store_whitelabel *s,
		   const struct wl_error *err, const struct accounts_chrome *chrome);
/* A text field of the form, trimmed: NULL when the form did not carry it
 * (or it is too long: a complaint in err). */
const char *settings_take(struct wl_req *req, const char *name, struct wl_error *err);

/* A settings write refused by its job: the page to show again is read by
 * the writer after the job's savepoint is undone (http_on_refusal), so the
 * finish renders without a database. Each job argument that needs it
 * starts with its service struct and holds one of these. */
struct refusal {
	char org_id[WL_ID_LEN];
	char user_id[WL_ID_LEN];
	char session_org_id[WL_ID_LEN];
	struct store_org acting;
	struct accounts_chrome *chrome;
	struct store_whitelabel stored;
	bool read;
};

/* The status of a refused form: 422 for its values, else the error's own. */
int settings_refused_status(const struct wl_error *err);
/* Renders the page again after a form refused in its handler, reading the
 * settings on the handler's connection (a handler or a worker; a finish
 * uses settings_refused_read instead). */
void settings_refused(struct wl_req *req, const struct wl_error *err);
/* Fills rf from the request; false when out of memory. */
bool settings_refusal_init(struct wl_req *req, struct refusal *rf);
/* In the writer, after the refused job's savepoint is undone: reads the
 * stored settings and the chrome into rf. */
void settings_refusal_read(struct store_conn *c, struct refusal *rf);
/* In a finish: the page again from what settings_refusal_read kept. */
void settings_refused_read(struct wl_req *req, const struct wl_error *err,
			   const struct refusal *rf);

#endif
