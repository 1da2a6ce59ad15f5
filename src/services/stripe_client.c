/*
 * stripe_client.c — Stripe API calls over libcurl (see stripe_client.h):
 * one exchange per call, bounded answer, both time-outs, Stripe's JSON
 * read with jansson, Stripe's errors mapped to wl_error with the key
 * scrubbed. Runs on worker threads only.
 */
#include "services/stripe_client.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#define KEY_MAX 255
#define BASE_MAX 512
#define AUTH_HEADER_MAX (sizeof("Authorization: Bearer ") + KEY_MAX)

/* Used when the caller passes no struct stripe_api. */
static const struct stripe_api default_api = { NULL, 0, 0 };

struct exchange {
	const char *url;
	const char *form; /* NULL = GET */
	const char *idempotency_key;
	struct wl_buf answer;
	long status;
};

/* The key goes into a header: printable ASCII, no spaces, bounded. */
static bool
key_ok(const char *key)
{
	size_t i;

	if (key == NULL || key[0] == '\0')
		return false;
	for (i = 0; key[i] != '\0'; i++)
		if (i >= KEY_MAX || key[i] <= ' ' || key[i] > '~')
			return false;
	return true;
}

/* Copies api->base without trailing slashes into out; false if unusable. */
static bool
base_url(const struct stripe_api *api, char out[BASE_MAX])
{
	const char *b = (api != NULL && api->base != NULL && api->base[0] != '\0')
				? api->base
				: STRIPE_API_DEFAULT;
	size_t n = strlen(b), i;

	if (n >= BASE_MAX || (strncmp(b, "https://", 8) != 0 && strncmp(b, "http://", 7) != 0))
		return false;
	for (i = 0; i < n; i++)
		if (b[i] <= ' ' || b[i] > '~' || b[i] == '?' || b[i] == '#')
			return false;
	while (n > 0 && b[n - 1] == '/')
		n--;
	memcpy(out, b, n);
	out[n] = '\0';
	return true;
}

static size_t
on_data(char *p, size_t size, size_t n, void *userdata)
{
	struct wl_buf *b = userdata;
	size_t len = size * n;

	if (b->len + len > b->max)
		return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
	wl_buf_append(b, p, len);
	return wl_buf_ok(b) ? len : 0;
}

/* Wipes every header string (one holds the key) and frees the list. */
static void
free_headers(struct curl_slist *h)
{
	struct curl_slist *i;

	for (i = h; i != NULL; i = i->next)
		sodium_memzero(i->data, strlen(i->data));
	curl_slist_free_all(h);
}

/* Appends one header line; after a failure *ok stays false. */
static struct curl_slist *
add_header(struct curl_slist *h, const char *line, bool *ok)
{
	struct curl_slist *t = *ok ? curl_slist_append(h, line) : NULL;

	if (t == NULL) {
		*ok = false;
		return h;
	}
	return t;
}

static struct curl_slist *
build_headers(const char *key, const struct exchange *x)
{
	struct curl_slist *h = NULL;
	char line[AUTH_HEADER_MAX + 64];
	bool ok = true;

	snprintf(line, sizeof(line), "Authorization: Bearer %s", key);
	h = add_header(h, line, &ok);
	sodium_memzero(line, sizeof(line));
	h = add_header(h, "Accept: application/json", &ok);
	if (x->form != NULL)
		h = add_header(h, "Content-Type: application/x-www-form-urlencoded", &ok);
	if (x->idempotency_key != NULL) {
		snprintf(line, sizeof(line), "Idempotency-Key: %s", x->idempotency_key);
		h = add_header(h, line, &ok);
	}
	if (!ok) {
		free_headers(h);
		return NULL;
	}
	return h;
}

static int
transport_error(CURLcode rc, const struct stripe_api *api, struct wl_error *err)
{
	long ms = api != NULL && api->timeout_ms > 0 ? api->timeout_ms : STRIPE_TIMEOUT_MS_DEFAULT;

	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return wl_fail(err, WL_EUNAVAILABLE, "Stripe did not answer within %ld ms", ms);
	case CURLE_WRITE_ERROR:
		return wl_fail(err, WL_EUNAVAILABLE, "Stripe's answer was larger than %d bytes",
			       STRIPE_ANSWER_MAX);
	default:
		return wl_fail(err, WL_EUNAVAILABLE, "Stripe could not be reached: %s",
			       curl_easy_strerror(rc));
	}
}

