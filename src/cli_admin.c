/*
 * cli_admin.c — the `admin` commands: create-org, grant-minutes and
 * seed-usage (the rules live in services/accounts.c and services/seed.c).
 */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "flags.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "services/accounts.h"
#include "services/app.h"
#include "services/ids.h"
#include "services/seed.h"

static int
parse_minutes_flag(const struct cli_spec *spec, int64_t *seconds)
{
	const char *v = cli_get(spec, "minutes");

	*seconds = 0;
	if (v == NULL)
		return 0;
	if (wl_parse_minutes(v, false, seconds) != WL_OK) {
		fprintf(stderr,
			"wlportal: --minutes must be a number of minutes with at most 2 decimals, got '%s'\n",
			v);
		return 2;
	}
	return 0;
}

static int
cmd_create_org(int argc, char **argv)
{
	struct cli_spec spec = {
		"usage: wlportal admin create-org --name NAME --email EMAIL --password PW\n"
		"                                 [--parent ORG_ID] [--minutes N] [--db URL]\n"
		"  Creates an organization with its first user and API key and prints\n"
		"  {\"org_id\",\"api_key\",\"user_id\"}. With --parent the org is a client of that\n"
		"  agency and --minutes are its credits; otherwise --minutes are platform minutes.\n",
		{ { "name", true, NULL },
		  { "email", true, NULL },
		  { "password", true, NULL },
		  { "parent", true, NULL },
		  { "minutes", true, NULL },
		  { "db", true, NULL } },
	};
	static const char *const required[] = { "name", "email", "password", NULL };
	struct accounts_new_org in;
	struct accounts_created out;
	struct wl_config cfg;
	struct wl_app app;
	struct wl_error err;
	int rc;

	if ((rc = cli_parse(&spec, argc, argv)) != 0)
		return rc < 0 ? 0 : rc;
	if ((rc = cli_need(&spec, required)) != 0)
		return rc;
	memset(&in, 0, sizeof(in));
	if ((rc = parse_minutes_flag(&spec, &in.seconds)) != 0)
		return rc;
	in.name = cli_get(&spec, "name");
	in.email = cli_get(&spec, "email");
	in.password = cli_get(&spec, "password");
	in.parent_id = cli_get(&spec, "parent");
	if (in.parent_id != NULL && !wl_valid_uuid(in.parent_id)) {
		fprintf(stderr, "wlportal: --parent must be an organization id (a UUID)\n");
		return 2;
	}
	if (!wl_valid_email(in.email)) {
		fprintf(stderr, "wlportal: --email is not a valid e-mail address\n");
		return 2;
	}
	config_load(&cfg);
	cli_take_db(&cfg, &spec);
	if ((rc = app_open(&app, &cfg, true)) != 0)
		return rc;
	wl_error_clear(&err);
	rc = accounts_create_org(&app, &in, &out, &err);
	app_close(&app);
	if (rc != WL_OK)
		return err.code == WL_EINVALID ? (cli_exit_for(&err), 2) : cli_exit_for(&err);
	printf("{\"org_id\":\"%s\",\"api_key\":\"%s\",\"user_id\":\"%s\"}\n", out.org_id,
	       out.api_key, out.user_id);
	return 0;
}

static int
cmd_grant(int argc, char **argv)
{
	struct cli_spec spec = {
		"usage: wlportal admin grant-minutes --org ORG_ID --minutes N [--reference REF] [--db URL]\n"
		"  Adds minutes (credits for a client org) through the ledger. The same\n"
		"  --reference twice changes nothing the second time.\n",
		{ { "org", true, NULL },
		  { "minutes", true, NULL },
		  { "reference", true, NULL },
		  { "db", true, NULL } },
	};
	static const char *const required[] = { "org", "minutes", NULL };
	struct accounts_grant_result res;
	struct wl_config cfg;
	struct wl_app app;
	struct wl_error err;
	int64_t seconds;
	char ref[WL_REF_MAX + 1], minutes[32], id[WL_ID_LEN];
	const char *org;
	int rc;

	if ((rc = cli_parse(&spec, argc, argv)) != 0)
		return rc < 0 ? 0 : rc;
	if ((rc = cli_need(&spec, required)) != 0 ||
	    (rc = parse_minutes_flag(&spec, &seconds)) != 0)
		return rc;
	if (seconds <= 0) {
		fprintf(stderr, "wlportal: --minutes must be greater than zero\n");
		return 2;
	}
	org = cli_get(&spec, "org");
	if (!wl_valid_uuid(org)) {
		fprintf(stderr, "wlportal: --org must be an organization id (a UUID)\n");
		return 2;
	}
	if (cli_get(&spec, "reference") != NULL) {
		if (!wl_valid_token(cli_get(&spec, "reference"), WL_REF_MAX - 8)) {
			fprintf(stderr,
				"wlportal: --reference must be letters, digits and ._:- (at most %d)\n",
				WL_REF_MAX - 8);
			return 2;
		}
		snprintf(ref, sizeof(ref), "grant:%s", cli_get(&spec, "reference"));
	} else {
		ids_new_uuid(id);
		snprintf(ref, sizeof(ref), "grant:%s", id);
	}
	config_load(&cfg);
	cli_take_db(&cfg, &spec);
	if ((rc = app_open(&app, &cfg, true)) != 0)
		return rc;
	wl_error_clear(&err);
	rc = accounts_grant(&app, org, seconds, ref, "Minutes granted by an administrator", &res,
			    &err);
	app_close(&app);
	if (rc != WL_OK)
		return cli_exit_for(&err);
	wl_format_minutes(res.balance_seconds, minutes);
	printf("{\"org_id\":\"%s\",\"minutes_balance\":%s,\"applied\":%s}\n", org, minutes,
	       res.applied ? "true" : "false");
	return 0;
}

