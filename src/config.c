/*
 * config.c — reads WLPORTAL_* variables into struct wl_config, and checks
 * what only `serve` needs before it starts (config_check_serve).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where meson put the source tree's web/ (see meson.build). */
#ifndef WL_SOURCE_WEB_DIR
#define WL_SOURCE_WEB_DIR "web"
#endif

#include "core/validate.h"
#include "core/vat.h"
#include "services/reaper.h"
/* A number of seconds from 1 to ten years; the default (with a warning)
 * for anything else. */
static long long
env_seconds(const char *name, long long dflt)
{
	const char *v = getenv(name);
	char *end;
	long long n;

	if (v == NULL || v[0] == '\0')
		return dflt;
	n = strtoll(v, &end, 10);
	if (*end != '\0' || n < 1 || n > 315360000LL) {
		fprintf(stderr,
			"wlportal: %s must be whole seconds from 1 to 315360000; using %lld\n",
			name, dflt);
		return dflt;
	}
	return n;
}

/* A whole number from lo to hi; dflt when unset, -1 when unusable. */
static long long
env_range(const char *name, long long dflt, long long lo, long long hi)
{
	const char *v = getenv(name);
	char *end;
	long long n;

	if (v == NULL || v[0] == '\0')
		return dflt;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*end != '\0' || errno != 0 || n < lo || n > hi)
		return -1;
	return n;
}

static void
env_or(char *dst, size_t n, const char *name, const char *dflt)
{
	const char *v = getenv(name);

	snprintf(dst, n, "%s", v != NULL && v[0] != '\0' ? v : dflt);
}

/* Bytes from 1 to max; dflt when unset, -1 when not such a number. */
static long long
env_bytes(const char *name, long long dflt, long long max)
{
	const char *v = getenv(name);
	char *end;
	long long n;

	if (v == NULL || v[0] == '\0')
		return dflt;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*end != '\0' || errno != 0 || n < 1 || n > max)
		return -1;
	return n;
}

