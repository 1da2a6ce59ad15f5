/*
 * cli.h — the command line: serve, migrate, admin, audit, simulate
 * (the flag parser: flags.h; the shared start-up: app.h).
 * Exit codes: 0 success, 1 the command failed, 2 the command line is wrong.
 */
#ifndef WL_CLI_H
#define WL_CLI_H

int cli_main(int argc, char **argv);

#endif
