/*
 * error.h — the one error type of wlportal.
 *
 * Every fallible function returns int (0 = WL_OK, a negative WL_E… code on
 * failure) or a pointer (NULL on failure) and fills the struct wl_error its
 * caller passes in. The HTTP layer turns it into a status and the JSON body
 * {"error":{"code":…,"message":…[,"fields":{…}]}} in exactly one place.
 * Pure: no I/O here.
 */
#ifndef WL_CORE_ERROR_H
#define WL_CORE_ERROR_H

#include <stddef.h>

enum wl_code {
	WL_OK = 0,
	WL_EINVALID = -1,       /* 400 invalid_request */
	WL_EUNAUTHORIZED = -2,  /* 401 unauthorized */
	WL_EFORBIDDEN = -3,     /* 403 forbidden */
	WL_ENOTFOUND = -4,      /* 404 not_found */
	WL_ECONFLICT = -5,      /* 409 conflict */
	WL_ETOOLARGE = -6,      /* 413 too_large */
	WL_EVALIDATION = -7,    /* 422 validation_failed (+ fields) */
	WL_EINSUFFICIENT = -8,  /* 402 insufficient_credits */
	WL_ERATELIMITED = -9,   /* 429 rate_limited */
	WL_EINTERNAL = -10,     /* 500 internal_error */
	WL_EUNAVAILABLE = -11,  /* 503 unavailable (store busy, shutting down) */
	WL_EMETHOD = -12,       /* 405 method_not_allowed */
	WL_ECONCURRENCY = -13,  /* 429 concurrency_limit (a client's open calls) */
	WL_EMONTHLY = -14,      /* 402 monthly_limit_reached (a client's minutes) */
	WL_EPRECONDITION = -15, /* 412 precondition_failed (a stale If-Match) */
};

#define WL_ERROR_MESSAGE_MAX 256
#define WL_ERROR_FIELDS_MAX 16

/* Why a field was refused, for code that shows it its own way (a page
 * that lists what the portal still needs, a form with its own wording):
 * the message is for people, the reason is for code. */
enum wl_field_reason {
	WL_FIELD_INVALID = 0, /* anything else */
	WL_FIELD_REQUIRED,    /* missing or blank */
	WL_FIELD_TOO_LONG,
	WL_FIELD_OUT_OF_RANGE,
	WL_FIELD_NEEDED_TO_ACTIVATE, /* must be set before the portal can go live */
};

struct wl_error_field {
	char name[48];
	char message[160];
	enum wl_field_reason reason;
};

struct wl_error {
	int code;
	char message[WL_ERROR_MESSAGE_MAX];
	int nfields;
	struct wl_error_field fields[WL_ERROR_FIELDS_MAX];
};

/* Clears err to WL_OK. */
void wl_error_clear(struct wl_error *err);

/* Sets code and a printf-style message; returns code so callers can
 * `return wl_fail(err, WL_EINVALID, "…")`. err may be NULL. */
int wl_fail(struct wl_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Adds one field complaint (for 422/400); the code becomes WL_EVALIDATION
 * unless it already is an error. Extra fields past the maximum are dropped. */
void wl_error_field(struct wl_error *err, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same with the reason code (wl_error_field's is WL_FIELD_INVALID). */
void wl_error_field_why(struct wl_error *err, const char *field, enum wl_field_reason reason,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

int wl_error_http_status(int code);
const char *wl_error_code_name(int code);

#endif
