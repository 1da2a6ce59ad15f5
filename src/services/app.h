/*
 * app.h — the long-lived objects every use case needs: the store, the
 * writer, the worker pool, and the settings. Each command of cli.c makes one
 * on its stack (app_open), owns it for the command's life and frees it with
 * app_close; services and handlers only borrow it. Nothing here is global.
 */
#ifndef WL_APP_H
#define WL_APP_H

#include <stdint.h>

#include "core/fx.h"
#include "core/vat.h"
#include "core/token_bucket.h"
#include "services/workers.h"
#include "services/writer.h"
#include "store/store.h"

struct webhook_caller;

struct wl_app {
	struct store *store;
	struct writer *writer;
	struct workers *workers;
	int64_t price_micro_per_minute; /* platform price, EUR micro per minute */
	struct wl_fx fx;                /* WLPORTAL_FX_RATES: package currency per EUR */
	char engine_token[128];
	char base_domain[256];
	char listen_host[64]; /* host part of the listen address */
	char cname_target[272];
	char dns_server[128];
	char stripe_api[512];        /* WLPORTAL_STRIPE_API: Stripe's API base URL */
	int64_t domain_claim_ttl_ms; /* an unverified domain claim lives this long */
	int64_t domain_recheck_ms;   /* verified domains are re-checked this often */
	int public_port;             /* the port portal URLs carry on a localhost base */
	bool trust_proxy;            /* behind our own reverse proxy */
	/* serve: connection limits and the request-head deadline (http/conns.c) */
	unsigned max_connections;
	unsigned max_per_ip;
	unsigned header_timeout_s;
	char smtp_url[512];    /* WLPORTAL_SMTP_URL, "" = mail is off */
	char mail_from[256];   /* WLPORTAL_MAIL_FROM (envelope and From address) */
	int64_t mail_retry_ms; /* the first retry of a mail after this, then doubled */
	char web_dir[1024];    /* templates/ and static/ of the pages */
	/* platform billing (issue 12, services/billing.c): the operator's
	 * Stripe account ("" = not configured), the seller on its invoices
	 * (VAT ID normalized), the VIES-style check, the EU VAT rates */
	char platform_stripe_key[256];
	char platform_webhook_secret[256];
	char seller_name[201];
	char seller_address[401];
	char seller_country[3];
	char seller_vat_id[VAT_ID_MAX + 1];
	char vies_url[512];
	struct vat_table vat;
	bool webhook_allow_private; /* deliveries may go to private and loopback addresses */
	int64_t webhook_retry_ms;   /* the first retry of a delivery after about this */
	/* the platform API's token buckets, per key and per address; per_s 0 = off */
	struct wl_rate api_rate;
	struct wl_rate api_addr_rate;
	/* the engine's synchronous webhook calls (services/engine_hooks.h) */
	struct webhook_caller *caller;   /* serve only; NULL elsewhere */
	int64_t webhook_sync_timeout_ms; /* WLPORTAL_WEBHOOK_SYNC_TIMEOUT_MS: 0 = 5 s / 10 s */
	int webhook_sync_max;            /* WLPORTAL_WEBHOOK_SYNC_MAX: calls waiting at once */
	int64_t kb_max_file_bytes;       /* WLPORTAL_KB_MAX_FILE_BYTES: one document */
	int64_t kb_quota_bytes;          /* WLPORTAL_KB_ORG_QUOTA_BYTES: an org's documents */
	size_t upload_body_max;          /* a document upload's body: the file and its wrapping */
	unsigned char master_key[32];    /* seals stored secrets; wiped at exit */
};

#endif
