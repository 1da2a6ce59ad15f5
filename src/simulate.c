/*
 * simulate.c — `wlportal simulate`: plays the voice engine against a running
 * wlportal through the engine API. Each simulated call asks to be answered
 * (inbound), then reports ringing, in-progress every 15 seconds of call time
 * and ended, with durations drawn from a long-tailed distribution like real
 * phone traffic (most calls one to three minutes, a few over ten). Call time
 * is simulated: nothing sleeps, so the run measures wlportal, not the clock.
 * It stops by itself after --calls calls.
 */
#include "simulate.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "flags.h"
#include "core/buf.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "store/store.h"

#define TICK_SEC 15

struct sim {
	const char *url;
	const char *token;
	const char *org_id;
	long long calls;
	atomic_llong next;
	atomic_llong answered, rejected, cut_off, failed, events, billed;
};

static size_t
collect(char *data, size_t size, size_t nmemb, void *arg)
{
	wl_buf_append(arg, data, size * nmemb);
	return size * nmemb;
}

/* POSTs body to path; returns the parsed JSON answer or NULL. */
static json_t *
post(struct sim *s, CURL *h, const char *path, const char *body, long *status)
{
	struct curl_slist *hdr = NULL;
	struct wl_buf out;
	char url[512], auth[200];
	json_t *json = NULL;

	wl_buf_init(&out, 1 << 20);
	snprintf(url, sizeof(url), "%s%s", s->url, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", s->token);
	hdr = curl_slist_append(hdr, auth);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	*status = 0;
	if (curl_easy_perform(h) == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
		json = json_loadb(wl_buf_cstr(&out), out.len, 0, NULL);
	}
	curl_slist_free_all(hdr);
	wl_buf_free(&out);
	return json;
}

/* Call length in seconds: log-normal around 90 s, clipped to 5 s .. 1 h. */
static int64_t
draw_duration(void)
{
	double u1 = (randombytes_uniform(1000000) + 1) / 1000001.0;
	double u2 = (randombytes_uniform(1000000) + 1) / 1000001.0;
	double z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
	double d = exp(log(90.0) + 0.8 * z);

	if (d < 5)
		d = 5;
	if (d > 3600)
		d = 3600;
	return (int64_t)d;
}

static bool
send_event(struct sim *s, CURL *h, const char *call_id, const char *status, int64_t elapsed,
	   const char *reason, bool *keep_going, int64_t *billed)
{
	char path[128], body[256];
	json_t *ans;
	long code;

	snprintf(path, sizeof(path), "/engine/v1/calls/%s/events", call_id);
	snprintf(body, sizeof(body),
		 "{\"type\":\"status-update\",\"status\":\"%s\",\"elapsed_sec\":%" PRId64 "%s%s%s}",
		 status, elapsed, reason ? ",\"ended_reason\":\"" : "", reason ? reason : "",
		 reason ? "\"" : "");
	ans = post(s, h, path, body, &code);
	atomic_fetch_add(&s->events, 1);
	if (ans == NULL || code != 200) {
		json_decref(ans);
		return false;
	}
	*keep_going = json_is_true(json_object_get(ans, "continue"));
	*billed = json_integer_value(json_object_get(ans, "billed_seconds"));
	json_decref(ans);
	return true;
}

static void
one_call(struct sim *s, CURL *h)
{
	char body[256];
	const char *action;
	char call_id[WL_ID_LEN];
	int64_t duration = draw_duration(), t = 0, billed = 0;
	bool go = true, cut = false;
	json_t *ans;
	long code;

	snprintf(body, sizeof(body),
		 "{\"org_id\":\"%s\",\"from\":\"+3161%07u\",\"to\":\"+3120%07u\"}", s->org_id,
		 randombytes_uniform(10000000), randombytes_uniform(10000000));
	ans = post(s, h, "/engine/v1/calls/inbound", body, &code);
	if (ans == NULL || code != 200 || !json_is_string(json_object_get(ans, "call_id"))) {
		json_decref(ans);
		atomic_fetch_add(&s->failed, 1);
		return;
	}
	snprintf(call_id, sizeof(call_id), "%s",
		 json_string_value(json_object_get(ans, "call_id")));
	action = json_string_value(json_object_get(ans, "action"));
	if (action == NULL || strcmp(action, "answer") != 0) {
		json_decref(ans);
		atomic_fetch_add(&s->rejected, 1);
		return;
	}
	json_decref(ans);
	atomic_fetch_add(&s->answered, 1);
	if (!send_event(s, h, call_id, "ringing", 0, NULL, &go, &billed) ||
	    !send_event(s, h, call_id, "in-progress", 0, NULL, &go, &billed))
		goto failed;
	while (go && t < duration) {
		t = t + TICK_SEC < duration ? t + TICK_SEC : duration;
		if (!send_event(s, h, call_id, "in-progress", t, NULL, &go, &billed))
			goto failed;
		if (!go && t < duration)
			cut = true;
	}
	if (!send_event(s, h, call_id, "ended", t,
			cut ? "insufficient-credits" : "customer-ended-call", &go, &billed))
		goto failed;
	if (cut)
		atomic_fetch_add(&s->cut_off, 1);
	atomic_fetch_add(&s->billed, billed);
	return;
failed:
	atomic_fetch_add(&s->failed, 1);
}

static void *
player(void *arg)
{
	struct sim *s = arg;
	CURL *h = curl_easy_init();

	if (h == NULL)
		return NULL;
	while (atomic_fetch_add(&s->next, 1) < s->calls)
		one_call(s, h);
	curl_easy_cleanup(h);
	return NULL;
}

/* Without --org: the demo client of the local database. */
static int
demo_org(const struct cli_spec *spec, char out[WL_ID_LEN])
{
	struct wl_config cfg;
	struct wl_error err;
	struct store *st;
	struct store_conn *c;
	struct store_org agency, client;
	int rc = 1;

	config_load(&cfg);
	if (cli_get(spec, "db") != NULL)
		snprintf(cfg.db, sizeof(cfg.db), "%s", cli_get(spec, "db"));
	wl_error_clear(&err);
	st = store_open(cfg.db, &err);
	if (st == NULL || store_migrate(st, &err) != WL_OK ||
	    (c = store_acquire(st, &err)) == NULL) {
		fprintf(stderr, "wlportal: %s\n", err.message);
		store_close(st);
		return 1;
	}
	if (store_org_find_demo(c, &agency, &client, &err) == WL_OK) {
		memcpy(out, client.id, WL_ID_LEN);
		rc = 0;
	} else {
		fprintf(stderr,
			"wlportal: no --org given and no demo client in %s "
			"(start once with 'wlportal serve --demo')\n",
			cfg.db);
	}
	store_release(c);
	store_close(st);
	return rc;
}

int
simulate_main(int argc, char **argv)
{
	struct cli_spec spec = {
		"usage: wlportal simulate --calls N --concurrency C [--org ORG_ID]\n"
		"                         [--url URL] [--engine-token T] [--db URL]\n"
		"  Plays the voice engine: N inbound calls, C at a time, against a running\n"
		"  wlportal (default --url http://127.0.0.1:8080, token WLPORTAL_ENGINE_TOKEN),\n"
		"  then prints what was billed. Without --org it uses the demo client.\n",
		{ { "calls", true, NULL },
		  { "concurrency", true, NULL },
		  { "org", true, NULL },
		  { "url", true, NULL },
		  { "engine-token", true, NULL },
		  { "db", true, NULL } },
	};
	static struct sim s;
	pthread_t threads[256];
	long long calls = 0, conc = 0, i, started = 0;
	char org[WL_ID_LEN], minutes[32], cost[32];
	const char *token;
	int64_t t0, ms;
	int rc;

	if ((rc = cli_parse(&spec, argc, argv)) != 0)
		return rc < 0 ? 0 : rc;
	if (cli_get(&spec, "calls") == NULL || cli_get(&spec, "concurrency") == NULL) {
		fprintf(stderr, "wlportal: --calls and --concurrency are required\n%s", spec.usage);
		return 2;
	}
	if (cli_number(&spec, "calls", 1, 10000000, &calls) != 0 ||
	    cli_number(&spec, "concurrency", 1, 256, &conc) != 0)
		return 2;
	token = cli_get(&spec, "engine-token");
	if (token == NULL)
		token = getenv("WLPORTAL_ENGINE_TOKEN");
	if (token == NULL || token[0] == '\0') {
		fprintf(stderr,
			"wlportal: give --engine-token or set WLPORTAL_ENGINE_TOKEN (serve prints it)\n");
		return 2;
	}
	if (cli_get(&spec, "org") != NULL) {
		if (!wl_valid_uuid(cli_get(&spec, "org"))) {
			fprintf(stderr, "wlportal: --org must be an organization id (a UUID)\n");
			return 2;
		}
		snprintf(org, sizeof(org), "%s", cli_get(&spec, "org"));
	} else if (demo_org(&spec, org) != 0) {
		return 1;
	}
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	s.url = cli_get(&spec, "url") != NULL ? cli_get(&spec, "url") : "http://127.0.0.1:8080";
	s.token = token;
	s.org_id = org;
	s.calls = calls;
	t0 = wl_now_ms();
	for (i = 0; i < conc; i++) {
		if (pthread_create(&threads[i], NULL, player, &s) != 0)
			break;
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	ms = wl_now_ms() - t0;
	curl_global_cleanup();

	wl_format_minutes(s.billed, minutes);
	wl_format_cents(wl_cost_cents(s.billed, WL_PLATFORM_PRICE_MICRO), cost);
	printf("simulated %lld calls (%lld at a time) for org %s in %.2f s\n", calls, started, org,
	       ms / 1000.0);
	printf("  answered %lld, rejected %lld (insufficient credits), cut off %lld, failed %lld\n",
	       (long long)s.answered, (long long)s.rejected, (long long)s.cut_off,
	       (long long)s.failed);
	printf("  billed %lld s = %s minutes = EUR %s at the platform price\n", (long long)s.billed,
	       minutes, cost);
	printf("  %lld engine events, %.0f events/s\n", (long long)s.events,
	       ms > 0 ? (double)s.events * 1000.0 / (double)ms : 0.0);
	return s.failed > 0 ? 1 : 0;
}
