/*
 * flags.h — parsing the flags of one command (flags.c). Exit codes of the
 * commands: 0 success, 1 the command failed, 2 the command line is wrong.
 */
#ifndef WL_FLAGS_H
#define WL_FLAGS_H

#include <stdbool.h>

#define CLI_MAX_FLAGS 12

struct cli_flag {
	const char *name; /* without the leading "--" */
	bool takes_value;
	const char *value; /* set by cli_parse; "1" for a switch */
};

struct cli_spec {
	const char *usage;
	struct cli_flag flags[CLI_MAX_FLAGS];
};

/* Parses argv against spec; prints usage and returns 2 on a bad command line,
 * returns -1 after printing usage for --help (caller exits 0), else 0. */
int cli_parse(struct cli_spec *spec, int argc, char **argv);
const char *cli_get(const struct cli_spec *spec, const char *name);
/* Parses a whole number in [min, max]; prints the complaint and returns 2. */
int cli_number(const struct cli_spec *spec, const char *name, long long min, long long max,
	       long long *out);
/* Every flag of names (NULL-terminated) given; else prints which is missing
 * and the usage, and returns 2. */
int cli_need(const struct cli_spec *spec, const char *const *names);

#endif
