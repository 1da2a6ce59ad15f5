/*
 * main.c — wlportal's entry point; everything else starts in cli.c. Before
 * any thread exists, jansson's memory is made to wipe itself on release
 * (parsed bodies may hold secrets) and libcurl is initialised once (SMTP
 * and the Stripe API run on other threads later).
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
		fprintf(stderr, "wlportal: libcurl failed to start\n");
		return 1;
	}
	rc = cli_main(argc, argv);
	curl_global_cleanup();
	return rc;
}
