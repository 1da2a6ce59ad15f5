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
	char engine_token[128];     /* "" = make a random one at start */
	char cname_target[272];
	char dns_server[128];
	long long domain_claim_ttl_s;    /* WLPORTAL_DOMAIN_CLAIM_TTL_SECONDS */
	long long domain_recheck_s;      /* WLPORTAL_DOMAIN_RECHECK_SECONDS */
	bool webhook_allow_private;
	bool trust_proxy;           /* take the client address from X-Forwarded-For */
	int threads;                /* HTTP threads; 0 = number of cores */
	char fx_rates[1024];        /* WLPORTAL_FX_RATES as given, "" = defaults */
	/* WLPORTAL_CALL_STALE_AFTER: seconds without an event before a call is
	 * settled as stale; -1 when the variable is not a number in range */
	long long call_stale_after_s;
};

void config_load(struct wl_config *cfg);
/* 0, or 2 after saying on stderr which setting is unusable. */
int config_check(const struct wl_config *cfg);
/* mkdir -p of the directory that holds `path` (for data/…). 0 or -1. */
int config_make_parent_dir(const char *path);

#endif
