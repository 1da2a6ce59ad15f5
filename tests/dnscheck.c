/*
 * dnscheck.c — test driver for src/services/dns.c, used by
 * tests/integration/dns.test.mjs: runs one dns_check_domain and prints
 * "<verdict> <reason>" on stdout. Not installed.
 *
 * Usage: dnscheck SERVER DOMAIN TARGET   (SERVER "" = system resolver)
 * Exit: 0 verdict printed, 1 lookup failed (message on stderr), 2 usage.
 */
#include <stdio.h>

#include "services/dns.h"

int
main(int argc, char **argv)
{
	struct wl_error err;
	enum dns_verdict verdict;
	char reason[512];

	if (argc != 4) {
		fprintf(stderr, "usage: dnscheck SERVER DOMAIN TARGET\n");
		return 2;
	}
	wl_error_clear(&err);
	if (dns_check_domain(argv[1], argv[2], argv[3], &verdict, reason, sizeof(reason),
	    &err) != WL_OK) {
		fprintf(stderr, "dnscheck: %s (%s)\n", err.message, wl_error_code_name(err.code));
		return 1;
	}
	printf("%s %s\n", dns_verdict_name(verdict), reason);
	return 0;
}
