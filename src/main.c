/*
 * main.c — wlportal's entry point; everything else starts in cli.c. Before
 * any thread exists, jansson's memory is made to wipe itself on release
 * (parsed bodies may hold secrets), and libcurl is initialised once (Stripe
 * and SMTP calls run on workers later).
 */
#include <curl/curl.h>
#include <stdio.h>

#include "cli.h"
#include "services/json_alloc.h"

int
main(int argc, char **argv)
{
	int rc;

	json_alloc_install_wiping();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "wlportal: libcurl could not be initialised\n");
		return 1;
	}
	rc = cli_main(argc, argv);
	curl_global_cleanup();
	return rc;
}
