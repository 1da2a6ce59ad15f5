/*
 * cli.h — the command line: serve, migrate, admin, audit, simulate
 * (the flag parser: flags.h; the shared start-up: app.h).
 * Exit codes: 0 success, 1 the command failed, 2 the command line is wrong.
 */
#ifndef WL_CLI_H
#define WL_CLI_H

int cli_main(int argc, char **argv);

struct wl_config;
struct cli_spec;
struct wl_error;
/* Shared by the commands (cli.c, cli_admin.c): --db into the configuration,
 * the exit code for an error, and the admin subcommands. */
void cli_take_db(struct wl_config *cfg, const struct cli_spec *spec);
int cli_exit_for(const struct wl_error *err);
int cli_admin(int argc, char **argv);

#endif