static void
seed_progress(int64_t done, int64_t total, void *arg)
{
	const int64_t *started = arg;
	double s = (double)(wl_now_ms() - *started) / 1000.0;

	fprintf(stderr, "seed-usage: %" PRId64 " of %" PRId64 " calls, %.1f s, %.0f calls/s\n",
		done, total, s, s > 0 ? (double)done / s : 0.0);
}

static int
cmd_seed_usage(int argc, char **argv)
{
	struct cli_spec spec = {
		"usage: wlportal admin seed-usage --org ORG_ID --calls N --days D [--grant] [--db URL]\n"
		"  Writes N ended calls of the org spread over the last D days as real calls\n"
		"  leave them (call rows, ledger debits, usage rows, daily totals), 50,000 to a\n"
		"  transaction, with progress on stderr, for sizing a deployment. Refuses,\n"
		"  writing nothing, when the balance (and a client's agency's) cannot pay\n"
		"  them all; --grant then grants their cost first through the ledger (the\n"
		"  balance ends where it started). Prints\n"
		"  {\"org_id\",\"calls\",\"seconds\",\"granted_seconds\",\"calls_per_second\"}.\n",
		{ { "org", true, NULL },
		  { "calls", true, NULL },
		  { "days", true, NULL },
		  { "grant", false, NULL },
		  { "db", true, NULL } },
	};
	static const char *const required[] = { "org", "calls", "days", NULL };
	struct seed_request req;
	struct seed_result res;
	struct wl_config cfg;
	struct wl_app app;
	struct wl_error err;
	long long calls, days;
	int64_t started;
	double secs;
	int rc;

	if ((rc = cli_parse(&spec, argc, argv)) != 0)
		return rc < 0 ? 0 : rc;
	if ((rc = cli_need(&spec, required)) != 0 ||
	    cli_number(&spec, "calls", 1, SEED_CALLS_MAX, &calls) != 0 ||
	    cli_number(&spec, "days", 1, SEED_DAYS_MAX, &days) != 0)
		return rc != 0 ? rc : 2;
	if (!wl_valid_uuid(cli_get(&spec, "org"))) {
		fprintf(stderr, "wlportal: --org must be an organization id (a UUID)\n");
		return 2;
	}
	config_load(&cfg);
	cli_take_db(&cfg, &spec);
	if ((rc = app_open(&app, &cfg, true)) != 0)
		return rc;
	wl_error_clear(&err);
	started = wl_now_ms();
	req = (struct seed_request){
		cli_get(&spec, "org"), calls,   (int)days, cli_get(&spec, "grant") != NULL, started,
		seed_progress,         &started
	};
	rc = seed_usage(&app, &req, &res, &err);
	app_close(&app);
	secs = (double)(wl_now_ms() - started) / 1000.0;
	if (rc != WL_OK) {
		if (res.calls > 0)
			fprintf(stderr, "wlportal: stopped after %" PRId64 " calls (complete)\n",
				res.calls);
		return cli_exit_for(&err);
	}
	printf("{\"org_id\":\"%s\",\"calls\":%" PRId64 ",\"seconds\":%" PRId64
	       ",\"granted_seconds\":%" PRId64 ",\"calls_per_second\":%.0f}\n",
	       req.org_id, res.calls, res.seconds, res.granted + res.granted_parent,
	       secs > 0 ? (double)res.calls / secs : 0.0);
	return 0;
}

int
cli_admin(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "create-org") == 0)
		return cmd_create_org(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "grant-minutes") == 0)
		return cmd_grant(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "seed-usage") == 0)
		return cmd_seed_usage(argc - 1, argv + 1);
	if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		printf("usage: wlportal admin create-org|grant-minutes|seed-usage [FLAGS]  (each takes --help)\n");
		return 0;
	}
	fprintf(stderr,
		"wlportal: admin needs a subcommand: create-org, grant-minutes or seed-usage\n");
	return 2;
}