static int
perform(const struct stripe_api *api, const char *key, struct exchange *x, struct wl_error *err)
{
	CURL *c = curl_easy_init();
	struct curl_slist *headers = NULL;
	CURLcode rc;

	if (c == NULL || (headers = build_headers(key, x)) == NULL) {
		curl_easy_cleanup(c);
		return wl_fail(err, WL_EINTERNAL, "out of memory calling Stripe");
	}
	curl_easy_setopt(c, CURLOPT_URL, x->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT,
			 "wlportal/"
			 "0.1");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 api->connect_timeout_ms > 0 ? api->connect_timeout_ms
						     : (long)STRIPE_CONNECT_TIMEOUT_MS_DEFAULT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
			 api->timeout_ms > 0 ? api->timeout_ms : (long)STRIPE_TIMEOUT_MS_DEFAULT);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &x->answer);
	if (x->form != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, x->form);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(x->form));
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->status);
	curl_easy_cleanup(c);
	free_headers(headers);
	return rc == CURLE_OK ? WL_OK : transport_error(rc, api, err);
}

/* Copies a JSON string member into out (n bytes); "" when absent. */
static bool
copy_str(json_t *obj, const char *name, char *out, size_t n)
{
	json_t *v = json_object_get(obj, name);
	const char *s = json_string_value(v);

	out[0] = '\0';
	if (s == NULL || strlen(s) >= n)
		return false;
	memcpy(out, s, strlen(s) + 1);
	return true;
}

static int
stripe_refused(long status, json_t *root, struct stripe_api_error *d, struct wl_error *err)
{
	json_t *e = json_object_get(root, "error");
	char msg[200] = "";
	int code;

	copy_str(e, "type", d->type, sizeof(d->type));
	copy_str(e, "code", d->code, sizeof(d->code));
	copy_str(e, "param", d->param, sizeof(d->param));
	if (json_string_value(json_object_get(e, "message")) != NULL)
		snprintf(msg, sizeof(msg), "%s", json_string_value(json_object_get(e, "message")));
	stripe_redact(msg);
	stripe_redact(d->param);
	if (status == 404 || strcmp(d->code, "resource_missing") == 0)
		code = WL_ENOTFOUND;
	else if (status == 429)
		code = WL_ERATELIMITED;
	else if (status == 409 || strcmp(d->type, "idempotency_error") == 0)
		code = WL_ECONFLICT;
	else if (status >= 500)
		code = WL_EUNAVAILABLE;
	else
		code = WL_EINVALID;
	if (status == 401)
		return wl_fail(err, code, "Stripe refused the secret key (HTTP 401%s%s): %s",
			       d->type[0] ? ", " : "", d->type, msg[0] ? msg : "no message");
	return wl_fail(err, code, "Stripe refused the request (HTTP %ld%s%s%s%s): %s", status,
		       d->type[0] ? ", " : "", d->type, d->param[0] ? ", param " : "", d->param,
		       msg[0] ? msg : "no message");
}

/* Runs the exchange and parses the answer; *root is the JSON of a 2xx. */
static int
call(const struct stripe_api *api, const char *key, struct exchange *x, json_t **root,
     struct stripe_api_error *detail, struct wl_error *err)
{
	json_error_t jerr;
	int rc;

	*root = NULL;
	memset(detail, 0, sizeof(*detail));
	wl_buf_init(&x->answer, STRIPE_ANSWER_MAX);
	rc = perform(api, key, x, err);
	if (rc == WL_OK) {
		detail->http_status = x->status;
		*root = json_loadb(x->answer.p != NULL ? x->answer.p : "", x->answer.len, 0, &jerr);
		if (x->status < 200 || x->status > 299) {
			rc = stripe_refused(x->status, *root, detail, err);
			json_decref(*root);
			*root = NULL;
		} else if (*root == NULL || !json_is_object(*root)) {
			json_decref(*root);
			*root = NULL;
			rc = wl_fail(err, WL_EUNAVAILABLE,
				     "Stripe's answer (HTTP %ld) could not be "
				     "read",
				     x->status);
		}
	}
	wl_buf_free(&x->answer);
	return rc;
}

