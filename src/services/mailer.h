/*
 * mailer.h — sends one e-mail through SMTP with libcurl to
 * WLPORTAL_SMTP_URL (smtp://host:port, smtps://…, credentials in the URL
 * if needed). Owns the SMTP exchange: envelope, upload of the message
 * built by core/mail.c, time-outs, and what a failure means (retry later
 * or give up). It does not own the durable queue, retries or what the
 * mails say.
 *
 * Blocking: run it on a worker thread, never on a server thread.
 * Thread-safe: one curl handle per call. The process calls
 * curl_global_init(CURL_GLOBAL_DEFAULT) and sodium_init() once at start.
 */
#ifndef WL_SERVICES_MAILER_H
#define WL_SERVICES_MAILER_H

#include <stddef.h>

#include "core/error.h"
#include "core/mail.h"

#define MAILER_CONNECT_TIMEOUT_MS_DEFAULT 5000
#define MAILER_TIMEOUT_MS_DEFAULT 30000
#define MAILER_MESSAGE_ID_MAX 160

struct mailer_conf {
	const char *smtp_url;    /* WLPORTAL_SMTP_URL; smtp:// or smtps:// */
	long connect_timeout_ms; /* <= 0: MAILER_CONNECT_TIMEOUT_MS_DEFAULT */
	long timeout_ms;         /* whole exchange; <= 0: MAILER_TIMEOUT_MS_DEFAULT */
};

/*
 * Sends m (checked and built by wl_mail_build, with a fresh random
 * Message-ID) to m->to_addr. STARTTLS is used when the server offers it.
 * message_id (may be NULL, else idsz bytes) receives "<…@domain>".
 * Returns WL_OK; WL_EINVALID when the message is refused before sending
 * (bad field, header injection) or the server refused it permanently
 * (5xx: do not retry); WL_EUNAVAILABLE when the server could not be
 * reached, timed out or answered 4xx (retry later). The message names the
 * SMTP code when there is one and never the URL's credentials.
 */
int mailer_send(const struct mailer_conf *conf, const struct wl_mail *m, char *message_id,
		size_t idsz, struct wl_error *err);

#endif