void
config_load(struct wl_config *cfg)
{
	const char *v;

	memset(cfg, 0, sizeof(*cfg));
	env_or(cfg->listen, sizeof(cfg->listen), "WLPORTAL_LISTEN", "127.0.0.1:8080");
	env_or(cfg->db, sizeof(cfg->db), "WLPORTAL_DB", "sqlite:data/wlportal.db");
	env_or(cfg->base_domain, sizeof(cfg->base_domain), "WLPORTAL_BASE_DOMAIN", "localhost");
	env_or(cfg->master_key_file, sizeof(cfg->master_key_file), "WLPORTAL_MASTER_KEY_FILE",
	       "data/master.key");
	env_or(cfg->stripe_api, sizeof(cfg->stripe_api), "WLPORTAL_STRIPE_API",
	       "https://api.stripe.com");
	env_or(cfg->engine_token, sizeof(cfg->engine_token), "WLPORTAL_ENGINE_TOKEN", "");
	env_or(cfg->smtp_url, sizeof(cfg->smtp_url), "WLPORTAL_SMTP_URL", "");
	env_or(cfg->platform_stripe_key, sizeof(cfg->platform_stripe_key),
	       "WLPORTAL_PLATFORM_STRIPE_SECRET_KEY", "");
	env_or(cfg->platform_webhook_secret, sizeof(cfg->platform_webhook_secret),
	       "WLPORTAL_PLATFORM_STRIPE_WEBHOOK_SECRET", "");
	env_or(cfg->seller_name, sizeof(cfg->seller_name), "WLPORTAL_SELLER_NAME", "wlportal");
	env_or(cfg->seller_address, sizeof(cfg->seller_address), "WLPORTAL_SELLER_ADDRESS", "");
	env_or(cfg->seller_country, sizeof(cfg->seller_country), "WLPORTAL_SELLER_COUNTRY", "NL");
	env_or(cfg->seller_vat_id, sizeof(cfg->seller_vat_id), "WLPORTAL_SELLER_VAT_ID", "");
	env_or(cfg->vies_url, sizeof(cfg->vies_url), "WLPORTAL_VIES_URL", "");
	v = getenv("WLPORTAL_METRICS_LISTEN"); /* set but empty: no /metrics */
	cfg->metrics_default = v == NULL;
	snprintf(cfg->metrics_listen, sizeof(cfg->metrics_listen), "%s",
		 v != NULL ? v : WL_DEFAULT_METRICS_LISTEN);
	v = getenv("WLPORTAL_MAIL_FROM");
	if (v != NULL && v[0] != '\0')
		snprintf(cfg->mail_from, sizeof(cfg->mail_from), "%s", v);
	else
		snprintf(cfg->mail_from, sizeof(cfg->mail_from), "no-reply@portal.%.200s",
			 cfg->base_domain);
	cfg->mail_retry_s = env_seconds("WLPORTAL_MAIL_RETRY_SECONDS", 30);
	env_or(cfg->dns_server, sizeof(cfg->dns_server), "WLPORTAL_DNS_SERVER", "");
	env_or(cfg->fx_rates, sizeof(cfg->fx_rates), "WLPORTAL_FX_RATES", "");
	v = getenv("WLPORTAL_CNAME_TARGET");
	if (v != NULL && v[0] != '\0')
		snprintf(cfg->cname_target, sizeof(cfg->cname_target), "%s", v);
	else
		snprintf(cfg->cname_target, sizeof(cfg->cname_target), "cname.%s",
			 cfg->base_domain);
	cfg->domain_claim_ttl_s = env_seconds("WLPORTAL_DOMAIN_CLAIM_TTL_SECONDS", 604800);
	cfg->domain_recheck_s = env_seconds("WLPORTAL_DOMAIN_RECHECK_SECONDS", 86400);
	v = getenv("WLPORTAL_TRUST_PROXY");
	cfg->trust_proxy = v != NULL && strcmp(v, "1") == 0;
	v = getenv("WLPORTAL_WEBHOOK_ALLOW_PRIVATE");
	cfg->webhook_allow_private = v != NULL && strcmp(v, "1") == 0;
	cfg->webhook_retry_ms = 2000;
	v = getenv("WLPORTAL_WEBHOOK_RETRY_BASE_MS");
	if (v != NULL && v[0] != '\0') {
		char *end;

		errno = 0;
		cfg->webhook_retry_ms = strtoll(v, &end, 10);
		if (*end != '\0' || errno != 0 || cfg->webhook_retry_ms < 1 ||
		    cfg->webhook_retry_ms > 3600000)
			cfg->webhook_retry_ms = -1;
	}
	cfg->webhook_sync_timeout_ms = env_range("WLPORTAL_WEBHOOK_SYNC_TIMEOUT_MS", 0, 1, 10000);
	cfg->webhook_sync_max = env_range("WLPORTAL_WEBHOOK_SYNC_MAX", 256, 1, 100000);
	cfg->kb_max_file_bytes =
		env_bytes("WLPORTAL_KB_MAX_FILE_BYTES", 10LL * 1024 * 1024, 256LL * 1024 * 1024);
	cfg->kb_quota_bytes =
		env_bytes("WLPORTAL_KB_ORG_QUOTA_BYTES", 100LL * 1024 * 1024, 1LL << 40);
	cfg->call_stale_after_s = REAPER_STALE_DEFAULT_S;
	v = getenv("WLPORTAL_CALL_STALE_AFTER");
	if (v != NULL && v[0] != '\0') {
		char *end;

		errno = 0;
		cfg->call_stale_after_s = strtoll(v, &end, 10);
		if (*end != '\0' || errno != 0 || cfg->call_stale_after_s < 1 ||
		    cfg->call_stale_after_s > REAPER_STALE_MAX_S)
			cfg->call_stale_after_s = -1;
	}
}

