/*
 * error.c — filling struct wl_error and mapping its codes to HTTP statuses
 * and contract code names. The JSON rendering lives in the HTTP layer.
 */
#include "core/error.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
wl_error_clear(struct wl_error *err)
{
	err->code = WL_OK;
	err->message[0] = '\0';
	err->nfields = 0;
}

int
wl_fail(struct wl_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

static void add_field(struct wl_error *err, const char *field, enum wl_field_reason reason,
		      const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static void
add_field(struct wl_error *err, const char *field, enum wl_field_reason reason, const char *fmt,
	  va_list ap)
{
	struct wl_error_field *f;

	if (err == NULL)
		return;
	if (err->code == WL_OK) {
		err->code = WL_EVALIDATION;
		snprintf(err->message, sizeof(err->message), "Some fields are not valid");
	}
	assert(err->nfields >= 0 && err->nfields <= WL_ERROR_FIELDS_MAX);
	if (err->nfields >= WL_ERROR_FIELDS_MAX)
		return;
	f = &err->fields[err->nfields++];
	snprintf(f->name, sizeof(f->name), "%s", field);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	f->reason = reason;
}

void
wl_error_field(struct wl_error *err, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_field(err, field, WL_FIELD_INVALID, fmt, ap);
	va_end(ap);
}

void
wl_error_field_why(struct wl_error *err, const char *field, enum wl_field_reason reason,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_field(err, field, reason, fmt, ap);
	va_end(ap);
}

int
wl_error_http_status(int code)
{
	switch (code) {
	case WL_OK: return 200;
	case WL_EINVALID: return 400;
	case WL_EUNAUTHORIZED: return 401;
	case WL_EINSUFFICIENT: return 402;
	case WL_EFORBIDDEN: return 403;
	case WL_ENOTFOUND: return 404;
	case WL_EMETHOD: return 405;
	case WL_ECONFLICT: return 409;
	case WL_EPRECONDITION: return 412;
	case WL_ETOOLARGE: return 413;
	case WL_EVALIDATION: return 422;
	case WL_ERATELIMITED: return 429;
	case WL_ECONCURRENCY: return 429;
	case WL_EMONTHLY: return 402;
	case WL_EUNAVAILABLE: return 503;
	default: return 500;
	}
}

const char *
wl_error_code_name(int code)
{
	switch (code) {
	case WL_OK: return "ok";
	case WL_EINVALID: return "invalid_request";
	case WL_EUNAUTHORIZED: return "unauthorized";
	case WL_EINSUFFICIENT: return "insufficient_credits";
	case WL_EFORBIDDEN: return "forbidden";
	case WL_ENOTFOUND: return "not_found";
	case WL_EMETHOD: return "method_not_allowed";
	case WL_ECONFLICT: return "conflict";
	case WL_EPRECONDITION: return "precondition_failed";
	case WL_ETOOLARGE: return "too_large";
	case WL_EVALIDATION: return "validation_failed";
	case WL_ERATELIMITED: return "rate_limited";
	case WL_ECONCURRENCY: return "concurrency_limit";
	case WL_EMONTHLY: return "monthly_limit_reached";
	case WL_EUNAVAILABLE: return "unavailable";
	default: return "internal_error";
	}
}
