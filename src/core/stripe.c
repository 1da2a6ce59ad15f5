/*
 * stripe.c — the pure half of the Stripe API client (see stripe.h): price
 * check, Checkout Session form body, key mode and redaction. No I/O.
 */
#include "core/stripe.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/validate.h"

#define PRICE_FIELD "stripe.price_id"

/* Records msg as the complaint about stripe.price_id. */
static int
price_mismatch(struct wl_error *err, const char *msg)
{
	wl_error_field(err, PRICE_FIELD, "%s", msg);
	if (err != NULL)
		snprintf(err->message, sizeof(err->message),
			 "the Stripe price does not fit the package: %s", msg);
	return WL_EVALIDATION;
}

int
stripe_price_check(const struct stripe_price *p, const char *price_id, const char *product_id,
		   int64_t amount_minor, const char *currency, struct wl_error *err)
{
	char msg[160];

	if (p == NULL || price_id == NULL || product_id == NULL || currency == NULL)
		return wl_fail(err, WL_EINVALID, "stripe_price_check: missing argument");
	if (strcmp(p->id, price_id) != 0) {
		snprintf(msg, sizeof(msg), "Stripe answered with price %.60s, not %.60s", p->id,
			 price_id);
	} else if (!p->active) {
		snprintf(msg, sizeof(msg), "price %.60s is not active in Stripe", p->id);
	} else if (strcmp(p->type, "one_time") != 0) {
		snprintf(msg, sizeof(msg), "price %.60s is %s, not a one-time payment", p->id,
			 p->type[0] ? p->type : "of no known type");
	} else if (strcmp(p->product, product_id) != 0) {
		snprintf(msg, sizeof(msg), "the price belongs to product %.50s, not %.50s",
			 p->product, product_id);
	} else if (!p->has_unit_amount) {
		snprintf(msg, sizeof(msg), "price %.60s has no fixed amount", p->id);
	} else if (p->unit_amount != amount_minor || strcasecmp(p->currency, currency) != 0) {
		snprintf(msg, sizeof(msg), "the price costs %lld %s; the package costs %lld %.8s",
			 (long long)p->unit_amount, p->currency, (long long)amount_minor, currency);
	} else {
		return WL_OK;
	}
	return price_mismatch(err, msg);
}

