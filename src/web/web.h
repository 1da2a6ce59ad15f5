/*
 * web.h — the HTML side of wlportal: the agency dashboard (log in,
 * whitelabel settings, users and allocations, organization switcher) and the
 * branded portal page, rendered from the templates of the web directory
 * (WLPORTAL_WEB_DIR, or the one config_check_serve found beside the binary)
 * with the static files served from memory.
 *
 * web_init loads templates and static files once, before the server
 * accepts requests; afterwards they are read-only and shared by every
 * thread, until web_free at shutdown.
 */
#ifndef WL_WEB_H
#define WL_WEB_H

#include "http/http.h"
#include "services/accounts.h"
#include "web/template.h"

/* Loads DIR/templates and DIR/static; an error when either is missing. */
int web_init(const char *dir, struct wl_error *err);
void web_free(void);

/* Renders template `name` (a full page) with d into req->out and answers;
 * d is freed. On a rendering failure answers a plain 500 page. */
void web_render(struct wl_req *req, int status, const char *name, struct tpl_data *d);
/* An error page in the site's look. */
void web_error_page(struct wl_req *req, int status, const char *title, const char *message);

/* The common data of a dashboard page: user, org, switcher, navigation,
 * read on req->conn. */
struct tpl_data *web_page_data(struct wl_req *req, const char *title, const char *nav);
/* The same from a chrome read before (a finish, which has no connection). */
struct tpl_data *web_page_data_with(struct wl_req *req, const struct accounts_chrome *chrome,
				    const char *title, const char *nav);
/* "?org=ID" when acting on a child org, else "". */
const char *web_org_query(struct wl_req *req);


/* handlers (routes.c) */
void web_static(struct wl_req *req);
void web_root(struct wl_req *req);
void web_login_form(struct wl_req *req);
void web_login(struct wl_req *req);
void web_logout(struct wl_req *req);
void web_dashboard(struct wl_req *req);
void web_users(struct wl_req *req);
void web_allocate(struct wl_req *req);
void web_settings(struct wl_req *req);
void web_settings_save(struct wl_req *req);
void web_domain_add(struct wl_req *req);
void web_domain_refresh(struct wl_req *req);
void web_domain_remove(struct wl_req *req);
void web_portal(struct wl_req *req);
void web_portal_redirect(struct wl_req *req);

#endif
