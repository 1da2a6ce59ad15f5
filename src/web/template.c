/*
 * template.c — compiling and rendering the page templates (see template.h).
 * Owns the compiled form (a flat array of nodes; a section node knows where
 * its body ends) and the tpl_data value trees. It knows nothing of HTTP or
 * of what the pages show.
 */
#include "web/template.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TPL_NAME_MAX 64
#define TPL_NEST_MAX 32
#define TPL_PARTIAL_DEPTH 8
#define TPL_FILE_MAX (512 * 1024)

enum node_kind { N_TEXT, N_VAR, N_SECTION, N_INVERTED, N_PARTIAL };

struct node {
	enum node_kind kind;
	const char *text; /* N_TEXT: into the template's source */
	size_t len;
	char name[TPL_NAME_MAX];
	size_t end; /* sections: index of the node after the body */
};

struct tpl {
	char name[TPL_NAME_MAX];
	char *source;
	struct node *nodes;
	size_t nnodes;
	struct tpl *next;
};

struct tpl_set {
	struct tpl *first;
};

/* ---- values ------------------------------------------------------------- */

enum value_kind { V_STR, V_BOOL, V_LIST };

struct entry {
	struct entry *next;
	enum value_kind kind;
	char *name;
	char *str;
	bool flag;
	struct tpl_data *first, *last; /* V_LIST items */
	size_t count;
};

struct tpl_data {
	struct tpl_data *parent; /* lookup falls back here */
	struct tpl_data *root;
	struct tpl_data *next_item; /* next item of the same list */
	struct entry *entries;      /* newest first */
	bool failed;                /* root only: an allocation failed */
};

struct tpl_data *
tpl_data_new(void)
{
	struct tpl_data *d = calloc(1, sizeof(*d));

	if (d != NULL)
		d->root = d;
	return d;
}

static void
data_free(struct tpl_data *d)
{
	struct entry *e, *enext;
	struct tpl_data *item, *inext;

	for (e = d->entries; e != NULL; e = enext) {
		enext = e->next;
		for (item = e->first; item != NULL; item = inext) {
			inext = item->next_item;
			data_free(item);
		}
		free(e->name);
		free(e->str);
		free(e);
	}
	free(d);
}

void
tpl_data_free(struct tpl_data *root)
{
	if (root != NULL)
		data_free(root);
}

static struct entry *
entry_new(struct tpl_data *d, const char *name, enum value_kind kind)
{
	struct entry *e = calloc(1, sizeof(*e));

	if (e == NULL || (e->name = strdup(name)) == NULL) {
		free(e);
		d->root->failed = true;
		return NULL;
	}
	e->kind = kind;
	e->next = d->entries;
	d->entries = e;
	return e;
}

void
tpl_put(struct tpl_data *d, const char *name, const char *value)
{
	struct entry *e;

	if (d == NULL)
		return;
	e = entry_new(d, name, V_STR);
	if (e != NULL && (e->str = strdup(value != NULL ? value : "")) == NULL)
		d->root->failed = true;
}

void
tpl_putf(struct tpl_data *d, const char *name, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int n;

	if (d == NULL)
		return;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		d->root->failed = true;
		return;
	}
	tpl_put(d, name, s);
	free(s);
}

void
tpl_put_bool(struct tpl_data *d, const char *name, bool value)
{
	struct entry *e;

	if (d == NULL)
		return;
	e = entry_new(d, name, V_BOOL);
	if (e != NULL)
		e->flag = value;
}

static struct entry *
own_list(struct tpl_data *d, const char *name)
{
	struct entry *e;

	for (e = d->entries; e != NULL; e = e->next)
		if (strcmp(e->name, name) == 0)
			return e->kind == V_LIST ? e : NULL;
	return NULL;
}

void
tpl_put_list(struct tpl_data *d, const char *name)
{
	if (d != NULL && own_list(d, name) == NULL)
		entry_new(d, name, V_LIST);
}

