/*
 * stripesig.c — test driver for src/core/stripe_sig.c, used by
 * tests/integration/stripe_sig.test.mjs to check vectors made by the
 * official stripe npm package: runs one stripe_sig_verify and prints
 * "<verdict> <t>" on stdout (verdict as stripe_sig_result_name). Not
 * installed.
 *
 * Usage: stripesig SECRET HEADER BODY_FILE NOW [TOLERANCE]
 *        (HEADER "" = no header; the body file is read as raw bytes)
 * Exit: 0 verdict printed, 1 body file unreadable, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/stripe_sig.h"

#define BODY_MAX (1024 * 1024)

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;

	if (f == NULL)
		return NULL;
	p = malloc(BODY_MAX);
	if (p != NULL)
		*len = fread(p, 1, BODY_MAX, f);
	fclose(f);
	return p;
}

int
main(int argc, char **argv)
{
	enum stripe_sig_result r;
	int64_t t, now, tolerance = 0;
	size_t body_len = 0;
	char *body;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: stripesig SECRET HEADER BODY_FILE NOW [TOLERANCE]\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	now = strtoll(argv[4], NULL, 10);
	if (argc == 6)
		tolerance = strtoll(argv[5], NULL, 10);
	body = read_file(argv[3], &body_len);
	if (body == NULL) {
		fprintf(stderr, "stripesig: cannot read %s\n", argv[3]);
		return 1;
	}
	r = stripe_sig_verify(argv[2][0] ? argv[2] : NULL, strlen(argv[2]), argv[1], body, body_len,
			      now, tolerance, &t);
	printf("%s %lld\n", stripe_sig_result_name(r), (long long)t);
	free(body);
	return 0;
}
