/*
 * flags.c — the command-line flag parser every command uses (cli.c's and
 * simulate.c's): --name VALUE, --name=VALUE, switches, --help, numbers in a
 * range, required flags. Prints its own complaints; knows no command.
 */
#include "flags.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct cli_flag *
find_flag(struct cli_spec *spec, const char *name, size_t n)
{
	int i;

	for (i = 0; i < CLI_MAX_FLAGS && spec->flags[i].name != NULL; i++)
		if (strlen(spec->flags[i].name) == n && strncmp(spec->flags[i].name, name, n) == 0)
			return &spec->flags[i];
	return NULL;
}

int
cli_parse(struct cli_spec *spec, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *eq;
		struct cli_flag *f;
		size_t n;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			printf("%s", spec->usage);
			return -1;
		}
		if (strncmp(a, "--", 2) != 0) {
			fprintf(stderr, "wlportal: unexpected argument '%s'\n%s", a, spec->usage);
			return 2;
		}
		a += 2;
		eq = strchr(a, '=');
		n = eq != NULL ? (size_t)(eq - a) : strlen(a);
		f = find_flag(spec, a, n);
		if (f == NULL) {
			fprintf(stderr, "wlportal: unknown flag '--%.*s'\n%s", (int)n, a,
				spec->usage);
			return 2;
		}
		if (f->value != NULL) {
			fprintf(stderr, "wlportal: --%s given twice\n", f->name);
			return 2;
		}
		if (!f->takes_value) {
			if (eq != NULL) {
				fprintf(stderr, "wlportal: --%s takes no value\n", f->name);
				return 2;
			}
			f->value = "1";
			continue;
		}
		if (eq != NULL) {
			f->value = eq + 1;
		} else if (i + 1 < argc) {
			f->value = argv[++i];
		} else {
			fprintf(stderr, "wlportal: --%s needs a value\n", f->name);
			return 2;
		}
	}
	return 0;
}

const char *
cli_get(const struct cli_spec *spec, const char *name)
{
	int i;

	for (i = 0; i < CLI_MAX_FLAGS && spec->flags[i].name != NULL; i++)
		if (strcmp(spec->flags[i].name, name) == 0)
			return spec->flags[i].value;
	return NULL;
}

int
cli_number(const struct cli_spec *spec, const char *name, long long min, long long max,
	   long long *out)
{
	const char *v = cli_get(spec, name);
	char *end;
	long long n;

	if (v == NULL)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (v[0] == '\0' || *end != '\0' || errno != 0 || n < min || n > max) {
		fprintf(stderr,
			"wlportal: --%s must be a whole number from %lld to %lld, got '%s'\n", name,
			min, max, v);
		return 2;
	}
	*out = n;
	return 0;
}

int
cli_need(const struct cli_spec *spec, const char *const *names)
{
	for (; *names != NULL; names++) {
		if (cli_get(spec, *names) == NULL) {
			fprintf(stderr, "wlportal: --%s is required\n%s", *names, spec->usage);
			return 2;
		}
	}
	return 0;
}