static int
read_price(json_t *root, struct stripe_price *out, struct wl_error *err)
{
	json_t *product = json_object_get(root, "product");
	json_t *amount = json_object_get(root, "unit_amount");

	memset(out, 0, sizeof(*out));
	if (!copy_str(root, "id", out->id, sizeof(out->id)) ||
	    !json_is_boolean(json_object_get(root, "active")))
		return wl_fail(err, WL_EUNAVAILABLE, "Stripe's price could not be read");
	out->active = json_is_true(json_object_get(root, "active"));
	copy_str(root, "type", out->type, sizeof(out->type));
	copy_str(root, "currency", out->currency, sizeof(out->currency));
	if (json_is_object(product)) /* an expanded product */
		copy_str(product, "id", out->product, sizeof(out->product));
	else
		copy_str(root, "product", out->product, sizeof(out->product));
	out->has_unit_amount = json_is_integer(amount);
	out->unit_amount = out->has_unit_amount ? (int64_t)json_integer_value(amount) : 0;
	return WL_OK;
}

/* What every call checks first: the API (the default when NULL), the
 * secret key, the base URL into base, and a zeroed error detail (scratch
 * when the caller wants none). */
static int
call_start(const struct stripe_api **api, const char *secret_key, char base[BASE_MAX],
	   struct stripe_api_error **detail, struct stripe_api_error *scratch, struct wl_error *err)
{
	if (*api == NULL)
		*api = &default_api;
	if (*detail == NULL)
		*detail = scratch;
	memset(*detail, 0, sizeof(**detail));
	if (!key_ok(secret_key))
		return wl_fail(err, WL_EINVALID, "the Stripe secret key is missing or malformed");
	if (!base_url(*api, base))
		return wl_fail(err, WL_EINVALID, "the Stripe API URL is not an http(s) URL");
	return WL_OK;
}

int
stripe_price_fetch(const struct stripe_api *api, const char *secret_key, const char *price_id,
		   struct stripe_price *out, struct stripe_api_error *detail, struct wl_error *err)
{
	struct stripe_api_error scratch;
	struct exchange x;
	char base[BASE_MAX], url[BASE_MAX + STRIPE_ID_MAX + 16];
	json_t *root;
	int rc;

	if ((rc = call_start(&api, secret_key, base, &detail, &scratch, err)) != WL_OK)
		return rc;
	if (out == NULL || !stripe_id_ok(price_id))
		return wl_fail(err, WL_EINVALID, "the Stripe price id is missing or malformed");
	snprintf(url, sizeof(url), "%s/v1/prices/%s", base, price_id);
	memset(&x, 0, sizeof(x));
	x.url = url;
	rc = call(api, secret_key, &x, &root, detail, err);
	if (rc != WL_OK)
		return rc;
	rc = read_price(root, out, err);
	json_decref(root);
	return rc;
}

static int
read_session(json_t *root, struct stripe_session *out, struct wl_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!copy_str(root, "id", out->id, sizeof(out->id)) || strncmp(out->id, "cs_", 3) != 0 ||
	    !copy_str(root, "url", out->url, sizeof(out->url)) ||
	    (strncmp(out->url, "https://", 8) != 0 && strncmp(out->url, "http://", 7) != 0)) {
		memset(out, 0, sizeof(*out));
		return wl_fail(err, WL_EUNAVAILABLE, "Stripe's checkout session could not be read");
	}
	return WL_OK;
}

int
stripe_session_create(const struct stripe_api *api, const char *secret_key,
		      const struct stripe_checkout *req, const char *idempotency_key,
		      struct stripe_session *out, struct stripe_api_error *detail,
		      struct wl_error *err)
{
	struct stripe_api_error scratch;
	struct exchange x;
	struct wl_buf form;
	char base[BASE_MAX], url[BASE_MAX + 32];
	json_t *root;
	int rc;

	if ((rc = call_start(&api, secret_key, base, &detail, &scratch, err)) != WL_OK)
		return rc;
	if (out == NULL || !stripe_idempotency_key_ok(idempotency_key))
		return wl_fail(err, WL_EINVALID, "the idempotency key is missing or malformed");
	wl_buf_init(&form, STRIPE_FORM_MAX + 1);
	rc = stripe_checkout_form(req, &form, err);
	if (rc != WL_OK) {
		wl_buf_free(&form);
		return rc;
	}
	snprintf(url, sizeof(url), "%s/v1/checkout/sessions", base);
	memset(&x, 0, sizeof(x));
	x.url = url;
	x.form = wl_buf_cstr(&form);
	x.idempotency_key = idempotency_key;
	rc = call(api, secret_key, &x, &root, detail, err);
	wl_buf_free(&form);
	if (rc != WL_OK)
		return rc;
	rc = read_session(root, out, err);
	json_decref(root);
	return rc;
}
