/*
 * routes.c — every route of wlportal in one table: method, path, handler,
 * and who may call it. Read this file to know the whole surface.
 */
#include "api/api.h"
#include "http/http.h"
#include "web/web.h"

const struct route wl_routes[] = {
	{ HTTP_GET, "/healthz", api_healthz, AUTH_NONE },
	/* this API's OpenAPI document (openapi/openapi.json) and its rendering */
	{ HTTP_GET, "/openapi.json", api_openapi, AUTH_NONE },
	{ HTTP_GET, "/docs", web_docs, AUTH_PAGE },
	/* Caddy's on-demand TLS asks whether a host name is ours (deploy/Caddyfile) */
	{ HTTP_GET, "/internal/tls-ask", api_tls_ask, AUTH_NONE },

	/* platform API: Bearer API key, X-Organization-Id for a child org */
	{ HTTP_GET, "/api/v1/account", api_account_get, AUTH_API_KEY },
	{ HTTP_GET, "/api/v1/usage", api_usage_get, AUTH_API_KEY },
	{ HTTP_POST, "/api/v1/calls", api_calls_create, AUTH_API_KEY },
	{ HTTP_GET, "/api/v1/calls", api_calls_list, AUTH_API_KEY },
	{ HTTP_GET, "/api/v1/calls/:id", api_calls_get, AUTH_API_KEY },

	/* whitelabel (parent orgs only) */
	{ HTTP_GET, "/api/v1/whitelabel", api_whitelabel_get, AUTH_API_KEY },
	{ HTTP_PUT, "/api/v1/whitelabel", api_whitelabel_put, AUTH_API_KEY },
	{ HTTP_GET, "/api/v1/whitelabel/margin", api_whitelabel_margin, AUTH_API_KEY },
	{ HTTP_POST, "/api/v1/whitelabel/domain", api_whitelabel_domain_set, AUTH_API_KEY },
	{ HTTP_DELETE, "/api/v1/whitelabel/domain", api_whitelabel_domain_delete, AUTH_API_KEY },
	{ HTTP_POST, "/api/v1/whitelabel/domain/refresh", api_whitelabel_domain_refresh,
	  AUTH_API_KEY },
	{ HTTP_GET, "/api/v1/whitelabel/users", api_whitelabel_users, AUTH_API_KEY },
	{ HTTP_POST, "/api/v1/whitelabel/users/:id/allocations", api_whitelabel_allocate,
	  AUTH_API_KEY },
	{ HTTP_GET, "/api/v1/whitelabel/purchases", api_whitelabel_purchases, AUTH_API_KEY },
	{ HTTP_GET, "/api/v1/whitelabel/stripe-events", api_whitelabel_stripe_events,
	  AUTH_API_KEY },

	/* Stripe's webhook deliveries: signed with the agency's whsec_ secret */
	{ HTTP_POST, "/api/webhooks/stripe/:slug", api_stripe_webhook, AUTH_NONE },

	/* HTML: static files, log in, the agency dashboard (session cookie);
	 * AUTH_LOGIN and AUTH_SESSION only on the platform's own host */
	{ HTTP_GET, "/", web_root, AUTH_PAGE },
	{ HTTP_GET, "/static/:file", web_static, AUTH_PAGE },
	{ HTTP_GET, "/login", web_login_form, AUTH_LOGIN },
	{ HTTP_POST, "/login", web_login, AUTH_LOGIN },
	{ HTTP_POST, "/logout", web_logout, AUTH_SESSION },
	{ HTTP_GET, "/dashboard", web_dashboard, AUTH_SESSION },
	{ HTTP_GET, "/dashboard/users", web_users, AUTH_SESSION },
	{ HTTP_POST, "/dashboard/users/:id/allocate", web_allocate, AUTH_SESSION },
	{ HTTP_GET, "/dashboard/purchases", web_purchases, AUTH_SESSION },
	{ HTTP_GET, "/dashboard/stripe-events", web_stripe_events, AUTH_SESSION },
	{ HTTP_GET, "/dashboard/whitelabel", web_settings, AUTH_SESSION },
	{ HTTP_POST, "/dashboard/whitelabel/domain/add", web_domain_add, AUTH_SESSION },
	{ HTTP_POST, "/dashboard/whitelabel/domain/refresh", web_domain_refresh, AUTH_SESSION },
	{ HTTP_POST, "/dashboard/whitelabel/domain/remove", web_domain_remove, AUTH_SESSION },
	{ HTTP_POST, "/dashboard/whitelabel/:step", web_settings_save, AUTH_SESSION },

	/* the branded portal (also reached by Host {slug}.portal.{base}):
	 * AUTH_PORTAL_PUBLIC pages check their forms' own CSRF token,
	 * AUTH_PORTAL ones need the client's portal session */
	{ HTTP_GET, "/p/:slug", web_portal_redirect, AUTH_PAGE },
	{ HTTP_GET, "/p/:slug/", web_portal, AUTH_PORTAL_PUBLIC },
	{ HTTP_GET, "/p/:slug/signup", web_portal_signup_form, AUTH_PORTAL_PUBLIC },
	{ HTTP_POST, "/p/:slug/signup", web_portal_signup, AUTH_PORTAL_PUBLIC },
	{ HTTP_GET, "/p/:slug/login", web_portal_login_form, AUTH_PORTAL_PUBLIC },
	{ HTTP_POST, "/p/:slug/login", web_portal_login, AUTH_PORTAL_PUBLIC },
	{ HTTP_GET, "/p/:slug/verify", web_portal_verify_form, AUTH_PORTAL_PUBLIC },
	{ HTTP_POST, "/p/:slug/verify", web_portal_verify, AUTH_PORTAL_PUBLIC },
	{ HTTP_GET, "/p/:slug/forgot", web_portal_forgot_form, AUTH_PORTAL_PUBLIC },
	{ HTTP_POST, "/p/:slug/forgot", web_portal_forgot, AUTH_PORTAL_PUBLIC },
	{ HTTP_GET, "/p/:slug/reset", web_portal_reset_form, AUTH_PORTAL_PUBLIC },
	{ HTTP_POST, "/p/:slug/reset", web_portal_reset, AUTH_PORTAL_PUBLIC },
	{ HTTP_POST, "/p/:slug/logout", web_portal_logout, AUTH_PORTAL },
	{ HTTP_GET, "/p/:slug/dashboard", web_portal_home, AUTH_PORTAL },
	{ HTTP_GET, "/p/:slug/account", web_portal_account, AUTH_PORTAL },
	{ HTTP_POST, "/p/:slug/account/password", web_portal_password, AUTH_PORTAL },
	{ HTTP_POST, "/p/:slug/keys", web_portal_key_create, AUTH_PORTAL },
	{ HTTP_POST, "/p/:slug/keys/:id/revoke", web_portal_key_revoke, AUTH_PORTAL },
	{ HTTP_POST, "/p/:slug/buy", web_portal_buy, AUTH_PORTAL },
	{ HTTP_GET, "/p/:slug/success", web_portal_success, AUTH_PORTAL },

	/* voice engine API: Bearer WLPORTAL_ENGINE_TOKEN */
	{ HTTP_POST, "/engine/v1/calls/inbound", api_engine_inbound, AUTH_ENGINE },
	{ HTTP_POST, "/engine/v1/calls/:id/events", api_engine_event, AUTH_ENGINE },
};

const size_t wl_nroutes = sizeof(wl_routes) / sizeof(wl_routes[0]);
