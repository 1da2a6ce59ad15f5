/*
 * dnscheck.c — test driver for src/services/dns.c, used by
 * tests/integration/dns.test.mjs: runs one dns_check_domain and prints
 * "<verdict> <reason>" on stdout, or with --txt one dns_find_txt and prints
 * "found <others>" or "missing <others>". Not installed.
 *
 * Usage: dnscheck SERVER DOMAIN TARGET         (SERVER "" = system resolver)
 *        dnscheck --txt SERVER NAME EXPECTED
 * Exit: 0 answer printed, 1 lookup failed (message on stderr), 2 usage.
 */
#include <stdio.h>
#include <string.h>

#include "services/dns.h"

static int
txt(const char *server, const char *name, const char *expected)
{
	struct wl_error err;
	bool found;
	int others;

	wl_error_clear(&err);
	if (dns_find_txt(server, name, expected, &found, &others, &err) != WL_OK) {
		fprintf(stderr, "dnscheck: %s (%s)\n", err.message, wl_error_code_name(err.code));
		return 1;
	}
	printf("%s %d\n", found ? "found" : "missing", others);
	return 0;
}

int
main(int argc, char **argv)
{
	struct wl_error err;
	enum dns_verdict verdict;
	char reason[512];

	if (argc == 5 && strcmp(argv[1], "--txt") == 0)
		return txt(argv[2], argv[3], argv[4]);
	if (argc != 4) {
		fprintf(stderr,
			"usage: dnscheck SERVER DOMAIN TARGET | --txt SERVER NAME EXPECTED\n");
		return 2;
	}
	wl_error_clear(&err);
	if (dns_check_domain(argv[1], argv[2], argv[3], &verdict, reason, sizeof(reason), &err) !=
	    WL_OK) {
		fprintf(stderr, "dnscheck: %s (%s)\n", err.message, wl_error_code_name(err.code));
		return 1;
	}
	printf("%s %s\n", dns_verdict_name(verdict), reason);
	return 0;
}
