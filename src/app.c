/*
 * app.c — the wiring every command shares: from a configuration to an open
 * application (exchange rates, libsodium, the database file's directory,
 * the store and its migrations, optionally the writer, the settings), and
 * back. What serve adds on top (master key, workers, pages, server,
 * background jobs) stays with the serve command in cli.c.
 */
#include "app.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/money.h"
#include "vat_rates_csv.h"
#include "services/ids.h"
#include "services/webhook_caller.h"

/* Platform billing: the operator's Stripe account and seller, and the EU
 * VAT rates embedded from reference/eu-vat-standard-rates.csv. */
static int
app_billing(struct wl_app *app, const struct wl_config *cfg)
{
	struct wl_error err;

	wl_error_clear(&err);
	snprintf(app->platform_stripe_key, sizeof(app->platform_stripe_key), "%s",
		 cfg->platform_stripe_key);
	snprintf(app->platform_webhook_secret, sizeof(app->platform_webhook_secret), "%s",
		 cfg->platform_webhook_secret);
	snprintf(app->seller_name, sizeof(app->seller_name), "%s", cfg->seller_name);
	snprintf(app->seller_address, sizeof(app->seller_address), "%s", cfg->seller_address);
	snprintf(app->seller_country, sizeof(app->seller_country), "%.2s", cfg->seller_country);
	snprintf(app->vies_url, sizeof(app->vies_url), "%s", cfg->vies_url);
	if (cfg->seller_vat_id[0] != '\0' &&
	    vat_id_normalize(app->seller_country, cfg->seller_vat_id, app->seller_vat_id, &err) !=
		    WL_OK) {
		fprintf(stderr, "wlportal: WLPORTAL_SELLER_VAT_ID: %s\n", err.message);
		return 1;
	}
	if (vat_table_parse(WL_VAT_RATES_CSV, &app->vat, &err) != WL_OK) {
		fprintf(stderr, "wlportal: %s\n", err.message);
		return 1;
	}
	return 0;
}

int
app_open(struct wl_app *app, const struct wl_config *cfg, bool with_writer)
{
	struct wl_error err;
	char fx_msg[300];

	memset(app, 0, sizeof(*app));
	wl_error_clear(&err);
	/* A bad rate would price margins wrongly: refuse before anything opens. */
	if (wl_fx_parse(cfg->fx_rates, &app->fx, fx_msg, sizeof(fx_msg)) != WL_OK) {
		fprintf(stderr, "wlportal: %s\n", fx_msg);
		return 1;
	}
	if (ids_init() != WL_OK) {
		fprintf(stderr, "wlportal: libsodium failed to start\n");
		return 1;
	}
	if (app_billing(app, cfg) != 0)
		return 1;
	if (strncmp(cfg->db, "sqlite:", 7) == 0 && config_make_parent_dir(cfg->db + 7) != 0) {
		fprintf(stderr, "wlportal: cannot create the directory for %s: %s\n", cfg->db + 7,
			strerror(errno));
		return 1;
	}
	app->store = store_open(cfg->db, &err);
	if (app->store == NULL) {
		fprintf(stderr, "wlportal: %s\n", err.message);
		return 1;
	}
	if (store_migrate(app->store, &err) != WL_OK) {
		fprintf(stderr, "wlportal: %s\n", err.message);
		store_close(app->store);
		return 1;
	}
	if (with_writer) {
		store_background_checkpoints(app->store);
		app->writer = writer_start(app->store, &err);
		if (app->writer == NULL) {
			fprintf(stderr, "wlportal: %s\n", err.message);
			store_close(app->store);
			return 1;
		}
	}
	app->price_micro_per_minute = WL_PLATFORM_PRICE_MICRO;
	snprintf(app->engine_token, sizeof(app->engine_token), "%s", cfg->engine_token);
	snprintf(app->base_domain, sizeof(app->base_domain), "%s", cfg->base_domain);
	snprintf(app->listen_host, sizeof(app->listen_host), "%.*s", (int)strcspn(cfg->listen, ":"),
		 cfg->listen);
	snprintf(app->cname_target, sizeof(app->cname_target), "%s", cfg->cname_target);
	snprintf(app->dns_server, sizeof(app->dns_server), "%s", cfg->dns_server);
	snprintf(app->smtp_url, sizeof(app->smtp_url), "%s", cfg->smtp_url);
	snprintf(app->mail_from, sizeof(app->mail_from), "%s", cfg->mail_from);
	snprintf(app->stripe_api, sizeof(app->stripe_api), "%s", cfg->stripe_api);
	app->mail_retry_ms = cfg->mail_retry_s * 1000;
	app->domain_claim_ttl_ms = cfg->domain_claim_ttl_s * 1000;
	app->domain_recheck_ms = cfg->domain_recheck_s * 1000;
	app->trust_proxy = cfg->trust_proxy;
	app->webhook_allow_private = cfg->webhook_allow_private;
	app->webhook_retry_ms = cfg->webhook_retry_ms;
	app->webhook_sync_timeout_ms = cfg->webhook_sync_timeout_ms;
	app->webhook_sync_max = (int)cfg->webhook_sync_max;
	app->kb_max_file_bytes = cfg->kb_max_file_bytes;
	app->kb_quota_bytes = cfg->kb_quota_bytes;
	/* the file, and room for a multipart wrapping around it */
	app->upload_body_max = (size_t)cfg->kb_max_file_bytes + 65536;
	return 0;
}

void
app_close(struct wl_app *app)
{
	webhook_caller_stop(app->caller);
	workers_stop(app->workers);
	writer_stop(app->writer);
	store_close(app->store);
	sodium_memzero(app, sizeof(*app));
}
