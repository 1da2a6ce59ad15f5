/*
 * mailsend.c — test driver for src/services/mailer.c, used by
 * tests/integration/mailer.test.mjs against the SMTP sink: sends one mail
 * and prints "sent <message-id>" or "error CODE | MESSAGE". Not installed.
 *
 * Usage: mailsend SMTP_URL FROM_NAME FROM_ADDR TO SUBJECT BODY_FILE [TIMEOUT_MS]
 * Exit: 0 line printed, 1 body file unreadable, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "services/mailer.h"

int
main(int argc, char **argv)
{
	static char body[WL_MAIL_BODY_MAX + 2];
	struct mailer_conf conf = { .connect_timeout_ms = 2000 };
	struct wl_mail m;
	struct wl_error err;
	char id[MAILER_MESSAGE_ID_MAX];
	size_t n;
	FILE *f;

	if ((argc != 7 && argc != 8) || sodium_init() < 0 ||
	    curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "usage: mailsend SMTP_URL FROM_NAME FROM_ADDR TO SUBJECT BODY_FILE "
				"[TIMEOUT_MS]\n");
		return 2;
	}
	f = fopen(argv[6], "rb");
	if (f == NULL)
		return 1;
	n = fread(body, 1, sizeof(body) - 1, f);
	fclose(f);
	body[n] = '\0';
	conf.smtp_url = argv[1];
	conf.timeout_ms = argc == 8 ? atol(argv[7]) : 0;
	m.from_name = argv[2];
	m.from_addr = argv[3];
	m.to_addr = argv[4];
	m.subject = argv[5];
	m.body = body;
	wl_error_clear(&err);
	if (mailer_send(&conf, &m, id, sizeof(id), &err) == WL_OK)
		printf("sent %s\n", id);
	else
		printf("error %s | %s\n", wl_error_code_name(err.code), err.message);
	curl_global_cleanup();
	return 0;
}
