/*
 * mail_outbox.h — e-mail that survives a crash: a mail is queued in the
 * database in the same transaction as its cause (a sign-up, a reset
 * request, a purchase), and a sender thread of the server sends it later
 * through SMTP (services/mailer.c, WLPORTAL_SMTP_URL), retrying with
 * back-off. The body is sealed with the master key while it waits (it may
 * carry a single-use link) and dropped once the mail is sent or given up.
 *
 * Without WLPORTAL_SMTP_URL mail is off: queued mails are given up at once
 * and a log line says that a mail was not sent (its kind and id, never its
 * body or a link). No line ever holds a body.
 *
 * Several instances may send from one database: a sender claims a mail
 * (a writer job) for longer than a send may take before sending it.
 */
#ifndef WL_SERVICES_MAIL_OUTBOX_H
#define WL_SERVICES_MAIL_OUTBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "services/app.h"

#define MAIL_RETRY_BASE_MS_DEFAULT 30000LL /* WLPORTAL_MAIL_RETRY_SECONDS; doubled per attempt */
#define MAIL_RETRY_CAP_MS (3600LL * 1000)
#define MAIL_ATTEMPTS_MAX 8

struct mail_request {
	const struct wl_app *app; /* its master key seals the body */
	const char *agency_id;    /* the agency the mail is sent for */
	const char *kind;         /* "verify", "reset", "purchase", … ([a-z_], ≤ 23) */
	const char *to_addr;
	const char *from_name; /* the agency's name (the From display name) */
	const char *subject;
	const char *body; /* plain text */
};

/* Inside a writer job: checks the mail (core/mail.h rules) and queues it.
 * WL_EINVALID when a field is unusable; the caller's job fails with it. */
int mail_enqueue(struct store_conn *c, const struct mail_request *m, struct wl_error *err);

/* Whether mails are sent at all (WLPORTAL_SMTP_URL is set). */
bool mail_enabled(const struct wl_app *app);

struct mail_sender;

/* Starts the sender thread (serve only). It looks for due mails every
 * 250 ms; app->smtp_url "" = mail off. */
struct mail_sender *mail_sender_start(struct wl_app *app, struct wl_error *err);
/* Ends the current pass and stops the thread (before the writer stops). */
void mail_sender_stop(struct mail_sender *s);

/* One pass over due mails; blocks on SMTP: the sender thread (or a test)
 * only. *sent = mails sent by this pass. */
int mail_outbox_pass(struct wl_app *app, int *sent, struct wl_error *err);

#endif
