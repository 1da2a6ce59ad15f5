/*
 * portal_page.c — what every page of an agency's portal shares: its brand
 * (name in the title, logo, colours, a text colour readable on them chosen
 * by contrast), its links as the browser sees them (req->portal_base), the
 * client's session (e-mail, log-out form) when there is one, the notice
 * that mail is off, and the portal's error page — which names nothing of
 * the platform operator, also when no portal could be found.
 */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

#include "core/color.h"
#include "core/money.h"
#include "core/validate.h"
#include "core/whitelabel.h"
#include "services/mail_outbox.h"

#define DEFAULT_PRIMARY "#3B82F6"
#define DEFAULT_ACCENT "#F59E0B"

void
web_portal_brand(struct tpl_data *d, const struct store_whitelabel *s, const char *base)
{
	const char *primary = wl_valid_color(s->primary_color) ? s->primary_color : DEFAULT_PRIMARY;
	const char *accent = wl_valid_color(s->accent_color) ? s->accent_color : DEFAULT_ACCENT;

	tpl_put(d, "company_name", s->company_name);
	tpl_put(d, "primary", primary);
	tpl_put(d, "accent", accent);
	tpl_put(d, "on_primary", wl_readable_text(primary));
	tpl_put(d, "on_accent", wl_readable_text(accent));
	if (wl_valid_logo_url(s->logo_url))
		tpl_put(d, "logo_url", s->logo_url);
	tpl_put(d, "base", base);
}

void
web_portal_package(struct tpl_data *d, const struct store_whitelabel *s)
{
	const char *cur = s->package_currency[0] ? s->package_currency : "EUR";
	char money[32];

	if (s->package_credits <= 0)
		return;
	tpl_put_bool(d, "has_package", true);
	tpl_putf(d, "credits", "%lld", (long long)s->package_credits);
	wl_format_cents(s->package_price_cents, money);
	tpl_putf(d, "price", "%s%s", wl_currency_symbol(cur), money);
	tpl_put(d, "currency", cur);
	/* per credit, to a tenth of a cent, rounded half-up */
	wl_format_cents((2 * s->package_price_cents + s->package_credits) /
				(2 * s->package_credits),
			money);
	tpl_putf(d, "per_credit", "%s%s", wl_currency_symbol(cur), money);
}

struct tpl_data *
web_portal_data(struct wl_req *req, const char *title)
{
	struct tpl_data *d = tpl_data_new();

	if (d == NULL)
		return NULL;
	if (req->portal != NULL) {
		tpl_putf(d, "title", "%s · %s", title, req->portal->company_name);
		web_portal_brand(d, req->portal, req->portal_base);
	} else {
		tpl_put(d, "title", title);
		tpl_put(d, "primary", DEFAULT_PRIMARY);
		tpl_put(d, "accent", DEFAULT_ACCENT);
		tpl_put(d, "on_primary", wl_readable_text(DEFAULT_PRIMARY));
		tpl_put(d, "on_accent", wl_readable_text(DEFAULT_ACCENT));
	}
	if (req->user_id[0] != '\0') {
		tpl_put_bool(d, "logged_in", true);
		tpl_put(d, "csrf", req->csrf);
	}
	tpl_put_bool(d, "mail_off", !mail_enabled(req->app));
	return d;
}

void
web_portal_error_page(struct wl_req *req, int status, const char *title, const char *message)
{
	struct tpl_data *d = web_portal_data(req, title);

	if (d == NULL) {
		web_render(req, status, "portal_error", NULL);
		return;
	}
	tpl_put(d, "heading", title);
	tpl_put(d, "message", message);
	tpl_putf(d, "status", "%d", status);
	tpl_put_bool(d, "has_portal", req->portal != NULL);
	tpl_put_bool(d, "login_link", status == 401 && req->portal != NULL);
	web_render(req, status, "portal_error", d);
}
