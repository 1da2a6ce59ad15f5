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

static void
env_or(char *dst, size_t n, const char *name, const char *dflt)
{
	const char *v = getenv(name);

	snprintf(dst, n, "%s", v != NULL && v[0] != '\0' ? v : dflt);
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
	if (cfg->smtp_url[0] != '\0' && strncmp(cfg->smtp_url, "smtp://", 7) != 0 &&
	    strncmp(cfg->smtp_url, "smtps://", 8) != 0) {
		fprintf(stderr,
			"wlportal: WLPORTAL_SMTP_URL must start with smtp:// or smtps://\n");
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
		       &cfg->header_timeout_s) != 0)
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
