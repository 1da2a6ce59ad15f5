/*
 * cli.c — parses the command line and runs one command. The commands share
 * one start-up (configuration, store, migrations, writer) and one shut-down.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "flags.h"
#include "simulate.h"
#include "core/fx.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "http/http.h"
#include "log.h"
#include "services/accounts.h"
#include "services/app.h"
#include "services/audit.h"
#include "services/domains.h"
#include "services/ids.h"
#include "services/masterkey.h"
#include "services/mail_outbox.h"
#include "services/webhook_caller.h"
#include "services/webhook_sender.h"
#include "services/reaper.h"
#include "services/secrets.h"
#include "web/web.h"

static const char *const top_usage =
	"usage: wlportal COMMAND [FLAGS]\n"
	"\n"
	"commands:\n"
	"  serve      [--listen HOST:PORT] [--db URL] [--threads N] [--demo]\n"
	"  migrate    [--db URL]\n"
	"  admin create-org --name NAME --email EMAIL --password PW [--parent ORG_ID] [--minutes N] [--db URL]\n"
	"  admin grant-minutes --org ORG_ID --minutes N [--reference REF] [--db URL]\n"
	"  admin seed-usage --org ORG_ID --calls N --days D [--grant] [--db URL]\n"
	"  audit      [--db URL]\n"
	"  simulate   --calls N --concurrency C [--org ORG_ID] [--url URL --engine-token T] [--db URL]\n"
	"\n"
	"Each command takes --help. The database URL is sqlite:PATH (default\n"
	"sqlite:data/wlportal.db, or WLPORTAL_DB) or postgres://user:pw@host:port/db.\n";

void
cli_take_db(struct wl_config *cfg, const struct cli_spec *spec)
{
	const char *db = cli_get(spec, "db");

	if (db != NULL)
		snprintf(cfg->db, sizeof(cfg->db), "%s", db);
}

int
cli_exit_for(const struct wl_error *err)
{
	fprintf(stderr, "wlportal: %s\n", err->message);
	return 1;
}

/* ---- commands --------------------------------------------------------------- */