bool
stripe_id_ok(const char *id)
{
	size_t i;

	if (id == NULL || id[0] == '\0')
		return false;
	for (i = 0; id[i] != '\0'; i++) {
		char c = id[i];

		if (i >= STRIPE_ID_MAX - 1)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool
stripe_idempotency_key_ok(const char *key)
{
	size_t i;

	if (key == NULL || key[0] == '\0')
		return false;
	for (i = 0; key[i] != '\0'; i++)
		if (i >= STRIPE_IDEMPOTENCY_MAX || key[i] <= ' ' || key[i] > '~')
			return false;
	return true;
}

/* http(s), printable ASCII only (no spaces, no control characters). */
static bool
url_ok(const char *u, size_t max)
{
	size_t i;

	if (u == NULL || (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0))
		return false;
	for (i = 0; u[i] != '\0'; i++)
		if (i >= max || u[i] <= ' ' || u[i] > '~')
			return false;
	return true;
}

static void
put_value(struct wl_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[3];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			wl_buf_append(b, s, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		wl_buf_append(b, esc, 3);
	}
}

static void
put_pair(struct wl_buf *b, const char *key, const char *value, const char *suffix)
{
	if (b->len > 0)
		wl_buf_append(b, "&", 1);
	wl_buf_puts(b, key);
	wl_buf_append(b, "=", 1);
	put_value(b, value);
	if (suffix != NULL)
		put_value(b, suffix);
}

static int
check_price_data(const struct stripe_price_data *p)
{
	const char *n = p->product_name;
	size_t i;

	if (p->currency == NULL || strlen(p->currency) != 3 || p->unit_amount < 1 ||
	    p->unit_amount > 99999999 || n == NULL || n[0] == '\0' || strlen(n) > 200)
		return WL_EINVALID;
	for (i = 0; i < 3; i++)
		if (p->currency[i] < 'a' || p->currency[i] > 'z')
			return WL_EINVALID;
	for (i = 0; n[i] != '\0'; i++)
		if ((unsigned char)n[i] < ' ' || n[i] == 0x7f)
			return WL_EINVALID;
	return WL_OK;
}

static void
put_line_item(struct wl_buf *out, const struct stripe_checkout *c)
{
	char amount[24];

	if (c->price_data == NULL) {
		put_pair(out, "line_items[0][price]", c->price_id, NULL);
		return;
	}
	snprintf(amount, sizeof(amount), "%lld", (long long)c->price_data->unit_amount);
	put_pair(out, "line_items[0][price_data][currency]", c->price_data->currency, NULL);
	put_pair(out, "line_items[0][price_data][unit_amount]", amount, NULL);
	put_pair(out, "line_items[0][price_data][product_data][name]", c->price_data->product_name,
		 NULL);
}

static int
check_checkout(const struct stripe_checkout *c, struct wl_error *err)
{
	/* Leave room for the appended "?session_id={CHECKOUT_SESSION_ID}". */
	size_t url_max = STRIPE_URL_MAX - 64;

	if (c->price_data != NULL) {
		if (check_price_data(c->price_data) != WL_OK)
			return wl_fail(
				err, WL_EINVALID,
				"checkout: the amount, currency or product name is malformed");
	} else if (!stripe_id_ok(c->price_id)) {
		return wl_fail(err, WL_EINVALID, "checkout: the price id is missing or malformed");
	}
	if (!url_ok(c->success_url, url_max) || !url_ok(c->cancel_url, url_max))
		return wl_fail(err, WL_EINVALID,
			       "checkout: success and cancel URLs must be "
			       "http(s) URLs without spaces");
	if (strchr(c->success_url, '#') != NULL)
		return wl_fail(err, WL_EINVALID,
			       "checkout: the success URL may not have a fragment");
	if (!stripe_id_ok(c->client_reference_id) || !stripe_id_ok(c->org_id) ||
	    (c->user_id != NULL && c->user_id[0] != '\0' && !stripe_id_ok(c->user_id)))
		return wl_fail(err, WL_EINVALID,
			       "checkout: client reference, org and user ids "
			       "must be [A-Za-z0-9_-]");
	if (c->customer_email != NULL && c->customer_email[0] != '\0' &&
	    !wl_valid_email(c->customer_email))
		return wl_fail(err, WL_EINVALID, "checkout: the customer e-mail is not valid");
	return WL_OK;
}

int
stripe_checkout_form(const struct stripe_checkout *c, struct wl_buf *out, struct wl_error *err)
{
	const char *join;
	int rc;

	if (c == NULL || out == NULL)
		return wl_fail(err, WL_EINVALID, "checkout: missing argument");
	rc = check_checkout(c, err);
	if (rc != WL_OK)
		return rc;
	join = strchr(c->success_url, '?') != NULL ? "&" : "?";
	wl_buf_reset(out);
	put_pair(out, "mode", "payment", NULL);
	put_line_item(out, c);
	put_pair(out, "line_items[0][quantity]", "1", NULL);
	put_pair(out, "success_url", c->success_url, join);
	put_value(out, "session_id=" STRIPE_SESSION_PLACEHOLDER);
	put_pair(out, "cancel_url", c->cancel_url, NULL);
	put_pair(out, "client_reference_id", c->client_reference_id, NULL);
	put_pair(out, "metadata[org_id]", c->org_id, NULL);
	if (c->user_id != NULL && c->user_id[0] != '\0')
		put_pair(out, "metadata[user_id]", c->user_id, NULL);
	if (c->customer_email != NULL && c->customer_email[0] != '\0')
		put_pair(out, "customer_email", c->customer_email, NULL);
	if (!wl_buf_ok(out) || out->len > STRIPE_FORM_MAX) {
		wl_buf_reset(out);
		return wl_fail(err, WL_EINVALID, "checkout: the request would be too large");
	}
	return WL_OK;
}

const char *
stripe_key_mode(const char *key)
{
	static const char *const prefixes[] = { "sk_", "rk_", "pk_" };
	size_t i;

	if (key == NULL)
		return NULL;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (strncmp(key, prefixes[i], 3) != 0)
			continue;
		if (strncmp(key + 3, "test_", 5) == 0 && key[8] != '\0')
			return "test";
		if (strncmp(key + 3, "live_", 5) == 0 && key[8] != '\0')
			return "live";
	}
	return NULL;
}

static bool
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Length of the secret prefix at s to keep visible, 0 when s does not
 * start a secret-looking token. */
static size_t
secret_prefix(const char *s)
{
	static const char *const prefixes[] = { "sk_test_", "sk_live_", "rk_test_", "rk_live_",
						"whsec_",   "sk_",      "rk_" };
	size_t i, n;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		n = strlen(prefixes[i]);
		if (strncmp(s, prefixes[i], n) == 0)
			return n;
	}
	return 0;
}

void
stripe_redact(char *text)
{
	size_t i = 0, keep;

	if (text == NULL)
		return;
	while (text[i] != '\0') {
		keep = (i == 0 || !word_char(text[i - 1])) ? secret_prefix(text + i) : 0;
		if (keep == 0) {
			i++;
			continue;
		}
		i += keep;
		while (text[i] != '\0' && (word_char(text[i]) || text[i] == '*'))
			text[i++] = '*';
	}
}