struct tpl_data *
tpl_push(struct tpl_data *d, const char *name)
{
	struct entry *e;
	struct tpl_data *item;

	if (d == NULL)
		return NULL;
	e = own_list(d, name);
	if (e == NULL && (e = entry_new(d, name, V_LIST)) == NULL)
		return NULL;
	item = calloc(1, sizeof(*item));
	if (item == NULL) {
		d->root->failed = true;
		return NULL;
	}
	item->parent = d;
	item->root = d->root;
	if (e->last != NULL)
		e->last->next_item = item;
	else
		e->first = item;
	e->last = item;
	e->count++;
	return item;
}

static const struct entry *
lookup(const struct tpl_data *d, const char *name)
{
	const struct entry *e;

	for (; d != NULL; d = d->parent)
		for (e = d->entries; e != NULL; e = e->next)
			if (strcmp(e->name, name) == 0)
				return e;
	return NULL;
}

static bool
truthy(const struct entry *e)
{
	if (e == NULL)
		return false;
	switch (e->kind) {
	case V_STR: return e->str[0] != '\0';
	case V_BOOL: return e->flag;
	case V_LIST: return e->count > 0;
	}
	return false;
}

/* ---- compiling ------------------------------------------------------------ */

static bool
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

static int
line_of(const char *src, const char *at)
{
	int line = 1;

	for (; src < at; src++)
		if (*src == '\n')
			line++;
	return line;
}

static int
push_node(struct tpl *t, size_t *cap, const struct node *n)
{
	if (t->nnodes == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct node *p = realloc(t->nodes, ncap * sizeof(*p));

		if (p == NULL)
			return WL_EINTERNAL;
		t->nodes = p;
		*cap = ncap;
	}
	t->nodes[t->nnodes++] = *n;
	return WL_OK;
}

static int
compile(struct tpl *t, struct wl_error *err)
{
	const char *src = t->source, *p = t->source;
	size_t open[TPL_NEST_MAX], depth = 0, cap = 0;

	for (;;) {
		const char *tag = strstr(p, "{{");
		const char *close, *body;
		struct node n;
		size_t len;

		memset(&n, 0, sizeof(n));
		if (tag == NULL || tag > p) {
			n.kind = N_TEXT;
			n.text = p;
			n.len = tag != NULL ? (size_t)(tag - p) : strlen(p);
			if (n.len > 0 && push_node(t, &cap, &n) != WL_OK)
				return wl_fail(err, WL_EINTERNAL, "out of memory");
			if (tag == NULL)
				break;
		}
		close = strstr(tag + 2, "}}");
		if (close == NULL)
			return wl_fail(err, WL_EINVALID, "template %s, line %d: '{{' without '}}'",
				       t->name, line_of(src, tag));
		p = close + 2;
		body = tag + 2;
		if (*body == '!')
			continue;
		switch (*body) {
		case '#':
			n.kind = N_SECTION;
			body++;
			break;
		case '^':
			n.kind = N_INVERTED;
			body++;
			break;
		case '>':
			n.kind = N_PARTIAL;
			body++;
			break;
		case '/': body++; break;
		default: n.kind = N_VAR; break;
		}
		while (*body == ' ')
			body++;
		len = 0;
		while (body + len < close && name_char(body[len]))
			len++;
		while (body + len < close && body[len] == ' ')
			len++;
		if (body + len != close || len == 0 || len >= TPL_NAME_MAX)
			return wl_fail(err, WL_EINVALID, "template %s, line %d: bad tag '%.*s'",
				       t->name, line_of(src, tag), (int)(close - tag + 2), tag);
		memcpy(n.name, body, len);
		while (len > 0 && n.name[len - 1] == ' ')
			n.name[--len] = '\0';
		if (tag[2] == '/') {
			if (depth == 0 || strcmp(t->nodes[open[depth - 1]].name, n.name) != 0)
				return wl_fail(
					err, WL_EINVALID,
					"template %s, line %d: '{{/%s}}' closes no open section",
					t->name, line_of(src, tag), n.name);
			depth--;
			t->nodes[open[depth]].end = t->nnodes;
			continue;
		}
		if (n.kind == N_SECTION || n.kind == N_INVERTED) {
			if (depth == TPL_NEST_MAX)
				return wl_fail(err, WL_EINVALID,
					       "template %s, line %d: nested too deep", t->name,
					       line_of(src, tag));
			open[depth++] = t->nnodes;
		}
		if (push_node(t, &cap, &n) != WL_OK)
			return wl_fail(err, WL_EINTERNAL, "out of memory");
	}
	if (depth > 0)
		return wl_fail(err, WL_EINVALID, "template %s: section '%s' is never closed",
			       t->name, t->nodes[open[depth - 1]].name);
	return WL_OK;
}