static int
cmd_serve(int argc, char **argv)
{
	struct cli_spec spec = {
		"usage: wlportal serve [--listen HOST:PORT] [--db URL] [--threads N] [--demo]\n"
		"  Serves the API, the engine API and the pages. --demo creates (once) a demo\n"
		"  agency and client and prints their logins and fresh API keys.\n",
		{ { "listen", true, NULL },
		  { "db", true, NULL },
		  { "threads", true, NULL },
		  { "demo", false, NULL } },
	};
	struct wl_config cfg;
	struct wl_app app;
	struct wl_error err;
	struct http_server *srv;
	struct metrics_server *metrics = NULL;
	struct domains_rechecker *rechecker;
	struct reaper *reaper;
	struct mail_sender *mail_sender;
	struct webhook_sender *webhook_sender;
	long long threads = 0;
	sigset_t sigs;
	int rc, sig;
	bool random_token;

	if ((rc = cli_parse(&spec, argc, argv)) != 0)
		return rc < 0 ? 0 : rc;
	if (cli_number(&spec, "threads", 1, 64, &threads) != 0)
		return 2;
	config_load(&cfg);
	if (config_check_serve(&cfg) != 0)
		return 2;
	cli_take_db(&cfg, &spec);
	if ((rc = config_check(&cfg)) != 0)
		return rc;
	if (cli_get(&spec, "listen") != NULL)
		snprintf(cfg.listen, sizeof(cfg.listen), "%s", cli_get(&spec, "listen"));
	if (threads == 0)
		threads = sysconf(_SC_NPROCESSORS_ONLN) > 0 ? sysconf(_SC_NPROCESSORS_ONLN) : 2;

	/* Signals are taken by sigwait below; every thread inherits the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	random_token = cfg.engine_token[0] == '\0';
	if (random_token)
		ids_random_token(cfg.engine_token, 24);
	if ((rc = app_open(&app, &cfg, true)) != 0)
		return rc;
	wl_error_clear(&err);
	if (masterkey_open(&app, cfg.master_key_file, &err) != WL_OK) {
		fprintf(stderr, "wlportal: %s\n", err.message);
		app_close(&app);
		return 1;
	}
	app.max_connections = cfg.max_connections;
	app.max_per_ip = cfg.max_per_ip;
	app.header_timeout_s = cfg.header_timeout_s;
	app.api_rate = (struct wl_rate){ cfg.api_rate, cfg.api_burst };
	app.api_addr_rate = (struct wl_rate){ cfg.api_addr_rate, cfg.api_addr_burst };
	snprintf(app.web_dir, sizeof(app.web_dir), "%s", cfg.web_dir);
	app.workers = workers_start((int)threads * 2, &err);
	if (app.workers != NULL)
		app.caller = webhook_caller_start(app.webhook_sync_max, &err);
	if (app.workers == NULL || app.caller == NULL) {
		fprintf(stderr, "wlportal: %s\n", err.message);
		app_close(&app);
		return 1;
	}
	if (cli_get(&spec, "demo") != NULL) {
		struct accounts_demo demo;

		if (accounts_ensure_demo(&app, &demo, &err) != WL_OK) {
			fprintf(stderr, "wlportal: demo set-up failed: %s\n", err.message);
			app_close(&app);
			return 1;
		}
		printf("demo agency   %s  login %s / %s\n", demo.agency_id, DEMO_AGENCY_EMAIL,
		       DEMO_AGENCY_PASSWORD);
		printf("              API key %s\n", demo.agency_key);
		printf("demo client   %s  login %s / %s\n", demo.client_id, DEMO_CLIENT_EMAIL,
		       DEMO_CLIENT_PASSWORD);
		printf("              API key %s\n", demo.client_key);
		printf("              (%s; the demo's API keys are renewed at every --demo start)\n",
		       demo.created ? "created now" : "made earlier");
	}
	rechecker = domains_recheck_start(&app, &err);
	if (rechecker == NULL) {
		fprintf(stderr, "wlportal: %s\n", err.message);
		app_close(&app);
		return 1;
	}
	/* The pages are loaded before the server accepts a request and freed
	 * only once it has stopped (they are read by every server thread). */
	srv = web_init(app.web_dir, &err) == WL_OK
		      ? http_start(&app, cfg.listen, (int)threads, web_error_page, &err)
		      : NULL;
	if (srv == NULL) {
		fprintf(stderr, "wlportal: %s\n", err.message);
		web_free();
		domains_recheck_stop(rechecker);
		app_close(&app);
		return err.code == WL_EINVALID ? 2 : 1;
	}
	app.public_port = http_port(srv);
	if (cfg.metrics_listen[0] != '\0') {
		metrics = metrics_http_start(&app, cfg.metrics_listen, &err);
		if (metrics == NULL && !cfg.metrics_default) {
			fprintf(stderr, "wlportal: WLPORTAL_METRICS_LISTEN: %s\n", err.message);
			http_quiesce(srv);
			if (http_stop(srv))
				web_free();
			domains_recheck_stop(rechecker);
			app_close(&app);
			return 2;
		}
		if (metrics == NULL)
			wl_log("%s; serving without /metrics (set WLPORTAL_METRICS_LISTEN)",
			       err.message);
	}
	reaper = reaper_start(&app, cfg.call_stale_after_s * 1000, &err);
	if (reaper == NULL) {
		fprintf(stderr, "wlportal: %s\n", err.message);
		http_quiesce(srv);
		if (http_stop(srv))
			web_free();
		metrics_http_stop(metrics);
		app_close(&app);
		return 1;
	}
	mail_sender = mail_sender_start(&app, &err);
	if (mail_sender == NULL) {
		fprintf(stderr, "wlportal: %s\n", err.message);
		http_quiesce(srv);
		if (http_stop(srv))
			web_free();
		metrics_http_stop(metrics);
		reaper_stop(reaper);
		app_close(&app);
		return 1;
	}
	webhook_sender = webhook_sender_start(&app, &err);
	if (webhook_sender == NULL) {
		fprintf(stderr, "wlportal: %s\n", err.message);
		http_quiesce(srv);
		if (http_stop(srv))
			web_free();
		reaper_stop(reaper);
		mail_sender_stop(mail_sender);
		app_close(&app);
		return 1;
	}
	printf("wlportal serving on http://%s (port %u), database %s, %lld threads\n", cfg.listen,
	       http_port(srv), strncmp(cfg.db, "sqlite:", 7) == 0 ? cfg.db : "postgres", threads);
	printf("  dashboard     http://%s/login\n", cfg.listen);
	printf("  portals       http://{slug}.portal.%s:%u/  (or http://%s/p/{slug}/)\n",
	       cfg.base_domain, http_port(srv), cfg.listen);
	printf("  platform API  http://%s/api/v1/account  (reference: http://%s/docs)\n",
	       cfg.listen, cfg.listen);
	if (metrics != NULL)
		printf("  metrics       http://%.*s:%u/metrics\n",
		       (int)strcspn(cfg.metrics_listen, ":"), cfg.metrics_listen,
		       metrics_http_port(metrics));
	else
		printf("  metrics       off%s\n", cfg.metrics_listen[0]
							  ? " (its port is busy)"
							  : " (WLPORTAL_METRICS_LISTEN is empty)");
	printf("  engine API    http://%s/engine/v1/  (Bearer token %s)\n", cfg.listen,
	       random_token ? cfg.engine_token : "from WLPORTAL_ENGINE_TOKEN");
	{
		char rates[200];

		wl_fx_describe(&app.fx, rates, sizeof(rates));
		printf("  fx rates      %s  (%s)\n", rates,
		       cfg.fx_rates[0] ? "WLPORTAL_FX_RATES over the defaults"
				       : "defaults; set WLPORTAL_FX_RATES");
	}
	printf("  custom domains: unverified claims live %llds, verified ones re-checked every %llds\n",
	       cfg.domain_claim_ttl_s, cfg.domain_recheck_s);
	printf("  calls without an event for %llds are settled as stale\n", cfg.call_stale_after_s);
	if (app.smtp_url[0] != '\0')
		printf("  mail          by SMTP from %s\n", app.mail_from);
	else
		printf("  mail          off (set WLPORTAL_SMTP_URL); portal mails are not sent\n");
	fflush(stdout);

	do {
		if (sigwait(&sigs, &sig) != 0)
			break;
	} while (sig != SIGINT && sig != SIGTERM);
	fprintf(stderr, "wlportal: stopping\n");
	domains_recheck_stop(rechecker);
	/* No new requests; the ones in flight finish their writes and are
	 * answered; only then do the server, the workers and the writer stop. */
	http_quiesce(srv);
	if (http_stop(srv))
		web_free();
	metrics_http_stop(metrics);
	wl_log_access_flush(1000);
	reaper_stop(reaper);
	mail_sender_stop(mail_sender);
	webhook_sender_stop(webhook_sender);
	webhook_caller_stop(app.caller);
	app.caller = NULL;
	workers_stop(app.workers);
	app.workers = NULL;
	{
		struct writer_stats ws;

		writer_get_stats(app.writer, &ws);
		fprintf(stderr,
			"wlportal: %llu writes committed in %llu transactions (largest %llu, "
			"%llu run again with savepoints, %llu round trips)\n",
			(unsigned long long)ws.jobs, (unsigned long long)ws.batches,
			(unsigned long long)ws.max_batch, (unsigned long long)ws.careful,
			(unsigned long long)ws.round_trips);
	}
	writer_stop(app.writer);
	app.writer = NULL;
	app_close(&app);
	return 0;
}

