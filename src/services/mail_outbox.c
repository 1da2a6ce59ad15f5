/*
 * mail_outbox.c — the durable e-mail outbox (see mail_outbox.h): queueing
 * inside a writer job, and the sender thread that claims, sends and
 * settles each due mail, retrying with back-off. The thread is its own
 * (never a server thread): it waits on SMTP and on the writer.
 */
#include "services/mail_outbox.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mail.h"
#include "core/timeutil.h"
#include "log.h"
#include "metrics.h"
#include "services/ids.h"
#include "services/mailer.h"
#include "services/secrets.h"

#define MAIL_QUEUED_BODY_MAX (16 * 1024)
#define SEALED_MAX (MAIL_QUEUED_BODY_MAX * 2 + 512)
#define DUE_PAGE 20
#define POLL_MS 250

bool
mail_enabled(const struct wl_app *app)
{
	return app->smtp_url[0] != '\0';
}

static bool
kind_ok(const char *k)
{
	size_t i;

	for (i = 0; k[i] != '\0'; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || k[i] == '_'))
			return false;
	return i > 0 && i < 24;
}

int
mail_enqueue(struct store_conn *c, const struct mail_request *m, struct wl_error *err)
{
	struct wl_mail check = { m->from_name, m->app->mail_from, m->to_addr, m->subject, m->body };
	struct store_mail row;
	char *sealed = NULL;
	int rc;

	if (m->kind == NULL || !kind_ok(m->kind) || m->agency_id == NULL || m->body == NULL ||
	    strlen(m->body) > MAIL_QUEUED_BODY_MAX ||
	    (m->from_name != NULL && strlen(m->from_name) > WL_NAME_MAX) || m->subject == NULL ||
	    strlen(m->subject) >= sizeof(row.subject))
		return wl_fail(err, WL_EINVALID, "mail: kind, subject or body out of bounds");
	if ((rc = wl_mail_check(&check, err)) != WL_OK)
		return rc;
	if ((rc = secrets_seal(m->app->master_key, m->body, &sealed, err)) != WL_OK)
		return rc;
	memset(&row, 0, sizeof(row));
	ids_new_uuid(row.id);
	snprintf(row.agency_id, sizeof(row.agency_id), "%s", m->agency_id);
	snprintf(row.kind, sizeof(row.kind), "%s", m->kind);
	snprintf(row.to_addr, sizeof(row.to_addr), "%s", m->to_addr);
	snprintf(row.from_name, sizeof(row.from_name), "%s", m->from_name ? m->from_name : "");
	snprintf(row.subject, sizeof(row.subject), "%s", m->subject);
	row.body_sealed = sealed;
	rc = store_mail_insert(c, &row, wl_now_ms(), err);
	free(sealed);
	return rc;
}

/* ---- the sender ------------------------------------------------------------------------- */

struct mail_sender {
	struct wl_app *app;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stopping;
};

struct claim_job {
	const char *id;
	int64_t now, lease_until;
};

static int
claim_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct claim_job *j = arg;

	return store_mail_claim(c, j->id, j->now, j->lease_until, err);
}

/* How a send ended, written back by settle_run. */
struct settle_job {
	const char *id;
	int outcome; /* WL_OK sent, WL_EUNAVAILABLE retry, else give up */
	int64_t now, next_at;
	char error[256];
};

static int
settle_run(struct store_conn *c, void *arg, struct wl_error *err)
{
	struct settle_job *j = arg;

	if (j->outcome == WL_OK)
		return store_mail_sent(c, j->id, j->now, err);
	if (j->outcome == WL_EUNAVAILABLE)
		return store_mail_retry(c, j->id, j->next_at, j->error, err);
	return store_mail_failed(c, j->id, j->error, err);
}

static int64_t
retry_delay_ms(const struct wl_app *app, int64_t attempts)
{
	int64_t d = app->mail_retry_ms > 0 ? app->mail_retry_ms : MAIL_RETRY_BASE_MS_DEFAULT;

	while (--attempts > 0 && d < MAIL_RETRY_CAP_MS)
		d *= 2;
	return d < MAIL_RETRY_CAP_MS ? d : MAIL_RETRY_CAP_MS;
}

