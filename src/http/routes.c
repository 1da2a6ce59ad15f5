/*
 * routes.c — every route of wlportal in one table: method, path, handler,
 * and who may call it. Read this file to know the whole surface.
 */
#include "api/api.h"
#include "http/http.h"
#include "web/web.h"

const struct route wl_routes[] = {
	{ HTTP_GET, "/healthz", api_healthz, AUTH_NONE, ROUTE_QUICK },
	/* this API's OpenAPI document (openapi/openapi.json) and its rendering */
	{ HTTP_GET, "/openapi.json", api_openapi, AUTH_NONE, ROUTE_QUICK },
	{ HTTP_GET, "/docs", web_docs, AUTH_PAGE, ROUTE_QUICK },
	/* Caddy's on-demand TLS asks whether a host name is ours (deploy/Caddyfile) */
	{ HTTP_GET, "/internal/tls-ask", api_tls_ask, AUTH_NONE, ROUTE_QUICK },

	/* platform API: Bearer API key, X-Organization-Id for a child org */
	{ HTTP_GET, "/api/v1/account", api_account_get, AUTH_API_KEY_MONTH, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/usage", api_usage_get, AUTH_API_KEY, ROUTE_SCANS },
	{ HTTP_GET, "/api/v1/usage.csv", api_usage_csv, AUTH_API_KEY, ROUTE_SCANS },
	{ HTTP_POST, "/api/v1/calls", api_calls_create, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/calls", api_calls_list, AUTH_API_KEY, ROUTE_SCANS },
	{ HTTP_GET, "/api/v1/calls/:id", api_calls_get, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/account/alerts", api_alerts_get, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_PUT, "/api/v1/account/alerts", api_alerts_put, AUTH_API_KEY, ROUTE_QUICK },

	/* outbound webhooks of the org acted on */
	{ HTTP_GET, "/api/v1/webhooks", api_webhooks_list, AUTH_API_KEY, ROUTE_SCANS },
	{ HTTP_POST, "/api/v1/webhooks", api_webhooks_create, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/webhooks/:id", api_webhooks_get, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_PATCH, "/api/v1/webhooks/:id", api_webhooks_update, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_DELETE, "/api/v1/webhooks/:id", api_webhooks_delete, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_POST, "/api/v1/webhooks/:id/rotate-secret", api_webhooks_rotate, AUTH_API_KEY,
	  ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/webhooks/:id/deliveries", api_webhooks_deliveries, AUTH_API_KEY,
	  ROUTE_SCANS },
	{ HTTP_POST, "/api/v1/webhook-deliveries/:id/resend", api_webhooks_resend, AUTH_API_KEY,
	  ROUTE_QUICK },

	/* platform billing: billing information, buying minutes, invoices */
	{ HTTP_GET, "/api/v1/billing-info", api_billing_info_get, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_PUT, "/api/v1/billing-info", api_billing_info_put, AUTH_API_KEY, ROUTE_SCANS },
	{ HTTP_POST, "/api/v1/billing/checkout", api_billing_checkout, AUTH_API_KEY, ROUTE_SCANS },
	{ HTTP_GET, "/api/v1/invoices", api_invoices_list, AUTH_API_KEY, ROUTE_SCANS },
	{ HTTP_GET, "/api/v1/invoices/:id", api_invoice_get, AUTH_API_KEY, ROUTE_SCANS },
	/* bring-your-own-key: provider API keys, write-only */
	{ HTTP_GET, "/api/v1/provider-keys", api_provider_keys_list, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_PUT, "/api/v1/provider-keys/:provider", api_provider_key_put, AUTH_API_KEY,
	  ROUTE_QUICK },
	{ HTTP_DELETE, "/api/v1/provider-keys/:provider", api_provider_key_delete, AUTH_API_KEY,
	  ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/api-keys", api_keys_list, AUTH_API_KEY, ROUTE_SCANS },
	{ HTTP_POST, "/api/v1/api-keys", api_keys_create, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_DELETE, "/api/v1/api-keys/:id", api_keys_revoke, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/audit-events", api_audit_events, AUTH_API_KEY, ROUTE_SCANS },

	/* an agency's limits on one of its clients (another org's: 404) */
	{ HTTP_GET, "/api/v1/clients/:id/limits", api_limits_get, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_PUT, "/api/v1/clients/:id/limits", api_limits_put, AUTH_API_KEY, ROUTE_QUICK },

	/* per-org configuration (issue 11): agents, tools, knowledge bases with
	 * their documents, phone numbers; PUT replaces, PATCH updates, both take
	 * If-Match (412 when stale) */
	{ HTTP_GET, "/api/v1/agents", api_agents_list, AUTH_API_KEY, ROUTE_SCANS },
	{ HTTP_POST, "/api/v1/agents", api_agents_write, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/agents/:id", api_agents_get, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_PUT, "/api/v1/agents/:id", api_agents_write, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_PATCH, "/api/v1/agents/:id", api_agents_write, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_DELETE, "/api/v1/agents/:id", api_agents_write, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/tools", api_tools_list, AUTH_API_KEY, ROUTE_SCANS },
	{ HTTP_POST, "/api/v1/tools", api_tools_write, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/tools/:id", api_tools_get, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_PUT, "/api/v1/tools/:id", api_tools_write, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_PATCH, "/api/v1/tools/:id", api_tools_write, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_DELETE, "/api/v1/tools/:id", api_tools_write, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/knowledge-bases", api_kbs_list, AUTH_API_KEY, ROUTE_SCANS },
	{ HTTP_POST, "/api/v1/knowledge-bases", api_kbs_write, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/knowledge-bases/:id", api_kbs_get, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_PUT, "/api/v1/knowledge-bases/:id", api_kbs_write, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_PATCH, "/api/v1/knowledge-bases/:id", api_kbs_write, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_DELETE, "/api/v1/knowledge-bases/:id", api_kbs_write, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/knowledge-bases/:id/documents", api_kb_docs_list, AUTH_API_KEY,
	  ROUTE_SCANS },
	{ HTTP_POST, "/api/v1/knowledge-bases/:id/documents", api_kb_doc_upload, AUTH_API_KEY,
	  ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/knowledge-bases/:id/documents/:doc", api_kb_doc_get, AUTH_API_KEY,
	  ROUTE_QUICK },
	{ HTTP_DELETE, "/api/v1/knowledge-bases/:id/documents/:doc", api_kb_doc_delete,
	  AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/knowledge-bases/:id/documents/:doc/content", api_kb_doc_content,
	  AUTH_API_KEY, ROUTE_SCANS },
	{ HTTP_GET, "/api/v1/knowledge-bases/:id/documents/:doc/text", api_kb_doc_text,
	  AUTH_API_KEY, ROUTE_SCANS },
	{ HTTP_GET, "/api/v1/phone-numbers", api_numbers_list, AUTH_API_KEY, ROUTE_SCANS },
	{ HTTP_POST, "/api/v1/phone-numbers", api_numbers_write, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/phone-numbers/:id", api_numbers_get, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_PUT, "/api/v1/phone-numbers/:id", api_numbers_write, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_PATCH, "/api/v1/phone-numbers/:id", api_numbers_write, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_DELETE, "/api/v1/phone-numbers/:id", api_numbers_write, AUTH_API_KEY, ROUTE_QUICK },
	/* what an agency's refused inbound calls are told (parent orgs) */
	{ HTTP_GET, "/api/v1/inbound-settings", api_inbound_settings_get, AUTH_API_KEY,
	  ROUTE_QUICK },
	{ HTTP_PUT, "/api/v1/inbound-settings", api_inbound_settings_put, AUTH_API_KEY,
	  ROUTE_QUICK },

	/* whitelabel (parent orgs only) */
	{ HTTP_GET, "/api/v1/whitelabel", api_whitelabel_get, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_PUT, "/api/v1/whitelabel", api_whitelabel_put, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/whitelabel/margin", api_whitelabel_margin, AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_POST, "/api/v1/whitelabel/domain", api_whitelabel_domain_set, AUTH_API_KEY,
	  ROUTE_QUICK },
	{ HTTP_DELETE, "/api/v1/whitelabel/domain", api_whitelabel_domain_delete, AUTH_API_KEY,
	  ROUTE_QUICK },
	{ HTTP_POST, "/api/v1/whitelabel/domain/refresh", api_whitelabel_domain_refresh,
	  AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/whitelabel/users", api_whitelabel_users, AUTH_API_KEY, ROUTE_SCANS },
	{ HTTP_POST, "/api/v1/whitelabel/users/:id/allocations", api_whitelabel_allocate,
	  AUTH_API_KEY, ROUTE_QUICK },
	{ HTTP_GET, "/api/v1/whitelabel/purchases", api_whitelabel_purchases, AUTH_API_KEY,
	  ROUTE_SCANS },
	{ HTTP_GET, "/api/v1/whitelabel/stripe-events", api_whitelabel_stripe_events, AUTH_API_KEY,
	  ROUTE_SCANS },

	/* Stripe's webhook deliveries: signed with the agency's whsec_ secret */
	{ HTTP_POST, "/api/webhooks/stripe/:slug", api_stripe_webhook, AUTH_NONE, ROUTE_QUICK },
	/* the operator's own Stripe account: signed with WLPORTAL_PLATFORM_STRIPE_WEBHOOK_SECRET */
	{ HTTP_POST, "/api/webhooks/stripe", api_platform_stripe_webhook, AUTH_NONE, ROUTE_QUICK },

	/* HTML: static files, log in, the agency dashboard (session cookie);
	 * AUTH_LOGIN and AUTH_SESSION only on the platform's own host */
	{ HTTP_GET, "/", web_root, AUTH_PAGE, ROUTE_QUICK },
	{ HTTP_GET, "/static/:file", web_static, AUTH_PAGE, ROUTE_QUICK },
	{ HTTP_GET, "/login", web_login_form, AUTH_LOGIN, ROUTE_QUICK },
	{ HTTP_POST, "/login", web_login, AUTH_LOGIN, ROUTE_QUICK },
	{ HTTP_POST, "/logout", web_logout, AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_GET, "/dashboard", web_dashboard, AUTH_SESSION, ROUTE_SCANS },
	{ HTTP_GET, "/dashboard/users", web_users, AUTH_SESSION, ROUTE_SCANS },
	{ HTTP_POST, "/dashboard/users/:id/allocate", web_allocate, AUTH_SESSION, ROUTE_SCANS },
	{ HTTP_GET, "/dashboard/purchases", web_purchases, AUTH_SESSION, ROUTE_SCANS },
	{ HTTP_GET, "/dashboard/stripe-events", web_stripe_events, AUTH_SESSION, ROUTE_SCANS },
	{ HTTP_GET, "/dashboard/audit", web_audit, AUTH_SESSION, ROUTE_SCANS },
	{ HTTP_GET, "/dashboard/api-keys", web_keys, AUTH_SESSION, ROUTE_SCANS },
	{ HTTP_POST, "/dashboard/api-keys", web_key_create, AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/api-keys/:id/revoke", web_key_revoke, AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/clients/:id/limits", web_limits_save, AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_GET, "/dashboard/whitelabel", web_settings, AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/whitelabel/domain/add", web_domain_add, AUTH_SESSION,
	  ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/whitelabel/domain/refresh", web_domain_refresh, AUTH_SESSION,
	  ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/whitelabel/domain/remove", web_domain_remove, AUTH_SESSION,
	  ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/whitelabel/:step", web_settings_save, AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_GET, "/dashboard/billing", web_billing, AUTH_SESSION, ROUTE_SCANS },
	{ HTTP_POST, "/dashboard/billing/info", web_billing_info, AUTH_SESSION, ROUTE_SCANS },
	{ HTTP_POST, "/dashboard/billing/checkout", web_billing_checkout, AUTH_SESSION,
	  ROUTE_SCANS },
	{ HTTP_GET, "/dashboard/billing/return", web_billing_return, AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_GET, "/dashboard/billing/invoices/:id", web_billing_invoice, AUTH_SESSION,
	  ROUTE_SCANS },
	{ HTTP_POST, "/dashboard/billing/keys/:provider", web_billing_key_set, AUTH_SESSION,
	  ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/billing/keys/:provider/remove", web_billing_key_remove,
	  AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_GET, "/dashboard/agents", web_agents, AUTH_SESSION, ROUTE_SCANS },
	{ HTTP_POST, "/dashboard/agents", web_agent_create, AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_GET, "/dashboard/agents/new", web_agent_new, AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_GET, "/dashboard/agents/:id", web_agent_edit, AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/agents/:id", web_agent_update, AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/agents/:id/delete", web_agent_delete, AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_GET, "/dashboard/webhooks", web_webhooks, AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/webhooks", web_webhook_create, AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/webhooks/alerts", web_webhook_alerts, AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_GET, "/dashboard/webhooks/:id", web_webhook_log, AUTH_SESSION, ROUTE_SCANS },
	{ HTTP_POST, "/dashboard/webhooks/:id/rotate", web_webhook_rotate, AUTH_SESSION,
	  ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/webhooks/:id/delete", web_webhook_delete, AUTH_SESSION,
	  ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/webhook-deliveries/:id/resend", web_webhook_resend, AUTH_SESSION,
	  ROUTE_QUICK },
	{ HTTP_GET, "/dashboard/numbers", web_numbers, AUTH_SESSION, ROUTE_SCANS },
	{ HTTP_POST, "/dashboard/numbers", web_number_create, AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/numbers/:id", web_number_update, AUTH_SESSION, ROUTE_QUICK },
	{ HTTP_POST, "/dashboard/numbers/:id/delete", web_number_delete, AUTH_SESSION,
	  ROUTE_QUICK },

	/* the branded portal (also reached by Host {slug}.portal.{base}):
	 * AUTH_PORTAL_PUBLIC pages check their forms' own CSRF token,
	 * AUTH_PORTAL ones need the client's portal session */
	{ HTTP_GET, "/p/:slug", web_portal_redirect, AUTH_PAGE, ROUTE_QUICK },
	{ HTTP_GET, "/p/:slug/", web_portal, AUTH_PORTAL_PUBLIC, ROUTE_QUICK },
	{ HTTP_GET, "/p/:slug/signup", web_portal_signup_form, AUTH_PORTAL_PUBLIC, ROUTE_QUICK },
	{ HTTP_POST, "/p/:slug/signup", web_portal_signup, AUTH_PORTAL_PUBLIC, ROUTE_QUICK },
	{ HTTP_GET, "/p/:slug/login", web_portal_login_form, AUTH_PORTAL_PUBLIC, ROUTE_QUICK },
	{ HTTP_POST, "/p/:slug/login", web_portal_login, AUTH_PORTAL_PUBLIC, ROUTE_QUICK },
	{ HTTP_GET, "/p/:slug/verify", web_portal_verify_form, AUTH_PORTAL_PUBLIC, ROUTE_QUICK },
	{ HTTP_POST, "/p/:slug/verify", web_portal_verify, AUTH_PORTAL_PUBLIC, ROUTE_QUICK },
	{ HTTP_GET, "/p/:slug/forgot", web_portal_forgot_form, AUTH_PORTAL_PUBLIC, ROUTE_QUICK },
	{ HTTP_POST, "/p/:slug/forgot", web_portal_forgot, AUTH_PORTAL_PUBLIC, ROUTE_QUICK },
	{ HTTP_GET, "/p/:slug/reset", web_portal_reset_form, AUTH_PORTAL_PUBLIC, ROUTE_QUICK },
	{ HTTP_POST, "/p/:slug/reset", web_portal_reset, AUTH_PORTAL_PUBLIC, ROUTE_QUICK },
	{ HTTP_POST, "/p/:slug/logout", web_portal_logout, AUTH_PORTAL, ROUTE_QUICK },
	{ HTTP_GET, "/p/:slug/dashboard", web_portal_home, AUTH_PORTAL, ROUTE_SCANS },
	{ HTTP_GET, "/p/:slug/account", web_portal_account, AUTH_PORTAL, ROUTE_QUICK },
	{ HTTP_POST, "/p/:slug/account/password", web_portal_password, AUTH_PORTAL, ROUTE_QUICK },
	{ HTTP_POST, "/p/:slug/keys", web_portal_key_create, AUTH_PORTAL, ROUTE_QUICK },
	{ HTTP_POST, "/p/:slug/keys/:id/revoke", web_portal_key_revoke, AUTH_PORTAL, ROUTE_QUICK },
	{ HTTP_POST, "/p/:slug/buy", web_portal_buy, AUTH_PORTAL, ROUTE_SCANS },
	{ HTTP_GET, "/p/:slug/success", web_portal_success, AUTH_PORTAL, ROUTE_QUICK },

	/* voice engine API: Bearer WLPORTAL_ENGINE_TOKEN */
	{ HTTP_POST, "/engine/v1/calls/inbound", api_engine_inbound, AUTH_ENGINE, ROUTE_QUICK },
	{ HTTP_POST, "/engine/v1/calls/:id/events", api_engine_event, AUTH_ENGINE, ROUTE_QUICK },
	/* synchronous: answered with the org's webhook's answer (5 s / 10 s) */
	{ HTTP_POST, "/engine/v1/assistant-request", api_engine_assistant_request, AUTH_ENGINE,
	  ROUTE_QUICK },
	{ HTTP_POST, "/engine/v1/calls/:id/tool-calls", api_engine_tool_calls, AUTH_ENGINE,
	  ROUTE_QUICK },
};

const size_t wl_nroutes = sizeof(wl_routes) / sizeof(wl_routes[0]);

/* POST routes above whose body is an upload (up to app->upload_body_max). */
const char *const wl_upload_paths[] = {
	"/api/v1/knowledge-bases/:id/documents",
	NULL,
};