static void
tpl_free(struct tpl *t)
{
	free(t->source);
	free(t->nodes);
	free(t);
}

struct tpl_set *
tpl_set_new(void)
{
	return calloc(1, sizeof(struct tpl_set));
}

void
tpl_set_free(struct tpl_set *s)
{
	struct tpl *t, *next;

	if (s == NULL)
		return;
	for (t = s->first; t != NULL; t = next) {
		next = t->next;
		tpl_free(t);
	}
	free(s);
}

static const struct tpl *
find(const struct tpl_set *s, const char *name)
{
	const struct tpl *t;

	for (t = s->first; t != NULL; t = t->next)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

bool
tpl_set_has(const struct tpl_set *s, const char *name)
{
	return find(s, name) != NULL;
}

int
tpl_set_add(struct tpl_set *s, const char *name, const char *text, size_t n, struct wl_error *err)
{
	struct tpl *t, **pp;
	size_t i;

	if (strlen(name) == 0 || strlen(name) >= TPL_NAME_MAX)
		return wl_fail(err, WL_EINVALID, "bad template name '%s'", name);
	for (i = 0; name[i] != '\0'; i++)
		if (!name_char(name[i]))
			return wl_fail(err, WL_EINVALID, "bad template name '%s'", name);
	if (memchr(text, '\0', n) != NULL)
		return wl_fail(err, WL_EINVALID, "template %s holds a NUL byte", name);
	t = calloc(1, sizeof(*t));
	if (t == NULL || (t->source = malloc(n + 1)) == NULL) {
		free(t);
		return wl_fail(err, WL_EINTERNAL, "out of memory");
	}
	memcpy(t->source, text, n);
	t->source[n] = '\0';
	snprintf(t->name, sizeof(t->name), "%s", name);
	if (compile(t, err) != WL_OK) {
		tpl_free(t);
		return err->code;
	}
	for (pp = &s->first; *pp != NULL; pp = &(*pp)->next) {
		if (strcmp((*pp)->name, name) == 0) {
			t->next = (*pp)->next;
			tpl_free(*pp);
			*pp = t;
			return WL_OK;
		}
	}
	*pp = t;
	return WL_OK;
}

static int
read_file(const char *path, char **out, size_t *n, struct wl_error *err)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;

	if (f == NULL)
		return wl_fail(err, WL_EINVALID, "cannot open %s", path);
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > TPL_FILE_MAX) {
		fclose(f);
		return wl_fail(err, WL_EINVALID, "%s is not a regular file of at most %d bytes",
			       path, TPL_FILE_MAX);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		fclose(f);
		return wl_fail(err, WL_EINTERNAL, "out of memory");
	}
	*n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	buf[*n] = '\0';
	*out = buf;
	return WL_OK;
}

int
tpl_set_load_dir(struct tpl_set *s, const char *dir, struct wl_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = WL_OK;

	if (d == NULL)
		return wl_fail(err, WL_EINVALID, "cannot open the template directory %s", dir);
	while (rc == WL_OK && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char path[4096], name[TPL_NAME_MAX];
		char *text = NULL;
		size_t n = 0;

		if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".html") != 0)
			continue;
		if (len - 5 >= sizeof(name)) {
			rc = wl_fail(err, WL_EINVALID, "template file name too long: %s",
				     de->d_name);
			break;
		}
		memcpy(name, de->d_name, len - 5);
		name[len - 5] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		rc = read_file(path, &text, &n, err);
		if (rc == WL_OK)
			rc = tpl_set_add(s, name, text, n, err);
		free(text);
	}
	closedir(d);
	return rc;
}