static int
cmd_migrate(int argc, char **argv)
{
	struct cli_spec spec = {
		"usage: wlportal migrate [--db URL]\n"
		"  Creates or updates the database schema. Safe to run again.\n",
		{ { "db", true, NULL } },
	};
	struct wl_config cfg;
	struct wl_app app;
	int rc;

	if ((rc = cli_parse(&spec, argc, argv)) != 0)
		return rc < 0 ? 0 : rc;
	config_load(&cfg);
	cli_take_db(&cfg, &spec);
	if ((rc = app_open(&app, &cfg, false)) != 0)
		return rc;
	app_close(&app);
	printf("schema up to date\n");
	return 0;
}


static int
cmd_audit(int argc, char **argv)
{
	struct cli_spec spec = {
		"usage: wlportal audit [--db URL]\n"
		"  Checks that every balance equals the sum of its ledger entries, that\n"
		"  every ended call has its usage row, and that no call is open without an\n"
		"  event for longer than WLPORTAL_CALL_STALE_AFTER seconds, and that the daily\n"
		"  usage totals equal the usage rows. Exit 0 when all hold; exit 1 naming every\n"
		"  mismatch, unsettled call, stale call and differing day's totals.\n",
		{ { "db", true, NULL } },
	};
	struct audit_result res;
	struct wl_config cfg;
	struct wl_app app;
	struct wl_error err;
	int rc;

	if ((rc = cli_parse(&spec, argc, argv)) != 0)
		return rc < 0 ? 0 : rc;
	config_load(&cfg);
	cli_take_db(&cfg, &spec);
	if ((rc = config_check(&cfg)) != 0)
		return rc;
	if ((rc = app_open(&app, &cfg, false)) != 0)
		return rc;
	wl_error_clear(&err);
	memset(&res, 0, sizeof(res));
	rc = audit_run(app.store, stdout, &res, &err);
	if (rc == WL_OK)
		rc = audit_calls(app.store, cfg.call_stale_after_s * 1000, stdout, &res, &err);
	if (rc == WL_OK)
		rc = audit_usage_days(app.store, stdout, &res, &err);
	if (rc == WL_OK)
		rc = audit_references(app.store, stdout, &res, &err);
	app_close(&app);
	if (rc != WL_OK)
		return cli_exit_for(&err);
	if (res.mismatches > 0)
		printf("audit FAILED: %" PRId64 " of %" PRId64
		       " organizations do not match their ledger\n",
		       res.mismatches, res.orgs);
	if (res.unsettled > 0 || res.stale > 0)
		printf("audit FAILED: of %" PRId64 " calls, %" PRId64
		       " ended without a usage row and %" PRId64
		       " open past %llds without an event\n",
		       res.calls, res.unsettled, res.stale, cfg.call_stale_after_s);
	if (res.day_mismatches > 0)
		printf("audit FAILED: %" PRId64 " daily usage totals differ from the usage rows\n",
		       res.day_mismatches);
	if (res.repeated_refs > 0)
		printf("audit FAILED: %" PRId64 " references of call debits were written more than "
		       "once\n",
		       res.repeated_refs);
	if (res.mismatches > 0 || res.unsettled > 0 || res.stale > 0 || res.day_mismatches > 0 ||
	    res.repeated_refs > 0)
		return 1;
	printf("audit ok: %" PRId64 " organizations, %" PRId64
	       " ledger entries, every balance equals the sum of its entries, no reference twice; "
	       "%" PRId64
	       " calls, every ended call has its usage row; the daily usage totals equal the rows\n",
	       res.orgs, res.entries, res.calls);
	return 0;
}

int
cli_main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (cmd == NULL || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0) {
		printf("%s", top_usage);
		return cmd == NULL ? 2 : 0;
	}
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(argc - 2, argv + 2);
	if (strcmp(cmd, "migrate") == 0)
		return cmd_migrate(argc - 2, argv + 2);
	if (strcmp(cmd, "admin") == 0)
		return cli_admin(argc - 2, argv + 2);
	if (strcmp(cmd, "audit") == 0)
		return cmd_audit(argc - 2, argv + 2);
	if (strcmp(cmd, "simulate") == 0)
		return simulate_main(argc - 2, argv + 2);
	fprintf(stderr, "wlportal: unknown command '%s'\n%s", cmd, top_usage);
	return 2;
}