int
config_check(const struct wl_config *cfg)
{
	if (cfg->call_stale_after_s < 0) {
		fprintf(stderr,
			"wlportal: WLPORTAL_CALL_STALE_AFTER must be a whole number of seconds "
			"from 1 to %d\n",
			REAPER_STALE_MAX_S);
		return 2;
	}
	if (cfg->webhook_retry_ms < 0) {
		fprintf(stderr, "wlportal: WLPORTAL_WEBHOOK_RETRY_BASE_MS must be a whole number "
				"of milliseconds from 1 to 3600000\n");
		return 2;
	}
	if (cfg->webhook_sync_timeout_ms < 0 || cfg->webhook_sync_max < 0) {
		fprintf(stderr, "wlportal: WLPORTAL_WEBHOOK_SYNC_TIMEOUT_MS must be a whole number "
				"of milliseconds from 1 to 10000, WLPORTAL_WEBHOOK_SYNC_MAX one "
				"from 1 to 100000\n");
		return 2;
	}
	if (cfg->kb_max_file_bytes < 0 || cfg->kb_quota_bytes < 0) {
		fprintf(stderr, "wlportal: WLPORTAL_KB_MAX_FILE_BYTES must be a whole number of "
				"bytes from 1 to 268435456, WLPORTAL_KB_ORG_QUOTA_BYTES one from 1 "
				"to 1099511627776\n");
		return 2;
	}
	if (cfg->smtp_url[0] != '\0' && strncmp(cfg->smtp_url, "smtp://", 7) != 0 &&
	    strncmp(cfg->smtp_url, "smtps://", 8) != 0) {
		fprintf(stderr,
			"wlportal: WLPORTAL_SMTP_URL must start with smtp:// or smtps://\n");
		return 2;
	}
	if (!vat_country_ok(cfg->seller_country)) {
		fprintf(stderr, "wlportal: WLPORTAL_SELLER_COUNTRY must be an ISO 3166-1 "
				"alpha-2 code (NL, DE, …)\n");
		return 2;
	}
	if (cfg->seller_vat_id[0] != '\0') {
		char norm[VAT_ID_MAX + 1];
		struct wl_error err;

		if (vat_id_normalize(cfg->seller_country, cfg->seller_vat_id, norm, &err) !=
		    WL_OK) {
			fprintf(stderr, "wlportal: WLPORTAL_SELLER_VAT_ID: %s\n", err.message);
			return 2;
		}
	}
	if (cfg->vies_url[0] != '\0' && strncmp(cfg->vies_url, "https://", 8) != 0 &&
	    strncmp(cfg->vies_url, "http://", 7) != 0) {
		fprintf(stderr, "wlportal: WLPORTAL_VIES_URL must be an http(s) URL\n");
		return 2;
	}
	if (!wl_valid_email(cfg->mail_from)) {
		fprintf(stderr, "wlportal: WLPORTAL_MAIL_FROM is not an e-mail address\n");
		return 2;
	}
	return 0;
}

