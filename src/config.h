/*
 * config.h — settings from the environment (WLPORTAL_*), which command-line
 * flags then override. Defaults as in DESIGN.md.
 */
#ifndef WL_CONFIG_H
#define WL_CONFIG_H

#include <stdbool.h>

struct wl_config {
	char listen[128];
	char db[1024];
	char base_domain[256];
	char master_key_file[1024];
	char stripe_api[512];
	char engine_token[128]; /* "" = make a random one at start */
	char smtp_url[512];     /* WLPORTAL_SMTP_URL, "" = mail is off */
	char mail_from[256];    /* WLPORTAL_MAIL_FROM, default no-reply@portal.{base} */
	long long mail_retry_s; /* WLPORTAL_MAIL_RETRY_SECONDS: first retry after, then doubled */
	char cname_target[272];
	char dns_server[128];
	long long domain_claim_ttl_s; /* WLPORTAL_DOMAIN_CLAIM_TTL_SECONDS */
	long long domain_recheck_s;   /* WLPORTAL_DOMAIN_RECHECK_SECONDS */
	bool webhook_allow_private;   /* WLPORTAL_WEBHOOK_ALLOW_PRIVATE=1 */
	long long webhook_retry_ms;   /* WLPORTAL_WEBHOOK_RETRY_BASE_MS: the first retry's wait */
	long long webhook_sync_timeout_ms; /* WLPORTAL_WEBHOOK_SYNC_TIMEOUT_MS, 0 = per event */
	long long webhook_sync_max;        /* WLPORTAL_WEBHOOK_SYNC_MAX */
	bool trust_proxy;                  /* take the client address from X-Forwarded-For */
	int threads;                       /* HTTP threads; 0 = number of cores */
	char fx_rates[1024];               /* WLPORTAL_FX_RATES as given, "" = defaults */
	/* WLPORTAL_CALL_STALE_AFTER: seconds without an event before a call is
	 * settled as stale; -1 when the variable is not a number in range */
	long long call_stale_after_s;
	/* platform billing (issue 12): the operator's own Stripe account, the
	 * seller on its invoices, the optional VIES-style VAT ID check */
	char platform_stripe_key[256];     /* WLPORTAL_PLATFORM_STRIPE_SECRET_KEY, "" = off */
	char platform_webhook_secret[256]; /* WLPORTAL_PLATFORM_STRIPE_WEBHOOK_SECRET */
	char seller_name[201];             /* WLPORTAL_SELLER_NAME */
	char seller_address[401];          /* WLPORTAL_SELLER_ADDRESS */
	char seller_country[8];            /* WLPORTAL_SELLER_COUNTRY, default NL */
	char seller_vat_id[64];            /* WLPORTAL_SELLER_VAT_ID */
	char vies_url[512];                /* WLPORTAL_VIES_URL, "" = format check only */
	/* WLPORTAL_KB_MAX_FILE_BYTES and WLPORTAL_KB_ORG_QUOTA_BYTES: one
	 * knowledge-base document, and all of an org's; -1 when not a number
	 * in range */
	long long kb_max_file_bytes;
	long long kb_quota_bytes;
	/* serve only: filled by config_check_serve */
	unsigned max_connections;  /* WLPORTAL_MAX_CONNECTIONS */
	unsigned max_per_ip;       /* WLPORTAL_MAX_CONNECTIONS_PER_IP */
	unsigned header_timeout_s; /* WLPORTAL_HEADER_TIMEOUT */
	/* platform API requests a second and burst, per key and per address
	 * (WLPORTAL_API_RATE/_BURST, WLPORTAL_API_ADDR_RATE/_BURST); rate 0 = off */
	unsigned api_rate, api_burst;
	unsigned api_addr_rate, api_addr_burst;
	char web_dir[1024]; /* WLPORTAL_WEB_DIR, or found beside the binary */
	/* WLPORTAL_METRICS_LISTEN: where GET /metrics is served, "" = nowhere;
	 * metrics_default when it was not set (then a busy port only warns) */
	char metrics_listen[128];
	bool metrics_default;
};

#define WL_ENGINE_TOKEN_MIN 32
#define WL_DEFAULT_MAX_CONNECTIONS 10240
#define WL_DEFAULT_MAX_PER_IP 256
#define WL_DEFAULT_HEADER_TIMEOUT 10
#define WL_DEFAULT_API_RATE 100
#define WL_DEFAULT_API_BURST 200
#define WL_DEFAULT_API_ADDR_RATE 200
#define WL_DEFAULT_API_ADDR_BURST 400
#define WL_DEFAULT_METRICS_LISTEN "127.0.0.1:9464"

void config_load(struct wl_config *cfg);
/* 0, or 2 after saying on stderr which setting is unusable. */
int config_check(const struct wl_config *cfg);
/* What only `serve` needs, checked before anything starts: the connection
 * limits and the header timeout (whole numbers in range), an engine token of
 * at least WL_ENGINE_TOKEN_MIN characters when one is set, and the web
 * directory (WLPORTAL_WEB_DIR, else the installed share/wlportal/web beside
 * the binary, else the source tree's web/), which must hold templates/.
 * Prints what is wrong to stderr; 0 or 2. */
int config_check_serve(struct wl_config *cfg);
/* mkdir -p of the directory that holds `path` (for data/…). 0 or -1. */
int config_make_parent_dir(const char *path);

#endif
