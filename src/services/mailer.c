/*
 * mailer.c — one e-mail over SMTP with libcurl (see mailer.h).
 */
#include "services/mailer.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

struct upload {
	const char *p;
	size_t len;
	size_t off;
};

static size_t
on_read(char *dst, size_t size, size_t n, void *userdata)
{
	struct upload *u = userdata;
	size_t room = size * n, left = u->len - u->off;
	size_t take = left < room ? left : room;

	memcpy(dst, u->p + u->off, take);
	u->off += take;
	return take;
}

static bool
url_ok(const char *url)
{
	size_t i;

	if (url == NULL || (strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0))
		return false;
	for (i = 0; url[i] != '\0'; i++)
		if (i >= 1024 || url[i] <= ' ' || url[i] > '~')
			return false;
	return true;
}

/* Turns a curl failure into "retry later" or "give up". */
static int
smtp_error(CURLcode rc, long smtp_code, const struct mailer_conf *conf, struct wl_error *err)
{
	long ms = conf->timeout_ms > 0 ? conf->timeout_ms : MAILER_TIMEOUT_MS_DEFAULT;

	if (rc == CURLE_OPERATION_TIMEDOUT)
		return wl_fail(err, WL_EUNAVAILABLE, "the mail server did not answer within %ld ms",
			       ms);
	if (smtp_code >= 500)
		return wl_fail(err, WL_EINVALID,
			       "the mail server refused the message (SMTP %ld): %s", smtp_code,
			       curl_easy_strerror(rc));
	if (smtp_code >= 400)
		return wl_fail(err, WL_EUNAVAILABLE,
			       "the mail server deferred the message (SMTP "
			       "%ld): %s",
			       smtp_code, curl_easy_strerror(rc));
	return wl_fail(err, WL_EUNAVAILABLE, "the mail server could not be reached: %s",
		       curl_easy_strerror(rc));
}

static int
transfer(const struct mailer_conf *conf, const struct wl_mail *m, struct upload *up,
	 struct wl_error *err)
{
	char from[300], to[300];
	struct curl_slist *rcpt;
	long smtp_code = 0;
	CURLcode rc;
	CURL *c;

	snprintf(from, sizeof(from), "<%s>", m->from_addr);
	snprintf(to, sizeof(to), "<%s>", m->to_addr);
	c = curl_easy_init();
	rcpt = curl_slist_append(NULL, to);
	if (c == NULL || rcpt == NULL) {
		curl_easy_cleanup(c);
		curl_slist_free_all(rcpt);
		return wl_fail(err, WL_EINTERNAL, "out of memory sending mail");
	}
	curl_easy_setopt(c, CURLOPT_URL, conf->smtp_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c, CURLOPT_READDATA, up);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up->len);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 conf->connect_timeout_ms > 0 ? conf->connect_timeout_ms
						      : (long)MAILER_CONNECT_TIMEOUT_MS_DEFAULT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
			 conf->timeout_ms > 0 ? conf->timeout_ms : (long)MAILER_TIMEOUT_MS_DEFAULT);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &smtp_code);
	curl_easy_cleanup(c);
	curl_slist_free_all(rcpt);
	return rc == CURLE_OK ? WL_OK : smtp_error(rc, smtp_code, conf, err);
}

int
mailer_send(const struct mailer_conf *conf, const struct wl_mail *m, char *message_id, size_t idsz,
	    struct wl_error *err)
{
	unsigned char raw[16];
	char unique[2 * sizeof(raw) + 1];
	struct wl_buf msg;
	struct upload up;
	int rc;

	if (message_id != NULL && idsz > 0)
		message_id[0] = '\0';
	if (conf == NULL || !url_ok(conf->smtp_url))
		return wl_fail(err, WL_EINVALID,
			       "mail: WLPORTAL_SMTP_URL is not an smtp:// or "
			       "smtps:// URL");
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(unique, sizeof(unique), raw, sizeof(raw));
	wl_buf_init(&msg, WL_MAIL_MESSAGE_MAX);
	rc = wl_mail_build(m, (int64_t)time(NULL), unique, &msg, err);
	if (rc == WL_OK) {
		up.p = wl_buf_cstr(&msg);
		up.len = msg.len;
		up.off = 0;
		rc = transfer(conf, m, &up, err);
	}
	if (rc == WL_OK && message_id != NULL && idsz > 0)
		snprintf(message_id, idsz, "<%s@%s>", unique, strchr(m->from_addr, '@') + 1);
	/* Reset links are secrets until used: wipe the message text. */
	if (msg.p != NULL)
		sodium_memzero(msg.p, msg.cap);
	wl_buf_free(&msg);
	return rc;
}