int
tpl_set_check(const struct tpl_set *s, struct wl_error *err)
{
	const struct tpl *t;
	size_t i;

	for (t = s->first; t != NULL; t = t->next)
		for (i = 0; i < t->nnodes; i++)
			if (t->nodes[i].kind == N_PARTIAL && find(s, t->nodes[i].name) == NULL)
				return wl_fail(err, WL_EINVALID,
					       "template %s includes unknown '%s'", t->name,
					       t->nodes[i].name);
	return WL_OK;
}

/* ---- rendering ------------------------------------------------------------ */

void
tpl_escape(struct wl_buf *out, const char *s)
{
	wl_html_escape(out, s);
}

struct render {
	const struct tpl_set *set;
	struct wl_buf *out;
	struct wl_error *err;
	int depth;
};

static int render_template(struct render *r, const struct tpl *t, const struct tpl_data *d);

static int
render_range(struct render *r, const struct tpl *t, size_t from, size_t to,
	     const struct tpl_data *d)
{
	size_t i = from;

	while (i < to) {
		const struct node *n = &t->nodes[i];
		const struct entry *e;
		const struct tpl *part;
		const struct tpl_data *item;

		switch (n->kind) {
		case N_TEXT:
			wl_buf_append(r->out, n->text, n->len);
			i++;
			break;
		case N_VAR:
			e = lookup(d, n->name);
			if (e != NULL && e->kind == V_STR)
				tpl_escape(r->out, e->str);
			else if (e != NULL && e->kind == V_BOOL)
				wl_buf_puts(r->out, e->flag ? "true" : "false");
			i++;
			break;
		case N_SECTION:
			e = lookup(d, n->name);
			if (e != NULL && e->kind == V_LIST) {
				for (item = e->first; item != NULL; item = item->next_item)
					if (render_range(r, t, i + 1, n->end, item) != WL_OK)
						return r->err->code;
			} else if (truthy(e) && render_range(r, t, i + 1, n->end, d) != WL_OK) {
				return r->err->code;
			}
			i = n->end;
			break;
		case N_INVERTED:
			if (!truthy(lookup(d, n->name)) &&
			    render_range(r, t, i + 1, n->end, d) != WL_OK)
				return r->err->code;
			i = n->end;
			break;
		case N_PARTIAL:
			part = find(r->set, n->name);
			if (part == NULL)
				return wl_fail(r->err, WL_EINTERNAL,
					       "template %s includes unknown '%s'", t->name,
					       n->name);
			if (render_template(r, part, d) != WL_OK)
				return r->err->code;
			i++;
			break;
		}
	}
	return WL_OK;
}

static int
render_template(struct render *r, const struct tpl *t, const struct tpl_data *d)
{
	int rc;

	if (r->depth >= TPL_PARTIAL_DEPTH)
		return wl_fail(r->err, WL_EINTERNAL, "template %s: partials nested too deep",
			       t->name);
	r->depth++;
	rc = render_range(r, t, 0, t->nnodes, d);
	r->depth--;
	return rc;
}

int
tpl_render(const struct tpl_set *s, const char *name, const struct tpl_data *d, struct wl_buf *out,
	   struct wl_error *err)
{
	struct render r = { s, out, err, 0 };
	const struct tpl *t = find(s, name);

	if (t == NULL)
		return wl_fail(err, WL_EINTERNAL, "no template named %s", name);
	if (d != NULL && d->root->failed)
		return wl_fail(err, WL_EINTERNAL, "out of memory while preparing %s", name);
	if (render_template(&r, t, d) != WL_OK)
		return err->code;
	if (!wl_buf_ok(out))
		return wl_fail(err, WL_EINTERNAL, "page %s is too large", name);
	return WL_OK;
}
