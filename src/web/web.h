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
/* usage_chart.c: the minutes-per-day chart's values (template partial
 * usage_chart.html) for req->org over the range of ?from=&to=; a bad range
 * shows the default one with chart_error and sets *status to 400. The
 * caller puts chart_action. WL_OK or the read's error. */
int web_usage_chart(struct wl_req *req, struct tpl_data *d, int *status);
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
/* Whether the static file `name` was loaded at start. */
bool web_static_has(const char *name);
void web_docs(struct wl_req *req);
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

/* ---- the branded portal (portal_page.c) ---- */
/* Brand values of a portal page: company_name, primary, accent, on_primary,
 * on_accent (readable text colours), logo_url, base (links' prefix). */
void web_portal_brand(struct tpl_data *d, const struct store_whitelabel *s, const char *base);
/* The package on offer: has_package, credits, price, currency, per_credit. */
void web_portal_package(struct tpl_data *d, const struct store_whitelabel *s);
/* The data every portal page has: title "{title} · {company}", the brand,
 * logged_in and csrf with a session, mail_off. */
struct tpl_data *web_portal_data(struct wl_req *req, const char *title);
/* An error page in the portal's look (neutral when there is no portal). */
void web_portal_error_page(struct wl_req *req, int status, const char *title, const char *message);

/* portal_auth.c: the public forms' pieces (portal_links.c uses them too) */
#define WEB_PORTAL_FORM_EXPIRED \
	"This form has expired or did not come from this site. Please fill it in again."
/* A public form page: web_portal_data + form_token (the form's CSRF token,
 * set as its cookie when the browser has none), password_min, error. */
struct tpl_data *web_portal_form_page(struct wl_req *req, const char *title, const char *error);
/* The form's field "csrf" equals the form cookie (double submit). */
bool web_portal_form_ok(struct wl_req *req);
/* A page with one message and one link ({base}{next}). */
void web_portal_message(struct wl_req *req, int status, bool ok, const char *heading,
			const char *message, const char *next, const char *next_label);
/* 303 to a path of the portal as the browser sees it. */
void web_portal_go(struct wl_req *req, const char *path);
/* The agency, its name and its absolute URL (from the settings, never from
 * Host) for mails. */
struct portal_brand;
void web_portal_brand_of(struct wl_req *req, struct portal_brand *b);
/* Why a new password (and its confirmation) is refused; NULL when fine. */
const char *web_portal_password_problem(const char *password, const char *confirm);

/* portal_auth.c: sign-up, log-in and out; portal_links.c: the mailed links */
void web_portal_signup_form(struct wl_req *req);
void web_portal_signup(struct wl_req *req);
void web_portal_login_form(struct wl_req *req);
void web_portal_login(struct wl_req *req);
void web_portal_logout(struct wl_req *req);
void web_portal_verify_form(struct wl_req *req);
void web_portal_verify(struct wl_req *req);
void web_portal_forgot_form(struct wl_req *req);
void web_portal_forgot(struct wl_req *req);
void web_portal_reset_form(struct wl_req *req);
void web_portal_reset(struct wl_req *req);
/* portal_home.c: the client dashboard, account, API keys */
void web_portal_home(struct wl_req *req);
void web_portal_account(struct wl_req *req);
void web_portal_password(struct wl_req *req);
void web_portal_key_create(struct wl_req *req);
void web_portal_key_revoke(struct wl_req *req);
/* trail_pages.c: the audit trail, API keys, a client's limits */
void web_audit(struct wl_req *req);
void web_keys(struct wl_req *req);
void web_key_create(struct wl_req *req);
void web_key_revoke(struct wl_req *req);
void web_limits_save(struct wl_req *req);
/* stripe_pages.c: the agency's purchases and Stripe events log */
void web_purchases(struct wl_req *req);
void web_stripe_events(struct wl_req *req);
/* config_pages.c: the Agents and Phone numbers pages of the org acted on */
void web_agents(struct wl_req *req);
void web_agent_new(struct wl_req *req);
void web_agent_edit(struct wl_req *req);
void web_agent_create(struct wl_req *req);
void web_agent_update(struct wl_req *req);
void web_agent_delete(struct wl_req *req);
void web_numbers(struct wl_req *req);
void web_webhooks(struct wl_req *req);
void web_webhook_create(struct wl_req *req);
void web_webhook_rotate(struct wl_req *req);
void web_webhook_delete(struct wl_req *req);
void web_webhook_log(struct wl_req *req);
void web_webhook_resend(struct wl_req *req);
void web_webhook_alerts(struct wl_req *req);
void web_number_create(struct wl_req *req);
void web_number_update(struct wl_req *req);
void web_number_delete(struct wl_req *req);
/* portal_buy.c: Buy Credits (Stripe Checkout) and the page Stripe returns to */
void web_portal_buy(struct wl_req *req);
void web_portal_success(struct wl_req *req);
/* billing.c, billing_keys.c: Settings > Billing (billing information, Add
 * Credits, invoices, provider keys) */
void web_billing(struct wl_req *req);
void web_billing_info(struct wl_req *req);
void web_billing_checkout(struct wl_req *req);
void web_billing_return(struct wl_req *req);
void web_billing_invoice(struct wl_req *req);
void web_billing_key_set(struct wl_req *req);
void web_billing_key_remove(struct wl_req *req);

#endif
