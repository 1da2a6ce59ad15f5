/*
 * template.h — the small template engine of the HTML pages.
 *
 * Syntax (a subset of mustache):
 *   {{name}}            the value, HTML-escaped (& < > " ' become entities)
 *   {{#name}}…{{/name}} a section: once per item of a list (the item is the
 *                       context, names not found in it are looked up in the
 *                       enclosing contexts), once for true or a non-empty
 *                       string, never for false, absent, "" or an empty list
 *   {{^name}}…{{/name}} inverted: once exactly when {{#name}} would not run
 *   {{>name}}           another template of the same set (a partial)
 *   {{! text }}         a comment
 * Names are 1..63 of [A-Za-z0-9_.-]. Templates are compiled once (syntax
 * errors are reported with the template name and line) and are read-only
 * afterwards, so one set may be rendered from any number of threads.
 *
 * Ownership: a tpl_set owns its compiled templates; a tpl_data tree is owned
 * by whoever made its root with tpl_data_new and freed in one call.
 */
#ifndef WL_WEB_TEMPLATE_H
#define WL_WEB_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

struct tpl_set;
struct tpl_data;

struct tpl_set *tpl_set_new(void);
void tpl_set_free(struct tpl_set *s);
/* Compiles text under name (replacing a template of that name). */
int tpl_set_add(struct tpl_set *s, const char *name, const char *text, size_t n,
		struct wl_error *err);
/* Adds every "*.html" file of dir, named without the extension. */
int tpl_set_load_dir(struct tpl_set *s, const char *dir, struct wl_error *err);
/* WL_EINVALID when a template includes a partial the set does not have. */
int tpl_set_check(const struct tpl_set *s, struct wl_error *err);
bool tpl_set_has(const struct tpl_set *s, const char *name);

struct tpl_data *tpl_data_new(void);
void tpl_data_free(struct tpl_data *root);
/* Values of a context; a later value of the same name hides an earlier one.
 * Out of memory is remembered and reported by tpl_render. */
void tpl_put(struct tpl_data *d, const char *name, const char *value);
void tpl_putf(struct tpl_data *d, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tpl_put_bool(struct tpl_data *d, const char *name, bool value);
/* Appends an item to the list `name` (created empty on first use) and
 * returns the item's context (NULL when out of memory). */
struct tpl_data *tpl_push(struct tpl_data *d, const char *name);
/* Makes `name` an existing but empty list (so {{^name}} runs). */
void tpl_put_list(struct tpl_data *d, const char *name);

/* Renders template `name` with data d, appending to out. */
int tpl_render(const struct tpl_set *s, const char *name, const struct tpl_data *d,
	       struct wl_buf *out, struct wl_error *err);

/* Appends s HTML-escaped. */
void tpl_escape(struct wl_buf *out, const char *s);

#endif