int
config_make_parent_dir(const char *path)
{
	char buf[1024];
	char *slash;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", path);
	slash = strrchr(buf, '/');
	if (slash == NULL || slash == buf)
		return 0;
	*slash = '\0';
	for (i = 1; buf[i] != '\0'; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return -1;
		buf[i] = '/';
	}
	if (mkdir(buf, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* A whole number from the environment in [min, max]; dflt when unset. */
static int
env_number(const char *name, unsigned dflt, unsigned min, unsigned max, unsigned *out)
{
	const char *v = getenv(name);
	char *end;
	unsigned long n;

	*out = dflt;
	if (v == NULL || v[0] == '\0')
		return 0;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 || n < min || n > max) {
		fprintf(stderr, "wlportal: %s must be a whole number from %u to %u, got '%s'\n",
			name, min, max, v);
		return 2;
	}
	*out = (unsigned)n;
	return 0;
}

static bool
has_templates(const char *dir)
{
	char path[1200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/templates", dir);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The installed copy beside the binary (PREFIX/bin/wlportal →
 * PREFIX/share/wlportal/web), else the source tree's web/; never the
 * working directory. */
static bool
find_web_dir(char *out, size_t n)
{
	char exe[1024];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (len > 0) {
		exe[len] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			if ((size_t)snprintf(out, n, "%.*s/../share/wlportal/web", (int)(n - 32),
					     exe) < n &&
			    has_templates(out))
				return true;
		}
	}
	snprintf(out, n, "%s", WL_SOURCE_WEB_DIR);
	return has_templates(out);
}

int
config_check_serve(struct wl_config *cfg)
{
	const char *token = getenv("WLPORTAL_ENGINE_TOKEN");
	const char *dir = getenv("WLPORTAL_WEB_DIR");

	if (env_number("WLPORTAL_MAX_CONNECTIONS", WL_DEFAULT_MAX_CONNECTIONS, 16, 1000000,
		       &cfg->max_connections) != 0 ||
	    env_number("WLPORTAL_MAX_CONNECTIONS_PER_IP", WL_DEFAULT_MAX_PER_IP, 1, 1000000,
		       &cfg->max_per_ip) != 0 ||
	    env_number("WLPORTAL_HEADER_TIMEOUT", WL_DEFAULT_HEADER_TIMEOUT, 1, 300,
		       &cfg->header_timeout_s) != 0 ||
	    env_number("WLPORTAL_API_RATE", WL_DEFAULT_API_RATE, 0, 1000000, &cfg->api_rate) != 0 ||
	    env_number("WLPORTAL_API_BURST", WL_DEFAULT_API_BURST, 1, 10000000, &cfg->api_burst) !=
		    0 ||
	    env_number("WLPORTAL_API_ADDR_RATE", WL_DEFAULT_API_ADDR_RATE, 0, 1000000,
		       &cfg->api_addr_rate) != 0 ||
	    env_number("WLPORTAL_API_ADDR_BURST", WL_DEFAULT_API_ADDR_BURST, 1, 10000000,
		       &cfg->api_addr_burst) != 0)
		return 2;
	if (cfg->max_per_ip > cfg->max_connections) {
		fprintf(stderr,
			"wlportal: WLPORTAL_MAX_CONNECTIONS_PER_IP (%u) is above "
			"WLPORTAL_MAX_CONNECTIONS (%u)\n",
			cfg->max_per_ip, cfg->max_connections);
		return 2;
	}
	if (token != NULL && token[0] != '\0' &&
	    (strlen(token) < WL_ENGINE_TOKEN_MIN || strlen(token) >= sizeof(cfg->engine_token))) {
		fprintf(stderr,
			"wlportal: WLPORTAL_ENGINE_TOKEN must be %d to %zu characters long "
			"(got %zu); use a long random value, e.g. openssl rand -hex 32\n",
			WL_ENGINE_TOKEN_MIN, sizeof(cfg->engine_token) - 1, strlen(token));
		return 2;
	}
	if (dir != NULL && dir[0] != '\0') {
		snprintf(cfg->web_dir, sizeof(cfg->web_dir), "%s", dir);
		if (!has_templates(cfg->web_dir)) {
			fprintf(stderr,
				"wlportal: WLPORTAL_WEB_DIR=%s has no templates/ directory\n",
				cfg->web_dir);
			return 2;
		}
	} else if (!find_web_dir(cfg->web_dir, sizeof(cfg->web_dir))) {
		fprintf(stderr,
			"wlportal: cannot find the page templates (looked beside the "
			"binary and in %s); set WLPORTAL_WEB_DIR\n",
			WL_SOURCE_WEB_DIR);
		return 2;
	}
	return 0;
}