/* Opens and sends a claimed mail; fills the settle job. */
static void
send_one(struct wl_app *app, const struct store_mail *m, struct settle_job *s)
{
	struct mailer_conf conf = { app->smtp_url, 0, 0 };
	struct wl_mail mail;
	struct wl_error err;
	char *body = NULL;

	wl_error_clear(&err);
	if (!mail_enabled(app)) {
		s->outcome = WL_EINVALID;
		snprintf(s->error, sizeof(s->error), "mail is off (WLPORTAL_SMTP_URL is not set)");
		wl_log("mail %s (%s) not sent: mail is off (WLPORTAL_SMTP_URL is not set)", m->id,
		       m->kind);
		return;
	}
	if (secrets_open(app->master_key, m->body_sealed, &body, &err) != WL_OK) {
		s->outcome = WL_EINVALID;
		snprintf(s->error, sizeof(s->error), "the body could not be opened");
		wl_log("mail %s (%s) given up: its body could not be opened", m->id, m->kind);
		metrics_mail_failure(1);
		return;
	}
	mail = (struct wl_mail){ m->from_name, app->mail_from, m->to_addr, m->subject, body };
	s->outcome = mailer_send(&conf, &mail, NULL, 0, &err);
	secrets_free(body);
	if (s->outcome == WL_OK)
		return;
	if (s->outcome == WL_EUNAVAILABLE && m->attempts >= MAIL_ATTEMPTS_MAX)
		s->outcome = WL_EINVALID;
	snprintf(s->error, sizeof(s->error), "%s", err.message);
	s->next_at = s->now + retry_delay_ms(app, m->attempts);
	wl_log("mail %s (%s) attempt %lld failed%s: %s", m->id, m->kind, (long long)m->attempts,
	       s->outcome == WL_EUNAVAILABLE ? ", will retry" : ", given up", err.message);
	metrics_mail_failure(s->outcome != WL_EUNAVAILABLE);
}

/* Claims, sends and settles one mail; *sent += 1 when it went out. */
static int
deliver(struct wl_app *app, const char *id, int *sent, struct wl_error *err)
{
	struct claim_job claim = { id, wl_now_ms(), 0 };
	struct settle_job settle;
	struct store_mail m;
	struct store_conn *c;
	int rc;

	claim.lease_until = claim.now + 2 * MAILER_TIMEOUT_MS_DEFAULT;
	rc = writer_run(app->writer, claim_run, &claim, err);
	if (rc == WL_ENOTFOUND)
		return WL_OK; /* another sender has it */
	if (rc != WL_OK)
		return rc;
	memset(&m, 0, sizeof(m));
	if ((m.body_sealed = malloc(SEALED_MAX)) == NULL)
		return wl_fail(err, WL_EINTERNAL, "out of memory");
	m.body_sealed_size = SEALED_MAX;
	if ((c = store_acquire(app->store, err)) == NULL) {
		free(m.body_sealed);
		return err->code;
	}
	rc = store_mail_get(c, id, &m, err);
	store_release(c);
	if (rc == WL_OK) {
		memset(&settle, 0, sizeof(settle));
		settle.id = id;
		settle.now = wl_now_ms();
		send_one(app, &m, &settle);
		rc = writer_run(app->writer, settle_run, &settle, err);
		if (rc == WL_OK && settle.outcome == WL_OK)
			(*sent)++;
	}
	free(m.body_sealed);
	return rc;
}

int
mail_outbox_pass(struct wl_app *app, int *sent, struct wl_error *err)
{
	char(*ids)[WL_ID_LEN] = calloc(DUE_PAGE, WL_ID_LEN);
	struct store_conn *c;
	int n = 0, i, rc;

	*sent = 0;
	if (ids == NULL)
		return wl_fail(err, WL_EINTERNAL, "out of memory");
	if ((c = store_acquire(app->store, err)) == NULL) {
		free(ids);
		return err->code;
	}
	rc = store_mail_due(c, wl_now_ms(), DUE_PAGE, ids, &n, err);
	store_release(c);
	for (i = 0; rc == WL_OK && i < n; i++)
		rc = deliver(app, ids[i], sent, err);
	free(ids);
	return rc;
}

static void *
sender_main(void *arg)
{
	struct mail_sender *s = arg;
	struct wl_error err;
	struct timespec until;
	int sent;

	pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		pthread_mutex_unlock(&s->mu);
		wl_error_clear(&err);
		if (mail_outbox_pass(s->app, &sent, &err) != WL_OK)
			wl_log("mail sender: %s", err.message);
		pthread_mutex_lock(&s->mu);
		if (s->stopping)
			break;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += POLL_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->cv, &s->mu, &until);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

struct mail_sender *
mail_sender_start(struct wl_app *app, struct wl_error *err)
{
	struct mail_sender *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		wl_fail(err, WL_EINTERNAL, "out of memory");
		return NULL;
	}
	s->app = app;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (pthread_create(&s->thread, NULL, sender_main, s) != 0) {
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
		free(s);
		wl_fail(err, WL_EINTERNAL, "cannot start the mail sender");
		return NULL;
	}
	pthread_setname_np(s->thread, "wl-mail"); /* top -H, perf */
	return s;
}

void
mail_sender_stop(struct mail_sender *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}
